"""The index directory: generations, the manifest, the record files, atomic publishing.

    <index_dir>/current -> gen-<timestamp>-<rand>   symlink, swapped atomically
    <index_dir>/gen-*/manifest.json                  format, model, documents, counts
    <index_dir>/gen-*/documents.jsonl, clauses.jsonl
    <index_dir>/gen-*/embeddings.npy, embedding_keys.npy  the vectors (the exact dense index)
    <index_dir>/gen-*/dense.faiss                     HNSW graph, past `ann_threshold` clauses only
    <index_dir>/gen-*/sparse-<view>.<array>.npy       BM25 matrices (see bm25)
    <index_dir>/gen-*/terms.tsv                       each text's terms, for the next build (term_cache)
    <index_dir>/.lock                                 held by the one writer

A generation is written under a temporary name, flushed to disk, renamed, and only then made
current, so a crash at any point leaves the previous generation serving. Readers memory-map the
arrays; a generation's files are never changed, only deleted when pruned, and a deleted file stays
readable through a mapping that holds it, so pruning never pulls data from under a reader.
"""

from __future__ import annotations

import errno
import fcntl
import json
import mmap
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.errors import IndexDamaged, IndexDiskFull, IndexLocked
from ingest.model import Clause, DocumentMeta

FORMAT_VERSION = 2  # 2: sparse views as memory-mapped .npy arrays, no dense.faiss for exact search
CURRENT = "current"
LOCK = ".lock"
GEN_PREFIX = "gen-"
TMP_PREFIX = ".tmp-"
MANIFEST = "manifest.json"
DOCUMENTS = "documents.jsonl"
CLAUSES = "clauses.jsonl"
CLAUSE_OFFSETS = "clause_offsets.npy"
EMBEDDINGS = "embeddings.npy"
KEYS = "embedding_keys.npy"
DENSE = "dense.faiss"


@dataclass(frozen=True)
class DocumentEntry:
    source: str  # absolute path of the file it was ingested from
    content_hash: str
    clauses: int
    stamp: tuple[int, int] | None = None  # (size, mtime_ns) of the source when hashed: unchanged -> not re-read


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model: str
    dimension: int
    dense_index: str  # "flat-ip" or "hnsw"
    clauses: int
    built_at: str  # ISO 8601, UTC
    build_seconds: float
    documents: dict[str, DocumentEntry]
    ingest_version: int = 0  # ingest.version.INGEST_VERSION of the clauses; 0: recorded before versions

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Manifest:
        docs = {k: DocumentEntry(**{**v, "stamp": tuple(v["stamp"]) if v.get("stamp") else None})
                for k, v in d["documents"].items()}
        return cls(**{**d, "documents": docs})


@dataclass(frozen=True)
class Records:
    """The primary content of a generation; rows of clauses, embeddings and keys align."""

    manifest: Manifest
    documents: dict[str, DocumentMeta]
    clauses: list[Clause]
    embeddings: np.ndarray  # (clauses, dimension) float32, L2-normalised
    keys: np.ndarray  # (clauses,) str: what each embedding was computed from (embedding_key)


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


def read_records(path: Path) -> Records:
    """Everything, as a writer needs it to build the next generation (readers: ClauseStore)."""
    return Records(
        manifest=read_manifest(path),
        documents=read_documents(path),
        clauses=[Clause.from_dict(d) for d in _read_jsonl(path / CLAUSES)],
        embeddings=read_embeddings(path),
        keys=np.load(path / KEYS, mmap_mode="r", allow_pickle=False),
    )


def read_documents(path: Path) -> dict[str, DocumentMeta]:
    return {d["doc_id"]: DocumentMeta.from_dict(d) for d in _read_jsonl(path / DOCUMENTS)}


def read_embeddings(path: Path) -> np.ndarray:
    return np.load(path / EMBEDDINGS, mmap_mode="r", allow_pickle=False)


def write_records(path: Path, records: Records) -> None:
    (path / MANIFEST).write_text(json.dumps(records.manifest.to_dict(), ensure_ascii=False, indent=1),
                                 encoding="utf-8")
    _write_jsonl(path / DOCUMENTS, (m.to_dict() for m in records.documents.values()))
    offsets = [0]
    with (path / CLAUSES).open("wb") as fh:
        for c in records.clauses:
            offsets.append(offsets[-1] + fh.write((json.dumps(c.to_dict(), ensure_ascii=False) + "\n").encode()))
    np.save(path / CLAUSE_OFFSETS, np.array(offsets, dtype=np.int64))
    np.save(path / EMBEDDINGS, records.embeddings)
    np.save(path / KEYS, records.keys)


class ClauseStore:
    """A generation's clauses by row, read from `clauses.jsonl` on demand through a byte-offset
    table, so a reader holds no clause in memory that no query has asked for."""

    def __init__(self, path: Path):
        self._offsets = np.load(path / CLAUSE_OFFSETS, mmap_mode="r", allow_pickle=False)
        with (path / CLAUSES).open("rb") as fh:
            self._text = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if self._offsets[-1] else b""

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def get(self, row: int) -> Clause:
        return Clause.from_dict(json.loads(self._text[self._offsets[row]:self._offsets[row + 1]]))

    def range(self, start: int, stop: int) -> list[Clause]:
        return [Clause.from_dict(json.loads(line)) for line in
                self._text[self._offsets[start]:self._offsets[stop]].splitlines()]


def size_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file())


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
        try:
            yield
        finally:
            fh.truncate(0)
            fcntl.flock(fh, fcntl.LOCK_UN)


def publish(index_dir: Path, write: Callable[[Path], None]) -> str:
    """Have `write` fill a fresh directory, then make it the current generation; returns its name.

    Call with the writer lock held. If `write` (or the disk) fails, nothing visible changes.
    """
    name = f"{GEN_PREFIX}{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}"
    tmp = index_dir / f"{TMP_PREFIX}{name}"
    tmp.mkdir(parents=True)
    try:
        write(tmp)
        for f in tmp.iterdir():
            _fsync(f)
        _fsync(tmp)
        tmp.rename(index_dir / name)
        previous = current_generation(index_dir)
        link = index_dir / f"{TMP_PREFIX}{CURRENT}-{secrets.token_hex(3)}"
        os.symlink(name, link)
        os.replace(link, index_dir / CURRENT)
        _fsync(index_dir)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT) or _SHORT_WRITE.search(str(exc)):
            raise IndexDiskFull(f"not enough disk space in {index_dir} to write the index (No space left on "
                                "device); free some space and retry. The previous index is still serving") from exc
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _remove(index_dir, lambda entry: entry.startswith(GEN_PREFIX) and entry not in (name, previous))
    return name


_SHORT_WRITE = re.compile(r"\d+ requested and \d+ written")  # how numpy reports a full disk


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


def _read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as fh:
        yield from (json.loads(line) for line in fh if line.strip())


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
