"""Okapi BM25 with every (term, clause) score computed at build time, as in bm25s.

The index is a term-major sparse matrix in three plain arrays (CSC: `indptr`, `indices`, `data`)
plus the vocabulary, so it saves to one .npz and scoring a query is a slice-and-bincount.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class BM25:
    terms: np.ndarray  # (V,) str, sorted
    indptr: np.ndarray  # (V+1,) int64: scores of term t are data[indptr[t]:indptr[t+1]]
    indices: np.ndarray  # (nnz,) int32 clause rows
    data: np.ndarray  # (nnz,) float32 BM25 contribution of the term to the clause
    n_docs: int
    vocab: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "vocab", {t: i for i, t in enumerate(self.terms.tolist())})

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> BM25:
        counts = [Counter(d) for d in docs]
        terms = np.array(sorted({t for c in counts for t in c}), dtype=str)
        vocab = {t: i for i, t in enumerate(terms.tolist())}
        term_ids = np.fromiter((vocab[t] for c in counts for t in c), dtype=np.int64)
        doc_ids = np.repeat(np.arange(len(counts), dtype=np.int32), [len(c) for c in counts])
        tf = np.fromiter((n for c in counts for n in c.values()), dtype=np.float32)
        lengths = np.array([len(d) for d in docs], dtype=np.float32)
        avg = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
        df = np.bincount(term_ids, minlength=len(terms))
        idf = np.log1p((len(docs) - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = k1 * (1 - b + b * lengths[doc_ids] / avg)
        scores = idf[term_ids] * tf * (k1 + 1) / (tf + norm)
        order = np.lexsort((doc_ids, term_ids))
        indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        return cls(terms, indptr, doc_ids[order], scores[order].astype(np.float32), len(docs))

    def scores(self, terms: Sequence[str], weights: Sequence[float] | None = None) -> np.ndarray:
        """Sum of BM25 contributions per clause; each distinct term counts once (max weight)."""
        best: dict[int, float] = {}
        for i, t in enumerate(terms):
            tid = self.vocab.get(t)
            if tid is not None:
                best[tid] = max(best.get(tid, 0.0), 1.0 if weights is None else weights[i])
        if not best:
            return np.zeros(self.n_docs, dtype=np.float32)
        spans = [(self.indptr[t], self.indptr[t + 1], w) for t, w in best.items()]
        rows = np.concatenate([self.indices[a:z] for a, z, _ in spans])
        vals = np.concatenate([self.data[a:z] * w for a, z, w in spans])
        return np.bincount(rows, weights=vals, minlength=self.n_docs).astype(np.float32)

    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            np.savez(fh, terms=self.terms, indptr=self.indptr, indices=self.indices, data=self.data,
                     n_docs=np.int64(self.n_docs))

    @classmethod
    def load(cls, path: Path) -> BM25:
        with np.load(path, allow_pickle=False) as z:
            return cls(z["terms"], z["indptr"], z["indices"], z["data"], int(z["n_docs"]))
