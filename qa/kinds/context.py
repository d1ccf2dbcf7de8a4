"""What a question kind may use: the understood question, and read-only views of one generation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from index.model import Filters, Hit
from ingest.model import DocumentMeta
from qa.assignments import Assignment
from qa.config import QASettings
from qa.model import Query


@dataclass(frozen=True)
class Context:
    query: Query
    filters: Filters  # the caller's filters, else the scope the question names
    settings: QASettings
    documents: Mapping[str, DocumentMeta]  # every indexed document
    depth: int  # hits a passage answer reads
    search: Callable[[str, int, Filters, str], list[Hit]]  # (text, k, filters, expansion), best first
    assignments: Callable[[], list[Assignment]]  # the generation's who-does-what records
    hit: Callable[[str], Hit]  # the clause with this id, as a hit
    headers: Callable[[list[Hit]], list[Hit]]  # header clauses of the hits' documents
    clauses: Callable[[str], list[Hit]]  # a document's clauses in reading order, as hits

    def in_scope(self) -> list[str]:
        """Ids of the documents the question (or the caller) is scoped to."""
        from index.filtering import admits

        return [d for d, meta in self.documents.items() if admits(self.filters, meta)]
