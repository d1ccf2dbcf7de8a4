"""From cleaned blocks to clause drafts with their section paths, setting aside what is not a clause.

A Vietnamese administrative document runs: website metadata (when copied off a site), national
header and title block (front); numbered body; recipient list and signature block (tail); then
appendices. Front and tail lines are kept for metadata and, as written, for the one header clause;
everything else becomes headings, paragraphs, items and table rows under the headings that
enclose them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby

from ingest.blocks import Block, Draft, Line, Table
from ingest.cleanup import is_boilerplate
from ingest.markers import ROMAN_DEPTH, parse_marker
from ingest.model import HEADER, HEADING, ITEM, PARAGRAPH
from ingest.tables import table_drafts
from ingest.text import ends_sentence, fold, is_upper

WEB_KEY = re.compile(
    r"^(Số hiệu|Ngày ban hành|Ngày có hiệu lực|Ngày hết hiệu lực|Loại văn bản|Cơ quan ban hành|Nơi ban hành"
    r"|Người ký|Lĩnh vực|Tình trạng(?: hiệu lực)?|Ngày công báo|Số công báo)\s*:?\s+(\S.*)$"
)
MOTTO = re.compile(r"^CỘNG H(?:ÒA|OÀ|OA) XÃ HỘI CHỦ NGHĨA VIỆT NAM|^Độc lập\s*[-–]\s*Tự do", re.IGNORECASE)
NUMBER_LINE = re.compile(r"^Số\s*:?\s*[\w.]*\s*/", re.IGNORECASE)
# A place name opens with a word and goes on with words, dashes and the numbers of numbered units
# ("Quận 1", "Bà Rịa - Vũng Tàu"); a document number ("15/KH-UBND") or a label ("Số:") is no
# place word, so a place-date line is told apart from the number line a PDF glues before it.
_PLACE_WORD = r"(?:[^\W\d_][^\s,:/]*)"
_PLACE_NEXT = rf"(?:\s+(?:{_PLACE_WORD}|\d{{1,3}}|[-–]))"
PLACE_DATE = re.compile(rf"^(?=[^,]{{2,40}},){_PLACE_WORD}{_PLACE_NEXT}*,\s*ngày\b", re.IGNORECASE)
_SUBJECT = re.compile(r"^V/v\b\s*:?\s*(.+)$", re.IGNORECASE)
_NOTE = re.compile(r"^\(?\s*(?:ban hành\s+)?kèm theo\b", re.IGNORECASE)
_RECIPIENTS = re.compile(r"^Nơi nhận\b", re.IGNORECASE)
SIGNATURE = re.compile(
    r"^(?:(?:TM|KT|Q|TL|TUQ)\.\s*\S|(?:PHÓ )?(?:CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG BAN|TRƯỞNG PHÒNG|CHÁNH VĂN PHÒNG)$)"
)
_APPENDIX = re.compile(r"^(phụ lục(?:\s+(?:số\s+)?[0-9IVX]+[a-z]?)?)\s*[:.\-–]?\s*(.*)$", re.IGNORECASE)
_INLINE_COLON = re.compile(r":\s+\S")
# A PDF prints the header's two columns side by side, so their lines come out glued:
# "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI …", "Số: 15/KH-UBND Hà Tĩnh, ngày 10 tháng 5 năm 2022".
_MOTTO_BREAK = re.compile(r"\s+(?=CỘNG H(?:ÒA|OÀ|OA) XÃ HỘI|Độc lập\s*[-–]\s*Tự do)", re.IGNORECASE)
_DATE_BREAK = re.compile(rf"(?<=\S)\s+(?={_PLACE_WORD}{_PLACE_NEXT}{{0,4}},\s*ngày\s+(?:\d|tháng))")
DOC_TYPES = ("Kế hoạch", "Báo cáo", "Công văn", "Quyết định", "Chỉ thị", "Thông báo", "Nghị quyết", "Tờ trình",
             "Hướng dẫn", "Chương trình", "Đề án", "Công điện", "Thông tư", "Nghị định", "Quy chế", "Quy định")
_TYPE_KEYS = {fold(t): t for t in DOC_TYPES}
_MAX_HEADING = 160  # a longer numbered line is a sentence even without a full stop
_MAX_APPENDIX_TITLE_LINES = 3
_FRONT, _BODY, _TAIL = range(3)


@dataclass
class Parsed:
    drafts: list[Draft] = field(default_factory=list)
    front: list[str] = field(default_factory=list)  # every front line as written, website block included
    organisation: list[str] = field(default_factory=list)  # issuer lines: "ỦY BAN NHÂN DÂN", "TỈNH HẬU GIANG"
    header: list[str] = field(default_factory=list)  # national motto, "Số: …", "<place>, ngày …"
    doc_type: str | None = None  # canonical name of the type line: "Kế hoạch"
    title: str | None = None  # the line(s) under the type line
    subject: str | None = None  # a công văn's "V/v …", without "V/v"
    web: dict[str, str] = field(default_factory=dict)  # website block; key "title" for the page title
    tail: list[str] = field(default_factory=list)  # recipients and signature block
    notes: list[str] = field(default_factory=list)  # "(Kèm theo Kế hoạch số … của …)"


def parse(blocks: Sequence[Block]) -> Parsed:
    return _Parser().run(blocks)


def header_drafts(parsed: Parsed) -> list[Draft]:
    """The lines a document states about itself (front matter, then signature block and signer,
    then recipients on one line) as one clause, so that "when", "who signed" and "sent to whom"
    have something to cite. A repeated line (a signer name typed twice) is kept once."""
    listed = any(_RECIPIENTS.match(t) for t in parsed.tail)
    recipients: list[str] = []
    sign_off: list[str] = []
    for text in parsed.tail:  # by kind, not position: a layout table read row by row interleaves the columns
        (recipients if listed and (_RECIPIENTS.match(text) or _is_bullet(text)) else sign_off).append(text)
    lines = [*parsed.front, *sign_off, *([_recipient_line(recipients)] if recipients else [])]
    return [Draft(HEADER, "\n".join(t for t, _ in groupby(lines)))] if lines else []


def _is_bullet(text: str) -> bool:
    return (marker := parse_marker(text)) is not None and marker.depth == 0


def _recipient_line(lines: list[str]) -> str:
    """"Nơi nhận: Như trên; UBND tỉnh (B/c); Lưu: VT, KTHT" from the label and its bulleted lines."""
    label, items = "", []
    for text in lines:
        if m := _RECIPIENTS.match(text):
            label, text = m[0], text[m.end():].lstrip(" :")
        elif marker := parse_marker(text):  # every other line here is a bullet
            text = marker.body
        if text := text.rstrip(" ;,."):
            items.append(text)
    return f"{label}: {'; '.join(items)}"


def is_heading_text(body: str) -> bool:
    """A numbered line is a heading when it names a topic ("1. Mục đích", "1. Phòng Kinh tế và Hạ
    tầng"), an item when it says something: a full sentence, or "<who>: <what>"."""
    return not ends_sentence(body) and not _INLINE_COLON.search(body) and len(body) <= _MAX_HEADING


def split_columns(text: str) -> list[str]:
    """A front-matter line cut where a second header column starts (motto, or place and date)."""
    if (m := _MOTTO_BREAK.search(text)) and m.start() > 0:
        return [text[:m.start()], *split_columns(text[m.end():])]
    if not PLACE_DATE.match(text) and (m := _DATE_BREAK.search(text)):
        return [text[:m.start()], text[m.end():]]
    return [text]


class _Parser:
    def __init__(self) -> None:
        self.out = Parsed()
        self.stack: list[tuple[tuple[int, int], str]] = []  # (rank, heading) of the enclosing headings
        self.mode = _FRONT
        self.expect_title = False

    @property
    def section(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.stack)

    def run(self, blocks: Sequence[Block]) -> Parsed:
        blocks = list(blocks)
        if len(blocks) > 1 and all(isinstance(b, Line) for b in blocks[:2]) and WEB_KEY.match(blocks[1].text):
            self.out.web["title"] = blocks.pop(0).text
            self.out.front.append(self.out.web["title"])
        i = 0
        while i < len(blocks):
            block = blocks[i]
            if isinstance(block, Table):
                self._table(block)
            elif (m := _APPENDIX.match(block.text)) and not ends_sentence(block.text):
                i = self._appendix(m[1], m[2], blocks, i)
            else:
                self._line(block)
            i += 1
        return self.out

    def _line(self, line: Line) -> None:
        text = line.text
        if self.mode == _FRONT:
            if len(parts := split_columns(text)) > 1:
                for part in parts:
                    self._line(Line(part))
                return
            if self._front(text):
                self.out.front.append(text)
                return
        marker = parse_marker(text)
        if self.mode == _TAIL:
            if not (marker and marker.depth == ROMAN_DEPTH):  # a new Roman part ends the tail
                self.out.tail.append(text)
                return
            self.mode = _BODY
        if _RECIPIENTS.match(text) or SIGNATURE.match(text):
            self.mode = _TAIL
            self.out.tail.append(text)
        elif _NOTE.match(text):
            self.out.notes.append(text)
        elif line.heading:  # markup levels rank above numbering: "## I." holds "### Chỉ tiêu chung"
            numbered = marker if marker and marker.depth else None
            self._heading((0, line.heading), numbered and numbered.label, numbered.body if numbered else text)
        elif marker and marker.depth and (marker.depth == ROMAN_DEPTH or is_heading_text(marker.body)):
            self._heading((1, marker.depth), marker.label, marker.body)
        elif marker:
            if marker.depth:  # "2. …" after heading "1. …" is its sibling, not its child
                self._close((1, marker.depth))
            self.out.drafts.append(Draft(ITEM, marker.body, self.section, label=marker.label))
        else:
            self.out.drafts.append(Draft(PARAGRAPH, text, self.section))

    def _front(self, text: str) -> bool:
        """Take a line of the front matter; on the first line that is none, switch to the body."""
        out = self.out
        if self.expect_title and not parse_marker(text):
            if out.title is None:
                out.title = text
                return True
            if is_upper(text) and is_upper(out.title) and not parse_marker(text):
                out.title = f"{out.title} {text}"
                return True
            self.expect_title = False
        if m := WEB_KEY.match(text):
            out.web[m[1]] = m[2]
        elif MOTTO.match(text) or NUMBER_LINE.match(text) or PLACE_DATE.match(text):
            out.header.append(text)
        elif m := _SUBJECT.match(text):
            out.subject = m[1]
        elif is_upper(text) and not parse_marker(text) and fold(text) in _TYPE_KEYS and out.doc_type is None:
            out.doc_type = _TYPE_KEYS[fold(text)]
            self.expect_title = True
        elif is_upper(text) and not parse_marker(text) and out.doc_type is None:
            out.organisation.append(text)
        else:
            self.mode = _BODY
            return False
        return True

    def _close(self, rank: tuple[int, int]) -> None:
        """Leave the sections a heading or numbered item of this rank does not belong to."""
        while self.stack and self.stack[-1][0] >= rank:
            self.stack.pop()

    def _heading(self, rank: tuple[int, int], label: str | None, text: str) -> None:
        self._close(rank)
        self.out.drafts.append(Draft(HEADING, text, self.section, label=label))
        self.stack.append((rank, f"{label} {text}" if label else text))

    def _appendix(self, label: str, title: str, blocks: list[Block], i: int) -> int:
        """"Phụ lục" and the title lines under it make one top-level heading; returns the last index used."""
        parts = [title] if title else []
        while len(parts) < _MAX_APPENDIX_TITLE_LINES and i + 1 < len(blocks):
            nxt = blocks[i + 1]
            if not isinstance(nxt, Line) or parse_marker(nxt.text) or _NOTE.match(nxt.text) or ends_sentence(nxt.text):
                break
            parts.append(nxt.text)
            i += 1
        self.mode = _BODY
        self._heading((0, 0), None, f"{label}: {' '.join(parts)}" if parts else label)
        return i

    def _table(self, table: Table) -> None:
        """Word lays the header and the signature block out as tables: read those as lines."""
        lines = [t for row in table.rows for cell in row for t in cell.split("\n") if t and not is_boilerplate(t)]
        if self.mode == _FRONT and any(MOTTO.match(t) or NUMBER_LINE.match(t) for t in lines):
            for text in lines:
                self._line(Line(text))
        elif any(_RECIPIENTS.match(t) or SIGNATURE.match(t) for t in lines):
            self.mode = _TAIL
            self.out.tail.extend(lines)
        else:
            self.mode = _BODY
            self.out.drafts.extend(table_drafts(table.rows, self.section))
