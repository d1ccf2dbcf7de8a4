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

import functools
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.bm25 import Postings, idf, weight, weight_constants
from index.clause_text import CONTEXT, PLACE, TEXT, sparse_fields
from index.row_ranges import RowRanges
from index.term_cache import TermCache
from index.tokenize import ACCENTED, TERMS, accented_query_terms, query_compounds
from ingest.model import HEADING, TABLE_GROUP, Clause, DocumentMeta
from ingest.text import has_diacritics

FIELD_WEIGHTS = {TEXT: 1.0, PLACE: 1.0, CONTEXT: 0.5}  # context tips the balance between similar clauses
KIND_PRIOR = {HEADING: 0.7, TABLE_GROUP: 0.7}
EXPANSION_WEIGHT = 0.5  # qa-supplied synonyms count less than the user's own words
PRIOR = "prior.npy"
COMPILED_ROWS = 50_000  # from here numpy's passes cost more (~7 ms a query) than loading numba once (1-5 s, ~150 MB)
BLOCK_ROWS = 32_768  # the fewest rows worth a thread's start


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

    def __init__(self, segments: Sequence[SegmentPostings], live: np.ndarray, threads: int = 1):
        """`threads`: how many a query's blocks of rows are searched on (IndexSettings.sparse_threads)."""
        self._segments = segments
        self._offsets = np.concatenate([[0], np.cumsum([len(s.prior) for s in segments])]).astype(np.int64)
        self._live = live
        self._whole = [bool(live[a:z].all()) for a, z in zip(self._offsets, self._offsets[1:])]
        self._dead = [np.flatnonzero(~self._seg_live(i)) for i in range(len(segments))]  # local rows, ascending
        self._factor = (np.concatenate([s.prior for s in segments]) if segments else np.zeros(0, np.float32)) * live
        self._n = int(live.sum())
        self.compiled = len(live) >= COMPILED_ROWS  # queries rank with index.accumulate, not numpy
        self.threads = threads
        self._blocks = _blocks([len(s.prior) for s in segments], threads)
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
        return bool(self.known_among([term]))

    def known_among(self, terms: Sequence[str]) -> set[str]:
        """Those of `terms` that are `known`, looked up together (a binary search per segment)."""
        wanted, found = np.array(sorted(terms), dtype=str), set()
        for i, seg in enumerate(self._segments):
            if not len(wanted):
                break
            p = seg.views[ACCENTED]
            ids = p.find(wanted)
            held = [t for t, term_id in enumerate(ids) if term_id >= 0 and (self._whole[i] or any(
                self._live_pairs(i, p.rows[a:z]) for a, z in zip(p.indptr[:, term_id], p.indptr[:, term_id + 1])))]
            found.update(wanted[held].tolist())
            wanted = np.delete(wanted, held)
        return found

    def _seg_live(self, i: int) -> np.ndarray:
        return self._live[self._offsets[i]:self._offsets[i + 1]]

    def _live_pairs(self, i: int, rows: np.ndarray) -> int:
        """How many of segment i's `rows` (ascending, local) are live: a binary search per deleted
        row when they are few, as they are between merges, rather than a look at every posting."""
        dead = self._dead[i]
        if not len(dead) or not len(rows):
            return len(rows)
        if len(dead) * 16 < len(rows):
            at = np.searchsorted(rows, dead)
            return len(rows) - int((rows[np.minimum(at, len(rows) - 1)] == dead).sum())
        return int(self._seg_live(i)[rows].sum())

    def query(self, query: str, expansion: str = "") -> SparseQuery:
        """The query's posting lists with their weights, ready to rank or score rows."""
        known = self.known_among(query_compounds(query) | query_compounds(expansion)) if has_diacritics(query) else set()
        return SparseQuery(self, [self._view_lists(view, best) for view, best in
                                  query_terms(query, expansion, known.__contains__).items() if best])

    def _view_lists(self, view: str, best: dict[str, float]) -> _ViewLists:
        """A view's query terms as lists (term, field), term-major: per segment, each list's pairs
        there; per list, its weights (statistics over the live rows of every segment)."""
        terms = sorted(best)
        wanted, fields = np.array(terms, dtype=str), len(FIELD_WEIGHTS)
        starts = np.zeros((len(self._segments), len(terms), fields), dtype=np.int64)
        stops = np.zeros_like(starts)
        df = np.zeros((len(terms), fields), dtype=np.int64)
        for i, seg in enumerate(self._segments):
            p = seg.views[view]
            ids = p.find(wanted)
            held = ids >= 0
            starts[i] = np.where(held, p.indptr[:, np.maximum(ids, 0)], 0).T
            stops[i] = np.where(held, p.indptr[:, np.maximum(ids, 0) + 1], 0).T
            if self._whole[i]:
                df += stops[i] - starts[i]
            else:
                for t, f in zip(*np.nonzero(stops[i] > starts[i])):
                    df[t, f] += self._live_pairs(i, p.rows[starts[i, t, f]:stops[i, t, f]])
        idfs = idf(df, self._n).reshape(-1)
        averages = np.tile([self._average[view, f] for f in range(fields)], len(terms))
        scales, base, slopes = weight_constants(idfs, averages)
        weights = (np.array([best[t] for t in terms])[:, None] * np.array(list(FIELD_WEIGHTS.values()))).astype(np.float32)
        return _ViewLists(tuple(s.views[view] for s in self._segments), starts.reshape(len(self._segments), -1),
                          stops.reshape(len(self._segments), -1), df.reshape(-1) > 0, np.tile(np.arange(fields), len(terms)),
                          idfs, averages, scales, np.full(len(idfs), base), slopes, weights.reshape(-1))

    def scores(self, query: str, expansion: str = "") -> np.ndarray:
        """Weighted BM25 of every row, summed over views and fields, times the kind prior; 0 if
        deleted. Every posting of every query term is weighed: the reference that `SparseQuery.top`
        and `SparseQuery.scores` match float for float, and other backends are checked against."""
        return self.query(query, expansion).every_score()

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


@dataclass(frozen=True)
class _ViewLists:
    """One view's lists k = term × fields + field (terms sorted: the order every row adds them)."""

    postings: tuple[Postings, ...]  # per segment
    starts: np.ndarray  # (segments, lists) int64: list k's first pair in segment i …
    stops: np.ndarray  # … and its end (equal: none there)
    held: np.ndarray  # (lists,) bool: a live row holds it (else it adds nothing and is left out)
    fields: np.ndarray  # (lists,) int64
    idf: np.ndarray  # (lists,) float64
    average: np.ndarray  # (lists,) float64 the field's average length
    scales: np.ndarray  # (lists,) float32 weight_constants(idf, average)
    bases: np.ndarray
    slopes: np.ndarray
    weights: np.ndarray  # (lists,) float32 the term's query weight times the field's

    def packed(self, i: int) -> tuple[np.ndarray, ...] | None:
        """Segment i's lists as index.accumulate reads them; None if it holds none."""
        there = self.held & (self.stops[i] > self.starts[i])
        if not there.any():
            return None
        return (self.starts[i][there], self.stops[i][there], self.fields[there], self.scales[there], self.bases[there],
                self.slopes[there], self.weights[there])

    def lists(self) -> list[_List]:
        """The held lists one by one (what the numpy paths read)."""
        return [_List(self.weights[k], float(self.idf[k]), float(self.average[k]), int(self.fields[k]),
                      tuple((i, p, int(self.starts[i, k]), int(self.stops[i, k])) for i, p in enumerate(self.postings)
                            if self.stops[i, k] > self.starts[i, k]))
                for k in np.flatnonzero(self.held)]


@dataclass(frozen=True)
class _List:
    """One query term of one view in one field, over the segments holding it, with its weights."""

    scale: np.float32  # the term's query weight times the field's
    idf: float
    average: float  # the field's average length
    field: int
    spans: tuple[tuple[int, Postings, int, int], ...]  # (segment, its postings, first pair, end)

    def contributions(self, p: Postings, pairs, rows: np.ndarray) -> np.ndarray:
        """What the list adds to `rows` (local, held by `p` at `pairs`), float32 as `scores` adds it."""
        return self.scale * weight(self.idf, p.tf[pairs], p.lengths[self.field][rows], self.average)


def _blocks(sizes: Sequence[int], threads: int) -> list[tuple[int, int, int]]:
    """(segment, first row, end) of the blocks a query searches apart: each segment cut into
    equal parts of at most a `threads`-th of all rows (and no fewer than BLOCK_ROWS rows)."""
    most = max(BLOCK_ROWS, -(-sum(sizes) // threads))
    blocks = []
    for i, n in enumerate(sizes):
        edges = np.linspace(0, n, -(-n // most) + 1).astype(np.int64) if n else []
        blocks += [(i, int(a), int(z)) for a, z in zip(edges, edges[1:])]
    return blocks


_pool_lock = threading.Lock()
_pools: dict[int, ThreadPoolExecutor] = {}
_warming: list[threading.Thread] = []


def warm_compiled() -> None:
    """Load the compiled loops (index.accumulate) on a background thread, once per process: a
    reader calls it on opening, so its first query does not pay for them."""
    def run():
        from index import accumulate

        accumulate.warm()

    with _pool_lock:
        if not _warming:
            _warming.append(threading.Thread(target=run, name="sparse-warm", daemon=True))  # never delays an exit
            _warming[0].start()


def _pool(threads: int) -> ThreadPoolExecutor:
    """The threads that search blocks beside the querying one (numba releases the GIL), started
    by the first query; one pool per thread count the process's indexes use."""
    with _pool_lock:
        if threads not in _pools:
            _pools[threads] = ThreadPoolExecutor(max(1, threads - 1), thread_name_prefix="sparse-top")  # + the caller
        return _pools[threads]


def _best(rows: np.ndarray, scores: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """The `depth` best of `rows` (ascending) by score, ties to the lower row; still ascending.
    A partition, not a sort: the candidates may be most rows."""
    if len(rows) <= depth:
        return rows, scores
    cut = np.partition(scores, len(scores) - depth)[len(scores) - depth]
    above = scores > cut
    tied = np.flatnonzero(scores == cut)[:depth - int(above.sum())]  # the lowest rows of the tie
    keep = np.sort(np.concatenate([np.flatnonzero(above), tied]))
    return rows[keep], scores[keep]


class SparseQuery:
    """A query's posting lists over a SparseIndex: the best rows, or the scores of given rows.

    `top` reads every posting of the query's terms once (within a filter's row ranges only), in
    compiled loops (index.accumulate), blocks of rows on threads. An exact MaxScore over per-list
    bounds lost to it twice (README, issue 10), lately against these compiled loops on the 1M
    build: it read 75% of the postings (median) and took 1.3x the CPU, because the rows that can
    still reach the top stay most of the rows (every plan uses the same words) and looking one up
    in a list costs 25-300 ns against 3-4.5 ns for a posting read in order."""

    def __init__(self, index: SparseIndex, views: list[_ViewLists]):
        self.index = index
        self.views = views

    @functools.cached_property
    def lists(self) -> list[_List]:
        """One by one, in the order every row's sum adds them: views, terms sorted, fields."""
        return [lst for view in self.views for lst in view.lists()]

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Exactly `SparseIndex.scores(...)[rows]`, looked up for `rows` (ascending) alone."""
        total = np.zeros(len(rows), dtype=np.float32)
        for lst in self.lists:
            for at, values in self._probe(lst, rows):
                total[at] += values
        return total * self.index._factor[rows]

    def every_score(self) -> np.ndarray:
        """`SparseIndex.scores`: every posting weighed in numpy, added list after list."""
        index = self.index
        total = np.zeros(len(index._live), dtype=np.float32)
        for lst in self.lists:
            for i, p, a, z in lst.spans:
                rows = p.rows[a:z]
                total[index._offsets[i] + rows] += lst.contributions(p, slice(a, z), rows)
        return total * index._factor

    def top(self, depth: int, allowed: RowRanges | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(rows ascending, their scores) of the `depth` best rows of `allowed` (None: all) with
        a positive score; best by score, then by the lower row: exactly what ranking every row's
        `SparseIndex.scores` gives (below COMPILED_ROWS rows, that is how it is found)."""
        if not self.index.compiled:
            scores = self.every_score()
            rows = np.flatnonzero(scores > 0)
            rows = rows if allowed is None else rows[allowed.positions(rows)]
            return _best(rows, scores[rows], depth)
        from index import accumulate  # numba: loaded by the first query, never by a reindex

        index, work = self.index, self._packed()
        jobs = []
        for i, lo, hi in index._blocks:
            first = int(index._offsets[i]) + lo
            part = RowRanges(np.array([first]), np.array([first + hi - lo])) if allowed is None else \
                allowed.within(first, first + hi - lo)
            if work[i] and len(part) and depth > 0:
                jobs.append((i, lo, hi, first, part.starts - first, part.stops - first))

        def block(job):
            i, lo, hi, first, starts, stops = job
            total = np.zeros(hi - lo, dtype=np.float32)
            for p, packed in work[i]:
                accumulate.accumulate(total, lo, hi, p.rows, p.tf, p.lengths, *packed, starts, stops)
            rows, scores = accumulate.best(total, index._factor[first:first + hi - lo], starts, stops, depth)
            return rows + first, scores

        def blocks(share):
            return [block(job) for job in share]

        threads = index.threads
        shares = [jobs[k::threads] for k in range(min(threads, len(jobs)))]  # a hand-off per thread, not per block
        others = [_pool(threads).submit(blocks, share) for share in shares[1:]]  # while this thread searches the first
        found = (blocks(shares[0]) if shares else []) + [one for other in others for one in other.result()]
        rows = np.concatenate([r for r, _ in found] or [np.zeros(0, np.int64)])
        scores = np.concatenate([s for _, s in found] or [np.zeros(0, np.float32)])
        order = np.argsort(rows)
        return _best(rows[order], scores[order], depth)

    def _packed(self) -> list[list[tuple[Postings, tuple[np.ndarray, ...]]]]:
        """What index.accumulate reads: per segment, per view (in order), its postings and lists."""
        return [[(view.postings[i], packed) for view in self.views if (packed := view.packed(i)) is not None]
                for i in range(len(self.index._segments))]

    def _probe(self, lst: _List, rows: np.ndarray):
        """(positions in `rows`, contributions) of the rows (ascending) that `lst` holds."""
        offsets = self.index._offsets
        for i, p, a, z in lst.spans:
            lo, hi = np.searchsorted(rows, [offsets[i], offsets[i + 1]])
            if lo == hi:
                continue
            local, held = rows[lo:hi] - offsets[i], p.rows[a:z]
            at = np.searchsorted(held, local)
            hit = held[np.minimum(at, len(held) - 1)] == local
            if hit.any():
                yield lo + np.flatnonzero(hit), lst.contributions(p, a + at[hit], local[hit])


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
