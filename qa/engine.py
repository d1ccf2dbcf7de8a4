"""PolicyQA: the Python API over one index directory — search, ask, and keep it up to date."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import index
from index.config import load_settings
from index.filtering import admits
from index.model import Filters, Hit, IndexChanges, IndexStats
from index.rerank import BASIS as ASKS_BASIS, DOCUMENT, FIGURE, PARTNERS, PERIOD, RerankHint
from index.rerank import LEAD as ASKS_LEAD
from ingest.model import HEADER, Clause, DocumentMeta
from ingest.text import nfc
from qa import assignments as who
from qa import kinds
from qa.assignments import Assignment
from qa.config import QASettings
from qa.conversation import resolve
from qa.generate import rewrite
from qa.kinds import Context
from qa.model import BASIS, LEAD, PARTNER, TARGET, WHEN, Answer
from qa.question import Query, analyze

if TYPE_CHECKING:  # the library (uploads) loads the ingest readers: only when a file is uploaded
    from qa.library import DocumentRecord, UploadResult

@dataclass(frozen=True)
class _Records:
    generation: str
    assignments: list[Assignment]
    clauses: dict[str, Clause]


class PolicyQA:
    """Facade used by the CLI, the app and Python callers.

    Holds one published index generation; `refresh()` swaps in a newer one. A call that is
    already running keeps the generation it started with, so swaps never break queries in flight.
    """

    def __init__(self, settings: QASettings, idx: index.Index):
        self.settings = settings
        self._index = idx
        self._write_lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._records: _Records | None = None

    @classmethod
    def open(
        cls,
        index_dir: str | Path | None = None,
        *,
        model: str | None = None,
        settings: QASettings | None = None,
        build: bool = True,
        progress: bool = False,
    ) -> PolicyQA:
        """Open the index at `index_dir` (default from settings); build it from the bundled
        corpus first when there is none and `build` is true."""
        settings = (settings or load_settings(QASettings)).with_overrides(index_dir=index_dir, model=model)
        if build and index.outdated(settings):  # clauses of an older ingest: re-read them from their sources
            index.resync(settings, progress=progress)
        try:
            idx = index.Index.open(settings)
        except index.IndexNotFound:
            if not build:
                raise
            if progress:
                print(f"Building the index of {settings.corpus_dir} in {settings.index_dir} …", file=sys.stderr)
            index.sync(settings, [settings.corpus_dir], progress=progress)
            idx = index.Index.open(settings)
        return cls(settings, idx)

    @property
    def generation(self) -> str:
        return self._index.generation

    def refresh(self) -> bool:
        """Pick up a newer generation (published by us or another process); True when it changed.

        Generation names sort by publication time, so a slow open in one thread can never put an
        older generation back over a newer one another thread already swapped in."""
        published = index.current_generation(self.settings)
        if published is None or published <= self._index.generation:
            return False
        with self._refresh_lock:
            idx = index.Index.open(self.settings)
            if idx.generation <= self._index.generation:
                return False
            self._index = idx
            return True

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        doc: str | None = None,
        locality: str | None = None,
        doc_type: str | None = None,
        year: int | None = None,
    ) -> list[Hit]:
        """Hybrid search; the query is expanded (abbreviations, synonyms, English glossary)."""
        idx, q, filters = self._plan(query, doc, locality, doc_type, year)
        return idx.search(q.search_text, k, filters, expansion=q.expansion, hint=_hint(q))

    def ask(
        self,
        question: str,
        k: int = 8,
        *,
        history: Sequence[Answer] = (),
        doc: str | None = None,
        locality: str | None = None,
        doc_type: str | None = None,
        year: int | None = None,
    ) -> Answer:
        """Answer with numbered citations, or abstain when the documents do not say. `history`: the
        conversation's earlier answers, oldest first; a follow-up ("Còn đơn vị phối hợp?", "Còn Cao
        Lãnh thì sao?") is read against the last one. With an LLM configured (settings.llm_url) the
        extractive answer is reworded from the cited clauses only."""
        question = resolve(nfc(question), history, self.analyze)
        idx, q, filters = self._plan(question, doc, locality, doc_type, year)
        ctx = Context(
            query=q, filters=filters, settings=self.settings, documents=idx.documents, depth=k,
            search=lambda text, n, f, expansion: idx.search(text, n, f, expansion=expansion, hint=_hint(q)),
            assignments=lambda: self._assignments(idx), hit=lambda clause_id: self._hit(idx, clause_id),
            headers=lambda hits: _headers(idx, hits),
            clauses=lambda doc_id: [Hit.from_clause(c, idx.documents[doc_id], 0.0) for c in idx.clauses(doc_id)],
        )
        return rewrite(kinds.answer(ctx), self.settings)

    def _plan(self, text: str, doc, locality, doc_type, year) -> tuple[index.Index, Query, Filters]:
        """The generation this call will use (fixed for the whole call), the understood question,
        and its filters: the caller's, else the scope the question names."""
        idx = self._index
        q = self.analyze(text, idx)
        return idx, q, _merge(q.filters, _filters(doc, locality, doc_type, year))

    def add(self, paths: Iterable[str | Path], *, progress: bool = False, on_page=None) -> IndexChanges:
        """Add or update these files; other documents are kept. A path that does not exist raises
        FileNotFoundError before anything is written; files that exist but cannot be indexed are
        reported in the result's `errors`. `on_page(file, done, total)` is called after each page
        OCR reads from a scan or image."""
        paths = [Path(p) for p in paths]
        if missing := [str(p) for p in paths if not p.exists()]:
            raise FileNotFoundError(f"no such file or directory: {', '.join(missing)}")
        return self._write(index.sync, paths, progress=progress, on_page=on_page)

    def remove(self, doc_id: str | Iterable[str]) -> IndexChanges:
        """Drop documents by id; an id that is not indexed raises KeyError before anything is written."""
        ids = [doc_id] if isinstance(doc_id, str) else list(doc_id)
        self.refresh()
        if unknown := [i for i in ids if i not in self._index.documents]:
            raise KeyError(f"not in the index: {', '.join(unknown)}")
        return self._write(index.remove, ids)

    def reindex(self, paths: Iterable[str | Path] | None = None, *, progress: bool = False) -> IndexChanges:
        """Mirror `paths` (new, changed, removed files); without paths, re-check every recorded source."""
        if paths is None:
            return self._write(index.resync, progress=progress)
        return self._write(index.sync, [Path(p) for p in paths], progress=progress)

    def assignments(
        self,
        *,
        agency: str | None = None,
        locality: str | None = None,
        doc: str | None = None,
        topic: str | None = None,
        role: str = "lead",
    ) -> list[Assignment]:
        """Who does what: the assignments (task rows and prose) of the indexed documents, in
        document order. `agency` matches any spelling of the lead ("Sở TN&MT"), or of a partner with
        role="partner" / either with role="any"; `doc` is a document id or number ("178/KH-UBND");
        `topic` keeps tasks (or their sections) that mention it."""
        idx = self._index
        scope = Filters(locality=locality or None)
        doc_ids = [d for d, meta in idx.documents.items() if admits(scope, meta) and _is_doc(doc, meta)]
        return who.matching(self._assignments(idx), agency=agency, role=role, doc_ids=doc_ids, topic=topic)

    def _derived(self, idx: index.Index) -> _Records:
        """What qa derives from a generation (assignments, clauses by id), once per generation."""
        cached = self._records
        if cached is None or cached.generation != idx.generation:
            clauses = idx.clauses()
            cached = _Records(idx.generation, who.extract(clauses, idx.documents), {c.id: c for c in clauses})
            self._records = cached
        return cached

    def _assignments(self, idx: index.Index) -> list[Assignment]:
        return self._derived(idx).assignments

    def _hit(self, idx: index.Index, clause_id: str) -> Hit:
        clause = self._derived(idx).clauses[clause_id]
        return Hit.from_clause(clause, idx.documents[clause.doc_id], 1.0)

    def upload(self, files: Iterable[str | Path], *, by: str | None = None, replaces: str | None = None,
               on_page=None) -> list[UploadResult]:
        """Save files into <index_dir>/uploads and index them, one result per file; a file that
        fails leaves the folder and the index as they were. `by`: the uploader's login name;
        `replaces`: a document id the upload supersedes; `on_page`: as for add (OCR progress)."""
        from qa import library

        return library.upload(self, [Path(f) for f in files], by=by, replaces=replaces, on_page=on_page)

    def delete(self, doc_id: str) -> IndexChanges:
        """Remove a document from the index, and its file when it was uploaded."""
        from qa import library

        return library.delete(self, doc_id)

    def library(self) -> list[DocumentRecord]:
        """Every indexed document with its counts, original file and upload record."""
        from qa import library

        return library.records(self._index, self.settings)

    def source(self, doc_id: str) -> Path:
        return self._index.source(doc_id)

    def documents(self) -> list[tuple[DocumentMeta, int]]:
        idx = self._index
        counts = idx.clause_counts()
        return [(meta, counts.get(doc_id, 0)) for doc_id, meta in sorted(idx.documents.items())]

    def stats(self) -> IndexStats:
        return self._index.stats()

    def _write(self, operation, *args, **kwargs) -> IndexChanges:
        with self._write_lock:
            changes = operation(self.settings, *args, **kwargs)
            self.refresh()
            return changes

    def analyze(self, text: str, idx: index.Index | None = None) -> Query:
        """How the question is understood: intent, language, scope, expansion terms."""
        idx = idx or self._index
        known = {
            name
            for meta in idx.documents.values()
            for name in (meta.locality, meta.province, meta.district)
            if name
        }
        return analyze(nfc(text), known, idx.documents.values())


_ASKS = {LEAD: ASKS_LEAD, PARTNER: PARTNERS, WHEN: PERIOD, TARGET: FIGURE, BASIS: ASKS_BASIS}


def _hint(q: Query) -> RerankHint:
    """What the question asks for, so the index's rerank stage favours clauses that hold it."""
    if q.document_field:
        return RerankHint(fields=(DOCUMENT,))
    return RerankHint(fields=(_ASKS[q.intent],) if q.intent in _ASKS else ())


def _headers(idx: index.Index, hits: list[Hit]) -> list[Hit]:
    """The header clauses (issue date, signature) of the documents among `hits` that lack theirs,
    to cite for "when was it issued / who signed it?"; after the hits, so the ranking is unchanged."""
    have = {h.doc.doc_id for h in hits if h.kind == HEADER}
    missing = dict.fromkeys(h.doc.doc_id for h in hits if h.doc.doc_id not in have)
    return [Hit.from_clause(c, idx.documents[doc_id], 0.0)
            for doc_id in missing for c in idx.clauses(doc_id) if c.kind == HEADER]


def _is_doc(wanted: str | None, meta: DocumentMeta) -> bool:
    """`wanted` names this document by id or number (spaces and case aside)."""
    if not wanted:
        return True
    squeeze = lambda t: "".join(nfc(t).lower().split())  # noqa: E731
    return squeeze(wanted) in (squeeze(meta.doc_id), squeeze(meta.number or ""))


def _filters(doc, locality, doc_type, year) -> Filters:
    return Filters(
        doc_ids=(doc,) if doc else None,
        locality=locality or None,
        doc_type=doc_type or None,
        year=int(year) if year else None,
    )


def _merge(found: Filters, given: Filters) -> Filters:
    """Filters chosen by the caller win over the scope read from the question."""
    return Filters(
        doc_ids=given.doc_ids or found.doc_ids,
        locality=given.locality or found.locality,
        doc_type=given.doc_type or found.doc_type,
        year=given.year or found.year,
    )
