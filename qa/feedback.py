"""Officials' 👍/👎 on answers, kept in <index_dir>/feedback.sqlite for an administrator to review.

Each row keeps what is needed to act on it without the session: the question, the answer text,
its citations and the index generation it came from. `policyqa feedback --csv` exports them.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.model import Answer

FILE = "feedback.sqlite"
COLUMNS = ("id", "at", "rating", "comment", "question", "answer", "citations", "generation", "user")
_SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, rating INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL, generation TEXT NOT NULL, user TEXT)"""


def _connect(index_dir: str | Path) -> sqlite3.Connection:
    db = sqlite3.connect(Path(index_dir) / FILE, timeout=10)
    db.execute(_SCHEMA)
    return db


def record(index_dir: str | Path, answer: Answer, *, liked: bool, generation: str,
           comment: str = "", user: str | None = None) -> int:
    """Save one rating; returns its id, so a comment typed afterwards can be attached."""
    citations = "\n".join(f"[{i}] {h.citation}" for i, h in enumerate(answer.citations, 1))
    with _connect(index_dir) as db:
        cur = db.execute(
            "INSERT INTO feedback (at, rating, comment, question, answer, citations, generation, user) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (datetime.now(timezone.utc).isoformat(timespec="seconds"), 1 if liked else -1, comment.strip(),
             answer.question, answer.text, citations, generation, user),
        )
        return int(cur.lastrowid)


def comment(index_dir: str | Path, feedback_id: int, text: str) -> None:
    with _connect(index_dir) as db:
        db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (text.strip(), feedback_id))


def rows(index_dir: str | Path) -> list[dict]:
    if not (Path(index_dir) / FILE).exists():
        return []
    with _connect(index_dir) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id")]


def to_csv(items: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(items)
    return out.getvalue()
