"""Typed records that leave the qa layer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from index.model import Filters, Hit

# Question intents.
LEAD = "lead"
PARTNER = "partner"
WHEN = "when"
TARGET = "target"
BASIS = "basis"
GENERAL = "general"
INTENTS = (LEAD, PARTNER, WHEN, TARGET, BASIS, GENERAL)


VI = "vi"
EN = "en"

# What a question asks about a document itself (answered from its metadata).
ISSUED = "issued"
SIGNER = "signer"
DOC_NUMBER = "number"
ISSUER = "issuer"


@dataclass(frozen=True)
class Term:
    """One content concept of a question: found in a clause when any alternative is.

    Alternatives are the words as asked (first) plus their abbreviation expansions, synonyms or
    Vietnamese translations; weight is how many question words the concept stands for.
    """

    alternatives: tuple[str, ...]
    weight: float = 1.0
    parts: tuple[Term, ...] = ()  # a phrase's own words and sub-phrases, for partial credit


@dataclass(frozen=True)
class Query:
    """What `qa.question.analyze` understood of a question; the input of search and compose."""

    text: str  # the question, NFC and white space cleaned
    language: str  # VI or EN
    accented: bool  # False when Vietnamese was typed without diacritics
    intent: str  # one of INTENTS
    expansion: str = ""  # extra Vietnamese search terms: expansions, synonyms, translations
    filters: Filters = field(default_factory=Filters)  # scope read from the question
    unknown_locality: str | None = None  # a place the question names that no document covers
    terms: tuple[Term, ...] = ()  # content concepts, for coverage and highlighting
    years: tuple[int, ...] = ()  # years the question names ("đến năm 2030"), to pick the period
    localities: tuple[str, ...] = ()  # localities the index covers, for the unknown-place message
    document_field: str | None = None  # ISSUED / SIGNER / DOC_NUMBER / ISSUER: the question is about a document itself
    doc_numbers: tuple[str, ...] = ()  # document numbers the question cites, as `extract.document_number`
    agency: tuple[str, ...] = ()  # "Sở Tài chính chủ trì những nhiệm vụ nào?": the agency's name and spellings
    followup: bool = False  # "Còn Cao Lãnh thì sao?", "Còn đơn vị phối hợp?": leans on the previous question
    topic: str = ""  # the question's content words, as asked (no cues, places or years)
    places: tuple[str, ...] = ()  # every covered locality the question names, in order
    compare: bool = False  # "so sánh …", "compare …": one answer per document or place
    asks_list: bool = False  # "những nhiệm vụ gì", "liệt kê", "what tasks": every item, not the best one
    listed: Term | None = None  # the kind of item listed, as headings name it: "mục tiêu" for "what objectives"
    asked_type: str | None = None  # "kế hoạch số bao nhiêu", "which decision": the type of document asked for
    search_text: str = ""  # what the index is asked: `text` less the place its filters scope to
    excluded: str = ""  # "ngoài Phòng KT&HT, …", "apart from the Finance office": agencies not to answer (folded)

    @property
    def folded(self) -> bool:
        """Compare without diacritics: the question was Vietnamese typed without them."""
        return self.language == VI and not self.accented


@dataclass(frozen=True)
class Fact:
    """One value an answer states: an agency (or figure/date/basis) with the task it belongs to."""

    value: str  # "Sở Công Thương", "90%", "trước ngày 05/12", "172/KH-UBND"
    task: str  # the task or clause it answers for
    doc_id: str
    locality: str | None
    citation: int  # 1-based index into Answer.citations
    english: str | None = None  # usual English rendering of an agency name, for English questions
    period: str | None = None


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # the direct answer with [n] markers, in the question's language
    citations: list[Hit]
    abstained: bool
    language: str  # VI or EN
    intent: str  # one of INTENTS
    facts: list[Fact] = field(default_factory=list)
    confidence: float = 0.0
    generated: bool = False  # True when an LLM rewrote `text`

    @property
    def leads(self) -> list[str]:
        return list(dict.fromkeys(f.value for f in self.facts if self.intent == LEAD))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["citations"] = [h.to_dict() for h in self.citations]
        d["leads"] = self.leads
        return d
