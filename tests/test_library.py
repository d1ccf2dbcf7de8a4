"""qa.library through PolicyQA: uploads staged and rolled back, delete and replace, duplicates named;
qa.feedback and `policyqa feedback --csv`. Real engine over a private copy of the bundled index."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest

import cli
from settings import Settings
from qa import PolicyQA, feedback

CAO_LANH = "cao-lanh-dong-thap_ke-hoach-178-kh-ubnd_2021"


@pytest.fixture
def engine(built, tmp_path) -> PolicyQA:
    shutil.copytree(built.index_dir, tmp_path / "index", symlinks=True)
    shutil.copytree(built.corpus_dir, tmp_path / "corpus")
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus", lock_timeout=10,
                        max_upload_mb=1)
    engine = PolicyQA.open(settings=settings, build=False)
    engine.reindex([settings.corpus_dir])  # sources now point at the copy
    return engine


def _incoming(tmp_path: Path, name: str, data: bytes | str) -> Path:
    """A file where gradio leaves an upload: its own folder, the original name."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


PLAN = ("ỦY BAN NHÂN DÂN QUẬN 1\n\nSố: 21/KH-UBND\n\nQuận 1, ngày 05 tháng 3 năm 2025\n\nKẾ HOẠCH\n\n"
        "Thí điểm phân loại rác thải tại nguồn trên địa bàn Quận 1\n\nI. NHIỆM VỤ\n\n"
        "1. Phòng Quản lý đô thị chủ trì thí điểm phân loại rác thải tại nguồn ở chợ Bến Thành.\n")


def test_upload_is_saved_indexed_and_recorded_with_its_uploader(engine, tmp_path):
    name = unicodedata.normalize("NFD", "Kế hoạch 21.txt")
    [result] = engine.upload([_incoming(tmp_path, name, PLAN)], by="canbo")
    assert result.status == "added" and result.code is None and result.clauses > 0
    saved = engine.settings.index_dir / "uploads" / unicodedata.normalize("NFC", name)
    assert saved.read_text(encoding="utf-8") == PLAN
    record = next(r for r in engine.library() if r.meta.doc_id == result.doc_id)
    assert record.uploaded_by == "canbo" and record.uploaded_at and record.path == saved
    assert "Phòng Quản lý đô thị" in engine.ask("Ai chủ trì thí điểm phân loại rác thải ở chợ Bến Thành?").text


def test_failed_upload_leaves_folder_and_index_as_they_were(engine, tmp_path):
    engine.upload([_incoming(tmp_path, "bc.txt", PLAN)])
    generation = engine.generation
    [result] = engine.upload([_incoming(tmp_path, "bc.txt", b"")])
    assert (result.status, result.code) == ("failed", "empty")
    uploads = engine.settings.index_dir / "uploads"
    assert [p.name for p in uploads.iterdir()] == ["bc.txt"] and (uploads / "bc.txt").read_text() == PLAN
    [broken] = engine.upload([_incoming(tmp_path, "moi.docx", b"PK not really a docx")])
    assert (broken.status, broken.code) == ("failed", "corrupt") and not (uploads / "moi.docx").exists()
    assert engine.generation == generation


@pytest.mark.parametrize("name, code", [(".an.txt", "bad_name"), ("tab\t.txt", "bad_name"),
                                        ("x.exe", "unsupported"), ("ke-hoach.txt.sh", "unsupported")])
def test_names_that_are_not_plain_supported_files_are_refused_before_ingest(engine, tmp_path, name, code):
    generation = engine.generation
    [result] = engine.upload([_incoming(tmp_path, name, "Sở Công Thương chủ trì.")])
    assert (result.status, result.code) == ("failed", code)
    assert not (engine.settings.index_dir / "uploads" / name).exists() and engine.generation == generation


def test_oversized_upload_is_refused_and_the_others_go_on(engine, tmp_path):
    big, good = _incoming(tmp_path, "lon.txt", "x" * (1024 * 1024 + 1)), _incoming(tmp_path, "nho.txt", PLAN)
    results = engine.upload([big, good])
    assert [(r.name, r.status, r.code) for r in results] == [("lon.txt", "failed", "over_upload_limit"),
                                                              ("nho.txt", "added", None)]


def test_a_copy_of_an_indexed_document_is_named_in_the_result(engine, tmp_path):
    original = engine.source(CAO_LANH).read_text(encoding="utf-8")
    [copy] = engine.upload([_incoming(tmp_path, "ban-sao-178.txt", original.replace("\n\n", "\n\n\n"))])
    assert copy.status == "added"
    assert copy.same_number == (engine.source(CAO_LANH).name,) and copy.same_text == copy.same_number
    [other] = engine.upload([_incoming(tmp_path, "khac.txt", PLAN)])
    assert other.same_number == () and other.same_text == ()


def test_delete_takes_an_upload_out_of_answers_and_off_the_disk(engine, tmp_path):
    [result] = engine.upload([_incoming(tmp_path, "kh21.txt", PLAN)], by="canbo")
    engine.delete(result.doc_id)
    assert result.doc_id not in {m.doc_id for m, _ in engine.documents()}
    assert not (engine.settings.index_dir / "uploads" / "kh21.txt").exists()
    assert "Phòng Quản lý đô thị" not in engine.ask("Ai chủ trì thí điểm phân loại rác thải ở chợ Bến Thành?").text
    engine.delete(CAO_LANH)  # a folder's document leaves the index; its file stays
    assert engine.settings.corpus_dir.joinpath(f"{CAO_LANH}.txt").is_file()
    assert CAO_LANH not in {m.doc_id for m, _ in engine.documents()}


def test_replace_indexes_the_new_file_then_removes_the_old_document(engine, tmp_path):
    [old] = engine.upload([_incoming(tmp_path, "kh21-du-thao.txt", PLAN)])
    [new] = engine.upload([_incoming(tmp_path, "kh21.txt", PLAN.replace("chợ Bến Thành", "chợ Bình Tây"))],
                          replaces=old.doc_id)
    ids = {m.doc_id for m, _ in engine.documents()}
    assert new.status == "added" and new.doc_id in ids and old.doc_id not in ids
    assert not (engine.settings.index_dir / "uploads" / "kh21-du-thao.txt").exists()


def test_feedback_is_kept_with_the_answer_and_exported_as_csv(engine, capsys):
    answer = engine.ask("Cơ quan nào chủ trì việc dán nhãn sinh thái?")
    saved = feedback.record(engine.settings.index_dir, answer, liked=False, generation=engine.generation, user="canbo")
    feedback.comment(engine.settings.index_dir, saved, "Thiếu Sở Tài nguyên và Môi trường")
    assert cli.main(["feedback", "--csv", "--index-dir", str(engine.settings.index_dir)]) == 0
    out = capsys.readouterr().out
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["rating"] == "-1" and row["comment"] == "Thiếu Sở Tài nguyên và Môi trường"
    assert row["question"] == answer.question and row["answer"] == answer.text
    assert row["generation"] == engine.generation and row["user"] == "canbo"
    assert "[1] " in row["citations"] and answer.citations[0].citation in row["citations"]
