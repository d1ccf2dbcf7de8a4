"""Ingest layer: policy documents (.txt, .md, .html, .docx, .doc, .pdf, scans and images by OCR,
.xlsx, .xls) -> typed, citable clauses.

read (readers, encoding; ocr + layout, legacy, sheets) -> clean (cleanup) -> structure (structure, markers, tables) ->
metadata -> clauses with ids and citations (pipeline, citation). Everything downstream sees
only `Document`, `DocumentMeta` and `Clause` (model).
"""

from importlib import import_module

from ingest.model import Clause, Document, DocumentMeta, IngestError

_PIPELINE = {"SUPPORTED", "IngestResult", "doc_id_for", "ingest_file", "ingest_paths", "iter_documents",
             "iter_sources"}


def __getattr__(name: str):
    """The pipeline (and its readers: BeautifulSoup, pdfplumber, python-docx) loads on first use, so
    code that needs only the records (`ingest.model`, the index readers) does not pay for it."""
    if name in _PIPELINE:
        return getattr(import_module("ingest.pipeline"), name)
    if name == "citation_for":
        return import_module("ingest.citation").citation_for
    raise AttributeError(f"module 'ingest' has no attribute {name!r}")


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
    "iter_documents",
    "iter_sources",
]
