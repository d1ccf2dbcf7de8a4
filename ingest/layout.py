"""From OCR word boxes to the `Line` and `Table` blocks every reader produces.

Tesseract gives words with boxes, grouped in visual lines. Running text becomes lines. A task
table is recognised by its header row (the words "chủ trì" and the other column names, wrapped
over one or more lines): the header's word clusters are its cells, the column boundaries are the
white gutters of the body between neighbouring header cells, and each body word goes to the
column its centre falls in. A row starts at a line with a number in the STT column or after a
row-sized vertical gap; the cells are then handed, as rows of text, to the same task-table logic
as every other format (`ingest.tables`), which drops repeated headers and merges split rows.
A table running off the page bottom carries its columns onto the next page.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.blocks import Block, Line, Table
from ingest.markers import is_roman
from ingest.tables import header_columns
from ingest.text import fold, is_upper, nfc


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    right: int
    bottom: int
    line: tuple[int, ...]  # Tesseract's (block, paragraph, line) numbers

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True)
class VisualLine:
    words: tuple[Word, ...]  # left to right

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.bottom for w in self.words)

    @property
    def right(self) -> int:
        return max(w.right for w in self.words)

    @property
    def height(self) -> float:
        return statistics.median(w.height for w in self.words)


@dataclass(frozen=True)
class Columns:
    """A task table's columns: header cell texts, and the x boundaries between them."""

    header: tuple[str, ...]
    bounds: tuple[float, ...]  # len(header) - 1 inner boundaries, left to right
    stt: int | None  # index of the STT column, if any

    def index(self, word: Word) -> int:
        return sum(word.centre > b for b in self.bounds)

    def straddles(self, line: VisualLine) -> bool:
        """Running text crosses the gutters; a table line never does."""
        slack = line.height / 2
        return any(w.left < b - slack and w.right > b + slack for w in line.words for b in self.bounds)


_RULE_MARKS = "|_"  # what is left of a table rule after clean-up reads as these, glued to a word or alone


def parse_tsv(tsv: str) -> list[Word]:
    """Words of Tesseract's TSV output (level 5 rows with text), NFC, rule remnants stripped off
    words; a lone mark stays a word, since in an STT column it is a Roman "I" misread."""
    words = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not (raw := cols[11].strip()):
            continue
        text = raw.strip(_RULE_MARKS).strip() or raw
        left, top, width, height = (int(c) for c in cols[6:10])
        words.append(Word(nfc(text), left, top, left + width, top + height,
                          (int(cols[2]), int(cols[3]), int(cols[4]))))
    return words


def visual_lines(words: Sequence[Word]) -> list[VisualLine]:
    by_line: dict[tuple[int, ...], list[Word]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(w)
    lines = [VisualLine(tuple(sorted(ws, key=lambda w: w.left))) for ws in by_line.values()]
    return sorted(lines, key=lambda ln: ln.top)


def page_blocks(words: Sequence[Word], carry: Columns | None = None) -> tuple[list[Block], Columns | None]:
    """Blocks of one page, and the columns of a table still open at its bottom (for the next page)."""
    lines = visual_lines(words)
    blocks: list[Block] = []
    text_lines: list[VisualLine] = []
    columns = carry
    rows: list[list[list[str]]] = []
    row_bottom = 0
    i = 0

    def close_table() -> None:
        nonlocal columns, rows
        if columns is not None and rows:
            blocks.append(Table(tuple(tuple(tidy("\n".join(cell)) for cell in row) for row in rows)))
        columns, rows = None, []

    while i < len(lines):
        if found := _header(lines, i):
            flush_text(blocks, text_lines)
            close_table()
            columns, i = found
            rows = [[[cell] for cell in columns.header]]
            row_bottom = lines[i - 1].bottom
            continue
        line = lines[i]
        if columns is not None and columns.straddles(line):
            close_table()
        if columns is None:
            if words := tuple(w for w in line.words if not _is_mark(w)):
                text_lines.append(VisualLine(words))
        else:
            cells: list[list[str]] = [[] for _ in columns.header]
            for word in line.words:
                column = columns.index(word)
                if column == columns.stt or not _is_mark(word):
                    cells[column].append(word.text)
            # A number in the STT column starts a row; so does a row-sized gap (cell padding and rule):
            # a row without a number is then merged back by the task-table logic, like a split row.
            new_row = (columns.stt is not None and bool(cells[columns.stt])) or line.top - row_bottom > line.height
            if new_row or not rows:
                rows.append([[] for _ in columns.header])
            for target, part in zip(rows[-1], cells):
                if part:
                    target.append(" ".join(part))
            row_bottom = line.bottom
        i += 1
    flush_text(blocks, text_lines)
    open_columns = columns
    close_table()
    return blocks, open_columns


class Numbering:
    """Repairs the STT column of OCR'd task tables, page after page.

    OCR garbles its short lone tokens ("III" as "IH", "I" as "|", "2" as "B2"), but the column
    is a running count: groups I, II, … (rows without a lead) and tasks 1, 2, … within each. A
    token that is neither a number nor a later group's numeral is read as the count it stands for:
    the next group on a row without a lead, else the next task.
    """

    def __init__(self) -> None:
        self.stt: int | None = None
        self.lead: int | None = None
        self.group = 0
        self.task = 0

    def repair(self, blocks: list[Block]) -> list[Block]:
        return [Table(tuple(self._row(r) for r in b.rows)) if isinstance(b, Table) else b for b in blocks]

    def _row(self, row: tuple[str, ...]) -> tuple[str, ...]:
        if columns := header_columns(row):
            self.stt, self.lead = columns.get("stt"), columns.get("lead")
            return row
        if self.stt is None or self.stt >= len(row) or not row[self.stt].strip():
            return row
        token = row[self.stt].strip().rstrip(".")
        has_lead = self.lead is not None and self.lead < len(row) and bool(row[self.lead].strip())
        if token.isdigit():
            self.task = int(token)
        elif is_roman(token) and token in _ROMANS and _ROMANS.index(token) >= self.group:
            self.group, self.task = _ROMANS.index(token) + 1, 0
        elif not has_lead:
            self.group, self.task = self.group + 1, 0
            token = _ROMANS[self.group - 1] if self.group <= len(_ROMANS) else token
        else:
            digits = re.sub(r"\D", "", token)
            self.task = int(digits) if digits else self.task + 1
            token = str(self.task)
        return (*row[:self.stt], token, *row[self.stt + 1:])


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


_ROMANS = tuple(_roman(n) for n in range(1, 50))


def _is_mark(word: Word) -> bool:
    return not word.text.strip(_RULE_MARKS)


_LOPSIDED_DASH = re.compile(r"(?<=\d)(?:- | -)(?=\d)")


def tidy(text: str) -> str:
    """Undo OCR's spacing slips that change how text reads: a dash between numbers with a space on
    one side only ("2021- 2030") was printed with both ("2021 - 2030")."""
    return _LOPSIDED_DASH.sub(" - ", text)


def flush_text(blocks: list[Block], lines: list[VisualLine]) -> None:
    """Text lines as `Line` blocks; a line reaching the right margin with the next close below
    was wrapped (as in the PDF reader), unless either is in capitals (titles, header lines)."""
    right = max((ln.right for ln in lines), default=0)
    for line, nxt in zip(lines, [*lines[1:], None]):
        wrapped = (nxt is not None and line.right >= right - 2 * line.height and nxt.top - line.bottom < line.height
                   and not is_upper(line.text) and not is_upper(nxt.text))
        blocks.append(Line(tidy(line.text), wrapped=wrapped))
    lines.clear()


_HEADER_WORDS = ("chu tri", "phoi hop", "nhiem vu", "noi dung", "thoi gian", "stt")


def _header(lines: Sequence[VisualLine], i: int) -> tuple[Columns, int] | None:
    """A task-table header starting at line i (its capitals may wrap over the next lines, and OCR
    may glue words: "VỊCHỦ"), and the index of the first body line."""
    if not any(w in fold(lines[i].text) for w in _HEADER_WORDS):
        return None
    band = [lines[i]]
    j = i + 1
    while (j < len(lines) and lines[j].top - band[-1].bottom < band[0].height and is_upper(lines[j].text)
           and not _has_marker(lines[j])):
        band.append(lines[j])
        j += 1
    body = [w for line in lines[j:] for w in line.words]
    cells = _clusters([w for line in band for w in line.words], _CELL_GAP * _word_space(lines))
    row_of = {id(w): k for k, line in enumerate(band) for w in line.words}
    texts = tuple(" ".join(w.text for w in sorted(c, key=lambda w: (row_of[id(w)], w.left))) for c in cells)
    found = header_columns(texts)  # a task table names at least its content and lead columns
    if found is None:
        return None
    bounds = tuple(_gutter(left, right, body) for left, right in zip(cells, cells[1:]))
    return Columns(texts, bounds, found.get("stt")), j


def _has_marker(line: VisualLine) -> bool:
    first = line.words[0].text.rstrip(".")
    return first.isdigit() or (first.isupper() and set(first) <= set("IVXL"))


_CELL_GAP = 1.6  # header words further apart than this many word spaces are in different cells


def _word_space(lines: Sequence[VisualLine]) -> float:
    """The page's usual space between words (the median gap; column gaps are the rarer ones)."""
    gaps = [b.left - a.right for line in lines for a, b in zip(line.words, line.words[1:]) if b.left > a.right]
    return statistics.median(gaps) if gaps else 0.4 * statistics.median(line.height for line in lines)


def _clusters(words: list[Word], gap: float) -> list[list[Word]]:
    """Header words grouped into cells, across lines: words closer than `gap` (measured on the
    page: header cells sit apart by their padding, words by a space)."""
    cells: list[list[Word]] = []
    right = -1e9
    for w in sorted(words, key=lambda w: w.left):
        if cells and w.left - right < gap:
            cells[-1].append(w)
        else:
            cells.append([w])
        right = max(right, w.right) if len(cells[-1]) > 1 else w.right
    return cells


def _gutter(left: list[Word], right: list[Word], body: list[Word]) -> float:
    """The x between two header cells that the fewest body words cover (the middle of the
    widest such stretch): the white gutter of the column boundary."""
    start, end = int(max(w.right for w in left)), int(min(w.left for w in right))
    if end <= start:
        return (start + end) / 2
    cover = [0] * (end - start)
    for w in body:
        for x in range(max(w.left, start), min(w.right, end)):
            cover[x - start] += 1
    low = min(cover)
    best, run_start, best_span = start, None, -1
    for x, c in enumerate([*cover, low + 1]):
        if c == low and run_start is None:
            run_start = x
        elif c != low and run_start is not None:
            if x - run_start > best_span:
                best_span, best = x - run_start, start + (run_start + x) / 2
            run_start = None
    return best
