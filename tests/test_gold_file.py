"""Checks on the gold question set (tests/gold.jsonl) against the bundled corpus.

Text is compared the way the scorer and the ingest layer compare it: Unicode NFC, HTML tags
stripped, white space collapsed, lower-cased.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from ingest.text import fold
from qa.evaluate import KINDS, LANGS, load_gold

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold.jsonl"
CORPUS = ROOT / "corpus"

FIELDS = {"id", "q", "lang", "kind", "gold", "answer"}
KINDS = set(KINDS) - {"list", "compare"}  # those kinds come from the fresh sets (tests/fresh_*.jsonl)
MIN_QUESTIONS = 70
MIN_ANSWERABLE = 40
MIN_NONE = 8
MIN_PER_FILE = 5
GOLD_WORDS = (5, 15)

_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"\s+")


def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _TAG.sub(" ", text)
    return _WS.sub(" ", text).strip().lower()


@cache
def raw_files() -> dict[str, str]:
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}
    assert files, f"no corpus files in {CORPUS}"
    return files


@cache
def file_texts() -> dict[str, str]:
    return {name: norm(text) for name, text in raw_files().items()}


@cache
def corpus_text() -> str:
    return norm("\n".join(raw_files().values()))


@cache
def segments() -> tuple[str, ...]:
    """Pieces of text that contain no line break, table-cell break (tab) or HTML tag."""
    out = []
    for text in raw_files().values():
        for piece in re.split(r"<[^>]+>|[\n\t]", unicodedata.normalize("NFC", text)):
            piece = norm(piece)
            if piece:
                out.append(piece)
    return tuple(out)


def files_containing(s: str) -> list[str]:
    s = norm(s)
    return [name for name, text in file_texts().items() if s in text]


def load_lines() -> list[str]:
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


@cache
def records() -> tuple[dict, ...]:
    return tuple(json.loads(line) for line in load_lines())


def answerable() -> list[dict]:
    return [r for r in records() if r["kind"] != "none"]


def test_every_line_parses_with_required_fields():
    """The scorer's own validation (fields, types, lang, kind, gold/answer presence, unique ids),
    plus this file's house rules."""
    assert len(load_gold(GOLD)) >= MIN_QUESTIONS
    for n, line in enumerate(load_lines(), 1):
        rec = json.loads(line)
        assert set(rec) == FIELDS, f"line {n}: fields {sorted(rec)}"
        for name in ("gold", "answer"):
            assert len(set(rec[name])) == len(rec[name]), f"line {n}: repeated {name} string"
        assert re.fullmatch(r"g\d{3}", rec["id"]), f"line {n}: id {rec['id']!r}"
        assert rec["q"].strip() == rec["q"], f"line {n}: padded question"


def test_ids_and_questions_unique():
    ids = Counter(r["id"] for r in records())
    assert not [i for i, c in ids.items() if c > 1], "duplicate ids"
    qs = Counter(norm(r["q"]) for r in records())
    assert not [q for q, c in qs.items() if c > 1], "duplicate questions"


def test_none_questions_have_no_gold_or_answer():
    nones = [r for r in records() if r["kind"] == "none"]
    assert len(nones) >= MIN_NONE
    for r in nones:
        assert r["gold"] == [] and r["answer"] == [], r["id"]


def test_answerable_questions_have_gold_and_answer():
    assert len(answerable()) >= MIN_ANSWERABLE
    for r in answerable():
        assert r["gold"], f"{r['id']}: no gold"
        assert r["answer"], f"{r['id']}: no answer"


def test_gold_strings_occur_in_corpus():
    corpus = corpus_text()
    missing = [(r["id"], g) for r in records() for g in r["gold"] if norm(g) not in corpus]
    assert not missing, missing


def test_gold_strings_come_from_exactly_one_file():
    bad = []
    for r in records():
        for g in r["gold"]:
            where = files_containing(g)
            if len(where) != 1:
                bad.append((r["id"], g, where))
    assert not bad, bad


def test_gold_strings_do_not_span_breaks_or_tags():
    segs = segments()
    spanning = [(r["id"], g) for r in records() for g in r["gold"] if not any(norm(g) in s for s in segs)]
    assert not spanning, spanning


def test_gold_strings_are_5_to_15_words():
    lo, hi = GOLD_WORDS
    bad = [(r["id"], g) for r in records() for g in r["gold"] if not lo <= len(g.split()) <= hi]
    assert not bad, bad


def test_answer_strings_occur_in_the_gold_document():
    corpus = corpus_text()
    bad = []
    for r in answerable():
        docs = {name for g in r["gold"] for name in files_containing(g)}
        for a in r["answer"]:
            if norm(a) not in corpus or not any(norm(a) in file_texts()[d] for d in docs):
                bad.append((r["id"], a))
    assert not bad, bad


def test_nodiac_questions_have_no_diacritics_and_vi_questions_do():
    for r in records():
        q = unicodedata.normalize("NFC", r["q"])
        if r["lang"] == "vi-nodiac":
            assert fold(q) == q.lower(), f"{r['id']}: diacritics in {q!r}"
        elif r["lang"] == "vi":
            assert fold(q) != q.lower(), f"{r['id']}: vi question typed without diacritics"


def test_fold_detects_marks():
    assert fold("Đơn vị nào chủ trì") == "don vi nao chu tri"
    assert fold("don vi nao") == "don vi nao"


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.txt")))
def test_every_corpus_file_sources_enough_questions(name):
    n = sum(1 for r in answerable() if any(name in files_containing(g) for g in r["gold"]))
    assert n >= MIN_PER_FILE, f"{name}: only {n} questions"


def test_coverage_of_kinds_and_languages():
    recs = records()
    kinds = Counter(r["kind"] for r in recs)
    assert set(kinds) == KINDS, f"kinds missing: {KINDS - set(kinds)}"
    for kind in ("partner", "when", "basis"):
        assert kinds[kind] >= 3, f"too few {kind} questions"
    langs = Counter(r["lang"] for r in recs)
    share = {lang: langs[lang] / len(recs) for lang in LANGS}
    assert 0.45 <= share["vi"] <= 0.65, share
    assert 0.15 <= share["vi-nodiac"] <= 0.30, share
    assert 0.20 <= share["en"] <= 0.35, share
    for lang in LANGS:
        assert any(r["kind"] == "none" for r in recs if r["lang"] == lang), f"no none question in {lang}"
