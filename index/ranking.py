"""The one ranking pipeline every backend's index runs: candidates -> fusion -> rerank -> hits.

A backend supplies only what differs (`Ranked._candidates`, `Ranked._clause`): the sparse top and
the dense top under the filters, and each candidate's exact sparse score and cosine. Fusion
(index.fusion) and the rerank stage (index.rerank) are applied here once, so the same candidates
rank the same way whichever backend found them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import store
from index.config import IndexSettings
from index.embed import Encoder, load_encoder
from index.errors import IndexMismatch
from index.fusion import fuse, uses_dense
from index.model import Filters, Hit, IndexStats
from index.rerank import RerankHint, load_reranker, rerank
from ingest.model import Clause, DocumentMeta

DEPTH = 100  # candidates each retriever contributes to fusion
REINDEX = "reindex with `policyqa index`"


@dataclass(frozen=True)
class Candidates:
    """The union of the sparse and dense tops, rows ascending, with both scores of every row
    (a row the sparse side did not return still has its BM25 score, and the reverse)."""

    rows: np.ndarray  # (n,) int64
    sparse: np.ndarray  # (n,) float32 BM25
    cosine: np.ndarray  # (n,) float32; zeros when the dense side was not asked


Encode = Callable[[], np.ndarray]  # the query's vector, computed only if a backend asks for it


def checked_manifest(settings: IndexSettings, path: Path) -> store.Manifest:
    """The manifest of generation directory `path`, if this program and `settings` can search it."""
    manifest = store.read_manifest(path)
    if manifest.format_version != store.FORMAT_VERSION:
        raise IndexMismatch(f"{path} has format version {manifest.format_version}, this program reads "
                            f"{store.FORMAT_VERSION}: {REINDEX}")
    if manifest.model != settings.model:
        raise IndexMismatch(f"{path} was built with model {manifest.model!r} ({manifest.dimension} dimensions), "
                            f"but the configured model is {settings.model!r}: {REINDEX}")
    return manifest


class Ranked:
    """Base of a backend's index; the backend sets the attributes below. Safe to share between
    threads: nothing mutates after opening."""

    settings: IndexSettings
    generation: str
    documents: dict[str, DocumentMeta]
    _manifest: store.Manifest  # of the generation's directory (index.store)
    _size_bytes: int
    _dimension: int
    _where: str  # named in a model mismatch error

    def clauses(self, doc_id: str | None = None) -> list[Clause]:
        """A document's clauses in order (all clauses when None), read from the backend on each call."""
        raise NotImplementedError

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

    def _candidates(self, query: str, expansion: str, filters: Filters | None,
                    encode: Encode | None) -> Candidates | None:
        """None when the filters admit no clause (the query is then not encoded)."""
        raise NotImplementedError

    def _clause(self, row: int) -> Clause:
        raise NotImplementedError

    def search(self, query: str, k: int = 10, filters: Filters | None = None, *, expansion: str = "",
               hint: RerankHint | None = None) -> list[Hit]:
        """Best first. `expansion`: extra Vietnamese terms (synonyms, glossary) from the qa layer;
        `hint`: what the question asks for, which the rerank stage favours (see rerank)."""
        if not query.strip() or k <= 0:
            return []
        weight = self.settings.dense_weight
        dense_on = weight > 0 and uses_dense(query, self.settings.dense_languages)
        found = self._candidates(query, expansion, filters,
                                 (lambda: self._encoder().query(query)) if dense_on else None)
        if found is None or found.rows.size == 0:
            return []
        fused = fuse(found.sparse, found.cosine, weight if dense_on else 0.0)
        order = np.argsort(-fused, kind="stable")
        rows, fused = found.rows[order], fused[order]
        clauses = {}
        scores = self._rerank(query, rows, fused, hint, clauses)
        best = np.argsort(-scores, kind="stable")[:k]
        hits = []
        for i in best:
            row = int(rows[i])
            clause = clauses.get(row) or self._clause(row)
            hits.append(Hit.from_clause(clause, self.documents[clause.doc_id], float(scores[i]),
                                        float(found.sparse[order[i]]),
                                        float(found.cosine[order[i]]) if dense_on else None))
        return hits

    def _rerank(self, query: str, rows: np.ndarray, fused: np.ndarray, hint: RerankHint | None,
                clauses: dict[int, Clause]) -> np.ndarray:
        """Ranking scores: the head re-scored by the rerank stage, the rest below it in fused order.
        The head's clauses are left in `clauses`, so hits do not read them again."""
        depth = min(self.settings.rerank_depth, len(rows))
        if depth == 0:
            return fused
        relevance = load_reranker(self.settings.reranker) if self.settings.reranker else None
        clauses.update(self._clauses_of([int(r) for r in rows[:depth]]))
        head = rerank([clauses[int(r)] for r in rows[:depth]], fused[:depth], hint, query, relevance)
        tail = np.minimum(fused[depth:], head.min()) - 1e-6  # below every reranked candidate, order kept
        return np.concatenate([head, tail])

    def _clauses_of(self, rows: list[int]) -> dict[int, Clause]:
        """Several clauses at once (a remote backend overrides it with one round trip)."""
        return {r: self._clause(r) for r in rows}

    def _encoder(self) -> Encoder:
        encoder = load_encoder(self.settings.model)
        if encoder.dimension != self._dimension:
            raise IndexMismatch(f"{self._where} holds {self._dimension}-dimensional embeddings, but "
                                f"model {encoder.name!r} makes {encoder.dimension}: {REINDEX}")
        return encoder
