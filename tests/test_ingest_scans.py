"""Scans, images, old Word files and spreadsheets through the same pipeline as every other format.

Scans are typeset here from known text (tests/scans.py) so the OCR output can be checked
exactly; the default run OCRs three one-page images. Whole seed documents are the slow test
at the end and `tests/bench_ocr.py`.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import docx
import openpyxl
import pypdfium2 as pdfium
import pytest
from PIL import Image
from scans import block_text, cer, degrade, render, to_pdf, to_png
from test_ingest_formats import FONT, TASK_ROWS, assert_task_rows, write_pdf

import ingest.legacy
import ingest.ocr
from index.config import BUNDLED_CORPUS
from ingest import SUPPORTED, IngestError, ingest_file
from ingest.blocks import Line, Table
from ingest.model import TABLE_ROW
from ingest.ocr import OcrOptions
from ingest.readers import read_blocks
from ingest.sandbox import Sandbox

APPENDIX = [Line("Phụ lục"), Table(TASK_ROWS)]  # a repeated header and a row split in two, as printed


def assert_ocr_task_rows(doc) -> None:
    """`assert_task_rows` up to OCR's letter slips: labels, leads and partners exact (the split
    row merged back, the repeated header dropped), task texts within a 5% character error rate."""
    rows = [c for c in doc.clauses if c.kind == TABLE_ROW]
    assert [(r.label, r.row.lead, r.row.partners, r.row.group is not None) for r in rows] == [
        ("I.1", "Phòng Kinh tế và Hạ tầng", "UBND cấp xã và các đơn vị liên quan", True),
        ("I.2", "Phòng Văn hóa và Thông tin", "UBND cấp xã", True)]
    expected = ("Hướng dẫn dán nhãn sinh thái cho doanh nghiệp trên địa bàn.", "Tuyên truyền về nhãn xanh.")
    assert all(cer(want, r.text) <= 0.05 for want, r in zip(expected, rows))
    assert [re.sub(r"\D", "", r.row.period) for r in rows] == ["20222025", "2022"]  # the group's period inherited


@pytest.fixture(scope="module")
def appendix_page():
    return render(APPENDIX, dpi=300)


def test_every_new_type_is_in_the_one_list():
    assert {".doc", ".xlsx", ".xls", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf"} <= set(SUPPORTED)


def test_scanned_appendix_gives_the_task_rows_with_page_citations(tmp_path: Path, appendix_page, monkeypatch):
    path = tmp_path / "phu-luc.png"
    path.write_bytes(to_png(appendix_page.pages[0]))
    calls = []
    options = OcrOptions(cache_dir=tmp_path / "cache", progress=lambda done, total: calls.append((done, total)))

    read = read_blocks(path, path.read_bytes(), options)
    assert cer(appendix_page.texts[0], block_text(read.blocks)) <= 0.02
    doc = ingest_file(path, options)
    assert_ocr_task_rows(doc)  # columns from the header, repeated header dropped, split row merged
    assert {c.source for c in doc.clauses} == {"ocr"}
    assert all(c.citation.endswith("› trang 1") for c in doc.clauses)
    assert calls == [(1, 1), (1, 1)]  # one page, reported per read

    def no_tesseract(*args):
        raise AssertionError("an unchanged file was OCR'd again")

    monkeypatch.setattr(ingest.ocr, "run_tesseract", no_tesseract)
    assert ingest_file(path, options).clauses == doc.clauses  # from the cache, by file hash


def test_tilted_noisy_scan_is_straightened(tmp_path: Path, appendix_page):
    page = degrade(appendix_page.pages[0], angle=1.5, noise=0.02, seed=3)
    path = tmp_path / "phu-luc.jpg"
    page.convert("RGB").save(path, quality=85)

    read = read_blocks(path, path.read_bytes(), OcrOptions())
    assert cer(appendix_page.texts[0], block_text(read.blocks)) <= 0.05
    assert_ocr_task_rows(ingest_file(path))


def _text_and_scan_pdf(tmp_path: Path, appendix_page) -> Path:
    """A PDF whose page 1 has a text layer and whose page 2 is the scanned appendix."""
    text_pdf, scan_pdf = tmp_path / "text.pdf", tmp_path / "scan.pdf"
    write_pdf(text_pdf, [[("text", 40, 800, "KẾ HOẠCH"), ("text", 40, 780, "Thúc đẩy dán nhãn sinh thái"),
                          ("text", 40, 760, "1. Các sở, ngành triển khai theo phụ lục kèm theo.")]])
    scan_pdf.write_bytes(to_pdf(appendix_page.pages, 300))
    mixed = pdfium.PdfDocument(text_pdf)
    mixed.import_pages(pdfium.PdfDocument(scan_pdf))
    path = tmp_path / "ke-hoach.pdf"
    mixed.save(path)
    return path


@pytest.mark.skipif(not FONT.exists(), reason="needs the DejaVu font to write Vietnamese into a PDF")
def test_pdf_with_a_text_page_and_a_scanned_page_gets_both(tmp_path: Path, appendix_page):
    path = _text_and_scan_pdf(tmp_path, appendix_page)
    doc = ingest_file(path, OcrOptions(cache_dir=tmp_path / "cache"))
    item = next(c for c in doc.clauses if c.text.startswith("Các sở, ngành"))
    assert item.source is None and "trang" not in item.citation
    assert_ocr_task_rows(doc)
    rows = [c for c in doc.clauses if c.kind == TABLE_ROW]
    assert all(r.source == "ocr" and r.citation.endswith("› dòng " + r.label + " › trang 2") for r in rows)


@pytest.mark.skipif(not FONT.exists(), reason="needs the DejaVu font to write Vietnamese into a PDF")
def test_a_scanned_pdf_is_ocrd_in_the_bounded_worker_with_progress_and_cache(tmp_path: Path, appendix_page):
    """A PDF is hostile input, so the worker reads it, scanned pages too (under pdf_memory_mb:
    ingest_memory_mb is too little for a 300-dpi page); its pages' progress reaches the caller."""
    path = _text_and_scan_pdf(tmp_path, appendix_page)
    calls = []
    with Sandbox() as sandbox:
        outcome = sandbox.run(path, OcrOptions(cache_dir=tmp_path / "cache", progress=lambda *page: calls.append(page)))
    assert outcome.error is None, outcome.error
    assert outcome.peak_rss_mb > 0 and calls == [(1, 1)]
    assert_ocr_task_rows(outcome.document)
    assert len(list((tmp_path / "cache").rglob("*.tsv"))) == 1
    assert outcome.document == ingest_file(path, OcrOptions(cache_dir=tmp_path / "cache"))  # as in-process, cache hit


# --- OCR failures: each is that file's error with its code --------------------------------


def _png(tmp_path: Path, image: Image.Image, name: str = "scan.png") -> Path:
    path = tmp_path / name
    image.save(path)
    return path


def test_missing_tesseract_is_ocr_unavailable(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(ingest.ocr, "tesseract_problem", lambda language: "OCR needs Tesseract, which is not installed")
    with pytest.raises(IngestError) as info:
        ingest_file(_png(tmp_path, Image.new("L", (600, 800), 255)))
    assert info.value.code == "ocr_unavailable" and "Tesseract" in info.value.reason


def test_blank_scan_is_ocr_empty(tmp_path: Path):
    with pytest.raises(IngestError) as info:
        ingest_file(_png(tmp_path, Image.new("L", (1240, 1754), 255)))
    assert info.value.code == "ocr_empty"


def test_page_and_time_limits_name_their_setting(tmp_path: Path, monkeypatch):
    pages = [Image.new("L", (400, 300), 255) for _ in range(3)]
    path = tmp_path / "three.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:])
    with pytest.raises(IngestError) as info:
        ingest_file(path, OcrOptions(max_pages=2))
    assert info.value.code == "ocr_limit" and "ocr_max_pages" in info.value.reason

    monkeypatch.setattr(ingest.ocr, "run_tesseract", lambda image, options: "level\n")
    with pytest.raises(IngestError) as info:
        ingest_file(path, OcrOptions(max_seconds=0.0, cache_dir=tmp_path / "cache"))
    assert info.value.code == "ocr_limit" and "ocr_max_seconds" in info.value.reason
    assert len(list((tmp_path / "cache").rglob("*.tsv"))) == 1  # the page read is kept for the next run


def test_broken_image_is_corrupt(tmp_path: Path):
    path = tmp_path / "scan.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(IngestError) as info:
        ingest_file(path)
    assert info.value.code == "corrupt"


# --- .doc, .xlsx, .xls ----------------------------------------------------------------------


def _task_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Thúc đẩy dán nhãn sinh thái")
    document.add_paragraph("Phụ lục")
    table = document.add_table(rows=len(TASK_ROWS), cols=len(TASK_ROWS[0]))
    for row, values in zip(table.rows, TASK_ROWS):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("")  # Word always ends a document with a paragraph
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _task_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Nhiệm vụ"
    for values in TASK_ROWS:
        sheet.append([int(v) if v.isdigit() else (v or None) for v in values])  # STT typed as numbers
    other = workbook.create_sheet("Kinh phí")
    other.append(["Nguồn", "Số tiền (triệu đồng)"])
    other.append(["Ngân sách tỉnh", 1500.0])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_word_97_doc_goes_through_the_docx_path(tmp_path: Path):
    path = tmp_path / "ke-hoach.doc"
    path.write_bytes(ingest.legacy.convert_legacy(_task_docx(), "docx", "doc"))  # a real Word 97 file
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # OLE2 compound document
    doc = ingest_file(path)
    assert_task_rows(doc)
    assert doc.meta.doc_type == "Kế hoạch"


def test_xlsx_sheets_are_tables_and_a_task_sheet_gives_task_rows(tmp_path: Path):
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(_task_xlsx())
    doc = ingest_file(path)
    assert_task_rows(doc)
    assert all(r.section[0] == "Nhiệm vụ" for r in doc.clauses if r.kind == TABLE_ROW)  # the sheet name
    assert [c.text for c in doc.clauses if c.section == ("Kinh phí",)] == [
        "Nguồn | Số tiền (triệu đồng)", "Ngân sách tỉnh | 1500"]


def test_excel_97_xls_is_converted(tmp_path: Path):
    path = tmp_path / "phu-luc.xls"
    path.write_bytes(ingest.legacy.convert_legacy(_task_xlsx(), "xlsx", "xls"))
    assert_task_rows(ingest_file(path))


def test_legacy_file_without_libreoffice_is_unsupported_legacy(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(ingest.legacy.shutil, "which", lambda name: None)
    path = tmp_path / "cu.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(IngestError) as info:
        ingest_file(path)
    assert info.value.code == "unsupported_legacy" and "LibreOffice" in info.value.reason


# --- whole documents (slow; figures: tests/bench_ocr.py) -------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("condition, ceiling", [("clean-300", 0.02), ("tilted-300", 0.05)])
def test_thanh_hoa_scan_meets_the_targets(tmp_path: Path, condition: str, ceiling: float):
    from bench_ocr import measure

    figures = measure(BUNDLED_CORPUS / "thanh-hoa_ke-hoach_2020.txt", condition, tmp_path)
    print(f"\n[ocr] {figures}")
    assert figures.cer <= ceiling
    assert figures.rows_right >= 0.9 * figures.rows == 0.9 * 59



# --- the CLI: progress per page, the cache inside the index directory ------------------------

def _tsv(text: str) -> str:
    """Tesseract's TSV for one line of words."""
    head = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    return head + "".join(f"5\t1\t1\t1\t1\t{i}\t{100 + 120 * i}\t100\t100\t40\t95\t{word}\n"
                          for i, word in enumerate(text.split(), 1))


def test_cli_shows_each_page_and_caches_in_the_index_directory(tmp_path: Path, monkeypatch, capsys):
    import cli

    pages = [Image.new("L", (400, 300), 255) for _ in range(2)]
    path = tmp_path / "hai-trang.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:])
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path / "index"))
    texts = iter(["Các sở triển khai kế hoạch.", "Ủy ban nhân dân các huyện phối hợp."])
    monkeypatch.setattr(ingest.ocr, "run_tesseract", lambda image, options: _tsv(next(texts)))

    assert cli.main(["ingest", str(path), "--json"]) == 0
    out = capsys.readouterr()
    assert "OCR hai-trang.tif: page 1/2" in out.err and "OCR hai-trang.tif: page 2/2" in out.err
    clauses = [json.loads(line) for line in out.out.splitlines()]
    assert [(c["text"], c["source"], c["citation"][-7:]) for c in clauses] == [
        ("Các sở triển khai kế hoạch.", "ocr", "trang 1"), ("Ủy ban nhân dân các huyện phối hợp.", "ocr", "trang 2")]
    assert len(list((tmp_path / "index" / "ocr-cache").rglob("*.tsv"))) == 2
