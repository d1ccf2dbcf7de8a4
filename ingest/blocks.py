"""Intermediate records between the format readers and the clause builder.

Every reader turns its format into the same flat sequence of `Line` and `Table` blocks, so
cleanup, structure and table parsing are written once for .txt, .md, .html, .docx and .pdf.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.model import NO_ROW, ErrorCode, TaskRow


@dataclass(frozen=True)
class Line:
    """One line or paragraph of running text."""

    text: str
    heading: int = 0  # heading level given by markup (markdown "#", html <hN>, Word "Heading N"); 0: none
    wrapped: bool = False  # layout says the text runs on into the next line (pdf)


@dataclass(frozen=True)
class Table:
    """Rows of cell texts; a cell may hold several lines separated by "\\n"."""

    rows: tuple[tuple[str, ...], ...]


Block = Line | Table


@dataclass(frozen=True)
class Page:
    """What one page of a paged file says, to tell which page a clause came from."""

    number: int  # 1-based
    text: str  # the page's blocks' text, white space collapsed
    ocr: bool  # read off the page image by OCR


@dataclass(frozen=True)
class Read:
    """A reader's result: the blocks, and for paged files with OCR pages, the pages."""

    blocks: list[Block]
    pages: tuple[Page, ...] = ()


@dataclass(frozen=True)
class Draft:
    """A clause before it gets its document-dependent id, order and citation."""

    kind: str
    text: str
    section: tuple[str, ...] = ()
    label: str | None = None
    row: TaskRow = NO_ROW


class Unreadable(ValueError):
    """A file whose content cannot be turned into blocks; the message is the reason, `code` its
    `IngestError` code."""

    def __init__(self, reason: str, code: ErrorCode):
        super().__init__(reason)
        self.code = code
