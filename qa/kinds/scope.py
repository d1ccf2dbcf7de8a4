"""Questions outside what is indexed, answered plainly instead of with another entity's facts: a
place no document covers, a follow-up with no earlier turn, the signer or number of a document that
is only cited, a plan year no indexed document of that place has, the results of a year no report
in scope covers."""

from __future__ import annotations

import re

from ingest.citation import display_date
from qa.extract import document_number
from qa.kinds.context import Context
from qa.model import EN, LEAD, PARTNER, SIGNER, TARGET, VI, Answer

# What a document says (its targets, who it puts in charge): unknown when it is not indexed. Its date
# and its role as a basis are not: other documents cite them.
_CONTENT = (LEAD, PARTNER, TARGET)

_MESSAGES = {
    VI: {
        "unknown": "Các văn bản đã lập chỉ mục không có thông tin về {place}. Các địa phương có văn bản: {covered}.",
        "followup": "Câu hỏi này dường như tiếp nối một câu hỏi trước, nhưng chưa có câu hỏi trước trong cuộc trò "
                    "chuyện. Vui lòng hỏi lại đầy đủ, ví dụ: «Ai chủ trì dán nhãn sinh thái ở Cao Lãnh?»",
        "not_indexed": "Văn bản {number} không có trong các văn bản đã lập chỉ mục, nên không rõ {what}. "
                       "Các văn bản đã lập chỉ mục: {indexed}.",
        "signer": "người ký", "number": "số hiệu", "content": "nội dung của nó",
        "no_year": "Các văn bản đã lập chỉ mục không có văn bản năm {year}{place}. Có: {indexed}.",
        "no_results": "Các văn bản đã lập chỉ mục không có báo cáo kết quả năm {year}{place}. Có: {indexed}.",
    },
    EN: {
        "unknown": "The indexed documents do not cover {place}. Localities covered: {covered}.",
        "followup": "This looks like a follow-up, but there is no earlier question in this conversation. "
                    "Please ask the full question, e.g. \"Who leads eco-labelling in Cao Lanh?\"",
        "not_indexed": "Document {number} is not among the indexed documents, so its {what} is not known. "
                       "Indexed documents: {indexed}.",
        "signer": "signer", "number": "number", "content": "content",
        "no_year": "The indexed documents include no document of {year}{place}. Indexed: {indexed}.",
        "no_results": "The indexed documents include no report on {year}{place}. Indexed: {indexed}.",
    },
}
# "Kế hoạch … năm 2022 của huyện X", "the 2022 plan": the year of a document, not a target year.
_DOC_YEAR = re.compile(
    r"\b(?:kế hoạch|ke hoach|báo cáo|bao cao|công văn|cong van|văn bản|van ban|kh)\b[^?.;]{0,30}?"
    r"(?<!đến )(?<!den )(?<!trước )(?<!truoc )(?<!đoạn )(?<!doan )\b(?:năm|nam)\s+(\d{4})|\b(\d{4})\s+(?:[\w-]+\s+){0,2}(?:plan|report)\b",
    re.IGNORECASE)


def answer(ctx: Context) -> Answer | None:
    q = ctx.query
    msg = _MESSAGES[q.language]
    if q.unknown_locality:
        text = msg["unknown"].format(place=q.unknown_locality, covered=", ".join(q.localities) or "—")
        return _plain(ctx, text)
    if q.followup:
        return _plain(ctx, msg["followup"])
    if q.doc_numbers and not _indexed(ctx, q.doc_numbers) and (
            q.document_field == SIGNER or (q.intent in _CONTENT and not q.document_field)):
        what = msg["signer"] if q.document_field == SIGNER else msg["content"]
        return _plain(ctx, msg["not_indexed"].format(number=q.doc_numbers[0].upper(), what=what,
                                                     indexed=_list(ctx, ctx.documents)))
    year = None if q.compare or len(q.places) > 1 else _document_year(q.text)  # a comparison: a year per document
    place = f" ({ctx.filters.locality})" if ctx.filters.locality else ""
    if year:
        docs = ctx.in_scope()
        if docs and not any(ctx.documents[d].year == year for d in docs):
            return _plain(ctx, msg["no_year"].format(year=year, place=place, indexed=_list(ctx, docs)))
    year = _result_year(q.text, q.years) if not (q.compare or q.document_field) else None
    if year and not ctx.filters.is_empty() and RESULTS[q.language].search(q.text):
        docs = ctx.in_scope()
        named = re.compile(rf"(?<![/\d.-]){year}(?![/\d])")  # the year itself, not inside a date like 12/10/2020
        if docs and all(ctx.documents[d].doc_type in REPORT_TYPES and ctx.documents[d].year != year for d in docs) \
                and not any(named.search(h.text) for d in docs for h in ctx.clauses(d)):
            return _plain(ctx, msg["no_results"].format(year=year, place=place, indexed=_list(ctx, docs)))
    return None


REPORT_TYPES = ("Báo cáo", "Công văn")  # documents that report what was done in a year
# What was done, not what is planned ("sẽ làm gì trong năm 2022" is answered by a report's plans).
RESULTS = {VI: re.compile(r"\b(?:đã|được|đạt|kết quả|da|duoc|dat|ket qua)\b", re.IGNORECASE),
            EN: re.compile(r"\b(?:did|done|achieved?|reached|results?|was|were|had)\b", re.IGNORECASE)}
# "đến năm 2025", "by 2025", "giai đoạn 2021-2025": a horizon of targets, not a year whose results are asked.
_HORIZON = re.compile(r"(?:đến|den|trước|truoc|by|until|before|giai đoạn|giai doan|[-–])\s*(?:năm|nam)?\s*$", re.I)


def _result_year(text: str, years: tuple[int, ...]) -> int | None:
    """The one year a question asks about, when it is not a target horizon: what was done in it is
    known only from a report on it (or a document that names it)."""
    if len(years) != 1:
        return None
    m = re.search(rf"\b{years[0]}\b", text)
    return years[0] if m and not _HORIZON.search(text[:m.start()]) else None


def _document_year(text: str) -> int | None:
    m = _DOC_YEAR.search(text)
    return int(m.group(1) or m.group(2)) if m else None


def _indexed(ctx: Context, numbers: tuple[str, ...]) -> bool:
    have = {document_number(m.number) for m in ctx.documents.values() if m.number}
    return any(n in have for n in numbers)


def _list(ctx: Context, doc_ids) -> str:
    out = []
    for d in doc_ids:
        meta = ctx.documents[d]
        name = " ".join(filter(None, (meta.doc_type, meta.number))) or meta.source
        when = display_date(meta.issued) if meta.issued else meta.year
        out.append(f"{name} ({', '.join(str(x) for x in (meta.locality, when) if x)})")
    return "; ".join(out)


def _plain(ctx: Context, text: str) -> Answer:
    q = ctx.query
    return Answer(q.text, text, [], True, q.language, q.intent)
