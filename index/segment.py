"""One immutable segment: a batch of documents with their clauses, vectors and postings.

    seg-*/segment.json                          rows, dense index kind
    seg-*/documents.jsonl                       the documents' metadata, in row order
    seg-*/clauses.jsonl, clause_offsets.npy     clauses by row, read on demand through the offsets
    seg-*/embeddings.npy | dense.faiss          the vectors, or past `ann_threshold` rows an HNSW graph
                                                holding them (see dense)
    seg-*/embedding_keys.npy                    what each vector was computed from
    seg-*/sparse-<view>.<array>.npy, prior.npy  BM25 postings and kind priors (see sparse, bm25)
    seg-*/terms.*                               each text's terms, for later segments (term_cache)
    seg-*/filters.json                          filter key -> its documents (see filtering)

A document's clauses are consecutive rows. Written once (store.write_segment), never changed:
a changed document is written to a new segment and its old rows become tombstones.
"""

from __future__ import annotations

import json
import mmap
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from index import dense, store
from index.filtering import keys as filter_keys
from index.sparse import SegmentPostings
from index.term_cache import TermCache, TermStore
from ingest.model import Clause, DocumentMeta

SEGMENT = "segment.json"
DOCUMENTS = "documents.jsonl"
CLAUSES = "clauses.jsonl"
CLAUSE_OFFSETS = "clause_offsets.npy"
EMBEDDINGS = "embeddings.npy"
KEYS = "embedding_keys.npy"
DENSE = "dense.faiss"
FILTERS = "filters.json"


@dataclass(frozen=True)
class Batch:
    """What a segment is made of; rows of clauses, embeddings and keys align."""

    documents: dict[str, DocumentMeta]  # in row order
    clauses: list[Clause]  # grouped by document, in that order
    embeddings: np.ndarray  # (rows, dimension) float32, L2-normalised
    keys: np.ndarray  # (rows,) str: what each embedding was computed from (build.embedding_key)

    def starts(self) -> dict[str, int]:
        """Each document's first row."""
        starts, row = {}, 0
        counts = {doc_id: 0 for doc_id in self.documents}
        for c in self.clauses:
            counts[c.doc_id] += 1
        for doc_id, n in counts.items():
            starts[doc_id], row = row, row + n
        return starts


def write(index_dir: Path, batch: Batch, terms: TermCache, ann_threshold: int) -> store.SegmentEntry:
    """Write `batch` as a new segment, its terms from `terms` (which segments only unseen text)."""
    sparse = SegmentPostings.build(batch.documents, batch.clauses, terms)
    vectors = dense.build(batch.embeddings, ann_threshold)
    filters: dict[str, list[str]] = {}
    for doc_id, meta in batch.documents.items():
        for key in sorted(filter_keys(meta)):
            filters.setdefault(key, []).append(doc_id)
    rows = len(batch.clauses)

    def fill(path: Path) -> None:
        (path / SEGMENT).write_text(json.dumps({"rows": rows, "dense": dense.kind(vectors)}), encoding="utf-8")
        store.write_jsonl(path / DOCUMENTS, (m.to_dict() for m in batch.documents.values()))
        offsets = [0]
        with (path / CLAUSES).open("wb") as fh:
            for c in batch.clauses:
                offsets.append(offsets[-1] + fh.write((json.dumps(c.to_dict(), ensure_ascii=False) + "\n").encode()))
        np.save(path / CLAUSE_OFFSETS, np.array(offsets, dtype=np.int64))
        np.save(path / KEYS, batch.keys)
        (path / FILTERS).write_text(json.dumps(filters, ensure_ascii=False), encoding="utf-8")
        terms.save(path)
        sparse.save(path)
        dense.save(vectors, path / DENSE, path / EMBEDDINGS)

    return store.SegmentEntry(store.write_segment(index_dir, fill), rows, dense.kind(vectors))


class ClauseStore:
    """A segment's clauses by row, read from `clauses.jsonl` on demand through a byte-offset
    table, so a reader holds no clause in memory that no query has asked for."""

    def __init__(self, path: Path):
        self._offsets = np.asarray(np.load(path / CLAUSE_OFFSETS, mmap_mode="r", allow_pickle=False))
        with (path / CLAUSES).open("rb") as fh:
            self._text = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if self._offsets[-1] else b""

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def get(self, row: int) -> Clause:
        return Clause.from_dict(json.loads(self._text[self._offsets[row]:self._offsets[row + 1]]))

    def range(self, start: int, stop: int) -> list[Clause]:
        return [Clause.from_dict(json.loads(line)) for line in
                self._text[self._offsets[start]:self._offsets[stop]].splitlines()]


class Segment:
    """A segment opened for reading: arrays memory-mapped, clauses read on demand, the HNSW graph
    (if any) and the filter postings loaded on first use."""

    def __init__(self, path: Path):
        self.path = path
        self.documents = {d["doc_id"]: DocumentMeta.from_dict(d) for d in store.read_jsonl(path / DOCUMENTS)}
        self.clauses = ClauseStore(path)
        self.rows = len(self.clauses)
        self.keys = np.asarray(np.load(path / KEYS, mmap_mode="r", allow_pickle=False))
        self.sparse = SegmentPostings.load(path)

    @cached_property
    def dense(self) -> dense.DenseIndex:
        return dense.load(self.path / DENSE, self.path / EMBEDDINGS)

    @property
    def embeddings(self) -> np.ndarray:
        """(rows, dimension) float32; valid while this segment is."""
        return self.dense.vectors

    def filters(self) -> dict[str, list[str]]:
        return json.loads((self.path / FILTERS).read_text(encoding="utf-8"))

    def terms(self) -> TermStore:
        return TermStore(self.path)

    def batch(self, entries: dict[str, store.DocumentEntry]) -> Batch:
        """The documents of `entries` (all held here) read back, in the order given."""
        rows = np.concatenate([np.arange(e.start, e.start + e.clauses) for e in entries.values()] or
                              [np.zeros(0, np.int64)]).astype(np.int64)
        return Batch({doc_id: self.documents[doc_id] for doc_id in entries},
                     [c for e in entries.values() for c in self.clauses.range(e.start, e.start + e.clauses)],
                     np.asarray(self.embeddings[rows]), np.asarray(self.keys[rows]))


def concat(batches: list[Batch]) -> Batch:
    return Batch({k: v for b in batches for k, v in b.documents.items()}, [c for b in batches for c in b.clauses],
                 np.concatenate([b.embeddings for b in batches]), np.concatenate([b.keys for b in batches]))
