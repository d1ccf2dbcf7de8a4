""""Báo cáo của Triệu Sơn gửi cơ quan nào?", "To whom did Nghi Xuan send its report?": whom each
document the question names is addressed to, from its "Kính gửi:" line, else its "Nơi nhận:" list
(the recipient block of the header clause), one part per document, all on the first line."""

from __future__ import annotations

import re
from dataclasses import replace

from index.filtering import admits
from index.model import Hit
from ingest.model import HEADER, PARAGRAPH
from qa.answer import doc_label
from qa.expand import load_lexicon
from qa.kinds.context import Context
from qa.model import EN, GENERAL, VI, Answer, Fact
from qa.terms import key

# Folded question forms asking whom a document goes to; the documents' own recipient lines.
# A question that goes on after "gửi cơ quan nào" asks who acts on what is sent ("… gửi sở nào thẩm định?");
# one may name the addressee and ask which place's it is ("… gửi Sở Công Thương tỉnh nào?").
_ASKED = {VI: re.compile(r"\b(?:kinh gui|noi nhan)\b|\bgui (?:bao cao |van ban |cong van )?(?:den |toi |cho |ve |len )?"
                         r"(?:co quan nao|don vi nao|so nao|ai|dau)"
                         r"(?:\W+(?:co )?khac nhau(?: khong| the nao| ra sao)?)?\W*$"  # "…, có khác nhau không?"
                         r"|\bgui (?:den |toi |cho |ve |len )?(?:\w+ ){1,6}(?:tinh|huyen) nao\W*$"),
          EN: re.compile(r"\b(?:sent to|send to|addressed to|submitted to|to whom|recipients?)\b"
                         r"|\bto (?:which|what)\b.*\b(?:addressed|sent|submitted)\b"
                         r"|\b(?:send|sent|submit|submitted)\b(?:\s+\w+){0,3}\s+to\W*$"
                         r"|\bwhere (?:is|was|are|were|do|does|did)\b.*\b(?:sent|addressed|submitted|send|submit)\W*$")}
_WHOSE = re.compile(r"\b(?:tinh|huyen) nao\b|\bwhich (?:province|district)")  # the addressee named, its place asked
_ADDRESSED = re.compile(r"^\s*Kính gửi\s*:\s*(.+?)\s*\.?\s*$", re.IGNORECASE | re.DOTALL)
_RECEIVERS = re.compile(r"^Nơi nhận\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_ARCHIVE = re.compile(r";?\s*Lưu\s*:.*$", re.IGNORECASE)  # the file copy kept by the issuer: no recipient
_WORDS = {VI: "{doc} gửi: {value}", EN: "{doc} is addressed to: {value}"}
_CC = {VI: "{doc}, nơi nhận: {value}", EN: "{doc} is sent to: {value}"}


# The only content a recipients question has besides the asked form: the document itself (folded words;
# a term qualifies by any of its alternatives: "SPC", "SXTDBV" by the programme's name).
_ABOUT_THE_DOCUMENT = frozenset("bao cao ke hoach cong van van ban kh bc gui len toi den cho ve noi nhan nhung nam lan luot san xuat va tieu dung ben to "
                                "vung chuong trinh report reports plan plans letter document sent send addressed recipients recipient filed "
                                "submitted submit reported results result "
                                "the was were is its each which whom provincial province department agency office "
                                "body authority".split())  # and the kind of addressee asked


def answer(ctx: Context) -> Answer | None:
    q = ctx.query
    agencies = load_lexicon().agency_names(folded=True)
    addressee = {w for t in q.terms if any(key(a, folded=True) in agencies for a in t.alternatives)
                 for w in key(t.alternatives[0], folded=True).split()}  # "gửi Sở Công Thương tỉnh nào"
    asked = key(q.text, folded=True)
    if addressee and not _WHOSE.search(asked):
        return None  # "What must be submitted to the Department of Finance?": what is sent, not to whom
    about = _ABOUT_THE_DOCUMENT | addressee
    if not _ASKED[q.language].search(asked) or not all(
            any(set(key(a, folded=True).split()) <= about for a in t.alternatives) for t in q.terms):
        return None  # what else is sent ("dự toán … gửi cơ quan nào?") is the passages' to answer
    scopes = [replace(ctx.filters, locality=p) for p in q.places] or ([ctx.filters] if not ctx.filters.is_empty() else [])
    docs = list(dict.fromkeys(d for s in scopes for d, meta in ctx.documents.items() if admits(s, meta)))
    parts, cited, facts = [], [], []
    for doc_id in docs:
        found = _recipients(ctx.clauses(doc_id))
        if found is None:
            continue
        hit, words, value = found
        cited.append(hit)
        parts.append(words[q.language].format(doc=doc_label(hit.doc, q.language), value=value) + f" [{len(cited)}]")
        facts.append(Fact(value=value, task=hit.text, doc_id=doc_id, locality=hit.doc.locality, citation=len(cited)))
    if not parts:
        return None
    lines = ["; ".join(parts) + "."] + [f"- [{i}] {h.citation}" for i, h in enumerate(cited, 1)]
    return Answer(q.text, "\n".join(lines), cited, False, q.language, GENERAL, facts, 1.0)


def _recipients(clauses: list[Hit]) -> tuple[Hit, dict[str, str], str] | None:
    """The document's "Kính gửi:" paragraph, else the "Nơi nhận:" line of its header (with the
    wording for each); None if neither."""
    for h in clauses:
        m = _ADDRESSED.match(h.text) if h.kind == PARAGRAPH else None
        if m:
            return h, _WORDS, m.group(1).rstrip(". ")
    for h in clauses:
        m = _RECEIVERS.search(h.text) if h.kind == HEADER else None
        if m:
            return h, _CC, _ARCHIVE.sub("", m.group(1)).strip(" ;")
    return None
