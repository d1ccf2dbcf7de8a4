"""Web app for officials: cited answers, document management, uploads, feedback (Gradio).

`python app.py` or `policyqa serve` opens the index (building it from the bundled corpus on first
start) and serves on settings.host:settings.port (127.0.0.1:7860 unless configured). API clients get
the same results as the Python API through the named endpoints /ask and /search.

The page is built from small components (chat, sources, documents, upload); what they show is
rendered by ui.render, and ui.assets holds the style and the one script.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
import weakref
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # read when gradio is imported

import gradio as gr  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from access import ThrottledLogin, UploadsNotServed  # noqa: E402
from settings import app_settings, load_settings  # noqa: E402
from index.errors import IndexProblem  # noqa: E402
from ingest import SUPPORTED as UPLOAD_TYPES  # noqa: E402  (ingest's one list of file types)
from ingest.text import nfc  # noqa: E402
from qa import feedback  # noqa: E402
from qa.library import similar  # noqa: E402
from ui.assets import CSS, HEAD, JS  # noqa: E402
from ui.render import (  # noqa: E402
    ALL, SOURCES_PLACEHOLDER, Turn, chat_messages, conversation_markdown, doc_label, esc, filter_choices, md_escape,
    render_answer, render_assignments, render_document, render_documents, render_refusal, render_sources,
    render_upload,
)
from ui.render import assignments_csv as render_assignments_csv  # noqa: E402

if TYPE_CHECKING:
    from qa import PolicyQA

log = logging.getLogger("policyqa.app")
UPLOAD_SWEEP_SECONDS = 600  # files left in gradio's upload folder are deleted after this long

EXAMPLES = [
    "Cơ quan nào chủ trì việc dán nhãn sinh thái?",
    "Ở huyện Cao Lãnh, ai chủ trì xây dựng mô hình cụm công nghiệp sinh thái?",
    "Kế hoạch 45/KH-UBND của Hậu Giang căn cứ vào văn bản nào?",
    "Which agency leads eco-labelling?",
]
FAILED = ("Xin lỗi, hệ thống gặp lỗi khi trả lời câu hỏi này. Vui lòng thử lại; "
          "nếu lỗi lặp lại, hãy báo cho quản trị viên.")

# Gradio's bundled Source Sans Pro semibold file has almost no glyphs: ask for regular and bold
# only, so headings do not fall back glyph by glyph to another font.
FONT = [gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui", "sans-serif"]


@dataclass
class Filters:
    """The four filter dropdowns, shared by the chat and the index refresh."""

    doc: gr.Dropdown
    locality: gr.Dropdown
    doc_type: gr.Dropdown
    year: gr.Dropdown

    @property
    def all(self) -> list[gr.Dropdown]:
        return [self.doc, self.locality, self.doc_type, self.year]


def scope(doc, locality, doc_type, year) -> dict:
    return {"doc": doc or None, "locality": locality or None, "doc_type": doc_type or None,
            "year": int(year) if str(year or "").isdigit() else None}


def index_dropdown(label: str, choices: list, value, elem_id: str, **kwargs) -> gr.Dropdown:
    """A dropdown whose choices come from the index. A value can outlive its choice (a document
    deleted while a page shows it, until the page's next refresh), so gradio must not refuse it."""
    return gr.Dropdown(label=label, choices=choices, value=value, elem_id=elem_id, allow_custom_value=True, **kwargs)


def refresh(engine: PolicyQA) -> None:
    """Serve a newer index generation if one was published; if it cannot be opened (say, a writer
    is half-way), keep answering from the current one rather than failing the query."""
    try:
        engine.refresh()
    except Exception as exc:
        log.warning("still serving generation %s: the published one cannot be opened: %r", engine.generation, exc)


def too_long(engine: PolicyQA, question: str) -> str | None:
    limit = engine.settings.max_question_chars
    if len(question) > limit:
        return f"Câu hỏi dài {len(question)} ký tự, vượt quá giới hạn {limit} ký tự. Vui lòng rút gọn câu hỏi."
    return None


def highlighter(engine: PolicyQA, question: str) -> Callable[[str], str]:
    """Escaped HTML of a passage with the question's terms in <mark>, as qa understood them
    (expansions and English-to-Vietnamese translations included)."""
    from qa.answer import highlight

    query = engine.analyze(nfc(question))
    return lambda text: highlight(text, query, html=True)


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) or None


# ---------------------------------------------------------------- chat and sources


def answer_turn(engine: PolicyQA, question: str, turns: list[Turn], filters: dict) -> Turn:
    """Ask the engine, with the session's earlier answers for follow-ups ("Còn đơn vị phối hợp?"); the
    turn's number (its place in the session) ties reply, links and panel together."""
    n = len(turns)
    try:
        refresh(engine)
        answer = engine.ask(question, history=[t.answer for t in turns if t.answer is not None], **filters)
        return Turn(question, render_answer(answer, n), answer, render_sources(answer, n, highlighter(engine, question)))
    except Exception:
        log.exception("answering %r failed", question)
        return Turn(question, md_escape(FAILED), None, render_refusal(question, n, FAILED))


class Downloads:
    """One temporary folder per app for the files an official downloads (the conversation, a
    document's original, the assignment table). Each file goes in a fresh subfolder, so it keeps the
    name the official sees; subfolders older than KEEP_SECONDS are removed on the next write (gradio
    serves its own cached copy), and the folder goes when the app is collected or the process exits,
    so a server that offers a download after every answer does not fill its temporary directory."""

    KEEP_SECONDS = 3600

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pq-downloads-"))
        weakref.finalize(self, shutil.rmtree, self.folder, True)

    def path(self, name: str, now: float | None = None) -> Path:
        """Where to write a download called `name`; expires the old ones first."""
        now = time.time() if now is None else now
        for old in self.folder.iterdir():
            if old.is_dir() and now - old.stat().st_mtime > self.KEEP_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        return Path(tempfile.mkdtemp(dir=self.folder)) / name


def chat_component(engine: PolicyQA, filters: Filters, downloads: Downloads) -> None:
    """The question box, the chat and, beside it, the sources panel of the marked answer; examples,
    feedback and the conversation export below."""
    turns = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            chat = gr.Chatbot(
                show_label=False, elem_id="pq-chat", height=520, layout="bubble", autoscroll=False,
                buttons=["copy"], feedback_options=("Like", "Dislike"), latex_delimiters=[], allow_tags=False,
                placeholder="Đặt câu hỏi về nội dung các văn bản: cơ quan chủ trì, đơn vị phối hợp, "
                            "thời hạn, chỉ tiêu, căn cứ ban hành…",
            )
            with gr.Row():
                question = gr.Textbox(
                    show_label=False, elem_id="pq-question", scale=5, lines=1, max_lines=4, autofocus=True,
                    placeholder="Nhập câu hỏi, ví dụ: Cơ quan nào chủ trì việc dán nhãn sinh thái?",
                )
                ask_button = gr.Button("Hỏi", variant="primary", elem_id="pq-ask", scale=1, min_width=90)
        with gr.Column(scale=2, min_width=320):
            gr.Markdown("### Nguồn trích dẫn\nBấm vào một câu trả lời cũ để xem lại nguồn của nó; "
                        "bấm [1], [2]… để tới điều khoản đó.")
            sources = gr.HTML(SOURCES_PLACEHOLDER, elem_id="pq-sources", js_on_load=None)
    feedback_component(engine, chat, turns)
    with gr.Row():
        with gr.Column(elem_id="pq-examples", scale=3):
            gr.Markdown("**Câu hỏi mẫu** (bấm để hỏi):")
            example_buttons = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLES]
        with gr.Column(scale=2):
            export = gr.DownloadButton("Tải cuộc hội thoại (Markdown)", elem_id="pq-export", interactive=False,
                                       variant="secondary", size="sm")

    def respond(text, turns, doc, locality, doc_type, year):
        text = nfc(text or "").strip()
        if not text:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        if message := too_long(engine, text):  # the question stays in the box to shorten
            turn = Turn(text, md_escape(message), None, render_refusal(text, len(turns), message))
            yield gr.skip(), chat_messages([*turns, turn]), turn.panel, [*turns, turn]
            return
        yield "", chat_messages(turns, pending=text), gr.skip(), turns  # cleared once: what is typed next stays
        turn = answer_turn(engine, text, turns, scope(doc, locality, doc_type, year))
        yield gr.skip(), chat_messages([*turns, turn]), turn.panel, [*turns, turn]

    def export_file(turns):
        if not turns:
            return gr.update(value=None, interactive=False)
        path = downloads.path(f"hoi-dap-{datetime.now():%Y%m%d-%H%M}.md")
        path.write_text(conversation_markdown(turns, engine.generation), encoding="utf-8")
        return gr.update(value=str(path), interactive=True)

    def show_sources(turns, evt: gr.SelectData):
        turn = evt.index // 2 if isinstance(evt.index, int) else None
        return turns[turn].panel if turn is not None and turn < len(turns) else gr.skip()

    io = dict(inputs=[turns, *filters.all], outputs=[question, chat, sources, turns],
              api_visibility="private", show_progress="hidden")
    events = [gr.on([question.submit, ask_button.click], respond, **{**io, "inputs": [question, *io["inputs"]]})]
    events += [button.click(partial(respond, example), **io) for button, example in zip(example_buttons, EXAMPLES)]
    for event in events:
        event.then(export_file, turns, export, api_visibility="private", show_progress="hidden")
    chat.select(show_sources, inputs=turns, outputs=sources, api_visibility="private")
    chat.clear(lambda: (SOURCES_PLACEHOLDER, [], gr.update(value=None, interactive=False)),
               outputs=[sources, turns, export], api_visibility="private")


def feedback_component(engine: PolicyQA, chat: gr.Chatbot, turns: gr.State) -> None:
    """👍/👎 on a reply saves it at once (qa.feedback); an optional comment can follow."""
    rating = gr.State(None)  # id of the last saved rating, for its comment
    status = gr.HTML(elem_id="pq-feedback-status", js_on_load=None)
    with gr.Group(visible=False, elem_id="pq-feedback") as box:
        comment = gr.Textbox(label="Góp ý thêm cho câu trả lời vừa đánh giá (không bắt buộc)", lines=2,
                             elem_id="pq-feedback-comment",
                             placeholder="Ví dụ: thiếu đơn vị phối hợp; trích sai văn bản; nên hiểu «…» là «…»")
        send = gr.Button("Gửi góp ý", size="sm", elem_id="pq-feedback-send")

    def rate(turns, evt: gr.LikeData, request: gr.Request):
        turn = evt.index // 2 if isinstance(evt.index, int) else -1
        if not 0 <= turn < len(turns) or turns[turn].answer is None or evt.liked not in (True, False):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        saved = feedback.record(engine.settings.index_dir, turns[turn].answer, liked=evt.liked,
                                generation=engine.generation, user=_user(request))
        thanks = "Cảm ơn, đánh giá đã được ghi lại." + ("" if evt.liked else " Hãy cho biết câu trả lời sai ở đâu:")
        return saved, gr.update(visible=True), "", f'<div class="pq-upload-msg pq-ok">{thanks}</div>'

    def add_comment(saved, text):
        if saved is None or not nfc(text or "").strip():
            return gr.skip(), gr.skip()
        feedback.comment(engine.settings.index_dir, saved, nfc(text))
        return gr.update(visible=False), '<div class="pq-upload-msg pq-ok">Cảm ơn, góp ý đã được gửi tới quản trị viên.</div>'

    chat.like(rate, inputs=turns, outputs=[rating, box, comment, status], api_visibility="private")
    gr.on([send.click, comment.submit], add_comment, inputs=[rating, comment], outputs=[box, status],
          api_visibility="private")


# ---------------------------------------------------------------- documents and uploads


def upload_component(engine: PolicyQA) -> tuple[gr.UploadButton, gr.HTML]:
    settings = engine.settings
    gr.Markdown(f"Tải lên văn bản mới ({', '.join(UPLOAD_TYPES)}, tối đa {settings.max_upload_mb} MB): "
                "văn bản được lập chỉ mục và có thể hỏi đáp ngay.")
    with gr.Row(elem_id="pq-upload-row"):
        button = gr.UploadButton("Tải văn bản lên", file_types=list(UPLOAD_TYPES), file_count="multiple",
                                 variant="primary", elem_id="pq-upload", size="md", scale=0, min_width=200)
    status = gr.HTML(elem_id="pq-upload-status", js_on_load=None, min_height=40)
    return button, status


def run_upload(engine: PolicyQA, files: list[str], progress, *, by: str | None, replaces: str | None = None) -> str:
    """Stage and index through the engine; gradio's temporary copies are removed (they would stay
    downloadable). Progress is in Vietnamese and by step: the engine's own bars stay in the log."""
    progress(0.1, desc="Đang lưu và kiểm tra tệp…")
    try:
        progress(0.3, desc="Đang đọc văn bản và lập chỉ mục (có thể mất một phút)…")
        results = engine.upload([Path(f) for f in files], by=by, replaces=replaces,
                                on_page=lambda file, done, total: progress(
                                    0.3 + 0.6 * done / max(total, 1),
                                    desc=f"Đang nhận dạng chữ (OCR) tệp {Path(file).name}: trang {done}/{total}…"))
    finally:
        for f in files:
            Path(f).unlink(missing_ok=True)
    progress(1.0, desc="Đang cập nhật danh sách văn bản…")
    return render_upload(results, engine.settings.max_upload_mb, UPLOAD_TYPES)


def documents_component(engine: PolicyQA, downloads: Downloads):
    """The list of indexed documents, and one document in full with download, delete and replace
    (each change asks for a confirmation first)."""
    listing = gr.HTML(elem_id="pq-docs", js_on_load=None, padding=False)
    gr.Markdown("### Quản lý văn bản")
    chosen = index_dropdown("Chọn văn bản", [], None, "pq-manage-doc")
    detail = gr.HTML(elem_id="pq-doc-detail", js_on_load=None)
    with gr.Row():
        download = gr.DownloadButton("Tải bản gốc", interactive=False, elem_id="pq-download", size="sm")
        delete = gr.Button("Xóa văn bản", variant="stop", interactive=False, elem_id="pq-delete", size="sm")
        replace = gr.UploadButton("Thay bằng tệp mới", file_types=list(UPLOAD_TYPES), file_count="single",
                                  interactive=False, elem_id="pq-replace", size="sm")
    pending = gr.State(None)  # ("delete", doc_id) or ("replace", doc_id, file): what the official confirms
    with gr.Group(visible=False, elem_id="pq-confirm") as confirm_box:
        question = gr.HTML(js_on_load=None, elem_id="pq-confirm-text")
        with gr.Row():
            yes = gr.Button("Xác nhận", variant="stop", elem_id="pq-confirm-yes", size="sm")
            no = gr.Button("Hủy", elem_id="pq-confirm-no", size="sm")
    result = gr.HTML(elem_id="pq-manage-status", js_on_load=None)

    def show(doc_id):
        records = engine.library()
        record = next((r for r in records if r.meta.doc_id == doc_id), None)
        if record is None:
            return "", gr.update(value=None, interactive=False), gr.update(interactive=False), gr.update(interactive=False)
        download_path = None
        if record.path is not None:  # a copy under its own name, so the download is named as uploaded
            download_path = downloads.path(record.path.name)
            shutil.copyfile(record.path, download_path)
        return (render_document(record, *similar(record, records)),
                gr.update(value=str(download_path) if download_path else None, interactive=download_path is not None),
                gr.update(interactive=True), gr.update(interactive=True))

    def ask_delete(doc_id):
        name = _source_of(engine, doc_id)
        return (("delete", doc_id), gr.update(visible=True),
                f"<p>Xóa văn bản <b>{esc(name)}</b> khỏi chỉ mục? Câu trả lời sẽ không còn trích dẫn văn bản này.</p>")

    def ask_replace(file, doc_id):
        new = Path(file).name
        return (("replace", doc_id, file), gr.update(visible=True),
                f"<p>Thay văn bản <b>{esc(_source_of(engine, doc_id))}</b> bằng tệp <b>{esc(new)}</b>?</p>")

    def cancel(pending):
        if pending and pending[0] == "replace":
            Path(pending[2]).unlink(missing_ok=True)
        return None, gr.update(visible=False), ""

    def confirm(pending, request: gr.Request, progress=gr.Progress()):
        if not pending:
            return None, gr.update(visible=False), gr.skip()
        if pending[0] == "delete":
            name = _source_of(engine, pending[1])
            engine.delete(pending[1])
            message = f'<div class="pq-upload-msg pq-ok">Đã xóa <b>{esc(name)}</b> khỏi chỉ mục.</div>'
        else:
            message = run_upload(engine, [pending[2]], progress, by=_user(request), replaces=pending[1])
        return None, gr.update(visible=False), message

    chosen.change(show, chosen, [detail, download, delete, replace], api_visibility="private")
    delete.click(ask_delete, chosen, [pending, confirm_box, question], api_visibility="private")
    replace.upload(ask_replace, [replace, chosen], [pending, confirm_box, question], api_visibility="private")
    no.click(cancel, pending, [pending, confirm_box, question], api_visibility="private")
    confirmed = yes.click(confirm, pending, [pending, confirm_box, result], api_visibility="private",
                          concurrency_limit=1, concurrency_id="write", show_progress_on=result)
    return listing, chosen, confirmed


def _source_of(engine: PolicyQA, doc_id: str) -> str:
    return next((m.source for m, _ in engine.documents() if m.doc_id == doc_id), doc_id)


# ---------------------------------------------------------------- who does what


MATRIX_ROWS_SHOWN = 200  # rows drawn on the page; the CSV download has every row


def matrix_component(engine: PolicyQA, tab: gr.Tab, downloads: Downloads) -> tuple[gr.Dropdown, gr.Dropdown]:
    """The "Phân công" tab: PolicyQA.assignments filtered by agency, place and document, with a CSV."""
    gr.Markdown("Các nhiệm vụ được giao trong các văn bản: đơn vị chủ trì, đơn vị phối hợp, thời gian, "
                "kèm trích dẫn. Lọc theo cơ quan (viết tắt cũng được, ví dụ «Sở TN&MT»), địa phương, văn bản.")
    with gr.Row():
        agency = gr.Textbox(label="Cơ quan chủ trì", elem_id="pq-matrix-agency", placeholder="Ví dụ: Sở Công Thương")
        locality = index_dropdown("Địa phương", [("Tất cả địa phương", ALL)], ALL, "pq-matrix-locality")
        document = index_dropdown("Văn bản", [("Tất cả văn bản", ALL)], ALL, "pq-matrix-doc", scale=2)
    with gr.Row():
        run = gr.Button("Lọc", variant="primary", elem_id="pq-matrix-run", size="sm", scale=0, min_width=120)
        download = gr.DownloadButton("Tải bảng (CSV)", interactive=False, elem_id="pq-matrix-csv", size="sm",
                                     scale=0, min_width=160)
    table = gr.HTML(elem_id="pq-matrix", js_on_load=None, padding=False)

    def show(agency, locality, doc):
        refresh(engine)
        rows = engine.assignments(agency=nfc(agency or "").strip() or None, locality=locality or None,
                                  doc=doc or None)
        path = downloads.path("phan-cong.csv")
        path.write_text(render_assignments_csv(rows), encoding="utf-8-sig")  # BOM: Excel reads it as UTF-8
        return render_assignments(rows, MATRIX_ROWS_SHOWN), gr.update(value=str(path), interactive=bool(rows))

    gr.on([tab.select, run.click, agency.submit, locality.input, document.input], show,
          inputs=[agency, locality, document], outputs=[table, download], api_visibility="private",
          trigger_mode="always_last")
    return locality, document


# ---------------------------------------------------------------- the page


def build_app(engine: PolicyQA) -> gr.Blocks:
    """The Blocks app over one engine; every session shares the engine, not its chat."""
    settings = app_settings(engine.settings)
    downloads = Downloads()

    def index_status() -> str:
        docs = engine.documents()
        return f"Đang tra cứu trên {len(docs)} văn bản, {sum(n for _, n in docs)} điều khoản."

    def page_state(doc, locality, doc_type, year, chosen, matrix_place, matrix_doc):
        """Everything that depends on the index: document list, filter and document choices, status."""
        documents = engine.documents()
        choices = filter_choices([meta for meta, _ in documents])
        current = {"doc": doc, "locality": locality, "doc_type": doc_type, "year": year}
        dropdowns = [
            gr.update(choices=choices[name],
                      value=current[name] if current[name] in {v for _, v in choices[name]} else ALL)
            for name in ("doc", "locality", "doc_type", "year")
        ]
        managed = [(f"{doc_label(m)} — {m.source}", m.doc_id) for m, _ in documents]
        kept = chosen if chosen in {v for _, v in managed} else None
        matrix = [gr.update(choices=choices[name], value=value if value in {v for _, v in choices[name]} else ALL)
                  for name, value in (("locality", matrix_place), ("doc", matrix_doc))]
        return (render_documents(engine.library()), *dropdowns, index_status(), engine.generation,
                gr.update(choices=managed, value=kept), *matrix)

    def poll(generation, *current):
        """Timer tick: pick up a newer index on disk; redraw only when the generation moved."""
        refresh(engine)
        if engine.generation == generation:
            return (gr.skip(),) * 10
        return page_state(*current)

    def upload(files, doc, locality, doc_type, year, chosen, matrix_place, matrix_doc, request: gr.Request,
               progress=gr.Progress()):
        message = run_upload(engine, files or [], progress, by=_user(request))
        return message, *page_state(doc, locality, doc_type, year, chosen, matrix_place, matrix_doc)

    # Gradio keeps what its upload route receives; whatever our handler does not take is swept.
    with gr.Blocks(title="Tra cứu văn bản chính sách – SX&TD bền vững", analytics_enabled=False,
                   delete_cache=(UPLOAD_SWEEP_SECONDS, UPLOAD_SWEEP_SECONDS)) as demo:
        generation = gr.State("")
        with gr.Column(elem_classes="pq-header"):
            gr.Markdown(
                "# Tra cứu văn bản thực hiện Chương trình sản xuất và tiêu dùng bền vững\n"
                "Kế hoạch, báo cáo của các địa phương triển khai Quyết định 889/QĐ-TTg. "
                "Mỗi câu trả lời đều dẫn nguồn tới điều khoản cụ thể."
            )
            status = gr.HTML(elem_id="pq-index-status", js_on_load=None)
        with gr.Tab("Hỏi đáp", id="ask"):
            with gr.Row():
                filters = Filters(
                    index_dropdown("Văn bản", [("Tất cả văn bản", ALL)], ALL, "pq-filter-doc", scale=2),
                    index_dropdown("Địa phương", [("Tất cả địa phương", ALL)], ALL, "pq-filter-locality"),
                    index_dropdown("Loại văn bản", [("Tất cả loại", ALL)], ALL, "pq-filter-type"),
                    index_dropdown("Năm", [("Tất cả các năm", ALL)], ALL, "pq-filter-year"),
                )
            chat_component(engine, filters, downloads)
        with gr.Tab("Văn bản", id="docs"):
            upload_button, upload_status = upload_component(engine)
            listing, chosen, changed = documents_component(engine, downloads)
        with gr.Tab("Phân công", id="matrix") as matrix_tab:
            matrix_place, matrix_doc = matrix_component(engine, matrix_tab, downloads)

        state_inputs = [*filters.all, chosen, matrix_place, matrix_doc]
        index_outputs = [listing, *filters.all, status, generation, chosen, matrix_place, matrix_doc]
        demo.load(page_state, inputs=state_inputs, outputs=index_outputs, api_visibility="private")
        changed.then(page_state, inputs=state_inputs, outputs=index_outputs, api_visibility="private")
        # One write at a time: saving, and rolling back a failed file, share the uploads folder.
        upload_button.upload(upload, inputs=[upload_button, *state_inputs], outputs=[upload_status, *index_outputs],
                             api_visibility="private", show_progress="full", show_progress_on=upload_status,
                             concurrency_limit=1, concurrency_id="write")
        gr.Timer(settings.refresh_seconds).tick(poll, inputs=[generation, *state_inputs], outputs=index_outputs,
                                                api_visibility="private", show_progress="hidden")
        api_endpoints(engine)
    return demo


def api_endpoints(engine: PolicyQA) -> None:
    """/ask and /search: the Python API's results as JSON, for gradio_client callers."""
    max_k = engine.settings.max_k

    def check(text: str) -> str:
        text = nfc(text or "").strip()
        if not text:
            raise gr.Error("Câu hỏi trống.")
        if message := too_long(engine, text):
            raise gr.Error(message)
        return text

    @gr.api(api_name="ask")
    def ask(question: str, k: int = 8, doc: str | None = None, locality: str | None = None,
            doc_type: str | None = None, year: int | None = None) -> dict:
        """Answer a question with numbered citations: PolicyQA.ask(...).to_dict()."""
        question = check(question)
        refresh(engine)
        return engine.ask(question, max(1, min(k, max_k)), **scope(doc, locality, doc_type, year)).to_dict()

    @gr.api(api_name="search")
    def search(query: str, k: int = 10, doc: str | None = None, locality: str | None = None,
               doc_type: str | None = None, year: int | None = None) -> list[dict]:
        """Hybrid search over clauses: [hit.to_dict() for hit in PolicyQA.search(...)]."""
        query = check(query)
        refresh(engine)
        hits = engine.search(query, max(1, min(k, max_k)), **scope(doc, locality, doc_type, year))
        return [h.to_dict() for h in hits]


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
    bad setting fails at once rather than after a first start's build."""
    settings = (app_settings(engine.settings) if engine is not None else load_settings(index_dir=index_dir, model=model)
                ).with_overrides(host=host, port=port)
    auth = ThrottledLogin.from_settings(settings) if settings.user else None
    if engine is None:
        from qa import PolicyQA

        print("Opening the index (the first start builds it from the bundled corpus; "
              "this can take a few minutes)…", flush=True)
        engine = PolicyQA.open(settings=settings, progress=True)
    engine.search("dán nhãn sinh thái", k=1)  # loads the embedding model now, not on an official's first question
    demo = build_app(engine)
    demo.queue(default_concurrency_limit=settings.concurrent_requests)
    demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=auth,
        auth_message="Đăng nhập để tra cứu văn bản chính sách." if auth else None,
        max_file_size=f"{settings.max_upload_mb}mb",
        # What gradio's upload route stores reaches the index only through our upload handler and
        # is never served back: without a login, the route would otherwise host anyone's files.
        app_kwargs={"middleware": [Middleware(UploadsNotServed)]},
        prevent_thread_lock=not block,
        footer_links=[],
        run_history=False,
        enable_monitoring=False,
        mcp_server=False,
        ssr_mode=False,
        show_error=False,
        css=CSS,
        js=JS,
        head=HEAD,
        theme=gr.themes.Default(font=FONT),
    )
    return demo


def exit_on_sigterm() -> None:
    """A service manager's stop (SIGTERM) exits as Ctrl-C does, running the exit handlers that
    remove the app's temporary downloads; the default action would end the process without them."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="policyqa serve", description="Start the policyqa web app.")
    parser.add_argument("--host", help="address to bind (default: setting host, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: setting port, 7860)")
    parser.add_argument("--index-dir", help="index directory (default: settings / POLICYQA_INDEX_DIR)")
    parser.add_argument("--model", help="embedding model (default: settings)")
    args = parser.parse_args(argv)
    exit_on_sigterm()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        launch_app(host=args.host, port=args.port, index_dir=args.index_dir, model=args.model)
    except (IndexProblem, ValueError, OSError) as exc:  # bad settings or login variables, port in use, bad index
        print(f"policyqa: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
