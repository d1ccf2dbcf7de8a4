"""Questions answered by reading the best passages: who leads or coordinates a task, when, what
figure or target, on what legal basis, when a document was issued or who signed it, and general
questions (a quote). The last kind tried: it answers or abstains."""

from __future__ import annotations

from index.model import Filters, Hit
from ingest.model import TABLE_GROUP, TABLE_ROW
from ingest.text import fold
from qa.answer import GROUP_TOPIC, compose, group_topic, lacks
from qa.extract import document_number, references_in
from qa.kinds.context import Context
from qa.model import Answer
from qa.question import bare_numbers

MAX_GROUP = 15  # rows of a task group read whole when the question is about the group's topic
MAX_LACKING = 3  # documents in scope whose citing clauses are searched for (a narrow scope only)


def answer(ctx: Context) -> Answer:
    q = ctx.query
    hits = _with_group(ctx, ctx.search(q.search_text, ctx.depth, ctx.filters, q.expansion))
    if q.document_field:
        hits += ctx.headers(hits) + _citing(ctx, hits)
    return compose(q, hits, ctx.settings)


def _citing(ctx: Context, hits: list[Hit]) -> list[Hit]:
    """Clauses citing a document the question asks about but the index holds only as cited ("Kế
    hoạch 214 do ai ban hành?"), or holds in a copy without its number or date ("Số hiệu kế hoạch
    của Thanh Hóa?": a Triệu Sơn letter cites "Kế hoạch số 214/KH-UBND, ngày 12/10/2020 của UBND
    tỉnh Thanh Hóa"). The question's other words ("kế hoạch", "ban hành") can rank such a clause out
    of the hits: it is long and lists several documents."""
    q = ctx.query
    held = {document_number(meta.number) for meta in ctx.documents.values() if meta.number}
    numbers = [n for n in q.doc_numbers if n not in held]
    numbers += [n + "/" for n in bare_numbers(q.text) if not any(h.startswith(n + "/") for h in held)]
    scope = [ctx.documents[d] for d in ctx.in_scope()] if not ctx.filters.is_empty() else []
    lacking = [m for m in scope if lacks(m, q.document_field)][:MAX_LACKING] if len(scope) <= MAX_LACKING else []
    cites = lambda short, full: (any((document_number(short) or "").startswith(n) for n in numbers) or any(  # noqa: E731
        fold(short).startswith(fold(m.doc_type or "-")) and fold(m.locality or "-") in fold(full) for m in lacking))
    texts = [" ".join(n.split("/")[0] for n in numbers)] if numbers else []
    texts += [f"{m.doc_type} {m.issuer or m.locality}" for m in lacking]
    have, found = {h.id for h in hits}, []
    for text in texts:
        for h in ctx.search(text, ctx.depth, Filters(), ""):
            if h.id not in have and any(cites(short, full) for short, full in references_in(h.text)):
                have.add(h.id)
                found.append(h)
    return found


def _with_group(ctx: Context, hits: list[Hit]) -> list[Hit]:
    """The hits, and after them the rows they miss of the task group the question is about ("Ai chủ
    trì dán nhãn sinh thái?", group "VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái"): the
    answer names every row of it, not only those the search happened to rank (answer._whole_group)."""
    q = ctx.query
    tables = [h for h in hits if h.kind in (TABLE_ROW, TABLE_GROUP)]
    # the best row's group; any row's whose group is asked when a list is ("which agencies lead the … group")
    best = next((h for h in (tables if q.asks_list else tables[:1]) if group_topic(q, h) >= GROUP_TOPIC), None)
    if best is None:
        return hits
    have = {h.id for h in hits}
    rows = [h for h in ctx.clauses(best.doc.doc_id) if h.kind == TABLE_ROW and h.row.group == best.row.group]
    return hits + [h for h in rows if h.id not in have] if len(rows) <= MAX_GROUP else hits
