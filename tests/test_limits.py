"""Hostile files: each limit refuses its file with an IngestError naming the file and the setting,
malformed Word XML is read or refused but never escapes, and the bounded worker process stops
what the limits do not foresee (time, memory)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hostile import docx_with, make_pdf, nested_html, zip_bomb
from ingest import IngestError, ingest_file
from ingest.limits import Limits
from ingest.readers import read_docx
from ingest.blocks import Table
from ingest.sandbox import Sandbox


def refused(path: Path, data: bytes, limits: Limits = Limits()) -> IngestError:
    path.write_bytes(data)
    with pytest.raises(IngestError) as info:
        ingest_file(path, limits=limits)
    assert info.value.path == str(path)
    return info.value


def span(value: str):
    return lambda xml: xml.replace('<w:gridSpan w:val="2"/>', f'<w:gridSpan w:val="{value}"/>')


@pytest.mark.parametrize("value", ["abc", "", "-3", "1e9", "10000000", "99999999999999999999"])
def test_a_span_word_would_not_write_keeps_the_row_within_the_table(value):
    tables = [b for b in read_docx(docx_with(span(value))) if isinstance(b, Table)]
    assert [len(row) for row in tables[0].rows] == [4, 4 if value.isdigit() else 3, 4, 4]  # junk spans 1
    assert tables[0].rows[0] == ("TT", "Nội dung", "Đơn vị chủ trì", "Thời gian")


def test_a_paragraph_style_without_a_value_is_read_as_plain_text(tmp_path):
    broken = docx_with(lambda xml: xml.replace('<w:pStyle w:val="Heading1"/>', "<w:pStyle/>"))
    path = tmp_path / "style.docx"
    path.write_bytes(broken)
    assert any(c.kind == "heading" and c.label == "I." and c.text == "MỤC TIÊU" for c in ingest_file(path).clauses)


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path):
    bomb = zip_bomb()  # 1 MB that inflates to 1000 MB
    assert len(bomb) < 1.1e6
    started = time.perf_counter()
    error = refused(tmp_path / "bomb.docx", bomb)
    print(f"\n[timing] 1 MB zip bomb refused in {time.perf_counter() - started:.3f}s")
    assert error.code == "too_large"
    assert "package expands to 1001 MB, over the limit of 200 MB (setting 'max_zip_mb')" in error.reason


def test_a_bomb_within_the_size_limit_is_refused_by_its_ratio(tmp_path):
    error = refused(tmp_path / "ratio.docx", zip_bomb(150))
    assert error.code == "too_large" and "'word/document.xml'" in error.reason and "'max_zip_ratio'" in error.reason


def test_a_package_of_too_many_entries(tmp_path):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(60):
            z.writestr(f"part{i}.xml", b"<a/>")
    error = refused(tmp_path / "many.docx", out.getvalue(), Limits(max_zip_entries=50))
    assert error.code == "too_large" and "package of 60 files, over the limit of 50 (setting 'max_zip_entries')" in error.reason


def test_word_xml_nested_too_deep(tmp_path):
    deep = docx_with(lambda xml: xml.replace("<w:body>", "<w:body>" + "<w:sdt><w:sdtContent>" * 60, 1)
                     .replace("</w:body>", "</w:sdtContent></w:sdt>" * 60 + "</w:body>", 1))
    error = refused(tmp_path / "deep.docx", deep)
    assert error.code == "too_large" and "'max_xml_depth'" in error.reason


@pytest.mark.parametrize("tags", [("div",), ("table", "tr", "td"), ("ul", "li"), ("b",)])
def test_html_nested_a_thousand_deep(tmp_path, tags):
    error = refused(tmp_path / "deep.html", nested_html(1000, tags))
    assert error.code == "too_large" and "HTML nested more than 200 elements deep" in error.reason
    assert "'max_html_depth'" in error.reason


def test_html_nested_within_the_limit_is_read(tmp_path):
    path = tmp_path / "nested.html"
    path.write_bytes(nested_html(150, ("div", "span"), "Tuyên truyền về nhãn sinh thái cho doanh nghiệp."))
    assert any("nhãn sinh thái" in c.text for c in ingest_file(path).clauses)


def test_a_line_of_megabytes(tmp_path):
    started = time.perf_counter()
    error = refused(tmp_path / "line.txt", "Kế hoạch thực hiện ".encode() * 300_000)
    print(f"\n[timing] 5.7 MB one-line text refused in {time.perf_counter() - started:.3f}s")
    assert error.code == "too_large" and "a line of 5700000 characters, over the limit of 50000 (setting 'max_line_chars')" in error.reason


def test_pdf_pages(tmp_path):
    error = refused(tmp_path / "long.pdf", make_pdf(["Ke hoach"], pages=5), Limits(max_pdf_pages=4))
    assert error.code == "too_large" and "5 pages, over the limit of 4 (setting 'max_pdf_pages')" in error.reason


# --- the worker process ---------------------------------------------------------------------


def test_the_worker_reads_like_the_pipeline_and_reports_its_memory(tmp_path):
    good = tmp_path / "plan.html"
    good.write_bytes(nested_html(3, text="Tuyên truyền về nhãn sinh thái cho doanh nghiệp."))
    with Sandbox() as sandbox:
        outcome = sandbox.run(good)
        assert outcome.document == ingest_file(good) and outcome.error is None and 0 < outcome.peak_rss_mb < 500
        (tmp_path / "deep.html").write_bytes(nested_html(1000))
        with pytest.raises(IngestError, match="max_html_depth") as info:
            sandbox.ingest(tmp_path / "deep.html")
        assert info.value.code == "too_large"


def test_a_file_past_the_time_budget_is_stopped_and_the_next_one_read(tmp_path):
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(make_pdf(["Ke hoach thuc hien"] * 30, pages=400))
    good = tmp_path / "good.html"
    good.write_bytes(nested_html(2, text="Tuyên truyền về nhãn sinh thái cho doanh nghiệp."))
    with Sandbox(Limits(ingest_timeout=1)) as sandbox:
        started = time.perf_counter()
        outcome = sandbox.run(slow)
        assert time.perf_counter() - started < 5
        assert outcome.error.code == "timeout" and outcome.error.path == str(slow)
        assert "longer than 1 s (setting 'ingest_timeout')" in outcome.error.reason
        assert sandbox.ingest(good).clauses


def test_a_file_past_the_memory_budget_is_refused(tmp_path):
    big = tmp_path / "big.docx"
    big.write_bytes(zip_bomb(300))  # within these zip limits, but 300 MB of XML to hold
    limits = Limits(ingest_memory_mb=200, max_zip_mb=1000, max_zip_ratio=10**6)
    with Sandbox(limits) as sandbox:
        outcome = sandbox.run(big)
    assert outcome.error.code == "too_large" and not outcome.escaped
    print(f"\n[memory] 300 MB docx under a 200 MB limit: {outcome.error.reason} in {outcome.seconds:.2f}s")
