"""The published generation, read-only: hybrid sparse + dense search with metadata filters.

Rows are numbered across the generation's segments in manifest order; a row no live document
claims (a tombstone) scores nothing and is never returned.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from index import dense, store
from index.backend import backend_for
from index.config import IndexSettings
from index.errors import IndexNotFound
from index.filtering import wanted
from index.model import Filters
from index.ranking import DEPTH, Candidates, Encode, Ranked, checked_manifest
from index.row_ranges import RowRanges
from index.segment import Segment
from index.sparse import SparseIndex, warm_compiled
from ingest.model import Clause, DocumentMeta

_SCOPES = 1024  # distinct filters remembered per generation


class Index(Ranked):
    """A generation of the embedded backend (segments in the index directory). Load with
    `Index.open`; safe to share between threads (what is built after loading, the
    filter postings and scopes, is built under a lock or idempotently)."""

    def __init__(self, settings: IndexSettings, generation: str, manifest: store.Manifest, segments: list[Segment]):
        self.settings = settings
        self.generation = generation
        self._manifest = manifest
        self._segments = segments
        self._path = Path(settings.index_dir) / generation
        self._where, self._dimension = str(self._path), manifest.dimension
        self._size_bytes = store.generation_bytes(settings.index_dir, generation)  # now: a writer may prune later
        self._offsets = np.concatenate([[0], np.cumsum([s.rows for s in segments])]).astype(np.int64)
        first = {s.path.name: int(o) for s, o in zip(segments, self._offsets)}
        self._by_name = {s.path.name: s for s in segments}
        self.documents: dict[str, DocumentMeta] = {doc_id: self._by_name[e.segment].documents[doc_id]
                                                   for doc_id, e in manifest.documents.items()}
        self._position = {doc_id: i for i, doc_id in enumerate(self.documents)}
        entries = manifest.documents.values()
        self._starts = np.array([first[e.segment] + e.start for e in entries], dtype=np.int64)  # by position
        self._counts = np.array([e.clauses for e in entries], dtype=np.int64)
        live_rows = RowRanges.of(self._starts, self._counts)
        self._live = np.zeros(int(self._offsets[-1]), dtype=bool)
        self._live[live_rows.rows()] = True
        self._everything = None if len(live_rows) == len(self._live) else live_rows  # what no filter admits
        self._sparse = SparseIndex([s.sparse for s in segments], self._live, settings.sparse_threads)
        if self._sparse.compiled:
            warm_compiled()
        if settings.dense_languages:  # the HNSW graphs load now, not in a first query; with no dense: never
            for s in segments:
                s.dense  # noqa: B018
        self._lock = threading.Lock()
        self._filter_postings: dict[str, np.ndarray] | None = None
        self._scopes: dict[Filters, RowRanges] = {}  # rows each filter admits, worked out once

    @classmethod
    def open(cls, settings: IndexSettings) -> Ranked:
        """The current generation, from the configured backend (index.backend)."""
        return backend_for(settings).open(settings)

    @classmethod
    def open_files(cls, settings: IndexSettings) -> Index:
        """The current generation. If a writer prunes it while it is being read, read the newer one."""
        name = store.current_generation(settings.index_dir)
        while True:
            if name is None:
                raise IndexNotFound(f"no index in {settings.index_dir}: build one with `policyqa index`")
            try:
                return cls._load(settings, name)
            except (OSError, RuntimeError):  # faiss reports a vanished file as RuntimeError
                newer = store.current_generation(settings.index_dir)
                if newer == name:
                    raise
                name = newer

    @classmethod
    def _load(cls, settings: IndexSettings, name: str) -> Index:
        path = Path(settings.index_dir) / name
        manifest = checked_manifest(settings, path)
        return cls(settings, name, manifest, [Segment(Path(settings.index_dir) / s.name) for s in manifest.segments])

    def clauses(self, doc_id: str | None = None) -> list[Clause]:
        """Read from disk on each call: a server keeps no clause text in memory."""
        if doc_id is None:
            return [c for d in self.documents for c in self.clauses(d)]
        entry = self._manifest.documents.get(doc_id)
        if entry is None:
            return []
        return self._by_name[entry.segment].clauses.range(entry.start, entry.start + entry.clauses)

    def _candidates(self, query: str, expansion: str, filters: Filters | None,
                    encode: Encode | None) -> Candidates | None:
        allowed = self._allowed(filters)
        if allowed is not None and not len(allowed):
            return None
        sparse = self._sparse.query(query, expansion)
        rows, scores = sparse.top(DEPTH, allowed)  # by row, as every backend orders candidates
        if encode is None:
            return Candidates(rows, scores, np.zeros(len(rows), dtype=np.float32))
        vector = encode()
        rows = np.union1d(rows, self._nearest(vector, allowed))
        return Candidates(rows, sparse.scores(rows), self._cosines(rows, vector))

    def _allowed(self, filters: Filters | None) -> RowRanges | None:
        """Rows the filters admit and no tombstone holds; None: every row."""
        if filters is None or filters.is_empty():
            return self._everything
        rows = self._scopes.get(filters)
        if rows is None:
            postings = self._postings()
            admitted = np.ones(len(self.documents), dtype=bool)
            for holders in [postings.get(key, ()) for key in wanted(filters)] + (
                    [[self._position[d] for d in filters.doc_ids if d in self._position]] if filters.doc_ids else []):
                held = np.zeros(len(admitted), dtype=bool)
                held[np.asarray(holders, dtype=np.int64)] = True
                admitted &= held
            rows = RowRanges.of(self._starts[admitted], self._counts[admitted])
            if len(self._scopes) >= _SCOPES:
                self._scopes.clear()
            self._scopes[filters] = rows
        return rows

    def _postings(self) -> dict[str, np.ndarray]:
        """Filter key -> positions of the live documents holding it, merged from the segments'
        postings (written with them) on the first filtered search."""
        with self._lock:
            if self._filter_postings is None:
                merged: dict[str, list[int]] = {}
                entries = self._manifest.documents
                for seg in self._segments:
                    name = seg.path.name
                    for key, doc_ids in seg.filters().items():
                        merged.setdefault(key, []).extend(self._position[d] for d in doc_ids
                                                          if d in entries and entries[d].segment == name)
                self._filter_postings = {k: np.array(v, dtype=np.int64) for k, v in merged.items()}
            return self._filter_postings

    def _nearest(self, vector: np.ndarray, allowed: RowRanges | None) -> np.ndarray:
        """Rows of the DEPTH nearest vectors among `allowed`, searched segment by segment."""
        rows, scores = [], []
        for seg, start, stop in zip(self._segments, self._offsets, self._offsets[1:]):
            part = None if allowed is None else allowed.within(int(start), int(stop))
            local = None if part is None or len(part) == stop - start else part.rows() - start
            if local is not None and not local.size:
                continue
            found, cosines = dense.search(seg.dense, vector, DEPTH, local)
            rows.append(found + start)
            scores.append(cosines)
        if not rows:
            return np.zeros(0, dtype=np.int64)
        rows, scores = np.concatenate(rows), np.concatenate(scores)
        return rows[np.argsort(-scores, kind="stable")[:DEPTH]]

    def _cosines(self, rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
        out = np.empty(len(rows), dtype=np.float32)
        which = np.searchsorted(self._offsets, rows, side="right") - 1
        for i in np.unique(which):
            at = which == i
            out[at] = self._segments[i].embeddings[rows[at] - self._offsets[i]] @ vector
        return out

    def _segment_of(self, row: int) -> int:
        return int(np.searchsorted(self._offsets, row, side="right")) - 1

    def _clause(self, row: int) -> Clause:
        i = self._segment_of(row)
        return self._segments[i].clauses.get(row - int(self._offsets[i]))

