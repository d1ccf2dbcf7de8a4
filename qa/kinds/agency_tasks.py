""""Sở Tài chính chủ trì những nhiệm vụ nào?": every task the agency is given in scope, from the
who-does-what records (not from a search's top hits, so the list is complete), rows whole."""

from __future__ import annotations

from qa.assignments import TABLE, Assignment, matching
from qa.expand import english_name
from qa.kinds.context import Context
from qa.model import EN, LEAD, PARTNER, Answer, Fact

_WORDS = {
    "vi": {LEAD: "chủ trì", PARTNER: "phối hợp thực hiện", "tasks": "nhiệm vụ",
           "none": "Trong các văn bản đã lập chỉ mục{scope}, {agency} không được giao {role} nhiệm vụ nào.",
           "others": "Các đơn vị được giao chủ trì: {names}.",
           "split": " ({table} trong bảng phụ lục, {prose} trong phần nội dung)"},
    "en": {LEAD: "leads", PARTNER: "supports", "tasks": "tasks",
           "none": "In the indexed documents{scope}, {agency} is not assigned to {role} any task.",
           "others": "Agencies given tasks to lead: {names}.",
           "split": " ({table} in the appendix tables, {prose} in the text)"},
}
_ROLE_EN = {LEAD: "lead", PARTNER: "support"}
MAX_OTHERS = 12


def answer(ctx: Context) -> Answer | None:
    q = ctx.query
    if not q.agency:
        return None
    role = PARTNER if q.intent == PARTNER else LEAD
    docs = ctx.in_scope()
    records = matching(ctx.assignments(), agency=q.agency[0], role="partner" if role == PARTNER else "lead",
                       doc_ids=docs)
    if not records:
        return _none(ctx, role, docs)
    words = _WORDS[q.language]
    hits = []
    numbers: dict[str, int] = {}
    for r in records:
        if r.clause_id not in numbers:
            numbers[r.clause_id] = len(hits) + 1
            hits.append(ctx.hit(r.clause_id))
    name = _name(q.language, records[0].lead if role == LEAD else q.agency[0])
    tasks = "; ".join(f"({i}) {_task(r)} [{numbers[r.clause_id]}]" for i, r in enumerate(records, 1))
    table = sum(r.source == TABLE for r in records)  # a count may be asked of the table alone: both are said
    split = words["split"].format(table=table, prose=len(records) - table) if 0 < table < len(records) else ""
    lines = [f"{name} {words[role]} {len(records)} {words['tasks']}{split}: {tasks}."]
    lines += [f"- [{numbers[r.clause_id]}] {r.citation}" + (f" · {r.period}" if r.period else "") for r in records]
    facts = [Fact(value=r.lead if role == LEAD else q.agency[0], task=r.task, doc_id=r.doc_id, locality=r.locality,
                  citation=numbers[r.clause_id], english=r.lead_english, period=r.period) for r in records]
    return Answer(q.text, "\n".join(lines), hits, False, q.language, role, facts, 1.0)


def _task(r: Assignment) -> str:
    return " ".join(r.task.split())


def _name(language: str, agency: str) -> str:
    english = english_name(agency) if language == EN else None
    return f"{english} ({agency})" if english else agency


def _none(ctx: Context, role: str, docs: list[str]) -> Answer:
    """Say plainly that the agency has no such task in scope, and who does."""
    q = ctx.query
    words = _WORDS[q.language]
    places = sorted({ctx.documents[d].locality for d in docs if ctx.documents[d].locality})
    scope = f" ({', '.join(places)})" if places and not ctx.filters.is_empty() else ""
    role_word = words[role] if q.language != EN else _ROLE_EN[role]
    text = words["none"].format(scope=scope, agency=_name(q.language, q.agency[0]), role=role_word)
    leads = list(dict.fromkeys(r.lead for r in matching(ctx.assignments(), doc_ids=docs)))
    if leads:
        shown = ", ".join(leads[:MAX_OTHERS]) + (", …" if len(leads) > MAX_OTHERS else "")
        text += " " + words["others"].format(names=shown)
    return Answer(q.text, text, [], True, q.language, role, [], 0.0)
