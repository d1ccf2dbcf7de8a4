""""So sánh chỉ tiêu … giữa huyện Cao Lãnh và tỉnh Thanh Hóa", "Cao Lãnh đạt bao nhiêu, Thanh Hóa bao
nhiêu?": the same question answered in each place (or document) it names, one part per place, all
in the first line."""

from __future__ import annotations

import re
from dataclasses import replace

from index.filtering import admits
from index.model import Filters
from qa.answer import compose
from qa.extract import document_number
from qa.kinds import passages, section_items
from qa.kinds.context import Context
from qa.model import GENERAL, TARGET, Answer, Query
from qa.terms import find_spans

_CITE = re.compile(r"\[(\d+)\]")
_NO_ANSWER = {"vi": "không có thông tin", "en": "no information"}


def _apart(ctx: Context, scopes: list[Filters]) -> bool:
    """The places share no document ("Cao Lãnh đạt bao nhiêu, Thanh Hóa bao nhiêu?"): the question
    is asked of each. A district and its province ("kế hoạch của tỉnh Thanh Hóa mà huyện Triệu Sơn
    căn cứ") share the district's documents: one question about them."""
    seen: set[str] = set()
    for scope in scopes:
        docs = {d for d, meta in ctx.documents.items() if admits(scope, meta)}
        if not docs or docs & seen:
            return False
        seen |= docs
    return True


def _listed(ctx: Context, scope: Filters) -> Answer | None:
    """A list question's part for one place: the items of the section it names there (section_items)."""
    q = replace(ctx.query, filters=scope, places=(), compare=False)
    return section_items.answer(replace(ctx, query=q, filters=scope))


def _one_place(ctx: Context, scope: Filters) -> Answer:
    """The question asked of one place, as the passage kind answers it (the whole task group, the
    document's header for its signer or date), without the numbers of other places' documents
    ("Kế hoạch của Thanh Hóa và Kế hoạch 178 của Cao Lãnh do ai ký?")."""
    elsewhere = {document_number(m.number) for m in ctx.documents.values() if m.number and not admits(scope, m)}
    q = replace(ctx.query, filters=scope, places=(), compare=False, search_text=_without_places(ctx.query),
                doc_numbers=tuple(n for n in ctx.query.doc_numbers if n not in elsewhere))
    return passages.answer(replace(ctx, query=q, filters=scope))


def _without_places(q: Query) -> str:
    """The search text less every place named: each part is scoped to its place by the filter, and
    the other place's name would only favour clauses that repeat it. A question about documents
    themselves keeps them (their headers name the place)."""
    if q.document_field:
        return q.search_text
    text = q.search_text
    for a, b in sorted(find_spans(text, q.places), reverse=True):
        text = text[:a] + " " + text[b:]
    return " ".join(text.split())


def answer(ctx: Context) -> Answer | None:
    q = ctx.query
    scopes = [Filters(locality=p) for p in q.places]
    if not scopes and q.filters.doc_ids and len(q.filters.doc_ids) > 1:
        scopes = [Filters(doc_ids=(d,)) for d in q.filters.doc_ids]
    if len(scopes) < 2 or not (q.compare or _apart(ctx, scopes)):
        return None
    # comparing plans compares their figures; where a place states none, its best passage is quoted
    intents = (TARGET, GENERAL) if q.intent == GENERAL else (q.intent,)
    firsts, details, cited, facts = [], [], [], []
    for scope in scopes:
        part = _listed(ctx, scope) if q.asks_list else None
        if part is None and (q.document_field or q.intent != GENERAL):  # as the passage kind answers one place
            one = _one_place(ctx, scope)
            part = None if one.abstained else one
        elif part is None:
            hits = ctx.search(q.search_text, ctx.depth, scope, q.expansion)
            parts = (compose(replace(q, intent=intent, filters=scope), hits, ctx.settings) for intent in intents)
            part = next((p for p in parts if not p.abstained), None)
        name = scope.locality or ctx.documents[scope.doc_ids[0]].number or scope.doc_ids[0]
        if part is None:
            firsts.append(f"{name}: {_NO_ANSWER[q.language]}")
            continue
        offset = len(cited)
        renumber = lambda m, o=offset: f"[{int(m.group(1)) + o}]"  # noqa: E731
        lines = [_CITE.sub(renumber, line) for line in part.text.splitlines() if line.strip()]
        firsts.append(lines[0])
        details += lines[1:]
        cited += part.citations
        facts += [replace(f, citation=f.citation + offset) for f in part.facts]
    if not cited:
        return None
    return Answer(q.text, "\n".join([" | ".join(firsts), *details]), cited, False, q.language, intents[0], facts,
                  1.0)
