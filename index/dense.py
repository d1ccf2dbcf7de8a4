"""Dense retrieval over L2-normalised embeddings (inner product = cosine).

One index per segment (the reader merges their top rows). Up to `ann_threshold` vectors the
search is exact, a matrix-vector product over the segment's `embeddings.npy` (memory-mapped).
Beyond that a faiss HNSW graph, whose search time grows roughly logarithmically instead of
linearly; the graph file holds the vectors, so the segment stores no `embeddings.npy` and reads
them from the graph's storage, memory-mapped (faiss IO_FLAG_MMAP_IFC). Either way: one copy of
the vectors on disk, and in memory only the pages queries touch. faiss is imported where used
(half a second to load): a no-op reindex never loads it.
Thresholds and HNSW parameters, chosen from `policyqa bench --scale N`'s recall table: README.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import faiss

EXACT = "flat-ip"
HNSW = "hnsw"
HNSW_M = 32  # graph degree
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128  # raised to k when k is larger
_SUBSET = 0.25  # below this share of allowed rows, exact search multiplies only those rows


@dataclass(frozen=True)
class DenseIndex:
    vectors: np.ndarray  # (n, dim) float32, the generation's embeddings
    graph: faiss.Index | None = None  # HNSW over the same vectors; None: exact search


def build(vectors: np.ndarray, ann_threshold: int) -> DenseIndex:
    import faiss

    if len(vectors) <= ann_threshold:
        return DenseIndex(vectors)
    graph = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    graph.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return DenseIndex(vectors, graph)


def kind(index: DenseIndex) -> str:
    return EXACT if index.graph is None else HNSW


def search(index: DenseIndex, query: np.ndarray, k: int,
           allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows and cosine scores of the k nearest vectors, restricted to `allowed` rows if given."""
    import faiss

    n = len(index.vectors)
    k = min(k, n if allowed is None else len(allowed))
    if k <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    query = np.ascontiguousarray(query, dtype=np.float32)
    if index.graph is None:
        return _exact(index.vectors, query, k, allowed)
    params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k))
    if allowed is not None:
        mask = np.zeros(n, dtype=bool)
        mask[allowed] = True
        bitmap = np.packbits(mask, bitorder="little")  # faiss reads bit i of byte i >> 3
        params.sel = faiss.IDSelectorBitmap(n, faiss.swig_ptr(bitmap))
    scores, rows = index.graph.search(query.reshape(1, -1), k, params=params)
    found = rows[0] >= 0
    return rows[0][found], scores[0][found]


def _exact(vectors: np.ndarray, query: np.ndarray, k: int,
           allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    import faiss

    if allowed is None:  # faiss's blocked kernel: faster than a BLAS matrix-vector product here
        scores, rows = faiss.knn(query.reshape(1, -1), vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
        return rows[0].astype(np.int64), scores[0]
    if len(allowed) < _SUBSET * len(vectors):
        rows = np.asarray(allowed, dtype=np.int64)
        scores = vectors[rows] @ query
    else:
        rows, scores = None, np.full(len(vectors), -np.inf, dtype=np.float32)
        scores[allowed] = (vectors @ query)[allowed]
    best = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    best = best[np.argsort(-scores[best], kind="stable")]
    return (best if rows is None else rows[best]).astype(np.int64), scores[best].astype(np.float32)


def save(index: DenseIndex, graph: Path, vectors: Path) -> None:
    """Writes the HNSW graph (with the vectors in it), or else the vectors alone."""
    import faiss

    if index.graph is not None:
        faiss.write_index(index.graph, str(graph))
    else:
        np.save(vectors, index.vectors)


def load(graph: Path, vectors: Path) -> DenseIndex:
    """Memory-mapped: the graph's vectors stay readable (and the rows of the array that views them
    valid) for as long as the DenseIndex lives, even if the file is deleted."""
    import faiss

    if not graph.exists():
        return DenseIndex(np.asarray(np.load(vectors, mmap_mode="r", allow_pickle=False)))
    index = faiss.read_index(str(graph), faiss.IO_FLAG_MMAP_IFC)
    storage = faiss.downcast_index(index.storage)
    view = faiss.rev_swig_ptr(storage.get_xb(), index.ntotal * index.d).reshape(index.ntotal, index.d)
    view.flags.writeable = False
    return DenseIndex(view, index)

