"""Word-level text keys and phrase matching shared by question analysis, scoring and highlighting.

A "key" is a text reduced to space-separated lower-case word tokens, so a phrase matches on whole
words only. Accented keys keep the marks (with one tone-placement convention, so "hoá" meets
"hóa"); folded keys drop them, for questions typed without diacritics.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from ingest.text import fold, nfc
from qa.model import Term

_TOKEN = re.compile(r"\w+(?:&\w+)*")
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave, acute, tilde, hook, dot below
PARTIAL = 0.9  # credit for a phrase whose parts all occur, but not the phrase itself
_OPEN_PAIR = re.compile(r"(?<!q)(o[ae]|uy)$")  # syllable-final pairs whose tone placement varies


def tokens(text: str) -> list[str]:
    """Lower-case NFC word tokens; "&" stays inside abbreviations like "TN&MT"."""
    return [_old_style_tone(t) for t in _TOKEN.findall(nfc(text).lower())]


def key(text: str, folded: bool = False) -> str:
    """The matching form of `text`: its tokens joined by single spaces, optionally accent-folded."""
    toks = tokens(text)
    return " ".join(fold(t) for t in toks) if folded else " ".join(toks)


def contains(haystack_key: str, phrase_key: str) -> bool:
    """Whole-word containment of one key in another."""
    return bool(phrase_key) and f" {phrase_key} " in f" {haystack_key} "


def _old_style_tone(token: str) -> str:
    """Put the tone of a final "oa/oe/uy" on the first vowel ("hoá" -> "hóa"), the corpus convention.

    Officials type both conventions; NFC does not unify them, so accented matching would miss.
    """
    if not _OPEN_PAIR.search(fold(token)):
        return token
    chars = list(unicodedata.normalize("NFD", token))
    bases = [i for i, c in enumerate(chars) if not unicodedata.combining(c)]
    tone = next((i for i in range(bases[-1] + 1, len(chars)) if chars[i] in _TONES), None)
    if tone is None:
        return token
    mark = chars.pop(tone)
    after = bases[-2] + 1
    while after < len(chars) and unicodedata.combining(chars[after]):
        after += 1
    chars.insert(after, mark)
    return unicodedata.normalize("NFC", "".join(chars))


def fold_aligned(text: str) -> str:
    """`text` lower-cased and accent-folded character by character: same length, so a match in
    it is a match at the same offsets in `text`."""
    return "".join(_fold_char(c) for c in nfc(text))


def find_spans(text: str, phrases: Iterable[str], folded: bool = True) -> list[tuple[int, int]]:
    """Character spans of `text` where any phrase occurs as whole words, longest phrase first,
    non-overlapping. Accent-insensitive unless `folded` is False: a question typed with
    diacritics must not mark "dẫn" for "dán".
    """
    text = nfc(text)
    lowered = text.lower()
    haystack = fold_aligned(text) if folded or len(lowered) != len(text) else lowered
    taken: list[tuple[int, int]] = []
    for phrase in sorted({key(p, folded=folded) for p in phrases if p.strip()}, key=len, reverse=True):
        pattern = r"(?<!\w)" + r"\W+".join(re.escape(w) for w in phrase.split()) + r"(?!\w)"
        for m in re.finditer(pattern, haystack):
            if all(m.end() <= a or m.start() >= b for a, b in taken):
                taken.append((m.start(), m.end()))
    return sorted(taken)


def _fold_char(c: str) -> str:
    f = fold(c)
    return f if len(f) == 1 else c.lower()


def mark(text: str, phrases: Iterable[str], html_output: bool = False, folded: bool = True) -> str:
    """`text` with the phrases wrapped: «…» for plain text, <mark>…</mark> (escaped) for HTML."""
    text = nfc(text)
    out, last = [], 0
    esc = html.escape if html_output else (lambda s: s)
    left, right = ("<mark>", "</mark>") if html_output else ("«", "»")
    for a, b in find_spans(text, phrases, folded):
        out += [esc(text[last:a]), left, esc(text[a:b]), right]
        last = b
    out.append(esc(text[last:]))
    return "".join(out)


@lru_cache(maxsize=65536)
def _key_cached(text: str, folded: bool) -> str:
    return key(text, folded)


def coverage(terms: Sequence[Term], text: str, folded: bool) -> float:
    """Weighted share of the terms found in `text` (0 when there are no terms).

    A phrase none of whose alternatives occurs earns PARTIAL credit for its parts that do:
    "dán nhãn sinh thái" against "… chứng nhận và áp dụng … nhãn xanh" finds the part
    "nhãn sinh thái" by its synonym "nhãn xanh".
    """
    return _coverage(terms, key(text, folded), folded)


def _coverage(terms: Sequence[Term], hay: str, folded: bool) -> float:
    total = sum(t.weight for t in terms)
    if not total:
        return 0.0
    found = 0.0
    for t in terms:
        if any(contains(hay, _key_cached(a, folded)) for a in t.alternatives):
            found += t.weight
        elif t.parts:
            found += t.weight * PARTIAL * _coverage(t.parts, hay, folded)
    return found / total


def term_phrases(terms: Sequence[Term]) -> list[str]:
    """Every alternative of the terms and of their parts: what to mark in a passage."""
    return [a for t in terms for a in (*t.alternatives, *term_phrases(t.parts))]
