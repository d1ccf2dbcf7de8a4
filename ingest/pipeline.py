"""Files in, documents of citable clauses out: read -> clean -> structure -> metadata -> clauses."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.blocks import Block, Draft, Line, Page, Unreadable
from ingest.citation import citation_for
from ingest.cleanup import clean
from ingest.encoding import legacy_encoding, legacy_reason
from ingest.limits import DEFAULT_LIMITS, Limits, check_lines
from ingest.metadata import extract_meta
from ingest.model import SECTION_SEP, Clause, Document, DocumentMeta, IngestError
from ingest.ocr import OcrOptions
from ingest.readers import SUPPORTED, read_blocks
from ingest.structure import header_drafts, parse
from ingest.text import fold, nfc


@dataclass
class IngestResult:
    documents: list[Document] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)


def doc_id_for(path: str | Path) -> str:
    """Stable id from the file name: "Cao Lãnh_Kế hoạch 178.txt" -> "cao-lanh_ke-hoach-178"."""
    slug = re.sub(r"[^a-z0-9_]+", "-", fold(nfc(Path(path).stem))).strip("-")
    return slug or "document"


def iter_sources(paths: Iterable[str | Path]) -> list[Path]:
    """Files to ingest: directories expanded recursively to their supported, non-hidden files;
    files named explicitly are kept whatever their type, so that ingest reports them."""
    found: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            found.update(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED
                         and not any(part.startswith((".", "~$")) for part in f.relative_to(path).parts))
        else:
            found.add(path)
    return sorted(found)


def iter_documents(paths: Iterable[str | Path], read: Callable[[Path], Document] | None = None
                   ) -> Iterator[Document | IngestError]:
    """Each source's document, or the IngestError saying why not, as it is read with `read`
    (default: `ingest_file`, in this process; index.build's `reader` bounds each file in time and
    memory and OCRs with the index's settings): a caller that handles one at a time holds one."""
    read = read or ingest_file
    for path in iter_sources(paths):
        try:
            yield read(path)
        except IngestError as exc:
            yield exc


def ingest_paths(paths: Iterable[str | Path], read: Callable[[Path], Document] | None = None) -> IngestResult:
    """Every source's document at once (`iter_documents`); a file that fails is reported in
    `errors` and the others go on."""
    result = IngestResult()
    for item in iter_documents(paths, read):
        (result.errors if isinstance(item, IngestError) else result.documents).append(item)
    return result


def ingest_file(path: str | Path, ocr: OcrOptions | None = None, limits: Limits = DEFAULT_LIMITS) -> Document:
    """One file's document, or `IngestError`, whatever the file holds: every failure of the
    readers is classified here. `ocr` says how scans and images are read (cache, limits,
    progress). Runs in-process; `ingest.sandbox` adds the time and memory budget."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(path, "no such file" if not path.exists() else "not a file", code="unreadable")
    if path.suffix.lower() not in SUPPORTED:
        reason = f"unsupported file type {path.suffix or '(none)'!r}; supported: {', '.join(SUPPORTED)}"
        raise IngestError(path, reason, code="unsupported")
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = f"cannot read the file ({exc.strerror or type(exc).__name__})"
        raise IngestError(path, reason, code="unreadable") from exc
    if not data.strip():
        raise IngestError(path, "empty file", code="empty")
    try:
        read = read_blocks(path, data, ocr, limits)
        check_lines(read.blocks, limits)
        blocks = clean(read.blocks)
        check_lines(blocks, limits)
    except Unreadable as exc:
        raise IngestError(path, str(exc), code=exc.code) from exc
    except RecursionError as exc:
        raise IngestError(path, "nested too deeply to read", code="too_large") from exc
    except MemoryError as exc:
        mb, setting = limits.memory_mb(path.suffix.lower())
        reason = f"needs more memory than the limit of {mb} MB (setting {setting!r})"
        raise IngestError(path, reason, code="too_large") from exc
    except Exception as exc:  # a format library choking on damage nobody classified yet
        raise IngestError(path, f"not a readable {path.suffix} file ({type(exc).__name__}: {exc})",
                          code="corrupt") from exc
    text = "\n".join(_texts(blocks))
    if not text.strip():
        raise IngestError(path, "no text found", code="no_text")
    if legacy := legacy_encoding(text):
        raise IngestError(path, legacy_reason(legacy), code="legacy_font")
    try:
        parsed = parse(blocks)
        meta = extract_meta(parsed, doc_id=doc_id_for(path), source=path.name,
                            content_hash=hashlib.sha256(data).hexdigest())
        clauses = build_clauses(meta, [*header_drafts(parsed), *parsed.drafts], read.pages)
    except Exception as exc:  # a parsing bug must cost one file, not the whole run
        reason = f"internal error while parsing: {type(exc).__name__}: {exc}"
        raise IngestError(path, reason, code="internal") from exc
    if not parsed.drafts:
        raise IngestError(path, "no body text found (only a header or signature block)", code="no_text")
    return Document(meta, clauses)


def build_clauses(meta: DocumentMeta, drafts: Iterable[Draft], pages: tuple[Page, ...] = ()) -> tuple[Clause, ...]:
    """Ids hash what a clause is (kind, section, label, text), so re-ingesting keeps them; a
    repeated clause gets "-2", "-3"… in document order. A clause read by OCR cites its page."""
    seen: Counter[str] = Counter()
    out = []
    drafts = list(drafts)
    for order, (draft, page) in enumerate(zip(drafts, locate_pages(drafts, pages))):
        fields = vars(draft)
        key = "|".join((draft.kind, SECTION_SEP.join(draft.section), draft.label or "", draft.text))
        clause_id = f"{meta.doc_id}:{hashlib.sha1(key.encode()).hexdigest()[:10]}"
        seen[clause_id] += 1
        if seen[clause_id] > 1:
            clause_id = f"{clause_id}-{seen[clause_id]}"
        ocr = page is not None and page.ocr
        out.append(Clause(id=clause_id, doc_id=meta.doc_id, order=order, source="ocr" if ocr else None,
                          citation=citation_for(meta, fields, page.number if ocr else None), **fields))
    return tuple(out)


_PROBE = 40  # characters of a clause's opening looked up in the page texts


def locate_pages(drafts: list[Draft], pages: tuple[Page, ...]) -> list[Page | None]:
    """The page each clause starts on: the first page, from the previous clause's on, whose text
    holds the clause's opening words (None for files without pages)."""
    if not pages:
        return [None] * len(drafts)
    out: list[Page | None] = []
    at = 0
    for draft in drafts:
        probe = " ".join(draft.text.split())[:_PROBE]
        at = next((i for i in range(at, len(pages)) if probe in pages[i].text), at)
        out.append(pages[at])
    return out


def _texts(blocks: Iterable[Block]) -> Iterable[str]:
    for block in blocks:
        if isinstance(block, Line):
            yield block.text
        else:
            yield from (cell for row in block.rows for cell in row)
