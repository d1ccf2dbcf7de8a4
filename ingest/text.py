"""Vietnamese text primitives shared by every layer: normalisation and accent folding."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")


def nfc(text: str) -> str:
    """Unicode NFC: one code point per accented letter, as every comparison here assumes."""
    return unicodedata.normalize("NFC", text)


def squash(text: str) -> str:
    """Collapse runs of horizontal white space (incl. no-break spaces) and trim."""
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lower-case and strip tone and vowel marks, đ -> d: "Dán nhãn" -> "dan nhan".

    Lets a question typed without diacritics meet the accented text.
    """
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def has_diacritics(text: str) -> bool:
    """True when some letter carries a Vietnamese mark (so the text was not typed unaccented)."""
    return fold(text) != text.lower()
