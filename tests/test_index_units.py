"""Index building blocks on small inputs: tokenizer views, BM25, model profiles, faiss, filters."""

from __future__ import annotations

import re

import numpy as np
import pytest

from index import dense, embed
from index.bm25 import BM25, Postings, idf, weight
from index.clause_text import SHORT_CLAUSE_WORDS, dense_text, sparse_fields
from index.embed import ModelProfile, profile_for
from index.embed_st import SentenceTransformerEncoder
from index.filtering import admits
from index.fusion import fuse
from index.merging import SegmentSize, plan
from index.model import Filters
from index.tokenize import accented_terms, folded_terms
from ingest.model import Clause, DocumentMeta, TaskRow


def test_accented_view_joins_compounds_and_drops_punctuation():
    terms = accented_terms("Sản phẩm thân thiện môi trường, (dán nhãn)!")
    assert "môi_trường" in terms and "sản_phẩm" in terms
    assert all(re.fullmatch(r"\w+", t) for t in terms) and terms == [t.lower() for t in terms]


def test_folded_view_matches_unaccented_text_with_syllable_pairs():
    doc = folded_terms("Dán nhãn sinh thái; Đồng Tháp")
    assert folded_terms("dan nhan sinh thai") == ["dan", "nhan", "sinh", "thai", "dan nhan", "nhan sinh", "sinh thai"]
    assert {"dan nhan", "sinh thai", "dong thap"} <= set(doc)
    assert "thai dong" not in doc  # no pair across punctuation


def test_bm25_ranks_by_term_weight():
    docs = [["mua", "sam", "cong", "xanh"], ["xanh", "xanh"], ["nhan", "sinh", "thai"], []]
    bm25 = BM25.build(docs)
    scores = bm25.scores(["mua", "sam", "xanh"])
    assert scores.argmax() == 0 and scores[2] == 0 and scores[3] == 0
    assert bm25.scores(["unknown"]).tolist() == [0, 0, 0, 0]
    assert bm25.scores(["xanh"], [0.5])[1] == pytest.approx(bm25.scores(["xanh"])[1] / 2)


def test_postings_round_trip_and_score_as_bm25(tmp_path):
    """Query-time scoring over a segment's postings gives the precomputed BM25 of the same field."""
    text = [["mua", "sam", "xanh"], ["xanh"], ["nhan", "sinh", "thai"], ["xanh", "xanh", "mua"]]
    context = [["mua", "sam"], ["mua", "sam", "cong"], [], ["cong"]]
    postings = Postings.build([text, context])
    postings.save(tmp_path / "s")
    loaded = Postings.load(tmp_path / "s")
    assert isinstance(loaded.tf.base, np.memmap) and loaded.lengths.tolist() == [[3, 1, 3, 3], [2, 3, 0, 1]]
    assert loaded.find(np.array(["cong", "zzz", "xanh"])).tolist()[1] == -1
    for f, docs in enumerate((text, context)):
        expected = BM25.build(docs).scores(["xanh", "cong", "mua"])
        got = np.zeros(len(docs))
        average = loaded.lengths[f].sum() / len(docs)
        for t in loaded.find(np.array(["xanh", "cong", "mua"])):
            a, z = loaded.indptr[f, t], loaded.indptr[f, t + 1]
            rows = loaded.rows[a:z]
            got[rows] += weight(float(idf(z - a, len(docs))), loaded.tf[a:z], loaded.lengths[f][rows], average)
        assert np.allclose(got, expected, rtol=1e-6)


def test_merge_policy_merges_a_full_tier_and_rewrites_a_segment_of_tombstones():
    sizes = [SegmentSize("big", 100_000, 99_000), SegmentSize("a", 67, 67), SegmentSize("b", 67, 60),
             SegmentSize("c", 500, 500)]
    assert plan(sizes, 4, 0.3, CAP) == []
    assert plan([*sizes, SegmentSize("d", 900, 900)], 4, 0.3, CAP) == [["a", "b", "c", "d"]]
    assert plan([*sizes, SegmentSize("e", 1000, 600)], 4, 0.3, CAP) == [["e"]]
    assert plan([SegmentSize(str(i), 20_000, 20_000) for i in range(3)], 3, 0.3, CAP) == [["0", "1", "2"]]
    assert plan([*sizes[:1], SegmentSize("plain", 60_000, 60_000, needs_graph=True)], 4, 0.3, CAP) == [["plain"]]
    full = [SegmentSize(str(i), 80_000, 80_000) for i in range(4)]  # one tier, but 320k rows merged
    assert plan(full, 4, 0.3, 250_000) == [] and plan(full, 4, 0.3, 400_000) == [["0", "1", "2", "3"]]
    built = [SegmentSize(f"s{i:02}", 49_982, 49_982) for i in range(20)]  # a 1M build's segments: one tier
    groups = plan(built, 4, 0.3, 250_000)
    assert groups == [[f"s{i:02}" for i in range(g, g + 5)] for g in range(0, 20, 5)]
    merged = [SegmentSize(str(g), 5 * 49_982, 5 * 49_982) for g in range(4)]
    assert plan(merged, 4, 0.3, 250_000) == []  # four at the cap: no merge makes a larger one
    assert plan([*built[:6], SegmentSize("small", 30_000, 30_000)], 4, 0.3, 250_000) == [
        ["s00", "s01", "s02", "s03", "small"]]  # smallest first; the two left make no group of four


CAP = 10**9


def test_bm25_of_nothing_scores_nothing():
    assert BM25.build([]).scores(["x"]).shape == (0,)


class FakeModel:
    """Records what it is asked to encode; a vector per text that depends on its length."""

    def __init__(self):
        self.inputs: list[str] = []

    def encode(self, sentences, **kwargs):
        self.inputs += sentences
        vectors = np.array([[len(s), 1.0, 0.0] for s in sentences], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def get_embedding_dimension(self):
        return 3


@pytest.mark.parametrize("name, query, passage", [
    ("intfloat/multilingual-e5-base", "query: dán nhãn", "passage: môi trường"),
    ("bkai-foundation-models/vietnamese-bi-encoder", "dán nhãn", "môi_trường"),
    ("keepitreal/vietnamese-sbert", "dán nhãn", "môi_trường"),
    ("BAAI/bge-m3", "dán nhãn", "môi trường"),
    ("/models/my-own-model", "dán nhãn", "môi trường"),
])
def test_profile_is_applied_to_queries_and_passages(name, query, passage):
    model = FakeModel()
    encoder = SentenceTransformerEncoder(name, model, profile_for(name))
    encoder.query("dán nhãn")
    encoder.passages(["môi trường"])
    assert model.inputs == [query, passage]


def test_passages_keep_input_order_and_are_normalised():
    encoder = SentenceTransformerEncoder("fake", FakeModel(), ModelProfile())
    texts = ["a" * n for n in (9, 1, 5, 3)]
    vectors = encoder.passages(texts, batch_size=2)
    expected = FakeModel().encode(texts)
    assert np.allclose(vectors, expected) and np.allclose(np.linalg.norm(vectors, axis=1), 1)


def test_encoder_is_loaded_once_per_model(monkeypatch):
    loads = []
    monkeypatch.setattr(embed, "_encoders", {})
    monkeypatch.setattr(embed, "_load", lambda name: loads.append(name) or FakeModel())
    assert embed.load_encoder("m1") is embed.load_encoder("m1")
    embed.load_encoder("m2")
    assert loads == ["m1", "m2"]


def test_unloadable_model_says_which(monkeypatch):
    monkeypatch.setattr(embed, "_encoders", {})
    with pytest.raises(embed.ModelLoadError, match="no-such-model"):
        embed.load_encoder("/nonexistent/no-such-model")


@pytest.mark.parametrize("threshold, kind", [(1000, dense.EXACT), (10, dense.HNSW)])
def test_dense_index_kind_follows_threshold_and_filters(threshold, kind):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(200, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = dense.build(vectors, ann_threshold=threshold)
    assert dense.kind(index) == kind
    rows, scores = dense.search(index, vectors[7], 5)
    assert rows[0] == 7 and scores[0] == pytest.approx(1.0, abs=1e-5)
    rows, _ = dense.search(index, vectors[7], 5, allowed=np.array([3, 50, 99]))
    assert sorted(rows.tolist()) == [3, 50, 99]


def test_fusion_weight_moves_between_retrievers():
    sparse, cosine = np.array([10.0, 0.0, 5.0]), np.array([0.1, 0.9, 0.5])
    assert fuse(sparse, cosine, 0.0).argmax() == 0
    assert fuse(sparse, cosine, 1.0).argmax() == 1
    assert fuse(np.zeros(2), np.zeros(2), 0.5).tolist() == [0, 0]


def test_locality_filter_is_accent_and_case_insensitive_on_whole_words():
    doc = DocumentMeta(doc_id="d", source="d.txt", content_hash="h", locality="huyện Triệu Sơn",
                       province="Thanh Hóa", district="Triệu Sơn", issuer="UBND huyện Triệu Sơn",
                       doc_type="Công văn", year=2021)
    assert admits(Filters(locality="thanh hoa"), doc)
    assert admits(Filters(locality="TRIỆU SƠN"), doc)
    assert not admits(Filters(locality="Tri"), doc)  # a word prefix is not a place
    assert not admits(Filters(locality="Sơn La"), doc)
    assert admits(Filters(doc_type="cong van", year=2021, doc_ids=("d",)), doc)
    assert not admits(Filters(year=2020), doc)
    assert not admits(Filters(doc_ids=("other",)), doc)


def test_short_clauses_carry_their_heading_into_the_dense_input():
    short = Clause(id="d:1", doc_id="d", kind="paragraph", text="Gồm 08 nhiệm vụ.", section=("I. Nhiệm vụ",),
                   order=0, citation="c")
    long = Clause(id="d:2", doc_id="d", kind="paragraph", text=" ".join(["từ"] * SHORT_CLAUSE_WORDS),
                  section=("I. Nhiệm vụ",), order=1, citation="c")
    assert dense_text(short) == "I. Nhiệm vụ · Gồm 08 nhiệm vụ." and dense_text(long) == long.text


def test_table_rows_are_searchable_by_their_agencies_and_place():
    doc = DocumentMeta(doc_id="d", source="d.txt", content_hash="h", locality="tỉnh Thanh Hóa", province="Thanh Hóa")
    row = Clause(id="d:1", doc_id="d", kind="table_row", text="Mua sắm công xanh", section=("Phụ lục",), order=0,
                 citation="c", row=TaskRow(group="VIII. Mua sắm bền vững", lead="Sở Tài chính", partners="UBND cấp huyện"))
    fields = sparse_fields(doc, row)
    assert "chủ trì Sở Tài chính" in fields["text"] and "phối hợp UBND cấp huyện" in fields["text"]
    assert "Thanh Hóa" in fields["place"] and "VIII. Mua sắm bền vững" in fields["context"]


def test_term_cache_tokenises_a_text_once_and_round_trips(tmp_path):
    from index.term_cache import TermCache, TermStore
    from index.tokenize import ACCENTED, FOLDED, accented_terms, folded_terms

    text = "Sở Tài nguyên và Môi trường chủ trì, dán nhãn sinh thái."
    cache = TermCache()
    assert list(cache.terms(ACCENTED, text)) == accented_terms(text)
    assert list(cache.terms(FOLDED, text)) == folded_terms(text) and cache.computed == 1
    cache.terms(ACCENTED, "")
    cache.save(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    TermCache().save(other)  # an empty store
    again = TermCache([TermStore(other), TermStore(tmp_path)])
    assert again.terms(FOLDED, text) == cache.terms(FOLDED, text) and again.terms(ACCENTED, "") == ()
    assert again.computed == 0
    assert TermCache([TermStore(other)]).terms(ACCENTED, text) == cache.terms(ACCENTED, text)


def test_a_query_is_segmented_by_the_indexs_own_compounds_without_pyvi():
    from index.tokenize import accented_query_terms
    known = {"môi_trường", "sinh_thái", "dán_nhãn", "sản_xuất", "tiêu_dùng", "bền_vững", "cơ_quan"}.__contains__
    assert accented_query_terms("Cơ quan nào chủ trì dán nhãn sinh thái?", known) == [
        "cơ_quan", "nào", "chủ", "trì", "dán_nhãn", "sinh_thái"]
    # punctuation ends a phrase: no compound across it
    assert accented_query_terms("môi, trường", known) == ["môi", "trường"]


def test_a_querys_compounds_are_all_it_asks_about():
    """The index looks every candidate compound up at once (sparse.known_among): none is missing."""
    from index.tokenize import accented_query_terms, query_compounds
    text = "Sở Tài nguyên và Môi trường, UBND các huyện thực hiện dán nhãn sinh thái (2021-2025)?"
    asked = []
    accented_query_terms(text, lambda term: asked.append(term) or False)
    assert set(asked) == query_compounds(text) and "môi_trường" in asked and "trường_ubnd" not in asked


def test_searching_loads_no_segmenter(built):
    """pyvi pulls in scikit-learn (seconds, ~170 MB): a server answering questions never loads it."""
    import subprocess
    import sys
    code = ("import sys; from index import Index; from index.config import IndexSettings; "
            f"i = Index.open(IndexSettings(index_dir={str(built.index_dir)!r}, model={built.model!r}, dense_languages='')); "
            "assert i.search('Cơ quan nào chủ trì dán nhãn sinh thái?', 5); "
            "print('pyvi' in sys.modules, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_a_reindex_with_nothing_to_do_loads_no_compiler(built):
    """numba (index.accumulate: seconds to import and load in a new process) serves queries only."""
    import subprocess
    import sys
    code = ("import sys; from index import sync; from index.config import IndexSettings; "
            f"c = sync(IndexSettings(index_dir={str(built.index_dir)!r}, model={built.model!r}), [{str(built.corpus_dir)!r}]); "
            "print(len(c.unchanged) > 0 and not (c.added or c.updated or c.removed), 'numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False"]
