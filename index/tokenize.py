"""Terms for the sparse index: two views of the same Vietnamese text.

- accented: pyvi word segmentation, lower-cased, compounds joined with "_" ("môi_trường"). Precise
  when the question is typed with diacritics.
- folded: accent-folded syllables plus each pair of adjacent syllables ("moi", "truong",
  "moi truong"). pyvi cannot segment text typed without diacritics, so syllable pairs stand in
  for compounds and "dan nhan sinh thai" still meets "dán nhãn sinh thái".

Punctuation is dropped and never pairs syllables across it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from ingest.text import fold, nfc

ACCENTED = "accented"
FOLDED = "folded"
VIEWS = (ACCENTED, FOLDED)
VERSION = 1  # of what the views produce: bump on any change here, so cached terms (term_cache) are redone

_PHRASE_BREAK = re.compile(r"[^\w\s]+")  # punctuation ends a phrase: no syllable pair across it
_NOT_WORD = re.compile(r"[^\w]+")
_pyvi = threading.Lock()  # pyvi shares one CRF tagger whose set-then-tag calls must not interleave


def segment(text: str) -> str:
    """pyvi word segmentation: "môi trường" -> "môi_trường" (`segmenter`: pyvi's output, faster)."""
    from index import segmenter  # loads pyvi, scikit-learn (seconds): only when a text is actually segmented

    with _pyvi:
        return segmenter.tokenize(nfc(text))


def accented_terms(text: str) -> list[str]:
    """pyvi words, lower-cased, punctuation removed: "Môi trường." -> ["môi_trường"]."""
    words = (_NOT_WORD.sub("", w) for w in segment(text).lower().split())
    return [w for w in words if w.strip("_")]


MAX_COMPOUND = 4  # syllables in the longest compound a query is matched against


def _phrases(text: str) -> list[list[str]]:
    """A question's syllables, lower-cased, phrase by phrase (punctuation ends a phrase)."""
    return [[w for w in (_NOT_WORD.sub("", s) for s in phrase.split()) if w]
            for phrase in _PHRASE_BREAK.split(nfc(text).lower())]


def accented_query_terms(text: str, known: Callable[[str], bool]) -> list[str]:
    """A question's words as the accented view indexed them, without pyvi: within each phrase,
    the longest run of syllables (up to MAX_COMPOUND) that is a `known` compound, else the syllable.
    Only indexed terms can score, so matching against the index's own words loses nothing pyvi
    would find, and a query never pays for loading pyvi's CRF model (scikit-learn, seconds)."""
    terms: list[str] = []
    for syllables in _phrases(text):
        i = 0
        while i < len(syllables):
            n = next((n for n in range(min(MAX_COMPOUND, len(syllables) - i), 1, -1)
                      if known("_".join(syllables[i:i + n]))), 1)
            terms.append("_".join(syllables[i:i + n]))
            i += n
    return terms


def query_compounds(text: str) -> set[str]:
    """Every compound `accented_query_terms` may ask `known` about, so an index can look them all
    up at once."""
    return {"_".join(s[i:i + n]) for s in _phrases(text) for n in range(2, MAX_COMPOUND + 1)
            for i in range(len(s) - n + 1)}


def folded_terms(text: str) -> list[str]:
    """Folded syllables, then folded syllable pairs within each phrase."""
    phrases = [p.split() for p in _PHRASE_BREAK.split(fold(nfc(text)).replace("_", " "))]
    syllables = [s for p in phrases for s in p]
    pairs = [f"{a} {b}" for p in phrases for a, b in zip(p, p[1:])]
    return syllables + pairs


TERMS = {ACCENTED: accented_terms, FOLDED: folded_terms}
