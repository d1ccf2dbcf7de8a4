"""One loader per file format, each returning the document as `Line` and `Table` blocks in reading order.

Loaders only transcribe: text cleanup, structure and table semantics come later and are shared.
Parser failures of the format libraries become `Unreadable` with a reason a user can act on, and
every reader stays within `Limits` (ingest/limits.py) whatever the file claims.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pdfplumber
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from docx import Document as open_docx
from docx.oxml.exceptions import InvalidXmlError
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from ingest.blocks import Block, Line, Read, Table, Unreadable
from ingest.encoding import decode_text
from ingest.legacy import convert_legacy
from ingest.limits import DEFAULT_LIMITS, Limits, check_zip, too_large
from ingest.ocr import OcrOptions, PageImage, digest, ocr_pages, paged, read_image
from ingest.sheets import read_xlsx
from ingest.text import is_upper

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_PIPE_RULE = re.compile(r"^[\s|:\-]+$")


def read_blocks(path: Path, data: bytes, ocr: OcrOptions | None = None, limits: Limits = DEFAULT_LIMITS) -> Read:
    """The file's blocks by its type (`READERS`, at the end of this module)."""
    return READERS[path.suffix.lower()](data, ocr or OcrOptions(), limits)


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


def read_html(text: str, limits: Limits = DEFAULT_LIMITS) -> list[Block]:
    soup = BeautifulSoup(text, "html.parser")
    return _HtmlWalker(limits.max_html_depth).walk(soup.body or soup)


class _HtmlWalker:
    """Block elements and <br> break lines; list items become "-" bullets; tables become rows.

    The walk recurses, so nesting deeper than `max_depth` is refused before Python's stack is."""

    def __init__(self, max_depth: int) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.max_depth = max_depth

    def walk(self, node: Tag, depth: int = 0) -> list[Block]:
        self._visit(node, depth)
        self._flush()
        return self.blocks

    def _visit(self, node: Tag, depth: int) -> None:
        if depth > self.max_depth:
            raise too_large(f"HTML nested more than {self.max_depth} elements deep", "max_html_depth")
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
            elif child.name in _SKIP:
                continue
            elif child.name == "table":
                self._flush()
                rows = tuple(tuple(self._cell_text(c, depth + 3) for c in tr.find_all(["td", "th"], recursive=False))
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
                self._visit(child, depth + 1)
                self._flush()
            else:
                self._visit(child, depth + 1)

    def _flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        self.buffer.clear()
        if text and text != "-":
            self.blocks.append(Line(text))

    def _cell_text(self, cell: Tag, depth: int) -> str:
        blocks = _HtmlWalker(self.max_depth).walk(cell, depth)
        return "\n".join(b.text for b in blocks if isinstance(b, Line))


# --- Word ----------------------------------------------------------------------------------

_WORD_HEADING = re.compile(r"^Heading (\d)$")


def read_docx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[Block]:
    """Body paragraphs and tables in document order; Word's page headers and footers are left out.

    Attribute values are read as Word reads them (a span that is no number counts 1 and never
    widens a row past its table; a style that does not resolve is none); any other damage that
    python-docx trips over, whatever it raises, makes the file `corrupt`."""
    check_zip(data, limits, ".docx")
    try:
        document = open_docx(io.BytesIO(data))
        body = document.element.body
        _check_xml_depth(body, limits.max_xml_depth)
        blocks: list[Block] = []
        for child in body.iterchildren():
            if child.tag == qn("w:p"):
                paragraph = Paragraph(child, document)
                style = _WORD_HEADING.match(_style_name(paragraph))
                for text in paragraph.text.split("\n"):
                    blocks.append(Line(text, heading=int(style[1]) if style else 0))
            elif child.tag == qn("w:tbl"):
                width = _table_width(child)
                blocks.append(Table(tuple(_word_row(tr, document, width) for tr in child.tr_lst)))
        return blocks
    except (Unreadable, MemoryError, RecursionError):  # classified by the caller
        raise
    except Exception as exc:  # python-docx raises zip, xml, package and value errors alike
        raise Unreadable(f"not a readable .docx file ({type(exc).__name__})", "corrupt") from exc


def _style_name(paragraph: Paragraph) -> str:
    """The paragraph's style name; "" for a style reference Word could not resolve either."""
    try:
        style = paragraph.style
    except (KeyError, ValueError, InvalidXmlError):
        return ""
    return (style.name or "") if style is not None else ""


def _check_xml_depth(root, max_depth: int) -> None:
    """Deepest element nesting under `root`, walked without recursion (libxml2 already stops
    parsing at 256 levels; this keeps what we walk far below that)."""
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > max_depth:
            raise too_large(f"Word XML nested more than {max_depth} elements deep", "max_xml_depth")


def _table_width(tbl) -> int:
    """Columns of a Word table: its grid, or its widest row when the grid says less."""
    return max(len(tbl.xpath("./w:tblGrid/w:gridCol")), *(len(tr.tc_lst) for tr in tbl.tr_lst), 1)


def _word_row(tr, document, width: int) -> tuple[str, ...]:
    """Cell texts of one Word row; a cell merged across columns keeps its columns (empty) so
    positions match the header, though never so far that the row's cells outgrow the table; a
    cell merged down from above is empty."""
    cells: list[str] = []
    tcs = tr.tc_lst
    for i, tc in enumerate(tcs):
        merge = tc.xpath("./w:tcPr/w:vMerge")
        continued = bool(merge) and merge[0].get(qn("w:val"), "continue") == "continue"
        cells.append("" if continued else "\n".join(Paragraph(p, document).text for p in tc.iter(qn("w:p"))))
        span = tc.xpath("string(./w:tcPr/w:gridSpan/@w:val)")
        if not span.isdigit():  # absent, or no number: Word reads it as 1
            span = "1"
        extra = (width if len(span) > 4 else int(span)) - 1  # more digits than any table has columns
        cells.extend([""] * max(0, min(extra, width - len(cells) - (len(tcs) - i - 1))))  # room for the rest
    return tuple(cells)


# --- PDF -----------------------------------------------------------------------------------


_MIN_TEXT_CHARS = 20  # a page with less text than this over an image is a scan (a stamp's text aside)


def read_pdf(data: bytes, ocr: OcrOptions | None = None, limits: Limits = DEFAULT_LIMITS) -> Read:
    """Text lines outside tables and the tables pdfplumber finds, page by page, top to bottom;
    a page that is an image without a text layer is read by OCR."""
    ocr = ocr or OcrOptions()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > limits.max_pdf_pages:
                raise too_large(f"{len(pdf.pages)} pages, over the limit of {limits.max_pdf_pages}", "max_pdf_pages")
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
    except (Unreadable, MemoryError, RecursionError):  # classified by the caller
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


def _blocks(read: Callable[[bytes, Limits], list[Block]]) -> Callable[[bytes, OcrOptions, Limits], Read]:
    return lambda data, _, limits: Read(read(data, limits))


_IMAGES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")

# The one list of file types ingest reads, by suffix. Legacy Office files are converted to their
# XML successors and read as those; images and scanned PDF pages go through OCR.
READERS: dict[str, Callable[[bytes, OcrOptions, Limits], Read]] = {
    ".txt": _blocks(lambda data, _: read_plain(decode_text(data))),
    ".md": _blocks(lambda data, _: read_plain(decode_text(data), markdown=True)),
    ".html": _blocks(lambda data, limits: read_html(decode_text(data), limits)),
    ".htm": _blocks(lambda data, limits: read_html(decode_text(data), limits)),
    ".docx": _blocks(read_docx),
    ".doc": _blocks(lambda data, limits: read_docx(convert_legacy(data, "doc", "docx"), limits)),
    ".xlsx": _blocks(read_xlsx),
    ".xls": _blocks(lambda data, limits: read_xlsx(convert_legacy(data, "xls", "xlsx"), limits)),
    ".pdf": read_pdf,
    **dict.fromkeys(_IMAGES, lambda data, ocr, _: read_image(data, ocr)),
}
SUPPORTED = tuple(READERS)
# Types whose reading is mostly external programs (LibreOffice, Tesseract) under their own time
# limits: read in the calling process, as the bounded worker's memory and time budget would starve
# them (see ingest.sandbox). A PDF's scanned pages are OCR'd in the worker.
EXTERNAL = frozenset((".doc", ".xls", *_IMAGES))
