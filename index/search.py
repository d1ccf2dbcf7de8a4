"""The published generation, read-only: hybrid sparse + dense search with metadata filters."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index import dense, store
from index.config import Settings
from index.embed import Encoder, load_encoder
from index.errors import IndexMismatch, IndexNotFound
from index.filtering import admits
from index.fusion import fuse, uses_dense
from index.model import Filters, Hit, IndexStats
from index.rerank import RerankHint, load_reranker, rerank
from index.sparse import SparseIndex
from ingest.model import Clause, DocumentMeta

DEPTH = 100  # candidates each retriever contributes to fusion
_REINDEX = "reindex with `policyqa index`"
_SCOPES = 1024  # distinct filters remembered per generation


class Index:
    """Load with `Index.open`; safe to share between threads (nothing mutates after loading)."""

    def __init__(self, settings: Settings, generation: str, manifest: store.Manifest,
                 documents: dict[str, DocumentMeta], clauses: store.ClauseStore, embeddings: np.ndarray,
                 sparse: SparseIndex, vectors: dense.DenseIndex):
        self.settings = settings
        self.generation = generation
        self.documents = documents
        self._manifest = manifest
        self._clauses = clauses
        self._embeddings = embeddings
        self._sparse = sparse
        self._dense = vectors
        self._path = Path(settings.index_dir) / generation
        self._size_bytes = store.size_bytes(self._path)  # now: a writer may prune the files while we serve
        # A generation stores its clauses grouped by document, in the order of `documents`.
        counts = np.array([manifest.documents[doc_id].clauses for doc_id in documents], dtype=np.int64)
        self._starts = np.concatenate([[0], np.cumsum(counts)])
        self._position = {doc_id: i for i, doc_id in enumerate(documents)}
        self._doc_of_row = np.repeat(np.arange(len(documents)), counts)
        self._scopes: dict[Filters, np.ndarray] = {}  # rows each filter admits, worked out once

    @classmethod
    def open(cls, settings: Settings) -> Index:
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
    def _load(cls, settings: Settings, name: str) -> Index:
        path = Path(settings.index_dir) / name
        manifest = store.read_manifest(path)
        if manifest.format_version != store.FORMAT_VERSION:
            raise IndexMismatch(f"{path} has format version {manifest.format_version}, this program reads "
                                f"{store.FORMAT_VERSION}: {_REINDEX}")
        if manifest.model != settings.model:
            raise IndexMismatch(f"{path} was built with model {manifest.model!r} ({manifest.dimension} dimensions), "
                                f"but the configured model is {settings.model!r}: {_REINDEX}")
        embeddings = store.read_embeddings(path)
        return cls(settings, name, manifest, store.read_documents(path), store.ClauseStore(path), embeddings,
                   SparseIndex.load(path, manifest.clauses), dense.load(path / store.DENSE, embeddings))

    def clauses(self, doc_id: str | None = None) -> list[Clause]:
        """Read from disk on each call: a server keeps no clause text in memory."""
        if doc_id is None:
            return self._clauses.range(0, len(self._clauses))
        i = self._position.get(doc_id)
        return [] if i is None else self._clauses.range(int(self._starts[i]), int(self._starts[i + 1]))

    def source(self, doc_id: str) -> Path:
        """The file the document was ingested from (it may since have moved or gone)."""
        return Path(self._manifest.documents[doc_id].source)

    def clause_counts(self) -> dict[str, int]:
        return {doc_id: entry.clauses for doc_id, entry in self._manifest.documents.items()}

    def stats(self) -> IndexStats:
        m = self._manifest
        return IndexStats(documents=len(self.documents), clauses=m.clauses, model=m.model, dimension=m.dimension,
                          size_bytes=self._size_bytes, built_at=m.built_at,
                          generation=self.generation, per_document=self.clause_counts())

    def search(self, query: str, k: int = 10, filters: Filters | None = None, *, expansion: str = "",
               hint: RerankHint | None = None) -> list[Hit]:
        """Best first. `expansion`: extra Vietnamese terms (synonyms, glossary) from the qa layer;
        `hint`: what the question asks for, which the rerank stage favours (see rerank)."""
        allowed = self._allowed(filters)
        if not query.strip() or k <= 0 or (allowed is not None and not allowed.any()):
            return []
        sparse = self._sparse.scores(query, expansion)
        if allowed is not None:
            sparse = np.where(allowed, sparse, np.float32(0))
        candidates = _top(sparse, DEPTH)
        weight = self.settings.dense_weight
        dense_on = weight > 0 and uses_dense(query, self.settings.dense_languages)
        cosine = np.zeros(len(self._doc_of_row), dtype=np.float32)
        if dense_on:
            vector = self._encoder().query(query)
            rows, _ = dense.search(self._dense, vector, DEPTH, None if allowed is None else np.flatnonzero(allowed))
            candidates = np.union1d(candidates, rows)
            cosine[candidates] = self._embeddings[candidates] @ vector
        if candidates.size == 0:
            return []
        fused = fuse(sparse[candidates], cosine[candidates], weight if dense_on else 0.0)
        order = np.argsort(-fused, kind="stable")
        candidates, fused = candidates[order], fused[order]
        scores = self._rerank(query, candidates, fused, hint)
        best = np.argsort(-scores, kind="stable")[:k]
        return [self._hit(int(candidates[i]), float(scores[i]), float(sparse[candidates[i]]),
                          float(cosine[candidates[i]]) if dense_on else None) for i in best]

    def _rerank(self, query: str, candidates: np.ndarray, fused: np.ndarray, hint: RerankHint | None) -> np.ndarray:
        """Ranking scores: the head re-scored by the rerank stage, the rest below it in fused order."""
        depth = min(self.settings.rerank_depth, len(candidates))
        if depth == 0:
            return fused
        relevance = load_reranker(self.settings.reranker) if self.settings.reranker else None
        head = rerank([self._clauses.get(int(r)) for r in candidates[:depth]], fused[:depth], hint, query, relevance)
        tail = np.minimum(fused[depth:], head.min()) - 1e-6  # below every reranked candidate, order kept
        return np.concatenate([head, tail])

    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        """Rows the filters admit (a mask): each distinct filter scans the documents once."""
        if filters is None or filters.is_empty():
            return None
        rows = self._scopes.get(filters)
        if rows is None:
            admitted = np.array([admits(filters, meta) for meta in self.documents.values()], dtype=bool)
            rows = admitted[self._doc_of_row] if len(self._doc_of_row) else np.zeros(0, dtype=bool)
            if len(self._scopes) >= _SCOPES:
                self._scopes.clear()
            self._scopes[filters] = rows
        return rows

    def _encoder(self) -> Encoder:
        encoder = load_encoder(self.settings.model)
        if encoder.dimension != self._manifest.dimension:
            raise IndexMismatch(f"{self._path} holds {self._manifest.dimension}-dimensional embeddings, but "
                                f"model {encoder.name!r} makes {encoder.dimension}: {_REINDEX}")
        return encoder

    def _hit(self, row: int, score: float, sparse: float, cosine: float | None) -> Hit:
        clause = self._clauses.get(row)
        return Hit.from_clause(clause, self.documents[clause.doc_id], score, sparse, cosine)


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Rows of the n highest positive scores, unordered."""
    positive = np.flatnonzero(scores > 0)
    if positive.size <= n:
        return positive
    return positive[np.argpartition(-scores[positive], n)[:n]]
