""""Những địa phương nào có nhiệm vụ về mua sắm xanh?", "Which plans deal with eco-labelling?": the
documents (and their places) that deal with a topic, each with the clause that shows it."""

from __future__ import annotations

from qa.kinds.context import Context
from qa.model import BASIS, EN, VI, Answer, Fact
from qa.terms import contains, coverage, key

DEPTH = 40  # hits searched across all documents
MIN_COVERAGE = 0.6  # share of the topic a document's best clause must state
_CUES = {
    VI: ("địa phương nào", "những địa phương", "các địa phương", "những tỉnh nào", "những huyện nào", "văn bản nào đề cập",
         "văn bản nào có", "kế hoạch nào có", "kế hoạch nào đề cập"),
    EN: ("which localities", "which provinces", "which districts", "which documents", "which plans",
         "what localities", "what provinces", "what plans"),
}
_WORDS = {VI: ("Có {n} văn bản đề cập", "Không văn bản nào đã lập chỉ mục đề cập chủ đề này."),
          EN: ("{n} indexed documents deal with it", "No indexed document deals with this topic.")}


def answer(ctx: Context) -> Answer | None:
    q = ctx.query
    if q.intent == BASIS or not _asks(q.text, q.language) or not q.terms:
        return None
    best: dict[str, tuple] = {}
    for hit in ctx.search(q.search_text, DEPTH, ctx.filters, q.expansion):
        share = coverage(q.terms, f"{hit.text} {hit.section} {hit.row.group or ''}", q.folded)
        if share >= MIN_COVERAGE and (hit.doc.doc_id not in best or share > best[hit.doc.doc_id][0]):
            best[hit.doc.doc_id] = (share, hit)
    head, none = _WORDS[q.language]
    if not best:
        return Answer(q.text, none, [], True, q.language, q.intent)
    hits = [h for _, h in best.values()]
    parts = [f"{_place(h.doc)} ({_name(h.doc)}) [{i}]" for i, h in enumerate(hits, 1)]
    lines = [f"{head.format(n=len(hits))}: " + "; ".join(parts) + "."]
    lines += [f"- [{i}] «{h.text[:240]}»" for i, h in enumerate(hits, 1)]
    facts = [Fact(value=_place(h.doc), task=h.text, doc_id=h.doc.doc_id, locality=h.doc.locality, citation=i)
             for i, h in enumerate(hits, 1)]
    return Answer(q.text, "\n".join(lines), hits, False, q.language, q.intent, facts, 1.0)


def _asks(text: str, language: str) -> bool:
    k = key(text, folded=True)
    return any(contains(k, key(c, folded=True)) for c in _CUES[language])


def _place(meta) -> str:
    return meta.locality or meta.province or meta.source


def _name(meta) -> str:
    return " ".join(filter(None, (meta.doc_type, meta.number))) or meta.source
