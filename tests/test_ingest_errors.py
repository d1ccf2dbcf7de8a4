"""Bad input: each case raises IngestError naming the file, the reason and its code; a batch goes on."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hostile import cp1258
from PIL import Image

from ingest import IngestError, ingest_file, ingest_paths, iter_documents, iter_sources, pipeline
from ingest.model import ERROR_CODES

VIETNAMESE = ("KẾ HOẠCH\nThực hiện Chương trình hành động quốc gia về sản xuất và tiêu dùng bền vững\n"
              "I. MỤC TIÊU\n- Tuyên truyền, phổ biến nâng cao nhận thức về nhãn sinh thái cho doanh nghiệp.\n")
TCVN3 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc\nKÕ ho¹ch thùc hiÖn\n"
VNI = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nÑoäc laäp - Töï do - Haïnh phuùc\nKeá hoaïch thöïc hieän\n"
def failure(path: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        ingest_file(path)
    assert info.value.path == str(path)
    assert str(info.value).startswith(f"{path}: ")
    assert info.value.code in ERROR_CODES
    return info.value


@pytest.mark.parametrize(("name", "content", "expected", "code"), [
    ("empty.txt", b"", "empty file", "empty"),
    ("blank.md", b" \n\n\t \n", "empty file", "empty"),
    ("binary.txt", bytes(range(256)) * 8, "binary file", "binary"),
    ("noise.txt", bytes(range(128, 256)) * 8, "not UTF-8 text", "encoding"),
    ("slides.pptx", b"PK\x03\x04", "unsupported file type '.pptx'", "unsupported"),
    ("sheet.xlsx", b"PK\x03\x04", "not a readable .xlsx file", "corrupt"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 truncated", "LibreOffice could not convert", "unsupported_legacy"),
    ("renamed.doc", VIETNAMESE.encode(), "not a Word/Excel 97–2003 .doc file", "unsupported_legacy"),
    ("broken.docx", b"PK\x03\x04 this is no zip", "not a readable .docx file", "corrupt"),
    ("renamed.docx", VIETNAMESE.encode(), "not a readable .docx file", "corrupt"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "not a readable PDF file", "corrupt"),
    ("tcvn3.txt", TCVN3.encode("cp1252"),
     "looks like TCVN3 (ABC) legacy-font text; convert it to Unicode (e.g. with UniKey)", "legacy_font"),
    ("tcvn3-utf8.txt", TCVN3.encode("utf-8"), "looks like TCVN3 (ABC) legacy-font text", "legacy_font"),
    ("vni.txt", VNI.encode("cp1252"), "looks like VNI legacy-font text; convert it to Unicode (e.g. with UniKey)",
     "legacy_font"),
    ("vni-utf8.html", f"<p>{VNI}</p>".encode("utf-8"), "looks like VNI legacy-font text", "legacy_font"),
    ("script-only.html", b"<html><script>x()</script></html>", "no text found", "no_text"),
    ("header-only.txt", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n".encode(), "no body text",
     "no_text"),
])
def test_bad_input_raises_with_the_reason_and_code(tmp_path: Path, name: str, content: bytes, expected: str, code: str):
    path = tmp_path / name
    path.write_bytes(content)
    error = failure(path)
    assert expected in error.reason
    assert error.code == code


def test_missing_file_or_a_folder(tmp_path: Path):
    missing = failure(tmp_path / "missing.txt")
    assert (missing.reason, missing.code) == ("no such file", "unreadable")
    (tmp_path / "folder.txt").mkdir()
    folder = failure(tmp_path / "folder.txt")
    assert (folder.reason, folder.code) == ("not a file", "unreadable")


def test_file_the_system_will_not_read(tmp_path: Path, monkeypatch):
    path = tmp_path / "locked.txt"
    path.write_text(VIETNAMESE, encoding="utf-8")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    error = failure(path)
    assert (error.reason, error.code) == ("cannot read the file (Permission denied)", "unreadable")


def test_a_parser_crash_costs_one_file(tmp_path: Path, monkeypatch):
    path = tmp_path / "plan.txt"
    path.write_text(VIETNAMESE, encoding="utf-8")

    def crash(blocks):
        raise RuntimeError("bug")

    monkeypatch.setattr(pipeline, "parse", crash)
    error = failure(path)
    assert (error.reason, error.code) == ("internal error while parsing: RuntimeError: bug", "internal")


def test_an_unclassified_error_is_internal():
    error = IngestError("a.txt", "something new")
    assert (str(error), error.code) == ("a.txt: something new", "internal")


def test_blank_scanned_pdf(tmp_path: Path):
    path = tmp_path / "scan.pdf"
    Image.new("RGB", (400, 560), "white").save(path, "PDF")
    error = failure(path)  # OCR'd (tests/test_ingest_scans.py), and there is nothing on the page
    assert "OCR found no text" in error.reason
    assert error.code == "ocr_empty"


def test_docx_in_a_legacy_font(tmp_path: Path):
    import docx

    document = docx.Document()
    for line in TCVN3.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "vntime.docx"
    document.save(path)
    error = failure(path)
    assert "TCVN3" in error.reason
    assert error.code == "legacy_font"


def test_windows_1258_text_is_read(tmp_path: Path):
    path = tmp_path / "cp1258.txt"
    path.write_bytes(cp1258(VIETNAMESE))
    doc = ingest_file(path)
    assert doc.meta.title == "Thực hiện Chương trình hành động quốc gia về sản xuất và tiêu dùng bền vững"
    assert doc.clauses[-1].text == "Tuyên truyền, phổ biến nâng cao nhận thức về nhãn sinh thái cho doanh nghiệp."


def test_a_stray_damaged_byte_does_not_reject_utf8_text(tmp_path: Path):
    path = tmp_path / "damaged.txt"
    path.write_bytes(VIETNAMESE.encode() * 3 + b"\xff" + VIETNAMESE.encode())
    assert ingest_file(path).meta.doc_type == "Kế hoạch"


def test_utf8_bom_and_decomposed_text_are_normalised(tmp_path: Path):
    path = tmp_path / "nfd.txt"
    path.write_bytes(b"\xef\xbb\xbf" + unicodedata.normalize("NFD", VIETNAMESE).encode())
    doc = ingest_file(path)
    assert doc.clauses[-1].text == unicodedata.normalize("NFC", doc.clauses[-1].text)
    assert doc.meta.doc_type == "Kế hoạch"


def test_one_bad_file_never_stops_the_others(tmp_path: Path):
    (tmp_path / "good.txt").write_text(VIETNAMESE, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 nonsense")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "legacy.md").write_bytes(TCVN3.encode("cp1252"))
    (tmp_path / "nested" / "also-good.html").write_text(f"<p>{VIETNAMESE}</p>", encoding="utf-8")
    result = ingest_paths([tmp_path])
    assert sorted(d.meta.doc_id for d in result.documents) == ["also-good", "good"]
    assert sorted(Path(e.path).name for e in result.errors) == ["broken.pdf", "empty.txt", "legacy.md"]
    assert all(isinstance(e, IngestError) and e.reason for e in result.errors)


def test_documents_are_read_one_at_a_time_as_they_are_asked_for(tmp_path: Path):
    """`iter_documents` reads a file only when its document is asked for, and yields a bad file's
    error, naming it, in its place: a caller handling one document at a time holds one."""
    (tmp_path / "a.txt").write_text(VIETNAMESE, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.txt").write_text(VIETNAMESE, encoding="utf-8")
    read = []
    items = iter_documents([tmp_path], lambda path: read.append(path.name) or ingest_file(path))
    assert next(items).meta.doc_id == "a" and read == ["a.txt"]
    error = next(items)
    assert isinstance(error, IngestError) and error.path == str(tmp_path / "b.txt") and error.code == "empty"
    assert read == ["a.txt", "b.txt"] and next(items).meta.doc_id == "c" and next(items, None) is None


def test_iter_sources(tmp_path: Path):
    names = ("b.txt", "a.DOCX", "notes.xlsx", ".hidden.txt", "sub/c.pdf", "sub/d.htm", ".git/e.txt", "sub/~$f.docx")
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    explicit = tmp_path / "notes.xlsx"
    assert iter_sources([tmp_path / "sub", str(tmp_path), explicit]) == sorted(
        [tmp_path / "a.DOCX", tmp_path / "b.txt", tmp_path / "sub" / "c.pdf", tmp_path / "sub" / "d.htm", explicit])
    result = ingest_paths([explicit])
    assert [Path(e.path).name for e in result.errors] == ["notes.xlsx"]


def test_two_replies_read_at_once_are_taken_one_at_a_time():
    """A page's progress and the document can reach the parent in one read: the second line
    must stay for the next call, not break the first line's JSON."""
    import subprocess
    import sys

    from ingest.sandbox import _read_line

    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdout.write('{\"page\": [1, 1]}\\n{\"done\": 1}\\n')"],
                            stdout=subprocess.PIPE)
    pending = bytearray()
    assert _read_line(proc, 10, pending) == b'{"page": [1, 1]}\n'
    assert _read_line(proc, 10, pending) == b'{"done": 1}\n'
    assert _read_line(proc, 10, pending) == b""  # then the worker is gone
