"""The Milvus backend on Milvus Lite: BM25 as sparse vectors, filters as expressions, alias
publishing, kill -9 during a build, and the same top-10 as the embedded backend."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus")

from index import Index, IndexNotFound, current_generation, merger, milvus, remove, store, sync
from index.config import ROOT
from settings import Settings
from index.filtering import _words as words, admits
from index.model import Filters
from qa.evaluate import load_gold

from conftest import private_copy
from test_index import NEW_PLAN, PHASES, kill_loop, killed_when_stalled, report

QUESTIONS = [q.q for q in load_gold(ROOT / "tests" / "gold.jsonl")]


def _migrated(built: Settings, tmp_path: Path) -> Settings:
    """A private copy of the embedded index, reindexed into Milvus Lite: the migration path."""
    settings = private_copy(built, tmp_path).with_overrides(backend="milvus")
    changes = sync(settings, [settings.corpus_dir])
    assert not changes.changed and changes.embedded == 0  # every vector reused from the embedded generation
    return settings


@pytest.fixture(scope="session")
def on_milvus(built, tmp_path_factory):
    """The bundled corpus on Milvus Lite, shared read-only by the tests of this file."""
    started = time.perf_counter()
    settings = _migrated(built, tmp_path_factory.mktemp("milvus"))
    print(f"\n[timing] Milvus Lite migration of the bundled corpus: {time.perf_counter() - started:.1f}s")
    yield settings
    milvus.release(settings)


@pytest.fixture
def milvus_writable(built, tmp_path):
    settings = _migrated(built, tmp_path)
    yield settings
    merger.wait()
    milvus.release(settings)


# --- pure parts --------------------------------------------------------------------------------

def test_sparse_vectors_score_as_the_embedded_bm25(built):
    """Inner products of query and clause vectors equal SparseIndex.scores on every clause (to
    float32 rounding), for every gold question, with and without expansion terms."""
    sparse = Index.open(built)._sparse
    documents = milvus.document_vectors(sparse)
    assert milvus.collisions(sparse) == 0
    assert len(documents) == store.read_manifest(store.generation_path(built.index_dir)).clauses
    checked = 0
    for query, expansion in [(q, "") for q in QUESTIONS] + [(QUESTIONS[0], "môi trường bền vững")]:
        terms = milvus.query_vector(query, expansion, sparse.known)
        theirs = sparse.scores(query, expansion)
        ours = np.zeros_like(theirs)
        for row, vector in documents.items():
            ours[row] = milvus.sparse_score(terms, vector)
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5, err_msg=query)
        checked += int((theirs > 0).sum())
    assert checked > 10_000  # the comparison saw real matches, not zeros against zeros


def test_filter_expressions_admit_what_the_embedded_filters_admit(on_milvus):
    """Every place phrase of the corpus (and sub-phrases), type, year and id, through Milvus."""
    idx = Index.open(on_milvus)
    client, collection = milvus.connect(on_milvus), idx._collection
    docs = idx.documents.values()
    phrases = {" ".join(w[i:j]) for d in docs for p in (d.locality, d.province, d.district, d.issuer) if p
               for w in [words(p)] for i, j in combinations(range(len(w) + 1), 2)}
    cases = ([Filters(locality=p) for p in phrases] + [Filters(locality="Hà Nội"), Filters(locality="hoa thanh")]
             + [Filters(doc_type=d.doc_type.upper()) for d in docs if d.doc_type]
             + [Filters(year=d.year) for d in docs if d.year] + [Filters(year=1999)]
             + [Filters(doc_ids=(d.doc_id,)) for d in docs]
             + [Filters(locality="Thanh Hóa", year=2021), Filters(locality="Cao Lãnh", doc_type="kế hoạch")])
    assert len(cases) > 30
    for f in cases:
        expected = {d.doc_id for d in docs if admits(f, d)}
        rows = client.query(collection, filter=milvus.filter_expression(f), output_fields=[milvus.DOC_ID], limit=16384)
        assert {r[milvus.DOC_ID] for r in rows} == expected, f


# --- search ------------------------------------------------------------------------------------

def test_same_top_ten_as_the_embedded_backend(built, on_milvus):
    embedded, on = Index.open(built), Index.open(on_milvus)
    assert isinstance(on, milvus.MilvusIndex)
    dense = {"dense_languages": "vi,vi-nodiac,en"}  # the dense side too, for every question
    embedded_dense, on_dense = Index.open(built.with_overrides(**dense)), Index.open(on_milvus.with_overrides(**dense))
    for q in QUESTIONS[::2]:  # all of them: `python -m bench.agreement` (README)
        assert [h.id for h in on.search(q, 10)] == [h.id for h in embedded.search(q, 10)], q
    for q in QUESTIONS[::8]:
        ours, theirs = on_dense.search(q, 10), embedded_dense.search(q, 10)
        assert [(h.id, h.dense_score is not None) for h in ours] == [(h.id, True) for h in theirs], q
    scoped = Filters(locality="Thanh Hóa")
    assert [h.id for h in on.search(QUESTIONS[0], 10, scoped)] == [h.id for h in embedded.search(QUESTIONS[0], 10, scoped)]
    assert on.search(QUESTIONS[0], 10, Filters(year=1999)) == []


def test_records_read_back_as_the_embedded_ones(built, on_milvus):
    embedded, on = Index.open(built), Index.open(on_milvus)
    assert on.clause_counts() == embedded.clause_counts() and on.documents == embedded.documents
    doc_id = next(iter(on.documents))
    assert on.clauses(doc_id) == embedded.clauses(doc_id)
    assert on.clauses() == embedded.clauses()
    assert on.clauses("no-such-document") == []


def test_an_embedded_index_is_not_served_as_a_milvus_one(built, tmp_path):
    settings = private_copy(built, tmp_path).with_overrides(backend="milvus")
    try:
        with pytest.raises(IndexNotFound, match="no index in Milvus"):
            Index.open(settings)
    finally:
        milvus.release(settings)


# --- publishing --------------------------------------------------------------------------------

def test_publishing_switches_the_alias_and_drops_what_no_generation_keeps(milvus_writable):
    settings = milvus_writable
    client = milvus.connect(settings)
    before = Index.open(settings)
    doc_id = next(iter(before.documents))
    remove(settings, [doc_id])
    after = Index.open(settings)
    assert after.generation == current_generation(settings) != before.generation
    assert doc_id not in after.documents and doc_id in before.documents
    assert before.search(QUESTIONS[0], 3)  # a reader still on the previous generation keeps serving
    ours = sorted(c for c in client.list_collections() if c.startswith(settings.milvus_collection))
    assert ours == sorted(milvus.collection_name(settings, g) for g in (before.generation, after.generation))
    sync(settings, [settings.corpus_dir])  # the document comes back: a third generation, the first one dropped
    ours = {c for c in client.list_collections() if c.startswith(settings.milvus_collection)}
    assert milvus.collection_name(settings, before.generation) not in ours and len(ours) == 2
    assert doc_id in Index.open(settings).documents


def test_segments_keep_plain_vectors_under_milvus_and_get_their_graphs_back_after_migrating(milvus_writable):
    """No local HNSW graph under Milvus (it builds its own); back on the embedded backend, the
    background merge rewrites a plain segment past ann_threshold with its graph."""
    small = milvus_writable.with_overrides(ann_threshold=10)
    (small.corpus_dir / "new-plan.txt").write_text(NEW_PLAN, encoding="utf-8")
    sync(small, [small.corpus_dir])
    merger.compact(small)  # one segment of every live row, far past the threshold
    manifest = store.read_manifest(store.generation_path(small.index_dir))
    assert [s.dense for s in manifest.segments] == ["flat-ip"] and manifest.clauses > 10
    (name,) = [s.name for s in manifest.segments]
    assert (small.index_dir / name / "embeddings.npy").exists() and not (small.index_dir / name / "dense.faiss").exists()
    milvus.release(small)
    embedded = small.with_overrides(backend="embedded")
    assert sync(embedded, [small.corpus_dir]).embedded == 0  # the migration back reuses every vector
    merger.wait()
    manifest = store.read_manifest(store.generation_path(small.index_dir))
    assert [s.dense for s in manifest.segments] == ["hnsw"] and manifest.backend == "embedded"
    assert Index.open(embedded).search("trồng rừng ngập mặn", k=1)[0].doc.doc_id == "new-plan"


# --- kill -9 -----------------------------------------------------------------------------------

_WRITER = PHASES + """
import sys, time
from pathlib import Path
import index.milvus
from index import merger, remove, sync
from settings import Settings

settings = Settings(index_dir=Path(sys.argv[1]), backend="milvus", lock_timeout=30)
if len(sys.argv) > 3:  # stall after some rows are in, signalling it
    def stall(client, name, rows):
        client.insert(name, [next(rows) for _ in range(10)])
        Path(sys.argv[3]).touch()
        time.sleep(600)
    index.milvus._insert = stall
    remove(settings, [sys.argv[2]])
else:
    sync(settings, [Path(sys.argv[2])])
    merger.wait()
"""


def _writer(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, "-c", _WRITER, *args], env=env, stdout=subprocess.DEVNULL)


def test_writer_killed_mid_milvus_build_leaves_the_index_openable(milvus_writable, tmp_path):
    settings = milvus_writable
    before = current_generation(settings)
    doc_id = next(iter(Index.open(settings).documents))
    milvus.release(settings)  # Milvus Lite serves one process: the writer's, until it dies
    marker = tmp_path / "writing"
    with killed_when_stalled(_writer([str(settings.index_dir), doc_id, str(marker)]), marker, "the stall"):
        pass
    client = milvus.connect(settings)
    ours = [c for c in client.list_collections() if c.startswith(settings.milvus_collection)]
    assert len(ours) == 2  # the killed writer's half-filled collection is there, unaliased
    opened = Index.open(settings)
    assert opened.generation == before == current_generation(settings)
    assert opened.search(QUESTIONS[0], 1) and doc_id in opened.documents
    assert remove(settings, [doc_id]).removed == (doc_id,)  # the lock died with the writer
    ours = [c for c in client.list_collections() if c.startswith(settings.milvus_collection)]
    assert sorted(ours) == sorted(milvus.collection_name(settings, g) for g in (before, current_generation(settings)))


def _milvus_kill_loop(settings: Settings, rounds: int):
    def writer() -> list[str]:
        return [_WRITER, str(settings.index_dir), str(settings.corpus_dir)]

    return kill_loop(settings, rounds, writer, before=lambda: milvus.release(settings))  # Lite: one process


def test_milvus_writers_killed_inside_their_writes_leave_no_corrupt_state(milvus_writable):
    kills = _milvus_kill_loop(milvus_writable, 3)
    report(kills, 3, "Milvus writers")
    assert kills.corrupt == 0 and kills.mid_write() >= 1


@pytest.mark.slow
def test_a_hundred_milvus_writers_killed_mid_build_leave_no_corrupt_state(milvus_writable):
    """kill -9 aimed inside 100 writes into Milvus Lite (collection inserts are in the publication
    phase): the index always opens whole."""
    kills = _milvus_kill_loop(milvus_writable, 100)
    report(kills, 100, "Milvus writers")
    assert kills.corrupt == 0 and kills.mid_write() >= 50
    assert sync(milvus_writable, [milvus_writable.corpus_dir]).errors == ()


def test_backend_settings_are_validated():
    with pytest.raises(ValueError, match="setting 'backend' must be one of embedded, milvus, got 'faiss'"):
        Settings(backend="faiss")
    with pytest.raises(ValueError, match="setting 'milvus_collection' must be"):
        Settings(milvus_collection="policy-qa")
    assert Settings().backend == "embedded"
