"""Typed records that leave the qa layer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from index.model import Hit

# Question intents.
LEAD = "lead"
PARTNER = "partner"
WHEN = "when"
TARGET = "target"
BASIS = "basis"
GENERAL = "general"
INTENTS = (LEAD, PARTNER, WHEN, TARGET, BASIS, GENERAL)


@dataclass(frozen=True)
class Assignment:
    """One extracted fact: an agency (or figure/date/basis) with the task it belongs to."""

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
    language: str  # "vi" or "en"
    intent: str  # one of INTENTS
    facts: list[Assignment] = field(default_factory=list)
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
