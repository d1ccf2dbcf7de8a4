"""Okapi BM25 with every (term, clause) score computed at build time, as in bm25s.

The index is a term-major sparse matrix in three plain arrays (CSC: `indptr`, `indices`, `data`)
plus the sorted vocabulary, so scoring a query is a binary search per term, a slice and a bincount.
Each array is its own .npy file, opened memory-mapped: a server's memory holds the pages its
queries touch, not the whole index, and opening costs nothing however large the corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

K1 = 1.2
B = 0.75
_ARRAYS = ("terms", "indptr", "indices", "data")


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
        ids = np.fromiter((vocab.setdefault(t, len(vocab)) for d in docs for t in d), dtype=np.int64)
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        order = np.argsort(np.array(list(vocab), dtype=str), kind="stable")  # first-seen id -> sorted rank
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        pairs, tf = np.unique(rank[ids] * max(len(docs), 1) + rows, return_counts=True)  # term-major (term, row)
        term_ids, doc_ids = pairs // max(len(docs), 1), (pairs % max(len(docs), 1)).astype(np.int32)
        avg = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
        df = np.bincount(term_ids, minlength=len(vocab))
        idf = np.log1p((len(docs) - df + 0.5) / (df + 0.5)).astype(np.float32)
        tf = tf.astype(np.float32)
        norm = k1 * (1 - b + b * lengths[doc_ids] / avg)
        scores = idf[term_ids] * tf * (k1 + 1) / (tf + norm)
        indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        terms = np.array(list(vocab), dtype=str)[order] if vocab else np.zeros(0, dtype="<U1")
        return cls(terms, indptr, doc_ids, scores.astype(np.float32), len(docs))

    @classmethod
    def combine(cls, parts: Sequence[tuple[BM25, float]], row_weights: np.ndarray) -> BM25:
        """One matrix scoring as sum(weight * part.scores(...)) * row_weights, in one pass.

        Exact because a query term's weight does not depend on the part: each part's matrix is
        scaled and the matrices are added."""
        terms = np.unique(np.concatenate([p.terms for p, _ in parts])) if parts else np.zeros(0, dtype="<U1")
        n = len(row_weights)
        keys, values = [], []
        for part, weight in parts:
            counts = np.diff(part.indptr)
            term_ids = np.repeat(np.searchsorted(terms, part.terms), counts)
            keys.append(term_ids * max(n, 1) + part.indices)
            values.append(part.data * np.float32(weight))
        keys_all, values_all = np.concatenate(keys), np.concatenate(values)
        pairs, inverse = np.unique(keys_all, return_inverse=True)
        data = np.bincount(inverse, weights=values_all, minlength=len(pairs))
        term_ids, rows = pairs // max(n, 1), (pairs % max(n, 1)).astype(np.int32)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(term_ids, minlength=len(terms)))]).astype(np.int64)
        return cls(terms, indptr, rows, (data * row_weights[rows]).astype(np.float32), n)

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

    def __contains__(self, term: str) -> bool:
        return self._term_id(term) is not None

    def _term_id(self, term: str) -> int | None:
        i = int(np.searchsorted(self.terms, term))
        return i if i < len(self.terms) and self.terms[i] == term else None

    def save(self, prefix: Path) -> None:
        """`<prefix>.<array>.npy` for each array; the row count is the caller's (the manifest's)."""
        for name in _ARRAYS:
            np.save(f"{prefix}.{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, prefix: Path, n_docs: int) -> BM25:
        return cls(*(np.load(f"{prefix}.{name}.npy", mmap_mode="r", allow_pickle=False) for name in _ARRAYS),
                   n_docs)
