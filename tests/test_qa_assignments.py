"""Who-does-what records over the bundled corpus: table rows and prose, agencies resolved."""

import csv
import io

from cli import main
from ingest.text import fold
from qa.assignments import canonical, same_agency, split_agencies


def test_every_task_row_is_one_assignment_per_lead(corpus_engine):
    records = corpus_engine.assignments()
    rows = [r for r in records if r.source == "table"]
    by_doc = {}
    for r in rows:
        by_doc[r.doc_id] = by_doc.get(r.doc_id, 0) + 1
    assert by_doc == {"thanh-hoa_ke-hoach_2020": 59, "cao-lanh-dong-thap_ke-hoach-178-kh-ubnd_2021": 15}
    assert any(r.source == "prose" and r.lead == "Sở Công Thương" and "đầu mối" in r.task for r in records)


def test_agency_spellings_resolve_to_one_agency(corpus_engine):
    assert canonical("Sở TN&MT") == canonical("Sở Tài nguyên và Môi trường") == "Sở Tài nguyên và Môi trường"
    assert same_agency("BQL KKT Nghi Sơn và các KCN", ["Ban Quản lý Khu kinh tế Nghi Sơn và các Khu công nghiệp"])
    assert not same_agency("Sở Tài chính", ["Sở Tài nguyên và Môi trường"])
    short = corpus_engine.assignments(agency="Sở TN&MT", locality="Thanh Hóa")
    assert short and short == corpus_engine.assignments(agency="Sở Tài nguyên và Môi trường", locality="Thanh Hóa")
    assert {r.agency for r in short} == {"Sở Tài nguyên và Môi trường"}


def test_partner_lists_are_split_into_agencies():
    assert split_agencies("UBND cấp huyện và các đơn vị liên quan") == ("UBND cấp huyện", "các đơn vị liên quan")
    parts = split_agencies("Các ban, ngành, tổ chức chính trị - xã hội, UBND cấp xã và các đơn vị có liên quan")
    assert "UBND cấp xã" in parts and "các đơn vị có liên quan" in parts and len(parts) == 4
    assert split_agencies("Sở Văn hóa, Thể thao và Du lịch") == ("Sở Văn hóa, Thể thao và Du lịch",)


def test_filters_by_document_locality_topic_and_role(corpus_engine):
    cao_lanh = corpus_engine.assignments(doc="178/KH-UBND")
    assert cao_lanh and {r.doc_id for r in cao_lanh} == {"cao-lanh-dong-thap_ke-hoach-178-kh-ubnd_2021"}
    assert corpus_engine.assignments(locality="Đồng Tháp") == cao_lanh  # a district document by its province
    labels = [r.label for r in corpus_engine.assignments(agency="Sở Khoa học và Công nghệ", locality="Thanh Hóa")]
    assert labels == ["XII.4", "XII.5", "XIII.1", "XIII.2"]
    eco = corpus_engine.assignments(topic="nhãn sinh thái")
    assert eco and all("nhan sinh thai" in fold(f"{r.task} {r.section}") for r in eco)  # also the typo "nhân"
    partner = corpus_engine.assignments(agency="Sở Thông tin và Truyền thông", role="partner")
    assert partner and all(r.lead != "Sở Thông tin và Truyền thông" for r in partner)
    assert corpus_engine.assignments(agency="Sở Y tế", locality="Thanh Hóa") == []


def test_cli_matrix_csv_lists_the_agency_rows(capsys, built):
    code = main(["matrix", "--agency", "Sở KH&CN", "--csv", "--index-dir", str(built.index_dir)])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert code == 0 and [r["label"] for r in rows] == ["XII.4", "XII.5", "XIII.1", "XIII.2"]
    assert all(r["lead"] == "Sở Khoa học và Công nghệ" and r["citation"] for r in rows)
