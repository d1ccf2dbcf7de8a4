"""English renderings for English answers: document types, places and dates. Agency names come
from the lexicon (qa/data/agencies.tsv); quotes stay Vietnamese."""

from __future__ import annotations

from ingest.model import DocumentMeta

DOC_TYPES = {"Kế hoạch": "Plan", "Báo cáo": "Report", "Công văn": "Official letter", "Quyết định": "Decision",
             "Nghị quyết": "Resolution", "Chỉ thị": "Directive", "Thông báo": "Notice", "Tờ trình": "Submission"}
ADMIN_UNITS = {"tỉnh": "province", "huyện": "district", "thành phố": "city", "thị xã": "town", "quận": "district",
               "xã": "commune", "phường": "ward", "thị trấn": "township"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def place(locality: str | None) -> str | None:
    """"huyện Cao Lãnh" -> "Cao Lãnh district"."""
    if not locality:
        return locality
    for unit, english in sorted(ADMIN_UNITS.items(), key=lambda kv: -len(kv[0])):
        if locality.lower().startswith(unit + " "):
            return f"{locality[len(unit) + 1:]} {english}"
    return locality


def doc_type(name: str | None) -> str | None:
    return DOC_TYPES.get(name, name) if name else name


def date(iso: str | None) -> str | None:
    """"2021-10-13" -> "13 October 2021", "2021-11" -> "November 2021", "2020" -> "2020"."""
    if not iso:
        return iso
    parts = iso.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return iso


def document_label(meta: DocumentMeta) -> str:
    """"Plan 178/KH-UBND (Cao Lãnh district, 2021)"."""
    name = " ".join(filter(None, (doc_type(meta.doc_type), meta.number))) or meta.title or meta.source
    where = ", ".join(str(x) for x in (place(meta.locality), meta.year) if x)
    return f"{name} ({where})" if where else name
