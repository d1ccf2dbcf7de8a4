"""What text of a clause each index sees; every choice here was measured (README).

Sparse: a clause alone often lacks the words a question uses. A table row's task does not name
its agencies, and no clause repeats its document's place or the headings above it. So BM25 sees
three fields, scored apart and weighted (see sparse): the clause with its agencies, its place,
and its headings.

Dense: the clause text, preceded by its nearest heading when the clause is too short to say what
it is about ("Gồm 08 nhiệm vụ cụ thể như Phụ lục kèm theo."). With the default English-trained
model, context on every clause made dense-only retrieval worse (MRR@10 on the gold questions
0.51 -> 0.40 with the heading, lower still with place and lead): the model has little capacity for
Vietnamese, and context crowds out the clause.
"""

from __future__ import annotations

from ingest.model import Clause, DocumentMeta

TEXT = "text"
PLACE = "place"
CONTEXT = "context"
FIELDS = (TEXT, PLACE, CONTEXT)
SHORT_CLAUSE_WORDS = 15

_PART_BREAK = " . "  # punctuation, so folded syllable pairs never span two parts


def sparse_fields(doc: DocumentMeta, clause: Clause) -> dict[str, str]:
    """TEXT labels agencies as the task tables do, so "Sở Tài chính chủ trì gì" meets the row."""
    text = [clause.text, clause.row.lead and f"chủ trì {clause.row.lead}", clause.row.partners and f"phối hợp {clause.row.partners}"]
    place = [doc.locality, doc.province, doc.district]
    context = [*clause.section, clause.row.group]
    return {TEXT: _join(text), PLACE: _join(place), CONTEXT: _join(context)}


def dense_text(clause: Clause) -> str:
    heading = clause.row.group or (clause.section[-1] if clause.section else None)
    if heading and len(clause.text.split()) < SHORT_CLAUSE_WORDS:
        return f"{heading} · {clause.text}"
    return clause.text


def _join(parts) -> str:
    return _PART_BREAK.join(dict.fromkeys(p for p in parts if p))
