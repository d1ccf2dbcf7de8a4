"""Spreadsheets (.xlsx; .xls after conversion): every sheet is a table under its name.

A sheet whose header row names the task-table columns (nội dung / chủ trì / phối hợp / thời
gian) becomes task rows through `ingest.tables`, like an appendix table in any other format.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ingest.blocks import Block, Line, Table, Unreadable
from ingest.limits import DEFAULT_LIMITS, Limits, check_zip


def read_xlsx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[Block]:
    check_zip(data, limits, ".xlsx")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise Unreadable(f"not a readable .xlsx file ({type(exc).__name__})", "corrupt") from exc
    blocks: list[Block] = []
    try:
        for sheet in workbook.worksheets:
            rows = tuple(row for row in (tuple(cell_text(v) for v in values) for values in sheet.iter_rows(values_only=True))
                         if any(row))
            if rows:
                width = max(len(r) for r in rows)
                blocks.append(Line(sheet.title, heading=1))
                blocks.append(Table(tuple(r + ("",) * (width - len(r)) for r in rows)))
    finally:
        workbook.close()
    return blocks


def cell_text(value) -> str:
    """A cell as an official reads it: whole numbers without ".0", dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == dt.time() else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()
