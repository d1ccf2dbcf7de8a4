"""Okapi BM25: the formula, a segment's postings scored at query time, and a one-shot matrix.

`Postings` is what the index stores per segment and view: one sorted vocabulary and, per field,
term-major (row, term frequency) pairs in plain arrays (CSC: `indptr`, `rows`, `tf`) plus each
row's field lengths. Scores are not stored, because the idf and the average length are corpus-wide
and change with every segment written or row deleted: a query sums document frequencies and
lengths over the live rows of every segment and applies `weight` (as Lucene does), so scores are
those of one index over the same clauses. Each array is its own .npy, opened memory-mapped.

`BM25` precomputes every score of one fixed collection (as bm25s does): the qa bench's baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

K1 = 1.2
B = 0.75
_ARRAYS = ("terms", "indptr", "rows", "tf", "lengths")


def idf(df, n: int):
    return np.log1p((n - df + 0.5) / (df + 0.5))


def weight_constants(idf_, average, k1: float = K1, b: float = B) -> tuple[np.ndarray, np.float32, np.ndarray]:
    """`weight`'s float32 factors: idf·(k1 + 1), k1·(1 − b) and k1·b / average (index.accumulate
    applies them to each posting as `weight` does); `idf_` and `average` scalars or arrays."""
    scale = (np.asarray(idf_, dtype=np.float32) * np.float32(k1 + 1)).astype(np.float32)
    return scale, np.float32(k1 * (1 - b)), np.asarray(k1 * b / np.asarray(average, dtype=np.float64)).astype(np.float32)


def weight(idf_, tf: np.ndarray, lengths: np.ndarray, average: float, k1: float = K1, b: float = B) -> np.ndarray:
    """BM25 contribution of one term to each row holding it `tf` times (float32 `tf` and `lengths`),
    in float32: a query computes it for every posting of its terms."""
    scale, base, slope = weight_constants(idf_, average, k1, b)
    return scale * tf / (tf + (base + slope * lengths))


def _term_major(docs: Sequence[Sequence[str]], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first-seen term id, row, tf) of each distinct (term, row), ordered by id then row; `vocab` grows."""
    ids = np.fromiter((vocab.setdefault(t, len(vocab)) for d in docs for t in d), dtype=np.int64)
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    n = max(len(docs), 1)
    pairs, tf = np.unique(ids * n + rows, return_counts=True)
    return pairs // n, (pairs % n).astype(np.int32), tf


def _sorted_vocabulary(vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The terms sorted, and each first-seen id's rank among them."""
    terms = np.array(list(vocab), dtype=str) if vocab else np.zeros(0, dtype="<U1")
    order = np.argsort(terms, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return terms[order], rank


@dataclass(frozen=True)
class Postings:
    terms: np.ndarray  # (V,) str, sorted
    indptr: np.ndarray  # (fields, V+1) int64: field f's pairs of term t are [indptr[f, t], indptr[f, t+1])
    rows: np.ndarray  # (nnz,) int32 rows, ascending within a term and field
    tf: np.ndarray  # (nnz,) float32 term frequencies
    lengths: np.ndarray  # (fields, rows) float32 terms per row and field (whole numbers)

    @classmethod
    def build(cls, fields: Sequence[Sequence[Sequence[str]]]) -> Postings:
        """`fields[f][row]`: the terms of field f of each row."""
        n = len(fields[0]) if fields else 0
        vocab: dict[str, int] = {}
        parts = [_term_major(docs, vocab) for docs in fields]
        terms, rank = _sorted_vocabulary(vocab)
        indptr = np.zeros((len(fields), len(terms) + 1), dtype=np.int64)
        rows, tfs, start = [], [], 0
        for f, (ids, r, tf) in enumerate(parts):
            order = np.lexsort((r, rank[ids]))
            counts = np.bincount(rank[ids], minlength=len(terms))
            indptr[f] = start + np.concatenate([[0], np.cumsum(counts)])
            rows.append(r[order])
            tfs.append(tf[order].astype(np.float32))
            start += len(ids)
        lengths = np.array([[len(d) for d in docs] for docs in fields], dtype=np.float32).reshape(len(fields), n)
        return cls(terms, indptr, np.concatenate(rows or [np.zeros(0, np.int32)]).astype(np.int32),
                   np.concatenate(tfs or [np.zeros(0, np.float32)]), lengths)

    def find(self, terms: np.ndarray) -> np.ndarray:
        """Each term's id here, -1 where absent."""
        if not len(self.terms):
            return np.full(len(terms), -1, dtype=np.int64)
        ids = np.searchsorted(self.terms, terms)
        found = (ids < len(self.terms)) & (self.terms[np.minimum(ids, len(self.terms) - 1)] == terms)
        return np.where(found, ids, -1)

    def save(self, prefix: Path) -> None:
        """`<prefix>.<array>.npy` for each array."""
        for name in _ARRAYS:
            np.save(f"{prefix}.{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, prefix: Path) -> Postings:
        return cls(*(np.asarray(np.load(f"{prefix}.{name}.npy", mmap_mode="r", allow_pickle=False))  # no memmap
                     for name in _ARRAYS))  # subclass: its per-slice overhead is most of a query's


@dataclass(frozen=True)
class BM25:
    terms: np.ndarray  # (V,) str, sorted
    indptr: np.ndarray  # (V+1,) int64: scores of term t are data[indptr[t]:indptr[t+1]]
    indices: np.ndarray  # (nnz,) int32 clause rows, ascending within a term
    data: np.ndarray  # (nnz,) float32 BM25 contribution of the term to the clause
    n_docs: int

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> BM25:
        vocab: dict[str, int] = {}
        ids, rows, tf = _term_major(docs, vocab)
        terms, rank = _sorted_vocabulary(vocab)
        order = np.lexsort((rows, rank[ids]))
        term_ids, rows, tf = rank[ids][order], rows[order], tf[order].astype(np.float32)
        lengths = np.fromiter(map(len, docs), dtype=np.float32, count=len(docs))
        avg = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
        df = np.bincount(term_ids, minlength=len(terms))
        scores = weight(idf(df, len(docs)).astype(np.float32)[term_ids], tf, lengths[rows], avg, k1, b)
        indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        return cls(terms, indptr, rows, scores.astype(np.float32), len(docs))

    def scores(self, terms: Sequence[str], weights: Sequence[float] | None = None) -> np.ndarray:
        """Sum of BM25 contributions per clause; each distinct term counts once (max weight)."""
        best: dict[int, float] = {}
        for i, t in enumerate(terms):
            tid = self._term_id(t)
            if tid is not None:
                best[tid] = max(best.get(tid, 0.0), 1.0 if weights is None else weights[i])
        if not best:
            return np.zeros(self.n_docs, dtype=np.float32)
        spans = [(self.indptr[t], self.indptr[t + 1], w) for t, w in best.items()]
        rows = np.concatenate([self.indices[a:z] for a, z, _ in spans])
        vals = np.concatenate([self.data[a:z] * w for a, z, w in spans])
        return np.bincount(rows, weights=vals, minlength=self.n_docs).astype(np.float32)

    def _term_id(self, term: str) -> int | None:
        i = int(np.searchsorted(self.terms, term))
        return i if i < len(self.terms) and self.terms[i] == term else None
