"""Questions answered by reading the best passages: who leads or coordinates a task, when, what
figure or target, on what legal basis, when a document was issued or who signed it, and general
questions (a quote). The last kind tried: it answers or abstains."""

from __future__ import annotations

from index.model import Hit
from ingest.model import TABLE_GROUP, TABLE_ROW
from qa.answer import GROUP_TOPIC, compose, group_topic
from qa.extract import document_number, references_in
from qa.kinds.context import Context
from qa.model import Answer
from qa.question import bare_numbers

MAX_GROUP = 15  # rows of a task group read whole when the question is about the group's topic


def answer(ctx: Context) -> Answer:
    q = ctx.query
    hits = _with_group(ctx, ctx.search(q.search_text, ctx.depth, ctx.filters, q.expansion))
    if q.document_field:
        hits += ctx.headers(hits) + _citing(ctx, hits)
    return compose(q, hits, ctx.settings)


def _citing(ctx: Context, hits: list[Hit]) -> list[Hit]:
    """For a document the index holds only as cited ("Kế hoạch 214 do ai ban hành?"): the clauses
    that cite its number, which the question's other words ("kế hoạch", "ban hành") can push out
    of the hits (a citing clause is long, and lists several documents)."""
    held = {document_number(meta.number) for meta in ctx.documents.values() if meta.number}
    numbers = [n for n in ctx.query.doc_numbers if n not in held]
    numbers += [n + "/" for n in bare_numbers(ctx.query.text) if not any(h.startswith(n + "/") for h in held)]
    if not numbers:
        return []
    have = {h.id for h in hits}
    found = ctx.search(" ".join(n.split("/")[0] for n in numbers), ctx.depth, ctx.filters, "")
    return [h for h in found if h.id not in have and any(
        (document_number(short) or "").startswith(n) for short, _ in references_in(h.text) for n in numbers)]


def _with_group(ctx: Context, hits: list[Hit]) -> list[Hit]:
    """The hits, and after them the rows they miss of the task group the question is about ("Ai chủ
    trì dán nhãn sinh thái?", group "VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái"): the
    answer names every row of it, not only those the search happened to rank (answer._whole_group)."""
    q = ctx.query
    best = next((h for h in hits if h.kind in (TABLE_ROW, TABLE_GROUP)), None)
    if group_topic(q, best) < GROUP_TOPIC:
        return hits
    have = {h.id for h in hits}
    rows = [h for h in ctx.clauses(best.doc.doc_id) if h.kind == TABLE_ROW and h.row.group == best.row.group]
    return hits + [h for h in rows if h.id not in have] if len(rows) <= MAX_GROUP else hits
