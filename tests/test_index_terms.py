"""The index's terms are pyvi's: the faster segmenter (index.segmenter) must produce exactly
`ViTokenizer.tokenize`'s output, or every existing index's queries would change."""

from __future__ import annotations

import pytest

from bench.synthetic import CLAUSES_PER_DOC, generate
from index import segmenter
from index.clause_text import dense_text, sparse_fields
from index.config import BUNDLED_CORPUS
from ingest import ingest_paths
from ingest.text import nfc

EDGE_CASES = [
    "", "   ", "...", "==> -> >>", "2021", "1.234,5", "Tp. Hồ Chí Minh", "UBND TỈNH THANH HÓA",
    "Sở Tài nguyên và Môi trường", "email: so.tnmt@thanhhoa.gov.vn; web https://thanhhoa.gov.vn/x",
    "ΟΔΟΣ Σ", "môi", "môi trường", "a\nb\n\nc", "Dr. ThS. Nguyễn Văn A", "ĐÁN NHÃN sinh Thái 3R",
]


def _texts(corpus) -> list[str]:
    docs = ingest_paths([corpus]).documents
    texts = {dense_text(c) for d in docs for c in d.clauses}
    texts |= {t for d in docs for c in d.clauses for t in sparse_fields(d.meta, c).values()}
    return sorted(nfc(t) for t in texts)


def _assert_pyvi(texts: list[str]) -> None:
    from pyvi.ViTokenizer import ViTokenizer

    differ = [(t, ViTokenizer.tokenize(t), segmenter.tokenize(t)) for t in texts
              if ViTokenizer.tokenize(t) != segmenter.tokenize(t)]
    assert not differ, f"{len(differ)} of {len(texts)} texts segmented unlike pyvi, e.g. {differ[:2]}"


def test_segmenter_is_pyvi_on_the_bundled_corpus():
    texts = _texts(BUNDLED_CORPUS)
    assert len(texts) > 400  # clauses, dense inputs, places and heading paths
    _assert_pyvi(texts)


def test_segmenter_is_pyvi_on_a_synthetic_corpus(tmp_path):
    generate(tmp_path, 20 * CLAUSES_PER_DOC)
    _assert_pyvi(_texts(tmp_path))


@pytest.mark.parametrize("text", EDGE_CASES)
def test_segmenter_is_pyvi_on_edge_cases(text):
    _assert_pyvi([nfc(text)])
