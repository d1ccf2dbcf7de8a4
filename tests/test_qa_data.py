"""The editable vocabulary files parse and hold what question understanding relies on."""

from pathlib import Path

import pytest

from qa.expand import DATA_DIR, english_key, english_name, load_lexicon, stem


def test_files_parse_and_are_substantial():
    lex = load_lexicon()
    assert len(lex.glossary) >= 150
    assert len({p.name for p in lex.places}) >= 63
    assert all(a.english for a in lex.agencies)
    assert {"UBND", "HĐND", "KCN", "KKT", "BQL", "TN&MT", "NN&PTNT", "SXTDBV", "SXSH", "OCOP"} <= set(lex.abbreviations)
    assert (DATA_DIR / "README.md").is_file()


def test_a_malformed_row_names_file_and_line(tmp_path):
    for name in ("abbreviations", "synonyms", "glossary", "agencies", "provinces", "stopwords"):
        (tmp_path / f"{name}.tsv").write_text((DATA_DIR / f"{name}.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "glossary.tsv").write_text("# comment\neco-label without a tab\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"glossary.tsv:2: expected 2 tab-separated columns"):
        load_lexicon(Path(tmp_path))


@pytest.mark.parametrize("a, b", [
    ("labelling", "label"), ("labels", "label"), ("organisation", "organization"), ("cooperatives", "cooperative"),
    ("programmes", "program"), ("encouraging", "encourage"), ("centre", "center"),
])
def test_stem_meets_variants(a, b):
    assert stem(a) == stem(b)


def test_glossary_phrases_are_keyed_by_stems():
    lex = load_lexicon()
    assert "nhãn sinh thái" in lex.glossary[english_key("eco-labelling")]
    assert "mua sắm công xanh" in lex.glossary[english_key("green public procurement")]


@pytest.mark.parametrize("name, english", [
    ("Sở Công Thương", "Department of Industry and Trade"),
    ("Sở TN&MT", "Department of Natural Resources and Environment"),
    ("Liên minh Hợp tác xã Thanh Hóa", "Cooperative Alliance, Thanh Hóa"),
    ("Phòng Kinh tế và Hạ tầng", "Division of Economy and Infrastructure"),
    ("Sở Giao thông vận tải", "Department of Transport"),
    ("Ban Khí tượng", None),
])
def test_english_name(name, english):
    assert english_name(name) == english


def test_an_agency_is_found_however_english_orders_its_kind_and_field():
    from qa.expand import english_forms, load_lexicon
    assert "Culture and Information office" in english_forms("Division of Culture and Information")
    assert english_forms("Department of Finance") == ("Department of Finance", "department of Finance", "Finance department")
    table = load_lexicon().english_agencies()
    from qa.expand import english_key
    assert table[english_key("natural resources and environment office")].name == "Phòng Tài nguyên và Môi trường"
    assert table[english_key("Finance Department")].name == "Sở Tài chính"
