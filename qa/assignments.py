"""Who does what: every assignment the documents make, as records.

A task-table row is an assignment (task, Đơn vị chủ trì, Đơn vị phối hợp, Thời gian); so is prose
that puts an agency in charge ("Sở Công Thương là đơn vị đầu mối chủ trì…", "Phòng Tài chính – Kế
hoạch Huyện: Thẩm định kinh phí…", items under an agency heading in "Tổ chức thực hiện"). Agencies
are resolved to the lexicon's canonical names (qa/data/agencies.tsv), so "Sở TN&MT" and "Sở Tài
nguyên và Môi trường" are one agency, and partner lists are split into agencies.

The records are a pure function of a generation's clauses: computed once per generation, they are
published and replaced with it. They live here, not in ingest, because resolving agencies needs the
lexicon, which is qa's data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from ingest.model import HEADER, TABLE_GROUP, TABLE_ROW, Clause, DocumentMeta
from qa.expand import english_name, load_lexicon
from qa.extract import agency_spans, leads_in, partners_in, strip_label
from qa.terms import contains, key

TABLE, PROSE = "table", "prose"
_LIST_SPLIT = re.compile(r"\s*(?:,|;|\bvà\b|&)\s*")
_GENERIC_PARTNERS = re.compile(r"^(?:các|những)\s", re.IGNORECASE)  # "các đơn vị liên quan": kept whole


@dataclass(frozen=True)
class Assignment:
    """One task given to one lead agency (with its partners), citing the clause that says so."""

    task: str
    lead: str  # as the document writes it ("Sở TN&MT"); `agency` is its canonical name
    partners: tuple[str, ...]  # one agency each, as written
    period: str | None
    doc_id: str
    locality: str | None  # the document's locality: whose agency this is
    clause_id: str
    citation: str
    section: str
    label: str | None  # the row number ("VI.3") or item marker
    source: str  # TABLE or PROSE
    agency: str = ""  # the lead's canonical name ("Sở Tài nguyên và Môi trường")
    lead_english: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["partners"] = list(self.partners)
        return d


def canonical(name: str) -> str:
    """The lexicon's name for an agency ("Sở TN&MT" -> "Sở Tài nguyên và Môi trường"), keeping a
    trailing place the name carries; the name as written when the lexicon does not know it."""
    name = re.sub(r"\s+", " ", name).strip(" ,;.:-–")
    table = load_lexicon().agency_names(folded=True)
    agency = table.get(key(name, folded=True))
    return agency.name if agency else name


def split_agencies(text: str | None) -> tuple[str, ...]:
    """A list of agencies as written ("UBND cấp huyện và các đơn vị liên quan") as one name each."""
    if not text:
        return ()
    names: list[str] = []
    last = 0
    for a, b in agency_spans(text):
        names += _pieces(text[last:a])
        names.append(text[a:b])
        last = b
    names += _pieces(text[last:])
    return tuple(dict.fromkeys(_clean(n) for n in names if _clean(n)))


def _clean(name: str) -> str:
    return re.sub(r"\s+(?:và|cùng)$", "", re.sub(r"\s+", " ", name).strip(" ,;.:-–")).strip()


def _pieces(text: str) -> list[str]:
    """Names between recognised agencies: split at commas and "và", except a generic "các ..." list."""
    text = text.strip(" ,;.:-–")
    if not text or text.lower() in ("và", "các"):
        return []
    if _GENERIC_PARTNERS.match(text):
        return [text]
    return [p for p in _LIST_SPLIT.split(text) if len(p.split()) >= 2]


def extract(clauses: Iterable[Clause], documents: Mapping[str, DocumentMeta]) -> list[Assignment]:
    """Every assignment in `clauses`, in document order."""
    out: list[Assignment] = []
    for clause in clauses:
        if clause.kind in (HEADER, TABLE_GROUP):
            continue
        meta = documents.get(clause.doc_id)
        locality = meta.locality if meta else None
        if clause.kind == TABLE_ROW:
            if clause.row.lead:
                out += _records(clause, locality, split_agencies(clause.row.lead), clause.text, TABLE)
            continue
        leads = [n for n in leads_in(clause.text, clause.section_path) if _is_agency(n)]
        if leads:
            out += _records(clause, locality, tuple(_clean(n) for n in leads), _task(clause.text, leads), PROSE)
    return out


def _records(clause: Clause, locality: str | None, leads: tuple[str, ...], task: str, source: str) -> list[Assignment]:
    partners = split_agencies(clause.row.partners) if source == TABLE else _prose_partners(clause.text)
    return [Assignment(task=task, lead=lead, partners=tuple(p for p in partners if p != lead),
                       period=clause.row.period, doc_id=clause.doc_id, locality=locality, clause_id=clause.id,
                       citation=clause.citation, section=clause.section_path, label=clause.label, source=source,
                       agency=canonical(lead), lead_english=english_name(lead))
            for lead in leads]


def _prose_partners(text: str) -> tuple[str, ...]:
    named = partners_in(text)
    return split_agencies(named) if named and agency_spans(named) else ()


def _is_agency(name: str) -> bool:
    """Prose leads must be agencies, not "Các Phòng" alone or a sentence fragment."""
    return bool(agency_spans(name)) and len(name.split()) <= 14


def _task(text: str, leads: list[str]) -> str:
    """The clause without its marker and without a leading "<agency>:" that names the lead."""
    body = strip_label(text).strip()
    for name in leads:
        if body.startswith(name) and body[len(name):].lstrip().startswith(":"):
            return body[len(name):].lstrip()[1:].strip()
    return body


def same_agency(name: str, asked: Iterable[str]) -> bool:
    """`name` is the asked agency: equal canonical names, or one spelling inside the other (a
    question may add a place: "Liên minh Hợp tác xã Thanh Hóa"), accents and case aside."""
    mine = key(canonical(name), folded=True)
    for other in asked:
        theirs = key(canonical(other), folded=True)
        if mine and theirs and (mine == theirs or contains(mine, theirs) or contains(theirs, mine)):
            return True
    return False


def matching(records: Iterable[Assignment], *, agency: str | None = None, role: str = "lead",
             doc_ids: Iterable[str] | None = None, topic: str | None = None) -> list[Assignment]:
    """Records whose lead (role "lead"), partners ("partner") or either ("any") is `agency`, in the
    given documents, whose task or section mentions `topic` (accents and case aside)."""
    docs = set(doc_ids) if doc_ids is not None else None
    topic_key = key(topic, folded=True) if topic else ""
    out = []
    for r in records:
        if docs is not None and r.doc_id not in docs:
            continue
        if agency:
            names = {"lead": (r.lead,), "partner": r.partners, "any": (r.lead, *r.partners)}[role]
            if not any(same_agency(n, (agency,)) for n in names):
                continue
        if topic_key and not contains(key(f"{r.task} {r.section}", folded=True), topic_key):
            continue
        out.append(r)
    return out


