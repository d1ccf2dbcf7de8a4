""""Nghi Xuân đề ra những nhiệm vụ gì trong thời gian tới?": every item of the section whose
heading the question names (a report's next tasks, a plan's solutions), in the document's order,
not the few items a search ranks first. Also a question whose best match is a heading ("Mục đích
của kế hoạch là gì?"): a heading is never the answer, its section is."""

from __future__ import annotations

import re

from index.model import Hit
from ingest.text import fold
from ingest.model import HEADING, ITEM, PARAGRAPH, SECTION_SEP, TABLE_ROW
from qa.answer import beyond_document, compose, doc_label, document_words
from qa.extract import period_of, shorten, strip_label
from qa.kinds.context import Context
from qa.kinds.scope import REPORT_TYPES, RESULTS
from qa.model import GENERAL, TARGET, Answer, Fact, Query, Term
from qa.terms import contains, coverage, key

DEPTH = 20  # hits whose sections are candidates
HEADING_MATCH = 0.6  # share of the question's terms the heading (with the document's title) must hold
OWN_MATCH = 0.3  # and the heading alone: it names the section
MIN_ITEMS, MAX_ITEMS = 1, 30
ITEM_LIMIT = 200  # characters of an item on the first line
# "Trên đây là báo cáo …": the closing formula of an administrative document, not an item of its last section.
_CLOSING = re.compile(r"^\W*trên đây\b", re.IGNORECASE)
_NUMBERING = re.compile(r"^\s*(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s*", re.IGNORECASE)  # "II. ", "2.1. ", "a) "

_WORDS = {"vi": "Theo {doc}, mục «{heading}» gồm {n} {noun}: {items}.",
          "en": "According to {doc}, section «{heading}» lists {n} {noun}: {items}."}
# What the items are called, in the question's words ("có mấy nhiệm vụ?" -> "gồm 8 nhiệm vụ").
_NOUNS = {"vi": ("nhiệm vụ", "giải pháp", "hoạt động", "mục tiêu", "chỉ tiêu", "nội dung"),
          "en": ("tasks", "solutions", "activities", "targets", "objectives", "items")}


def answer(ctx: Context) -> Answer | None:
    q = ctx.query
    if q.agency or q.compare or q.document_field or q.intent not in (GENERAL, TARGET):
        return None  # TARGET: "có bao nhiêu nhiệm vụ …?" counts the items
    if not q.asks_list and q.intent != GENERAL:
        return None
    named = _named(q)
    hits = ctx.search(q.search_text, DEPTH, ctx.filters, q.expansion) if q.terms or named else []
    if not q.asks_list and not (hits and hits[0].kind == HEADING):
        return None
    if q.intent == TARGET and (not q.listed or q.years or _stated_count(q.listed, hits[:ctx.depth], q.folded)) and hits \
            and not compose(q, hits[:ctx.depth], ctx.settings).abstained:
        return None  # a count the document states itself ("Gồm 08 nhiệm vụ") is quoted, not recounted; the
        # targets of a year asked ("những chỉ tiêu nào đến năm 2030") are read for that year
    found = _section(ctx, hits, named) or _report_body(ctx)
    if found is None:
        return None
    heading, items = found
    numbers = {h.id: i for i, h in enumerate(items, 1)}
    listed = "; ".join(f"({i}) {shorten(strip_label(h.text), ITEM_LIMIT)} [{i}]" for i, h in enumerate(items, 1))
    doc = items[0].doc
    noun = next((n for n in _NOUNS[q.language] if contains(key(q.text, q.folded), key(n, q.folded))),
                _NOUNS[q.language][-1])
    lines = [_WORDS[q.language].format(doc=doc_label(doc, q.language), heading=heading, n=len(items), noun=noun,
                                       items=listed)]
    lines += [f"- [{numbers[h.id]}] {h.citation}" for h in items]
    facts = [Fact(value=h.text, task=h.text, doc_id=doc.doc_id, locality=doc.locality, citation=numbers[h.id])
             for h in items]
    return Answer(q.text, "\n".join(lines), items, False, q.language, GENERAL, facts, 1.0)


def _stated_count(listed: Term, hits: list[Hit], folded: bool) -> bool:
    """A clause counts the items itself: "Gồm 08 nhiệm vụ cụ thể", "04 nhiệm vụ" (not "… 2030 mục tiêu",
    nor "Giảm 5 - 8% mức tiêu hao", which unaccented reads "8 muc tieu")."""
    norm = (lambda t: fold(t).lower()) if folded else str.lower  # punctuation kept: "8%" is no count
    return any(re.search(rf"(?<![\d.,])\b\d{{1,3}}\s+{re.escape(norm(a))}\b", norm(h.text))
               for h in hits for a in listed.alternatives)


def _named(q: Query) -> Term | None:
    """The kind of item listed when no term holds it ("nhiệm vụ", "mục tiêu" are no search terms): a
    heading that names it is the one asked."""
    if q.listed and not any(set(q.listed.alternatives) & set(t.alternatives) for t in q.terms):
        return q.listed
    return None


def _section(ctx: Context, hits: list[Hit], named: Term | None) -> tuple[str, list[Hit]] | None:
    """The section among the hits' sections whose own heading best holds the question's terms
    (with the kind of item listed, often no search term: "mục tiêu") and lists 1 to MAX_ITEMS items,
    with its items; None unless a heading names what is asked."""
    q = ctx.query
    candidates: dict[tuple[str, str], tuple[float, float, int]] = {}  # (doc, path) -> (match, share asked, -rank)
    for rank, hit in enumerate(hits):
        if hit.kind not in (ITEM, TABLE_ROW) or not hit.section:  # a paragraph is often a group's "Nội dung:"
            continue
        parts = hit.section.split(SECTION_SEP)
        # the document's type and title say what every section is about ("Kế hoạch", "… sản xuất và
        # tiêu dùng bền vững"): the heading itself must hold enough of the rest, which is the kind of item
        # listed when the question names nothing else ("Kế hoạch Hậu Giang có những mục tiêu gì?")
        document = document_words(hit.doc)
        rest = beyond_document(q.terms, hit.doc, q.folded)
        if not rest:  # the title holds every term ("kết quả thực hiện" of a results report): the kind, else all
            terms, rest = ((*q.terms, named), (named,)) if named else (q.terms, q.terms)
        else:
            terms = q.terms
        asked = " ".join(a for t in terms for a in t.alternatives)
        for depth in range(len(parts), 0, -1):
            heading = parts[depth - 1]
            match = coverage(terms, f"{heading} {document}", q.folded)
            if match < HEADING_MATCH or coverage(rest, heading, q.folded) < OWN_MATCH:
                continue
            # of equal matches, the heading the question asks more of: "Mục đích" over "MỤC ĐÍCH, YÊU CẦU"
            where = (hit.doc.doc_id, SECTION_SEP.join(parts[:depth]))
            candidates.setdefault(where, (match, _share_asked(heading, asked, q.folded), -rank))
    for (doc_id, path), _ in sorted(candidates.items(), key=lambda c: c[1], reverse=True):
        items = [h for h in ctx.clauses(doc_id) if h.kind in (ITEM, TABLE_ROW, PARAGRAPH)
                 and not _CLOSING.match(h.text) and (h.section == path or h.section.startswith(path + SECTION_SEP))]
        if q.years:  # "những mục tiêu nào đến năm 2030": those of the year asked, where the section dates them
            items = [h for h in items if (p := period_of(h.section, h.row.period)) and p.covers_any(q.years)] or items
        if MIN_ITEMS <= len(items) <= MAX_ITEMS:  # a heading over a whole document lists no one thing
            return path.split(SECTION_SEP)[-1], items
    return None


def _share_asked(heading: str, asked: str, folded: bool) -> float:
    """The share of a heading's words (its numbering aside) that the question's terms hold."""
    words = [w for w in key(_NUMBERING.sub("", heading), folded).split() if w.isalpha()]
    return coverage([Term((w,)) for w in words], asked, folded) if words else 0.0


def _report_body(ctx: Context) -> tuple[str, list[Hit]] | None:
    """What a report sent as a letter, without headings, says was done ("Triệu Sơn đã làm được
    những gì?"): its items are its one list, under its title. Only for a results question scoped
    to that one document."""
    docs = ctx.in_scope() if not ctx.filters.is_empty() else []
    if len(docs) != 1 or ctx.documents[docs[0]].doc_type not in REPORT_TYPES \
            or not RESULTS[ctx.query.language].search(ctx.query.text):
        return None
    clauses = ctx.clauses(docs[0])
    items = [h for h in clauses if h.kind == ITEM]
    if any(h.kind == HEADING for h in clauses) or not MIN_ITEMS <= len(items) <= MAX_ITEMS:
        return None
    meta = ctx.documents[docs[0]]
    return meta.title or meta.doc_type or meta.source, items
