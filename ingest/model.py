"""Typed records that leave the ingest layer: documents and their clauses.

Everything above ingest (index, qa, app) sees only these types, so they are plain,
frozen and JSON-serialisable through `to_dict`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, get_args

# Clause kinds, from coarse to fine. Table rows carry the task-table fields. The header clause is
# what the document says about itself (number, place and date, title, signer, recipients).
HEADER = "header"
HEADING = "heading"
PARAGRAPH = "paragraph"
ITEM = "item"
TABLE_GROUP = "table_group"
TABLE_ROW = "table_row"
KINDS = (HEADER, HEADING, PARAGRAPH, ITEM, TABLE_GROUP, TABLE_ROW)

SECTION_SEP = " › "


@dataclass(frozen=True)
class DocumentMeta:
    """What a document says about itself; a field the text does not state is None."""

    doc_id: str  # stable: derived from the file name
    source: str  # file name as given, for display
    content_hash: str  # sha256 of the file bytes
    title: str | None = None
    doc_type: str | None = None  # "Kế hoạch", "Báo cáo", "Công văn", ...
    number: str | None = None  # "178/KH-UBND"
    issued: str | None = None  # ISO date, or "YYYY-MM" / "YYYY" when the day is blank
    year: int | None = None  # year of issue, else the year the title reports on
    issuer: str | None = None  # "UBND huyện Cao Lãnh"
    locality: str | None = None  # most specific place: "huyện Cao Lãnh", "tỉnh Hậu Giang"
    province: str | None = None  # "Đồng Tháp"
    district: str | None = None  # "Cao Lãnh", "Quận 1"; None for provincial documents
    signer: str | None = None
    legal_bases: tuple[str, ...] = ()  # document numbers cited as basis, e.g. "889/QĐ-TTg"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["legal_bases"] = list(self.legal_bases)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> DocumentMeta:
        return cls(**{**d, "legal_bases": tuple(d.get("legal_bases", ()))})


@dataclass(frozen=True)
class TaskRow:
    """What a task-table row says beside its task (the clause text): the title of the group row it
    sits under and its Đơn vị chủ trì / phối hợp, Thời gian thực hiện and Ghi chú columns. Clauses
    that are not table rows (or group rows) carry NO_ROW."""

    group: str | None = None  # the row's group row, "II. Thúc đẩy sản xuất sạch hơn…"
    lead: str | None = None  # Đơn vị chủ trì
    partners: str | None = None  # Đơn vị phối hợp
    period: str | None = None  # Thời gian thực hiện
    note: str | None = None  # Ghi chú


NO_ROW = TaskRow()
ROW_FIELDS = tuple(TaskRow.__dataclass_fields__)  # serialised flat, beside the clause's own fields


@dataclass(frozen=True)
class Clause:
    """One retrievable unit: the document header, a heading, paragraph, list item or task-table row."""

    id: str  # "<doc_id>:<hash>", same file -> same ids
    doc_id: str
    kind: str  # one of KINDS
    text: str  # the clause itself; for table rows the task content (Nội dung)
    section: tuple[str, ...]  # enclosing headings, outermost first
    order: int  # position in the document
    citation: str  # "178/KH-UBND · huyện Cao Lãnh · 13/10/2021 › Phụ lục › II. … › dòng II.1"
    label: str | None = None  # the item's own marker: "1.", "a)", "-", "+", row "II.1"
    row: TaskRow = NO_ROW  # a table row's (or group row's) other columns
    source: str | None = None  # "ocr": read off a page image (its page is in the citation); None: the file's text

    @property
    def section_path(self) -> str:
        return SECTION_SEP.join(self.section)

    def to_dict(self) -> dict:
        d = dict(vars(self))  # not asdict(), which deep-copies: an index writes every clause on each build
        d.update(vars(d.pop("row")))
        d["section"] = list(self.section)
        d["section_path"] = self.section_path
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Clause:
        row = TaskRow(**{k: d[k] for k in ROW_FIELDS if d.get(k) is not None})
        d = {k: v for k, v in d.items() if k != "section_path" and k not in ROW_FIELDS}
        return cls(**{**d, "section": tuple(d["section"]), "row": row})


@dataclass(frozen=True)
class Document:
    meta: DocumentMeta
    clauses: tuple[Clause, ...] = field(default=())


# Why a file could not be ingested. The reason text is English prose for the CLI and may change;
# the code is stable, so callers (the app, which words each cause for officials) branch on it.
ErrorCode = Literal[
    "empty",  # no bytes, or only white space
    "binary",  # not text at all
    "unsupported",  # a file type ingest does not read
    "corrupt",  # a .docx or .pdf its library cannot open
    "encoding",  # text in no encoding we can tell
    "legacy_font",  # TCVN3 / VNI text: needs converting to Unicode first
    "no_text",  # no text, or no body text
    "ocr_unavailable",  # a scan or image, and Tesseract (or its Vietnamese model) is not installed
    "ocr_empty",  # a scan or image on which OCR found no text
    "ocr_limit",  # more pages to OCR than ocr_max_pages, or OCR ran past ocr_max_seconds
    "unsupported_legacy",  # a .doc/.xls LibreOffice is missing for, or cannot convert
    "unreadable",  # the operating system would not give us the file
    "too_large",  # over one of the limits (ingest/limits.py): size, ratio, depth, pages, line, memory
    "timeout",  # reading took longer than the time budget (setting 'ingest_timeout')
    "internal",  # a parser bug
]
ERROR_CODES: tuple[ErrorCode, ...] = get_args(ErrorCode)


class IngestError(Exception):
    """A file that cannot be ingested; the message names the file and the reason.

    `code` defaults to "internal": a failure nobody classified is ours, not the file's.
    """

    def __init__(self, path: str, reason: str, *, code: ErrorCode = "internal"):
        self.path = str(path)
        self.reason = reason
        self.code = code
        super().__init__(f"{self.path}: {reason}")
