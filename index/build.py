"""Bring the index in line with files on disk, re-doing only what changed.

A file whose bytes hash as recorded keeps its clauses; a clause whose embedding input is
unchanged keeps its vector (`embedding_key`), so re-indexing an unchanged corpus embeds nothing.
A run that changes anything writes the added and changed documents as new segments (one per
`segment_rows` rows), and publishes a generation whose manifest lists them and no longer claims
the old rows of the changed and removed documents (tombstones); nothing already written is
rewritten. The build streams: files are read as their segment fills, and a full segment is
written and its documents let go before the next file is read, so its memory is one segment's,
not the corpus's. The merges the policy (index.merging) asks for then run in the background of
the write (index.merger), once its generation is published. A first generation with no
documents is refused (IndexEmpty) rather than published.

A document is its source path and its id (from the file name), never its bytes. A second file
claiming an indexed id is skipped with "duplicate_id" while the indexed source exists, and a file
with the bytes of an indexed document under another name is skipped as its "duplicate": either way
nothing changes, so the indexed file can still be edited or deleted. Only when the recorded source
is gone does a file with the same id take the record over (a moved corpus).

Files are read in `ingest.sandbox` (time and memory bounded), so a hostile file costs itself only.
An index recorded by another INGEST_VERSION is re-ingested from the recorded sources.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index import merger, segment, store
from index.merger import compact  # noqa: F401 - merging every segment now: bench.scale measures it
from index.backend import backend_for, publish_generation
from index.clause_text import dense_text
from index.config import IndexSettings
from index.embed import load_encoder, profile_for
from index.errors import IndexEmpty
from index.model import FileError, IndexChanges
from index.term_cache import TermCache, TermStore
from ingest import IngestError, doc_id_for, iter_sources
from ingest.model import Clause, Document, DocumentMeta
from ingest.ocr import OcrOptions
from ingest.sandbox import shared
from ingest.version import INGEST_VERSION

OCR_CACHE = "ocr-cache"  # inside the index directory: OCR output by file hash, kept across generations
PageProgress = Callable[[Path, int, int], None]  # (file, pages done, pages to OCR)


@dataclass(frozen=True)
class _Doc:
    """A document of the next generation: kept as indexed (its rows stay where they are, in their
    segment, so neither a no-op run nor a change to other documents reads them), or new or changed
    (`read`: its file is read when its turn to be written comes, see `_write`)."""

    source: str
    content_hash: str
    stamp: tuple[int, int] | None  # (size, mtime_ns) of `source` when it was hashed or ingested
    prior: store.DocumentEntry | None = None  # its record in the current generation, if any
    read: bool = False

    @classmethod
    def kept(cls, entry: store.DocumentEntry, source: str | None = None,
             stamp: tuple[int, int] | None = None) -> _Doc:
        return cls(source or entry.source, entry.content_hash, stamp or entry.stamp, entry)


@dataclass(frozen=True)
class _Parsed:
    """A document's content on its way into a segment: read from its file, or read back from its
    old segment (when the model changed, every vector is redone). Held only until its segment is
    written."""

    doc_id: str
    source: str
    content_hash: str
    stamp: tuple[int, int] | None
    meta: DocumentMeta
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class _Written:
    """What `_write` left on disk (segments no generation lists yet) and what it could not read."""

    segments: tuple[store.SegmentEntry, ...]
    entries: dict[str, store.DocumentEntry]  # of the documents written
    embedded: int
    dimension: int | None
    failed: dict[str, FileError]  # doc id -> why its file could not be read


@dataclass(frozen=True)
class _Request:
    roots: tuple[Path, ...] | None  # mirror these paths; None: re-check every recorded source
    drop: frozenset[str] = frozenset()  # doc ids to remove


def sync(settings: IndexSettings, paths, *, progress: bool = False, on_page: PageProgress | None = None) -> IndexChanges:
    """Make the index mirror `paths`; documents recorded from elsewhere are kept. `on_page` hears
    of every page OCR reads (scans are slow: the app and CLI show it)."""
    roots = tuple(Path(p).expanduser().resolve() for p in paths)
    return _update(settings, _Request(roots), progress, on_page)


def resync(settings: IndexSettings, progress: bool = False, on_page: PageProgress | None = None) -> IndexChanges:
    """Re-check every recorded source: re-ingest the changed, drop the vanished."""
    return _update(settings, _Request(None), progress, on_page)


def ocr_options(settings: IndexSettings, path: Path | None = None, on_page: PageProgress | None = None) -> OcrOptions:
    """How ingest OCRs `path` under these settings: cache in the index directory, the limits."""
    progress = (lambda done, total: on_page(path, done, total)) if on_page and path else None
    return OcrOptions(cache_dir=Path(settings.index_dir) / OCR_CACHE, max_pages=settings.ocr_max_pages,
                      max_seconds=settings.ocr_max_seconds, progress=progress)


def reader(settings: IndexSettings, on_page: PageProgress | None = None) -> Callable[[Path], Document]:
    """How files are read under these settings: through the bounded worker (ingest.sandbox, which
    says where each type is read), OCR'd with `ocr_options`."""
    sandbox = shared(settings.limits)
    return lambda path: sandbox.ingest(path, ocr_options(settings, path, on_page))


def remove(settings: IndexSettings, doc_ids) -> IndexChanges:
    return _update(settings, _Request((), frozenset(doc_ids)), False)


def embedding_key(model: str, text: str) -> str:
    """Identifies an embedding by everything it depends on: model, input convention and text."""
    return hashlib.sha256(f"{model}\0{profile_for(model)}\0{text}".encode()).hexdigest()[:32]


def _update(settings: IndexSettings, request: _Request, progress: bool, on_page: PageProgress | None = None) -> IndexChanges:
    index_dir = Path(settings.index_dir)
    with store.writer_lock(index_dir, settings.lock_timeout):
        started = time.perf_counter()
        backend_for(settings).publish(settings, store.current_generation(index_dir))  # if a crash cut it short
        path = store.generation_path(index_dir)
        manifest = None if path is None else store.read_manifest(path)
        # written by another format (an upgrade): its documents are re-read from their sources into fresh segments
        older = manifest is not None and manifest.format_version != store.FORMAT_VERSION
        stale = manifest is not None and (older or manifest.ingest_version != INGEST_VERSION)
        docs, changes = _reconcile({} if manifest is None else manifest.documents, request, stale)
        if manifest is None and not docs:
            raise IndexEmpty(request.roots or (), changes.errors)
        if manifest is not None and not changes.changed and not stale and _same(manifest, docs, settings):
            return changes
        previous = None if older else manifest
        written = _write(settings, docs, previous, reader(settings, on_page), progress)
        docs, changes = _settle(docs, changes, written.failed)
        if older:  # an old format's records cannot be read back: a document not re-read from its source goes
            unread = {d: doc for d, doc in docs.items() if not doc.read}
            docs = {d: doc for d, doc in docs.items() if d not in unread}
            changes = replace(changes, removed=changes.removed + tuple(unread), errors=changes.errors + tuple(
                FileError(doc.source, "missing", f"document {d!r} could not be re-read after the index format "
                                                 "changed; add its file again") for d, doc in unread.items()))
        if manifest is None and not docs:  # every file failed to read: nothing was written
            raise IndexEmpty(request.roots or (), changes.errors)
        if manifest is not None and not changes.changed and not stale and _same(manifest, docs, settings):
            return changes  # every changed file failed to read: the previous versions stay as they are
        entries = {doc_id: replace(d.prior, source=d.source, stamp=d.stamp)
                   for doc_id, d in docs.items() if doc_id not in written.entries}
        segments = (() if previous is None else previous.segments) + written.segments
        publish_generation(settings, _manifest(settings, {**entries, **written.entries}, segments,
                                               written.dimension, started))
    merger.start(settings)  # after the write is published and the lock let go: writes go on meanwhile
    return replace(changes, embedded=written.embedded)


def _write(settings: IndexSettings, docs: dict[str, _Doc], previous: store.Manifest | None,
           read: Callable[[Path], Document], progress: bool) -> _Written:
    """Write the new and changed documents of `docs` (all of them if the model changed) as
    segments of at most `segment_rows` rows, reading each file when its turn comes, so the build
    holds one segment's documents at a time whatever the corpus (`_parts`). The segments are
    listed by no generation until the caller publishes one: a failure or a kill here leaves the
    previous generation serving, and the next writer deletes them."""
    index_dir = Path(settings.index_dir)
    old = {} if previous is None else {s.name: segment.Segment(index_dir / s.name) for s in previous.segments}
    redo = previous is not None and previous.model != settings.model  # every vector is redone
    todo = [(doc_id, d) for doc_id, d in sorted(docs.items()) if d.read or redo]
    failed: dict[str, FileError] = {}
    contents = _contents(todo, previous, old, read, failed, progress)
    stores = [s.terms() for s in old.values()]
    segments, entries, embedded, dimension = [], {}, 0, None if previous is None else previous.dimension
    for part in _parts(contents, settings.segment_rows):
        batch, count = _batch(settings, part, previous, old, progress)
        written = segment.write(index_dir, batch, TermCache(tuple(stores)), backend_for(settings).ann_threshold(settings))
        segments.append(written)
        stores.append(TermStore(index_dir / written.name))  # later parts reuse its terms
        entries.update(_entries(written.name, batch, part))
        embedded, dimension = embedded + count, batch.embeddings.shape[1]
        del batch  # with `part`, emptied by _parts before it reads on: the next segment's documents replace these
    return _Written(tuple(segments), entries, embedded, dimension, failed)


def _contents(todo: list[tuple[str, _Doc]], previous: store.Manifest | None, old: dict[str, segment.Segment],
              read: Callable[[Path], Document], failed: dict[str, FileError], progress: bool) -> Iterator[_Parsed]:
    """The content of each document of `todo`, in that order, read as it is asked for: from its
    file if it is new or changed (a file that cannot be read goes into `failed`, naming it), else
    from its old segment."""
    for doc_id, d in tqdm(todo, desc="indexing", unit="document", disable=not progress):
        if not d.read:  # its clauses only: its old vectors are of another model (and an HNSW graph is not loaded)
            e = previous.documents[doc_id]
            yield _Parsed(doc_id, d.source, d.content_hash, d.stamp, old[e.segment].documents[doc_id],
                          tuple(old[e.segment].clauses.range(e.start, e.start + e.clauses)))
            continue
        try:
            document = read(Path(d.source))
        except IngestError as exc:
            kept = "; previous version kept" if d.prior else ""
            failed[doc_id] = FileError(exc.path, exc.code, exc.reason + kept)
            continue
        yield _Parsed(doc_id, d.source, document.meta.content_hash, d.stamp, document.meta, document.clauses)


def _parts(contents: Iterable[_Parsed], rows: int) -> Iterator[list[_Parsed]]:
    """`contents` cut into runs of at most `rows` clauses (a document is never cut; one longer than
    `rows` is a run of its own), one segment each, as they arrive: a run is yielded once the next
    document does not fit, and emptied before another document is read, so the build holds one
    segment's documents (and the one that did not fit) at a time, not the corpus."""
    part: list[_Parsed] = []
    size = 0
    for doc in contents:
        if part and size + len(doc.clauses) > rows:
            yield part
            part.clear()
            size = 0
        part.append(doc)
        size += len(doc.clauses)
    if part:
        yield part


def _settle(docs: dict[str, _Doc], changes: IndexChanges, failed: dict[str, FileError]) -> tuple[dict[str, _Doc], IndexChanges]:
    """`docs` and `changes` once the files that failed to read are known: such a file is reported
    and its previous version, if any, kept."""
    if not failed:
        return docs, changes
    docs = {doc_id: d if doc_id not in failed else _Doc.kept(d.prior) for doc_id, d in docs.items()
            if doc_id not in failed or d.prior is not None}
    return docs, replace(changes, added=tuple(d for d in changes.added if d not in failed),
                         updated=tuple(d for d in changes.updated if d not in failed),
                         errors=changes.errors + tuple(failed.values()))


def _batch(settings: IndexSettings, part: list[_Parsed], previous: store.Manifest | None,
           old: dict[str, segment.Segment], progress: bool) -> tuple[segment.Batch, int]:
    """The segment of `part`'s documents; vectors are reused from their previous versions' rows."""
    documents = {d.doc_id: d.meta for d in part}
    clauses = [c for d in part for c in sorted(d.clauses, key=lambda c: c.order)]
    known: dict[str, np.ndarray] = {}
    if previous is not None and previous.model == settings.model:
        for doc_id in documents.keys() & previous.documents.keys():
            e = previous.documents[doc_id]
            seg = old[e.segment]
            known.update(zip(seg.keys[e.start:e.start + e.clauses].tolist(), seg.embeddings[e.start:e.start + e.clauses]))
    embeddings, keys, embedded = _embeddings(settings, [dense_text(c) for c in clauses], known, progress)
    return segment.Batch(documents, clauses, embeddings, keys), embedded


def _entries(name: str, batch: segment.Batch, part: list[_Parsed]) -> dict[str, store.DocumentEntry]:
    counts = {doc_id: 0 for doc_id in batch.documents}
    for c in batch.clauses:
        counts[c.doc_id] += 1
    starts = batch.starts()
    return {d.doc_id: store.DocumentEntry(d.source, d.content_hash, counts[d.doc_id], d.stamp, name, starts[d.doc_id])
            for d in part}


def _reconcile(old: dict[str, store.DocumentEntry], request: _Request,
               stale: bool) -> tuple[dict[str, _Doc], IndexChanges]:
    """The documents the new generation holds, and how they differ from `old`, before any file is
    read: a new or changed file is marked to be read when its segment is written (`_write`), whose
    failures `_settle` then reports. `stale`: `old` was made by another ingest version, so every
    document is re-read from its source.

    A file whose size and modification time are as recorded is taken as unchanged without reading
    it (as make and git do); otherwise its bytes are hashed and compared."""
    added, updated, unchanged, errors = [], [], [], []
    if request.roots is None:
        files = [Path(e.source) for e in old.values() if Path(e.source).is_file()]
    else:  # a vanished path is reported, and what was indexed under it is removed below
        errors += [FileError(str(r), "missing", "no such file or directory")
                   for r in request.roots if not r.exists()]
        files = [p.resolve() for p in iter_sources(request.roots) if p.exists()]
        if stale:
            files += [Path(e.source) for e in old.values()
                      if not _in_scope(Path(e.source), request.roots) and Path(e.source).is_file()]
    docs: dict[str, _Doc] = {}
    holders = {e.content_hash: (i, e) for i, e in old.items() if Path(e.source).is_file()}  # by bytes
    for path in files:
        doc_id = doc_id_for(path)
        prior, stamp = old.get(doc_id), _stamp(path)
        if prior is not None and not stale and (prior.source, prior.stamp) == (str(path), stamp):
            docs[doc_id] = _Doc.kept(prior, str(path), stamp)  # as recorded: not even read
            unchanged.append(doc_id)
            continue
        digest = _sha256(path)
        holder = (doc_id, docs[doc_id]) if doc_id in docs else None  # an earlier file of this run
        if holder is None and (prior is None or prior.source != str(path)):  # else: the file itself
            if prior is not None and Path(prior.source).exists():
                holder = (doc_id, prior)
            elif (same := holders.get(digest)) is not None and same[1].source != str(path):
                holder = same
        if holder is not None:
            errors.append(_duplicate(path, *holder, digest))
            continue
        if prior is not None and prior.content_hash == digest and not stale:  # the same file, maybe moved
            docs[doc_id] = _Doc.kept(prior, str(path), stamp)
            unchanged.append(doc_id)
            continue
        docs[doc_id] = _Doc(str(path), digest, stamp, prior, read=True)
        holders.setdefault(digest, (doc_id, docs[doc_id]))
        (updated if prior else added).append(doc_id)
    removed = []
    for doc_id, prior in old.items():
        if doc_id in docs:
            continue
        if doc_id in request.drop or _in_scope(Path(prior.source), request.roots):
            removed.append(doc_id)
        else:
            docs[doc_id] = _Doc.kept(prior)
    errors += [FileError(d, "not_indexed", "not in the index") for d in sorted(request.drop - old.keys())]
    changes = IndexChanges(tuple(added), tuple(updated), tuple(removed), tuple(unchanged), tuple(errors))
    return docs, changes


def _duplicate(path: Path, holder_id: str, holder: _Doc | store.DocumentEntry, digest: str) -> FileError:
    """Nothing changes: the indexed document keeps its source, whatever the new file holds."""
    if holder.content_hash == digest:
        return FileError(str(path), "duplicate", f"same content as document {holder_id!r} already "
                                                 f"indexed from {holder.source}; nothing changed")
    return FileError(str(path), "duplicate_id", f"document id {doc_id_for(path)!r} is already taken by "
                                                f"{holder.source}; rename one of the files")


def _in_scope(source: Path, roots: tuple[Path, ...] | None) -> bool:
    return roots is None or any(source == r or source.is_relative_to(r) for r in roots)


def _same(manifest: store.Manifest, docs: dict[str, _Doc], settings: IndexSettings) -> bool:
    """Whether the generation already holds `docs` as `settings` would build it (so switching the
    model or the backend publishes anew: that is how an index migrates, reusing every embedding)."""
    recorded = {k: (e.source, e.content_hash) for k, e in manifest.documents.items()}
    return (manifest.model == settings.model and manifest.backend == settings.backend
            and recorded == {k: (d.source, d.content_hash) for k, d in docs.items()})


def _embeddings(settings: IndexSettings, texts: list[str], known: dict[str, np.ndarray],
                progress: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """Vectors and keys for `texts`, reusing `known` ones (by key); returns how many were new."""
    keys = np.array([embedding_key(settings.model, t) for t in texts], dtype=str)
    todo = {k: t for k, t in zip(keys.tolist(), texts) if k not in known}
    if todo or not known:
        encoder = load_encoder(settings.model)
        fresh = dict(zip(todo, encoder.passages(list(todo.values()), settings.batch_size, progress)))
        dimension = encoder.dimension
    else:
        fresh, dimension = {}, len(next(iter(known.values())))
    embeddings = np.zeros((len(keys), dimension), dtype=np.float32)
    for row, key in enumerate(keys.tolist()):
        embeddings[row] = fresh[key] if key in fresh else known[key]
    return embeddings, keys, len(todo)


def _manifest(settings: IndexSettings, entries: dict[str, store.DocumentEntry], segments: tuple[store.SegmentEntry, ...],
              dimension: int, started: float) -> store.Manifest:
    """Segments no live document claims a row of are dropped."""
    claimed = {e.segment for e in entries.values()}
    return store.Manifest(
        format_version=store.FORMAT_VERSION,
        model=settings.model,
        dimension=dimension,
        clauses=sum(e.clauses for e in entries.values()),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - started, 3),
        segments=tuple(s for s in segments if s.name in claimed),
        documents=dict(sorted(entries.items())),
        ingest_version=INGEST_VERSION,
        backend=settings.backend,
    )


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
