"""Bytes to text for the plain-text formats, and detection of legacy Vietnamese font encodings.

Old Vietnamese documents were typed in 8-bit font encodings (TCVN3/ABC with .Vn fonts, VNI);
read as Unicode they become mojibake that would index as garbage, so they are refused with a
pointer to the usual converter rather than ingested.
"""

from __future__ import annotations

import codecs
import unicodedata

from ingest.blocks import Unreadable
from ingest.text import has_diacritics, nfc

# TCVN3 puts lower-case Vietnamese letters on bytes that Windows-1252 shows as these symbols
# (e.g. "hoµ" for "hoà"); real Unicode Vietnamese never contains them.
_TCVN3_SYMBOLS = frozenset("¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾")
# ... and on bytes shown as upper-case Latin-1 letters, which then follow a lower-case letter
# inside a word ("ViÖt" for "Việt").
_TCVN3_LETTERS = frozenset("ÆÇÈÉÊËÎÏÑÓÔÕÖ×ØÜÝß")
# VNI writes a base vowel followed by a mark byte ("Vieät" for "Việt"); these marks are no
# Vietnamese letters.
_VNI_MARKS = frozenset("äåëïöøûü")


def legacy_encoding(text: str) -> str | None:
    """Name of the legacy font encoding the text looks typed in ("TCVN3 (ABC)", "VNI"), or None."""
    tcvn3 = sum(c in _TCVN3_SYMBOLS for c in text)
    tcvn3 += sum(1 for a, b in zip(text, text[1:]) if a.islower() and b in _TCVN3_LETTERS)
    vni = sum(c in _VNI_MARKS for c in text)
    name, score = max((("TCVN3 (ABC)", tcvn3), ("VNI", vni)), key=lambda pair: pair[1])
    dense = sum(not c.isspace() for c in text)
    ascii_letters = sum(c.isascii() and c.isalpha() for c in text)  # mojibake is still mostly a-z; noise is not
    return name if score >= 3 and score >= 0.02 * dense and ascii_letters >= 0.4 * dense else None


def legacy_reason(name: str) -> str:
    return f"text looks like {name} legacy-font text; convert it to Unicode (e.g. with UniKey) and retry"


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; else Windows-1258 when that reads as Vietnamese.

    Legacy font encodings are recognised before Windows-1258 is tried, since their bytes decode
    in it too, into plausible-looking garbage.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data:
        raise Unreadable("binary file, not text", "binary")
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= max(1, len(text) // 1000):  # UTF-8 with a stray damaged byte or so
        return text
    legacy = legacy_encoding(data.decode("cp1252", errors="replace"))
    if legacy:
        raise Unreadable(legacy_reason(legacy), "legacy_font")
    text = nfc(data.decode("cp1258", errors="replace"))
    if not _plausible_vietnamese(text):
        raise Unreadable("not UTF-8 text, and it does not read as Vietnamese in Windows-1258 either", "encoding")
    return text


def _plausible_vietnamese(text: str) -> bool:
    """Enough accented letters and almost no control, unassigned or stray combining characters."""
    letters = [c for c in text if c.isalpha()]
    odd = sum(1 for c in text if c == "\ufffd" or (unicodedata.category(c) in ("Cc", "Cn", "Co", "Mn")
                                                    and c not in "\t\n\r"))
    return bool(letters) and sum(map(has_diacritics, letters)) >= 0.05 * len(letters) and odd <= 0.01 * len(text)
