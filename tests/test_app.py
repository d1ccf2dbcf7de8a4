"""app.py without a browser or an index: rendering, escaping, uploads, launch options.

A fake engine stands in for PolicyQA so these run in a second; the real engine is exercised by
test_app_browser.py and test_app_client.py.
"""

from __future__ import annotations

import gc
import html
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import gradio as gr
import pytest

import app
from browser_support import free_port
from ui import render
from settings import Settings
from index.model import INDEX_ERROR_CODES, Hit
from ingest.model import ERROR_CODES, DocumentMeta, TaskRow
from qa.library import UPLOAD_CODES, DocumentRecord, UploadResult
from qa.model import Answer

ROOT = Path(__file__).resolve().parents[1]


THANH_HOA = DocumentMeta(
    doc_id="thanh-hoa_ke-hoach_2020", source="thanh-hoa_ke-hoach_2020.txt", content_hash="0",
    title="Kế hoạch thực hiện Chương trình hành động quốc gia về sản xuất và tiêu dùng bền vững",
    doc_type="Kế hoạch", issued="2020-12-30", year=2020, locality="tỉnh Thanh Hóa", province="Thanh Hóa",
)
ROW = Hit(
    id="thanh-hoa:1", text="Hướng dẫn áp dụng và vận hành hệ thống chứng nhận, dán nhãn tái chế", score=0.9,
    doc=THANH_HOA, section="Phụ lục › VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái",
    citation="tỉnh Thanh Hóa · 30/12/2020 › Phụ lục › dòng VI.1", kind="table_row", label="VI.1",
    row=TaskRow(group="VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái", lead="Sở Công Thương",
                partners="UBND cấp huyện và các đơn vị liên quan", period="2021 - 2030"),
)
ANSWER = Answer(
    question="Cơ quan nào chủ trì việc dán nhãn sinh thái?", text="Sở Công Thương chủ trì [1].",
    citations=[ROW], abstained=False, language="vi", intent="lead", confidence=0.9,
)


class FakeEngine:
    """The slice of PolicyQA the app uses, answering every question with ANSWER."""

    def __init__(self, index_dir: Path):
        self.settings = Settings(index_dir=index_dir, max_question_chars=60, max_upload_mb=1)
        self.generation = "g1"
        self.calls: list[tuple] = []

    def refresh(self) -> bool:
        return False

    def ask(self, question, k=8, **scope):
        self.calls.append(("ask", question, k, scope))
        return ANSWER

    def search(self, query, k=10, **scope):
        self.calls.append(("search", query, k, scope))
        return [ROW]

    def documents(self):
        return [(THANH_HOA, 151)]

    def assignments(self, **filters):
        self.calls.append(("assignments", filters))
        return []

    def library(self):
        return [DocumentRecord(THANH_HOA, 151, 59, None, None, None, frozenset())]

    def analyze(self, question):
        from qa.question import analyze

        return analyze(question, {THANH_HOA.locality}, [THANH_HOA])


@pytest.fixture
def engine(tmp_path):
    return FakeEngine(tmp_path / "index")


def test_chat_reply_escapes_markup_and_links_each_marker_to_its_card():
    answer = Answer(
        question="q", text='1. <img src=x onerror="alert(1)"> *Sở* TN&MT &amp; [1][2].', citations=[ROW],
        abstained=False, language="vi", intent="lead",
    )
    reply = render.render_answer(answer, 3)
    assert reply.startswith("1\\. \\<img")
    assert "\\*Sở\\*" in reply and "TN&MT" in reply and "\\&amp;" in reply
    assert "[\\[1\\]](#pq-src-3-1)[\\[2\\]](#pq-src-3-2)." in reply
    assert "dòng VI.1" in reply  # citations stay readable: no needless backslashes


def test_source_card_leads_with_the_row_fields_and_folds_title_and_section():
    def mark(text):
        return html.escape(text).replace("dán nhãn", "<mark>dán nhãn</mark>")

    hostile = replace(ROW, text="<p>dán nhãn</p><script>x()</script>", row=replace(ROW.row, note="<b>ghi chú</b>"),
                      doc=replace(THANH_HOA, title="<i>Kế hoạch</i>"))
    panel = render.render_sources(Answer(**{**ANSWER.__dict__, "citations": [ROW, hostile]}), 4, mark)
    assert 'data-turn="4"' in panel and f"<q>{ANSWER.question}</q>" in panel  # names its question
    card = panel[panel.index('id="pq-source-1"'):panel.index('id="pq-source-2"')]
    fields = ("Nhiệm vụ", "Chủ trì", "Sở Công Thương", "Phối hợp", "Thời gian", "2021 - 2030",
              "tỉnh Thanh Hóa › dòng VI.1", "<details", ROW.doc.title, "Phụ lục › VI. Thúc đẩy")
    positions = [card.index(f) for f in fields]
    assert positions == sorted(positions), "row fields, then the citation, then the folded title and section"
    assert "<mark>dán nhãn</mark>" in panel
    tags = set(re.findall(r"</?([a-z]+)", panel))
    assert tags <= {"div", "span", "dl", "dt", "dd", "p", "mark", "q", "b", "details", "summary"}, tags
    assert "&lt;script&gt;" in panel and "&lt;i&gt;Kế hoạch&lt;/i&gt;" in panel


def test_abstention_says_so_in_the_panel():
    none = Answer(question="q", text="Không có thông tin.", citations=[], abstained=True, language="vi",
                  intent="general")
    assert "Không có điều khoản" in render.render_sources(none, 0, html.escape)
    near = Answer(**{**none.__dict__, "citations": [ROW]})
    assert "Chưa đủ căn cứ" in render.render_sources(near, 0, html.escape)


def test_chat_reply_i_is_turn_i():
    turns = [render.Turn("a?", "A", None, ""), render.Turn("b?", "B", None, "")]
    messages = render.chat_messages(turns, pending="c?")
    assert [m["content"] for m in messages[1::2]] == ["A", "B", render.PENDING]


def test_conversation_export_has_each_answer_with_its_citations():
    text = render.conversation_markdown([render.Turn(ANSWER.question, "", ANSWER, "")], "gen-1")
    assert f"## 1. {ANSWER.question}" in text and "Sở Công Thương chủ trì \\[1\\]" in text
    assert "1. tỉnh Thanh Hóa · 30/12/2020 › Phụ lục › dòng VI.1" in text and "gen-1" in text


def test_highlighter_marks_what_qa_understood_and_escapes_the_rest(engine):
    mark = app.highlighter(engine, "Which agency leads eco-labelling?")
    marked = mark("Thúc đẩy <b>dán nhãn sinh thái</b> & chứng nhận")
    assert "<mark>" in marked and "&lt;b&gt;" in marked and "&amp;" in marked
    assert re.sub(r"</?mark>", "", marked) == html.escape("Thúc đẩy <b>dán nhãn sinh thái</b> & chứng nhận")


def test_every_reason_a_file_is_skipped_reads_as_vietnamese():
    assert {*ERROR_CODES, *INDEX_ERROR_CODES, *UPLOAD_CODES} == set(render.REASONS_VI)
    assert render.vietnamese_reason("empty") == "tệp rỗng"
    assert render.vietnamese_reason("something new") == "không đọc được nội dung tệp"


def test_filter_choices_come_from_the_documents_with_provinces_of_district_documents():
    cao_lanh = DocumentMeta(doc_id="cl", source="cl.txt", content_hash="1", locality="huyện Cao Lãnh",
                            province="Đồng Tháp", district="Cao Lãnh", year=2021)
    choices = render.filter_choices([THANH_HOA, cao_lanh])
    assert choices["doc"][2] == ("Kế hoạch 2020 · tỉnh Thanh Hóa", "thanh-hoa_ke-hoach_2020")
    assert choices["locality"][1:] == [("Đồng Tháp", "Đồng Tháp"), ("huyện Cao Lãnh (Đồng Tháp)", "huyện Cao Lãnh"),
                                       ("Thanh Hóa", "Thanh Hóa")]
    assert choices["year"][1:] == [("2021", "2021"), ("2020", "2020")]
    assert all(c[0][1] == render.ALL for c in choices.values())


def test_upload_help_lists_the_accepted_types(engine, monkeypatch):
    monkeypatch.setattr(app, "UPLOAD_TYPES", (".docx", ".odt"))
    texts = [b.value for b in app.build_app(engine).blocks.values() if isinstance(b, gr.Markdown)]
    assert any("Tải lên văn bản mới (.docx, .odt, tối đa 1 MB)" in t for t in texts)


def test_upload_outcomes_read_as_vietnamese_without_english_details():
    results = [
        UploadResult("bc.docx", "failed", "corrupt", "not a readable .docx file (BadZipFile)"),
        UploadResult("lon.pdf", "failed", "over_upload_limit", "larger than max_upload_mb (1 MB)"),
        UploadResult("x.exe", "failed", "unsupported", "unsupported file type"),
        UploadResult("ban-word.docx", "added", doc_id="ban-word", clauses=54,
                     same_number=("cao-lanh.txt",), same_text=("cao-lanh.txt",)),
    ]
    message = render.render_upload(results, 1, (".docx", ".pdf"))
    assert "Không thêm được tệp <b>bc.docx</b>: tệp bị hỏng" in message and "Chỉ mục không thay đổi" in message
    assert "vượt quá giới hạn 1 MB" in message and "chỉ nhận tệp .docx, .pdf" in message
    assert "Đã thêm <b>ban-word.docx</b> (54 điều khoản)" in message
    assert "cùng số hiệu với «cao-lanh.txt»" in message and message.count("cao-lanh.txt") == 1
    assert "BadZipFile" not in message and "readable" not in message and "max_upload" not in message


def test_half_a_login_stops_the_app_before_it_opens_the_index(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("POLICYQA_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("POLICYQA_USER", "canbo")
    monkeypatch.delenv("POLICYQA_PASSWORD", raising=False)
    assert app.main([]) == 2
    assert "POLICYQA_PASSWORD" in capsys.readouterr().err and not (tmp_path / "index").exists()


@pytest.fixture
def served(engine, monkeypatch):
    """The real Blocks over the fake engine, on a free local port, with a login from its settings."""
    engine.settings = replace(engine.settings, user="canbo", password="mat-khau")
    for name in ("POLICYQA_USER", "POLICYQA_PASSWORD", "GRADIO_SERVER_NAME"):
        monkeypatch.delenv(name, raising=False)
    port = free_port()
    demo = app.launch_app(engine, port=port, block=False)
    yield demo, f"http://127.0.0.1:{port}/"
    demo.close()


def test_served_app_binds_locally_requires_login_and_limits_uploads(served):
    demo, url = served
    assert demo.server_name == "127.0.0.1"
    assert demo.max_file_size == 1024 * 1024
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url + "config")
    assert err.value.code == 401


def test_the_served_login_backs_off_after_wrong_passwords(served):
    def attempt(password: str) -> int:
        data = urllib.parse.urlencode({"username": "canbo", "password": password}).encode()
        try:
            with urllib.request.urlopen(served[1] + "login", data=data, timeout=10) as resp:
                return resp.status
        except urllib.error.HTTPError as err:
            return err.code

    assert [attempt(f"doan-{i}") for i in range(10)] == [400] * 10
    assert attempt("mat-khau") == 400  # refused: the back-off has not passed


def _client(url: str):
    from gradio_client import Client

    return Client(url, auth=("canbo", "mat-khau"), verbose=False, analytics_enabled=False)


def test_api_validates_questions_and_passes_filters(served, engine):
    client = _client(served[1])
    assert set(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == {"/ask", "/search"}
    result = client.predict("Ai chủ trì?", 5, None, "tỉnh Thanh Hóa", None, 2020, api_name="/ask")
    assert result == ANSWER.to_dict()
    assert engine.calls[-1] == ("ask", "Ai chủ trì?", 5,
                                {"doc": None, "locality": "tỉnh Thanh Hóa", "doc_type": None, "year": 2020})
    assert client.predict("dán nhãn", api_name="/search") == [ROW.to_dict()]
    with pytest.raises(Exception, match="vượt quá giới hạn 60 ký tự"):
        client.predict("x" * 61, api_name="/ask")


def test_an_index_that_cannot_be_reopened_does_not_fail_queries(served, engine):
    def broken_refresh():
        raise FileNotFoundError("gen-2/sparse.npz")

    engine.refresh = broken_refresh
    assert _client(served[1]).predict("Ai chủ trì?", api_name="/ask")["text"] == ANSWER.text


def test_questions_are_answered_concurrently_and_uploads_one_at_a_time(served, engine):
    together = threading.Barrier(2, timeout=5)
    answer = engine.ask

    def ask_alongside_another(*args, **kwargs):
        together.wait()  # passes only while a second question is being answered too
        return answer(*args, **kwargs)

    engine.ask = ask_alongside_another
    client = _client(served[1])
    jobs = [client.submit("Ai chủ trì?", api_name="/ask") for _ in range(2)]
    assert [job.result(timeout=30)["text"] for job in jobs] == [ANSWER.text] * 2
    limits = {fn.name: fn.concurrency_limit for fn in served[0].fns.values()}
    assert limits["upload"] == 1


def test_assignment_table_and_csv_carry_task_lead_partners_period_and_citation():
    from qa.assignments import Assignment

    row = Assignment(task="Hướng dẫn <dán nhãn>", lead="Sở Công Thương", partners=("UBND cấp huyện", "Sở TC"),
                     period="2021 - 2030", doc_id=THANH_HOA.doc_id, locality=THANH_HOA.locality, clause_id="c",
                     citation=ROW.citation, section="Phụ lục", label="VI.1", source="table")
    table = render.render_assignments([row, row], limit=1)
    assert "Đang hiện 1 trên 2 nhiệm vụ" in table and table.count("<tr>") == 2  # header and one row
    assert "Hướng dẫn &lt;dán nhãn&gt;" in table and 'data-label="Chủ trì">Sở Công Thương' in table
    lines = render.assignments_csv([row]).splitlines()
    assert lines == ["Nhiệm vụ,Chủ trì,Phối hợp,Thời gian,Văn bản",
                     f"Hướng dẫn <dán nhãn>,Sở Công Thương,UBND cấp huyện; Sở TC,2021 - 2030,{ROW.citation}"]


def test_a_stopped_server_removes_its_downloads(tmp_path):
    """SIGTERM (how a service manager or the browser tests stop the app) runs the exit handlers."""
    script = ("import app, sys, time; app.exit_on_sigterm(); d = app.Downloads(); "
              "print(d.folder, flush=True); time.sleep(120)")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    folder = Path(process.stdout.readline().strip())
    assert folder.is_dir()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0 and not folder.exists()


def test_downloads_share_one_folder_old_ones_expire_and_the_folder_goes_with_the_app():
    downloads = app.Downloads()
    folder = downloads.folder
    first = downloads.path("hoi-dap.md", now=1_000_000.0)
    first.write_text("# một", encoding="utf-8")
    assert first.name == "hoi-dap.md" and first.parent.parent == folder
    os.utime(first.parent, (1_000_000.0, 1_000_000.0))
    second = downloads.path("phan-cong.csv", now=1_000_000.0 + app.Downloads.KEEP_SECONDS + 1)
    assert not first.exists() and second.parent.exists()  # the old download's folder is gone, the new one kept
    assert [p.name for p in folder.iterdir()] == [second.parent.name]
    del downloads
    gc.collect()
    assert not folder.exists()  # tests and restarts do not leave a folder per app behind