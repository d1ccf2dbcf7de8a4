"""app.py without a browser or an index: rendering, escaping, uploads, launch options.

A fake engine stands in for PolicyQA so these run in a second; the real engine is exercised by
test_app_browser.py and test_app_client.py.
"""

from __future__ import annotations

import html
import re
import shutil
import threading
import unicodedata
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import gradio as gr
import pytest

import app
from browser_support import free_port
from index.config import Settings
from index.model import INDEX_ERROR_CODES, FileError, Hit, IndexChanges
from ingest.model import ERROR_CODES, DocumentMeta
from qa.model import Answer

THANH_HOA = DocumentMeta(
    doc_id="thanh-hoa_ke-hoach_2020", source="thanh-hoa_ke-hoach_2020.txt", content_hash="0",
    title="Kế hoạch thực hiện Chương trình hành động quốc gia về sản xuất và tiêu dùng bền vững",
    doc_type="Kế hoạch", issued="2020-12-30", year=2020, locality="tỉnh Thanh Hóa", province="Thanh Hóa",
)
ROW = Hit(
    id="thanh-hoa:1", text="Hướng dẫn áp dụng và vận hành hệ thống chứng nhận, dán nhãn tái chế", score=0.9,
    doc=THANH_HOA, section="Phụ lục › VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái",
    citation="tỉnh Thanh Hóa · 30/12/2020 › Phụ lục › dòng VI.1", kind="table_row", label="VI.1",
    group="VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái", lead="Sở Công Thương",
    partners="UBND cấp huyện và các đơn vị liên quan", period="2021 - 2030",
)
ANSWER = Answer(
    question="Cơ quan nào chủ trì việc dán nhãn sinh thái?", text="Sở Công Thương chủ trì [1].",
    citations=[ROW], abstained=False, language="vi", intent="lead", confidence=0.9,
)


# Files whose bytes start with these are skipped by the fake engine, as the index would report them.
SKIPPED = {
    b"BAD": ("corrupt", "not a readable .docx file (BadZipFile)"),
    b"DUP": ("duplicate_id", "document id bc is already taken by /corpus/bc.docx; rename one of the files"),
}


class FakeEngine:
    """The slice of PolicyQA the app uses; files starting with a SKIPPED prefix fail to index."""

    def __init__(self, index_dir: Path):
        self.settings = Settings(index_dir=index_dir, max_question_chars=60, max_upload_mb=1)
        self.generation = "g1"
        self.docs = {THANH_HOA.source: (THANH_HOA, 151)}
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
        return list(self.docs.values())

    def analyze(self, question):
        from qa.question import analyze

        metas = [meta for meta, _ in self.docs.values()]
        return analyze(question, {m.locality for m in metas if m.locality}, metas)

    def add(self, paths, progress=False):
        added, errors = [], []
        for p in map(Path, paths):
            if skipped := SKIPPED.get(p.read_bytes()[:3]):
                errors.append(FileError(str(p), *skipped))
                continue
            meta = DocumentMeta(doc_id=p.stem, source=p.name, content_hash="1", title=p.stem)
            self.docs[p.name] = (meta, 2)
            added.append(p.stem)
        if added:
            self.generation = "g2"
        return IndexChanges(added=tuple(added), errors=tuple(errors))


@pytest.fixture
def engine(tmp_path):
    return FakeEngine(tmp_path / "index")


def test_chat_reply_escapes_markup_but_keeps_citation_markers():
    answer = Answer(
        question="q", text='1. <img src=x onerror="alert(1)"> *Sở* TN&MT &amp; [1][2].', citations=[ROW],
        abstained=False, language="vi", intent="lead",
    )
    reply = app.render_answer(answer)
    assert reply.startswith("1\\. \\<img")
    assert "\\*Sở\\*" in reply and "TN&MT" in reply and "\\&amp;" in reply
    assert "**[1][2]**." in reply
    assert "dòng VI.1" in reply  # citations stay readable: no needless backslashes


def test_sources_panel_shows_the_whole_row_with_document_text_escaped():
    def mark(text):
        return html.escape(text).replace("dán nhãn", "<mark>dán nhãn</mark>")

    hostile = Hit(**{**ROW.__dict__, "text": "<p>dán nhãn</p><script>x()</script>", "note": "<b>ghi chú</b>",
                     "doc": DocumentMeta(**{**THANH_HOA.__dict__, "title": "<i>Kế hoạch</i>"})})
    panel = app.render_sources(Answer(**{**ANSWER.__dict__, "citations": [ROW, hostile]}), mark)
    for label in ("Đơn vị chủ trì", "Sở Công Thương", "Đơn vị phối hợp", "Thời gian", "2021 - 2030",
                  "dòng VI.1", "tỉnh Thanh Hóa", "30/12/2020", "Phụ lục › VI. Thúc đẩy"):
        assert label in panel
    assert "<mark>dán nhãn</mark>" in panel
    tags = set(re.findall(r"</?([a-z]+)", panel))
    assert tags <= {"div", "span", "table", "tr", "th", "td", "p", "mark"}, tags
    assert "&lt;script&gt;" in panel and "&lt;i&gt;Kế hoạch&lt;/i&gt;" in panel


def test_abstention_says_so_in_the_panel():
    none = Answer(question="q", text="Không có thông tin.", citations=[], abstained=True, language="vi",
                  intent="general")
    assert "Không có điều khoản" in app.render_sources(none, html.escape)
    near = Answer(**{**none.__dict__, "citations": [ROW]})
    assert "Chưa đủ căn cứ" in app.render_sources(near, html.escape)


def test_highlighter_marks_what_qa_understood_and_escapes_the_rest(engine):
    mark = app.highlighter(engine, "Which agency leads eco-labelling?")
    marked = mark("Thúc đẩy <b>dán nhãn sinh thái</b> & chứng nhận")
    assert "<mark>" in marked and "&lt;b&gt;" in marked and "&amp;" in marked
    assert re.sub(r"</?mark>", "", marked) == html.escape("Thúc đẩy <b>dán nhãn sinh thái</b> & chứng nhận")


def test_every_reason_a_file_is_skipped_reads_as_vietnamese():
    assert set(app._REASONS_VI) == {*ERROR_CODES, *INDEX_ERROR_CODES}
    assert app.vietnamese_reason(FileError("a.txt", "empty", "empty file")) == "tệp rỗng (empty file)"
    assert app.vietnamese_reason(FileError("a.txt", "new", "something new")) == \
        "không đọc được nội dung tệp (something new)"


def test_filter_choices_come_from_the_documents():
    choices = app.filter_choices([(THANH_HOA, 151)])
    assert choices["doc"][1] == ("Kế hoạch 2020 · tỉnh Thanh Hóa", "thanh-hoa_ke-hoach_2020")
    assert choices["locality"][1:] == [("tỉnh Thanh Hóa", "tỉnh Thanh Hóa")]
    assert choices["year"][1:] == [("2020", "2020")]
    assert all(c[0][1] == app.ALL for c in choices.values())


@pytest.mark.parametrize("name", ["../ke-hoach.docx", "..", "a/b.docx", "a\\b.docx", ".an.docx", "x.exe",
                                  "ke-hoach.docx.sh", "", "tab\t.docx"])
def test_upload_names_that_are_not_plain_supported_files_are_refused(tmp_path, name):
    with pytest.raises(app.UploadRejected):
        app.upload_target(tmp_path, name)


def test_upload_keeps_the_original_name_in_nfc(tmp_path):
    name = unicodedata.normalize("NFD", "Kế hoạch số 12.DOCX")
    assert app.upload_target(tmp_path, name) == (tmp_path / "Kế hoạch số 12.DOCX").resolve()


def _gradio_upload(tmp_path, name: str, data: bytes) -> str:
    """A file where gradio leaves an upload: its own folder, the original name."""
    folder = tmp_path / "gradio" / str(len(data))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return str(folder / name)


def test_good_upload_is_saved_and_indexed(engine, tmp_path):
    src = _gradio_upload(tmp_path, "Kế hoạch 5.txt", b"noi dung")
    message = app.ingest_uploads(engine, [src])
    assert "Đã thêm" in message and "Kế hoạch 5.txt" in message and "2 điều khoản" in message
    assert (engine.settings.index_dir / "uploads" / "Kế hoạch 5.txt").read_bytes() == b"noi dung"
    assert not Path(src).exists()  # gradio's copy would stay downloadable


def test_failed_upload_leaves_folder_and_index_as_they_were(engine, tmp_path):
    app.ingest_uploads(engine, [_gradio_upload(tmp_path, "bc.docx", b"v1")])
    message = app.ingest_uploads(engine, [_gradio_upload(tmp_path, "bc.docx", b"BAD bytes!")])
    assert ("Không thêm được tệp <b>bc.docx</b>: tệp bị hỏng, có mật khẩu bảo vệ, hoặc không phải tệp Word "
            "(.docx) hay PDF hợp lệ (not a readable .docx file (BadZipFile))") in message
    uploads = engine.settings.index_dir / "uploads"
    assert (uploads / "bc.docx").read_bytes() == b"v1"  # the previous version is back
    assert [p.name for p in uploads.iterdir()] == ["bc.docx"]  # no backup left behind
    message = app.ingest_uploads(engine, [_gradio_upload(tmp_path, "moi.docx", b"BAD")])
    assert not (uploads / "moi.docx").exists()
    assert "Chỉ mục không thay đổi" in message


def test_upload_named_like_another_indexed_document_is_refused(engine, tmp_path):
    message = app.ingest_uploads(engine, [_gradio_upload(tmp_path, "bc.docx", b"DUP")])
    assert ("Không thêm được tệp <b>bc.docx</b>: đã có một văn bản khác cùng tên trong chỉ mục; "
            "hãy đổi tên tệp rồi tải lại (document id bc is already taken by /corpus/bc.docx") in message
    assert not (engine.settings.index_dir / "uploads" / "bc.docx").exists()


def test_an_interrupted_save_leaves_the_previous_upload_whole(engine, tmp_path, monkeypatch):
    app.ingest_uploads(engine, [_gradio_upload(tmp_path, "bc.docx", b"v1")])
    new = _gradio_upload(tmp_path, "bc.docx", b"version 2, longer")
    copyfile = shutil.copyfile

    def disk_full_halfway(src, dst, **kwargs):
        if Path(src) != Path(new):
            return copyfile(src, dst, **kwargs)
        Path(dst).write_bytes(Path(src).read_bytes()[:4])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", disk_full_halfway)
    message = app.ingest_uploads(engine, [new])
    assert "Không lưu được tệp <b>bc.docx</b> (No space left on device)" in message
    uploads = engine.settings.index_dir / "uploads"
    assert [p.name for p in uploads.iterdir()] == ["bc.docx"] and (uploads / "bc.docx").read_bytes() == b"v1"


def test_unsupported_and_oversized_uploads_are_refused_before_ingest(engine, tmp_path):
    message = app.ingest_uploads(engine, [
        _gradio_upload(tmp_path, "virus.exe", b"MZ"),
        _gradio_upload(tmp_path, "lon.pdf", b"x" * (1024 * 1024 + 1)),
    ])
    assert "virus.exe" in message and "không được hỗ trợ" in message
    assert "lon.pdf" in message and "vượt quá giới hạn 1 MB" in message
    assert engine.generation == "g1"


def test_an_engine_failure_rolls_the_upload_back(engine, tmp_path):
    def boom(paths, progress=False):
        raise RuntimeError("ổ đĩa đầy")

    engine.add = boom
    message = app.ingest_uploads(engine, [_gradio_upload(tmp_path, "a.md", b"# A")])
    assert "Không thêm được tệp <b>a.md</b>: hệ thống chưa lập chỉ mục được lúc này (ổ đĩa đầy)" in message
    assert not (engine.settings.index_dir / "uploads" / "a.md").exists()


def test_upload_help_lists_the_accepted_types(engine, monkeypatch):
    monkeypatch.setattr(app, "UPLOAD_TYPES", (".docx", ".odt"))
    texts = [b.value for b in app.build_app(engine).blocks.values() if isinstance(b, gr.Markdown)]
    assert any("Tải lên văn bản mới (.docx, .odt, tối đa 1 MB)" in t for t in texts)


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
