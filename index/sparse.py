"""Sparse retrieval: BM25 over two token views (see tokenize) of three fields (see clause_text).

The accented view is precise but only usable when the query has diacritics; the folded view
serves every query. Headings and table-group titles are discounted: their words recur in the
context of every clause beneath them, and those clauses carry the substance (and the agencies).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.bm25 import BM25
from index.term_cache import TermCache
from index.clause_text import CONTEXT, PLACE, TEXT, sparse_fields
from index.tokenize import ACCENTED, TERMS, accented_query_terms
from ingest.model import HEADING, TABLE_GROUP, Clause, DocumentMeta
from ingest.text import has_diacritics

FIELD_WEIGHTS = {TEXT: 1.0, PLACE: 1.0, CONTEXT: 0.5}  # context tips the balance between similar clauses
KIND_PRIOR = {HEADING: 0.7, TABLE_GROUP: 0.7}
EXPANSION_WEIGHT = 0.5  # qa-supplied synonyms count less than the user's own words


def _prefix(path: Path, view: str) -> Path:
    return path / f"sparse-{view}"


class SparseIndex:
    """One BM25 matrix per view, its three fields' matrices weighted and added and each clause's
    kind prior applied at build time, so a query makes one pass per view (two in all)."""

    def __init__(self, bm25: dict[str, BM25]):
        self.bm25 = bm25

    @classmethod
    def build(cls, documents: dict[str, DocumentMeta], clauses: Sequence[Clause],
              cache: TermCache | None = None) -> SparseIndex:
        """`cache` supplies terms already computed (by an earlier build) and records the new ones."""
        cache = cache or TermCache()
        fields = [sparse_fields(documents[c.doc_id], c) for c in clauses]
        prior = np.array([KIND_PRIOR.get(c.kind, 1.0) for c in clauses], dtype=np.float32)
        return cls({view: BM25.combine([(BM25.build([cache.terms(view, f[field]) for f in fields]), weight)
                                        for field, weight in FIELD_WEIGHTS.items()], prior)
                    for view in TERMS})

    def scores(self, query: str, expansion: str = "") -> np.ndarray:
        """Weighted BM25 per clause, summed over views and fields."""
        total = None
        for view, terms in TERMS.items():
            if view == ACCENTED and not has_diacritics(query):
                continue  # folded words cannot match accented ones
            bm25 = self.bm25[view]
            if view == ACCENTED:  # the index's own compounds stand in for pyvi (tokenize.accented_query_terms)
                terms = lambda text, bm25=bm25: accented_query_terms(text, bm25.__contains__)  # noqa: E731
            own, extra = terms(query), terms(expansion)
            scores = bm25.scores(own + extra, [1.0] * len(own) + [EXPANSION_WEIGHT] * len(extra))
            total = scores if total is None else total + scores
        return total

    def save(self, path: Path) -> None:
        for view, bm25 in self.bm25.items():
            bm25.save(_prefix(path, view))

    @classmethod
    def load(cls, path: Path, n_clauses: int) -> SparseIndex:
        return cls({view: BM25.load(_prefix(path, view), n_clauses) for view in TERMS})


