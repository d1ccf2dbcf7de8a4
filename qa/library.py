"""The documents officials manage: uploads saved beside the index, staged and rolled back on failure,
deleted and replaced, and what is recorded about each (who uploaded it, when).

Uploads live in <index_dir>/uploads under their own names; <index_dir>/uploads.json records who
uploaded each and when. Every outcome carries a stable `code`, so the app words it for officials.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from index.model import FileError
from ingest import SUPPORTED
from ingest.model import TABLE_ROW, DocumentMeta
from ingest.text import fold, nfc

if TYPE_CHECKING:
    import index
    from qa.engine import PolicyQA

log = logging.getLogger("policyqa.library")

UPLOADS = "uploads"
LEDGER = "uploads.json"
SAME_TEXT = 0.8  # share of the smaller document's clauses found word for word in the other

Status = Literal["added", "updated", "unchanged", "failed"]
# Why an upload failed, besides FileError's codes (ingest's and the index's own): not a plain file
# name; over max_upload_mb; the disk refused it; the engine raised; nothing indexed. ("unsupported",
# a type ingest does not read, is ingest's own code.)
UPLOAD_CODES = ("bad_name", "over_upload_limit", "save_failed", "index_failed", "no_content")


@dataclass(frozen=True)
class UploadResult:
    """What became of one uploaded file."""

    name: str
    status: Status
    code: str | None = None  # why it failed (see above); None when it did not
    detail: str = ""  # English, for logs and support
    doc_id: str | None = None
    clauses: int = 0
    same_number: tuple[str, ...] = ()  # sources of other indexed documents with this number
    same_text: tuple[str, ...] = ()  # sources of other indexed documents with (almost) this text

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass(frozen=True)
class DocumentRecord:
    """One indexed document as the document page shows it."""

    meta: DocumentMeta
    clauses: int
    tasks: int  # task-table rows
    path: Path | None  # the original file, when it is still there to download
    uploaded_at: str | None  # ISO 8601 UTC; None for documents indexed from a folder
    uploaded_by: str | None
    fingerprint: frozenset[str]  # its clause texts, folded: to spot the same text in another file


def records(idx: index.Index, settings) -> list[DocumentRecord]:
    """Every document of this generation with its counts, file and upload record."""
    ledger = _read_ledger(settings)
    by_doc: dict[str, list] = {}
    for clause in idx.clauses():
        by_doc.setdefault(clause.doc_id, []).append(clause)
    out = []
    for doc_id, meta in sorted(idx.documents.items()):
        clauses = by_doc.get(doc_id, [])
        path = idx.source(doc_id)
        entry = ledger.get(meta.source, {}) if _is_upload(settings, path) else {}
        out.append(DocumentRecord(
            meta=meta, clauses=len(clauses), tasks=sum(c.kind == TABLE_ROW for c in clauses),
            path=path if path.is_file() else None,
            uploaded_at=entry.get("at"), uploaded_by=entry.get("by"),
            fingerprint=frozenset(_key(c.text) for c in clauses if len(c.text) > 20),
        ))
    return out


def similar(record: DocumentRecord, others: list[DocumentRecord]) -> tuple[list[DocumentRecord], list[DocumentRecord]]:
    """Other documents with the same number (in the same place), and with (almost) the same text."""
    same_number, same_text = [], []
    for other in others:
        if other.meta.doc_id == record.meta.doc_id:
            continue
        a, b = record.meta, other.meta
        if a.number and a.number == b.number and (not a.locality or not b.locality or a.locality == b.locality):
            same_number.append(other)
        small = min(len(record.fingerprint), len(other.fingerprint))
        if small and len(record.fingerprint & other.fingerprint) >= SAME_TEXT * small:
            same_text.append(other)
    return same_number, same_text


def upload(engine: PolicyQA, files: list[Path], *, by: str | None = None,
           replaces: str | None = None, on_page=None) -> list[UploadResult]:
    """Save `files` into the uploads folder and index them; a file that fails is removed again (or
    its previous version put back), so the folder always matches the index. `replaces` names a
    document the (single) upload supersedes: it is deleted once the new one is indexed. `on_page`:
    see PolicyQA.add (OCR progress)."""
    settings = engine.settings
    folder = Path(settings.index_dir) / UPLOADS
    results: dict[str, UploadResult] = {}
    staged: list[_Staged] = []
    for src in map(Path, files):
        name = nfc(src.name)
        code, detail = _refusal(name, src, settings.max_upload_mb)
        if code:
            results[name] = UploadResult(name, "failed", code, detail)
            continue
        try:
            staged.append(_stage(src, folder / name))
        except OSError as exc:  # a full disk, say: this file is not saved, the others go on
            log.exception("saving upload %s failed", name)
            results[name] = UploadResult(name, "failed", "save_failed", exc.strerror or str(exc))
    if staged:
        results.update(_index_staged(engine, staged, by, on_page))
    ordered = [results[nfc(Path(f).name)] for f in files]
    if replaces and len(ordered) == 1 and ordered[0].ok and ordered[0].doc_id != replaces:
        delete(engine, replaces)
    return ordered


def delete(engine: PolicyQA, doc_id: str):
    """Take a document out of the index; an uploaded original is deleted too (a folder's is kept)."""
    path = engine.source(doc_id)
    changes = engine.remove(doc_id)
    if _is_upload(engine.settings, path):
        path.unlink(missing_ok=True)
        ledger = _read_ledger(engine.settings)
        if ledger.pop(path.name, None) is not None:
            _write_ledger(engine.settings, ledger)
    return changes


def _refusal(name: str, src: Path, max_mb: int) -> tuple[str | None, str]:
    """A name that is not a plain file name (a path, "..", a hidden file) is refused rather than
    cleaned up, so a file never lands anywhere the official did not name."""
    if not name.strip() or name.startswith(".") or any(c in name for c in "/\\") or any(ord(c) < 32 for c in name):
        return "bad_name", f"not a plain file name: {name!r}"
    if Path(name).suffix.lower() not in SUPPORTED:
        return "unsupported", f"unsupported file type; supported: {', '.join(SUPPORTED)}"
    if src.stat().st_size > max_mb * 1024 * 1024:
        return "over_upload_limit", f"larger than max_upload_mb ({max_mb} MB)"
    return None, ""


@dataclass(frozen=True)
class _Staged:
    """A saved upload and what it replaced, so a failed ingest can put the folder back."""

    name: str
    path: Path
    backup: Path | None


def _stage(src: Path, target: Path) -> _Staged:
    """Save `src` as `target`, backing up what it replaces. The copy is renamed into place only once
    complete, so a failed copy never leaves a half-written file for an index run to read."""
    target.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if target.exists():
        backup = _hidden_temp(target.parent, ".replaced-")
        shutil.copy2(target, backup)
    partial = _hidden_temp(target.parent, ".upload-")
    try:
        shutil.copyfile(src, partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        if backup:
            backup.unlink(missing_ok=True)
        raise
    return _Staged(target.name, target, backup)


def _hidden_temp(folder: Path, prefix: str) -> Path:
    """A new empty file in `folder`; hidden, so indexing the folder skips it."""
    fd, name = tempfile.mkstemp(prefix=prefix, dir=folder)
    os.close(fd)
    return Path(name)


def _unstage(staged: _Staged) -> None:
    if staged.backup:
        os.replace(staged.backup, staged.path)
    else:
        staged.path.unlink(missing_ok=True)


def _index_staged(engine: PolicyQA, staged: list[_Staged], by: str | None, on_page) -> dict[str, UploadResult]:
    try:
        changes = engine.add([s.path for s in staged], on_page=on_page)
        errors: dict[str, FileError] = {Path(e.path).name: e for e in changes.errors}
    except Exception as exc:  # an engine failure must not leave half-saved uploads behind
        log.exception("indexing uploads failed")
        for s in staged:
            _unstage(s)
        return {s.name: UploadResult(s.name, "failed", "index_failed", repr(exc)) for s in staged}
    library = engine.library()
    by_source = {r.meta.source: r for r in library}
    results, ledger = {}, _read_ledger(engine.settings)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for s in staged:
        record = by_source.get(s.name)
        if s.name in errors or record is None:
            _unstage(s)
            error = errors.get(s.name)
            results[s.name] = (UploadResult(s.name, "failed", error.code, error.reason) if error
                               else UploadResult(s.name, "failed", "no_content", "nothing indexed"))
            continue
        if s.backup:
            s.backup.unlink(missing_ok=True)
        doc_id = record.meta.doc_id
        status: Status = ("updated" if doc_id in changes.updated else
                          "unchanged" if doc_id in changes.unchanged else "added")
        if status != "unchanged" or s.name not in ledger:
            ledger[s.name] = {"at": now, "by": by}
        same_number, same_text = similar(record, library)
        results[s.name] = UploadResult(s.name, status, doc_id=doc_id, clauses=record.clauses,
                                       same_number=tuple(r.meta.source for r in same_number),
                                       same_text=tuple(r.meta.source for r in same_text))
    _write_ledger(engine.settings, ledger)
    return results


def _is_upload(settings, path: Path) -> bool:
    return path.parent.resolve() == (Path(settings.index_dir) / UPLOADS).resolve()


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def _read_ledger(settings) -> dict[str, dict]:
    path = Path(settings.index_dir) / LEDGER
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:  # the uploads still work; only who-uploaded-when is lost
        log.warning("cannot read %s: %r", path, exc)
        return {}


def _write_ledger(settings, ledger: dict[str, dict]) -> None:
    path = Path(settings.index_dir) / LEDGER
    fd, tmp = tempfile.mkstemp(prefix=".uploads-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(ledger, fh, ensure_ascii=False, indent=1)
    os.replace(tmp, path)
