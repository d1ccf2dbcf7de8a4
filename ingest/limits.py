"""Bounds on what one file may cost to read, as Tika and SQLite keep them.

A small hostile file can otherwise expand to gigabytes (a zip bomb), nest until the parser's
stack breaks, or keep a parser busy for minutes. Each bound is checked as early and as cheaply
as possible, before the expensive work, and refused with `Unreadable(..., "too_large")` naming
the limit and its value. The values are settings (`Limits` is the root of the settings chain: the
index's, the QA engine's and the app's settings each extend the layer below); the time and memory
budget are enforced around the whole parse by `ingest.sandbox`.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, fields

from ingest.blocks import Block, Line, Unreadable

ZIP_RATIO_GRACE = 100 * 1024  # entries smaller than this may compress as well as they like (as Apache POI)


@dataclass(frozen=True)
class Limits:
    max_zip_mb: int = 200  # total uncompressed size of a .docx/.xlsx package
    max_zip_ratio: int = 100  # uncompressed / compressed size of one package entry
    max_zip_entries: int = 5000  # files inside one package
    max_xml_depth: int = 100  # element nesting in an Office XML part
    max_html_depth: int = 200  # element nesting in an HTML page
    max_line_chars: int = 50_000  # characters in one line, paragraph or table cell
    max_pdf_pages: int = 500
    ingest_timeout: float = 60.0  # seconds of wall and CPU time to read one file
    ingest_memory_mb: int = 512  # address space of the process reading one file (its RSS stays below)
    pdf_memory_mb: int = 1024  # the same for a PDF, whose scanned pages are rendered and OCR'd there (Tesseract too)

    def __post_init__(self):
        check_ranges(self, _RANGES)

    def memory_mb(self, suffix: str) -> tuple[int, str]:
        """The address-space budget for reading a file of this type, and the setting that holds it."""
        return (self.pdf_memory_mb, "pdf_memory_mb") if suffix == ".pdf" else (self.ingest_memory_mb, "ingest_memory_mb")

    def to_dict(self) -> dict:
        """The limits alone, also of a subclass's instance (the settings that extend them)."""
        return {f.name: getattr(self, f.name) for f in fields(Limits)}


_RANGES = {
    "max_zip_mb": (1, None), "max_zip_ratio": (2, None), "max_zip_entries": (1, None), "max_xml_depth": (8, 256),
    "max_html_depth": (8, 400), "max_line_chars": (1000, None), "max_pdf_pages": (1, None),
    "ingest_timeout": (1.0, None), "ingest_memory_mb": (128, None), "pdf_memory_mb": (256, None),
}


def check_ranges(settings, ranges: dict[str, tuple]) -> None:
    """Each named value within its (low, high) bounds (high None: unbounded), so a typo fails at start-up
    with the setting's name rather than deep inside a run. Every layer's settings check theirs with it."""
    for name, (low, high) in ranges.items():
        value = getattr(settings, name)
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise ValueError(f"setting {name!r} must be {bounds}, got {value!r}")


DEFAULT_LIMITS = Limits()


def too_large(what: str, setting: str) -> Unreadable:
    """The refusal of a file over a limit: what exceeds it, and the setting that raises it."""
    return Unreadable(f"{what} (setting {setting!r})", "too_large")


def check_zip(data: bytes, limits: Limits, kind: str) -> None:
    """Refuse a zip package (.docx, .xlsx) whose central directory declares too many entries, too
    much data or a bomb's compression ratio — before anything is inflated. `kind` names the format
(".docx") in the message when the file is no zip at all. Python's zipfile never
    inflates an entry past its declared size, so the declared sizes bound the real ones."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unreadable(f"not a readable {kind} file ({type(exc).__name__})", "corrupt") from exc
    if len(entries) > limits.max_zip_entries:
        raise too_large(f"package of {len(entries)} files, over the limit of {limits.max_zip_entries}",
                        "max_zip_entries")
    total = sum(e.file_size for e in entries)
    if total > limits.max_zip_mb * 1024 * 1024:
        raise too_large(f"package expands to {total / 2**20:.0f} MB, over the limit of {limits.max_zip_mb} MB",
                        "max_zip_mb")
    for e in entries:
        if e.file_size > ZIP_RATIO_GRACE and e.file_size > limits.max_zip_ratio * max(e.compress_size, 1):
            ratio = e.file_size // max(e.compress_size, 1)
            raise too_large(f"{e.filename!r} expands {ratio} times, over the limit of {limits.max_zip_ratio}",
                            "max_zip_ratio")


def check_lines(blocks: list[Block], limits: Limits) -> None:
    """Refuse a line or cell longer than any real paragraph: the text passes are linear, but a
    multi-megabyte line makes every regex over it slow and is no document anyway."""
    for block in blocks:
        texts = [block.text] if isinstance(block, Line) else [cell for row in block.rows for cell in row]
        for text in texts:
            if len(text) > limits.max_line_chars:
                raise too_large(f"a line of {len(text)} characters, over the limit of {limits.max_line_chars}",
                                "max_line_chars")
