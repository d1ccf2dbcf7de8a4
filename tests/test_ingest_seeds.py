"""Ingest of the five real seed documents in corpus/: counts, rows, structure, header, metadata, ids."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from ingest import Document, citation_for, ingest_file, ingest_paths

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CAO_LANH = "cao-lanh-dong-thap_ke-hoach-178-kh-ubnd_2021"
HAU_GIANG = "hau-giang_ke-hoach-45-kh-ubnd_2024"
NGHI_XUAN = "nghi-xuan-ha-tinh_bao-cao_2021"
THANH_HOA = "thanh-hoa_ke-hoach_2020"
TRIEU_SON = "trieu-son-thanh-hoa_cong-van-bao-cao-ubnd-ktht_2021"


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    result = ingest_paths([CORPUS])
    assert result.errors == []
    return {d.meta.doc_id: d for d in result.documents}


def rows(doc: Document, kind: str = "table_row"):
    return [c for c in doc.clauses if c.kind == kind]


def row(doc: Document, label: str):
    (found,) = [c for c in rows(doc) if c.label == label]
    return found


def clause(doc: Document, text_start: str, kind: str | None = None):
    (found,) = [c for c in doc.clauses if c.text.startswith(text_start) and kind in (None, c.kind)]
    return found


@pytest.mark.parametrize(("doc_id", "counts"), [
    (CAO_LANH, {"header": 1, "heading": 9, "paragraph": 8, "item": 18, "table_group": 3, "table_row": 15}),
    (HAU_GIANG, {"header": 1, "heading": 6, "paragraph": 4, "item": 16}),
    (NGHI_XUAN, {"header": 1, "heading": 5, "paragraph": 5, "item": 7}),
    (THANH_HOA, {"header": 1, "heading": 27, "paragraph": 33, "item": 21, "table_group": 15, "table_row": 59}),
    (TRIEU_SON, {"header": 1, "paragraph": 4, "item": 5}),
])
def test_clause_counts(docs, doc_id, counts):
    assert Counter(c.kind for c in docs[doc_id].clauses) == counts


def test_thanh_hoa_groups_hold_the_tasks_section_iii_announces(docs):
    doc = docs[THANH_HOA]
    announced = [int(m[1]) for c in doc.clauses if (m := re.match(r"Nhiệm vụ: Gồm (\d+) nhiệm vụ", c.text))]
    assert announced == [6, 2, 1, 8, 7, 4, 4, 3, 5, 3, 3, 6, 3, 2, 2]
    per_group = Counter(r.row.group for r in rows(doc))
    assert [per_group[g.row.group] for g in rows(doc, "table_group")] == announced
    assert rows(doc, "table_group")[5].row.group == "VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái"


def test_thanh_hoa_task_rows(docs):
    doc = docs[THANH_HOA]
    assert row(doc, "VI.1").row.lead == "Sở Công Thương"
    assert row(doc, "VI.2").row.lead == "Sở Tài nguyên và Môi trường"
    assert row(doc, "VI.3").row.lead == "BQL Khu Kinh tế Nghi Sơn & các KCN"
    assert row(doc, "XIV.1").row.lead == "Ngân hàng Nhà nước chi nhánh Thanh Hóa"
    assert row(doc, "III.1").row.partners == ("UBND cấp huyện; Trung tâm xúc tiến đầu tư, Thương mại và Du lịch; "
                                          "các hiệp hội và các đơn vị liên quan")
    # Only the group rows carry the period: every task inherits its group's.
    assert {r.row.period for r in rows(doc)} == {"2021 - 2030"}
    assert all(r.row.note is None for r in rows(doc))
    vi1 = row(doc, "VI.1")
    assert vi1.text.startswith("Hướng dẫn áp dụng và vận hành hệ thống chứng nhận, dán nhãn tái chế")
    assert "Cung cấp, phổ biến thông tin, nâng cao năng lực về nhãn sinh thái" in vi1.text
    assert vi1.row.group == "VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái"
    assert vi1.section == (
        "Phụ lục: Danh mục các nhiệm vụ chủ yếu thuộc Kế hoạch của UBND tỉnh Thanh Hóa thực hiện Chương trình "
        "hành động quốc gia về sản xuất và tiêu dùng bền vững giai đoạn 2021-2030",
        "VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái",
    )
    assert vi1.citation == ("Kế hoạch · tỉnh Thanh Hóa · 2020 › Phụ lục › "
                            "VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái › dòng VI.1")


def test_cao_lanh_task_rows(docs):
    doc = docs[CAO_LANH]
    assert [g.label for g in rows(doc, "table_group")] == ["I", "II", "III"]
    assert [r.label for r in rows(doc)] == [*(f"{g}.{n}" for g in ("I", "II") for n in range(1, 8)), "III.1"]
    assert row(doc, "I.7").row.lead == "Phòng Y tế"
    assert row(doc, "II.5").row.note == "Khi có hướng dẫn của các Sở, ngành liên quan"
    assert row(doc, "II.1").row.period == "2021 - 2025"
    assert row(doc, "II.5").row.period == "2021-2030"


def test_cao_lanh_rows_split_by_page_breaks_are_merged(docs):
    doc = docs[CAO_LANH]
    i4 = row(doc, "I.4")
    assert i4.text == ("Tuyên truyền phổ biến chính sách, pháp luật, kiến thức, thông tin về sản xuất và "
                       "tiêu dùng bền vững thông qua hệ thống truyền thanh.")
    assert i4.row.partners == ("Các ban, ngành, tổ chức chính trị - xã hội, UBND cấp xã và các đơn vị có liên quan")
    assert i4.row.lead == "Phòng Văn hóa và Thông tin" and i4.row.period == "2021 - 2030"
    ii1 = row(doc, "II.1")
    assert ii1.row.lead == "Phòng Kinh tế và Hạ tầng"
    assert ii1.text.startswith("Phối hợp Sở Công Thương hỗ trợ nhân rộng các mô hình")
    assert ii1.row.partners.endswith("tổ chức chính trị - xã hội, UBND cấp xã và các đơn vị có liên quan")
    iii1 = row(doc, "III.1")
    assert "Triển khai các hoạt động xúc tiến thương mại" in iii1.text  # first half
    assert "Khuyến khích các cửa hàng tiện lợi, chợ truyền thống" in iii1.text  # second half, after the break
    assert iii1.text.endswith(
        "một lần. - Phát triển mô hình chuỗi liên kết các ngành hàng chủ lực theo hướng bền vững.")
    assert "<" not in iii1.text and "style" not in iii1.text
    assert ii1.citation == ("178/KH-UBND · huyện Cao Lãnh · 13/10/2021 › Phụ lục › "
                            "II. Thúc đẩy sản xuất sạch hơn… › dòng II.1")


def body(doc: Document):
    return [c for c in doc.clauses if c.kind != "header"]


def header(doc: Document):
    (found,) = [c for c in doc.clauses if c.kind == "header"]
    return found


def test_no_markup_footer_or_front_matter_in_clauses(docs):
    texts = [v for d in docs.values() for c in body(d)
             for v in (c.text, c.row.lead, c.row.partners, c.row.period, c.row.note, c.row.group, *c.section) if v]
    assert texts
    for text in texts:
        assert not re.search(r"</?[a-zA-Z]+[\s>]", text), text
        for junk in ("Chủ quản", "ThuVienNhaDat", "[...]", "**", "-----", "CỘNG HÒA", "Độc lập - Tự do",
                     "Nơi nhận", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Số hiệu", "Người ký", "Kèm theo"):
            assert junk not in text, (junk, text)
    signers = {d.meta.signer for d in docs.values()}
    assert not [c for d in docs.values() for c in body(d) if c.text in signers]
    assert not [c for d in docs.values() for c in body(d) if c.text.isdigit() or c.text.startswith("Số:")]


@pytest.mark.parametrize(("doc_id", "lines"), [
    (CAO_LANH, ["Số: 178 /KH-UBND", "Cao Lãnh, ngày 13 tháng 10 năm 2021", "KẾ HOẠCH", "TM. ỦY BAN NHÂN DÂN",
                "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Minh Tuấn"]),  # the signer is typed twice in the file
    (HAU_GIANG, ["Số hiệu 45/KH-UBND", "Ngày ban hành 08/03/2024", "Người ký Trương Cảnh Tuyên",
                 "Lĩnh vực Thương mại", "ỦY BAN NHÂN DÂN", "TỈNH HẬU GIANG", "Hậu Giang, ngày 08 tháng 3 năm 2024"]),
    (NGHI_XUAN, ["BÁO CÁO", "Kết quả thực hiện chương trình sản xuất tiêu dùng bền vững năm 2021",
                 "Nguyễn Viết Hưng"]),
    (THANH_HOA, ["KẾ HOẠCH", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Mai Xuân Liêm"]),
    (TRIEU_SON, ["ỦY BAN NHÂN DÂN", "HUYỆN TRIỆU SƠN", "Số: /UBND-KTHT", "Triệu Sơn, ngày tháng 11 năm 2021",
                 "V/v báo cáo kết quả triển khai thực hiện Chương trình sản xuất và tiêu dùng bền vững năm 2021.",
                 "Bùi Huy Dũng"]),
])
def test_header_clause_holds_the_front_matter_and_sign_off(docs, doc_id, lines):
    doc = docs[doc_id]
    found = header(doc)
    assert (found.order, found.section, found.label) == (0, (), None)
    assert found is doc.clauses[0]
    assert found.citation == citation_for(doc.meta, {}) + " › Thông tin văn bản"
    text_lines = found.text.split("\n")
    for line in lines:
        assert text_lines.count(line) == 1, (line, text_lines)
    # ordered as in the file: front matter, then signature block, then the recipients on one line
    assert [text_lines.index(line) for line in lines] == sorted(text_lines.index(line) for line in lines)
    assert text_lines[-1].startswith("Nơi nhận: ") or doc_id == HAU_GIANG
    assert "Chủ quản" not in found.text and "Kính gửi" not in found.text and "Kèm theo" not in found.text


def test_header_clause_opens_with_the_page_title_and_closes_with_the_recipients(docs):
    hau_giang = header(docs[HAU_GIANG])
    assert hau_giang.citation == "45/KH-UBND · tỉnh Hậu Giang · 08/03/2024 › Thông tin văn bản"
    assert hau_giang.text.startswith("Kế hoạch 45/KH-UBND thực hiện Chương trình")  # the page title comes first
    assert header(docs[TRIEU_SON]).text.endswith(
        "\nNơi nhận: Như kính gửi (b/cáo); Chủ tịch UBND huyện (b/cáo); Các PCT UBND huyện; Lưu: VT, KTHT")


def test_header_lines_are_not_also_body_clauses(docs):
    """A header line glued onto a body clause would start it; a body sentence may still quote the title."""
    for doc in docs.values():
        texts = [v for c in body(doc) for v in (c.text, c.row.lead, c.row.partners, c.row.period, c.row.note, c.row.group) if v]
        for line in header(doc).text.split("\n"):
            assert not [t for t in texts if t.startswith(line)], line


def test_paragraphs_cut_by_page_breaks_are_rejoined(docs):
    item = clause(docs[TRIEU_SON], "Tập trung tuyên truyền về các chủ trương")
    assert "cộng đồng dân cư về sản xuất và tiêu dùng bền vững; Tuyên truyền về thúc đẩy sản xuất sạch hơn" in item.text
    assert item.text.endswith("hài hòa với thiên nhiên và bảo vệ môi trường.")
    item = clause(docs[NGHI_XUAN], "Năm 2021 do dịch COVID-19")
    assert "chỉ đạo các địa phương, cơ sở sản xuất xây dựng các sản phẩm nông nghiệp" in item.text
    assert item.text.endswith("trong năm đã có 4 sản phẩm OCOP đạt 3 sao trở lên.")
    assert not [c for d in docs.values() for c in d.clauses if c.text[0].islower()]


def test_section_paths(docs):
    doc = docs[THANH_HOA]
    heading = clause(doc, "Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái", "heading")
    assert (heading.kind, heading.label, heading.section) == ("heading", "6.", ("III. NHIỆM VỤ CHỦ YẾU",))
    content = clause(doc, "Nội dung: Nâng cao hiểu biết về nhãn sinh thái")
    assert content.section == ("III. NHIỆM VỤ CHỦ YẾU", "6. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái")
    assert content.citation == ("Kế hoạch · tỉnh Thanh Hóa · 2020 › III. NHIỆM VỤ CHỦ YẾU › "
                                "6. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái")
    assert heading.citation == "Kế hoạch · tỉnh Thanh Hóa · 2020 › III. NHIỆM VỤ CHỦ YẾU › mục 6"
    group = clause(doc, "Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái", "table_group")
    assert (group.label, group.row.period, group.section) == ("VI", "2021 - 2030", vi_section(doc)[:1])
    target = clause(doc, "70% các khu kinh tế")
    assert target.section == ("II. MỤC TIÊU", "2. Mục tiêu cụ thể", "2.1. Giai đoạn 2021 - 2025")
    assert target.label == "-"


def vi_section(doc: Document) -> tuple[str, ...]:
    return row(doc, "VI.1").section


def test_numbered_headings_and_numbered_items(docs):
    hau_giang = docs[HAU_GIANG]
    goal = clause(hau_giang, "Kịp thời cụ thể hóa các chính sách")
    assert (goal.kind, goal.label, goal.section) == ("item", "1.", ("II. MỤC TIÊU",))
    assert goal.citation == "45/KH-UBND · tỉnh Hậu Giang · 08/03/2024 › II. MỤC TIÊU › mục 1"
    assert clause(hau_giang, "Mục đích").kind == "heading"
    point = clause(hau_giang, "Phát huy tối đa tiềm năng")
    assert (point.kind, point.label, point.section) == ("item", "b)", ("I. MỤC ĐÍCH, YÊU CẦU", "2. Yêu cầu"))
    cao_lanh = docs[CAO_LANH]
    assert clause(cao_lanh, "Phòng Kinh tế và Hạ tầng").kind == "heading"
    finance = clause(cao_lanh, "Phòng Tài chính – Kế hoạch Huyện: Thẩm định kinh phí")
    assert (finance.kind, finance.label, finance.section) == ("item", "2.", ("V. TỔ CHỨC THỰC HIỆN",))
    assert clause(cao_lanh, "Tham mưu đề xuất thực hiện nhiệm vụ").section == (
        "V. TỔ CHỨC THỰC HIỆN", "1. Phòng Kinh tế và Hạ tầng")


def test_preamble_paragraphs_are_clauses(docs):
    for doc_id, start in [
        (HAU_GIANG, "Thực hiện Quyết định số 889/QĐ-TTg"), (HAU_GIANG, "Căn cứ Kế hoạch số 172/KH-UBND"),
        (THANH_HOA, "Thực hiện Quyết định số 889/QĐ-TTg"), (CAO_LANH, "Thực hiện Kế hoạch số 07/KH-UBND"),
        (NGHI_XUAN, "Kính gửi: Sở Công Thương tỉnh Hà Tĩnh"), (TRIEU_SON, "Ngay sau khi có Quyết định"),
    ]:
        found = clause(docs[doc_id], start)
        assert (found.kind, found.section) == ("paragraph", ())


def test_no_clause_swallows_a_section(docs):
    longest = max(len(c.text) for d in docs.values() for c in d.clauses)
    assert longest < 1500


def test_titles_are_metadata_not_clauses(docs):
    for doc in docs.values():
        assert doc.meta.title and not [c for c in doc.clauses if c.text == doc.meta.title]


EXPECTED_META = {
    CAO_LANH: dict(
        title="Thực hiện Chương trình hành động quốc gia về sản xuất và tiêu dùng bền vững giai đoạn 2021 – 2030 "
              "trên địa bàn huyện Cao Lãnh",
        doc_type="Kế hoạch", number="178/KH-UBND", issued="2021-10-13", year=2021, issuer="UBND huyện Cao Lãnh",
        locality="huyện Cao Lãnh", province="Đồng Tháp", district="Cao Lãnh", signer="Nguyễn Minh Tuấn",
        legal_bases=("07/KH-UBND",)),
    HAU_GIANG: dict(
        title="Thực hiện Chương trình hành động quốc gia về sản xuất và tiêu dùng bền vững giai đoạn 2021-2030 "
              "trên địa bàn tỉnh Hậu Giang trong năm 2024",
        doc_type="Kế hoạch", number="45/KH-UBND", issued="2024-03-08", year=2024, issuer="UBND tỉnh Hậu Giang",
        locality="tỉnh Hậu Giang", province="Hậu Giang", district=None, signer="Trương Cảnh Tuyên",
        legal_bases=("889/QĐ-TTg", "3529/QĐ-BCT", "172/KH-UBND")),
    NGHI_XUAN: dict(
        title="Kết quả thực hiện chương trình sản xuất tiêu dùng bền vững năm 2021",
        doc_type="Báo cáo", number=None, issued=None, year=2021, issuer="UBND huyện Nghi Xuân",
        locality="huyện Nghi Xuân", province="Hà Tĩnh", district="Nghi Xuân", signer="Nguyễn Viết Hưng",
        legal_bases=("7664/UBND-KT₂",)),
    THANH_HOA: dict(
        title="Thực hiện Chương trình hành động quốc gia về sản xuất và tiêu dùng bền vững giai đoạn 2021 - 2030 "
              "trên địa bàn tỉnh Thanh Hóa",
        doc_type="Kế hoạch", number=None, issued="2020", year=2020, issuer="UBND tỉnh Thanh Hóa",
        locality="tỉnh Thanh Hóa", province="Thanh Hóa", district=None, signer="Mai Xuân Liêm",
        legal_bases=("889/QĐ-TTg",)),
    TRIEU_SON: dict(
        title="Báo cáo kết quả triển khai thực hiện Chương trình sản xuất và tiêu dùng bền vững năm 2021",
        doc_type="Công văn", number=None, issued="2021-11", year=2021, issuer="UBND huyện Triệu Sơn",
        locality="huyện Triệu Sơn", province="Thanh Hóa", district="Triệu Sơn", signer="Bùi Huy Dũng",
        legal_bases=("3352/SCT-KHTH", "889/QĐ-TTg", "214/KH-UBND")),
}


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_META))
def test_metadata(docs, doc_id):
    meta = docs[doc_id].meta
    assert {k: getattr(meta, k) for k in EXPECTED_META[doc_id]} == EXPECTED_META[doc_id]
    assert meta.source == f"{doc_id}.txt"
    assert len(meta.content_hash) == 64


def test_ids_are_unique_and_stable_across_runs(docs):
    again = {d.meta.doc_id: d for d in ingest_paths([CORPUS]).documents}
    for doc_id, doc in docs.items():
        ids = [c.id for c in doc.clauses]
        assert len(set(ids)) == len(ids)
        assert all(i.startswith(f"{doc_id}:") for i in ids)
        assert ids == [c.id for c in again[doc_id].clauses]
        assert [c.order for c in doc.clauses] == list(range(len(ids)))
    single = ingest_file(CORPUS / f"{CAO_LANH}.txt")
    assert single.clauses == docs[CAO_LANH].clauses


def test_clauses_round_trip_through_dicts(docs):
    from ingest import Clause, DocumentMeta

    doc = docs[CAO_LANH]
    assert DocumentMeta.from_dict(doc.meta.to_dict()) == doc.meta
    assert [Clause.from_dict(c.to_dict()) for c in doc.clauses] == list(doc.clauses)
