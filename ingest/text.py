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


def is_upper(text: str) -> bool:
    """True when the text has letters and all of them are capitals ("KẾ HOẠCH", "I. MỤC TIÊU")."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def starts_lower(text: str) -> bool:
    """True when the first character is a lower-case letter: the mark of a continued sentence."""
    return bool(text) and text[0].islower()


def ends_sentence(text: str) -> bool:
    """True when the text ends with terminal punctuation (closing quotes and brackets aside)."""
    return text.rstrip(" \"'”’)»*").endswith((".", ";", "!", "?", "…"))
