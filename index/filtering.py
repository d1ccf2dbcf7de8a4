"""Which documents a `Filters` admits."""

from __future__ import annotations

import re

from index.model import Filters
from ingest.model import DocumentMeta
from ingest.text import fold


def admits(filters: Filters, doc: DocumentMeta) -> bool:
    return (
        (not filters.doc_ids or doc.doc_id in filters.doc_ids)
        and (not filters.locality or _locality_matches(filters.locality, doc))
        and (not filters.doc_type or _words(filters.doc_type) == _words(doc.doc_type or ""))
        and (not filters.year or doc.year == filters.year)
    )


def _locality_matches(wanted: str, doc: DocumentMeta) -> bool:
    """Whole words, accent- and case-insensitive: "thanh hoa" admits a Triệu Sơn district of Thanh Hóa."""
    needle = _words(wanted)
    return any(_contains(_words(place), needle) for place in (doc.locality, doc.province, doc.district, doc.issuer)
               if place)


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", fold(text)))


def _contains(words: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return n > 0 and any(words[i:i + n] == needle for i in range(len(words) - n + 1))
