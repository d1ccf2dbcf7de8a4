"""Second stage: re-order the top candidates of fusion so the first rank is the clause asked for.

The first stage ranks by topic; the question also says what kind of clause answers it. "Which
agency leads X?" is answered by a row that names a lead, not by the paragraph that introduces X;
"by how much?" by a clause with a figure; and a document's header matches every question about
that document by its title while answering only "when was it issued, who signed it?". The caller
(qa) says what is asked in a `RerankHint`; the index knows nothing of questions.

The relevance of each candidate is the fused score, or, with `reranker` set to a cross-encoder
(online: downloaded from the hub), that model's score of (question, clause). Measured (README):
on the tuning questions the field rules lift R@1 0.83 -> 0.89; dense similarity as an extra
rerank feature did not help, nor did matching the question's years, so neither is used.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from index.embed import ModelLoadError, ModelProfile, NEUTRAL
from index.fusion import minmax
from ingest.model import HEADER, Clause

# What a question may ask for (RerankHint.fields).
LEAD = "lead"
PARTNERS = "partners"
PERIOD = "period"
FIGURE = "figure"
BASIS = "basis"
DOCUMENT = "document"  # the document itself: issue date, signer
FIELDS = (LEAD, PARTNERS, PERIOD, FIGURE, BASIS, DOCUMENT)

FIELD_BONUS = 0.3  # a candidate that holds what is asked (measured: 0.1-0.3 on gold, 0.3 best)
HEADER_PENALTY = 0.5  # a header when the question is not about the document itself

_YEAR = re.compile(r"\b(19|20)\d\d\b")
_DIGIT = re.compile(r"\d")
_DOC_NUMBER = re.compile(r"\b\d+/[^\W_]", re.UNICODE)  # "889/QĐ-TTg", "172/KH-UBND"


@dataclass(frozen=True)
class RerankHint:
    """What the question asks for, from the caller's reading of it (e.g. qa's intent)."""

    fields: tuple[str, ...] = ()

    def __post_init__(self):
        unknown = set(self.fields) - set(FIELDS)
        if unknown:
            raise ValueError(f"RerankHint.fields: unknown {sorted(unknown)}; expected some of {FIELDS}")


def holds(clause: Clause, field: str) -> bool:
    """Whether the clause can answer a question asking for `field`."""
    text = clause.text.lower()
    if field == LEAD:
        return bool(clause.row.lead) or "chủ trì" in text
    if field == PARTNERS:
        return bool(clause.row.partners) or "phối hợp" in text
    if field == PERIOD:
        return bool(clause.row.period) or bool(_YEAR.search(text))
    if field == FIGURE:
        return bool(_DIGIT.search(text))
    if field == BASIS:
        return bool(_DOC_NUMBER.search(clause.text))
    return clause.kind == HEADER  # DOCUMENT


class Relevance(Protocol):
    """Scores (query, passage) pairs, higher = more relevant; a cross-encoder, for instance."""

    def scores(self, query: str, passages: Sequence[str]) -> np.ndarray: ...


def rerank(clauses: Sequence[Clause], fused: np.ndarray, hint: RerankHint | None,
           query: str = "", relevance: Relevance | None = None) -> np.ndarray:
    """New scores of the candidates `clauses` (best fused first), each list position for position."""
    hint = hint or RerankHint()
    base = fused if relevance is None else relevance.scores(query, [c.text for c in clauses])
    score = minmax(np.asarray(base, dtype=np.float32))
    for i, clause in enumerate(clauses):
        if any(holds(clause, f) for f in hint.fields):
            score[i] += FIELD_BONUS
        if clause.kind == HEADER and DOCUMENT not in hint.fields:
            score[i] -= HEADER_PENALTY
    return score


@dataclass(frozen=True)
class RerankerProfile:
    inputs: ModelProfile = NEUTRAL
    max_length: int | None = None  # tokens per (query, passage) pair; None: the model's own


# Cross-encoders users may choose online, with their input convention (from their model cards).
PROFILES: dict[str, RerankerProfile] = {
    "BAAI/bge-reranker-v2-m3": RerankerProfile(max_length=512),  # multilingual, Vietnamese included
    "itdainb/PhoRanker": RerankerProfile(ModelProfile(segment=True), 256),  # PhoBERT: word-segmented input
}


class CrossEncoderRelevance:
    """A sentence-transformers CrossEncoder with its profile."""

    def __init__(self, model, profile: ModelProfile):
        self.model = model
        self.profile = profile

    def scores(self, query: str, passages: Sequence[str]) -> np.ndarray:
        q = self.profile.queries([query])[0]
        pairs = [(q, p) for p in self.profile.passages(passages)]
        return np.asarray(self.model.predict(pairs, batch_size=32, show_progress_bar=False), dtype=np.float32)


_loaded: dict[str, CrossEncoderRelevance] = {}
_lock = threading.Lock()


def load_reranker(name: str) -> CrossEncoderRelevance:
    """The cross-encoder `name` (hub name or local path), loaded once per process."""
    with _lock:
        if name not in _loaded:
            from sentence_transformers import CrossEncoder  # heavy import: only when configured

            profile = PROFILES.get(name, RerankerProfile())
            try:
                model = CrossEncoder(name, device="cpu", max_length=profile.max_length)
            except Exception as exc:  # OSError, ValueError, HTTP errors, ... for one cause
                raise ModelLoadError(f"cannot load reranker {name!r}: {exc}") from exc
            _loaded[name] = CrossEncoderRelevance(model, profile.inputs)
        return _loaded[name]
