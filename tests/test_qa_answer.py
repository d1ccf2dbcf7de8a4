"""Answer composition over hand-built hits copied from the seed documents."""

import re
from dataclasses import replace

import pytest

from settings import Settings
from index.model import Hit
from ingest.model import DocumentMeta, TaskRow
from qa import kinds
from qa.answer import highlight
from qa.kinds import Context
from qa.extract import Period, dates_in, has_amount, has_figure, leads_in, partners_in, period_of, references_in, states_basis
from qa.model import EN, LEAD
from qa.question import analyze

SETTINGS = Settings(abstain_threshold=0.4)
KNOWN = ["tỉnh Thanh Hóa", "Thanh Hóa", "huyện Cao Lãnh", "Cao Lãnh", "Đồng Tháp", "tỉnh Hậu Giang", "Hậu Giang",
         "huyện Nghi Xuân", "Nghi Xuân", "Hà Tĩnh"]

TH = DocumentMeta("thanh-hoa", "thanh-hoa.txt", "a", doc_type="Kế hoạch", year=2020, locality="tỉnh Thanh Hóa",
                  province="Thanh Hóa")
CL = DocumentMeta("cao-lanh", "cao-lanh.txt", "b", doc_type="Kế hoạch", number="178/KH-UBND", year=2021,
                  locality="huyện Cao Lãnh", province="Đồng Tháp", district="Cao Lãnh")
HG = DocumentMeta("hau-giang", "hau-giang.txt", "c", doc_type="Kế hoạch", number="45/KH-UBND", year=2024,
                  locality="tỉnh Hậu Giang", province="Hậu Giang")
NX = DocumentMeta("nghi-xuan", "nghi-xuan.txt", "d", doc_type="Báo cáo", year=2021, locality="huyện Nghi Xuân",
                  province="Hà Tĩnh", district="Nghi Xuân")
PARTNERS = "UBND cấp huyện và các đơn vị liên quan"
VI_GROUP = "VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái"


def row(doc, label, text, lead, partners=PARTNERS, group=VI_GROUP, period="2021 - 2030"):
    return Hit(id=f"{doc.doc_id}:{label}", text=text, score=1.0, doc=doc, section=f"Phụ lục › {group}",
               citation=f"{doc.doc_id} › dòng {label}", kind="table_row", label=label,
               row=TaskRow(group=group, lead=lead, partners=partners, period=period))


def item(doc, text, section, n):
    return Hit(id=f"{doc.doc_id}:p{n}", text=text, score=1.0, doc=doc, section=section,
               citation=f"{doc.doc_id} › {section}", kind="item")


VI1 = row(TH, "VI.1", "Hướng dẫn áp dụng và vận hành hệ thống chứng nhận, dán nhãn tái chế, nhãn các bon cho sản "
          "phẩm, đặc biệt là các sản phẩm có tiềm năng, có định hướng xuất khẩu. Cung cấp, phổ biến thông tin, nâng "
          "cao năng lực về nhãn sinh thái cho doanh nghiệp, tổ chức và người tiêu dùng. Hướng dẫn áp dụng các công "
          "cụ tính toán suất tiêu hao nhiên liệu, nguyên vật liệu; công cụ tính toán phát thải theo vòng đời sản "
          "phẩm.", "Sở Công Thương")
VI2 = row(TH, "VI.2", "Triển khai chỉ đạo, hướng dẫn về hoạt động dán nhãn xanh và chứng nhận nhãn xanh đối với sản "
          "phẩm thân thiện môi trường.", "Sở Tài nguyên và Môi trường")
VI3 = row(TH, "VI.3", "Triển khai chỉ đạo, hướng dẫn về hoạt động dán nhãn xanh và chứng nhận nhãn xanh đối với các "
          "khu công nghiệp đạt tiêu chí khu công nghiệp sinh thái và doanh nghiệp khu công nghiệp đạt doanh nghiệp "
          "sinh thái.", "BQL Khu Kinh tế Nghi Sơn & các KCN")
VI4 = row(TH, "VI.4", "Triển khai các chỉ đạo, hướng dẫn về chứng nhận và áp dụng nhãn du lịch bền vững, nhãn xanh.",
          "Sở Văn hóa, Thể thao và Du lịch")
IV8 = row(TH, "IV.8", "Xây dựng mạng lưới liên kết hợp tác xã sản xuất và tiêu dùng bền vững trong chuỗi",
          "Liên minh Hợp tác xã Thanh Hóa",
          group="IV. Thúc đẩy sản xuất sạch hơn, sản xuất các sản phẩm thân thiện môi trường")
XI1 = row(TH, "XI.1", "Xây dựng tài liệu, tổ chức tuyên truyền, phổ biến chính sách pháp luật, các mô hình, thực hành "
          "tốt về sản xuất tiêu dùng bền vững trên địa bàn tỉnh Thanh Hóa. Tổ chức các cuộc thi và trao giải thưởng "
          "cho các sáng kiến.", "Sở Công Thương", "Sở Thông tin và Truyền thông, " + PARTNERS,
          "XI. Đẩy mạnh truyền thông về sản xuất và tiêu dùng bền vững")
TH_LEAD = item(TH, "Sở Công Thương là đơn vị đầu mối chủ trì, tham mưu cho UBND tỉnh trong triển khai thực hiện Kế "
               "hoạch này.", "V. TỔ CHỨC THỰC HIỆN", 1)
TH_2025 = item(TH, "85% trở lên các siêu thị, trung tâm thương mại phân phối, sử dụng sản phẩm bao bì thân thiện môi "
               "trường thay thế dần cho sản phẩm bao bì nhựa dùng một lần, khó phân hủy;",
               "II. MỤC TIÊU › 2. Mục tiêu cụ thể › 2.1. Giai đoạn 2021 - 2025", 2)
TH_2030 = item(TH, "100% các siêu thị, trung tâm thương mại sử dụng sản phẩm bao bì thân thiện môi trường thay thế cho "
               "sản phẩm bao bì nhựa sử dụng một lần, khó phân hủy.",
               "II. MỤC TIÊU › 2. Mục tiêu cụ thể › 2.2. Đến năm 2030", 3)
TH_FUNDS = item(TH, "Bố trí ngân sách tỉnh để thực hiện Kế hoạch: Hàng năm các đơn vị được giao chủ trì thực hiện các "
                "nhiệm vụ tại Kế hoạch này xây dựng dự toán kinh phí gửi Sở Tài chính thẩm định.",
                "IV. KINH PHÍ THỰC HIỆN", 4)
CL_60 = item(CL, "Giảm thiểu ít nhất 60% túi nhựa khó phân hủy được sử dụng đối với chợ đạt chuẩn văn minh và 40% đối "
             "với các chợ nông thôn mới.", "II. CHỈ TIÊU CHỦ YẾU › 1. Giai đoạn 2021 – 2025", 1)
CL_90 = item(CL, "Giảm thiểu ít nhất 90% túi nhựa khó phân hủy được sử dụng đối với chợ đạt chuẩn văn minh và 80% đối "
             "với các chợ nông thôn mới.", "II. CHỈ TIÊU CHỦ YẾU › 2. Đến năm 2030", 2)
CL_KTHT = item(CL, "Chủ trì, phối hợp với các đơn vị liên quan tổ chức triển khai thực hiện Kế hoạch. Theo dõi, tổng "
               "hợp, tham mưu UBND Huyện báo cáo kết quả thực hiện về Sở Công Thương theo quy định.",
               "V. TỔ CHỨC THỰC HIỆN › 1. Phòng Kinh tế và Hạ tầng", 3)
CL_TCKH = item(CL, "Phòng Tài chính – Kế hoạch Huyện: Thẩm định kinh phí, tham mưu UBND Huyện bố trí kinh phí thực "
               "hiện theo quy định và phù hợp với khả năng ngân sách Huyện.", "V. TỔ CHỨC THỰC HIỆN", 4)
CL_REPORT = item(CL, "Trên cơ sở các nội dung của Kế hoạch, định kỳ hàng năm (trước ngày 05/12) hoặc đột xuất theo "
                 "yêu cầu, các đơn vị báo cáo kết quả triển khai thực hiện về UBND Huyện (Phòng Kinh tế và Hạ tầng).",
                 "V. TỔ CHỨC THỰC HIỆN", 5)
HG_BASIS = item(HG, "Căn cứ Kế hoạch số 172/KH-UBND ngày 05/10/2021 của UBND tỉnh Hậu Giang về thực hiện Chương trình "
                "hành động quốc gia về sản xuất và tiêu dùng bền vững giai đoạn 2021 - 2030 trên địa bàn tỉnh Hậu "
                "Giang;", "", 1)
NX_DISCS = item(NX, "Ngoài ra, huyện Nghi Xuân đã phối hợp với Cục quản lý thị trường Hà Tĩnh, Sở Khoa học và Công "
                "nghệ phát 29 đĩa tuyên truyền về chống buôn lậu, gian lận thương mại và hàng giả, vệ sinh an toàn "
                "thực phẩm; chỉ đạo các xã, thị trấn treo 12 băng rôn tuyên truyền.",
                "I. KẾT QUẢ THỰC HIỆN › 3. Hoạt động sản xuất và tiêu dùng bền vững", 1)


def ask(question, hits, documents=()):
    """The answer through the question kinds, with `hits` as every search's result."""
    docs = {d.doc_id: d for d in [*documents, *(h.doc for h in hits)]}
    q = analyze(question, KNOWN, docs.values())
    ctx = Context(query=q, filters=q.filters, settings=SETTINGS, documents=docs, depth=8,
                  search=lambda *_: list(hits), assignments=list, hit=None, headers=lambda _: [],
                  clauses=lambda doc_id: [h for h in hits if h.doc.doc_id == doc_id])
    return kinds.answer(ctx)


def cited_numbers(text):
    return [int(n) for n in re.findall(r"\[(\d+)\]", text)]


def test_every_lead_of_a_topic_is_listed_with_its_task_and_citation():
    a = ask("Cơ quan nào chủ trì việc dán nhãn sinh thái?", [VI1, VI2, VI3, VI4, TH_LEAD])
    assert not a.abstained and a.intent == LEAD
    assert set(a.leads) == {"Sở Công Thương", "Sở Tài nguyên và Môi trường", "BQL Khu Kinh tế Nghi Sơn & các KCN",
                            "Sở Văn hóa, Thể thao và Du lịch"}
    assert a.text.startswith(f"Đơn vị chủ trì: {a.leads[0]} [1]; {a.leads[1]} [2]")
    assert "Theo Kế hoạch (tỉnh Thanh Hóa, 2020):" in a.text
    assert "Sở Công Thương: «Cung cấp, phổ biến thông tin, nâng cao năng lực về nhãn sinh thái" in a.text
    assert {h.label for h in a.citations} == {"VI.1", "VI.2", "VI.3", "VI.4"}
    assert [f.citation for f in a.facts] == [1, 2, 3, 4]  # numbered in the order they are listed
    assert [a.citations[f.citation - 1].row.lead for f in a.facts] == a.leads
    assert cited_numbers(a.text) == [1, 2, 3, 4, 1, 2, 3, 4]  # direct answer, then one line per task


def test_english_answer_keeps_vietnamese_names_and_adds_english():
    a = ask("which agency leads eco-labelling?", [VI1, VI2])
    assert a.language == EN
    assert a.text.startswith("Lead agency: Department of Industry and Trade (Sở Công Thương) [1]; "
                             "Department of Natural Resources and Environment (Sở Tài nguyên và Môi trường) [2].")
    assert "According to Plan (Thanh Hóa province, 2020):" in a.text
    assert a.facts[0].english == "Department of Industry and Trade"


def test_english_rendering_keeps_the_place_after_the_name():
    a = ask("Which organisation builds the network of cooperatives for sustainable production and consumption?",
            [IV8, VI1])
    assert "Cooperative Alliance, Thanh Hóa (Liên minh Hợp tác xã Thanh Hóa) [1]" in a.text
    assert [h.label for h in a.citations] == ["IV.8"]  # an unrelated row is not an answer


def test_partners_come_from_the_row_with_the_lead_named():
    a = ask("Nhiệm vụ tổ chức tuyên truyền chính sách pháp luật về sản xuất tiêu dùng bền vững ở Thanh Hóa có những "
            "đơn vị nào phối hợp?", [XI1, TH_LEAD])
    assert a.text.startswith("Đơn vị phối hợp: Sở Thông tin và Truyền thông, UBND cấp huyện")
    assert "nhiệm vụ do Sở Công Thương chủ trì [1]" in a.text


def test_partners_from_prose():
    a = ask("Nghi Xuân phối hợp với cơ quan nào phát đĩa tuyên truyền chống buôn lậu?", [NX_DISCS])
    assert a.text.startswith("Đơn vị phối hợp: Cục quản lý thị trường Hà Tĩnh, Sở Khoa học và Công nghệ [1].")


@pytest.mark.parametrize("question, hits, lead", [
    ("Ai chủ trì tổ chức triển khai kế hoạch ở Cao Lãnh?", [CL_KTHT, CL_TCKH], "Phòng Kinh tế và Hạ tầng"),
    ("Phòng nào thẩm định kinh phí ở Cao Lãnh?", [CL_TCKH, CL_KTHT], "Phòng Tài chính – Kế hoạch Huyện"),
    ("Who leads the implementation of the plan in Thanh Hoa?", [TH_LEAD], "Sở Công Thương"),
])
def test_leads_from_prose(question, hits, lead):
    a = ask(question, hits)
    assert a.leads[0] == lead


def test_the_agency_is_not_repeated_in_its_task():
    a = ask("Phòng nào thẩm định kinh phí ở Cao Lãnh?", [CL_TCKH])
    assert "Phòng Tài chính – Kế hoạch Huyện: «Thẩm định kinh phí," in a.text


def test_figure_for_the_asked_year():
    a = ask("Cao Lãnh đặt mục tiêu giảm bao nhiêu phần trăm túi nhựa khó phân hủy ở chợ đạt chuẩn văn minh đến năm "
            "2030?", [CL_60, CL_90])
    assert "90%" in a.text and "60%" not in a.text
    assert "(đến năm 2030) [1]" in a.text


def test_figures_for_every_period_when_no_year_is_asked():
    a = ask("Cao Lãnh giảm bao nhiêu túi nhựa ở chợ văn minh?", [CL_60, CL_90])
    assert "60%" in a.text and "(giai đoạn 2021–2025)" in a.text
    assert "90%" in a.text and "(đến năm 2030)" in a.text


def test_english_figure_with_period():
    a = ask("What percentage of supermarkets in Thanh Hoa should use eco-friendly packaging by 2025?",
            [TH_2030, TH_2025])
    assert "«85% trở lên các siêu thị" in a.text and "(2021–2025) [1]" in a.text and "100%" not in a.text


def test_basis():
    a = ask("Kế hoạch 45/KH-UBND của Hậu Giang căn cứ vào kế hoạch nào?", [HG_BASIS], [HG])
    assert a.text.startswith("Căn cứ: Kế hoạch số 172/KH-UBND [1].")
    assert "«Kế hoạch số 172/KH-UBND ngày 05/10/2021 của UBND tỉnh Hậu Giang»" in a.text


def test_deadline():
    a = ask("Khi nào các đơn vị ở Cao Lãnh báo cáo kết quả?", [CL_REPORT, CL_KTHT])
    assert a.text.startswith("Thời gian: định kỳ hàng năm; trước ngày 05/12 [1].")


HG_META = DocumentMeta("hau-giang", "hau-giang.txt", "c", doc_type="Kế hoạch", number="45/KH-UBND", year=2024,
                       issued="2024-03-08", signer="Trương Cảnh Tuyên", locality="tỉnh Hậu Giang", province="Hậu Giang")
HG_TITLE = Hit(id="hau-giang:t", text="Kế hoạch 45/KH-UBND thực hiện Chương trình hành động quốc gia về sản xuất và "
               "tiêu dùng bền vững giai đoạn 2021-2030 trên địa bàn tỉnh Hậu Giang trong năm 2024", score=1.0,
               doc=HG_META, section="", citation="45/KH-UBND · tỉnh Hậu Giang · 08/03/2024", kind="heading")


@pytest.mark.parametrize("question, expected", [
    ("Kế hoạch 45/KH-UBND của tỉnh Hậu Giang ban hành ngày nào?",
     "Kế hoạch 45/KH-UBND (tỉnh Hậu Giang, 2024) ban hành ngày 08/03/2024. [1]"),
    ("Ai ký Kế hoạch 45/KH-UBND của UBND tỉnh Hậu Giang?",
     "Kế hoạch 45/KH-UBND (tỉnh Hậu Giang, 2024) do Trương Cảnh Tuyên ký. [1]"),
    ("When was Hau Giang's plan 45/KH-UBND issued?",
     "Plan 45/KH-UBND (Hậu Giang province, 2024) was issued on 8 March 2024. [1]"),
])
def test_questions_about_a_document_itself(question, expected):
    a = ask(question, [HG_TITLE], [HG_META])
    assert not a.abstained and a.text == expected and a.citations == [HG_TITLE]


def test_issue_date_of_a_document_the_index_only_cites():
    text = ("Ngay sau khi có Quyết định số 889/QĐ-TTg, ngày 24/6/2020 của Thủ tướng Chính phủ; Kế hoạch số "
            "214/KH-UBND, ngày 12/10/2020 của UBND tỉnh Thanh Hóa về thực hiện Chương trình.")
    a = ask("On what date was Thanh Hoa's plan 214/KH-UBND issued?", [item(TH, text, "", 9)])
    assert "«Kế hoạch số 214/KH-UBND, ngày 12/10/2020 của UBND tỉnh Thanh Hóa»" in a.text


def test_a_rows_note_says_when():
    r = row(CL, "II.5", "Xây dựng mô hình cụm công nghiệp sinh thái.", "Phòng Kinh tế và Hạ tầng",
            group="II. Thúc đẩy sản xuất sạch hơn", period="2021-2030")
    r = replace(r, row=replace(r.row, note="Khi có hướng dẫn của các Sở, ngành liên quan"))
    a = ask("Khi nào huyện Cao Lãnh triển khai xây dựng mô hình cụm công nghiệp sinh thái?", [r])
    assert a.text.startswith("Thời gian: 2021-2030 (Khi có hướng dẫn của các Sở, ngành liên quan) [1].")


def test_general_question_quotes_the_best_sentence():
    a = ask("Kinh phí thực hiện kế hoạch ở Thanh Hóa được xây dựng dự toán gửi đâu?", [TH_FUNDS])
    assert not a.abstained and "gửi Sở Tài chính thẩm định" in a.text


def test_off_topic_abstains_with_nearest_passages():
    a = ask("how to bake sourdough bread", [VI1, TH_LEAD])
    assert a.abstained and a.confidence < SETTINGS.abstain_threshold
    assert a.text.startswith("The indexed documents do not answer this question.")
    assert a.citations == [VI1, TH_LEAD]
    assert "[1] thanh-hoa › dòng VI.1" in a.text


def test_vietnamese_abstention_message():
    a = ask("Giá vàng hôm nay bao nhiêu?", [CL_60, TH_2025])
    assert a.abstained and a.text.startswith("Các văn bản đã lập chỉ mục không trả lời câu hỏi này.")


def test_missing_field_abstains():
    """The clause is about funding, but states no amount: do not answer a how-much question."""
    a = ask("Kế hoạch của Thanh Hóa bố trí bao nhiêu tỷ đồng kinh phí?", [TH_FUNDS])
    assert a.abstained


def test_unknown_locality_names_the_place_and_the_covered_ones():
    a = ask("Thành phố Hà Nội giao đơn vị nào chủ trì dán nhãn sinh thái?", [VI1])
    assert a.abstained and a.citations == []
    assert a.text.startswith("Các văn bản đã lập chỉ mục không có thông tin về Hà Nội.")
    assert "huyện Cao Lãnh" in a.text and "tỉnh Thanh Hóa" in a.text


def test_no_hits_abstains():
    assert ask("Ai chủ trì dán nhãn sinh thái?", []).abstained


def test_highlight_plain_and_html():
    q = analyze("which agency leads eco-labelling?", KNOWN)
    assert "«nhãn sinh thái»" in highlight(VI1.text, q)
    q = analyze("Ai chủ trì dán nhãn sinh thái?", KNOWN)
    html = highlight("Dán nhãn xanh <b> & nhãn sinh thái", q, html=True)
    assert html == "<mark>Dán nhãn xanh</mark> &lt;b&gt; &amp; <mark>nhãn sinh thái</mark>"


def test_highlight_respects_diacritics_the_question_was_typed_with():
    passage = "Triển khai chỉ đạo, hướng dẫn về hoạt động dán nhãn xanh"
    assert "«dẫn»" not in highlight(passage, analyze("Ai chủ trì dán nhãn sinh thái?", KNOWN))
    assert "«dẫn»" in highlight(passage, analyze("ai chu tri dan nhan sinh thai", KNOWN))


# --- extraction ---------------------------------------------------------------------------------


def test_leads_in_prose_forms():
    assert leads_in("Sở Công Thương là đơn vị đầu mối chủ trì, tham mưu cho UBND tỉnh.", "") == ["Sở Công Thương"]
    assert leads_in("Sở Tài chính có trách nhiệm tham mưu cân đối, bố trí kinh phí.", "") == ["Sở Tài chính"]
    assert leads_in("Chủ trì, phối hợp với các đơn vị.", "V. TỔ CHỨC › 1. Phòng Kinh tế và Hạ tầng") == [
        "Phòng Kinh tế và Hạ tầng"]
    assert leads_in("Chỉ đạo phòng Văn hóa và Thông tin, Trung tâm Văn hóa, thông tin, thể thao và du lịch huyện "
                    "xây dựng nội dung tuyên truyền", "")[0] == "phòng Văn hóa và Thông tin"
    assert leads_in("Tăng cường công tác kiểm tra thị trường.", "II. KẾ HOẠCH") == []


def test_partners_in_prose_run_up_to_the_action():
    assert partners_in(NX_DISCS.text) == "Cục quản lý thị trường Hà Tĩnh, Sở Khoa học và Công nghệ"
    partners = "Ban Tuyên giáo, Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội"
    assert partners_in(f"Phối hợp với {partners} hướng dẫn lực lượng báo cáo viên.") == partners
    assert partners_in("Phối hợp với các ngành chuyên môn Huyện, Ủy ban nhân dân xã, thị trấn tăng cường tuyên "
                       "truyền.") == "các ngành chuyên môn Huyện, Ủy ban nhân dân xã, thị trấn"
    assert partners_in("Tăng cường công tác kiểm tra thị trường.") is None
    # how one works with others is no partner (Cao Lãnh's "Phối hợp tốt với các ngành liên quan")
    assert partners_in("Phối hợp tốt với các ngành liên quan triển khai thực hiện Kế hoạch.") == "các ngành liên quan"


def test_partners_from_the_sentence_that_answers():
    text = ("Phối hợp với các Sở, Ban, Ngành liên quan chủ động cung cấp thông tin về Chương trình. Phối hợp với Ban "
            "Tuyên giáo, Mặt trận Tổ quốc hướng dẫn lực lượng báo cáo viên, tuyên truyền viên ở cơ sở.")
    a = ask("Triệu Sơn phối hợp với cơ quan nào hướng dẫn báo cáo viên, tuyên truyền viên?", [item(NX, text, "", 9)])
    assert a.text.startswith("Đơn vị phối hợp: Ban Tuyên giáo, Mặt trận Tổ quốc [1].")


def test_dates_leave_out_cited_document_dates():
    text = "Thực hiện Công văn số 3352/SCT-KHTH ngày 18/11/2021 của Sở Công Thương, định kỳ 6 tháng báo cáo " \
           "(trước ngày 20/6 và 20/12)."
    assert dates_in(text) == ["định kỳ 6 tháng", "trước ngày 20/6 và 20/12"]


def test_references_and_basis_statements():
    assert references_in(HG_BASIS.text) == [("Kế hoạch số 172/KH-UBND",
                                             "Kế hoạch số 172/KH-UBND ngày 05/10/2021 của UBND tỉnh Hậu Giang")]
    mention = "Cụ thể hóa các nhiệm vụ được đề ra trong Kế hoạch số 172/KH-UBND."
    assert references_in(mention) == [("Kế hoạch số 172/KH-UBND", "Kế hoạch số 172/KH-UBND")]
    assert states_basis(HG_BASIS.text) and not states_basis(mention)


@pytest.mark.parametrize("section, period, expected", [
    ("II. MỤC TIÊU › 2.1. Giai đoạn 2021 - 2025", None, Period(2021, 2025)),
    ("II. CHỈ TIÊU › 2. Đến năm 2030", None, Period(None, 2030)),
    ("Phụ lục › II. Thúc đẩy", "2021-2030", Period(2021, 2030)),
    ("V. TỔ CHỨC THỰC HIỆN", None, None),
])
def test_period_of(section, period, expected):
    assert period_of(section, period) == expected


def test_period_labels():
    assert Period(None, 2030).label("en") == "by 2030" and Period(2021, 2025).label("vi") == "giai đoạn 2021–2025"
    assert Period(None, 2030).covers(2030) and Period(2021, 2025).covers(2023) and not Period(2021, 2025).covers(2030)


# --- "chỉ tiêu" asks for a figure; money and fines need an amount; document questions cite the header -----------

CL_FUNDS = item(CL, "Kinh phí thực hiện Kế hoạch được bố trí từ nguồn ngân sách nhà nước hàng năm và nguồn huy động "
                "hợp pháp khác.", "IV. KINH PHÍ THỰC HIỆN", 6)


def test_chi_tieu_asks_for_the_figure_of_every_period():
    a = ask("Chỉ tiêu giảm túi nhựa khó phân hủy ở chợ đạt chuẩn văn minh của huyện Cao Lãnh?", [CL_90, CL_60])
    assert a.intent == "target" and not a.abstained
    assert "60%" in a.text and "40%" in a.text and "(giai đoạn 2021–2025)" in a.text
    assert "90%" in a.text and "80%" in a.text and "(đến năm 2030)" in a.text


def test_a_goal_question_without_chi_tieu_still_quotes_the_goal():
    assert analyze("Mục tiêu của Hậu Giang năm 2024 là gì?", KNOWN).intent == "general"


@pytest.mark.parametrize("question", [
    "Mức xử phạt hành vi sử dụng túi ni lông tại chợ là bao nhiêu?",
    "Tổng kinh phí thực hiện kế hoạch của huyện Cao Lãnh là bao nhiêu tỷ đồng?",
    "How much funding does the Cao Lanh plan have?",
    "What is the fine for using plastic bags at markets?",
])
def test_a_money_or_fine_question_is_not_answered_with_other_figures(question):
    a = ask(question, [CL_90, CL_60, CL_FUNDS, CL_TCKH])
    assert a.abstained and a.intent == "target"
    assert "90%" not in a.text.split("\n")[0] and not a.facts


def test_where_the_money_comes_from_is_shown_as_nearest_not_as_an_amount():
    a = ask("Tổng kinh phí thực hiện kế hoạch của huyện Cao Lãnh là bao nhiêu tỷ đồng?", [CL_FUNDS, CL_TCKH])
    assert a.abstained and CL_FUNDS in a.citations


def test_a_money_question_is_answered_by_an_amount():
    funds = item(CL, "Tổng kinh phí thực hiện Kế hoạch là 1,5 tỷ đồng từ nguồn ngân sách Huyện.",
                 "IV. KINH PHÍ THỰC HIỆN", 7)
    a = ask("Tổng kinh phí thực hiện kế hoạch của huyện Cao Lãnh là bao nhiêu tỷ đồng?", [CL_90, funds])
    assert not a.abstained and "1,5 tỷ đồng" in a.text and "90%" not in a.text


def test_amounts_and_figures_in_clause_text():
    assert has_amount("phạt tiền từ 500.000 đồng đến 1.000.000 đồng") and has_amount("20 triệu VNĐ")
    assert not has_amount(CL_FUNDS.text) and not has_amount(CL_90.text)
    assert not has_figure("Thực hiện Quyết định số 889/QĐ-TTg ngày 24 tháng 6 năm 2020 của Thủ tướng Chính phủ")
    assert has_figure("Giảm 5 - 8% mức tiêu hao nguyên nhiên vật liệu")


TH_META = DocumentMeta("thanh-hoa", "thanh-hoa.txt", "a", doc_type="Kế hoạch", year=2020, signer="Mai Xuân Liêm",
                       locality="tỉnh Thanh Hóa", province="Thanh Hóa")
TH_HEADER = Hit(id="thanh-hoa:h", text="KẾ HOẠCH\nThực hiện Chương trình hành động quốc gia về sản xuất và tiêu dùng "
                "bền vững giai đoạn 2021 - 2030 trên địa bàn tỉnh Thanh Hóa\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nMai Xuân Liêm",
                score=1.0, doc=TH_META, section="", citation="Kế hoạch · tỉnh Thanh Hóa · 2020 › Thông tin văn bản",
                kind="header")


def test_a_signer_question_cites_the_documents_header():
    a = ask("Who signed the Thanh Hoa provincial plan?", [replace(VI1, doc=TH_META), TH_HEADER], [TH_META])
    assert "Mai Xuân Liêm" in a.text and a.citations == [TH_HEADER]


def test_the_engine_fetches_the_header_it_cites(built):
    from qa.engine import PolicyQA
    qa = PolicyQA.open(settings=built, build=False)
    a = qa.ask("Who signed the Thanh Hoa provincial plan?")
    assert "Mai Xuân Liêm" in a.text and a.citations[0].kind == "header"
    assert a.citations[0].citation.endswith("› Thông tin văn bản") and "Mai Xuân Liêm" in a.citations[0].text


def test_a_disease_name_is_no_figure():
    assert not has_figure("Năm 2021 do dịch COVID-19 diễn ra phức tạp nên việc hỗ trợ có phần bị hạn chế.")
    assert has_figure("hỗ trợ cho 2 doanh nghiệp") and has_figure("đạt 95%")
