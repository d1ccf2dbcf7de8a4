"""Web app for officials: cited answers, document filters, uploads, live index refresh (Gradio).

`python app.py` or `policyqa serve` opens the index (building it from the bundled corpus on first
start) and serves on 127.0.0.1 unless --host / GRADIO_SERVER_NAME says otherwise. API clients get
the same results as the Python API through the named endpoints /ask and /search.
"""

from __future__ import annotations

import argparse
import html
import logging
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # read when gradio is imported

import gradio as gr  # noqa: E402

from index.config import load_settings  # noqa: E402
from index.model import FileError, IndexChanges  # noqa: E402
from ingest import SUPPORTED  # noqa: E402
from ingest.citation import display_date  # noqa: E402
from ingest.model import SECTION_SEP, TABLE_ROW  # noqa: E402
from ingest.text import nfc  # noqa: E402

if TYPE_CHECKING:
    from index.model import Hit
    from ingest.model import DocumentMeta
    from qa import PolicyQA
    from qa.model import Answer

log = logging.getLogger("policyqa.app")

UPLOAD_TYPES = SUPPORTED  # whatever ingest reads (scans, images, .doc, spreadsheets included)
REFRESH_SECONDS = 10  # how often an open page checks for a newer index generation
MAX_K = 50  # upper bound on results per API call
# Requests of one kind (questions, searches) served at once; gradio's default of 1 would make every
# official wait for everyone else's question. The engine reads concurrently; it serializes writes.
CONCURRENT_REQUESTS = 4
ALL = ""  # filter value meaning "no constraint"

EXAMPLES = [
    "Cơ quan nào chủ trì việc dán nhãn sinh thái?",
    "Ở huyện Cao Lãnh, ai chủ trì xây dựng mô hình cụm công nghiệp sinh thái?",
    "Kế hoạch 45/KH-UBND của Hậu Giang căn cứ vào văn bản nào?",
    "Which agency leads eco-labelling?",
]

DOC_HEADERS = ["Tên văn bản", "Số hiệu", "Loại", "Địa phương", "Ngày ban hành", "Số điều khoản"]

SOURCES_PLACEHOLDER = (
    '<div class="pq-empty">Các điều khoản được trích dẫn trong câu trả lời sẽ hiện ở đây, '
    "đầy đủ nội dung và thông tin văn bản.</div>"
)

# Gradio's bundled Source Sans Pro semibold file has almost no glyphs: ask for regular and bold
# only, so headings do not fall back glyph by glyph to another font.
FONT = [gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui", "sans-serif"]

CSS = """
.pq-header h1 { margin-bottom: 0.2rem; }
.pq-header p { margin-top: 0; }
#pq-index-status { padding: 0; font-size: 0.9em; }
#pq-sources { max-height: 640px; overflow-y: auto; }
.pq-empty { color: var(--body-text-color-subdued); padding: 0.5rem 0; font-style: italic; }
.pq-note { padding: 0.6rem 0.8rem; margin-bottom: 0.8rem; border-radius: 6px;
           background: var(--background-fill-secondary); }
.pq-source { border: 1px solid var(--border-color-primary); border-radius: 8px;
             padding: 0.75rem 0.9rem; margin-bottom: 0.8rem; }
.pq-source-head { font-weight: 600; margin-bottom: 0.3rem; line-height: 1.35; }
.pq-num { margin-right: 0.4em; color: var(--color-accent); }
.pq-meta, .pq-section { font-size: 0.88em; color: var(--body-text-color); opacity: 0.75; margin-bottom: 0.2rem; }
.pq-text { margin: 0.4rem 0 0; line-height: 1.5; }
#pq-sources table.pq-row { width: 100%; border-collapse: collapse; margin-top: 0.5rem; font-size: 0.95em;
                           border: none; }
#pq-sources .pq-row th, #pq-sources .pq-row td { border: none; padding: 0.35rem 0.5rem; vertical-align: top;
                                                 line-height: 1.5; text-align: left; }
#pq-sources .pq-row th { width: 8.5em; font-weight: 600; background: var(--background-fill-secondary); }
#pq-sources .pq-row tr { border: none; }
#pq-sources .pq-row tr + tr { border-top: 1px solid var(--border-color-primary); }
#pq-sources mark { background: #fde68a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
#pq-examples button { justify-content: flex-start; text-align: left; font-weight: normal; font-size: var(--text-md); }
#pq-docs, #pq-docs * { font-family: var(--font); }
.pq-upload-msg { padding: 0.5rem 0.8rem; border-radius: 6px; margin: 0.4rem 0; }
.pq-ok { background: #ecfdf5; color: #064e3b; border-left: 4px solid #059669; }
.pq-fail { background: #fef2f2; color: #7f1d1d; border-left: 4px solid #dc2626; }
"""


# ---------------------------------------------------------------- rendering (pure, unit-tested)


def doc_label(meta: DocumentMeta) -> str:
    """Short name for a document in a dropdown: its number (or type and year) and place."""
    head = meta.number or " ".join(filter(None, [meta.doc_type or meta.source, str(meta.year or "")]))
    return " · ".join(filter(None, [head, meta.locality]))


def _esc(text: str | None) -> str:
    return html.escape(nfc(text or ""))


_MD_INLINE = re.compile(r"[\\`*_\[\]|~]|&(?=#?\w+;)|<(?=[A-Za-z/!?])")
_MD_LINE_START = re.compile(r"^([ \t]*)(\d+(?=[.)])|[#>+=]|-(?! ))", re.M)  # "- " bullets stay lists


def _md_escape(text: str) -> str:
    """Plain text made inert for the chat's Markdown and HTML, with as few backslashes as possible
    (the chat's copy button copies them): only characters that would start markup are escaped."""
    text = _MD_INLINE.sub(lambda m: "\\" + m.group(), nfc(text))
    return _MD_LINE_START.sub(lambda m: m.group(1) + m.group(2) + "\\" if m.group(2).isdigit()
                              else m.group(1) + "\\" + m.group(2), text)


def short_citation(hit: Hit) -> str:
    """One line per cited clause under a chat reply: the document, and the row or section."""
    where = f"dòng {hit.label}" if hit.kind == TABLE_ROW and hit.label else hit.section.split(SECTION_SEP)[-1]
    return SECTION_SEP.join(filter(None, [doc_label(hit.doc), where]))


def render_answer(answer: Answer) -> str:
    """The chat reply: the answer with bold [n] markers, then one short line per cited clause
    (the sources panel has them in full)."""
    parts = re.split(r"((?:\[\d+\])+)", answer.text)  # "[1][2]" is bolded as one run
    body = "".join(f"**{p}**" if i % 2 else _md_escape(p) for i, p in enumerate(parts))
    if not answer.citations:
        return body
    sources = "  \n".join(f"**[{i}]** {_md_escape(short_citation(h))}" for i, h in enumerate(answer.citations, 1))
    return f"{body}\n\n{sources}"


def render_sources(answer: Answer, mark: Callable[[str], str]) -> str:
    """The sources panel: every cited clause in full, document text escaped, query terms marked.

    `mark(text)` returns escaped HTML with <mark> around the terms of the question.
    """
    if not answer.citations:
        return '<div class="pq-empty">Không có điều khoản nào trong các văn bản đã lập chỉ mục trả lời câu hỏi này.</div>'
    note = (
        '<div class="pq-note">Chưa đủ căn cứ để trả lời; dưới đây là các điều khoản gần nhất.</div>'
        if answer.abstained
        else ""
    )
    return note + "".join(_render_hit(i, h, mark) for i, h in enumerate(answer.citations, 1))


def _render_hit(n: int, hit: Hit, mark: Callable[[str], str]) -> str:
    doc = hit.doc
    meta = " · ".join(
        f"{label}: {_esc(value)}"
        for label, value in (
            ("Số hiệu", doc.number),
            ("Loại", doc.doc_type),
            ("Địa phương", doc.locality),
            ("Ngày ban hành", display_date(doc.issued) or ""),
        )
        if value
    )
    section = f'<div class="pq-section">Mục: {_esc(hit.section)}</div>' if hit.section else ""
    if hit.kind == TABLE_ROW:
        rows = [
            (f"Nhiệm vụ (dòng {_esc(hit.label)})" if hit.label else "Nhiệm vụ", mark(hit.text)),
            ("Nhóm nhiệm vụ", _esc(hit.group) if hit.group else ""),
            ("Đơn vị chủ trì", mark(hit.lead) if hit.lead else ""),
            ("Đơn vị phối hợp", mark(hit.partners) if hit.partners else ""),
            ("Thời gian", _esc(hit.period) if hit.period else ""),
            ("Ghi chú", _esc(hit.note) if hit.note else ""),
        ]
        content = '<table class="pq-row">' + "".join(
            f"<tr><th>{th}</th><td>{td}</td></tr>" for th, td in rows if td
        ) + "</table>"
    else:
        label = f"{_esc(hit.label)} " if hit.label else ""
        content = f'<p class="pq-text">{label}{mark(hit.text)}</p>'
    return (
        f'<div class="pq-source" id="pq-source-{n}">'
        f'<div class="pq-source-head"><span class="pq-num">[{n}]</span>{_esc(doc.title or doc.source)}</div>'
        f'<div class="pq-meta">{meta}</div>{section}{content}</div>'
    )


def document_rows(documents: list[tuple[DocumentMeta, int]]) -> list[list]:
    return [
        [meta.title or meta.source, meta.number or "", meta.doc_type or "", meta.locality or "",
         display_date(meta.issued) or "", count]
        for meta, count in documents
    ]


def filter_choices(documents: list[tuple[DocumentMeta, int]]) -> dict[str, list[tuple[str, str]]]:
    """Dropdown choices per filter, each led by "all"; values are what PolicyQA's filters take."""
    metas = [meta for meta, _ in documents]
    docs = sorted(((doc_label(m), m.doc_id) for m in metas), key=lambda c: c[0])
    localities = sorted({m.locality for m in metas if m.locality})
    types = sorted({m.doc_type for m in metas if m.doc_type})
    years = sorted({m.year for m in metas if m.year}, reverse=True)
    return {
        "doc": [("Tất cả văn bản", ALL), *docs],
        "locality": [("Tất cả địa phương", ALL), *((x, x) for x in localities)],
        "doc_type": [("Tất cả loại", ALL), *((x, x) for x in types)],
        "year": [("Tất cả các năm", ALL), *((str(y), str(y)) for y in years)],
    }


# ---------------------------------------------------------------- uploads


class UploadRejected(Exception):
    """An upload refused before ingest; the message is shown to the official as is."""


def upload_target(uploads_dir: Path, name: str) -> Path:
    """Where an upload called `name` is saved: directly in `uploads_dir`, under its own name.

    A name that is not a plain file name (a path, "..", a hidden file) is refused rather than
    cleaned up, so a file never lands anywhere the official did not name.
    """
    name = nfc(name)
    if (
        not name.strip()
        or name.startswith(".")
        or any(c in name for c in "/\\\x00")
        or any(ord(c) < 32 for c in name)
    ):
        raise UploadRejected(f"Tên tệp «{name}» không hợp lệ.")
    if Path(name).suffix.lower() not in UPLOAD_TYPES:
        raise UploadRejected(
            f"Tệp «{name}» không được hỗ trợ: chỉ nhận tệp {', '.join(UPLOAD_TYPES)}."
        )
    root = uploads_dir.resolve()
    target = (root / name).resolve()
    if target.parent != root:
        raise UploadRejected(f"Tên tệp «{name}» không hợp lệ.")
    return target


@dataclass
class _Staged:
    """A saved upload and what it replaced, so a failed ingest can put the folder back."""

    name: str
    path: Path
    backup: Path | None


def _stage(src: Path, target: Path, max_bytes: int) -> _Staged:
    """Save `src` as `target`, backing up what it replaces. The copy is renamed into place only once
    complete, so a failed copy (a full disk) never leaves a half-written file for an index run to read."""
    if src.stat().st_size > max_bytes:
        raise UploadRejected(
            f"Tệp «{target.name}» vượt quá giới hạn {max_bytes // (1024 * 1024)} MB."
        )
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


def _error_for(staged: _Staged, errors: tuple[FileError, ...]) -> FileError | None:
    return next((e for e in errors if Path(e.path) == staged.path), None)


def _upload_message(ok: bool, text: str) -> str:
    return f'<div class="pq-upload-msg {"pq-ok" if ok else "pq-fail"}">{text}</div>'


def ingest_uploads(engine: PolicyQA, files: list[str], progress=None) -> str:
    """Save uploads into <index_dir>/uploads, index them, and say per file what happened (HTML).

    A file that fails is removed again (or its previous version restored), so the folder
    matches the index.
    """
    settings = engine.settings
    uploads = Path(settings.index_dir) / "uploads"
    max_bytes = settings.max_upload_mb * 1024 * 1024
    messages, staged = [], []
    for f in files:
        src = Path(f)
        try:
            staged.append(_stage(src, upload_target(uploads, src.name), max_bytes))
        except UploadRejected as exc:
            messages.append(_upload_message(False, _esc(str(exc)) + " Chỉ mục không thay đổi."))
        except OSError as exc:  # a full disk, say: this file is not saved, the others go on
            log.exception("saving upload %s failed", src.name)
            messages.append(_upload_message(False, (
                f"Không lưu được tệp <b>{_esc(src.name)}</b> ({_esc(exc.strerror or str(exc))}). "
                "Chỉ mục không thay đổi.")))
        finally:
            src.unlink(missing_ok=True)  # gradio's temporary copy would otherwise stay downloadable
    if not staged:
        return "".join(messages)
    if progress is not None:
        progress(0.05, desc="Đang đọc và lập chỉ mục văn bản…")
    try:
        changes = engine.add([s.path for s in staged], progress=True)
        failures = {s.name: vietnamese_reason(r) for s in staged if (r := _error_for(s, changes.errors))}
    except Exception as exc:  # an engine failure must not leave half-saved uploads behind
        log.exception("indexing uploads failed")
        changes = IndexChanges()
        failures = {s.name: f"hệ thống chưa lập chỉ mục được lúc này ({exc}); vui lòng thử lại sau"
                    for s in staged}
    counts = {meta.source: (meta.doc_id, n) for meta, n in engine.documents()}
    for s in staged:
        if s.name in failures or s.name not in counts:
            _unstage(s)
            reason = failures.get(s.name, "không tìm thấy nội dung văn bản")
            messages.append(_upload_message(False, (
                f"Không thêm được tệp <b>{_esc(s.name)}</b>: {_esc(reason)}. Chỉ mục không thay đổi."
            )))
            continue
        if s.backup:
            s.backup.unlink(missing_ok=True)
        doc_id, n = counts[s.name]
        verb = "Đã cập nhật" if doc_id in changes.updated else (
            "Văn bản đã có sẵn, không thay đổi:" if doc_id in changes.unchanged else "Đã thêm")
        messages.append(_upload_message(True, (
            f"{verb} <b>{_esc(s.name)}</b> ({n} điều khoản). Có thể đặt câu hỏi về văn bản này ngay."
        )))
    return "".join(messages)


# Why a file was skipped (FileError.code: ingest's codes and the index's own) -> what an official
# reads. The English reason follows in brackets for whoever supports the officials.
_REASONS_VI = {
    "empty": "tệp rỗng",
    "binary": "tệp nhị phân, không phải văn bản",
    "unsupported": "định dạng tệp không được hỗ trợ",
    "corrupt": "tệp bị hỏng, có mật khẩu bảo vệ, hoặc không phải tệp Word (.docx) hay PDF hợp lệ",
    "encoding": "không nhận ra bảng mã của tệp văn bản; hãy lưu lại dưới dạng UTF-8",
    "legacy_font": "văn bản dùng font cũ (TCVN3/VNI); hãy chuyển sang Unicode (ví dụ bằng UniKey) rồi tải lại",
    "no_text": "không tìm thấy nội dung văn bản",
    "ocr_unavailable": "tệp là bản scan hoặc ảnh nhưng máy chủ chưa cài phần mềm nhận dạng chữ (Tesseract); "
                       "vui lòng báo cho quản trị viên",
    "ocr_empty": "không nhận dạng được chữ nào trên bản scan; hãy scan lại rõ hơn (300 dpi)",
    "ocr_limit": "bản scan quá dài hoặc nhận dạng quá lâu so với giới hạn cho phép; hãy chia nhỏ tệp "
                 "hoặc thử lại (các trang đã nhận dạng được giữ lại)",
    "unsupported_legacy": "không chuyển đổi được tệp Word/Excel đời cũ (.doc/.xls); hãy lưu lại dưới dạng "
                          ".docx/.xlsx rồi tải lên",
    "unreadable": "hệ thống không đọc được tệp",
    "internal": "hệ thống gặp lỗi khi phân tích văn bản; vui lòng báo cho quản trị viên",
    "missing": "không tìm thấy tệp",
    "duplicate_id": "đã có một văn bản khác cùng tên trong chỉ mục; hãy đổi tên tệp rồi tải lại",
    "not_indexed": "văn bản không có trong chỉ mục",
}


def vietnamese_reason(error: FileError) -> str:
    said = _REASONS_VI.get(error.code, "không đọc được nội dung tệp")  # a code added since
    return f"{said} ({error.reason})"


# ---------------------------------------------------------------- the page


def build_app(engine: PolicyQA) -> gr.Blocks:
    """The Blocks app over one engine; every session shares the engine, not its chat."""
    settings = engine.settings
    max_chars = settings.max_question_chars

    def too_long(question: str) -> str | None:
        if len(question) > max_chars:
            return (f"Câu hỏi dài {len(question)} ký tự, vượt quá giới hạn {max_chars} ký tự. "
                    "Vui lòng rút gọn câu hỏi.")
        return None

    def refresh() -> None:
        """Serve a newer index generation if one was published; if it cannot be opened (say, a
        writer is half-way), keep answering from the current one rather than failing the query."""
        try:
            engine.refresh()
        except Exception as exc:
            log.warning("still serving generation %s: the published one cannot be opened: %r",
                        engine.generation, exc)

    def scope(doc, locality, doc_type, year) -> dict:
        return {"doc": doc or None, "locality": locality or None, "doc_type": doc_type or None,
                "year": int(year) if year else None}

    def index_status() -> str:
        docs = engine.documents()
        return f"Đang tra cứu trên {len(docs)} văn bản, {sum(n for _, n in docs)} điều khoản."

    def page_state(doc, locality, doc_type, year):
        """Everything that depends on the index: document table, filter choices, status."""
        documents = engine.documents()
        choices = filter_choices(documents)
        current = {"doc": doc, "locality": locality, "doc_type": doc_type, "year": year}
        dropdowns = [
            gr.update(choices=choices[name],
                      value=current[name] if current[name] in {v for _, v in choices[name]} else ALL)
            for name in ("doc", "locality", "doc_type", "year")
        ]
        return (document_rows(documents), *dropdowns, index_status(), engine.generation)

    def respond(question, history, sources, doc, locality, doc_type, year):
        question = nfc(question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = [*history, {"role": "user", "content": _md_escape(question)}]
        if message := too_long(question):
            history.append({"role": "assistant", "content": _md_escape(message)})
            yield gr.skip(), history, gr.skip(), sources  # the question stays in the box to shorten
            return
        history.append({"role": "assistant", "content": "*Đang tìm trong các văn bản…*"})
        yield "", history, gr.skip(), sources  # the box is cleared once, so what is typed next stays
        try:
            refresh()
            answer = engine.ask(question, **scope(doc, locality, doc_type, year))
            panel = render_sources(answer, highlighter(engine, question))
        except Exception:
            log.exception("answering %r failed", question)
            history[-1] = {"role": "assistant", "content": (
                "Xin lỗi, hệ thống gặp lỗi khi trả lời câu hỏi này. Vui lòng thử lại; "
                "nếu lỗi lặp lại, hãy báo cho quản trị viên.")}
            yield gr.skip(), history, gr.skip(), sources
            return
        history[-1] = {"role": "assistant", "content": render_answer(answer)}
        yield gr.skip(), history, panel, {**sources, len(history) - 1: panel}

    def show_sources(sources, evt: gr.SelectData):
        return sources.get(evt.index, gr.skip())

    def upload(files, doc, locality, doc_type, year, progress=gr.Progress(track_tqdm=True)):
        message = ingest_uploads(engine, files or [], progress)
        return message, *page_state(doc, locality, doc_type, year)

    def poll(generation, doc, locality, doc_type, year):
        """Timer tick: pick up a newer index on disk; redraw only when the generation moved."""
        refresh()
        if engine.generation == generation:
            return (gr.skip(),) * 7
        return page_state(doc, locality, doc_type, year)

    with gr.Blocks(title="Tra cứu văn bản chính sách – SX&TD bền vững", analytics_enabled=False) as demo:
        generation = gr.State("")
        sources_by_message = gr.State({})
        with gr.Column(elem_classes="pq-header"):
            gr.Markdown(
                "# Tra cứu văn bản thực hiện Chương trình sản xuất và tiêu dùng bền vững\n"
                "Kế hoạch, báo cáo của các địa phương triển khai Quyết định 889/QĐ-TTg. "
                "Mỗi câu trả lời đều dẫn nguồn tới điều khoản cụ thể."
            )
            status = gr.HTML(elem_id="pq-index-status", js_on_load=None)
        with gr.Tab("Hỏi đáp", id="ask"):
            with gr.Row():
                doc_filter = gr.Dropdown(label="Văn bản", choices=[("Tất cả văn bản", ALL)], value=ALL,
                                         elem_id="pq-filter-doc", scale=2)
                locality_filter = gr.Dropdown(label="Địa phương", choices=[("Tất cả địa phương", ALL)],
                                              value=ALL, elem_id="pq-filter-locality")
                type_filter = gr.Dropdown(label="Loại văn bản", choices=[("Tất cả loại", ALL)], value=ALL,
                                          elem_id="pq-filter-type")
                year_filter = gr.Dropdown(label="Năm", choices=[("Tất cả các năm", ALL)], value=ALL,
                                          elem_id="pq-filter-year")
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chat = gr.Chatbot(
                        show_label=False, elem_id="pq-chat", height=520, layout="bubble",
                        buttons=["copy"], feedback_options=None, latex_delimiters=[], allow_tags=False,
                        placeholder="Đặt câu hỏi về nội dung các văn bản: cơ quan chủ trì, đơn vị phối hợp, "
                                    "thời hạn, chỉ tiêu, căn cứ ban hành…",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            show_label=False, elem_id="pq-question", scale=5, lines=1, max_lines=4,
                            autofocus=True,
                            placeholder="Nhập câu hỏi, ví dụ: Cơ quan nào chủ trì việc dán nhãn sinh thái?",
                        )
                        ask_button = gr.Button("Hỏi", variant="primary", elem_id="pq-ask", scale=1,
                                               min_width=90)
                    with gr.Column(elem_id="pq-examples"):
                        gr.Markdown("**Câu hỏi mẫu** (bấm để hỏi):")
                        example_buttons = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLES]
                with gr.Column(scale=2):
                    gr.Markdown("### Nguồn trích dẫn\nBấm vào một câu trả lời cũ để xem lại nguồn của nó.")
                    sources_panel = gr.HTML(SOURCES_PLACEHOLDER, elem_id="pq-sources", js_on_load=None)
        with gr.Tab("Văn bản", id="docs"):
            gr.Markdown(
                f"Danh sách văn bản đang được tra cứu. Tải lên văn bản mới ({', '.join(UPLOAD_TYPES)}, "
                f"tối đa {settings.max_upload_mb} MB): văn bản được lập chỉ mục và có thể hỏi đáp ngay."
            )
            with gr.Row(elem_id="pq-upload-row"):
                upload_button = gr.UploadButton(
                    "Tải văn bản lên", file_types=list(UPLOAD_TYPES), file_count="multiple",
                    variant="primary", elem_id="pq-upload", size="md", scale=0, min_width=200,
                )
            upload_status = gr.HTML(elem_id="pq-upload-status", js_on_load=None, min_height=40)
            documents = gr.Dataframe(
                headers=DOC_HEADERS, datatype=["str", "str", "str", "str", "str", "number"],
                interactive=False, wrap=True, elem_id="pq-docs", label="Văn bản đã lập chỉ mục",
                column_widths=["44%", "13%", "10%", "15%", "10%", "8%"], max_height=600,
            )
        filters = [doc_filter, locality_filter, type_filter, year_filter]
        index_outputs = [documents, *filters, status, generation]
        chat_io = dict(inputs=[chat, sources_by_message, *filters],
                       outputs=[question, chat, sources_panel, sources_by_message])

        demo.load(page_state, inputs=filters, outputs=index_outputs, api_visibility="private")
        gr.on([question.submit, ask_button.click], respond, inputs=[question, *chat_io["inputs"]],
              outputs=chat_io["outputs"], api_visibility="private", show_progress="hidden")
        for button, example in zip(example_buttons, EXAMPLES):
            button.click(partial(respond, example), inputs=chat_io["inputs"], outputs=chat_io["outputs"],
                         api_visibility="private", show_progress="hidden")
        chat.select(show_sources, inputs=sources_by_message, outputs=sources_panel, api_visibility="private")
        chat.clear(lambda: (SOURCES_PLACEHOLDER, {}), outputs=[sources_panel, sources_by_message],
                   api_visibility="private")
        # One upload at a time: saving, and rolling back a failed file, share the uploads folder.
        upload_button.upload(upload, inputs=[upload_button, *filters], outputs=[upload_status, *index_outputs],
                             api_visibility="private", show_progress="full", show_progress_on=upload_status,
                             concurrency_limit=1)
        gr.Timer(REFRESH_SECONDS).tick(poll, inputs=[generation, *filters], outputs=index_outputs,
                                       api_visibility="private", show_progress="hidden")

        def check(text: str) -> str:
            text = nfc(text or "").strip()
            if not text:
                raise gr.Error("Câu hỏi trống.")
            if message := too_long(text):
                raise gr.Error(message)
            return text

        @gr.api(api_name="ask")
        def ask(question: str, k: int = 8, doc: str | None = None, locality: str | None = None,
                doc_type: str | None = None, year: int | None = None) -> dict:
            """Answer a question with numbered citations: PolicyQA.ask(...).to_dict()."""
            question = check(question)
            refresh()
            return engine.ask(question, max(1, min(k, MAX_K)), **scope(doc, locality, doc_type, year)).to_dict()

        @gr.api(api_name="search")
        def search(query: str, k: int = 10, doc: str | None = None, locality: str | None = None,
                   doc_type: str | None = None, year: int | None = None) -> list[dict]:
            """Hybrid search over clauses: [hit.to_dict() for hit in PolicyQA.search(...)]."""
            query = check(query)
            refresh()
            hits = engine.search(query, max(1, min(k, MAX_K)), **scope(doc, locality, doc_type, year))
            return [h.to_dict() for h in hits]

    return demo


def highlighter(engine: PolicyQA, question: str) -> Callable[[str], str]:
    """Escaped HTML of a passage with the question's terms in <mark>, as qa understood them
    (expansions and English-to-Vietnamese translations included)."""
    from qa.answer import highlight

    query = engine.analyze(nfc(question))
    return lambda text: highlight(text, query, html=True)


# ---------------------------------------------------------------- start-up


def launch_app(
    engine: PolicyQA | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    index_dir: str | Path | None = None,
    model: str | None = None,
    block: bool = True,
) -> gr.Blocks:
    """Open the engine (unless given) and serve the app; returns once the server is up when
    `block` is false (tests), else when it stops.

    The login is settings.user / settings.password (POLICYQA_USER / POLICYQA_PASSWORD), which
    Settings accepts only both or neither; settings are read before the index is opened, so a
    bad login setting fails at once rather than after a first start's build."""
    settings = engine.settings if engine is not None else load_settings(index_dir=index_dir, model=model)
    auth = (settings.user, settings.password) if settings.user else None
    if engine is None:
        from qa import PolicyQA

        print("Opening the index (the first start builds it from the bundled corpus; "
              "this can take a few minutes)…", flush=True)
        engine = PolicyQA.open(settings=settings, progress=True)
    engine.search("dán nhãn sinh thái", k=1)  # loads the embedding model now, not on an official's first question
    demo = build_app(engine)
    demo.queue(default_concurrency_limit=CONCURRENT_REQUESTS)
    demo.launch(
        server_name=host or os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1",
        server_port=port or int(os.environ.get("GRADIO_SERVER_PORT") or 7860),
        auth=auth,
        auth_message="Đăng nhập để tra cứu văn bản chính sách." if auth else None,
        max_file_size=f"{engine.settings.max_upload_mb}mb",
        prevent_thread_lock=not block,
        footer_links=[],
        run_history=False,
        enable_monitoring=False,
        mcp_server=False,
        ssr_mode=False,
        show_error=False,
        css=CSS,
        theme=gr.themes.Default(font=FONT),
    )
    return demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="policyqa serve", description="Start the policyqa web app.")
    parser.add_argument("--host", help="address to bind (default: GRADIO_SERVER_NAME or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: GRADIO_SERVER_PORT or 7860)")
    parser.add_argument("--index-dir", help="index directory (default: settings / POLICYQA_INDEX_DIR)")
    parser.add_argument("--model", help="embedding model (default: settings)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        launch_app(host=args.host, port=args.port, index_dir=args.index_dir, model=args.model)
    except (ValueError, OSError) as exc:  # bad settings or login variables, port in use
        print(f"policyqa: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
