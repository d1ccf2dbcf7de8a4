"""The numbering that opens a heading or list item in Vietnamese administrative documents.

"I." / "II." (Roman parts), "1." / "2.1." (numbered sections or items), "a)" (lettered points)
and "-" / "+" bullets. Both cleanup (a marker line never continues the previous line) and
structure (section nesting) read them here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ROMAN = re.compile(r"^([IVXL]+)\s*\.\s+(\S.*)$")
_VALID_ROMAN = re.compile(r"^(?=[IVXL])L?X{0,3}(?:IX|IV|V?I{0,3})$")
_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}[.)])\s+(\S.*)$")
_LETTER = re.compile(r"^([a-zđ]\))\s+(\S.*)$")
_BULLET = re.compile(r"^([-–—+]\s*|[•*·●○▪■►]\s+)(?=\S)(.*)$")

ROMAN_DEPTH = 1
LETTER_DEPTH = 6


@dataclass(frozen=True)
class Marker:
    label: str  # as written, without spaces: "III.", "2.1.", "a)", "-"
    body: str  # the rest of the line
    depth: int  # nesting of numbered markers: "I." 1, "1." 2, "2.1." 3, "a)" 6; bullets 0


def parse_marker(text: str) -> Marker | None:
    if m := _ROMAN.match(text):
        if _VALID_ROMAN.match(m[1]):
            return Marker(m[1] + ".", m[2], ROMAN_DEPTH)
    if m := _NUMBER.match(text):
        return Marker(m[1], m[2], ROMAN_DEPTH + 1 + m[1].rstrip(".)").count("."))
    if m := _LETTER.match(text):
        return Marker(m[1], m[2], LETTER_DEPTH)
    if m := _BULLET.match(text):
        return Marker(m[1].strip(), m[2], 0)
    return None


def is_roman(token: str) -> bool:
    return bool(_VALID_ROMAN.match(token))
