"""Every supported format through the same pipeline, with files built here from code."""

from __future__ import annotations

import ctypes
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest

from ingest import ingest_file

HEADER = ("STT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện")
TASK_ROWS = [  # a task cut by a page break: its second half has no STT and follows a repeated header
    HEADER,
    ("I", "Thúc đẩy dán nhãn sinh thái", "", "", "2022 - 2025"),
    ("1", "Hướng dẫn dán nhãn sinh thái", "Phòng Kinh tế và", "UBND cấp xã", ""),
    HEADER,
    ("", "cho doanh nghiệp trên địa bàn.", "Hạ tầng", "và các đơn vị liên quan", ""),
    ("2", "Tuyên truyền về nhãn xanh.", "Phòng Văn hóa và Thông tin", "UBND cấp xã", "2022"),
]


def assert_task_rows(doc) -> None:
    groups = [c for c in doc.clauses if c.kind == "table_group"]
    rows = [c for c in doc.clauses if c.kind == "table_row"]
    assert [(g.label, g.text, g.row.period) for g in groups] == [("I", "Thúc đẩy dán nhãn sinh thái", "2022 - 2025")]
    assert [(r.label, r.text, r.row.lead, r.row.partners, r.row.period, r.row.group) for r in rows] == [
        ("I.1", "Hướng dẫn dán nhãn sinh thái cho doanh nghiệp trên địa bàn.", "Phòng Kinh tế và Hạ tầng",
         "UBND cấp xã và các đơn vị liên quan", "2022 - 2025", "I. Thúc đẩy dán nhãn sinh thái"),
        ("I.2", "Tuyên truyền về nhãn xanh.", "Phòng Văn hóa và Thông tin", "UBND cấp xã", "2022",
         "I. Thúc đẩy dán nhãn sinh thái"),
    ]


def test_docx_with_word_tables(tmp_path: Path):
    document = docx.Document()
    header = document.add_table(rows=1, cols=2).rows[0].cells  # Word lays the national header out as a table
    header[0].text = "ỦY BAN NHÂN DÂN\nHUYỆN CAO LÃNH\n-------"
    header[1].text = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                      "Cao Lãnh, ngày 05 tháng 3 năm 2022")
    document.add_paragraph("Số: 12/KH-UBND")
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Thúc đẩy dán nhãn sinh thái năm 2022")
    document.add_paragraph("Căn cứ Kế hoạch số 07/KH-UBND ngày 11/01/2021 của Ủy ban nhân dân tỉnh Đồng Tháp;")
    document.add_heading("I. MỤC TIÊU", level=1)
    document.add_paragraph("- Tuyên truyền về nhãn sinh thái cho doanh nghiệp và")
    document.add_paragraph("người tiêu dùng.")
    document.add_paragraph("Phụ lục")
    document.add_paragraph("DANH MỤC NHIỆM VỤ")
    table = document.add_table(rows=0, cols=len(HEADER))
    for values in TASK_ROWS:
        for cell, value in zip(table.add_row().cells, values):
            cell.text = value
    signature = document.add_table(rows=1, cols=2).rows[0].cells
    signature[0].text = "Nơi nhận:\n- Như trên;\n- Lưu: VT."
    signature[1].text = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn An"
    path = tmp_path / "Cao Lãnh – Kế hoạch 12.docx"
    document.save(path)

    doc = ingest_file(path)
    meta = doc.meta
    assert (meta.doc_id, meta.number, meta.issued, meta.doc_type, meta.title) == (
        "cao-lanh-ke-hoach-12", "12/KH-UBND", "2022-03-05", "Kế hoạch", "Thúc đẩy dán nhãn sinh thái năm 2022")
    assert (meta.issuer, meta.province, meta.district, meta.signer, meta.legal_bases) == (
        "UBND huyện Cao Lãnh", "Đồng Tháp", "Cao Lãnh", "Nguyễn Văn An", ("07/KH-UBND",))
    header, *body = doc.clauses
    assert header.kind == "header"
    assert header.text.split("\n") == [
        "ỦY BAN NHÂN DÂN", "HUYỆN CAO LÃNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Cao Lãnh, ngày 05 tháng 3 năm 2022", "Số: 12/KH-UBND", "KẾ HOẠCH", "Thúc đẩy dán nhãn sinh thái năm 2022",
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An", "Nơi nhận: Như trên; Lưu: VT"]
    assert header.citation == "12/KH-UBND · huyện Cao Lãnh · 05/03/2022 › Thông tin văn bản"
    item = next(c for c in body if c.kind == "item")
    assert (item.text, item.section) == ("Tuyên truyền về nhãn sinh thái cho doanh nghiệp và người tiêu dùng.",
                                         ("I. MỤC TIÊU",))
    assert_task_rows(doc)
    assert {c.section[0] for c in body if c.kind == "table_row"} == {"Phụ lục: DANH MỤC NHIỆM VỤ"}
    assert not [c for c in body if "CHỦ TỊCH" in c.text or "Nơi nhận" in c.text or "CỘNG HÒA" in c.text]


def test_text_copy_of_the_same_table_gives_the_same_rows(tmp_path: Path):
    lines = ["KẾ HOẠCH", "Thúc đẩy dán nhãn sinh thái", "Phụ lục", ""]
    lines += ["\t".join(r) for r in TASK_ROWS[:3]] + ["", "12", ""] + ["\t".join(r) for r in TASK_ROWS[3:]]
    path = tmp_path / "plan.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert_task_rows(ingest_file(path))


FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def write_pdf(path: Path, pages: list[list[tuple]]) -> None:
    """A real text PDF via pdfium: ("text", x, y, s) items and ("cell", x, y, w, h, s) boxed cells."""
    document = pdfium.PdfDocument.new()
    font_bytes = FONT.read_bytes()
    buffer = (ctypes.c_uint8 * len(font_bytes)).from_buffer_copy(font_bytes)
    font = pdfium_raw.FPDFText_LoadFont(document.raw, buffer, len(font_bytes), pdfium_raw.FPDF_FONT_TRUETYPE, True)
    keep = []  # text buffers must outlive the page objects until the content is generated
    for items in pages:
        page = document.new_page(595, 842)
        for kind, x, y, *rest in items:
            text = rest[-1]
            if kind == "cell":
                width, height = rest[0], rest[1]
                rect = pdfium_raw.FPDFPageObj_CreateNewRect(x, y, width, height)
                pdfium_raw.FPDFPageObj_SetStrokeColor(rect, 0, 0, 0, 255)
                pdfium_raw.FPDFPath_SetDrawMode(rect, pdfium_raw.FPDF_FILLMODE_NONE, True)
                pdfium_raw.FPDFPage_InsertObject(page.raw, rect)
                x, y = x + 3, y + height - 12
            if text:
                obj = pdfium_raw.FPDFPageObj_CreateTextObj(document.raw, font, 7)
                keep.append(ctypes.create_string_buffer((text + "\0").encode("utf-16-le")))
                pdfium_raw.FPDFText_SetText(obj, ctypes.cast(keep[-1], ctypes.POINTER(pdfium_raw.FPDF_WCHAR)))
                pdfium_raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
                pdfium_raw.FPDFPage_InsertObject(page.raw, obj)
        pdfium_raw.FPDFPage_GenerateContent(page.raw)
    document.save(path)


def table_items(top: float, rows) -> list[tuple]:
    widths = (25, 215, 125, 135, 80)
    items = []
    for i, values in enumerate(rows):
        x = 8
        for width, value in zip(widths, values):
            items.append(("cell", x, top - 24 * i, width, 24, value))
            x += width
    return items


@pytest.mark.skipif(not FONT.exists(), reason="needs the DejaVu font to write Vietnamese into a PDF")
def test_pdf_with_text_and_a_table_across_pages(tmp_path: Path):
    page1 = [  # the header's two columns side by side, as Word prints them
        ("text", 40, 830, "ỦY BAN NHÂN DÂN"), ("text", 300, 830, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("text", 50, 821, "TỈNH HÀ TĨNH"), ("text", 330, 821, "Độc lập - Tự do - Hạnh phúc"),
        ("text", 40, 810, "Số: 15/KH-UBND"), ("text", 320, 810, "Hà Tĩnh, ngày 10 tháng 5 năm 2022"),
        ("text", 260, 800, "KẾ HOẠCH"),
        ("text", 180, 786, "Thúc đẩy dán nhãn sinh thái trên địa bàn tỉnh Hà Tĩnh"),
        # A justified paragraph wrapped before a capital: only the layout tells that it runs on.
        ("text", 8, 760, "Căn cứ Quyết định số 889/QĐ-TTg ngày 24/6/2020 của Thủ tướng Chính phủ về việc phê duyệt "
                         "Chương trình hành động quốc gia về sản xuất và tiêu dùng bền vững;"),
        ("text", 8, 751, "Ủy ban nhân dân tỉnh Hà Tĩnh ban hành Kế hoạch như sau:"),
        ("text", 8, 730, "Phụ lục"),
        ("text", 290, 40, "1"),
        *table_items(700, TASK_ROWS[:3]),
    ]
    page2 = [*table_items(800, TASK_ROWS[3:]), ("text", 290, 40, "2")]
    path = tmp_path / "ha-tinh.pdf"
    write_pdf(path, [page1, page2])

    doc = ingest_file(path)
    meta = doc.meta
    assert (meta.doc_type, meta.number, meta.issued, meta.title, meta.issuer, meta.province, meta.legal_bases) == (
        "Kế hoạch", "15/KH-UBND", "2022-05-10", "Thúc đẩy dán nhãn sinh thái trên địa bàn tỉnh Hà Tĩnh",
        "UBND tỉnh Hà Tĩnh", "Hà Tĩnh", ("889/QĐ-TTg",))
    header, basis, *_ = doc.clauses
    assert header.kind == "header"
    assert header.text.split("\n") == [  # the two header columns, line by line as the page prints them
        "ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỈNH HÀ TĨNH", "Độc lập - Tự do - Hạnh phúc",
        "Số: 15/KH-UBND", "Hà Tĩnh, ngày 10 tháng 5 năm 2022", "KẾ HOẠCH",
        "Thúc đẩy dán nhãn sinh thái trên địa bàn tỉnh Hà Tĩnh"]
    assert basis.kind == "paragraph"
    assert basis.text.startswith("Căn cứ Quyết định số 889/QĐ-TTg")
    assert basis.text.endswith("tiêu dùng bền vững; Ủy ban nhân dân tỉnh Hà Tĩnh ban hành Kế hoạch như sau:")
    assert_task_rows(doc)
    assert not [c for c in doc.clauses if c.text in ("1", "2")]


def test_html_page(tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_text("""<html><head><title>Trang</title><style>p { color: red }</style></head><body>
<nav>Trang chủ | Văn bản mới</nav>
<p>Kế hoạch 45/KH-UBND thực hiện Chương trình sản xuất và tiêu dùng bền vững năm 2024</p>
<p>Số hiệu 45/KH-UBND</p><p>Người ký Trương Cảnh Tuyên</p>
<p><b>ỦY BAN NHÂN DÂN</b><br>TỈNH HẬU GIANG</p>
<p>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</p>
<p>Số: 45/KH-UBND</p><p>Hậu Giang, ngày 08 tháng 3 năm 2024</p>
<h2>KẾ HOẠCH</h2>
<p>THỰC HIỆN CHƯƠNG TRÌNH SẢN XUẤT VÀ TIÊU DÙNG BỀN VỮNG NĂM 2024</p>
<p>Căn cứ Kế hoạch số 172/KH-UBND ngày 05/10/2021 của UBND tỉnh Hậu Giang;</p>
<h3>I. MỤC TIÊU</h3>
<ul style="list-style-type: none"><li>Tuyên truyền về <i>nhãn sinh thái</i>.</li>
<li>Giảm rác thải nhựa &amp; túi ni lông.</li></ul>
<table><tr><th>STT</th><th>Nội dung</th><th>Đơn vị chủ trì</th></tr>
<tr><td>1</td><td><p>Hướng dẫn dán nhãn</p><p>sinh thái.</p></td><td>Sở Công Thương</td></tr></table>
<footer>Chủ quản: Công ty TNHH ThuVienNhaDat</footer>
</body></html>""", encoding="utf-8")
    doc = ingest_file(path)
    assert (doc.meta.number, doc.meta.issuer, doc.meta.signer, doc.meta.issued) == (
        "45/KH-UBND", "UBND tỉnh Hậu Giang", "Trương Cảnh Tuyên", "2024-03-08")
    assert doc.meta.title == "Thực hiện Chương trình sản xuất và tiêu dùng bền vững năm 2024"
    assert [(c.kind, c.label, c.text) for c in doc.clauses] == [
        ("header", None, "\n".join([
            "Kế hoạch 45/KH-UBND thực hiện Chương trình sản xuất và tiêu dùng bền vững năm 2024",
            "Số hiệu 45/KH-UBND", "Người ký Trương Cảnh Tuyên", "ỦY BAN NHÂN DÂN", "TỈNH HẬU GIANG",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 45/KH-UBND",
            "Hậu Giang, ngày 08 tháng 3 năm 2024", "KẾ HOẠCH",
            "THỰC HIỆN CHƯƠNG TRÌNH SẢN XUẤT VÀ TIÊU DÙNG BỀN VỮNG NĂM 2024"])),
        ("paragraph", None, "Căn cứ Kế hoạch số 172/KH-UBND ngày 05/10/2021 của UBND tỉnh Hậu Giang;"),
        ("heading", "I.", "MỤC TIÊU"),
        ("item", "-", "Tuyên truyền về nhãn sinh thái."),
        ("item", "-", "Giảm rác thải nhựa & túi ni lông."),
        ("table_row", "1", "Hướng dẫn dán nhãn sinh thái."),
    ]
    assert doc.clauses[-1].row.lead == "Sở Công Thương"


def test_markdown(tmp_path: Path):
    path = tmp_path / "plan.md"
    path.write_text("# KẾ HOẠCH\n\nThúc đẩy tiêu dùng bền vững\n\n## I. MỤC TIÊU\n\n### Chỉ tiêu chung\n\n"
                    "* Giảm **túi ni lông** dùng một lần.\n\n## Phụ lục\n\n"
                    "| STT | Tên nhiệm vụ | Đơn vị chủ trì |\n|---|---|---|\n| 1 | Dán nhãn | Sở Công Thương |\n",
                    encoding="utf-8")
    doc = ingest_file(path)
    assert (doc.meta.doc_type, doc.meta.title) == ("Kế hoạch", "Thúc đẩy tiêu dùng bền vững")
    assert [(c.kind, c.text, c.section) for c in doc.clauses] == [
        ("header", "KẾ HOẠCH\nThúc đẩy tiêu dùng bền vững", ()),
        ("heading", "MỤC TIÊU", ()),
        ("heading", "Chỉ tiêu chung", ("I. MỤC TIÊU",)),
        ("item", "Giảm túi ni lông dùng một lần.", ("I. MỤC TIÊU", "Chỉ tiêu chung")),
        ("heading", "Phụ lục", ()),
        ("table_row", "Dán nhãn", ("Phụ lục",)),
    ]


# A district plan whose place is a numbered unit ("Quận 1"): the number must stay in the place name.
PLAN_ORGANISATION = ("ỦY BAN NHÂN DÂN", "QUẬN 1", "Số: 21/KH-UBND")
PLAN_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Quận 1, ngày 05 tháng 3 năm 2025")
PLAN_BODY = ("KẾ HOẠCH", "Thí điểm phân loại rác thải tại nguồn trên địa bàn Quận 1 năm 2025", "I. MỤC ĐÍCH, YÊU CẦU",
             "Giảm lượng rác thải nhựa tại các chợ truyền thống trên địa bàn Quận.", "II. NHIỆM VỤ CỤ THỂ")
PLAN_TASKS = (
    ("STT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian"),
    ("1", "Thí điểm phân loại rác thải tại nguồn ở chợ Bến Thành", "Phòng Quản lý đô thị",
     "Ban Quản lý chợ Bến Thành; UBND phường Bến Thành", "Quý II/2025"),
    ("2", "Tuyên truyền tiểu thương hạn chế túi ni lông", "Phòng Văn hóa và Thông tin", "Hội Liên hiệp Phụ nữ Quận",
     "Năm 2025"),
)


def write_plan(path: Path) -> None:
    """The plan as Word lays it out (header columns in a table), or as a text or markdown copy."""
    if path.suffix == ".docx":
        document = docx.Document()
        left, right = document.add_table(rows=1, cols=2).rows[0].cells
        left.text, right.text = "\n".join(PLAN_ORGANISATION), "\n".join(PLAN_MOTTO)
        for line in PLAN_BODY:
            document.add_paragraph(line)
        table = document.add_table(rows=0, cols=len(PLAN_TASKS[0]))
        for values in PLAN_TASKS:
            for cell, value in zip(table.add_row().cells, values):
                cell.text = value
        document.save(path)
    elif path.suffix == ".md":
        header = [f"| {a} | {b} |" for a, b in zip(PLAN_ORGANISATION, PLAN_MOTTO)]
        tasks = [f"| {' | '.join(row)} |" for row in PLAN_TASKS]
        path.write_text("\n".join([*header[:1], "|---|---|", *header[1:], "", *PLAN_BODY, "", *tasks[:1],
                                   "|---|---|---|---|---|", *tasks[1:]]), encoding="utf-8")
    else:
        lines = [*PLAN_ORGANISATION, *PLAN_MOTTO, *PLAN_BODY, *("\t".join(row) for row in PLAN_TASKS)]
        path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("suffix", [".docx", ".txt", ".md"])
def test_numbered_locality_stays_in_the_place_date_line(tmp_path: Path, suffix: str):
    path = tmp_path / f"ke-hoach-21{suffix}"
    write_plan(path)
    doc = ingest_file(path)
    meta = doc.meta
    assert (meta.title, meta.doc_type, meta.number, meta.issued, meta.year) == (
        "Thí điểm phân loại rác thải tại nguồn trên địa bàn Quận 1 năm 2025", "Kế hoạch", "21/KH-UBND",
        "2025-03-05", 2025)
    assert (meta.issuer, meta.locality, meta.district, meta.province) == (
        "UBND quận 1", "quận 1", "Quận 1", None)  # the province is not stated
    header, *body = doc.clauses
    assert "Quận 1, ngày 05 tháng 3 năm 2025" in header.text.split("\n")
    assert [(c.kind, c.label) for c in body] == [
        ("heading", "I."), ("paragraph", None), ("heading", "II."), ("table_row", "1"), ("table_row", "2")]
    assert body[3].row.lead == "Phòng Quản lý đô thị"
    assert header.citation == "21/KH-UBND · quận 1 · 05/03/2025 › Thông tin văn bản"
