"""Question kinds: each owns its detection, retrieval, reading and wording.

`answer(ctx)` asks each kind in turn; the first that recognises the question answers it. A kind's
`answer` returns None when the question is not of its kind. A new kind of question is a new module
here, added to KINDS in the order it must be tried (the narrowest first, the passage reader last).
"""

from __future__ import annotations

from qa.kinds import agency_tasks, compare, coverage, passages, recipients, scope, section_items
from qa.kinds.context import Context
from qa.model import Answer

KINDS = (scope, recipients, agency_tasks, compare, coverage, section_items, passages)


def answer(ctx: Context) -> Answer:
    for kind in KINDS:
        found = kind.answer(ctx)
        if found is not None:
            return found
    raise AssertionError("the passage kind answers every question")  # pragma: no cover


__all__ = ["Context", "KINDS", "answer"]
