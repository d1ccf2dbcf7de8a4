"""Answer composition: pick the clauses that answer, read the asked-for field out of them,
write a direct answer with numbered citations in the question's language, or abstain.

Confidence combines how much of the question the best answering clause covers, how strongly
retrieval ranked it, and whether the asked-for field (agency, date, figure, basis) was found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from index.model import Hit
from ingest.citation import display_date, short_heading
from ingest.model import HEADER, HEADING, ITEM, PARAGRAPH, SECTION_SEP, TABLE_GROUP, TABLE_ROW, DocumentMeta
from ingest.text import fold
from qa import english
from qa.config import QASettings
from qa.expand import ENGLISH_AGENCY_KINDS, english_forms, english_key, english_name, load_lexicon
from qa.extract import (
    AGENCY_KINDS,
    Period,
    agency_spans,
    best_sentence,
    counts,
    dates_in,
    deadlines_in,
    document_number,
    has_amount,
    has_figure,
    heading_agency,
    leads_in,
    partners_in,
    period_of,
    references_in,
    sentences,
    shorten,
    states_basis,
)
from qa.model import (
    BASIS,
    DOC_NUMBER,
    EN,
    GENERAL,
    ISSUED,
    LEAD,
    PARTNER,
    ISSUER,
    SIGNER,
    TARGET,
    VI,
    WHEN,
    Answer,
    Fact,
    Query,
    Term,
)
from qa.question import asks_amount, asks_deadline, asks_horizon, asks_several_figures, asks_too, bare_numbers, counted, names_a_role
from qa.terms import contains, coverage, key, mark, term_phrases

# Confidence = coverage × (W_BASE + W_RETRIEVAL·retrieval) × (1, or NO_FIELD when the asked-for
# agency/date/figure/basis is in none of the answering clauses). Coverage gates everything: no
# other signal can vouch for a clause that lacks the question's words. Calibration: qa/data/README.md.
W_BASE, W_RETRIEVAL = 0.75, 0.25
NO_FIELD = 0.3  # keeps such an answer below any threshold in the measured gap: it abstains
RANK_BONUS = 0.05  # support added for retrieval rank, 1/(1+rank) scaled: a tie-breaker
TOPIC_BONUS = 0.1  # support added for the share of the question its table group / heading covers
OWN_SHARE = 0.7  # a table row's coverage counts its own words this much, its group the rest: a group
# ("II. … xây dựng mạng lưới … bền vững") must not make every row under it look relevant. Prose is
# read with its heading ("4. Thúc đẩy sản xuất sạch hơn…" › "Nhiệm vụ: Gồm 08 nhiệm vụ…").
YEAR_BONUS = 0.15  # support added when the clause's period covers a year the question names
MARGIN = 0.25  # clauses within this much support of the best one are read for answers
TIE = 0.05  # of those, the ones within this much coverage of the best are named in the first line
DISTINCTION_LIMIT = 90  # characters of a tied row's task shown beside its agency
GROUP_TOPIC = 0.8  # a question its best row's task group covers this well asks about the whole group
MAX_FACTS = 5
MAX_TASKS = 30  # rows listed for "what does agency X lead?"
SHORT_CLAUSE = 240  # characters up to which a clause is quoted whole
TASK_LIMIT, QUOTE_LIMIT = 220, 600  # characters of a quoted sentence
NEAREST = 3  # passages shown when abstaining

_MESSAGES = {  # a direct-answer label for the intents whose answers are values; quotes need none
    VI: {
        "abstain": "Các văn bản đã lập chỉ mục không trả lời câu hỏi này.",
        "note": "ghi chú",
        "nearest": "Các đoạn gần nhất (không đủ để trả lời):",
        "related": "Liên quan (khớp câu hỏi ít hơn):",
        "cited": "Bản {doc} đã lập chỉ mục không ghi đủ số, ngày; {other} dẫn văn bản này là «{value}».",
        "unstated": "Bản {doc} đã lập chỉ mục không ghi {what}, và không văn bản nào khác đã lập chỉ mục dẫn {what} của nó.",
        "unstated_" + ISSUED: "đủ ngày ban hành",
        "unstated_" + SIGNER: "người ký",
        "unstated_" + DOC_NUMBER: "số hiệu",
        "unstated_" + ISSUER: "cơ quan ban hành",
        LEAD: "Đơn vị chủ trì:",
        "acting": "Cơ quan:",
        PARTNER: "Đơn vị phối hợp:",
        WHEN: "Thời gian:",
        BASIS: "Căn cứ:",
        "according": "Theo {doc}:",
        "led_by": "nhiệm vụ do {lead} chủ trì",
        ISSUED: "{doc} ban hành {value}",
        SIGNER: "{doc} do {value} ký",
        DOC_NUMBER: "{doc} có số hiệu {value}",
        ISSUER: "{doc} do {value} ban hành",
    },
    EN: {
        "abstain": "The indexed documents do not answer this question.",
        "note": "note",
        "nearest": "Nearest passages (not enough to answer):",
        "related": "Related (match the question less closely):",
        "cited": "The indexed copy of {doc} does not state its full number and date; {other} cites it as «{value}».",
        "unstated": "The indexed copy of {doc} does not state its {what}, and no other indexed document cites it.",
        "unstated_" + ISSUED: "full date of issue",
        "unstated_" + SIGNER: "signer",
        "unstated_" + DOC_NUMBER: "number",
        "unstated_" + ISSUER: "issuing body",
        LEAD: "Lead agency:",
        "acting": "Agency:",
        PARTNER: "Coordinating agencies:",
        WHEN: "Timing:",
        BASIS: "Legal basis:",
        "according": "According to {doc}:",
        "led_by": "task led by {lead}",
        ISSUED: "{doc} was issued {value}",
        SIGNER: "{doc} was signed by {value}",
        DOC_NUMBER: "{doc} is numbered {value}",
        ISSUER: "{doc} was issued by {value}",
    },
}


@dataclass(frozen=True)
class _Scored:
    hit: Hit
    rank: int  # 0-based retrieval rank
    coverage: float
    support: float


@dataclass
class _Fact:
    """A value read from one clause, before citation numbers are assigned."""

    scored: _Scored
    value: str
    task: str
    period: Period | None = None
    extra: dict = field(default_factory=dict)


def compose(query: Query, hits: list[Hit], settings: QASettings) -> Answer:
    """The answer to `query` from its search `hits` (best first)."""
    msg = _MESSAGES[query.language]
    if not _about_document(query):  # header, signer, recipients: not evidence for the plan's content
        hits = [h for h in hits if h.kind != HEADER]
    scored = _score(query, hits)
    if not scored:
        return Answer(query.text, msg["abstain"], [], True, query.language, query.intent)
    facts = _facts(query, scored)
    if query.intent in (LEAD, PARTNER) and _asks_department(query):  # departments if any, never district offices
        kind = lambda f: key(f.value, folded=True).split(" ", 1)[0]  # noqa: E731
        facts = [f for f in facts if kind(f) == "so"] or [f for f in facts if kind(f) != "phong"]
    if not facts and query.document_field:
        missing = _unstated(query, scored)
        if missing is not None:
            return missing
    quote_will_do = query.intent == GENERAL and not query.document_field  # nothing specific was asked
    confidence = _confidence(facts[0].scored if facts else scored[0], bool(facts) or quote_will_do)
    if confidence < settings.abstain_threshold:
        return _abstain(query, scored, confidence)
    written = query if facts else replace(query, intent=GENERAL)  # no asked-for field: quote the best clause
    text, cited, found = _write(written, facts or _general_facts(written, scored))
    return Answer(query.text, text, cited, False, query.language, query.intent, found, confidence)


_DOCUMENT_WORDS = ("so hieu", "ky hieu", "noi nhan", "gui cho", "gui den", "recipient", "document number",
                   "what number", "which number")


def _about_document(query: Query) -> bool:
    """The question asks about a document itself (issue date, signer, number, recipients)."""
    q = key(query.text, folded=True)
    return bool(query.document_field) or any(contains(q, w) for w in _DOCUMENT_WORDS)


def highlight(text: str, query: Query, html: bool = False) -> str:
    """`text` with the question's terms (and their expansions) marked: «…» or <mark>…</mark>."""
    return mark(text, term_phrases(query.terms), html_output=html, folded=query.folded)


# --- scoring -----------------------------------------------------------------------------------


def _score(query: Query, hits: list[Hit]) -> list[_Scored]:
    """Hits with their term coverage (a table row mostly by its own fields, prose with its
    innermost heading) and support (coverage plus small bonuses for rank, topic and the asked
    year), best first. Coverage counts the terms beyond each document's own title, unless no hit
    holds any of those and none is a concept of the lexicon: then the title's words were what the
    question asked ("Who is the focal agency for the programme?") and every term counts. An
    agency's role no hit names ("đơn vị đầu mối" of a plan that only says who "chủ trì … triển khai
    thực hiện Kế hoạch") is what is asked, not content a clause must hold."""
    asked = tuple(t for t in query.terms if not any(names_a_role(a) for a in t.alternatives)
                  or any(coverage((t,), hit.text, query.folded) for hit in hits))
    if not asked:  # nothing but scope was asked ("Kế hoạch 45/KH-UBND căn cứ vào đâu?")
        return _scored(query, hits, lambda hit: ())
    full = lambda hit: asked  # noqa: E731
    if query.intent == BASIS:  # what a document implements is what its title and its basis clause both say
        return _scored(query, hits, full)
    beyond: dict[str, tuple[Term, ...]] = {}
    of_hit = lambda hit: beyond.setdefault(  # noqa: E731
        hit.doc.doc_id, beyond_document(asked, hit.doc, query.folded) or asked)
    scored = _scored(query, hits, of_hit)
    if any(s.coverage for s in scored) or any(_concept(t) for ts in beyond.values() for t in ts):
        return scored  # a concept of the programme's vocabulary no clause holds is not asked of the title
    return _scored(query, hits, full)


def _concept(term: Term) -> bool:
    """A term the lexicon gives other words for ("kinh phí": ngân sách, dự toán; "focal" has none)."""
    own = key(term.alternatives[0], folded=True)
    return any(key(a, folded=True) != own for a in term.alternatives[1:])


def _scored(query: Query, hits: list[Hit], terms_of: Callable[[Hit], Sequence[Term]]) -> list[_Scored]:
    out = []
    for rank, hit in enumerate(hits):
        topic = " ".join(filter(None, (hit.row.group, hit.section.split(SECTION_SEP)[-1])))
        if terms := terms_of(hit):
            text = " ".join(filter(None, (hit.text, hit.row.lead, hit.row.partners)))  # a row's own fields
            whole = coverage(terms, f"{text} {topic}", query.folded)
            own = coverage(terms, text, query.folded) if hit.kind == TABLE_ROW else whole
            cov = OWN_SHARE * own + (1 - OWN_SHARE) * whole
            topical = coverage(terms, topic, query.folded)
        else:
            cov, topical = float(not query.filters.is_empty()), 0.0
        period = period_of(hit.section, hit.row.period)
        year = YEAR_BONUS if period and period.covers_any(query.years) else 0.0
        out.append(_Scored(hit, rank, cov, cov + RANK_BONUS / (1 + rank) + TOPIC_BONUS * topical + year))
    return sorted(out, key=lambda s: (-s.support, s.rank))


def document_words(doc: DocumentMeta) -> str:
    """The words every clause of a document is about: its type and title."""
    return f"{doc.doc_type or ''} {doc.title or ''}"


def beyond_document(terms: Sequence[Term], doc: DocumentMeta, folded: bool) -> tuple[Term, ...]:
    """The terms that the document's type and title do not hold: "kinh phí thực hiện kế hoạch SX-TD
    bền vững" asks, of a plan titled "Thực hiện Chương trình … sản xuất và tiêu dùng bền vững", for
    "kinh phí"; the rest names the document, which every clause of it is about."""
    return tuple(t for t in terms if coverage((t,), document_words(doc), folded) < 1.0)


def _confidence(best: _Scored, field_found: bool) -> float:
    retrieval = 1.0 / (1 + best.rank)
    return round(best.coverage * (W_BASE + W_RETRIEVAL * retrieval) * (1.0 if field_found else NO_FIELD), 4)


# --- facts per intent --------------------------------------------------------------------------


def _facts(query: Query, scored: list[_Scored]) -> list[_Fact]:
    """Facts of the asked kind from the clauses whose support is within MARGIN of the best."""
    if query.document_field:
        return _document_facts(query, scored)
    reader = _READERS.get(query.intent)
    if reader is None:
        return []
    top = scored[0].support
    facts: list[_Fact] = []
    for s in scored:
        if s.support < top - MARGIN or len({id(f.scored) for f in facts}) >= MAX_FACTS:
            break
        facts += reader(query, s)
    facts = _whole_group(query, scored, facts, reader)
    if query.excluded and query.intent in (LEAD, PARTNER):  # "ngoài Sở Công Thương, cơ quan nào …"
        facts = [f for f in facts if not _set_aside(f.value, query.excluded, query.language)]
    if query.intent == WHEN:  # deadlines before the issue dates of cited documents
        facts = [f for f in facts if not f.extra.get("cited")] or facts
        if asks_deadline(query.text, query.language, query.folded):  # a day before the period a plan runs over
            facts = [f for f in facts if _DAY.search(f.value)] or facts
    if query.years:  # a year was asked: keep the facts for it when there are any
        facts = [f for f in facts if f.period and f.period.covers_any(query.years)] or facts
    if query.intent == BASIS:  # what a clause says it implements before what it merely mentions
        facts.sort(key=lambda f: not states_basis(f.scored.hit.text))
    return facts


def _whole_group(query: Query, scored: list[_Scored], facts: list[_Fact], reader) -> list[_Fact]:
    """A question about a task group's own topic ("Ai chủ trì dán nhãn sinh thái?" and group
    "VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái") is answered by every row of that group
    among the hits, in the table's order — also the rows that do not repeat the question's words."""
    tables = [s.hit for s in scored if s.support >= scored[0].support - MARGIN and s.hit.kind in (TABLE_ROW, TABLE_GROUP)]
    # the best fact's row; else, when it is prose ("Nội dung: Đẩy mạnh … mua sắm bền vững") or a list is asked
    # ("which agencies lead the tasks under the … group"), the best row or group title whose group is asked
    first = [f.scored.hit for f in facts[:1]]
    wider = query.asks_list or not any(h.kind == TABLE_ROW for h in first)
    best = next((h for h in first + (tables if wider else []) if group_topic(query, h) >= GROUP_TOPIC), None)
    if best is None:
        return facts
    topic = group_topic(query, best)
    same = lambda h: h.kind == TABLE_ROW and h.doc.doc_id == best.doc.doc_id and h.row.group == best.row.group  # noqa: E731
    rows = sorted((s for s in scored if same(s.hit)), key=lambda s: _row_number(s.hit.label))
    # each row answers as well as its group matches the question: the question is about the group
    whole = [replace(f, scored=replace(f.scored, coverage=max(f.scored.coverage, topic)), extra={**f.extra, "group": True})
             for s in rows for f in reader(query, s)]
    return whole + [f for f in facts if not same(f.scored.hit)]


def group_topic(query: Query, hit: Hit | None) -> float:
    """How well the task group of a table row (or group title) covers the question; 0 for other clauses.
    At GROUP_TOPIC or more the question is about the whole group."""
    if hit is None or hit.kind not in (TABLE_ROW, TABLE_GROUP) or not hit.row.group:
        return 0.0
    terms = beyond_document(query.terms, hit.doc, query.folded) or query.terms  # "… group of the plan": the plan
    return coverage(terms, hit.row.group, query.folded)


def _row_number(label: str | None) -> int:
    """3 for row "VI.3": the order of a row within its group."""
    tail = (label or "").rsplit(".", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _document_facts(query: Query, scored: list[_Scored]) -> list[_Fact]:
    """When a document was issued or who signed it: from the metadata of the document the
    question names (or, unscoped, of the best clause's document); for a document the index only
    cites ("Kế hoạch số 214/KH-UBND, ngày 12/10/2020 …"), from the citing clause."""
    by_rank = sorted(scored, key=lambda s: s.rank)
    named = [s for s in by_rank if s.hit.doc.number and document_number(s.hit.doc.number) in query.doc_numbers]
    # "Quyết định 889 ban hành ngày nào?": a number without its suffix, of a document no index holds
    cited = query.doc_numbers or tuple(f"{n}/" for n in bare_numbers(query.text))
    if cited and not named:
        return [_Fact(replace(s, coverage=1.0), full, full) for s in scored for short, full in references_in(s.hit.text)
                if any((document_number(short) or "").startswith(n) for n in cited)][:1]  # the number named it
    best = named[0] if named else _described(query, by_rank)
    meta = best.hit.doc
    other = None if named else _cited_of_named_type(query, meta, by_rank)
    if other:  # "Công văn của UBND tỉnh Hà Tĩnh … đề ngày nào?" of a report that cites that letter
        return [other]
    header = next((s.hit for s in by_rank if s.hit.kind == HEADER and s.hit.doc.doc_id == meta.doc_id), None)
    if header:  # cite the lines that state the date and signature, not whichever clause ranked first
        best = replace(best, hit=header)
    if lacks(meta, query.document_field):
        cited = _cited_elsewhere(meta, scored, query.language)  # its own copy lacks it: another document may cite it
        if cited:
            return [cited]
    value = {ISSUED: _date(meta.issued, query.language), SIGNER: meta.signer, ISSUER: _issuer(meta, query.language),
             DOC_NUMBER: meta.number if _full_number(meta.number) else None}[query.document_field]
    if not value:
        return []
    sure = replace(best, coverage=1.0) if named or not query.filters.is_empty() else best  # the question named it
    label = doc_label(replace(meta, number=None) if query.document_field == DOC_NUMBER else meta, query.language)
    facts = [_Fact(sure, value, label, extra={"field": query.document_field, "issued": meta.issued})]
    other = {ISSUED: SIGNER, SIGNER: ISSUED}.get(query.document_field)  # "…ngày nào, ai ký?", "who signed … and when?"
    also = {SIGNER: meta.signer, ISSUED: _date(meta.issued, query.language) if _full_date(meta.issued) else None}
    if other and also[other] and asks_too(query.text, other, query.language, query.folded):
        facts.append(_Fact(sure, also[other], doc_label(meta, query.language),
                           extra={"field": other, "issued": meta.issued}))
    return facts


def _described(query: Query, by_rank: list[_Scored]) -> _Scored:
    """The best hit of the document the question describes by its place and type: "the Thanh Hoa
    plan", "văn bản của Thanh Hóa" are the province's own, not a Triệu Sơn district letter (also
    "in" Thanh Hóa) that happens to rank first."""
    text, place = fold(query.text), fold(query.filters.locality or "")

    def unlike(meta: DocumentMeta) -> tuple[bool, bool]:  # the type named first: "the Thanh Hoa letter" is Triệu Sơn's
        return (not any(re.search(rf"\b{re.escape(w)}\b", text) for w in _type_words(meta.doc_type)),
                bool(place) and place not in fold(meta.locality or ""))

    return min(by_rank, key=lambda s: unlike(s.hit.doc))  # the first of the best described


def _type_words(doc_type: str | None) -> set[str]:
    """The words a question names a document type by, folded: "cong van", "official letter", "letter"."""
    kind = fold(doc_type or "")
    return {w for w in (kind, fold(english.doc_type(doc_type) or "")) if w} | ({"letter"} if kind == "cong van" else set())


def _type_named(text: str) -> str | None:
    """The document type the question names first, folded ("cong van" for "công văn …" or "the
    letter …"): "Công văn của UBND tỉnh … về báo cáo …" asks about the letter, not the report."""
    folded = fold(text)
    found = [(m.start(), fold(t)) for t in english.DOC_TYPES for w in _type_words(t)
             if (m := re.search(rf"\b{re.escape(w)}\b", folded))]
    return min(found)[1] if found else None


def _cited_of_named_type(query: Query, meta: DocumentMeta, by_rank: list[_Scored]) -> _Fact | None:
    """When the question names a type of document its scope holds none of ("Công văn của UBND tỉnh
    Hà Tĩnh … ngày nào?" scoped to the Nghi Xuân report), the document of that type a hit cites:
    "Công văn số 7664/UBND-KT ngày 15/11/2021 của UBND tỉnh"."""
    kind = _type_named(query.text)
    if not kind or query.document_field == SIGNER or any(fold(s.hit.doc.doc_type or "") == kind for s in by_rank):
        return None
    for s in by_rank:
        for short, full in references_in(s.hit.text):
            if fold(short).startswith(kind) and dates_in(full):
                return _Fact(replace(s, coverage=1.0), full, full)
    return None


def _issuer(meta: DocumentMeta, language: str) -> str | None:
    """"UBND tỉnh Hậu Giang" (in English: "Provincial People's Committee (UBND tỉnh Hậu Giang)")."""
    if not meta.issuer or language != EN:
        return meta.issuer
    rendered = english_name(meta.issuer)
    return f"{rendered} ({meta.issuer})" if rendered else meta.issuer


def _asks_department(query: Query) -> bool:
    """"Sở nào …?" asks for a provincial department: district offices ("Phòng …", what a district
    plan assigns) do not answer it (asked of lead and partner questions only: unaccented "so nao"
    could be "số nào", which asks a number)."""
    return bool(re.search(r"\bsở nào\b" if query.accented else r"\bso nao\b", key(query.text, not query.accented)))


def _unstated(query: Query, scored: list[_Scored]) -> Answer | None:
    """For a document the question names (or is scoped to) whose own copy does not state the asked
    number, date or signer, and which no indexed document cites: say so (an abstention, but a
    specific one), instead of the generic "not answered"."""
    named = [s for s in scored if s.hit.doc.number and document_number(s.hit.doc.number) in query.doc_numbers]
    if query.doc_numbers and not named or not named and query.filters.is_empty():
        return None
    meta = (named[0] if named else _described(query, sorted(scored, key=lambda s: s.rank))).hit.doc
    hits = [s.hit for s in scored if s.hit.doc.doc_id == meta.doc_id and s.hit.kind == HEADER][:1]
    msg = _MESSAGES[query.language]
    text = msg["unstated"].format(doc=doc_label(meta, query.language), what=msg["unstated_" + query.document_field])
    return Answer(query.text, text, hits, True, query.language, query.intent)


def lacks(meta: DocumentMeta, document_field: str | None) -> bool:
    """Whether the document's own copy lacks its full number or date (another document may cite it)."""
    return {ISSUED: not _full_date(meta.issued), DOC_NUMBER: not _full_number(meta.number)}.get(document_field, False)


def _full_date(issued: str | None) -> bool:
    return bool(issued) and issued.count("-") == 2


def _full_number(number: str | None) -> bool:
    """"45/KH-UBND", not the blank "/KH-UBND" of a copy printed before the number was given."""
    return bool(number) and number[0].isdigit()


def _date(issued: str | None, language: str) -> str | None:
    return english.date(issued) if language == EN else display_date(issued)


def _issued_phrase(issued: str, language: str, header: str = "") -> str:
    """"ngày 13/10/2021", "tháng 11/2021", "năm 2020" (or "on …"/"in …"): a partial date reads right.
    A full date is also given as the header words it ("ngày 08 tháng 3 năm 2024 (08/03/2024)"), so
    a reader finds it in either form."""
    parts = issued.count("-")
    worded = _worded_date(header, issued) if parts == 2 else None
    if language == EN:
        return f"{'on' if parts == 2 else 'in'} {english.date(issued)}" + (f" ({display_date(issued)})" if worded else "")
    if worded:
        return f"ngày {worded} ({display_date(issued)})"
    return f"{('năm', 'tháng', 'ngày')[parts]} {display_date(issued)}"


_WORDED_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)


def _worded_date(text: str, issued: str) -> str | None:
    """The header's "08 tháng 3 năm 2024" for the ISO date 2024-03-08, as the document writes it."""
    year, month, day = (int(x) for x in issued.split("-"))
    for m in _WORDED_DATE.finditer(text):
        if tuple(map(int, m.groups())) == (day, month, year):
            return m.group()[len("ngày"):].strip()
    return None


def _cited_elsewhere(meta: DocumentMeta, scored: list[_Scored], language: str) -> _Fact | None:
    """Another indexed document citing this one with its number and date ("Kế hoạch số 214/KH-UBND,
    ngày 12/10/2020 của UBND tỉnh Thanh Hóa" in a Triệu Sơn letter): same type, same place, same year."""
    place = fold(meta.province or meta.locality or "")
    for s in scored:
        if s.hit.doc.doc_id == meta.doc_id:
            continue
        for short, full in references_in(s.hit.text):
            text = fold(full)
            if (meta.doc_type and fold(short).startswith(fold(meta.doc_type)) and place and place in text
                    and (meta.year is None or str(meta.year) in full) and dates_in(full)):
                return _Fact(replace(s, coverage=1.0), full, doc_label(meta, language), extra={"cited": True})
    return None


def _task(query: Query, hit: Hit, prefer: Callable[[str], bool] | None = None) -> str:
    """The clause when short, else its sentence that answers best; a quote that is itself the
    answer (general questions) is cut later than a task shown beside an agency."""
    if len(hit.text) <= SHORT_CLAUSE and (prefer is None or prefer(hit.text)):
        return hit.text.strip()
    limit = QUOTE_LIMIT if query.intent == GENERAL else TASK_LIMIT
    return shorten(best_sentence(hit.text, query.terms, query.folded, prefer), limit)


def _lead_facts(query: Query, s: _Scored) -> list[_Fact]:
    hit = s.hit
    acting = [] if hit.row.lead else _acting(query, hit)
    names = [hit.row.lead] if hit.row.lead else leads_in(hit.text, "") or acting or heading_agency(hit.section)
    task = _task(query, hit)
    for name in names:  # "Phòng Tài chính – Kế hoạch Huyện: Thẩm định…": the agency is said already
        if task.startswith(name) and task[len(name):].lstrip().startswith(":"):
            task = task[len(name):].lstrip()[1:].strip()
    extra = {"note": hit.row.note} if hit.row.note else {}
    if names == acting:
        extra["acting"] = True  # named beside the asked action: not said to be in charge
    return [_Fact(s, n, task, period_of(hit.section, hit.row.period), dict(extra)) for n in names]


_ACTION_WORDS = 4  # words after an agency in which the asked action must follow it
# folded: where the question asks its agency ("cơ quan nào", "sở nào", any kind of agency + "nào";
# "to which department": English asks the one something goes to, not the subject of its verb)
_ASKED_AGENCY = {VI: re.compile(r"\b(?:co quan|don vi|nganh|" + "|".join(re.escape(fold(k).lower()) for k in AGENCY_KINDS)
                                + r") nao\b|\b(?:gui|giao|trinh) (?:cho |den |toi )?ai\b"),  # "gửi ai thẩm định"
                 EN: re.compile(r"\bto (?:which|what) (?:" + "|".join(sorted(ENGLISH_AGENCY_KINDS | {"agency", "agencies", "body",
                                                                                           "bodies", "unit", "units"}))
                                + r")s?\b|\bwhere (?:do|does|did|should|must|are|is)\b")}  # "where do units send …"
_LEADS_ITSELF = re.compile(r"\W*(?:[\w.)]{1,3}\s+)?chủ trì\b", re.IGNORECASE)  # an item whose subject is its heading


def _acting(query: Query, hit: Hit) -> list[str]:
    """For a clause that puts nobody in charge: the agency it names just before the action asked
    ("… dự toán kinh phí gửi Sở Tài chính thẩm định" for "gửi cơ quan nào thẩm định?"), other than
    agencies the question itself names and collective ones ("các đơn vị liên quan")."""
    if hit.kind not in (PARAGRAPH, ITEM) or _LEADS_ITSELF.match(hit.text):  # "Chủ trì, phối hợp …": its heading's
        return []
    asked = key(query.text, folded=True)
    wh = _ASKED_AGENCY[query.language].search(asked)
    if wh is None:
        return []
    # the question's words after "cơ quan nào": what the agency does; before it when no term follows
    # ("Thẩm định kinh phí … giao sở nào?", "…: tỉnh Thanh Hóa giao sở nào, còn huyện Cao Lãnh …?")
    action = asked[wh.end():]
    if not any(contains(action, key(a, folded=True)) for t in query.terms for a in t.alternatives):
        action = asked[:wh.start()]
    sentence = best_sentence(hit.text, query.terms, query.folded)
    found = []
    for a, b in agency_spans(sentence):
        name = sentence[a:b].strip()
        after = key(" ".join(sentence[b:].split()[:_ACTION_WORDS]), folded=True)
        named = any(contains(asked, key(n, folded=True)) for n in (name, *_names_of(name, query.language)))
        if after and not name.lower().startswith("các ") and not named and any(
                contains(action, key(t.alternatives[0], folded=True)) and any(
                    contains(after, k) for alt in t.alternatives if len((k := key(alt, folded=True)).split()) > 1)
                for t in query.terms):
            found.append(name)
    return found


def _partner_facts(query: Query, s: _Scored) -> list[_Fact]:
    """The row's partners, and the agencies its task itself says it works with ("Phối hợp Sở Công
    Thương hỗ trợ nhân rộng …" under Phòng KT&HT); in prose, who the sentence says it works with."""
    hit = s.hit
    says = lambda t: partners_in(t) is not None  # noqa: E731
    in_task = partners_in(hit.text) if hit.row.partners else None
    values = [v for v in (in_task, hit.row.partners or partners_in(best_sentence(hit.text, query.terms, query.folded, says)))
              if v]
    task, period = _task(query, hit, says), period_of(hit.section, hit.row.period)
    return [_Fact(s, v, task, period, {"lead": hit.row.lead}) for v in dict.fromkeys(values)]


def _when_facts(query: Query, s: _Scored) -> list[_Fact]:
    """A row's period (and its note, which often holds the condition: "Khi có hướng dẫn…"), or
    the deadlines a clause states."""
    hit = s.hit
    sentence = _task(query, hit, lambda t: bool(dates_in(t)))
    if hit.row.period:
        found, cited = [f"{hit.row.period} ({hit.row.note})" if hit.row.note else hit.row.period], False
    else:  # a cited document's date ("Công văn số … ngày 18/11/2021") only when no clause states a deadline
        found = deadlines_in(sentence)
        found, cited = (found, False) if found else (dates_in(sentence), True)
        done = _YEAR_DONE.match(hit.text)
        if done and (cited or not found):  # "Năm 2020 đã tổ chức 01 hội nghị …": the year it reports on
            found, cited = [f"{'in' if query.language == EN else 'năm'} {done.group(1)}"], False
    period = period_of(hit.section, hit.row.period)
    if not found and period and has_figure(sentence) and hit.kind in (ITEM, PARAGRAPH) \
            and asks_horizon(query.text, query.language, query.folded):
        # "By when must Cao Lanh reduce plastic bags by 90%?": a target's horizon is its heading's
        # ("2. Đến năm 2030"), not a date the clause states
        found, cited = [period.label(query.language)], False
    return [_Fact(s, "; ".join(found), sentence, period, {"cited": cited})] if found else []


def _target_facts(query: Query, s: _Scored) -> list[_Fact]:
    """The sentence stating a figure; for a question about money or a fine ("kinh phí … bao nhiêu
    tỷ đồng", "mức xử phạt"), one stating an amount: a share of plastic bags or where the money
    comes from does not answer it."""
    hit = s.hit
    several = asks_several_figures(query.text, query.language, query.folded)
    thing = None if several else counted(query.text, query.language)  # "bao nhiêu xã …, tỷ lệ … bao nhiêu?"
    wanted = has_amount if asks_amount(query.text, query.language, query.folded) else (
        (lambda text: has_figure(text) and counts(text, thing)) if thing else has_figure)
    sentence = _task(query, hit, wanted)
    if not wanted(sentence):
        sentence = _with_next(query, hit.text, wanted)
    if not sentence or _other_year(query, hit.text):
        return []
    if len(sentence) < len(hit.text) and several:
        # each figure the question asks may sit in its own sentence of the clause: quote them all
        stating = [p for p in sentences(hit.text) if wanted(p) and coverage(query.terms, p, query.folded) > 0]
        sentence = shorten(" … ".join(stating), QUOTE_LIMIT) if len(stating) > 1 else sentence
    return [_Fact(s, sentence, sentence, period_of(hit.section, hit.row.period))]


def _with_next(query: Query, text: str, wanted: Callable[[str], bool]) -> str:
    """The sentence that best matches the question and the next one, when only the next holds the
    figure: "Hỗ trợ doanh nghiệp xây dựng chiến lược kinh doanh bền vững; phát triển mạng lưới …
    (lựa chọn hỗ trợ khoảng 20 doanh nghiệp)". Empty when it does not."""
    parts = sentences(text)
    if len(parts) < 2:
        return ""
    at = max(range(len(parts)), key=lambda i: (coverage(query.terms, parts[i], query.folded), -i))
    joined = " ".join(parts[at:at + 2])
    return shorten(joined, QUOTE_LIMIT) if at + 1 < len(parts) and wanted(parts[at + 1]) else ""


_DAY = re.compile(r"\b\d{1,2}\s*/\s*\d{1,2}\b(?!\s*/\s*[A-Za-zĐđ])|\bngày\s+\d{1,2}\b", re.IGNORECASE)  # "20/6", "ngày 5"
_YEAR_DONE = re.compile(r"^\W*(?:trong\s+)?năm\s+(\d{4})\b", re.IGNORECASE)  # "Năm 2020 đã tổ chức …"


def _other_year(query: Query, text: str) -> bool:
    """A clause that opens with the year it reports on ("Năm 2020 đã tổ chức …; hỗ trợ cho 2
    doanh nghiệp") does not give the figure of another year asked."""
    m = _YEAR_DONE.match(text)
    return bool(query.years and m and int(m.group(1)) not in query.years)


def _basis_facts(query: Query, s: _Scored) -> list[_Fact]:
    """Documents the clause cites, except the clause's own document ("Kế hoạch 45/KH-UBND căn cứ …");
    of the asked type only ("… kế hoạch số bao nhiêu?"), and of those the ones matching the
    question best ("… quyết định nào của Bộ Công Thương?")."""
    own = document_number(s.hit.doc.number) if s.hit.doc.number else None
    asked = fold(query.asked_type) if query.asked_type else ""
    refs = [(short, full) for short, full in references_in(s.hit.text)
            if (not own or document_number(short) != own) and fold(short).startswith(asked)
            and not _set_aside_document(short, query.excluded)]
    match = {full: coverage(query.terms, full, query.folded) for _, full in refs}
    best = max(match.values(), default=0.0)  # "quyết định nào của Bộ Công Thương": the one it names
    return [_Fact(s, short, full) for short, full in refs if match[full] >= best]


def _set_aside_document(short: str, excluded: str) -> bool:
    """"Ngoài Quyết định 889 …": the reference the question sets aside, by its number."""
    number = (document_number(short) or "").split("/")[0]
    return bool(number and excluded and re.search(rf"(?<!\d){number}(?!\d)", excluded))


_READERS = {LEAD: _lead_facts, PARTNER: _partner_facts, WHEN: _when_facts, TARGET: _target_facts,
            BASIS: _basis_facts}


def _general_facts(query: Query, scored: list[_Scored]) -> list[_Fact]:
    """The best clause quoted; a heading only when nothing else was found ("Mục đích" names what its
    section's clauses say)."""
    best = next((s for s in scored if s.hit.kind != HEADING), scored[0])
    sentence = _task(query, best.hit)
    return [_Fact(best, sentence, sentence, period_of(best.hit.section, best.hit.row.period))]


# --- writing -----------------------------------------------------------------------------------


def _write(query: Query, facts: list[_Fact]) -> tuple[str, list[Hit], list[Fact]]:
    """The direct answer on the first line, complete on its own (an official reads that line), then
    the evidence grouped by document (best-supported document first), then rows that match the
    question less well under a "related" heading. Citation numbers follow the order they appear in."""
    msg = _MESSAGES[query.language]
    direct, related = _split_related(query, facts)
    numbers: dict[str, int] = {}
    cited: list[Hit] = []
    for f in _by_document(direct) + related:
        if f.scored.hit.id not in numbers:
            numbers[f.scored.hit.id] = len(cited) + 1
            cited.append(f.scored.hit)
    cite = lambda f: f"[{numbers[f.scored.hit.id]}]"  # noqa: E731

    if query.document_field:  # one statement about the document (its date and signer both, when both are asked)
        return " ".join(f"{_detail(query, f)} {cite(f)}" for f in facts), cited, _facts_out(query, facts, numbers)
    lines = [_first_line(query, direct, cite)]
    if query.intent in (LEAD, PARTNER, WHEN, BASIS) or len(direct) > 1:
        lines += _evidence(query, direct, cite)
    if related:
        lines.append(msg["related"])
        lines += [f"- {_detail(query, f)} {cite(f)}" for f in related]
    return "\n".join(lines), cited, _facts_out(query, direct + related, numbers)


def _split_related(query: Query, facts: list[_Fact]) -> tuple[list[_Fact], list[_Fact]]:
    """Facts whose clause matches the question as well as the best one does (within TIE), and the
    rest. A row that differs from the best by one qualier (a funding source, industrial parks vs
    clusters) covers fewer of the question's words, so it is related, not an answer. Rows of a task
    group the question is about as a whole are all answers."""
    if len(facts) < 2 or query.intent not in (LEAD, PARTNER, WHEN):
        return facts, []
    match = {id(f): f.scored.coverage + _focus(query, f.scored.hit.text) for f in facts}
    best = max(match.values())
    direct = [f for f in facts if f.extra.get("group") or match[id(f)] >= best - TIE]
    return direct, [f for f in facts if f not in direct]


def _focus(query: Query, text: str) -> float:
    """How much of the question one sentence of the clause covers: a long row that scatters the
    question's words over several sentences matches less than a row that says it in one."""
    return max((coverage(query.terms, s, query.folded) for s in sentences(text)), default=0.0)


def _by_document(facts: list[_Fact]) -> list[_Fact]:
    """The facts regrouped by document, the documents in order of their first fact."""
    return [f for g in _documents(facts) for f in g]


def _first_line(query: Query, facts: list[_Fact], cite: Callable[[_Fact], str]) -> str:
    """"Đơn vị chủ trì: A [1]; B [2]." for values; for quotes (figures, general questions) the
    quote itself with its period and document: "Theo Kế hoạch 178/KH-UBND (…): «…» (giai đoạn …) [1]"."""
    msg = _MESSAGES[query.language]
    if query.intent in (LEAD, PARTNER, WHEN, BASIS):
        values: dict[str, list[str]] = {}
        for f in _by_document(facts):
            values.setdefault(_display_value(query, f), []).append(cite(f))
        tied = (len(values) > 1 and query.intent == LEAD and len({f.scored.hit.id for f in facts}) > 1
                and not all(f.extra.get("group") for f in facts))
        distinct = _distinctions(query, facts) if tied else {}
        parts = [f"{v}{distinct.get(v, '')} {_join(c)}" for v, c in values.items()]
        label = msg["acting"] if all(f.extra.get("acting") for f in facts) else msg[query.intent]
        return f"{label} " + "; ".join(parts) + "."
    parts = []
    for doc_facts in _documents(facts):
        quotes = "; ".join(f"{_where(query, f)}«{f.task}»{_period(query, f)} {cite(f)}" for f in doc_facts)
        parts.append(f"{msg['according'].format(doc=doc_label(doc_facts[0].scored.hit.doc, query.language))} {quotes}")
    return " | ".join(parts)


_BARE_LABEL = re.compile(r"^\s*(?:Nhiệm vụ|Nội dung|Mục tiêu|Giải pháp|Kết quả)\s*:", re.IGNORECASE)


def _where(query: Query, f: _Fact) -> str:
    """The section of a clause that opens with a bare label ("Nhiệm vụ: Gồm 08 nhiệm vụ cụ thể …"):
    only its heading says which group it counts."""
    section = f.scored.hit.section
    if not section or not _BARE_LABEL.match(f.task):
        return ""
    return f"{'section' if query.language == EN else 'mục'} «{short_heading(section.split(SECTION_SEP)[-1])}»: "


def _documents(facts: list[_Fact]) -> list[list[_Fact]]:
    groups: dict[str, list[_Fact]] = {}
    for f in facts:
        groups.setdefault(f.scored.hit.doc.doc_id, []).append(f)
    return list(groups.values())


def _distinctions(query: Query, facts: list[_Fact]) -> dict[str, str]:
    """What separates tied rows with different agencies: each one's task, shortened, so the
    official sees why both are named ("Sở Tài chính («… nguồn kinh phí thường xuyên») [1]; …")."""
    return {_display_value(query, f): f" («{shorten(f.task, DISTINCTION_LIMIT)}»)" for f in facts}


def _evidence(query: Query, facts: list[_Fact], cite: Callable[[_Fact], str]) -> list[str]:
    msg = _MESSAGES[query.language]
    lines = []
    for doc_facts in _documents(facts):
        lines.append(msg["according"].format(doc=doc_label(doc_facts[0].scored.hit.doc, query.language)))
        details: dict[str, list[str]] = {}  # the same statement from several clauses: one line
        for f in _per_clause(doc_facts):
            details.setdefault(_detail(query, f), []).append(cite(f))
        lines += [f"- {d} {_join(c)}" for d, c in details.items()]
    return lines


def _per_clause(facts: list[_Fact]) -> list[_Fact]:
    """One fact per clause: a clause naming several agencies for one task ("Các Phòng: A, B: <task>")
    is one line of evidence, its values joined."""
    merged: dict[str, _Fact] = {}
    for f in facts:
        key = f.scored.hit.id
        merged[key] = replace(merged[key], value=f"{merged[key].value}; {f.value}") if key in merged else f
    return list(merged.values())


def _period(query: Query, f: _Fact) -> str:
    return f" ({f.period.label(query.language)})" if f.period else ""


def _facts_out(query: Query, facts: list[_Fact], numbers: dict[str, int]) -> list[Fact]:
    return [
        Fact(value=f.value, task=f.task, doc_id=f.scored.hit.doc.doc_id, locality=f.scored.hit.doc.locality,
                   citation=numbers[f.scored.hit.id],
                   english=_english(f.value) if query.intent in (LEAD, PARTNER) else None,
                   period=f.period.label(query.language) if f.period else None)
        for f in facts
    ]


def _join(citations: list[str]) -> str:
    return "".join(dict.fromkeys(citations))


def _display_value(query: Query, f: _Fact) -> str:
    if query.intent in (LEAD, PARTNER) and query.language == EN:
        english = _english(f.value)
        return f"{english} ({f.value})" if english else f.value
    return f.value


def _detail(query: Query, f: _Fact) -> str:
    msg = _MESSAGES[query.language]
    if query.document_field:  # from metadata: "<document> ban hành ngày <date>"; else a citing clause
        if f.extra.get("cited"):
            return msg["cited"].format(doc=f.task, other=doc_label(f.scored.hit.doc, query.language), value=f.value)
        if f.task != f.value:
            field = f.extra.get("field", query.document_field)
            value = _issued_phrase(f.extra["issued"], query.language, f.scored.hit.text) if field == ISSUED else f.value
            return msg[field].format(doc=f.task, value=value) + "."
        return f"{msg['according'].format(doc=doc_label(f.scored.hit.doc, query.language))} «{f.value}»"
    period = _period(query, f)
    if query.intent == LEAD:
        note = f" — {msg['note']}: {f.extra['note']}" if f.extra.get("note") else ""
        return f"{_display_value(query, f)}: «{f.task}»{period}{note}"
    if query.intent == PARTNER:
        lead = f.extra.get("lead")
        led = "; " + msg["led_by"].format(lead=_display_value(query, replace(f, value=lead))) if lead else ""
        return f"{_display_value(query, f)} — «{f.task}»{led}"
    if query.intent == WHEN:
        return f"{f.value} — «{f.task}»"
    return f"«{f.task}»{period}"


_CONNECTORS = frozenset({"va", "and", "of", "the", "cac", "cung", "voi", "hoac", "or"})
_KINDS = {VI: frozenset(w for k in AGENCY_KINDS for w in key(k, folded=True).split()),
          EN: frozenset(english_key(k)[:6] for k in ENGLISH_AGENCY_KINDS)}


def _set_aside(value: str, excluded: str, language: str) -> bool:
    """Every agency `value` names is one the question sets aside: each word of its field, in one of
    its names (English ones for an English question), is among the words after the cue ("ngoài
    Phòng Kinh tế hạ tầng và Tài chính kế hoạch" sets aside "Phòng Tài chính – Kế hoạch")."""
    words = _words(excluded, language)
    names = [value[a:b] for a, b in agency_spans(value)] or [value]
    return all(any(field and field <= words for field in (_field_words(n, language) for n in _names_of(name, language)))
               for name in names)


def _names_of(name: str, language: str) -> list[str]:
    agency = load_lexicon().agency_names(folded=True).get(key(name, folded=True))
    if agency is None:
        return [name]
    return list(english_forms(agency.english)) if language == EN else [agency.name, *agency.aliases]


def _field_words(name: str, language: str) -> frozenset[str]:
    """A name's words less its kind ("Sở", "Department") and connectors: what tells it apart."""
    return frozenset(w for w in _words(name, language) if w not in _KINDS[language] and w not in _CONNECTORS)


def _words(text: str, language: str) -> set[str]:
    """Folded words; English ones cut to their first six letters ("Economic" is "Economy")."""
    if language == EN:
        return {w[:6] for w in english_key(text).split()}
    return set(key(text, folded=True).split())


def _english(value: str) -> str | None:
    """English renderings of the agencies named in `value` ("A, B và C" -> "A'; B'; C'")."""
    names = [value[a:b] for a, b in agency_spans(value)] or [value]
    rendered = [e for e in (english_name(n) for n in names) if e]
    return "; ".join(dict.fromkeys(rendered)) or None


def doc_label(meta: DocumentMeta, language: str = VI) -> str:
    if language == EN:
        return english.document_label(meta)
    name = " ".join(filter(None, (meta.doc_type, meta.number))) or meta.title or meta.source
    where = ", ".join(str(x) for x in (meta.locality, meta.year) if x)
    return f"{name} ({where})" if where else name


def _abstain(query: Query, scored: list[_Scored], confidence: float) -> Answer:
    msg = _MESSAGES[query.language]
    nearest = [s.hit for s in sorted(scored, key=lambda s: s.rank)[:NEAREST]]
    lines = [msg["abstain"]]
    if nearest:
        lines += [msg["nearest"]] + [f"[{i}] {h.citation}" for i, h in enumerate(nearest, 1)]
    return Answer(query.text, "\n".join(lines), nearest, True, query.language, query.intent, [], confidence)
