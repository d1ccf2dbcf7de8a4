"""Which documents a `Filters` admits, as keys: a document's keys are worked out once, when its
segment is written (segment.FILTERS holds them inverted: key -> documents), and a filter is the
set of keys a document must all hold, so a query looks postings up instead of scanning metadata."""

from __future__ import annotations

import re

from index.model import Filters
from ingest.model import DocumentMeta
from ingest.text import fold

_PLACE, _TYPE, _YEAR = "place:", "type:", "year:"


def keys(doc: DocumentMeta) -> set[str]:
    """Every key a filter may ask of `doc`; a place key for each run of whole words of each place,
    so "thanh hoa" meets a Triệu Sơn district of Thanh Hóa (accent- and case-insensitive)."""
    found = {_TYPE + " ".join(_words(doc.doc_type or ""))}
    if doc.year is not None:
        found.add(f"{_YEAR}{doc.year}")
    for place in (doc.locality, doc.province, doc.district, doc.issuer):
        words = _words(place or "")
        found.update(_PLACE + " ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1))
    return found


def wanted(filters: Filters) -> set[str]:
    """The keys a document must hold to be admitted (document ids aside: see `admits`)."""
    found = set()
    if filters.locality:
        found.add(_PLACE + " ".join(_words(filters.locality)))  # no words: a key no document holds
    if filters.doc_type:
        found.add(_TYPE + " ".join(_words(filters.doc_type)))
    if filters.year:
        found.add(f"{_YEAR}{filters.year}")
    return found


def admits(filters: Filters, doc: DocumentMeta) -> bool:
    return (not filters.doc_ids or doc.doc_id in filters.doc_ids) and wanted(filters) <= keys(doc)


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", fold(text)))
