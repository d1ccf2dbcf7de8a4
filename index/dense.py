"""Dense retrieval with faiss over L2-normalised embeddings (inner product = cosine).

Exact search (IndexFlatIP) up to `ann_threshold` vectors; beyond that HNSW, whose search time
grows roughly logarithmically instead of linearly. Thresholds and HNSW parameters: README.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

EXACT = "flat-ip"
HNSW = "hnsw"
HNSW_M = 32  # graph degree
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128  # raised to k when k is larger


def build(vectors: np.ndarray, ann_threshold: int) -> faiss.Index:
    dim = vectors.shape[1]
    if len(vectors) > ann_threshold:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        index = faiss.IndexFlatIP(dim)
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def kind(index: faiss.Index) -> str:
    return HNSW if isinstance(index, faiss.IndexHNSW) else EXACT


def search(index: faiss.Index, query: np.ndarray, k: int,
           allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows and cosine scores of the k nearest vectors, restricted to `allowed` rows if given."""
    k = min(k, index.ntotal)
    if k <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    selector = None if allowed is None else faiss.IDSelectorBatch(allowed.astype(np.int64))
    if kind(index) == HNSW:
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, k))
    else:
        params = faiss.SearchParameters(sel=selector)
    scores, rows = index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
    found = rows[0] >= 0
    return rows[0][found], scores[0][found]


def save(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load(path: Path) -> faiss.Index:
    return faiss.read_index(str(path))
