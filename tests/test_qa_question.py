"""Question analysis: language, intent, scope, expansion, content terms."""

import pytest

from ingest.model import DocumentMeta
from qa.model import BASIS, EN, GENERAL, LEAD, PARTNER, TARGET, VI, WHEN
from qa.question import analyze

KNOWN = ["huyện Cao Lãnh", "Cao Lãnh", "Đồng Tháp", "tỉnh Thanh Hóa", "Thanh Hóa", "Hậu Giang", "Triệu Sơn",
         "Nghi Xuân", "Hà Tĩnh"]


@pytest.mark.parametrize("question, language, accented", [
    ("Cơ quan nào chủ trì dán nhãn sinh thái?", VI, True),
    ("phong nao chu tri dan nhan sinh thai o Cao Lanh", VI, False),
    ("which agency leads eco-labelling?", EN, False),
    ("Which tasks does Sở Tài chính lead in Thanh Hóa?", EN, True),
    ("bao nhieu", VI, False),
])
def test_language(question, language, accented):
    q = analyze(question, KNOWN)
    assert (q.language, q.accented) == (language, accented)
    assert q.folded == (language == VI and not accented)


@pytest.mark.parametrize("question, intent", [
    ("Cơ quan nào chủ trì việc dán nhãn sinh thái?", LEAD),
    ("Ai phụ trách mua sắm công xanh?", LEAD),
    ("phong nao chu tri thu gom bao bi thuoc bao ve thuc vat", LEAD),
    ("Who is in charge of attracting international resources?", LEAD),
    ("Which organisation builds the network of cooperatives?", LEAD),  # "cooperatives" is no partner cue
    ("Which Cao Lanh division promotes eco-tourism?", LEAD),
    ("What body handles green credit?", LEAD),
    ("Nhiệm vụ tuyên truyền có những đơn vị nào phối hợp?", PARTNER),
    ("Nghi Xuân phối hợp với cơ quan nào phát đĩa tuyên truyền?", PARTNER),
    ("Đơn vị nào chủ trì, phối hợp Sở Công Thương nhân rộng mô hình?", LEAD),
    ("Which agencies coordinate on the database?", PARTNER),
    ("Các đơn vị báo cáo kết quả trước ngày nào?", WHEN),
    ("cac don vi bao cao khi nao", WHEN),
    ("What is the deadline for reports?", WHEN),
    ("Giảm bao nhiêu phần trăm túi nhựa đến năm 2030?", TARGET),
    ("ty le thu gom rac thai bao nhieu", TARGET),
    ("What percentage of supermarkets use eco-friendly packaging?", TARGET),
    ("Kế hoạch 45/KH-UBND căn cứ vào kế hoạch nào?", BASIS),
    ("Which plan is the Cao Lanh plan based on?", BASIS),
    ("Vì sao việc hỗ trợ doanh nghiệp bị ảnh hưởng?", GENERAL),
    ("Sở Công Thương chủ trì thiết kế sinh thái cho những sản phẩm nào?", GENERAL),  # names the agency
    ("Thời gian tới Nghi Xuân sẽ làm gì?", GENERAL),
])
def test_intent(question, intent):
    assert analyze(question, KNOWN).intent == intent


@pytest.mark.parametrize("question, locality", [
    ("Ở huyện Cao Lãnh, đơn vị nào tuyên truyền?", "Cao Lãnh"),
    ("o Cao Lanh phong nao chu tri", "Cao Lãnh"),
    ("What percentage of supermarkets in Thanh Hoa use eco-friendly packaging?", "Thanh Hóa"),
    ("Ai chủ trì ở Thanh Hoá?", "Thanh Hóa"),  # the other tone-mark convention
    ("Ai chủ trì dán nhãn sinh thái?", None),
])
def test_locality_scope(question, locality):
    q = analyze(question, KNOWN)
    assert q.filters.locality == locality
    assert q.unknown_locality is None


@pytest.mark.parametrize("question, place", [
    ("Thành phố Hà Nội giao đơn vị nào chủ trì dán nhãn sinh thái?", "Hà Nội"),
    ("Who leads eco-labelling in Da Nang?", "Đà Nẵng"),
    ("TP.HCM đặt mục tiêu bao nhiêu phần trăm?", "Hồ Chí Minh"),
    ("Huyện Gia Lâm giao phòng nào chủ trì thu gom rác thải?", "Gia Lâm"),
    ("huyen Dong Anh giao ai chu tri san xuat sach hon", "Dong Anh"),
])
def test_unknown_place(question, place):
    q = analyze(question, KNOWN)
    assert q.unknown_locality == place
    assert "huyện Cao Lãnh" in q.localities and "Cao Lãnh" not in q.localities  # one name per place


def test_known_place_wins_over_another_place():
    q = analyze("Nghi Xuân phối hợp với Cục quản lý thị trường Hà Tĩnh thế nào?", KNOWN)
    assert q.unknown_locality is None and q.filters.locality == "Nghi Xuân"


def test_document_number_scopes_the_search():
    doc = DocumentMeta("hau-giang-45", "hg.txt", "h", number="45/KH-UBND", locality="tỉnh Hậu Giang")
    q = analyze("Kế hoạch 45 /KH-UBND của Hậu Giang căn cứ vào kế hoạch nào?", KNOWN, [doc])
    assert q.filters.doc_ids == ("hau-giang-45",)
    assert all("45" not in a for t in q.terms for a in t.alternatives)  # scope is not a topic word


def test_years_are_read_and_not_scored():
    q = analyze("Cao Lãnh giảm bao nhiêu túi nhựa đến năm 2030?", KNOWN)
    assert q.years == (2030,)
    assert all("2030" not in a for t in q.terms for a in t.alternatives)


@pytest.mark.parametrize("question, expected", [
    ("Sở TN&MT chủ trì nhiệm vụ gì?", "Sở Tài nguyên và Môi trường"),
    ("UBND cấp xã làm gì?", "Ủy ban nhân dân"),
    ("Ai tuyên truyền hạn chế túi ni lông?", "túi nhựa"),
    ("Ai chủ trì dán nhãn sinh thái?", "dán nhãn xanh"),
    ("dien mat troi o Cao Lanh do phong nao chu tri", "điện mặt trời"),  # accents restored for search
    ("which agency leads eco-labelling?", "nhãn sinh thái"),
    ("Who leads green public procurement?", "mua sắm công xanh"),
    ("Who promotes cleaner production and the circular economy?", "kinh tế tuần hoàn"),
    ("Who encourages environmentally friendly transport and biofuels?", "nhiên liệu sinh học"),
    ("Which organisation builds the network of cooperatives?", "hợp tác xã"),
    ("Who works with the Department of Finance?", "Sở Tài chính"),
    ("Which plan is it based on?", "căn cứ"),  # basis cues are searched in Vietnamese too
])
def test_expansion(question, expected):
    assert expected in analyze(question, KNOWN).expansion


def test_lead_cue_is_not_searched_for_english():
    """"chủ trì" would pull up the general coordination clauses over the task rows."""
    assert "chủ trì" not in analyze("which agency leads eco-labelling?", KNOWN).expansion


def test_multiword_glossary_phrase_wins():
    q = analyze("Who leads green public procurement?", KNOWN)
    # one term, the glossary's phrase first (its synonym group's other spellings may follow)
    assert [t.alternatives[1] for t in q.terms] == ["mua sắm công xanh"]


def test_terms_leave_out_question_words_and_keep_word_pairs():
    q = analyze("Ai chủ trì xây dựng mô hình cụm công nghiệp sinh thái?", KNOWN)
    words = [t.alternatives[0] for t in q.terms]
    assert "ai" not in words and "chủ trì" not in words
    assert "cụm công nghiệp sinh thái" in words  # a synonym phrase is one term
    assert any("hình cụm công nghiệp sinh thái" in t.alternatives for t in q.terms)  # and pairs with its neighbour


def test_english_terms_carry_vietnamese_and_weigh_content_words():
    q = analyze("Who is the chairman of the People's Committee?", KNOWN)
    weights = {t.alternatives[0]: t.weight for t in q.terms}
    assert weights == {"chairman": 1.0, "people s committee": 2.0}
    assert "Ủy ban nhân dân" in next(t for t in q.terms if t.weight == 2).alternatives


@pytest.mark.parametrize("question, asked", [
    # the one place named becomes the filter, not a search term that favours closing sentences
    ("Năm 2024 Hậu Giang đặt mục tiêu áp dụng bao nhiêu mô hình?", "Năm 2024 đặt mục tiêu áp dụng bao nhiêu mô hình?"),
    ("nam 2024 hau giang dat muc tieu ap dung bao nhieu mo hinh", "nam 2024 dat muc tieu ap dung bao nhieu mo hinh"),
    # about the document itself: its header names the place
    ("Ai ký kế hoạch của UBND tỉnh Thanh Hóa?", None),
    # two places: one scopes, the other is what the question is about
    ("Kế hoạch của tỉnh Thanh Hóa mà huyện Triệu Sơn căn cứ có số hiệu gì?", None),
])
def test_the_index_is_asked_without_the_place_the_filter_scopes_to(question, asked):
    q = analyze(question, KNOWN)
    assert q.filters.locality
    assert q.search_text == (asked or q.text)


def test_a_longer_phrase_starting_inside_a_cue_wins_the_shared_word():
    q = analyze("Which Ministry of Industry and Trade decision does the plan cite?", KNOWN)
    assert "Bộ Công Thương" in q.expansion
    assert q.intent == "basis"


@pytest.mark.parametrize("question, field, asked_type", [
    ("Kế hoạch của Hậu Giang có số hiệu là gì?", "number", None),
    ("KH cua Cao Lanh so bao nhieu", "number", None),
    ("Báo cáo của Triệu Sơn viện dẫn kế hoạch số bao nhiêu?", None, "Kế hoạch"),  # another document's
    ("Kế hoạch của Cao Lãnh thực hiện kế hoạch số mấy của tỉnh?", None, "Kế hoạch"),
    ("Năm 2025 có bao nhiêu doanh nghiệp được hỗ trợ?", None, None),  # a figure, not a number of a document
])
def test_a_documents_number_is_a_document_question(question, field, asked_type):
    q = analyze(question, KNOWN)
    assert (q.document_field, q.asked_type) == (field, asked_type)
    assert q.intent == ("target" if field is None and asked_type is None else "basis")


@pytest.mark.parametrize("question, several", [
    ("Hỗ trợ bao nhiêu doanh nghiệp và chọn bao nhiêu doanh nghiệp điển hình?", True),
    ("ho tro bao nhieu doanh nghiep va chon may doanh nghiep", True),
    ("How many firms, and how much funding?", True),
    ("Hỗ trợ bao nhiêu doanh nghiệp?", False),
])
def test_several_figures_asked(question, several):
    from qa.question import asks_several_figures
    q = analyze(question, KNOWN)
    assert asks_several_figures(q.text, q.language, q.folded) == several


@pytest.mark.parametrize("question, asks", [
    ("Nghi Xuân sẽ làm gì trong thời gian tới?", True),
    ("Thanh Hóa có những nhiệm vụ chủ yếu nào?", True),
    ("Hậu Giang có những giải pháp gì?", True),
    ("thanh hoa co nhung giai phap gi", True),
    ("What measures does the Hau Giang plan set out?", True),
    ("Ai chủ trì dán nhãn sinh thái?", False),
    ("Tỷ lệ siêu thị dùng bao bì thân thiện môi trường là bao nhiêu?", False),
])
def test_a_question_for_every_item_of_a_kind(question, asks):
    assert analyze(question, KNOWN).asks_list is asks
