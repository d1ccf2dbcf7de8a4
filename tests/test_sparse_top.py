"""The sparse top (compiled accumulation over blocks of rows, index.accumulate) returns exactly what
ranking every row's BM25 score returns: the same rows, the same floats, ties to the lower row."""

import os
import random

import numpy as np
import pytest

from bench.synthetic import CLAUSES_PER_DOC, generate
from index.config import ROOT, IndexSettings, load_settings
from index.model import Filters
from index.ranking import DEPTH
from index.row_ranges import RowRanges
from index.search import Index
from index import sparse as sparse_module
from index.sparse import SegmentPostings, SparseIndex, _blocks
from index.term_cache import TermCache
from ingest import ingest_paths
from qa.evaluate import load_gold

QUESTIONS = [q.q for q in load_gold(ROOT / "tests" / "gold.jsonl")]


def _exhaustive(sparse: SparseIndex, query: str, expansion: str, depth: int,
                allowed: RowRanges | None) -> tuple[np.ndarray, np.ndarray]:
    """Every row scored, the depth best positive ones of `allowed` by (score, lower row), by row."""
    scores = sparse.scores(query, expansion)
    rows = np.flatnonzero(scores > 0)
    if allowed is not None:
        rows = rows[allowed.positions(rows)]
    best = np.sort(np.lexsort((rows, -scores[rows]))[:depth])
    return rows[best], scores[rows[best]]


def _assert_top_exact(sparse: SparseIndex, query: str, expansion: str, depth: int,
                      allowed: RowRanges | None = None) -> np.ndarray:
    rows, scores = sparse.query(query, expansion).top(depth, allowed)
    want_rows, want_scores = _exhaustive(sparse, query, expansion, depth, allowed)
    assert rows.tolist() == want_rows.tolist(), (query, depth)
    assert (scores == want_scores).all(), (query, depth)  # the same floats, not approximately
    return scores


@pytest.fixture(scope="module")
def synthetic_segments(tmp_path_factory):
    """30 synthetic plans (~2,000 clauses) in three segments, a tenth of the rows deleted."""
    corpus = tmp_path_factory.mktemp("synthetic")
    generate(corpus, 30 * CLAUSES_PER_DOC)
    documents = sorted(ingest_paths([corpus]).documents, key=lambda d: d.meta.doc_id)
    cache = TermCache()
    segments = [SegmentPostings.build({d.meta.doc_id: d.meta for d in part}, [c for d in part for c in d.clauses], cache)
                for part in (documents[:12], documents[12:25], documents[25:])]
    rows = sum(len(s.prior) for s in segments)
    live = np.ones(rows, dtype=bool)
    rng = np.random.default_rng(7)
    live[rng.choice(rows, rows // 10, replace=False)] = False
    return segments, live


@pytest.fixture(scope="module", params=["numpy", "compiled, one block a segment", "compiled, blocks on threads"])
def synthetic(request, synthetic_segments):
    """The index as a small one searches (numpy), as a large one does (compiled loops, index.accumulate),
    and cut into blocks of ~250 rows searched on threads: lists then start and end inside blocks."""
    segments, live = synthetic_segments
    with pytest.MonkeyPatch.context() as patch:
        if request.param != "numpy":
            patch.setattr(sparse_module, "COMPILED_ROWS", 0)
        if request.param == "compiled, blocks on threads":
            patch.setattr(sparse_module, "BLOCK_ROWS", 100)
        sparse = SparseIndex(segments, live, 8 if request.param == "compiled, blocks on threads" else 2)
    assert sparse.compiled == (request.param != "numpy")
    assert len(sparse._blocks) >= (8 if request.param == "compiled, blocks on threads" else 3)
    return sparse, live


def test_top_is_exact_over_segments_and_tombstones(synthetic):
    sparse, _ = synthetic
    for query in QUESTIONS[::3]:
        for depth in (1, 10, DEPTH):
            scores = _assert_top_exact(sparse, query, "", depth)
            assert len(scores) == depth  # every question matches more rows than that
    _assert_top_exact(sparse, QUESTIONS[0], "môi trường bền vững", DEPTH)
    _assert_top_exact(sparse, "zzz không có từ nào", "", DEPTH)


def test_top_is_exact_under_filters(synthetic):
    """Filters as row ranges: a few documents, most of them, one row, none."""
    sparse, live = synthetic
    rng = random.Random(3)
    starts = np.arange(0, len(live), CLAUSES_PER_DOC)
    scopes = [RowRanges.of(starts[picked], np.full(len(picked), CLAUSES_PER_DOC))
              for picked in (sorted(rng.sample(range(len(starts)), 3)), sorted(rng.sample(range(len(starts)), 25)))]
    scopes += [RowRanges.of([5], [1]), RowRanges.of([], []), RowRanges.of(starts, np.full(len(starts), 40))]
    for allowed in scopes:
        for query in QUESTIONS[::9]:
            _assert_top_exact(sparse, query, "", DEPTH, allowed)


def test_ties_at_the_cut_go_to_the_lower_row(synthetic):
    """Repeated headings and group titles score alike: a cut through such a tie keeps the lower rows."""
    sparse, _ = synthetic
    cuts = 0
    for query in QUESTIONS[::2]:
        scores = sparse.scores(query, "")
        ranked = np.sort(scores[scores > 0])[::-1]
        tied = np.flatnonzero(ranked[1:] == ranked[:-1])
        if len(tied):
            _assert_top_exact(sparse, query, "", int(tied[0]) + 1)  # the cut falls between equal scores
            cuts += 1
    assert cuts >= 5


def test_scores_of_given_rows_are_the_exhaustive_ones(synthetic):
    sparse, live = synthetic
    rows = np.sort(np.random.default_rng(1).choice(len(live), 300, replace=False))
    for query in QUESTIONS[:10]:
        assert (sparse.query(query, "mua sắm xanh").scores(rows) == sparse.scores(query, "mua sắm xanh")[rows]).all()


@pytest.mark.parametrize("compiled", [False, True])
def test_top_is_exact_on_the_bundled_corpus(built, compiled, monkeypatch):
    """Every shipped question, unfiltered and filtered to a province, on the real clauses."""
    monkeypatch.setattr(sparse_module, "COMPILED_ROWS", 0 if compiled else 10**9)
    idx = Index.open_files(built)
    assert idx._sparse.compiled == compiled
    for query in QUESTIONS:
        _assert_top_exact(idx._sparse, query, "", DEPTH)
        _assert_top_exact(idx._sparse, query, "", 5, idx._allowed(Filters(locality="Thanh Hóa")))


def test_blocks_split_only_large_segments():
    assert _blocks([100_000] * 10, 2) == [(i, 0, 100_000) for i in range(10)]  # segments enough
    assert _blocks([100_000], 2) == [(0, 0, 50_000), (0, 50_000, 100_000)]
    assert _blocks([10_000, 0, 3], 2) == [(0, 0, 10_000), (2, 0, 3)]  # too small to be worth a thread


def test_row_ranges():
    ranges = RowRanges.of([10, 0, 3, 5], [2, 3, 2, 0])  # [10, 12), [0, 3) + [3, 5) joined
    assert ranges.starts.tolist() == [0, 10] and ranges.stops.tolist() == [5, 12] and len(ranges) == 7
    assert ranges.rows().tolist() == [0, 1, 2, 3, 4, 10, 11]
    assert ranges.within(4, 11).rows().tolist() == [4, 10]
    assert ranges.positions(np.array([1, 4, 7, 11, 12]), 0).tolist() == [0, 1, 3]
    assert ranges.positions(np.array([0, 1, 5, 6]), 6).tolist() == [2]  # rows 6, 7, 11, 12: 11
    assert RowRanges.of([], []).positions(np.array([1, 2])).tolist() == []


def test_sparse_threads_is_a_validated_setting(built, monkeypatch):
    """The sparse top's thread count: the cores by default, from the environment (or file, or an
    override) to the index that searches with it, refused with its name when out of range."""
    assert IndexSettings().sparse_threads == (os.cpu_count() or 1)
    monkeypatch.setenv("POLICYQA_SPARSE_THREADS", "3")
    settings = load_settings(IndexSettings, index_dir=built.index_dir, model=built.model)
    assert settings.sparse_threads == 3 and Index.open_files(settings)._sparse.threads == 3
    for bad, message in (("0", "'sparse_threads' must be between 1 and 256"),
                         ("two", "POLICYQA_SPARSE_THREADS: setting 'sparse_threads' must be int")):
        monkeypatch.setenv("POLICYQA_SPARSE_THREADS", bad)
        with pytest.raises(ValueError, match=message):
            load_settings(IndexSettings)
