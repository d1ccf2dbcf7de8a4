"""Normalise block text and undo what copying a document off a website or a printed page did to it.

- NFC, collapsed spaces, no HTML tags or markdown emphasis left in the text;
- site footers, lone page numbers, "[...]" elisions and "-----" rules dropped;
- a table cut by page breaks made one table again;
- a paragraph cut by a page break rejoined with its continuation.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

from ingest.blocks import Block, Line, Table
from ingest.markers import parse_marker
from ingest.text import nfc, squash, starts_lower

_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_EMPHASIS = re.compile(r"\*\*|(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_GLUED_BULLET = re.compile(r"([.;:])-\s*(?=[^\W\d_])")  # "…một lần.- Phát triển…" from HTML lists

_BOILERPLATE = re.compile(
    r"""^(?:
        \d{1,3}                                   # lone page number
      | (?:trang|page)\s*\d+(?:\s*/\s*\d+)?       # "Trang 2", "Page 2/5"
      | -\s*\d{1,3}\s*-                           # "- 2 -"
      | \[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…           # elision marks of excerpted copies
      | [-–—_=*~.·•]{3,}                          # decoration rules under header lines
      | (?:https?://|www\.)\S+                    # a bare web address
      | (?:(?:chủ\s+quản|giấy\s+phép\s+số|mã\s+số\s+thuế|chịu\s+trách\s+nhiệm\s+chính|địa\s+chỉ\s+trụ\s+sở
           |bản\s+quyền)\s*:|copyright\b|©).*    # website owner footer ("Chủ quản: Công ty …")
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def clean(blocks: Iterable[Block]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Line):
            text = clean_text(block.text)
            if text and not is_boilerplate(text):
                out.append(Line(text, block.heading, block.wrapped))
        else:
            rows = tuple(row for row in (tuple(clean_cell(c) for c in r) for r in block.rows) if any(row))
            if rows:
                out.append(Table(rows))
    return rejoin(merge_tables(out))


def is_boilerplate(text: str) -> bool:
    return bool(_BOILERPLATE.match(text))


def clean_text(text: str) -> str:
    text = nfc(text)
    if _TAG.search(text):
        text = strip_tags(text)
    text = _EMPHASIS.sub(lambda m: m[1] or "", text)
    return squash(_GLUED_BULLET.sub(r"\1 - ", text))


def clean_cell(cell: str) -> str:
    """A cell keeps its line breaks (a Word cell's paragraphs) for whoever needs lines."""
    return "\n".join(t for t in map(clean_text, cell.splitlines()) if t)


def strip_tags(text: str) -> str:
    """Text of an HTML fragment; elements are separated by a space so words never glue."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(text, "html.parser").get_text(" ")


def merge_tables(blocks: list[Block]) -> list[Block]:
    """Adjacent tables of the same width are one table cut by page breaks (or by the blank lines
    of a text copy); a table of another width, such as a Word signature block, stays apart."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if isinstance(block, Table) and isinstance(prev, Table) and len(block.rows[0]) == len(prev.rows[-1]):
            out[-1] = Table(prev.rows + block.rows)
        else:
            out.append(block)
    return out


def rejoin(blocks: list[Block]) -> list[Block]:
    """Join a line to the previous one when it continues it.

    A sentence never starts with a lower-case letter, so a lower-case line continues the line
    before it ("…về sản xuất và" / "tiêu dùng bền vững; …"); so does any line after one that the
    page layout marked as wrapped. A numbered or bulleted line always starts anew.
    """
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (isinstance(block, Line) and isinstance(prev, Line) and not block.heading and not prev.heading
                and (prev.wrapped or starts_lower(block.text)) and parse_marker(block.text) is None):
            out[-1] = Line(f"{prev.text} {block.text}", wrapped=block.wrapped)
        else:
            out.append(block)
    return out
