"""Sparse retrieval: BM25 over two token views (see tokenize) of three fields (see clause_text).

The accented view is precise but only usable when the query has diacritics; the folded view
serves every query. Headings and table-group titles are discounted: their words recur in the
context of every clause beneath them, and those clauses carry the substance (and the agencies).

Each segment stores its postings (bm25.Postings) per view and each row's kind prior; a query
scores every segment with document frequencies and average lengths summed over the live rows of
all of them, so the scores are exactly those of one index built over the same live clauses: each
row receives the same contributions, computed from the same integers, added in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.bm25 import Postings, idf, weight
from index.clause_text import CONTEXT, PLACE, TEXT, sparse_fields
from index.term_cache import TermCache
from index.tokenize import ACCENTED, TERMS, accented_query_terms
from ingest.model import HEADING, TABLE_GROUP, Clause, DocumentMeta
from ingest.text import has_diacritics

FIELD_WEIGHTS = {TEXT: 1.0, PLACE: 1.0, CONTEXT: 0.5}  # context tips the balance between similar clauses
KIND_PRIOR = {HEADING: 0.7, TABLE_GROUP: 0.7}
EXPANSION_WEIGHT = 0.5  # qa-supplied synonyms count less than the user's own words
PRIOR = "prior.npy"


def _prefix(path: Path, view: str) -> Path:
    return path / f"sparse-{view}"


@dataclass(frozen=True)
class SegmentPostings:
    """One segment's sparse side: postings per view, each row's kind prior."""

    views: dict[str, Postings]
    prior: np.ndarray  # (rows,) float32

    @classmethod
    def build(cls, documents: dict[str, DocumentMeta], clauses: Sequence[Clause],
              cache: TermCache | None = None) -> SegmentPostings:
        """`cache` supplies terms already computed (by an earlier segment) and records the new ones."""
        cache = cache or TermCache()
        fields = [sparse_fields(documents[c.doc_id], c) for c in clauses]
        prior = np.array([KIND_PRIOR.get(c.kind, 1.0) for c in clauses], dtype=np.float32)
        return cls({view: Postings.build([[cache.terms(view, f[field]) for f in fields] for field in FIELD_WEIGHTS])
                    for view in TERMS}, prior)

    def save(self, path: Path) -> None:
        for view, postings in self.views.items():
            postings.save(_prefix(path, view))
        np.save(path / PRIOR, self.prior)

    @classmethod
    def load(cls, path: Path) -> SegmentPostings:
        return cls({view: Postings.load(_prefix(path, view)) for view in TERMS},
                   np.asarray(np.load(path / PRIOR, mmap_mode="r", allow_pickle=False)))


class SparseIndex:
    """Segments in row order; `live[row]` false for a deleted (tombstoned) row, which scores 0 and
    counts in no statistic."""

    def __init__(self, segments: Sequence[SegmentPostings], live: np.ndarray):
        self._segments = segments
        self._offsets = np.concatenate([[0], np.cumsum([len(s.prior) for s in segments])]).astype(np.int64)
        self._live = live
        self._whole = [bool(live[a:z].all()) for a, z in zip(self._offsets, self._offsets[1:])]
        self._factor = (np.concatenate([s.prior for s in segments]) if segments else np.zeros(0, np.float32)) * live
        self._n = int(live.sum())
        self._live_df = {}  # (segment, view) -> (fields, V) live rows per term, for segments with tombstones
        for i, seg in enumerate(segments):
            if not self._whole[i]:
                for view, p in seg.views.items():
                    held = np.concatenate([[0], np.cumsum(self._seg_live(i)[p.rows], dtype=np.int64)])
                    self._live_df[i, view] = (held[p.indptr[:, 1:]] - held[p.indptr[:, :-1]]).astype(np.int32)
        self._average = {}  # (view, field) -> average length over live rows
        for view in TERMS:
            for f in range(len(FIELD_WEIGHTS)):
                total = sum(int(s.views[view].lengths[f][self._seg_live(i)].sum(dtype=np.float64)) if not self._whole[i]
                            else int(s.views[view].lengths[f].sum(dtype=np.float64)) for i, s in enumerate(segments))
                self._average[view, f] = total / self._n if total else 1.0

    @classmethod
    def build(cls, documents: dict[str, DocumentMeta], clauses: Sequence[Clause],
              cache: TermCache | None = None) -> SparseIndex:
        """One segment of `clauses`, all live: what a fresh single build scores."""
        return cls([SegmentPostings.build(documents, clauses, cache)], np.ones(len(clauses), dtype=bool))

    def known(self, term: str) -> bool:
        """Whether a live row holds `term` in the accented view: exactly what one index built over
        the live clauses alone would know, so queries are segmented as it would segment them."""
        wanted = np.array([term])
        for i, seg in enumerate(self._segments):
            term_id = int(seg.views[ACCENTED].find(wanted)[0])
            if term_id >= 0 and (self._whole[i] or self._live_df[i, ACCENTED][:, term_id].any()):
                return True
        return False

    def _seg_live(self, i: int) -> np.ndarray:
        return self._live[self._offsets[i]:self._offsets[i + 1]]

    def scores(self, query: str, expansion: str = "") -> np.ndarray:
        """Weighted BM25 per row, summed over views and fields, times the kind prior; 0 if deleted."""
        total = np.zeros(len(self._live), dtype=np.float32)
        for view, best in query_terms(query, expansion, self.known).items():
            if best:
                self._add(total, view, sorted(best), best)
        return total * self._factor

    def row_weights(self, view: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What a query term of weight 1 adds to each live row's score, for every term of `view`:
        (terms, term index, row, weight) per (term, row) held, fields weighted and summed, prior
        applied, statistics corpus-wide as in `scores`. A backend keeping BM25 as sparse vectors
        stores these, so its inner products are these scores."""
        terms = np.unique(np.concatenate([s.views[view].terms for s in self._segments] or [np.zeros(0, "<U1")]))
        keys, values = [], []
        for f, field_weight in enumerate(FIELD_WEIGHTS.values()):
            ids, rows, tfs, lengths = [], [], [], []
            for i, seg in enumerate(self._segments):
                p = seg.views[view]
                local = p.rows[p.indptr[f, 0]:p.indptr[f, -1]]
                held = self._seg_live(i)[local]
                ids.append(np.repeat(np.searchsorted(terms, p.terms), np.diff(p.indptr[f]))[held])
                rows.append(self._offsets[i] + local[held].astype(np.int64))
                tfs.append(p.tf[p.indptr[f, 0]:p.indptr[f, -1]][held])
                lengths.append(p.lengths[f][local[held]])
            if not ids:
                continue
            ids, rows = np.concatenate(ids), np.concatenate(rows)
            df = np.bincount(ids, minlength=len(terms))
            contribution = weight(idf(df, self._n)[ids], np.concatenate(tfs), np.concatenate(lengths),
                                  self._average[view, f])
            keys.append(ids * len(self._live) + rows)
            values.append(np.float64(field_weight) * contribution)
        if not keys:
            return terms, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
        pairs, inverse = np.unique(np.concatenate(keys), return_inverse=True)
        summed = np.bincount(inverse, weights=np.concatenate(values), minlength=len(pairs))
        ids, rows = pairs // len(self._live), pairs % len(self._live)
        return terms, ids, rows, (summed * self._factor[rows]).astype(np.float32)

    def _add(self, total: np.ndarray, view: str, terms: list[str], weights: dict[str, float]) -> None:
        wanted = np.array(terms, dtype=str)
        ids = [s.views[view].find(wanted) for s in self._segments]
        for t, term in enumerate(terms):
            holders = [i for i in range(len(self._segments)) if ids[i][t] >= 0]
            for f, field_weight in enumerate(FIELD_WEIGHTS.values()):
                spans, df = [], 0
                for i in holders:
                    p, term_id = self._segments[i].views[view], ids[i][t]
                    a, z = int(p.indptr[f, term_id]), int(p.indptr[f, term_id + 1])
                    if z > a:
                        spans.append((i, p, a, z))
                        df += z - a if self._whole[i] else int(self._live_df[i, view][f, term_id])
                if not df:
                    continue
                term_idf, scale = float(idf(df, self._n)), np.float32(weights[term] * field_weight)
                for i, p, a, z in spans:
                    rows = p.rows[a:z]
                    contribution = weight(term_idf, p.tf[a:z], p.lengths[f][rows], self._average[view, f])
                    total[self._offsets[i] + rows] += scale * contribution


def query_terms(query: str, expansion: str, known: Callable[[str], bool]) -> dict[str, dict[str, float]]:
    """Each view's query terms and their weights (a term counts once, at its highest weight). The
    accented view is asked only of a query with diacritics (folded words cannot match accented
    ones), its words matched against the index's own compounds, `known` (tokenize.accented_query_terms)."""
    views = {}
    for view, terms in TERMS.items():
        if view == ACCENTED:
            if not has_diacritics(query):
                continue
            terms = lambda text: accented_query_terms(text, known)  # noqa: E731
        weights: dict[str, float] = {}
        for term, w in [(t, 1.0) for t in terms(query)] + [(t, EXPANSION_WEIGHT) for t in terms(expansion)]:
            weights[term] = max(weights.get(term, 0.0), w)
        views[view] = weights
    return views
