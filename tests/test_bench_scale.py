"""The synthetic corpus and the scale bench: shaped like the seeds, deterministic, measured."""

from collections import Counter

import pytest

from bench.scale import HNSW_EF, HNSW_M, QUESTIONS, SKIPPABLE, STUB_MODEL, format_scale, install_stub, run_scale
from bench.synthetic import CLAUSES_PER_DOC, document, generate
from settings import Settings
from ingest import ingest_file
from ingest.model import TABLE_ROW


def test_documents_ingest_to_the_clauses_they_promise(tmp_path):
    paths = generate(tmp_path / "corpus", 5 * CLAUSES_PER_DOC)
    assert len(paths) == 5
    for path in paths:
        doc = ingest_file(path)
        kinds = Counter(c.kind for c in doc.clauses)
        assert len(doc.clauses) == CLAUSES_PER_DOC
        assert kinds[TABLE_ROW] == 15 and all(c.row.lead for c in doc.clauses if c.kind == TABLE_ROW)
        assert doc.meta.number and doc.meta.locality and doc.meta.year


def test_generation_is_deterministic_and_a_revision_changes_one_clause(tmp_path):
    assert document(7).text == document(7).text and document(7).text != document(8).text
    before, after = tmp_path / "a.txt", tmp_path / "b.txt"
    before.write_text(document(3).text, encoding="utf-8")
    after.write_text(document(3, revision=1).text, encoding="utf-8")
    old, new = ({c.text for c in ingest_file(p).clauses} for p in (before, after))
    assert len(old - new) == 1 and len(new - old) == 1


def test_the_stub_encoder_is_deterministic_and_normalised():
    import index

    install_stub()
    encoder = index.load_encoder(STUB_MODEL)
    a, b = encoder.passages(["dán nhãn sinh thái", "mua sắm xanh"]), encoder.passages(["dán nhãn sinh thái"])
    assert (a[0] == b[0]).all() and abs(float(a[1] @ a[1]) - 1) < 1e-5 and abs(float(a[0] @ a[1])) < 0.3


def test_a_small_scale_run_reports_every_figure(tmp_path):
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(QUESTIONS.read_text(encoding="utf-8").splitlines(keepends=True)[:12]), encoding="utf-8")
    figures = run_scale(Settings(lock_timeout=0), 4 * CLAUSES_PER_DOC, workdir=tmp_path, embed_sample=16,
                        questions=questions)
    assert figures["clauses"] == 4 * CLAUSES_PER_DOC and figures["documents"] == 4
    assert figures["build_clauses_per_s"] > 0 and figures["disk_mb"] > 0
    assert figures["build_cpu_s"] > 0 and figures["build_ingest_cpu_s"] > 0 and figures["build_peak_rss_mb"] >= figures["rss_base_mb"] and figures["segments"] == 1
    assert figures["rss_after_open_mb"] >= figures["rss_base_mb"] > 0 and figures["questions"] == 12
    assert 0 < figures["search_ms"]["p50"] <= figures["search_ms"]["p95"]
    assert figures["change_one_document_s"] > 0 and figures["faiss"]["kind"] == "flat-ip"
    assert figures["merge_s"] > 0 and figures["segments_after_change"] == 2  # no merge policy at this size
    assert {(r["m"], r["ef_search"]) for r in figures["hnsw"]} == {(m, ef) for m in HNSW_M for ef in HNSW_EF}
    assert all(0 < r["recall_at_10"] <= 1 for r in figures["hnsw"])
    assert figures["build_with_embedding_clauses_per_s"] <= figures["embed_clauses_per_s"]
    assert "(extrapolated: stub build" in format_scale(figures) and "load average" in format_scale(figures)
    if figures["bm25s"] is not None:
        assert figures["bm25s"]["search_ms"]["p50"] > 0


def test_a_real_build_with_the_model_is_measured_against_its_raw_rate(tmp_path):
    from bench.embed_build import format_embed_build, run_embed_build

    figures = run_embed_build(Settings(lock_timeout=0), CLAUSES_PER_DOC, tmp_path, sample=16)
    assert figures["clauses"] == CLAUSES_PER_DOC  # every clause embedded by the model, none reused
    assert figures["build_s"] > 0 and figures["embed_clauses_per_s"] > 0
    assert abs(figures["share_of_embedding_rate"] - figures["clauses_per_s"] / figures["embed_clauses_per_s"]) < 0.01
    assert "of the model's raw" in format_embed_build(figures)


def test_a_run_can_skip_its_expensive_steps(tmp_path):
    """`bench --scale N --skip …`: a 1M run leaves out the merge, bm25s and the HNSW sweep."""
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(QUESTIONS.read_text(encoding="utf-8").splitlines(keepends=True)[:6]), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown step.*bogus"):
        run_scale(Settings(lock_timeout=0), CLAUSES_PER_DOC, workdir=tmp_path, skip=frozenset({"bogus"}))
    figures = run_scale(Settings(lock_timeout=0), 2 * CLAUSES_PER_DOC, workdir=tmp_path, embed_sample=8,
                        questions=questions, skip=frozenset(SKIPPABLE))
    assert figures["search_ms"]["p50"] > 0 and figures["rss_after_open_mb"] > 0
    assert all(figures[k] is None for k in ("change_one_document_s", "merge_s", "bm25s", "faiss", "hnsw"))
    text = format_scale(figures)
    assert "merge all segments       skipped" in text and "bm25s alone (same clause texts): skipped" in text
