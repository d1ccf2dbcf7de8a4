"""The parsing rules one by one, on small inputs."""

from __future__ import annotations

import pytest

from ingest import DocumentMeta, citation_for, doc_id_for
from ingest.blocks import Line, Table
from ingest.cleanup import clean, clean_text
from ingest.encoding import legacy_encoding
from ingest.markers import parse_marker
from ingest.structure import header_drafts, is_heading_text, parse, split_columns
from ingest.tables import table_drafts


@pytest.mark.parametrize(("path", "expected"), [
    ("corpus/cao-lanh-dong-thap_ke-hoach-178-kh-ubnd_2021.txt", "cao-lanh-dong-thap_ke-hoach-178-kh-ubnd_2021"),
    ("/x/Kế hoạch 45 KH-UBND (Hậu Giang).DOCX", "ke-hoach-45-kh-ubnd-hau-giang"),
    ("Đồng Tháp – Báo cáo.pdf", "dong-thap-bao-cao"),
    ("!!!.txt", "document"),
])
def test_doc_id_for(path, expected):
    assert doc_id_for(path) == expected


@pytest.mark.parametrize(("line", "label", "depth"), [
    ("III. NHIỆM VỤ CHỦ YẾU", "III.", 1),
    ("XIV. Thúc đẩy tiếp cận", "XIV.", 1),
    ("1. Mục đích", "1.", 2),
    ("2.1. Giai đoạn 2021 - 2025", "2.1.", 3),
    ("2.1 Giai đoạn 2021 - 2025", "2.1", 3),
    ("a) Việc triển khai", "a)", 6),
    ("đ) Điểm năm", "đ)", 6),
    ("- Tuyên truyền", "-", 0),
    ("+ Các công cụ", "+", 0),
    ("-Tăng cường kiểm tra", "-", 0),
])
def test_markers(line, label, depth):
    marker = parse_marker(line)
    assert (marker.label, marker.depth) == (label, depth)


@pytest.mark.parametrize("line", ["100% các cơ sở sản xuất", "2021 - 2030", "IIII. không hợp lệ", "5 - 8% mức tiêu hao",
                                  "Thực hiện Quyết định", "*trước ngày 05/12*", "24/6/2020 của Thủ tướng",
                                  "1, ngày 05 tháng 3 năm 2025", "Quận 1, ngày 05 tháng 3 năm 2025"])
def test_not_markers(line):
    assert parse_marker(line) is None


@pytest.mark.parametrize(("line", "parts"), [
    ("Quận 1, ngày 05 tháng 3 năm 2025", ["Quận 1, ngày 05 tháng 3 năm 2025"]),
    ("Bà Rịa - Vũng Tàu, ngày 10 tháng 5 năm 2022", ["Bà Rịa - Vũng Tàu, ngày 10 tháng 5 năm 2022"]),
    ("Số: 21/KH-UBND Quận 10, ngày 05 tháng 3 năm 2025", ["Số: 21/KH-UBND", "Quận 10, ngày 05 tháng 3 năm 2025"]),
    ("Số: 15/KH-UBND Hà Tĩnh, ngày 10 tháng 5 năm 2022", ["Số: 15/KH-UBND", "Hà Tĩnh, ngày 10 tháng 5 năm 2022"]),
    ("Số: /UBND-KTHT Thành phố Hồ Chí Minh, ngày tháng 11 năm 2021",
     ["Số: /UBND-KTHT", "Thành phố Hồ Chí Minh, ngày tháng 11 năm 2021"]),
    ("QUẬN 1 Độc lập - Tự do - Hạnh phúc", ["QUẬN 1", "Độc lập - Tự do - Hạnh phúc"]),
])
def test_header_columns_glued_by_a_pdf_are_cut_before_the_place(line, parts):
    """A place name keeps its numbers and dashes; a document number is never part of it."""
    assert split_columns(line) == parts


@pytest.mark.parametrize(("body", "heading"), [
    ("Mục đích", True),
    ("Phòng Kinh tế và Hạ tầng", True),
    ("Đẩy mạnh truyền thông về sản xuất và tiêu dùng bền vững", True),
    ("Yêu cầu:", True),
    ("Kịp thời cụ thể hóa các chính sách pháp luật về sản xuất và tiêu dùng bền vững.", False),
    ("Phòng Tài chính – Kế hoạch Huyện: Thẩm định kinh phí", False),
    ("Giảm rác thải nhựa;", False),
    ("Tổ chức " * 30, False),
])
def test_numbered_line_is_heading_or_item(body, heading):
    assert is_heading_text(body) is heading


def test_clean_text():
    assert clean_text('<ul style="list-style-type: none"> - Một.  </ul>') == "- Một."
    assert clean_text("<p>Câu một.</p><p>Câu hai.</p>") == "Câu một. Câu hai."
    assert clean_text("- A dùng một lần.- Phát triển mô hình") == "- A dùng một lần. - Phát triển mô hình"
    assert clean_text("**ỦY BAN NHÂN DÂN") == "ỦY BAN NHÂN DÂN"
    assert clean_text("hằng năm (*trước ngày 05/12*) hoặc") == "hằng năm (trước ngày 05/12) hoặc"
    assert clean_text("tỷ lệ < 5% &amp; giảm") == "tỷ lệ < 5% & giảm"
    assert clean_text("Hoa\u0300\u00a0 bi\u0300nh") == "Hoà bình"


def test_cleanup_drops_boilerplate_and_rejoins_only_continuations():
    blocks = clean([
        Line("- Tập trung tuyên truyền về sản xuất và"), Line("3"), Line("[...]"), Line("---------------"),
        Line("tiêu dùng bền vững; hướng dẫn người dân."),
        Line("a) Việc triển khai."), Line("b) Phát huy."),
        Line("Chủ quản: Công ty TNHH ThuVienNhaDat. Mã số thuế: 0318679464"),
        Line("www.thuvienphapluat.vn"), Line("Trang 2/5"), Line("© 2024 ThuVienNhaDat"),
        Line("Giấy phép môi trường được cấp cho 12 cơ sở."),
    ])
    assert blocks == [
        Line("- Tập trung tuyên truyền về sản xuất và tiêu dùng bền vững; hướng dẫn người dân."),
        Line("a) Việc triển khai."), Line("b) Phát huy."), Line("Giấy phép môi trường được cấp cho 12 cơ sở."),
    ]


def test_adjacent_tables_merge_only_at_the_same_width():
    blocks = clean([Table((("STT", "Nội dung", "Đơn vị chủ trì"),)), Line("12"), Table((("1", "Dán nhãn", "Sở"),)),
                    Table((("Nơi nhận:", "KT. CHỦ TỊCH"),))])
    assert [len(b.rows) for b in blocks] == [2, 1]


def test_task_table_columns_are_found_by_name_in_any_order():
    rows = [
        ("Ghi chú", "ĐƠN VỊ PHỐI HỢP", "TÊN NHIỆM VỤ", "Số TT", "Đơn vị chủ trì thực hiện", "Tiến độ"),
        ("", "", "Nhóm A", "I", "", "2021-2025"),
        ("Ưu tiên", "Sở Tài chính", "Việc một", "1.", "Sở Công Thương", ""),
        ("Ghi chú", "ĐƠN VỊ PHỐI HỢP", "TÊN NHIỆM VỤ", "Số TT", "Đơn vị chủ trì thực hiện", "Tiến độ"),
        ("", "và UBND cấp huyện", "(tiếp theo).", "", "", ""),
    ]
    (group, task) = table_drafts(rows, ("Phụ lục",))
    assert (group.kind, group.label, group.section, group.row.period) == ("table_group", "I", ("Phụ lục",), "2021-2025")
    assert (task.kind, task.label, task.text, task.row.lead, task.row.partners, task.row.period, task.row.note, task.section) == (
        "table_row", "I.1", "Việc một (tiếp theo).", "Sở Công Thương", "Sở Tài chính và UBND cấp huyện",
        "2021-2025", "Ưu tiên", ("Phụ lục", "I. Nhóm A"))


def test_table_without_task_header_gives_plain_rows():
    drafts = table_drafts([("Chỉ tiêu", "2021", "2025"), ("Túi ni lông", "60%", "90%")], ("II. MỤC TIÊU",))
    assert [(d.kind, d.text, d.section) for d in drafts] == [
        ("paragraph", "Chỉ tiêu | 2021 | 2025", ("II. MỤC TIÊU",)),
        ("paragraph", "Túi ni lông | 60% | 90%", ("II. MỤC TIÊU",)),
    ]


def test_front_matter_tail_and_appendix_are_set_apart():
    parsed = parse(clean(map(Line, [
        "ỦY BAN NHÂN DÂN", "TỈNH HẬU GIANG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số: 45/KH-UBND", "Hậu Giang, ngày 08 tháng 3 năm 2024", "KẾ HOẠCH", "THỰC HIỆN CHƯƠNG TRÌNH", "NĂM 2024",
        "Căn cứ Kế hoạch số 172/KH-UBND;", "I. MỤC TIÊU", "1. Giảm rác thải nhựa.", "Nơi nhận:", "- Như trên;",
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trương Cảnh Tuyên", "PHỤ LỤC I", "DANH MỤC NHIỆM VỤ",
        "(Kèm theo Kế hoạch số 45/KH-UBND ngày 08/3/2024 của UBND tỉnh Hậu Giang)", "Ghi chú cuối.",
    ])))
    assert parsed.organisation == ["ỦY BAN NHÂN DÂN", "TỈNH HẬU GIANG"]
    assert (parsed.doc_type, parsed.title) == ("Kế hoạch", "THỰC HIỆN CHƯƠNG TRÌNH NĂM 2024")
    assert parsed.tail == ["Nơi nhận:", "- Như trên;", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trương Cảnh Tuyên"]
    assert parsed.notes == ["(Kèm theo Kế hoạch số 45/KH-UBND ngày 08/3/2024 của UBND tỉnh Hậu Giang)"]
    assert [(d.kind, d.text, d.section) for d in parsed.drafts] == [
        ("paragraph", "Căn cứ Kế hoạch số 172/KH-UBND;", ()),
        ("heading", "MỤC TIÊU", ()),
        ("item", "Giảm rác thải nhựa.", ("I. MỤC TIÊU",)),
        ("heading", "PHỤ LỤC I: DANH MỤC NHIỆM VỤ", ()),
        ("paragraph", "Ghi chú cuối.", ("PHỤ LỤC I: DANH MỤC NHIỆM VỤ",)),
    ]
    (header,) = header_drafts(parsed)
    assert (header.kind, header.section, header.label) == ("header", (), None)
    assert header.text.split("\n") == [
        "ỦY BAN NHÂN DÂN", "TỈNH HẬU GIANG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số: 45/KH-UBND", "Hậu Giang, ngày 08 tháng 3 năm 2024", "KẾ HOẠCH", "THỰC HIỆN CHƯƠNG TRÌNH", "NĂM 2024",
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trương Cảnh Tuyên", "Nơi nhận: Như trên"]


def test_header_sorts_out_a_signature_table_read_row_by_row():
    parsed = parse(clean([
        Line("KẾ HOẠCH"), Line("Giảm rác thải nhựa"), Line("I. MỤC TIÊU"), Line("1. Giảm túi ni lông."),
        Table((("Nơi nhận:", "TM. ỦY BAN NHÂN DÂN"), ("- Như trên;", "CHỦ TỊCH"), ("- Lưu: VT.", ""),
               ("", "Nguyễn Văn An"), ("", "Nguyễn Văn An"))),
    ]))
    (header,) = header_drafts(parsed)
    assert header.text.split("\n") == [
        "KẾ HOẠCH", "Giảm rác thải nhựa", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An",
        "Nơi nhận: Như trên; Lưu: VT"]
    assert header_drafts(parse(clean([Line("- Tuyên truyền về nhãn sinh thái.")]))) == []


META = DocumentMeta(doc_id="d", source="d.txt", content_hash="0", number="178/KH-UBND", doc_type="Kế hoạch",
                    locality="huyện Cao Lãnh", issued="2021-10-13")


def test_citation_for():
    group = "II. Thúc đẩy sản xuất sạch hơn, xây dựng mạng lưới liên kết sản xuất, hợp tác sản xuất"
    appendix = "Phụ lục: CÁC NHIỆM VỤ CHỦ YẾU VÀ PHÂN CÔNG THỰC HIỆN CHƯƠNG TRÌNH HÀNH ĐỘNG QUỐC GIA"
    assert citation_for(META, {"kind": "table_row", "section": (appendix, group), "label": "II.1"}) == (
        "178/KH-UBND · huyện Cao Lãnh · 13/10/2021 › Phụ lục › II. Thúc đẩy sản xuất sạch hơn… › dòng II.1")
    assert citation_for(META, {"kind": "item", "section": ["I. MỤC ĐÍCH, YÊU CẦU", "2. Yêu cầu"], "label": "b)"}) == (
        "178/KH-UBND · huyện Cao Lãnh · 13/10/2021 › I. MỤC ĐÍCH, YÊU CẦU › 2. Yêu cầu › điểm b")
    bullet = {"kind": "item", "section": (), "label": "-"}
    assert citation_for(META, bullet) == "178/KH-UBND · huyện Cao Lãnh · 13/10/2021"
    header = {"kind": "header", "section": (), "label": None}
    assert citation_for(META, header) == "178/KH-UBND · huyện Cao Lãnh · 13/10/2021 › Thông tin văn bản"
    long_heading = "12. Xây dựng hệ thống cơ sở dữ liệu thông tin và ứng dụng công nghệ thông tin hiện đại thúc đẩy"
    partial = DocumentMeta(doc_id="d", source="d.txt", content_hash="0", doc_type="Công văn", issued="2021-11")
    assert citation_for(partial, {"kind": "paragraph", "section": (long_heading,), "label": None}) == (
        "Công văn · 11/2021 › 12. Xây dựng hệ thống cơ sở dữ liệu thông tin và ứng dụng…")


def test_legacy_encoding_spares_real_vietnamese():
    assert legacy_encoding("Nhiệt độ 25°C © Sở Công Thương · Hà Nội; Hội nghị “Đổi mới”") is None
    assert legacy_encoding("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == "TCVN3 (ABC)"
    assert legacy_encoding("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == "VNI"


def test_dates_read_day_first_as_far_as_they_go():
    from ingest.citation import display_date

    assert display_date("2021-10-13") == "13/10/2021"
    assert display_date("2021-10") == "10/2021"
    assert display_date("2020") == "2020"
    assert display_date(None) is None
