"""Follow-up questions answered against the previous turn."""


def test_followup_asks_the_other_field_of_the_same_rows(corpus_engine):
    first = corpus_engine.ask("Cơ quan nào chủ trì dán nhãn sinh thái?")
    followup = corpus_engine.ask("Còn đơn vị phối hợp?", history=[first])
    assert not followup.abstained and "dán nhãn sinh thái" in followup.question
    assert followup.text.splitlines()[0].startswith("Đơn vị phối hợp:") and "UBND cấp huyện" in followup.text
    alone = corpus_engine.ask("Còn đơn vị phối hợp?")
    assert alone.abstained  # no earlier turn to lean on: asks to restate


def test_followup_moves_the_same_question_to_another_place(corpus_engine):
    first = corpus_engine.ask("Ai chủ trì xây dựng mô hình cụm công nghiệp sinh thái ở Thanh Hóa?")
    moved = corpus_engine.ask("Còn Cao Lãnh thì sao?", history=[first])
    assert "Cao Lãnh" in moved.question and "Thanh Hóa" not in moved.question
    assert "Phòng Kinh tế và Hạ tầng" in moved.text.splitlines()[0]
    assert all(h.doc.district == "Cao Lãnh" for h in moved.citations)


def test_a_full_question_ignores_the_history(corpus_engine):
    first = corpus_engine.ask("Cơ quan nào chủ trì dán nhãn sinh thái?")
    other = corpus_engine.ask("Kế hoạch 45/KH-UBND căn cứ vào văn bản nào?", history=[first])
    assert other.question == "Kế hoạch 45/KH-UBND căn cứ vào văn bản nào?"
