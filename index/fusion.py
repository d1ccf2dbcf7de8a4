"""Combine sparse and dense scores of the same candidate clauses into one ranking score."""

from __future__ import annotations

import numpy as np


def fuse(sparse: np.ndarray, cosine: np.ndarray, dense_weight: float) -> np.ndarray:
    """(1 - w) * BM25 / best BM25 + w * cosine.

    Chosen over min-max normalisation and weighted RRF (README): with a weak dense model, rank
    fusion lets a poor dense ranking overturn clear lexical matches, and min-max stretches the
    cosines' narrow band so that it does too. Keeping the cosine as is keeps its evidence in proportion.
    """
    best = float(sparse.max(initial=0.0))
    lexical = sparse / best if best > 0 else np.zeros_like(sparse)
    return (1.0 - dense_weight) * lexical + dense_weight * cosine
