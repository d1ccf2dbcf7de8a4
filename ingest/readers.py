"""One loader per file format, each returning the document as `Line` and `Table` blocks in reading order.

Loaders only transcribe: text cleanup, structure and table semantics come later and are shared.
Parser failures of the format libraries become `Unreadable` with a reason a user can act on.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pdfplumber
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from ingest.blocks import Block, Line, Read, Table, Unreadable
from ingest.encoding import decode_text
from ingest.legacy import convert_legacy
from ingest.ocr import OcrOptions, PageImage, digest, ocr_pages, paged, read_image
from ingest.sheets import read_xlsx
from ingest.text import is_upper

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_PIPE_RULE = re.compile(r"^[\s|:\-]+$")


def read_blocks(path: Path, data: bytes, ocr: OcrOptions | None = None) -> Read:
    """The file's blocks by its type (`READERS`, at the end of this module)."""
    return READERS[path.suffix.lower()](data, ocr or OcrOptions())


def read_plain(text: str, markdown: bool = False) -> list[Block]:
    """Lines of text; tab-separated lines (and markdown pipe rows) are table rows.

    A tab line counts as a row when it has at least two filled cells, or when it continues a
    table with the same number of cells (a row whose only filled cell is its content column).
    """
    blocks: list[Block] = []
    width = 0  # cell count of the table being read, 0 when the last block was text
    for raw in text.splitlines():
        cells = _cells(raw, markdown)
        if cells is not None and (sum(bool(c.strip()) for c in cells) >= 2 or len(cells) == width):
            if not (markdown and _PIPE_RULE.match(raw)):
                blocks.append(Table((cells,)))
            width = len(cells)
        elif raw.strip():
            heading = _MD_HEADING.match(raw) if markdown else None
            blocks.append(Line(heading[2], heading=len(heading[1])) if heading else Line(raw))
            width = 0
    return blocks


def _cells(raw: str, markdown: bool) -> tuple[str, ...] | None:
    if "\t" in raw:
        return tuple(raw.rstrip("\r\n").split("\t"))
    if markdown and (m := _PIPE_ROW.match(raw)):
        return tuple(m[1].split("|"))
    return None


# --- HTML ----------------------------------------------------------------------------------

_SKIP = frozenset({"script", "style", "head", "nav", "header", "footer", "noscript", "form", "iframe", "svg"})
_BLOCK = frozenset({"p", "div", "section", "article", "main", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd",
                    "li", "tr", "td", "th", "body", "center", "address", "figure", "figcaption"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


def read_html(text: str) -> list[Block]:
    soup = BeautifulSoup(text, "html.parser")
    return _HtmlWalker().walk(soup.body or soup)


class _HtmlWalker:
    """Block elements and <br> break lines; list items become "-" bullets; tables become rows."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []

    def walk(self, node: Tag) -> list[Block]:
        self._visit(node)
        self._flush()
        return self.blocks

    def _visit(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
            elif child.name in _SKIP:
                continue
            elif child.name == "table":
                self._flush()
                rows = tuple(tuple(self._cell_text(c) for c in tr.find_all(["td", "th"], recursive=False))
                             for tr in child.find_all("tr") if tr.find_parent("table") is child)
                self.blocks.append(Table(rows))
            elif child.name == "br":
                self._flush()
            elif child.name in _HEADINGS:
                self._flush()
                self.blocks.append(Line(child.get_text(" "), heading=_HEADINGS[child.name]))
            elif child.name in _BLOCK:
                self._flush()
                if child.name == "li":
                    self.buffer.append("- ")
                self._visit(child)
                self._flush()
            else:
                self._visit(child)

    def _flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        self.buffer.clear()
        if text and text != "-":
            self.blocks.append(Line(text))

    @staticmethod
    def _cell_text(cell: Tag) -> str:
        return "\n".join(b.text for b in _HtmlWalker().walk(cell) if isinstance(b, Line))


# --- Word ----------------------------------------------------------------------------------

_WORD_HEADING = re.compile(r"^Heading (\d)$")


def read_docx(data: bytes) -> list[Block]:
    """Body paragraphs and tables in document order; Word's page headers and footers are left out."""
    try:
        document = open_docx(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zip, xml and package errors alike
        raise Unreadable(f"not a readable .docx file ({type(exc).__name__})", "corrupt") from exc
    blocks: list[Block] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, document)
            style = _WORD_HEADING.match(paragraph.style.name or "") if paragraph.style is not None else None
            for text in paragraph.text.split("\n"):
                blocks.append(Line(text, heading=int(style[1]) if style else 0))
        elif child.tag == qn("w:tbl"):
            blocks.append(Table(tuple(_word_row(tr, document) for tr in child.tr_lst)))
    return blocks


def _word_row(tr, document) -> tuple[str, ...]:
    """Cell texts of one Word row; a cell merged across columns keeps its columns (empty) so
    positions match the header; a cell merged down from above is empty."""
    cells: list[str] = []
    for tc in tr.tc_lst:
        text = "" if tc.vMerge == "continue" else "\n".join(Paragraph(p, document).text for p in tc.iter(qn("w:p")))
        cells.append(text)
        cells.extend([""] * (tc.grid_span - 1))
    return tuple(cells)


# --- PDF -----------------------------------------------------------------------------------


_MIN_TEXT_CHARS = 20  # a page with less text than this over an image is a scan (a stamp's text aside)


def read_pdf(data: bytes, ocr: OcrOptions | None = None) -> Read:
    """Text lines outside tables and the tables pdfplumber finds, page by page, top to bottom;
    a page that is an image without a text layer is read by OCR."""
    ocr = ocr or OcrOptions()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            text, scans = {}, []
            for number, page in enumerate(pdf.pages, 1):
                if len(page.chars) < _MIN_TEXT_CHARS and page.images:
                    scans.append(PageImage(number, lambda p=page: p.to_image(resolution=ocr.dpi).original))
                else:
                    text[number] = _pdf_page(page)
            if not scans:
                if not any(text.values()):
                    raise Unreadable("PDF has no extractable text", "no_text")
                return Read([block for blocks in text.values() for block in blocks])
            return paged(ocr_pages(scans, digest(data), ocr), text)
    except Unreadable:
        raise
    except Exception as exc:  # pdfminer raises a different error per kind of damage
        name = type(exc).__name__
        reason = "password-protected PDF" if "Password" in name else f"not a readable PDF file ({name})"
        raise Unreadable(reason, "corrupt") from exc


def _pdf_page(page) -> list[Block]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_lines = (page.filter(outside) if boxes else page).extract_text_lines(return_chars=False)
    right = max((line["x1"] for line in text_lines), default=0.0)
    placed: list[tuple[float, Block]] = []
    for line, nxt in zip(text_lines, [*text_lines[1:], None]):
        placed.append((line["top"], Line(line["text"], wrapped=nxt is not None and _wrapped(line, nxt, right))))
    for table in tables:
        rows = tuple(tuple(cell or "" for cell in row) for row in table.extract())
        placed.append((table.bbox[1], Table(rows)))
    return [block for _, block in sorted(placed, key=lambda pair: pair[0])]


def _wrapped(line: dict, nxt: dict, right: float) -> bool:
    """A line of running text that reaches the right margin, with the next one close below, was
    wrapped; capitals are header, title or signature lines, which never wrap into each other."""
    height = line["bottom"] - line["top"]
    return (line["x1"] >= right - 2 * height and nxt["top"] - line["bottom"] < height
            and not is_upper(line["text"]) and not is_upper(nxt["text"]))


# --- dispatch ------------------------------------------------------------------------------


def _blocks(read: Callable[[bytes], list[Block]]) -> Callable[[bytes, OcrOptions], Read]:
    return lambda data, _: Read(read(data))


# The one list of file types ingest reads, by suffix. Legacy Office files are converted to their
# XML successors and read as those; images and scanned PDF pages go through OCR.
READERS: dict[str, Callable[[bytes, OcrOptions], Read]] = {
    ".txt": _blocks(lambda data: read_plain(decode_text(data))),
    ".md": _blocks(lambda data: read_plain(decode_text(data), markdown=True)),
    ".html": _blocks(lambda data: read_html(decode_text(data))),
    ".htm": _blocks(lambda data: read_html(decode_text(data))),
    ".docx": _blocks(read_docx),
    ".doc": _blocks(lambda data: read_docx(convert_legacy(data, "doc", "docx"))),
    ".xlsx": _blocks(read_xlsx),
    ".xls": _blocks(lambda data: read_xlsx(convert_legacy(data, "xls", "xlsx"))),
    ".pdf": read_pdf,
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".tif", ".tiff"), read_image),
}
SUPPORTED = tuple(READERS)
