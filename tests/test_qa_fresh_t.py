"""Failure classes found in session 7 (fresh set T and the known-left list), each as a rule on the
real corpus."""

from __future__ import annotations

import pytest

from qa import PolicyQA


@pytest.fixture(scope="module")
def engine(built) -> PolicyQA:
    return PolicyQA.open(settings=built, build=False)


def first(answer) -> str:
    return answer.text.splitlines()[0]


@pytest.mark.parametrize("question", ["Kế hoạch 214 do ai ban hành?", "Who issued plan 214?",
                                      "Kế hoạch số 214/KH-UBND do cơ quan nào ban hành?"])
def test_a_document_only_cited_is_answered_from_the_clause_citing_it(engine, question):
    # the Triệu Sơn letter cites the Thanh Hóa plan in a long clause that the question's other
    # words ("kế hoạch", "ban hành") ranked out of the hits
    answer = engine.ask(question)
    assert not answer.abstained
    assert "UBND tỉnh Thanh Hóa" in first(answer) and "12/10/2020" in first(answer)
