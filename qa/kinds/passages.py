"""Questions answered by reading the best passages: who leads or coordinates a task, when, what
figure or target, on what legal basis, when a document was issued or who signed it, and general
questions (a quote). The last kind tried: it answers or abstains."""

from __future__ import annotations

from qa.answer import compose
from qa.kinds.context import Context
from qa.model import Answer

def answer(ctx: Context) -> Answer:
    q = ctx.query
    hits = ctx.search(q.search_text, ctx.depth, ctx.filters, q.expansion)
    if q.document_field:
        hits += ctx.headers(hits)
    return compose(q, hits, ctx.settings)
