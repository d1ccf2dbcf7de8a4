"""Typed records that leave the index layer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, get_args

from ingest.model import NO_ROW, SECTION_SEP, Clause, DocumentMeta, ErrorCode, TaskRow


@dataclass(frozen=True)
class Hit:
    """A clause returned by a search, with its document and its score (higher is better)."""

    id: str
    text: str
    score: float
    doc: DocumentMeta
    section: str  # path joined with " › "
    citation: str
    kind: str
    label: str | None = None
    row: TaskRow = NO_ROW
    sparse_score: float | None = None  # component scores, for inspection and calibration
    dense_score: float | None = None

    @classmethod
    def from_clause(
        cls,
        clause: Clause,
        doc: DocumentMeta,
        score: float,
        sparse_score: float | None = None,
        dense_score: float | None = None,
    ) -> Hit:
        return cls(
            id=clause.id,
            text=clause.text,
            score=score,
            doc=doc,
            section=SECTION_SEP.join(clause.section),
            citation=clause.citation,
            kind=clause.kind,
            label=clause.label,
            row=clause.row,
            sparse_score=sparse_score,
            dense_score=dense_score,
        )

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(d.pop("row"))  # flat, as Clause.to_dict
        d["doc"] = self.doc.to_dict()
        return d


@dataclass(frozen=True)
class Filters:
    """Metadata filters for search; None means no constraint on that field."""

    doc_ids: tuple[str, ...] | None = None
    locality: str | None = None  # matched, accent- and case-insensitively, against locality/province/district
    doc_type: str | None = None
    year: int | None = None

    def is_empty(self) -> bool:
        return not (self.doc_ids or self.locality or self.doc_type or self.year)


@dataclass(frozen=True)
class IndexStats:
    documents: int
    clauses: int
    model: str
    dimension: int
    size_bytes: int
    built_at: str
    generation: str
    per_document: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


# Why the index skipped something, beyond ingest's ErrorCode (which FileError passes through).
IndexErrorCode = Literal[
    "missing",  # a path to index does not exist
    "duplicate_id",  # another file already holds the document id its name gives
    "duplicate",  # the file has the bytes of an indexed document (named in the reason)
    "not_indexed",  # a document id to remove is not in the index
]
INDEX_ERROR_CODES: tuple[IndexErrorCode, ...] = get_args(IndexErrorCode)


@dataclass(frozen=True)
class FileError:
    """A file (or document id) a run skipped. `code` is stable, so callers branch on it; `reason`
    is English prose for the CLI and may change. str() is "<path>: <reason>"."""

    path: str
    code: ErrorCode | IndexErrorCode
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class IndexChanges:
    """What a (re)index did; printed by `policyqa index`."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    errors: tuple[FileError, ...] = ()  # files that were skipped
    embedded: int = 0  # clauses that needed new embeddings

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict:
        return asdict(self)
