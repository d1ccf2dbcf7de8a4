"""Follow-up questions: "Còn đơn vị phối hợp?" after "Ai chủ trì dán nhãn sinh thái?" becomes a
full question about the same task, and "Còn Cao Lãnh thì sao?" the previous question about another
place. The rewritten question is answered like any other, so its answer cites its own sources."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from qa.model import BASIS, EN, LEAD, PARTNER, TARGET, VI, WHEN, Answer, Query

# What a follow-up asks, as the opening of a full question about the previous topic.
_ASK = {
    VI: {LEAD: "Đơn vị nào chủ trì", PARTNER: "Đơn vị nào phối hợp", WHEN: "Thời gian thực hiện",
         TARGET: "Chỉ tiêu bao nhiêu", BASIS: "Căn cứ văn bản nào"},
    EN: {LEAD: "Which agency leads", PARTNER: "Which agencies coordinate on", WHEN: "What is the timeframe for",
         TARGET: "What is the target for", BASIS: "What is the legal basis for"},
}
_IN = {VI: "ở", EN: "in"}


def resolve(question: str, history: Sequence[Answer], analyze: Callable[[str], Query]) -> str:
    """`question` as a self-contained question: unchanged unless it is a follow-up and there is a
    previous turn to lean on."""
    if not history:
        return question
    q = analyze(question)
    if not q.followup:
        return question
    prev = analyze(history[-1].question)
    place = q.filters.locality or q.unknown_locality
    if place:  # same question, another place
        return f"{_without_place(prev)} {_IN[prev.language]} {place}".strip()
    if q.intent in _ASK[prev.language]:  # same topic and place, another field
        scope = prev.filters.locality or ""
        where = f" {_IN[prev.language]} {scope}" if scope else ""
        numbers = "".join(f" {n}" for n in prev.doc_numbers)
        return f"{_ASK[prev.language][q.intent]} {prev.topic}{numbers}{where}?"
    if q.years:  # same question, another year
        return f"{prev.text.rstrip(' ?')} {' '.join(map(str, q.years))}?"
    return question


def _without_place(q: Query) -> str:
    """The question's text without the covered place it named ("… ở huyện Cao Lãnh?" -> "…")."""
    text = q.text.rstrip(" ?")
    if not q.filters.locality:
        return text
    admin = r"(?:(?:ở|tại|của|in|of|for)\s+)?(?:(?:tỉnh|huyện|thành phố|thị xã|quận)\s+)?"
    return re.sub(admin + re.escape(q.filters.locality), "", text, flags=re.IGNORECASE).strip(" ,")
