"""Task tables of plan appendices: one clause per task, with its lead agency, partners and period.

Written once over rows of cell texts, so text copies, Word tables and PDF tables share it.
Columns are found by their header names, never by position, because every locality lays the
table out differently; a header row repeated after a page break is dropped, and a row the page
break cut in two (its second half has no STT) is put back together cell by cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ingest.blocks import Draft
from ingest.markers import is_roman
from ingest.model import PARAGRAPH, TABLE_GROUP, TABLE_ROW, TaskRow
from ingest.text import fold, squash

# Folded header words per field; the first field whose words occur in a header cell takes it.
_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("lead", ("chu tri",)),
    ("partners", ("phoi hop",)),
    ("period", ("thoi gian", "tien do", "thoi han")),
    ("note", ("ghi chu",)),
    ("content", ("noi dung", "ten nhiem vu", "nhiem vu", "cong viec", "hoat dong")),
)
_STT = frozenset({"stt", "tt", "so tt", "so thu tu"})
_MAX_HEADER_CELL = 40  # header cells are labels; a longer cell is data that happens to say "chủ trì"


def header_columns(row: Sequence[str]) -> dict[str, int] | None:
    """Field name -> column index when the row is a task-table header (it names content and lead)."""
    columns: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = " ".join(fold(cell).split())
        if len(key) > _MAX_HEADER_CELL:
            continue
        if key in _STT:
            columns.setdefault("stt", i)
            continue
        glued = key.replace(" ", "")  # OCR glues words whose space is narrow: "Đơn vị phốihợp"
        name = next((name for name, words in _COLUMNS if any(w.replace(" ", "") in glued for w in words)), None)
        if name:
            columns.setdefault(name, i)
    return columns if {"content", "lead"} <= columns.keys() else None


@dataclass
class _Entry:
    """A group or task row while its page-break continuation may still be merged into it."""

    kind: str
    cells: dict[str, str]
    group: _Entry | None = None

    def merge(self, cells: dict[str, str]) -> None:
        for name, text in cells.items():
            if text:
                self.cells[name] = f"{self.cells.get(name, '')} {text}".strip()

    @property
    def heading(self) -> str:
        return f"{self.cells['stt']}. {self.cells['content']}"


def table_drafts(rows: Sequence[Sequence[str]], section: tuple[str, ...]) -> list[Draft]:
    """Clauses of a table: task rows and their groups after a task header, plain rows otherwise."""
    columns: dict[str, int] | None = None
    drafts: list[Draft] = []
    entries: list[_Entry] = []
    group: _Entry | None = None
    for row in rows:
        if found := header_columns(row):
            columns = found
            continue
        if columns is None:
            if text := " | ".join(squash(c.replace("\n", " ")) for c in row if c.strip()):
                drafts.append(Draft(PARAGRAPH, text, section))
            continue
        cells = {name: squash(row[i].replace("\n", " ")) if i < len(row) else "" for name, i in columns.items()}
        stt = cells.get("stt", "").rstrip(".")
        cells["stt"] = stt
        if "stt" in columns and not stt and entries:
            entries[-1].merge(cells)
        elif is_roman(stt):
            group = _Entry(TABLE_GROUP, cells)
            entries.append(group)
        else:
            entries.append(_Entry(TABLE_ROW, cells, group))
    return drafts + [_draft(e, section) for e in entries if e.cells.get("content")]


def _draft(entry: _Entry, section: tuple[str, ...]) -> Draft:
    cells = entry.cells
    row = TaskRow(**{name: cells.get(name) or None for name in ("lead", "partners", "period", "note")})
    if entry.kind == TABLE_GROUP:
        return Draft(TABLE_GROUP, cells["content"], section, label=cells["stt"], row=replace(row, group=entry.heading))
    group = entry.group
    if group is None:
        return Draft(TABLE_ROW, cells["content"], section, label=cells["stt"] or None, row=row)
    period = row.period or group.cells.get("period") or None  # only group rows may carry it
    return Draft(TABLE_ROW, cells["content"], (*section, group.heading), label=f"{group.cells['stt']}.{cells['stt']}",
                 row=replace(row, group=group.heading, period=period))
