"""Ingest layer: policy documents (.txt, .md, .html, .docx, .doc, .pdf, scans and images by OCR,
.xlsx, .xls) -> typed, citable clauses.

read (readers, encoding; ocr + layout, legacy, sheets) -> clean (cleanup) -> structure (structure, markers, tables) ->
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
