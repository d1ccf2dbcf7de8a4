"""The Python API (PolicyQA), the command line and the shipped gold set, on the real corpus."""

from __future__ import annotations

import json

import pytest

import cli
from index.config import ROOT
from qa import PolicyQA
from qa.evaluate import evaluate, format_report, load_gold
from conftest import private_copy

GOLD = ROOT / "tests" / "gold.jsonl"
THANH_HOA = "thanh-hoa_ke-hoach_2020"
CAO_LANH = "cao-lanh-dong-thap_ke-hoach-178-kh-ubnd_2021"


@pytest.fixture(scope="module")
def engine(built) -> PolicyQA:
    return PolicyQA.open(settings=built, build=False)


@pytest.fixture
def private(built, tmp_path) -> PolicyQA:
    """An engine over a private copy of the corpus and its index, free to change."""
    settings = private_copy(built, tmp_path)
    engine = PolicyQA.open(settings=settings, build=False)
    changes = engine.reindex([settings.corpus_dir])
    assert not changes.changed and not changes.errors and changes.embedded == 0
    return engine


# --- Python API ---------------------------------------------------------------------------------


def test_search_returns_typed_json_serialisable_hits_best_first(engine):
    hits = engine.search("dán nhãn xanh chứng nhận nhãn xanh sản phẩm thân thiện môi trường", k=5)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    row = next(h for h in hits if h.label == "VI.2")
    assert row.row.lead == "Sở Tài nguyên và Môi trường" and row.doc.doc_id == THANH_HOA
    assert "VI. Thúc đẩy dán nhãn" in row.section and "dòng VI.2" in row.citation
    payload = json.loads(json.dumps([h.to_dict() for h in hits], ensure_ascii=False))
    assert payload[0]["doc"]["doc_id"] and payload[0]["citation"]


def test_search_filters_by_locality_type_year_and_document(engine):
    def docs(**scope):
        return {h.doc.doc_id for h in engine.search("tuyên truyền sản xuất và tiêu dùng bền vững", k=10, **scope)}

    assert docs(locality="Cao Lãnh") == {CAO_LANH}
    thanh_hoa = docs(locality="thanh hoa")  # the province's plan and its district's report
    assert THANH_HOA in thanh_hoa and thanh_hoa <= {THANH_HOA, "trieu-son-thanh-hoa_cong-van-bao-cao-ubnd-ktht_2021"}
    assert docs(doc_type="Báo cáo") == {"nghi-xuan-ha-tinh_bao-cao_2021"}
    assert docs(year=2024) == {"hau-giang_ke-hoach-45-kh-ubnd_2024"}
    assert docs(doc=THANH_HOA) == {THANH_HOA}


def test_ask_answers_with_numbered_citations_in_the_question_language(engine):
    vi = engine.ask("Đơn vị nào chủ trì hướng dẫn mua sắm công xanh đối với nguồn kinh phí đầu tư phát triển?")
    assert not vi.abstained and vi.language == "vi" and vi.intent == "lead"
    assert "Sở Kế hoạch và Đầu tư" in vi.text and "[1]" in vi.text
    assert vi.citations[0].row.lead == "Sở Kế hoạch và Đầu tư"
    en = engine.ask("Which agency leads green public procurement with recurrent (sự nghiệp) funds?")
    assert not en.abstained and en.language == "en"
    assert "Sở Tài chính" in en.text and "Department of Finance" in en.text
    assert json.loads(json.dumps(en.to_dict(), ensure_ascii=False))["citations"]


def test_a_question_on_a_task_groups_topic_lists_every_lead_of_the_group_in_table_order(engine):
    answer = engine.ask("Cơ quan nào chủ trì việc dán nhãn sinh thái?")
    rows = [h.label for h in answer.citations if h.row.group and h.row.group.startswith("VI.")]
    assert rows == ["VI.1", "VI.2", "VI.3", "VI.4"]
    assert answer.leads[:4] == ["Sở Công Thương", "Sở Tài nguyên và Môi trường",
                                "BQL Khu Kinh tế Nghi Sơn & các KCN", "Sở Văn hóa, Thể thao và Du lịch"]
    specific = engine.ask("Đơn vị nào chủ trì hướng dẫn dán nhãn xanh và chứng nhận nhãn xanh đối với sản phẩm "
                          "thân thiện môi trường?")
    assert specific.leads[0] == "Sở Tài nguyên và Môi trường"  # the row it names comes first


def test_ask_abstains_on_places_and_topics_the_documents_do_not_cover(engine):
    hanoi = engine.ask("Thành phố Hà Nội giao đơn vị nào chủ trì dán nhãn sinh thái?")
    assert hanoi.abstained and "Hà Nội" in hanoi.text
    assert engine.ask("giá vé xem bóng đá vòng loại World Cup là bao nhiêu?").abstained


def test_documents_lists_metadata_and_clause_counts(engine):
    docs = {meta.doc_id: (meta, n) for meta, n in engine.documents()}
    assert len(docs) == 5
    meta, n = docs[CAO_LANH]
    assert meta.number == "178/KH-UBND" and meta.issued == "2021-10-13" and n == engine.stats().per_document[CAO_LANH]


def test_add_remove_reindex_and_refresh(private, tmp_path):
    plan = tmp_path / "ke-hoach-9-kh-ubnd-huyen-moi_2025.md"
    plan.write_text(
        "Số: 9/KH-UBND\n\nHuyện Mới, ngày 02 tháng 01 năm 2025\n\nKẾ HOẠCH\n\nThu gom pin đã qua sử dụng\n\n"
        "I. NHIỆM VỤ\n\n1. Phòng Tài nguyên và Môi trường\n\n"
        "- Chủ trì đặt thùng thu gom pin đã qua sử dụng tại trường học.\n",
        encoding="utf-8",
    )
    before = private.generation
    changes = private.add([plan])
    assert changes.added == (plan.stem,) and changes.embedded > 0 and private.generation != before
    assert private.search("thùng thu gom pin đã qua sử dụng", k=1)[0].doc.doc_id == plan.stem

    changes = private.reindex()  # nothing changed on disk: no embedding work
    assert changes.embedded == 0 and not changes.changed

    assert private.remove(plan.stem).removed == (plan.stem,)
    assert all(h.doc.doc_id != plan.stem for h in private.search("thùng thu gom pin đã qua sử dụng", k=10))

    other = PolicyQA.open(settings=private.settings, build=False)  # a second process's view
    private.add([plan])
    assert other.refresh() and other.search("thu gom pin", k=1)[0].doc.doc_id == plan.stem
    assert not other.refresh()


def test_a_bad_file_is_reported_and_the_index_keeps_serving(private, tmp_path):
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"not a zip at all")
    generation = private.generation
    changes = private.add([broken])
    assert changes.errors[0].code == "corrupt" and changes.errors[0].path.endswith("hong.docx")
    assert private.generation == generation
    assert private.search("dán nhãn sinh thái", k=1)


def test_missing_files_and_unknown_ids_raise_before_anything_is_written(private, tmp_path):
    generation = private.generation
    with pytest.raises(FileNotFoundError, match="missing.docx"):
        private.add([tmp_path / "missing.docx"])
    with pytest.raises(KeyError, match="not in the index: unknown"):
        private.remove("unknown")
    with pytest.raises(KeyError, match="unknown"):
        private.remove([THANH_HOA, "unknown"])
    assert private.generation == generation and THANH_HOA in {m.doc_id for m, _ in private.documents()}


def test_an_upload_batch_with_a_hostile_file_indexes_the_good_one(private, tmp_path):
    from hostile import zip_bomb

    from ui.render import render_upload

    gradio = tmp_path / "gradio"
    gradio.mkdir()
    (gradio / "bom.docx").write_bytes(zip_bomb())
    (gradio / "ke-hoach-moi.txt").write_text(
        "KẾ HOẠCH\n\nBảo vệ rừng ven biển năm 2025\n\nI. NHIỆM VỤ\n\n"
        "1. Trồng rừng ngập mặn ven biển trên địa bàn huyện, ưu tiên các xã bị sạt lở.\n", encoding="utf-8")
    results = private.upload([gradio / "bom.docx", gradio / "ke-hoach-moi.txt"])
    bomb, good = sorted(results, key=lambda r: r.name)
    assert (good.name, good.status) == ("ke-hoach-moi.txt", "added")
    assert (bomb.name, bomb.status, bomb.code) == ("bom.docx", "failed", "too_large")
    assert "package expands to 1001 MB, over the limit of 200 MB (setting 'max_zip_mb')" in bomb.detail
    message = render_upload(results, 20, (".docx", ".txt"))
    assert "Đã thêm <b>ke-hoach-moi.txt</b>" in message
    assert ("Không thêm được tệp <b>bom.docx</b>: tệp vượt quá giới hạn xử lý (quá lớn, lồng nhau quá sâu "
            "hoặc quá nhiều trang)" in message)
    assert private.search("trồng rừng ngập mặn", k=1)[0].doc.doc_id == "ke-hoach-moi"


# --- command line -------------------------------------------------------------------------------


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_ingest_prints_one_json_object_per_clause(capsys):
    code, out, _ = run(capsys, "ingest", ROOT / "corpus" / f"{CAO_LANH}.txt", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and {"id", "doc", "text", "section", "kind"} <= set(rows[0])
    row = next(r for r in rows if r["kind"] == "table_row" and r["label"] == "I.7")
    assert row["lead"] == "Phòng Y tế" and row["period"] and row["partners"]


def test_cli_ingest_reports_a_bad_file_and_goes_on(capsys, tmp_path):
    empty = tmp_path / "trong.txt"
    empty.write_text("", encoding="utf-8")
    code, out, err = run(capsys, "docs", empty, ROOT / "corpus" / f"{CAO_LANH}.txt", "--json")
    assert code == 1 and "trong.txt" in err
    assert json.loads(out)["number"] == "178/KH-UBND"


def test_cli_search_ask_stats_on_an_index(capsys, built):
    base = ("--index-dir", built.index_dir)
    code, out, _ = run(capsys, "search", "mua sam cong xanh kinh phi su nghiep", "--k", 3, "--json", *base)
    assert code == 0 and json.loads(out)[0]["lead"] == "Sở Tài chính"
    code, out, _ = run(capsys, "ask", "Ai chủ trì xây dựng mô hình cụm công nghiệp sinh thái ở huyện Cao Lãnh?", *base)
    assert code == 0 and "Phòng Kinh tế và Hạ tầng" in out and "[1]" in out
    code, out, _ = run(capsys, "stats", "--json", *base)
    assert code == 0 and json.loads(out)["documents"] == 5


@pytest.mark.parametrize("argv, message", [
    (("stats", "--model", "intfloat/multilingual-e5-small"), "was built with model"),
    (("search", "x"), "current is a directory, not the link to a generation"),
])
def test_cli_index_errors_are_one_line_and_exit_2(capsys, built, tmp_path, argv, message):
    index_dir = built.index_dir if "--model" in argv else tmp_path / "copied"
    (tmp_path / "copied" / "current").mkdir(parents=True)
    code, out, err = run(capsys, *argv, "--index-dir", index_dir)
    assert code == 2 and err.startswith("policyqa: error: ") and message in err and len(err.splitlines()) == 1


def test_cli_eval_rejects_a_malformed_gold_file_naming_line_and_field(capsys, tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": "x", "q": "?", "lang": "fr", "kind": "lead", "gold": [], "answer": []}\n', encoding="utf-8")
    code, _, err = run(capsys, "eval", bad)
    assert code == 2 and f"{bad}:1" in err and "'lang'" in err


# --- the shipped gold set -----------------------------------------------------------------------


def test_gold_set_meets_retrieval_answer_and_abstention_floors(engine):
    """Floors well above chance (a random top 5 of ~270 clauses finds the gold < 5% of the time)."""
    report = evaluate(engine, load_gold(GOLD))
    print(format_report(report))
    r = report.retrieval
    assert r["vi"]["R@5"] >= 0.9 and r["vi"]["MRR@10"] >= 0.8
    assert r["vi-nodiac"]["R@5"] >= 0.9
    assert r["en"]["R@5"] >= 0.8
    a = report.answers  # strict: the first line alone holds the answer and nothing the gold rules out
    assert a["*/vi"]["strict"] >= 0.9 and a["*/vi-nodiac"]["strict"] >= 0.85 and a["*/en"]["strict"] >= 0.8
    assert report.abstention["none_abstained"] == 1.0
    # 0.04 since lexicon entries fitted to single gold questions were removed (g021, g085, g088 now abstain)
    assert report.abstention["answerable_abstained"] <= 0.05


@pytest.mark.parametrize("line, message", [
    ("[1, 2]", "expected a JSON object"),
    ('{"id": "a", "q": "?", "lang": "vi", "kind": "lead", "gold": [1], "answer": ["x"]}', "'gold' must be a list"),
    ('{"id": "a", "q": "?", "lang": "vi", "kind": "lead", "gold": ["x"], "answer": []}', "'answer' must have at least"),
    ('{"id": "a", "q": "?", "lang": "vi", "kind": "none", "gold": ["x"], "answer": []}', "no strings for kind 'none'"),
])
def test_load_gold_rejects_what_would_score_wrongly(tmp_path, line, message):
    bad = tmp_path / "gold.jsonl"
    bad.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{bad}:1: .*{message}"):
        load_gold(bad)


@pytest.mark.parametrize("question, expected, wrong", [
    # a document's own number, from its metadata
    ("Kế hoạch của tỉnh Hậu Giang mang số hiệu gì?", "45/KH-UBND", "172/KH-UBND"),
    ("What is the number of the Cao Lanh district plan?", "178/KH-UBND", "07/KH-UBND"),
    # its copy is blank ("Số: /KH-UBND"): the Triệu Sơn letter that cites it says
    ("ke hoach cua tinh thanh hoa so may", "214/KH-UBND", None),
    # the number of a document another one cites: of the asked type, of the issuer named
    ("Công văn của Triệu Sơn căn cứ vào kế hoạch số mấy của tỉnh?", "214/KH-UBND", "3352/SCT-KHTH"),
    ("Kế hoạch 45 của Hậu Giang căn cứ quyết định nào của Bộ Công Thương?", "3529/QĐ-BCT", "889/QĐ-TTg"),
])
def test_document_numbers_asked_are_read_from_the_right_document(engine, question, expected, wrong):
    first = engine.ask(question).text.splitlines()[0]
    assert expected in first
    assert wrong is None or wrong not in first


def test_a_partner_the_task_itself_names_is_a_partner(engine):
    """Cao Lãnh's row "Phối hợp Sở Công Thương hỗ trợ nhân rộng …" under Phòng KT&HT: that
    office works with Sở Công Thương, besides the partners column."""
    answer = engine.ask("Ở Cao Lãnh, Phòng Kinh tế và Hạ tầng phối hợp với sở nào nhân rộng mô hình sản xuất sạch hơn?")
    first = answer.text.splitlines()[0]
    assert first.startswith("Đơn vị phối hợp:") and "Sở Công Thương" in first


def test_two_figures_asked_from_one_row_are_both_quoted(engine):
    first = engine.ask("Thanh Hoa will support how many businesses on sustainable business strategies, "
                       "and how many model firms for eco-innovation?").text.splitlines()[0]
    assert "20 doanh nghiệp" in first and "10 doanh nghiệp" in first


@pytest.mark.parametrize("question", ["Trong thời gian tới, Nghi Xuân sẽ thực hiện những việc gì?",
                                      "trong thoi gian toi huyen nghi xuan thuc hien nhung nhiem vu nao"])
def test_a_list_the_report_gives_under_a_heading_is_listed_whole(engine, question):
    """The four items of Nghi Xuân's "II. KẾ HOẠCH THỰC HIỆN NHIỆM VỤ TRONG THỜI GIAN TỚI", in order,
    each cited; not the one item a search ranks first."""
    answer = engine.ask(question)
    first = answer.text.splitlines()[0]
    assert "THỜI GIAN TỚI" in first and " 4 " in first
    for item in ("Tăng cường phối hợp", "Tiếp tục tuyên truyền", "kiểm soát thị trường", "ký cam kết"):
        assert item in first
    assert [h.kind for h in answer.citations] == ["item"] * 4


def test_the_results_of_a_year_no_report_covers_are_not_taken_from_another_year(engine):
    """Triệu Sơn's and Nghi Xuân's reports are on 2021 (Nghi Xuân's also says what was done in 2020)."""
    answer = engine.ask("Năm 2023 tỷ lệ thu gom rác thải sinh hoạt của huyện Triệu Sơn đạt bao nhiêu?")
    assert answer.abstained and "2023" in answer.text.splitlines()[0] and "95%" not in answer.text
    assert "01 hội nghị" in engine.ask("Năm 2020 Nghi Xuân đã tổ chức mấy hội nghị tập huấn?").text.splitlines()[0]
    # 2021's sentence says support was limited; the "2 doanh nghiệp" belong to the 2020 item
    assert "2 doanh nghiệp" not in engine.ask(
        "Năm 2021 Nghi Xuân hỗ trợ được bao nhiêu doanh nghiệp sản xuất sạch hơn?").text.splitlines()[0]


def test_a_figure_asked_of_two_places_is_answered_for_each(engine):
    first = engine.ask("Tỷ lệ khu, cụm công nghiệp, làng nghề được phổ biến về SXTD bền vững: "
                       "Hậu Giang bao nhiêu, Cao Lãnh bao nhiêu?").text.splitlines()[0]
    assert "70%" in first and "100%" in first and "Hậu Giang" in first and "Cao Lãnh" in first
    # a district and its province are one scope, not two places to compare
    assert "214/KH-UBND" in engine.ask("Kế hoạch của tỉnh Thanh Hóa mà huyện Triệu Sơn căn cứ có số hiệu gì?"
                                       ).text.splitlines()[0]


@pytest.mark.parametrize("question, expected", [
    ("Cao Lãnh ban hành kế hoạch số mấy?", "178/KH-UBND"),  # an issue word does not hide the number asked
    ("KH 178 ban hành ngày mấy?", "13/10/2021"),  # "KH 178" names the Cao Lãnh plan
])
def test_review_findings_on_documents(engine, question, expected):
    assert expected in engine.ask(question).text.splitlines()[0]


def test_review_findings_on_lists_years_and_places(engine):
    # a plan for a coming year is no request for that year's results
    assert not engine.ask("Nghi Xuân sẽ làm gì trong năm 2022?").abstained
    # a section's paragraphs are items too; the closing formula is not
    first = engine.ask("Liệt kê kết quả thực hiện của Nghi Xuân").text.splitlines()[0]
    assert "06 văn bản" in first and "Trên đây" not in first
    assert "5 nội dung" in first
    # a place with no figure is quoted, not dropped
    first = engine.ask("So sánh kết quả của Triệu Sơn và Nghi Xuân").text.splitlines()[0]
    assert "Triệu Sơn" in first and "Nghi Xuân" in first


def test_the_verb_after_lead_or_partner_is_part_of_the_cue(engine):
    """"phối hợp thực hiện", "chủ trì thực hiện": asked like "phối hợp", "chủ trì" (it was a topic word the rows lack)."""
    answer = engine.ask("Cơ quan nào phối hợp thực hiện nhiệm vụ dán nhãn sinh thái ở Thanh Hóa?")
    assert not answer.abstained and answer.text.startswith("Đơn vị phối hợp:")
    assert "UBND cấp huyện" in answer.text.splitlines()[0]
