"""Ingest layer: policy documents (.txt, .md, .docx, .pdf, .html) -> typed, citable clauses.

read (readers, encoding) -> clean (cleanup) -> structure (structure, markers, tables) ->
metadata -> clauses with ids and citations (pipeline, citation). Everything downstream sees
only `Document`, `DocumentMeta` and `Clause` (model).
"""

from ingest.citation import citation_for
from ingest.model import Clause, Document, DocumentMeta, IngestError
from ingest.pipeline import SUPPORTED, IngestResult, doc_id_for, ingest_file, ingest_paths, iter_sources

__all__ = [
    "SUPPORTED",
    "Clause",
    "Document",
    "DocumentMeta",
    "IngestError",
    "IngestResult",
    "citation_for",
    "doc_id_for",
    "ingest_file",
    "ingest_paths",
    "iter_sources",
]
