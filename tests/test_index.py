"""The index on the bundled corpus: retrieval, filters, the directory format, incremental and
atomic (re)indexing. The corpus index is built once per session; tests that write copy it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import index.build
import index.dense
import index.merger
from index import Index, IndexEmpty, IndexLocked, IndexMismatch, IndexNotFound, current_generation, remove, resync, sync
from index import segment, store
from settings import Settings
from index.errors import IndexDamaged
from index.model import FileError, Filters
from ingest import ingest_paths
from ingest.text import fold
from conftest import private_copy


@pytest.fixture(scope="session")
def idx(built) -> Index:
    return Index.open(built)


@pytest.fixture
def writable(built, tmp_path) -> Settings:
    """A private copy of the built index and of its corpus, its sources the copied files."""
    settings = private_copy(built, tmp_path)
    changes = sync(settings, [settings.corpus_dir])
    assert not changes.changed and not changes.errors and changes.embedded == 0
    return settings


def _place(hit) -> str:
    return fold(" ".join(filter(None, (hit.doc.locality, hit.doc.province, hit.doc.issuer))))


# --- retrieval -------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "dán nhãn xanh chứng nhận nhãn xanh sản phẩm thân thiện môi trường",
    "dan nhan xanh chung nhan nhan xanh san pham than thien moi truong",
])
def test_eco_label_row_of_thanh_hoa_led_by_natural_resources(idx, query):
    top = idx.search(query, k=3)
    assert any(h.kind == "table_row" and h.row.lead == "Sở Tài nguyên và Môi trường" and "thanh hoa" in _place(h)
               and "chứng nhận nhãn xanh đối với sản phẩm thân thiện môi trường" in h.text for h in top)


@pytest.mark.parametrize("query", [
    "mua sắm công xanh kinh phí sự nghiệp",
    "mua sam cong xanh kinh phi su nghiep",
    "Sở Tài chính chủ trì gì",
])
def test_finance_department_row(idx, query):
    top = idx.search(query, k=3)
    assert any(h.kind == "table_row" and h.row.lead == "Sở Tài chính" for h in top)


def test_hits_are_ranked_and_carry_their_document(idx):
    hits = idx.search("túi nhựa khó phân hủy chợ đạt chuẩn văn minh", k=10)
    assert len(hits) == 10 and [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.doc.doc_id in idx.documents and h.citation for h in hits)
    assert idx.search("   ") == [] and idx.search("túi nhựa", k=0) == []


def test_expansion_adds_vietnamese_terms_to_an_english_question(idx):
    question = "which agency leads green public procurement?"
    plain = idx.search(question, k=5)
    expanded = idx.search(question, k=5, expansion="mua sắm công xanh kinh phí sự nghiệp")
    assert any(h.row.lead == "Sở Tài chính" for h in expanded)
    assert [h.id for h in plain] != [h.id for h in expanded]


# --- filters ---------------------------------------------------------------------------------

def test_locality_filter_keeps_a_province_and_its_districts(idx):
    hits = idx.search("tuyên truyền sản xuất và tiêu dùng bền vững", k=20, filters=Filters(locality="thanh hoa"))
    assert hits and all("thanh hoa" in _place(h) for h in hits)


def test_doc_year_and_type_filters(idx):
    some = next(iter(idx.documents.values()))
    hits = idx.search("sản xuất và tiêu dùng bền vững", k=50, filters=Filters(doc_ids=(some.doc_id,)))
    assert hits and {h.doc.doc_id for h in hits} == {some.doc_id}
    hits = idx.search("sản xuất và tiêu dùng bền vững", k=50, filters=Filters(year=some.year, doc_type=some.doc_type))
    assert hits and all(h.doc.year == some.year and h.doc.doc_type == some.doc_type for h in hits)
    assert idx.search("sản xuất", filters=Filters(locality="Hà Nội")) == []


# --- directory, manifest, errors ---------------------------------------------------------------

def test_manifest_records_model_documents_and_counts(built, idx):
    generation = current_generation(built)
    assert generation == idx.generation and generation.startswith("gen-")
    path = built.index_dir / generation
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert (manifest["model"], manifest["dimension"]) == (built.model, 384)
    (only,) = manifest["segments"]  # one build, one segment
    assert only["dense"] == "flat-ip" and only["rows"] == manifest["clauses"]
    assert manifest["clauses"] == sum(d["clauses"] for d in manifest["documents"].values()) == len(idx.clauses())
    for doc_id, entry in manifest["documents"].items():
        source = Path(entry["source"])
        assert source.parent == built.corpus_dir.resolve()
        assert entry["content_hash"] == hashlib.sha256(source.read_bytes()).hexdigest()
        assert entry["clauses"] == len(idx.clauses(doc_id)) == idx.clause_counts()[doc_id] > 0
        assert entry["segment"] == only["name"] and 0 <= entry["start"] < only["rows"]
    assert {f.name for f in path.iterdir()} == {"manifest.json"}
    files = {f.name for f in (built.index_dir / only["name"]).iterdir()}
    assert {"embeddings.npy", "clauses.jsonl", "documents.jsonl", "terms.tsv", "filters.json"} <= files
    assert "dense.faiss" not in files  # exact search reads the embeddings: one copy of the vectors
    stats = idx.stats()
    assert (stats.documents, stats.clauses, stats.dimension) == (len(idx.documents), manifest["clauses"], 384)
    assert stats.size_bytes > 0


def test_stats_outlive_the_pruning_of_their_generation(writable):
    idx = Index.open(writable)
    size = idx.stats().size_bytes
    ids = list(idx.documents)
    remove(writable, ids[:1])
    remove(writable, ids[1:2])
    assert not (writable.index_dir / idx.generation).exists()
    assert idx.stats().size_bytes == size > 0


def test_large_segments_switch_to_hnsw(writable):
    settings = Settings(index_dir=writable.index_dir, corpus_dir=writable.corpus_dir, ann_threshold=10)
    remove(settings, [next(iter(Index.open(settings).documents))])
    index.merger.compact(settings)  # a merge writes a segment past the threshold
    manifest = json.loads((settings.index_dir / current_generation(settings) / "manifest.json").read_text())
    assert [s["dense"] for s in manifest["segments"]] == ["hnsw"]
    files = {f.name for f in (settings.index_dir / manifest["segments"][0]["name"]).iterdir()}
    assert "dense.faiss" in files and "embeddings.npy" not in files  # the graph holds the one copy
    assert any(h.row.lead == "Sở Tài chính" for h in Index.open(settings).search("mua sắm công xanh kinh phí sự nghiệp", k=3))


def test_missing_and_mismatched_index(built, tmp_path):
    with pytest.raises(IndexNotFound):
        Index.open(Settings(index_dir=tmp_path / "nothing"))
    assert current_generation(Settings(index_dir=tmp_path / "nothing")) is None
    with pytest.raises(IndexMismatch, match="policyqa index"):
        Index.open(Settings(index_dir=built.index_dir, model="intfloat/multilingual-e5-small"))


# --- incremental indexing --------------------------------------------------------------------

NEW_PLAN = """KẾ HOẠCH

Bảo vệ rừng ven biển năm 2025

I. NHIỆM VỤ

1. Trồng rừng ngập mặn ven biển trên địa bàn huyện, ưu tiên các xã bị sạt lở.

2. Tuyên truyền người dân tham gia bảo vệ rừng phòng hộ.
"""


def _no_encoder(monkeypatch):
    def refuse(model):
        raise AssertionError("nothing should be embedded")
    monkeypatch.setattr(index.build, "load_encoder", refuse)


def test_unchanged_corpus_embeds_nothing_and_keeps_the_generation(writable, monkeypatch):
    _no_encoder(monkeypatch)
    before = current_generation(writable)
    changes = sync(writable, [writable.corpus_dir])
    assert not changes.changed and changes.embedded == 0 and len(changes.unchanged) == len(Index.open(writable).documents)
    assert current_generation(writable) == before


def test_add_change_and_remove_files(writable):
    corpus = writable.corpus_dir
    thanh_hoa = next(p for p in corpus.iterdir() if p.name.startswith("thanh-hoa"))
    doomed = next(p for p in corpus.iterdir() if p.name.startswith("nghi-xuan"))
    text = thanh_hoa.read_text(encoding="utf-8")
    assert "mua sắm công xanh đối với nguồn kinh phí sự nghiệp" in text
    thanh_hoa.write_text(text.replace("mua sắm công xanh đối với nguồn kinh phí sự nghiệp",
                                      "mua sắm công xanh đối với dự án khinh khí cầu"), encoding="utf-8")
    (corpus / "extra").mkdir()
    (corpus / "extra" / "new-plan.txt").write_text(NEW_PLAN, encoding="utf-8")
    doomed.unlink()
    old = Index.open(writable)

    changes = sync(writable, [corpus])
    new = Index.open(writable)
    assert len(changes.added) == 1 and len(changes.removed) == 1 and len(changes.updated) == 1
    assert changes.removed[0] not in new.documents and changes.added[0] in new.documents
    assert 0 < changes.embedded <= len(new.clauses(changes.added[0])) + 2  # the new and the edited clauses only
    assert new.generation != old.generation
    assert any("khinh khí cầu" in h.text for h in new.search("khinh khi cau", k=3))
    assert not any("khinh khí cầu" in h.text for h in old.search("khinh khi cau", k=3))
    assert new.search("trồng rừng ngập mặn", k=1)[0].doc.doc_id == changes.added[0]


def test_documents_from_elsewhere_survive_a_sync_of_the_corpus(writable, tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "uploaded-copy.txt").write_text(NEW_PLAN, encoding="utf-8")
    added = sync(writable, [uploads]).added
    assert len(added) == 1
    changes = sync(writable, [writable.corpus_dir])
    assert not changes.changed and added[0] in Index.open(writable).documents
    (uploads / "uploaded-copy.txt").unlink()
    assert resync(writable).removed == added


def test_a_vanished_path_is_reported_and_what_it_held_removed(writable):
    one = next(writable.corpus_dir.glob("hau-giang*"))
    (doc_id,) = sync(writable, [one]).unchanged
    one.unlink()
    changes = sync(writable, [one])
    assert changes.removed == (doc_id,)
    assert changes.errors == (FileError(str(one), "missing", "no such file or directory"),)
    assert doc_id not in Index.open(writable).documents


def test_bad_files_are_reported_and_skipped(writable):
    (writable.corpus_dir / "broken.docx").write_bytes(b"not a zip archive")
    (writable.corpus_dir / "empty.txt").write_bytes(b"")
    changes = sync(writable, [writable.corpus_dir])
    assert sorted((Path(e.path).name, e.code) for e in changes.errors) == [("broken.docx", "corrupt"),
                                                                            ("empty.txt", "empty")]
    assert not changes.changed
    empty = next(e for e in changes.errors if e.code == "empty")
    assert str(empty) == f"{writable.corpus_dir / 'empty.txt'}: empty file"  # as the CLI prints it
    as_json = json.loads(json.dumps(changes.to_dict()))
    assert {"path": empty.path, "code": "empty", "reason": "empty file"} in as_json["errors"]


def test_a_first_index_with_no_documents_is_not_published(tmp_path):
    settings = Settings(index_dir=tmp_path / "index", lock_timeout=0)
    missing = tmp_path / "no-corpus"
    with pytest.raises(IndexEmpty, match=f"{missing}: no such file or directory") as refused:
        sync(settings, [missing])
    assert isinstance(refused.value, ValueError) and refused.value.errors[0].code == "missing"
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "empty.txt").write_bytes(b"")
    with pytest.raises(IndexEmpty, match="empty.txt: empty file"):
        sync(settings, [tmp_path / "corpus"])
    assert current_generation(settings) is None  # so the next start builds again


def test_a_file_named_like_an_indexed_one_does_not_replace_it(writable, tmp_path):
    original = next(writable.corpus_dir.glob("thanh-hoa*"))
    (doc_id,) = sync(writable, [original]).unchanged
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    namesake = elsewhere / original.name
    namesake.write_text(NEW_PLAN, encoding="utf-8")

    changes = sync(writable, [namesake])
    assert not changes.changed and [e.code for e in changes.errors] == ["duplicate_id"]
    assert changes.errors[0].path == str(namesake) and str(original) in changes.errors[0].reason
    kept = Index.open(writable)
    assert kept.documents[doc_id].content_hash == hashlib.sha256(original.read_bytes()).hexdigest()
    assert not any("ngập mặn" in c.text for c in kept.clauses(doc_id))

    original.unlink()  # with its source gone, the namesake may take the id over
    assert sync(writable, [namesake]).updated == (doc_id,)
    assert Index.open(writable).search("trồng rừng ngập mặn", k=1)[0].doc.doc_id == doc_id


def test_remove_by_document_id(writable):
    doc_id = next(iter(Index.open(writable).documents))
    changes = remove(writable, [doc_id, "no-such-document"])
    assert changes.removed == (doc_id,)
    assert changes.errors == (FileError("no-such-document", "not_indexed", "not in the index"),)
    assert doc_id not in Index.open(writable).documents
    assert not any(h.doc.doc_id == doc_id for h in Index.open(writable).search("sản xuất bền vững", k=50))


def test_old_generations_are_pruned_keeping_the_previous(writable):
    first = current_generation(writable)
    ids = list(Index.open(writable).documents)
    remove(writable, ids[:1])
    second = current_generation(writable)
    remove(writable, ids[1:2])
    generations = sorted(p.name for p in writable.index_dir.iterdir() if p.name.startswith("gen-"))
    assert generations == sorted([second, current_generation(writable)]) and first not in generations


def test_reader_that_lost_a_race_with_pruning_opens_the_newer_generation(writable, monkeypatch):
    pruned = current_generation(writable)
    ids = list(Index.open(writable).documents)
    remove(writable, ids[:1])
    remove(writable, ids[1:2])
    latest = current_generation(writable)
    answers = iter([pruned, latest])
    monkeypatch.setattr(store, "current_generation", lambda index_dir: next(answers, latest))
    assert Index.open(writable).generation == latest


# --- atomic publishing and locking -----------------------------------------------------------

def _edit_one(settings) -> Path:
    """A corpus file with one clause rewritten: the next sync writes a segment."""
    path = next(settings.corpus_dir.glob("thanh-hoa*"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("nguồn kinh phí sự nghiệp", "nguồn vốn khinh khí cầu"), encoding="utf-8")
    return path


def test_failure_while_writing_leaves_the_previous_generation_serving(writable, monkeypatch):
    before = Index.open(writable)
    results = [h.id for h in before.search("mua sắm công xanh", k=5)]
    segments = sorted(p.name for p in writable.index_dir.glob("seg-*"))

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(index.dense, "save", full_disk)
    _edit_one(writable)
    with pytest.raises(OSError, match="No space left"):
        sync(writable, [writable.corpus_dir])
    after = Index.open(writable)
    assert after.generation == before.generation
    assert [h.id for h in after.search("mua sắm công xanh", k=5)] == results
    assert not [p for p in writable.index_dir.iterdir() if p.name.startswith(store.TMP_PREFIX)]
    assert sorted(p.name for p in writable.index_dir.glob("seg-*")) == segments


def test_writer_killed_mid_build_leaves_the_index_openable(writable, tmp_path):
    before = current_generation(writable)
    doc_id = next(iter(Index.open(writable).documents))
    marker = tmp_path / "writing"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        import index.dense
        from index import sync
        from settings import Settings

        def stall(*args):
            Path({str(marker)!r}).touch()
            time.sleep(600)

        index.dense.save = stall
        sync(Settings(index_dir=Path({str(writable.index_dir)!r})), [Path({str(writable.corpus_dir)!r})])
    """)
    _edit_one(writable)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writer = subprocess.Popen([sys.executable, "-c", script], env=env)
    with killed_when_stalled(writer, marker, "the stall", timeout=60):
        assert any(p.name.startswith(store.TMP_PREFIX) for p in writable.index_dir.iterdir())
    assert current_generation(writable) == before
    assert Index.open(writable).search("mua sắm công xanh", k=1)
    assert remove(writable, [doc_id]).removed == (doc_id,)  # the lock died with the writer
    assert not [p for p in writable.index_dir.iterdir() if p.name.startswith(store.TMP_PREFIX)]


def test_second_writer_is_refused_while_the_lock_is_held(writable):
    with store.writer_lock(writable.index_dir, timeout=0):
        with pytest.raises(IndexLocked, match=f"pid {os.getpid()}"):
            sync(writable.with_overrides(lock_timeout=0), [writable.corpus_dir])


QUERIES = ("nguồn vốn khinh khí cầu", "dan nhan sinh thai", "Sở Tài chính chủ trì", "trồng rừng ngập mặn",
           "tuyên truyền sản xuất và tiêu dùng bền vững")


def _assert_scores_as_a_fresh_build(idx: Index) -> None:
    """Sparse scores of every live clause equal those of one segment built from the live clauses alone."""
    from index.sparse import SparseIndex

    rows = np.concatenate([np.arange(s, s + n) for s, n in zip(idx._starts, idx._counts)])  # idx.clauses() order
    fresh = SparseIndex.build(idx.documents, idx.clauses())
    for query in QUERIES:
        scores = idx._sparse.scores(query, "mua sắm xanh")
        assert (scores[rows] == fresh.scores(query, "mua sắm xanh")).all(), query
        assert not scores[~idx._live].any()  # tombstones score nothing


def test_a_changed_document_segments_only_its_changed_text(writable, monkeypatch):
    """Unchanged clauses, places and headings come from the term cache; scores are as from scratch."""
    import index.tokenize

    segmented = []
    real = index.tokenize.segment
    monkeypatch.setattr(index.tokenize, "segment", lambda text: segmented.append(text) or real(text))
    thanh_hoa = _edit_one(writable)
    assert sync(writable, [writable.corpus_dir]).updated == (thanh_hoa.stem,)
    assert segmented and all("khinh khí cầu" in t for t in segmented)  # the edited clause's text field only
    _assert_scores_as_a_fresh_build(Index.open(writable))


def _no_merges(settings) -> Settings:
    return Settings(index_dir=settings.index_dir, corpus_dir=settings.corpus_dir, lock_timeout=0, merge_factor=64,
                    merge_deleted_share=1.0)


def test_a_build_past_segment_rows_writes_several_segments_that_score_as_one(writable, tmp_path):
    """A build holds one segment's arrays at a time: 100-row segments (documents never cut), and
    every clause scores as in the single segment of the default build."""
    settings = replace(_no_merges(writable), index_dir=tmp_path / "small-segments", segment_rows=100)
    sync(settings, [settings.corpus_dir])
    idx = Index.open(settings)
    entries = store.read_manifest(settings.index_dir / idx.generation)
    rows = {s.name: s.rows for s in entries.segments}
    per_doc = idx.clause_counts()
    assert len(rows) >= 3 and all(r <= 100 or any(n == r for n in per_doc.values()) for r in rows.values())
    _assert_scores_as_a_fresh_build(idx)
    default = Index.open(writable)
    query = "tuyên truyền sản xuất và tiêu dùng bền vững"
    assert [h.id for h in idx.search(query, k=10)] == [h.id for h in default.search(query, k=10)]
    # the rows are the corpus as ingest reads it, documents in id order, cut where the next would not fit
    documents = sorted(ingest_paths([settings.corpus_dir]).documents, key=lambda d: d.meta.doc_id)
    assert idx.clauses() == [c for d in documents for c in d.clauses]
    assert [idx.documents[d.meta.doc_id] for d in documents] == [d.meta for d in documents]
    firsts = sorted((entries.documents[d].segment, entries.documents[d].start, d) for d in idx.documents)
    order = [s.name for s in entries.segments]
    for before, after in zip(order, order[1:]):
        first = next(d for name, start, d in firsts if name == after and start == 0)
        assert rows[before] + per_doc[first] > 100


def _plans(corpus: Path, count: int) -> list[Path]:
    """`count` new plans (distinct texts) in `corpus`."""
    paths = [corpus / f"plan-{i}.txt" for i in range(count)]
    for i, path in enumerate(paths):
        path.write_text(NEW_PLAN.replace("2025", str(2030 + i)), encoding="utf-8")
    return paths


def test_a_build_holds_one_segment_of_documents_at_a_time(tmp_path, monkeypatch):
    """Files are read as their segment fills, and a written segment's documents are let go before
    another file is read: at each segment write, the parsed documents still alive are that
    segment's and the one that did not fit; at each read, at most one segment's, whatever the corpus."""
    import gc
    import weakref

    from bench.scale import STUB_MODEL, install_stub
    from bench.synthetic import CLAUSES_PER_DOC, generate

    install_stub()
    generate(tmp_path / "corpus", 7 * CLAUSES_PER_DOC)
    settings = Settings(index_dir=tmp_path / "index", model=STUB_MODEL, segment_rows=2 * CLAUSES_PER_DOC,
                        lock_timeout=0, merge_factor=64)
    read: list[weakref.ref] = []
    real_reader, real_write = index.build.reader, segment.write

    def alive() -> set[str]:
        gc.collect()
        return {ref().doc_id for ref in read if ref() is not None}

    held = []  # documents alive as each file is read

    def reader(*args):
        real = real_reader(*args)

        def counted(path):
            held.append(alive())
            document = real(path)
            read.append(weakref.ref(document.meta))
            return document
        return counted

    writes = []

    def write(index_dir, batch, *args):
        writes.append((len(read), alive(), set(batch.documents)))
        return real_write(index_dir, batch, *args)

    monkeypatch.setattr(index.build, "reader", reader)
    monkeypatch.setattr(segment, "write", write)
    assert len(sync(settings, [tmp_path / "corpus"]).added) == 7
    assert [len(docs) for _, _, docs in writes] == [2, 2, 2, 1]
    for i, (reads, alive, docs) in enumerate(writes):
        last = i == len(writes) - 1
        assert reads == 2 * i + len(docs) + (not last)  # this segment's files and the next one, no more
        assert docs <= alive and len(alive - docs) == (not last)
    assert max(map(len, held)) == 2  # while a segment fills, the last one's documents are gone
    assert len(Index.open(settings).documents) == 7


def test_a_model_switch_reads_every_document_back_from_its_segment_a_segment_at_a_time(tmp_path, monkeypatch):
    """A new model redoes every vector: each document's clauses are read back from its old segment
    (no file is read, no old vector loaded) into new segments of `segment_rows`, in the same order."""
    from bench.scale import STUB_MODEL, _StubEncoder, install_stub
    from bench.synthetic import CLAUSES_PER_DOC, generate
    from index import embed

    install_stub()
    generate(tmp_path / "corpus", 5 * CLAUSES_PER_DOC)
    settings = Settings(index_dir=tmp_path / "index", model=STUB_MODEL, segment_rows=2 * CLAUSES_PER_DOC,
                        lock_timeout=0, merge_factor=64)
    sync(settings, [tmp_path / "corpus"])
    old, clauses = _segments(settings), Index.open(settings).clauses()
    monkeypatch.setitem(embed._encoders, "another-stub", _StubEncoder())
    monkeypatch.setattr(index.build, "reader", lambda *args: lambda path: pytest.fail(f"{path} was read"))
    switched = replace(settings, model="another-stub")
    with pytest.MonkeyPatch.context() as patch:  # nor are the old vectors: they are of the other model
        patch.setattr(index.dense, "load", lambda *args: pytest.fail("old vectors were loaded"))
        changes = sync(switched, [tmp_path / "corpus"])
    assert not changes.changed and 0 < changes.embedded <= len(clauses)
    manifest = store.read_manifest(store.generation_path(settings.index_dir))
    assert manifest.model == "another-stub" and not set(old) & set(_segments(settings))
    assert [s.rows for s in manifest.segments] == [2 * CLAUSES_PER_DOC, 2 * CLAUSES_PER_DOC, CLAUSES_PER_DOC]
    assert Index.open(switched).clauses() == clauses


def test_a_failure_between_segments_leaves_the_previous_generation_serving(writable):
    """A build of three one-document segments fails writing its second: nothing is published, and
    the first, written but listed by no generation, goes at the next write."""
    before = Index.open(writable)
    results = [h.id for h in before.search("trồng rừng ngập mặn", k=5)]
    segments = set(p.name for p in writable.index_dir.glob("seg-*"))
    _plans(writable.corpus_dir, 3)
    settings = replace(_no_merges(writable), segment_rows=1)
    real, calls = segment.write, []

    def full_on_the_second(*args):
        calls.append(args)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(segment, "write", full_on_the_second)
        with pytest.raises(OSError, match="No space left"):
            sync(settings, [settings.corpus_dir])
    assert current_generation(writable) == before.generation
    assert [h.id for h in Index.open(writable).search("trồng rừng ngập mặn", k=5)] == results
    (leftover,) = set(p.name for p in writable.index_dir.glob("seg-*")) - segments
    assert sorted(sync(settings, [settings.corpus_dir]).added) == ["plan-0", "plan-1", "plan-2"]
    assert not (writable.index_dir / leftover).exists() and len(_segments(settings)) == len(segments) + 3


def test_a_writer_killed_between_segments_leaves_the_previous_generation_serving(writable, tmp_path):
    """kill -9 while the third file is read, the first of three segments written: the previous
    generation serves, the lock is free, and the next writer to take it deletes the unlisted segment."""
    before = current_generation(writable)
    segments = set(p.name for p in writable.index_dir.glob("seg-*"))
    marker = tmp_path / "reading"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        import index.build
        from index import sync
        from settings import Settings

        real, reads = index.build.reader, []

        def reader(*args):
            read = real(*args)
            def stalled(path):
                reads.append(path)
                if len(reads) == 3:
                    Path({str(marker)!r}).touch()
                    time.sleep(600)
                return read(path)
            return stalled

        index.build.reader = reader
        sync(Settings(index_dir=Path({str(writable.index_dir)!r}), segment_rows=1), [Path({str(writable.corpus_dir)!r})])
    """)
    _plans(writable.corpus_dir, 3)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writer = subprocess.Popen([sys.executable, "-c", script], env=env)
    with killed_when_stalled(writer, marker, "the third read", timeout=120):
        pass
    (leftover,) = set(p.name for p in writable.index_dir.glob("seg-*")) - segments
    assert current_generation(writable) == before and opens_whole(writable)
    assert locks_free(writable.index_dir) and not (writable.index_dir / leftover).exists()  # the lock's taker prunes
    assert len(sync(writable, [writable.corpus_dir]).added) == 3


def test_a_change_writes_a_segment_and_rewrites_nothing(writable):
    """The old segment's files stay as written; the changed document's old rows become tombstones."""
    (old,) = writable.index_dir.glob("seg-*")
    written = {f.name: (f.stat().st_mtime_ns, f.read_bytes()) for f in old.iterdir()}
    _edit_one(writable)
    sync(_no_merges(writable), [writable.corpus_dir])
    idx = Index.open(writable)
    manifest = store.read_manifest(writable.index_dir / idx.generation)
    assert [s.name for s in manifest.segments][0] == old.name and len(manifest.segments) == 2
    assert {f.name: (f.stat().st_mtime_ns, f.read_bytes()) for f in old.iterdir()} == written
    live = manifest.live_rows()
    assert live[old.name] == manifest.segments[0].rows - manifest.documents["thanh-hoa" + _stem_tail(writable)].clauses
    assert (~idx._live).sum() == manifest.segments[0].rows - live[old.name] > 0
    hits = idx.search("nguồn kinh phí sự nghiệp mua sắm công xanh", k=50)
    assert not any("nguồn kinh phí sự nghiệp" in h.text and h.doc.doc_id.startswith("thanh-hoa") for h in hits)


def _stem_tail(settings) -> str:
    return next(settings.corpus_dir.glob("thanh-hoa*")).stem.removeprefix("thanh-hoa")


def test_segments_and_tombstones_score_exactly_as_one_build(writable, tmp_path):
    """Added, changed and removed documents across several segments (no merge): BM25 statistics are
    corpus-wide, so every live clause scores as in a single build of the same clauses."""
    settings = _no_merges(writable)
    _edit_one(settings)
    sync(settings, [settings.corpus_dir])
    (settings.corpus_dir / "new-plan.txt").write_text(NEW_PLAN, encoding="utf-8")
    sync(settings, [settings.corpus_dir])
    doomed = next(settings.corpus_dir.glob("nghi-xuan*"))
    remove(settings, [doomed.stem])
    doomed.unlink()
    idx = Index.open(settings)
    assert len(store.read_manifest(settings.index_dir / idx.generation).segments) == 3
    assert "new-plan" in idx.documents and doomed.stem not in idx.documents
    _assert_scores_as_a_fresh_build(idx)
    assert idx.search("trồng rừng ngập mặn", k=1)[0].doc.doc_id == "new-plan"
    assert {c.doc_id for c in idx.clauses()} == set(idx.documents)

    index.merger.compact(settings)  # and after merging them into one
    merged = Index.open(settings)
    assert len(store.read_manifest(settings.index_dir / merged.generation).segments) == 1 and merged._live.all()
    _assert_scores_as_a_fresh_build(merged)
    assert [h.id for h in merged.search("trồng rừng ngập mặn", k=10)] == [h.id for h in idx.search("trồng rừng ngập mặn", k=10)]


def _held_merges(monkeypatch) -> threading.Event:
    """Background merges write their segments, then wait for the returned event before publishing."""
    go = threading.Event()
    real = index.merger.plan_and_write

    def held(*args, **kwargs):
        merged = real(*args, **kwargs)
        assert go.wait(60), "the test never let the merge go on"
        return merged

    monkeypatch.setattr(index.merger, "plan_and_write", held)
    return go


def _segments(settings) -> list[str]:
    return [s.name for s in store.read_manifest(store.generation_path(settings.index_dir)).segments]


def test_the_merge_policy_runs_in_the_background_of_a_write(writable, monkeypatch):
    """With a merge factor of 2, the second small segment of a tier is merged with the first, after
    the write published its own generation; a segment whose deleted share passes the threshold is
    rewritten without its tombstones."""
    go = _held_merges(monkeypatch)
    settings = Settings(index_dir=writable.index_dir, corpus_dir=writable.corpus_dir, lock_timeout=0, merge_factor=2)
    (big,) = writable.index_dir.glob("seg-*")
    (settings.corpus_dir / "new-plan.txt").write_text(NEW_PLAN, encoding="utf-8")
    assert sync(settings, [settings.corpus_dir]).added == ("new-plan",)
    written = current_generation(settings)
    assert len(_segments(settings)) == 2 and index.merger.running()  # published before the merge
    assert Index.open(settings).search("trồng rừng ngập mặn", k=1)[0].doc.doc_id == "new-plan"
    go.set()
    index.merger.wait()
    assert current_generation(settings) != written
    assert _segments(settings) != [big.name] and len(_segments(settings)) == 1  # both under FLOOR rows
    assert not list(settings.index_dir.glob(f"{store.STAGING_PREFIX}*"))
    _assert_scores_as_a_fresh_build(Index.open(settings))

    ids = sorted(Index.open(settings).documents)
    strict = Settings(index_dir=writable.index_dir, corpus_dir=writable.corpus_dir, lock_timeout=0,
                      merge_deleted_share=0.1)
    remove(strict, ids[: len(ids) // 2])
    index.merger.wait()
    manifest = store.read_manifest(store.generation_path(settings.index_dir))
    (only,) = manifest.segments
    assert only.rows == manifest.clauses  # rewritten: no tombstones left
    _assert_scores_as_a_fresh_build(Index.open(settings))


def test_a_write_during_a_merge_wins(writable, monkeypatch):
    """A document removed and one changed while a merge runs stay as that write left them; the merge
    is applied to the write's generation, then the write's own segment merged in turn."""
    go = _held_merges(monkeypatch)
    settings = Settings(index_dir=writable.index_dir, corpus_dir=writable.corpus_dir, lock_timeout=0, merge_factor=2)
    (settings.corpus_dir / "new-plan.txt").write_text(NEW_PLAN, encoding="utf-8")
    sync(settings, [settings.corpus_dir])
    merging_from = current_generation(settings)
    assert index.merger.running()
    doomed = next(settings.corpus_dir.glob("nghi-xuan*"))
    doomed.unlink()
    thanh_hoa = _edit_one(settings)
    changes = sync(settings, [settings.corpus_dir])  # the merge holds no writer lock while it works
    assert changes.removed == (doomed.stem,) and changes.updated == (thanh_hoa.stem,)
    assert len(_segments(settings)) == 3 and current_generation(settings) != merging_from
    go.set()
    index.merger.wait()
    assert len(_segments(settings)) == 1  # the merge, then the write's segment merged with its result
    idx = Index.open(settings)
    assert doomed.stem not in idx.documents and "new-plan" in idx.documents
    assert idx.search("nguồn vốn khinh khí cầu", k=1)[0].doc.doc_id == thanh_hoa.stem
    assert not any("nguồn kinh phí sự nghiệp" in c.text for c in idx.clauses(thanh_hoa.stem))
    _assert_scores_as_a_fresh_build(idx)


def test_a_merge_whose_segments_a_write_replaced_is_given_up(writable):
    """rebase: the merged generation is applied only if every segment it read is still current."""
    from index.merger import Merged, rebase

    settings = _no_merges(writable)
    (settings.corpus_dir / "new-plan.txt").write_text(NEW_PLAN, encoding="utf-8")
    sync(settings, [settings.corpus_dir])
    base = store.read_manifest(store.generation_path(settings.index_dir))
    with store.staging(settings.index_dir) as staged:
        merged = index.merger.plan_and_write(settings, base, staged, everything=True)
        assert isinstance(merged, Merged) and len(merged.manifest.segments) == 1
        assert rebase(merged, base) == merged.manifest
        replaced = replace(base, segments=base.segments[1:], documents={
            d: e for d, e in base.documents.items() if e.segment == base.segments[1].name})
        assert rebase(merged, replaced) is None  # a write dropped a segment the merge read
        assert rebase(merged, replace(base, model="another")) is None


def test_a_reader_keeps_serving_from_pruned_segments(writable):
    """A reader's memory-mapped files stay readable after the writer deletes them."""
    idx = Index.open(writable)
    before = [h.id for h in idx.search("mua sắm công xanh kinh phí sự nghiệp", k=5)]
    clauses = idx.clauses()
    ids = list(idx.documents)
    remove(writable, ids[:1])
    index.merger.compact(writable)
    remove(writable, ids[1:2])
    index.merger.compact(writable)
    assert not (writable.index_dir / idx.generation).exists() and not idx._segments[0].path.exists()
    assert [h.id for h in idx.search("mua sắm công xanh kinh phí sự nghiệp", k=5)] == before
    assert idx.clauses() == clauses


def test_a_no_op_reindex_reads_no_file_whose_stamp_is_unchanged(writable, monkeypatch):
    """Size and mtime as recorded: neither hashed nor the generation's records read; touched: hashed."""
    monkeypatch.setattr(index.build, "_sha256", lambda path: pytest.fail(f"{path} was hashed"))
    monkeypatch.setattr(index.build.segment, "Segment", lambda path: pytest.fail(f"segment {path} was read"))
    assert not sync(writable, [writable.corpus_dir]).changed
    touched = next(writable.corpus_dir.iterdir())
    os.utime(touched, ns=(time.time_ns(), time.time_ns()))
    monkeypatch.undo()
    changes = sync(writable, [writable.corpus_dir])
    assert not changes.changed and touched.stem in changes.unchanged


# --- hostile files, identity, upgrades, damaged directories ----------------------------------

def test_one_hostile_file_costs_itself_only(writable, tmp_path):
    from hostile import nested_html, zip_bomb

    (writable.corpus_dir / "deep.html").write_bytes(nested_html(1000))
    (writable.corpus_dir / "bomb.docx").write_bytes(zip_bomb())
    (writable.corpus_dir / "new-plan.txt").write_text(NEW_PLAN, encoding="utf-8")
    changes = sync(writable, [writable.corpus_dir])
    assert changes.added == ("new-plan",)
    assert sorted((Path(e.path).name, e.code) for e in changes.errors) == [("bomb.docx", "too_large"),
                                                                            ("deep.html", "too_large")]
    assert all(e.reason.endswith("')") and "setting '" in e.reason for e in changes.errors)
    assert Index.open(writable).search("trồng rừng ngập mặn", k=1)[0].doc.doc_id == "new-plan"


def _source(settings, doc_id) -> str:
    return store.read_manifest(store.generation_path(settings.index_dir)).documents[doc_id].source


def test_an_identical_upload_is_a_duplicate_and_takes_nothing_over(writable, tmp_path):
    original = next(writable.corpus_dir.glob("thanh-hoa*"))
    doc_id = original.stem
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / original.name).write_bytes(original.read_bytes())  # the same name and bytes
    (uploads / "ban-sao.txt").write_bytes(original.read_bytes())  # the same bytes, another name
    before = current_generation(writable)

    changes = sync(writable, [uploads])
    assert not changes.changed and current_generation(writable) == before
    assert sorted((Path(e.path).name, e.code) for e in changes.errors) == [("ban-sao.txt", "duplicate"),
                                                                            (original.name, "duplicate")]
    assert all(f"same content as document {doc_id!r} already indexed from {original}" in e.reason
               for e in changes.errors)
    assert _source(writable, doc_id) == str(original)

    original.write_text(original.read_text(encoding="utf-8").replace(
        "mua sắm công xanh đối với nguồn kinh phí sự nghiệp", "mua sắm công xanh cho khinh khí cầu"), encoding="utf-8")
    assert sync(writable, [writable.corpus_dir]).updated == (doc_id,)  # editing the corpus file still works
    assert any("khinh khí cầu" in h.text for h in Index.open(writable).search("khinh khi cau", k=3))
    original.unlink()
    assert sync(writable, [writable.corpus_dir]).removed == (doc_id,)  # and so does deleting it
    assert doc_id not in Index.open(writable).documents


def test_a_moved_corpus_follows_its_files(writable, tmp_path):
    moved = tmp_path / "moved"
    writable.corpus_dir.rename(moved)
    changes = sync(writable, [moved])
    assert not changes.errors and not changes.changed and changes.embedded == 0
    assert all(Path(e.source).parent == moved.resolve()
               for e in store.read_manifest(store.generation_path(writable.index_dir)).documents.values())


def test_an_index_of_another_ingest_version_is_reingested_from_its_sources(writable, tmp_path, monkeypatch):
    from ingest.version import INGEST_VERSION

    path = store.generation_path(writable.index_dir)
    manifest = json.loads((path / store.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["ingest_version"] == INGEST_VERSION
    manifest["ingest_version"] = INGEST_VERSION - 1  # as an older release recorded it ...
    (path / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (only,) = manifest["segments"]
    clauses_file = writable.index_dir / only["name"] / segment.CLAUSES
    clauses = clauses_file.read_text(encoding="utf-8")  # ... with the clauses its code made
    assert clauses.count("Sở Tài chính") > 1
    clauses_file.write_text(clauses.replace("Sở Tài chính", "Sở Tài chánh"), encoding="utf-8")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "new-plan.txt").write_text(NEW_PLAN, encoding="utf-8")

    changes = sync(writable, [uploads])  # a sync elsewhere re-reads the corpus from its recorded sources
    assert changes.added == ("new-plan",) and len(changes.updated) == len(manifest["documents"])
    fresh = Index.open(writable)
    assert not any("Tài chánh" in c.text or "Tài chánh" in (c.row.lead or "") for c in fresh.clauses())
    assert any(h.row.lead == "Sở Tài chính" for h in fresh.search("mua sắm công xanh kinh phí sự nghiệp", k=3))
    assert store.read_manifest(store.generation_path(writable.index_dir)).ingest_version == INGEST_VERSION
    _no_encoder(monkeypatch)
    assert not sync(writable, [uploads]).changed  # and then it is current


def test_leftovers_of_a_killed_writer_go_at_the_next_write_lock(writable):
    leftover = writable.index_dir / f"{store.TMP_PREFIX}gen-20250101T000000000000-abcdef"
    leftover.mkdir()
    (leftover / "clauses.jsonl").write_text("{}\n")
    unlisted = writable.index_dir / f"{store.SEG_PREFIX}20250101T000000000000-abcdef"  # renamed, never published
    shutil.copytree(next(writable.index_dir.glob(f"{store.SEG_PREFIX}*")), unlisted)
    changes = sync(writable, [writable.corpus_dir])
    assert not changes.changed  # nothing was published, and still
    assert not leftover.exists() and not unlisted.exists()
    assert Index.open(writable).search("mua sắm công xanh", k=1)


def test_a_current_copied_as_a_directory_is_named_with_the_cure(writable):
    current = writable.index_dir / store.CURRENT
    target = writable.index_dir / os.readlink(current)
    current.unlink()
    shutil.copytree(target, current)
    with pytest.raises(IndexDamaged, match=r"current is a directory, not the link to a generation.*cp -a.*"
                                                 r"policyqa index"):
        Index.open(writable)
    with pytest.raises(IndexDamaged):
        sync(writable, [writable.corpus_dir])


def test_a_full_disk_reads_as_a_full_disk(writable, monkeypatch):
    before = current_generation(writable)

    def short_write(*args):
        raise OSError("122496 requested and 23520 written")  # how numpy says it

    monkeypatch.setattr(index.dense, "save", short_write)
    _edit_one(writable)
    with pytest.raises(OSError, match=r"^not enough disk space in .* \(No space left on device\); free some space "
                                      r"and retry. The previous index is still serving$"):
        sync(writable, [writable.corpus_dir])
    assert current_generation(writable) == before


@contextmanager
def killed_when_stalled(writer: subprocess.Popen, marker: Path, stall: str, timeout: float = 120):
    """Waits until the writer touches `marker` (where a test made it stall), runs the body, then
    kills it with SIGKILL (also if it never got there)."""
    try:
        deadline = time.monotonic() + timeout
        while not marker.exists():
            assert writer.poll() is None and time.monotonic() < deadline, f"writer did not reach {stall}"
            time.sleep(0.05)
        yield
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()


def opens_whole(settings: Settings) -> bool:
    """The index opens, searches and holds the bundled corpus's documents."""
    try:
        opened = Index.open(settings)
        return bool(opened.search("mua sắm công xanh", k=1)) and len(opened.documents) >= 5
    except Exception:  # noqa: BLE001 - any failure is a corrupt state, counted by the caller
        return False


def locks_free(index_dir: Path) -> bool:
    """Neither the writer lock nor the merge lock is held (a dead holder's is dropped by the OS)."""
    held = store.try_merge_lock(index_dir)
    if held is None:
        return False
    held.close()
    try:
        with store.writer_lock(index_dir, timeout=0):
            return True
    except IndexLocked:
        return False


# A writer announces each phase of its write on stdout (test-only wrappers, no hook in the code):
# writing a segment (its own or a merge's), publishing a generation (manifest, backend, link swap),
# and a background merge round (which holds a segment write and a publication).
PHASES = """
import index.merger, index.segment, index.store

def _announce(module, name, phase):
    real = getattr(module, name)
    def announced(*args, **kwargs):
        print("@phase begin", phase, flush=True)
        result = real(*args, **kwargs)
        print("@phase end", phase, flush=True)
        return result
    setattr(module, name, announced)

_announce(index.segment, "write", "segment")
_announce(index.store, "publish", "publish")
_announce(index.merger, "_round", "merge")
"""


class KillInWrites:
    """kill -9 aimed at the write itself: at each phase a writer announces, with probability 1/2, a
    kill at a random offset within a duration that phase took before (in any round); a writer that
    finishes first is not killed. Counts where each kill landed, from the writer's own markers: in
    a phase still open when it died (the innermost one), or between phases."""

    def __init__(self, rng):
        self.rng = rng
        self.durations: dict[str, list[float]] = {"segment": [0.2], "publish": [0.05], "merge": [1.0]}
        self.landed: dict[str, int] = {}

    def run(self, writer: subprocess.Popen) -> str:
        """Where the kill landed: a phase, "between phases", or "finished" (not killed)."""
        import queue

        lines: queue.Queue = queue.Queue()

        def read() -> None:  # markers only: a line cut short by the kill, or anything else printed, is not one
            for line in writer.stdout:
                if len(marker := line.split()) == 3 and marker[0] == "@phase" and marker[1] in ("begin", "end"):
                    lines.put((time.monotonic(), marker[1:]))
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        began: dict[str, float] = {}  # the phases open, innermost last
        kill_at, killed, deadline = None, False, time.monotonic() + 300
        while True:
            now = time.monotonic()
            if kill_at is not None and now >= kill_at:
                writer.send_signal(signal.SIGKILL)
                killed = True
                break
            assert now < deadline, "the writer went silent"
            try:
                item = lines.get(timeout=min(deadline, kill_at or deadline) - now)
            except queue.Empty:
                continue
            if item is None:
                break
            at, (what, phase) = item
            if what == "begin":
                began[phase] = at
                if kill_at is None and self.rng.random() < 0.5:
                    kill_at = at + self.rng.random() * self.rng.choice(self.durations[phase])
            else:
                self.durations[phase].append(at - began.pop(phase))
        writer.wait()
        if killed:  # what it printed before it died
            for _, (what, phase) in iter(lines.get, None):
                if what == "end":
                    began.pop(phase)
                else:
                    began[phase] = 0.0
        else:
            assert writer.returncode == 0, f"the writer failed ({writer.returncode})"
        open_phases = list(began)
        where = "finished" if not killed else (open_phases[-1] if open_phases else "between phases")
        where = f"{where} (merge)" if "merge" in open_phases and where != "merge" else where
        self.landed[where] = self.landed.get(where, 0) + 1
        return where

    def mid_write(self) -> int:
        return sum(n for where, n in self.landed.items() if where not in ("finished", "between phases"))


def kill_loop(settings: Settings, rounds: int, writer_args: Callable[[], list[str]], seed: int = 11,
              before: Callable[[], None] = lambda: None) -> KillInWrites:
    """`rounds` writers (python -c writer_args()), each changing plan.txt and killed by KillInWrites;
    after each, the index must open whole with both locks free. `before` runs before each writer."""
    import random

    kills = KillInWrites(random.Random(seed))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    corrupt = 0
    for i in range(rounds):
        (settings.corpus_dir / "plan.txt").write_text(NEW_PLAN.replace("2025", str(2025 + i)), encoding="utf-8")
        before()
        writer = subprocess.Popen([sys.executable, "-c", *writer_args()], env=env, stdout=subprocess.PIPE, text=True)
        kills.run(writer)
        corrupt += not (opens_whole(settings) and locks_free(settings.index_dir))
    kills.corrupt = corrupt
    return kills


_SYNC_WRITER = PHASES + """
import sys
from pathlib import Path
from index import merger, sync
from settings import Settings
sync(Settings(index_dir=Path(sys.argv[1]), lock_timeout=30), [Path(sys.argv[2])])
merger.wait()  # as `policyqa index` does
"""


def report(kills: KillInWrites, rounds: int, what: str) -> None:
    print(f"\n[kill -9] {rounds} {what}: {kills.mid_write()} killed inside a write phase, landed "
          f"{dict(sorted(kills.landed.items()))}; {kills.corrupt} corrupt states")


def test_writers_killed_inside_their_writes_leave_no_corrupt_state(writable):
    """The default run's short version of the hundred below."""
    kills = kill_loop(writable, 4, lambda: [_SYNC_WRITER, str(writable.index_dir), str(writable.corpus_dir)])
    report(kills, 4, "writers")
    assert kills.corrupt == 0 and kills.mid_write() >= 1


@pytest.mark.slow
def test_a_hundred_writers_killed_mid_build_leave_no_corrupt_state(writable):
    """kill -9 aimed inside 100 writes (segment, publication, background merge): the index always
    opens whole and the locks are free."""
    kills = kill_loop(writable, 100, lambda: [_SYNC_WRITER, str(writable.index_dir), str(writable.corpus_dir)])
    report(kills, 100, "writers")
    assert kills.corrupt == 0
    assert kills.mid_write() >= 50
    assert sync(writable, [writable.corpus_dir]).errors == ()


def test_a_writer_killed_during_its_background_merge_leaves_its_generation_serving(writable, tmp_path):
    """The write published; its merge had written a staged segment when the process died: the
    write's generation serves, the locks are free, and the next write's merge clears the staging."""
    marker = tmp_path / "merged"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        import index.merger
        from index import sync
        from settings import Settings

        real = index.merger.plan_and_write
        def stall(*args, **kwargs):
            real(*args, **kwargs)
            Path({str(marker)!r}).touch()
            time.sleep(600)

        index.merger.plan_and_write = stall
        sync(Settings(index_dir=Path({str(writable.index_dir)!r}), merge_factor=2), [Path({str(writable.corpus_dir)!r})])
        index.merger.wait()
    """)
    (writable.corpus_dir / "new-plan.txt").write_text(NEW_PLAN, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writer = subprocess.Popen([sys.executable, "-c", script], env=env)
    with killed_when_stalled(writer, marker, "the merge"):
        pass
    written = current_generation(writable)
    assert len(_segments(writable)) == 2 and "new-plan" in Index.open(writable).documents
    (staged,) = writable.index_dir.glob(f"{store.STAGING_PREFIX}*")
    assert list(staged.glob(f"{store.SEG_PREFIX}*"))  # the merged segment, never published
    assert opens_whole(writable) and locks_free(writable.index_dir)
    settings = Settings(index_dir=writable.index_dir, corpus_dir=writable.corpus_dir, lock_timeout=0, merge_factor=2)
    _edit_one(settings)
    sync(settings, [settings.corpus_dir])
    index.merger.wait()
    assert not staged.exists() and current_generation(settings) != written and len(_segments(settings)) == 1


def test_an_index_of_an_older_format_is_refused_by_readers_and_rebuilt_by_the_next_write(writable, tmp_path):
    """An upgrade: the manifest of format 2 (before segments) names its documents and sources; readers
    say to reindex, `policyqa index` re-reads every recorded document into fresh segments, and one
    whose file is gone is reported removed (its old record cannot be read back)."""
    extra = tmp_path / "elsewhere" / "ghi-chu.txt"
    extra.parent.mkdir()
    extra.write_text("KẾ HOẠCH\n1. Phòng Tài nguyên và Môi trường chủ trì phân loại rác tại nguồn.\n", encoding="utf-8")
    assert sync(writable, [extra.parent]).added == ("ghi-chu",)
    extra.unlink()
    path = store.generation_path(writable.index_dir)
    manifest = json.loads((path / store.MANIFEST).read_text(encoding="utf-8"))
    old = {**manifest, "format_version": 2, "dense_index": "flat-ip"}
    old.pop("segments")
    (path / store.MANIFEST).write_text(json.dumps(old), encoding="utf-8")
    import index as index_package
    assert index_package.outdated(writable)
    with pytest.raises(IndexMismatch, match="format version 2.*policyqa index"):
        Index.open(writable)
    changes = sync(writable, [writable.corpus_dir])
    assert sorted(changes.updated) == sorted(set(manifest["documents"]) - {"ghi-chu"})
    assert changes.removed == ("ghi-chu",) and [e.code for e in changes.errors] == ["missing"]
    assert Index.open(writable).stats().documents == len(manifest["documents"]) - 1
    assert not index_package.outdated(writable)
