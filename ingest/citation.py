"""The one human-readable citation of a clause, e.g.
"178/KH-UBND · huyện Cao Lãnh · 13/10/2021 › Phụ lục › II. Thúc đẩy sản xuất sạch hơn… › dòng II.1",
or "… › Thông tin văn bản" for the header clause."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ingest.model import HEADER, HEADING, ITEM, SECTION_SEP, TABLE_GROUP, TABLE_ROW, DocumentMeta

_SHORT = 60  # a longer heading is cited by its opening phrase
_PHRASE_END = re.compile(r"[:,;]")
_HEADER_PART = "Thông tin văn bản"


def citation_for(meta: DocumentMeta, clause_fields: Mapping[str, Any], page: int | None = None) -> str:
    """Document (number, else type), place and date, then the section path and the row or point,
    then the page for a clause read by OCR, so the official can check the scanned original.

    `clause_fields` needs "kind", "section" and "label", as in `Clause.to_dict()`.
    """
    head = " · ".join(p for p in (meta.number or meta.doc_type or meta.source, meta.locality,
                                  display_date(meta.issued)) if p)
    parts = [head, *map(short_heading, clause_fields.get("section") or ())]
    kind, label = clause_fields.get("kind"), clause_fields.get("label")
    if kind == HEADER:
        parts.append(_HEADER_PART)
    elif label and kind in (TABLE_ROW, TABLE_GROUP):
        parts.append(f"dòng {label}")
    elif label and kind in (HEADING, ITEM) and label[0].isalnum():
        parts.append(f"{'điểm' if label.endswith(')') else 'mục'} {label.rstrip('.)')}")
    if page is not None:
        parts.append(f"trang {page}")
    return SECTION_SEP.join(parts)


def display_date(issued: str | None) -> str | None:
    """"2021-10-13" -> "13/10/2021", "2021-11" -> "11/2021", "2020" -> "2020"."""
    return "/".join(reversed(issued.split("-"))) if issued else None


def short_heading(heading: str) -> str:
    """A long heading cut at its first phrase: "Phụ lục: CÁC NHIỆM VỤ…" -> "Phụ lục",
    "II. Thúc đẩy sản xuất sạch hơn, xây dựng…" -> "II. Thúc đẩy sản xuất sạch hơn…"."""
    if len(heading) <= _SHORT:
        return heading
    m = _PHRASE_END.search(heading)
    if m and m.start() <= _SHORT:
        head = heading[:m.start()].rstrip()
        return head if m[0] == ":" else f"{head}…"  # before a colon stands a whole name ("Phụ lục: …")
    return heading[:_SHORT].rsplit(" ", 1)[0] + "…"
