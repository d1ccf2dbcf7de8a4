"""The index directory: immutable segments, generations that list them, atomic publishing.

    <index_dir>/current -> gen-<timestamp>-<rand>   symlink, swapped atomically
    <index_dir>/gen-*/manifest.json                  format, model, segments, documents and their rows
    <index_dir>/seg-*/                               one segment: clauses, vectors, postings (see segment)
    <index_dir>/.lock                                held by the one writer
    <index_dir>/.merge.lock, .merge-*/               held by the one merger; its segments being written

A generation is its manifest: the segments it reads and, for every live document, the segment
and rows holding its clauses. A segment's rows that no live document claims are its tombstones
(a changed or removed document's old rows), skipped by readers until a merge drops them.

Segments and generations are written under a temporary name, flushed to disk and renamed; a
generation is made current only after every segment it lists is in place, so a crash at any point
leaves the previous generation serving, and the next writer deletes the leftovers. Files are never
changed once written, only deleted when no kept generation (current or previous) lists them, and a
deleted file stays readable through a mapping that holds it, so pruning never pulls data from
under a reader.

A merge runs beside writers (index.merger): it writes its segments inside a staging directory of
its own, which writers neither prune nor publish, and moves them into the index directory only
under the writer lock, just before publishing the generation that lists them.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from index.errors import IndexDamaged, IndexDiskFull, IndexLocked

FORMAT_VERSION = 3  # 3: segments; BM25 postings scored at query time with corpus-wide statistics
CURRENT = "current"
LOCK = ".lock"
MERGE_LOCK = ".merge.lock"
STAGING_PREFIX = ".merge-"
GEN_PREFIX = "gen-"
SEG_PREFIX = "seg-"
TMP_PREFIX = ".tmp-"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class DocumentEntry:
    source: str  # absolute path of the file it was ingested from
    content_hash: str
    clauses: int
    stamp: tuple[int, int] | None = None  # (size, mtime_ns) of the source when hashed: unchanged -> not re-read
    segment: str = ""  # the segment holding its clauses ...
    start: int = 0  # ... in rows [start, start + clauses)


@dataclass(frozen=True)
class SegmentEntry:
    name: str
    rows: int  # live and deleted
    dense: str  # "flat-ip" or "hnsw" (see dense)


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model: str
    dimension: int
    clauses: int  # live
    built_at: str  # ISO 8601, UTC
    build_seconds: float
    segments: tuple[SegmentEntry, ...]  # in row order
    documents: dict[str, DocumentEntry]  # by doc id, sorted
    ingest_version: int = 0  # ingest.version.INGEST_VERSION of the clauses; 0: recorded before versions
    backend: str = "embedded"  # config.BACKENDS: what else holds the generation (index.backend)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Manifest:
        docs = {k: DocumentEntry(**{**v, "stamp": tuple(v["stamp"]) if v.get("stamp") else None})
                for k, v in d["documents"].items()}
        segments = tuple(SegmentEntry(**e) for e in d.get("segments", ()))
        known = {f.name for f in fields(cls)}  # an older format's extra fields: read, then rebuilt (build)
        return cls(**{**{k: v for k, v in d.items() if k in known}, "documents": docs, "segments": segments})

    def live_rows(self) -> dict[str, int]:
        """Rows each segment holds for live documents (the rest are tombstones)."""
        live = {s.name: 0 for s in self.segments}
        for entry in self.documents.values():
            live[entry.segment] += entry.clauses
        return live


def current_generation(index_dir: Path) -> str | None:
    link = Path(index_dir) / CURRENT
    try:
        return os.readlink(link)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
        raise IndexDamaged(f"{link} is a {'directory' if link.is_dir() else 'file'}, not the link to a generation "
                           "that policyqa writes (was the index copied without its links? use `cp -a`); "
                           f"delete {link} and run `policyqa index` to rebuild") from None


def generation_path(index_dir: Path) -> Path | None:
    name = current_generation(index_dir)
    return None if name is None else Path(index_dir) / name


def read_manifest(path: Path) -> Manifest:
    return Manifest.from_dict(json.loads((path / MANIFEST).read_text(encoding="utf-8")))


def size_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file())


def generation_bytes(index_dir: Path, name: str) -> int:
    """Disk held by a generation: its manifest and every segment it lists."""
    path = Path(index_dir) / name
    return size_bytes(path) + sum(size_bytes(Path(index_dir) / s.name) for s in read_manifest(path).segments)


@contextmanager
def writer_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """Exclusive right to write `index_dir`; the OS drops it if the holder dies, even by SIGKILL."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "a+", encoding="utf-8") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise IndexLocked(f"{index_dir} is being written by another process (pid {holder})") from None
                time.sleep(0.1)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        _remove(index_dir, lambda entry: entry.startswith(TMP_PREFIX))  # left by a writer that was killed
        _prune_segments(index_dir)  # written by a writer killed before it published them
        try:
            yield
        finally:
            fh.truncate(0)
            fcntl.flock(fh, fcntl.LOCK_UN)


def try_merge_lock(index_dir: Path) -> IO | None:
    """The merge lock if no one holds it (the open file holds it: close it to let go; the OS drops
    it if the holder dies), after removing what a killed merger left staged; else None."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fh = open(index_dir / MERGE_LOCK, "a+", encoding="utf-8")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        return None
    _remove(index_dir, lambda entry: entry.startswith(STAGING_PREFIX))
    return fh


def merge_lock(index_dir: Path) -> IO:
    """The merge lock, waiting for a merge that holds it to finish."""
    while (fh := try_merge_lock(index_dir)) is None:
        time.sleep(0.1)
    return fh


@contextmanager
def staging(index_dir: Path) -> Iterator[Path]:
    """A directory for a merger's segments (call with the merge lock held), removed at the end."""
    path = index_dir / f"{STAGING_PREFIX}{_stamp()}"
    path.mkdir()
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def adopt(index_dir: Path, staged: Path) -> None:
    """Move a staged segment into the index directory. Call with the writer lock held, then
    publish a generation listing it (until then it is an unlisted segment the next writer prunes)."""
    with _disk_errors(index_dir):
        staged.rename(index_dir / staged.name)
        _fsync(index_dir)


def write_segment(index_dir: Path, write: Callable[[Path], None]) -> str:
    """Have `write` fill a fresh segment directory; returns its name. Call with the writer lock held;
    it serves no reader until a published generation lists it."""
    name = f"{SEG_PREFIX}{_stamp()}"
    _write_dir(index_dir, name, write)
    return name


def publish(index_dir: Path, write: Callable[[Path], None]) -> str:
    """Have `write` fill a fresh generation directory (its manifest), then make it current; returns
    its name. Call with the writer lock held. If `write` (or the disk) fails, nothing visible changes."""
    name = f"{GEN_PREFIX}{_stamp()}"
    _write_dir(index_dir, name, write)
    previous = current_generation(index_dir)
    with _disk_errors(index_dir):
        link = index_dir / f"{TMP_PREFIX}{CURRENT}-{secrets.token_hex(3)}"
        os.symlink(name, link)
        os.replace(link, index_dir / CURRENT)
        _fsync(index_dir)
    _remove(index_dir, lambda entry: entry.startswith(GEN_PREFIX) and entry not in (name, previous))
    _prune_segments(index_dir)
    return name


def _stamp() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}"


def _write_dir(index_dir: Path, name: str, write: Callable[[Path], None]) -> None:
    tmp = index_dir / f"{TMP_PREFIX}{name}"
    tmp.mkdir(parents=True)
    try:
        with _disk_errors(index_dir):
            write(tmp)
            for f in tmp.iterdir():
                _fsync(f)
            _fsync(tmp)
            tmp.rename(index_dir / name)
            _fsync(index_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _disk_errors(index_dir: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT) or _SHORT_WRITE.search(str(exc)):
            raise IndexDiskFull(f"not enough disk space in {index_dir} to write the index (No space left on "
                                "device); free some space and retry. The previous index is still serving") from exc
        raise


_SHORT_WRITE = re.compile(r"\d+ requested and \d+ written")  # how numpy reports a full disk


def _prune_segments(index_dir: Path) -> None:
    """Delete the segments no kept generation lists (if any manifest is unreadable, delete none)."""
    listed = set()
    for entry in index_dir.iterdir():
        if entry.name.startswith(GEN_PREFIX):
            try:
                listed.update(s.name for s in read_manifest(entry).segments)
            except (OSError, ValueError, KeyError, TypeError):
                return
    _remove(index_dir, lambda entry: entry.startswith(SEG_PREFIX) and entry not in listed)


def _remove(index_dir: Path, stale: Callable[[str], bool]) -> None:
    for entry in index_dir.iterdir():
        if not stale(entry.name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as fh:
        yield from (json.loads(line) for line in fh if line.strip())


def write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
