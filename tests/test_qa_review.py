"""Reviewer findings: dates of cited documents, partner clauses, header quotes, own number as basis,
English targets, "what does agency X lead?", generic document words, follow-ups, notes, date+signer."""

from __future__ import annotations

import pytest

from qa import PolicyQA
from qa.extract import dates_in, deadlines_in, leads_in
from qa.question import analyze


@pytest.fixture(scope="module")
def engine(built) -> PolicyQA:
    return PolicyQA.open(settings=built, build=False)


def test_a_cited_documents_date_is_no_deadline():
    text = ("Thực hiện Công văn số 3352/SCT-KHTH ngày 18/11/2021 của Sở Công Thương Thanh Hóa về việc đề nghị báo "
            "cáo kết quả thực hiện Chương trình sản xuất và tiêu dùng bền vững năm 2021")
    assert deadlines_in(text) == []
    assert dates_in(text) == ["ngày 18/11/2021"]  # still there for "from which date" questions
    assert deadlines_in("định kỳ 6 tháng báo cáo kết quả thực hiện về Sở Công Thương (trước ngày 20/6 và 20/12)") \
        == ["định kỳ 6 tháng", "trước ngày 20/6 và 20/12"]


def test_when_prefers_the_reporting_deadline_over_a_cited_letters_date(engine):
    for q in ("When must departments report progress to the Department of Industry and Trade in Thanh Hoa?",
              "Các sở, ngành Thanh Hóa báo cáo kết quả thực hiện kế hoạch về SCT vào thời hạn nào?"):
        a = engine.ask(q)
        assert not a.abstained and "20/6 và 20/12" in a.text and "18/11/2021" not in a.text


def test_a_clause_saying_an_agency_coordinates_names_no_lead(engine):
    assert leads_in("Ủy ban nhân dân xã, thị trấn: Phối hợp tốt với các ngành liên quan triển khai thực hiện Kế hoạch.",
                    "") == []
    a = engine.ask("Phòng nào chủ trì triển khai Kế hoạch 178 ở huyện Cao Lãnh?")
    assert a.leads == ["Phòng Kinh tế và Hạ tầng"]


def test_the_header_clause_is_not_quoted_as_content(engine):
    a = engine.ask("UBND xã, thị trấn ở Cao Lãnh có trách nhiệm gì trong kế hoạch?")
    assert "Phối hợp tốt với các ngành liên quan" in a.text
    assert all(h.kind != "header" for h in a.citations)


def test_a_plans_own_number_is_not_its_basis(engine):
    for q in ("Kế hoạch 45/KH-UBND của Hậu Giang căn cứ vào những văn bản nào?",
              "What legal documents is Hau Giang plan 45 based on?"):
        a = engine.ask(q)
        values = [f.value for f in a.facts]
        assert "Quyết định số 889/QĐ-TTg" in values and not any("45/KH-UBND" in v for v in values)


def test_an_english_target_for_a_year_asks_for_the_figure(engine):
    a = engine.ask("What is Cao Lanh's 2030 target for plastic bags at markets?")
    assert a.intent == "target" and "90% túi nhựa khó phân hủy" in a.text


@pytest.mark.parametrize("question, lead, rows", [
    ("Sở Tài nguyên và Môi trường Thanh Hóa chủ trì những nhiệm vụ nào?", "Sở Tài nguyên và Môi trường", 4),
    ("so TNMT Thanh Hoa chu tri nhiem vu gi", "Sở Tài nguyên và Môi trường", 4),
    ("Phòng Kinh tế và Hạ tầng huyện Cao Lãnh được giao chủ trì những việc gì?", "Phòng Kinh tế và Hạ tầng", 6),
    ("What tasks does the Department of Finance lead?", "Sở Tài chính", 2),
])
def test_what_an_agency_leads_lists_every_row_it_leads(engine, question, lead, rows):
    a = engine.ask(question)
    assert not a.abstained and a.intent == "lead"
    assert {f.value for f in a.facts} == {lead} and len(a.citations) >= rows
    assert "Triển khai chỉ đạo, hướng dẫn về hoạt động dán nhãn xanh" in a.text or lead != "Sở Tài nguyên và Môi trường"


def test_generic_document_words_and_the_scope_do_not_lower_coverage(engine):
    assert [t.alternatives[0] for t in analyze("Ai chủ trì nhiệm vụ dán nhãn sinh thái trong kế hoạch của tỉnh "
                                                 "Thanh Hóa?", ["Thanh Hóa"]).terms] == ["dán nhãn sinh thái"]
    short, long = (engine.ask(q) for q in ("Ai chủ trì dán nhãn sinh thái?",
                                            "Ai chủ trì nhiệm vụ dán nhãn sinh thái trong kế hoạch của tỉnh Thanh Hóa?"))
    # both name every lead of task group "VI. Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái"
    group = {"Sở Công Thương", "Sở Tài nguyên và Môi trường", "BQL Khu Kinh tế Nghi Sơn & các KCN",
             "Sở Văn hóa, Thể thao và Du lịch"}
    assert not long.abstained and group <= set(long.leads) and group <= set(short.leads)
    en = engine.ask("Which office leads the implementation of plan 178?")
    assert not en.abstained and "Phòng Kinh tế và Hạ tầng" in en.leads


@pytest.mark.parametrize("question", ["Còn Cao Lãnh thì sao?", "Còn năm 2030?", "And Hau Giang?"])
def test_a_follow_up_without_context_asks_for_the_full_question(engine, question):
    a = engine.ask(question)
    assert a.abstained and not a.citations and ("đầy đủ" in a.text or "full question" in a.text)


def test_a_rows_note_is_shown_with_its_lead(engine):
    a = engine.ask("Mô hình cụm công nghiệp sinh thái ở Cao Lãnh do ai chủ trì, có điều kiện gì kèm theo?")
    assert "Khi có hướng dẫn của các Sở, ngành liên quan" in a.text


def test_a_question_on_issue_date_and_signer_gets_both(engine):
    a = engine.ask("Kế hoạch 45/KH-UBND của Hậu Giang ban hành ngày nào, ai ký?")
    assert "08/03/2024" in a.text and "Trương Cảnh Tuyên" in a.text


def test_a_question_on_a_task_groups_topic_names_every_row_of_it_even_beyond_the_hits_read(engine):
    answer = engine.ask("Ai chủ trì dán nhãn sinh thái ở Thanh Hóa?", k=2)  # two hits read, four rows
    assert {"Sở Công Thương", "Sở Tài nguyên và Môi trường", "BQL Khu Kinh tế Nghi Sơn & các KCN",
            "Sở Văn hóa, Thể thao và Du lịch"} <= set(answer.leads)


@pytest.mark.parametrize("question", [
    "Nhóm nhiệm vụ nâng cao năng lực, giáo dục và thực hành lối sống bền vững ở Thanh Hóa do những cơ quan nào chủ trì?",
    "List the lead agencies of the Thanh Hoa appendix tasks on capacity building, education and sustainable lifestyles.",
])
def test_a_question_on_a_groups_title_names_the_lead_of_each_of_its_rows(engine, question):
    """Group IX's five rows repeat few of the title's words: the title answers for them."""
    first = engine.ask(question).text.splitlines()[0]
    for lead in ("Sở Văn hóa, Thể thao và Du lịch", "Hội Tiêu chuẩn", "Sở Công Thương", "Sở Giáo dục và Đào tạo",
                 "Sở Lao động"):
        assert lead in first
