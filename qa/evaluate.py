"""Score a gold question file: retrieval (Recall@1/5/10, MRR@10 per language), answer
accuracy per kind and language, and abstention on unanswerable questions.

Gold format (one JSON object per line): id, q, lang (vi | vi-nodiac | en), kind
(lead | partner | when | target | fact | basis | list | compare | none), gold (source passages: a
retrieved clause is relevant when its text contains one), answer (strings a correct answer contains;
an item may be a list of accepted alternatives), not (optional: strings the first line must not hold).

Two answer scores: lenient (the whole answer contains every answer string) and strict, the one that
counts: the first non-empty line contains every answer string and none of the `not` strings.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.text import nfc

LANGS = ("vi", "vi-nodiac", "en")
KINDS = ("lead", "partner", "when", "target", "fact", "basis", "list", "compare", "none")
CUTOFFS = (1, 5, 10)


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    q: str
    lang: str
    kind: str
    gold: tuple[str, ...]
    answer: tuple[tuple[str, ...], ...]  # each item: its accepted alternatives
    not_: tuple[str, ...] = ()  # strings the first line must not contain


@dataclass
class Outcome:
    id: str
    lang: str
    kind: str
    rank: int | None  # 1-based rank of the first relevant clause in the top 10
    correct: bool  # lenient: the answer contains every answer string (none: abstained)
    abstained: bool
    strict: bool  # the first line contains every answer string and no `not` string (none: abstained)
    answer: str


@dataclass
class Report:
    retrieval: dict[str, dict[str, float]] = field(default_factory=dict)  # lang -> metric -> value
    answers: dict[str, dict[str, float]] = field(default_factory=dict)  # "kind/lang" -> accuracy, n
    abstention: dict[str, float] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def normalize(text: str) -> str:
    """The comparison form: NFC, lower case, white space collapsed."""
    return re.sub(r"\s+", " ", nfc(text).lower()).strip()


def load_gold(path: str | Path) -> list[GoldQuestion]:
    """Parse and validate a gold file; errors name the file, line and field."""
    path = Path(path)
    questions, seen = [], set()
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{no}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise ValueError(f"{where}: expected a JSON object, got {type(row).__name__}")
        for name in ("id", "q", "lang", "kind"):
            if not isinstance(row.get(name), str) or not row[name].strip():
                raise ValueError(f"{where}: field '{name}' must be a non-empty string")
        for name in ("gold", "not"):
            value = row.get(name, [])
            if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
                raise ValueError(f"{where}: field '{name}' must be a list of non-empty strings")
        answer = row.get("answer")
        if not isinstance(answer, list) or not all(_alternatives(x) for x in answer):
            raise ValueError(f"{where}: field 'answer' must be a list of non-empty strings "
                             "(or of lists of accepted alternatives)")
        if row["lang"] not in LANGS:
            raise ValueError(f"{where}: field 'lang' must be one of {', '.join(LANGS)}")
        if row["kind"] not in KINDS:
            raise ValueError(f"{where}: field 'kind' must be one of {', '.join(KINDS)}")
        answerable = row["kind"] != "none"
        for name in ("gold", "answer"):
            if answerable != bool(row[name]):  # an empty list would score every answer as right
                need = "at least one string" if answerable else "no strings for kind 'none'"
                raise ValueError(f"{where}: field '{name}' must have {need}")
        if row["id"] in seen:
            raise ValueError(f"{where}: duplicate id {row['id']!r}")
        seen.add(row["id"])
        questions.append(GoldQuestion(row["id"], row["q"], row["lang"], row["kind"], tuple(row["gold"]),
                                      tuple(_alternatives(x) for x in answer), tuple(row.get("not", []))))
    if not questions:
        raise ValueError(f"{path}: no questions")
    return questions


def _alternatives(item) -> tuple[str, ...]:
    """An answer item as its accepted alternatives; () when malformed."""
    items = [item] if isinstance(item, str) else item if isinstance(item, list) else []
    ok = items and all(isinstance(x, str) and x.strip() for x in items)
    return tuple(items) if ok else ()


def first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def holds(text: str, answer: tuple[tuple[str, ...], ...]) -> bool:
    """`text` contains one alternative of every answer item."""
    norm = normalize(text)
    return all(any(normalize(a) in norm for a in item) for item in answer)


def first_relevant_rank(texts: list[str], gold: tuple[str, ...]) -> int | None:
    wanted = [normalize(g) for g in gold]
    for rank, text in enumerate(texts, 1):
        norm = normalize(text)
        if any(g in norm for g in wanted):
            return rank
    return None


def score(q: GoldQuestion, text: str, abstained: bool) -> tuple[bool, bool]:
    """(lenient, strict) correctness of an answer to `q`."""
    if q.kind == "none":
        return abstained, abstained
    if abstained:
        return False, False
    line = normalize(first_line(text))
    strict = holds(line, q.answer) and not any(normalize(n) in line for n in q.not_)
    return holds(text, q.answer), strict


def evaluate(engine, questions: list[GoldQuestion]) -> Report:
    """Run every question through `engine.search` (top 10) and `engine.ask`."""
    outcomes = []
    for q in questions:
        rank = None
        if q.kind != "none":
            rank = first_relevant_rank([h.text for h in engine.search(q.q, 10)], q.gold)
        answer = engine.ask(q.q)
        lenient, strict = score(q, answer.text, answer.abstained)
        outcomes.append(Outcome(q.id, q.lang, q.kind, rank, lenient, answer.abstained, strict, answer.text))
    return summarize(outcomes)


def summarize(outcomes: list[Outcome]) -> Report:
    report = Report(outcomes=outcomes)
    by_lang = defaultdict(list)
    for o in outcomes:
        if o.kind != "none":
            by_lang[o.lang].append(o.rank)
    for lang in [*LANGS, "all"]:
        ranks = [r for ol in by_lang.values() for r in ol] if lang == "all" else by_lang.get(lang, [])
        if not ranks:
            continue
        metrics = {f"R@{c}": sum(1 for r in ranks if r and r <= c) / len(ranks) for c in CUTOFFS}
        metrics["MRR@10"] = sum(1 / r for r in ranks if r and r <= 10) / len(ranks)
        metrics["n"] = len(ranks)
        report.retrieval[lang] = metrics
    groups = defaultdict(list)
    for o in outcomes:
        if o.kind != "none":
            for key in (f"{o.kind}/{o.lang}", f"{o.kind}/*", f"*/{o.lang}", "*/*"):
                groups[key].append(o)
    report.answers = {k: {"strict": sum(o.strict for o in v) / len(v), "accuracy": sum(o.correct for o in v) / len(v),
                          "n": len(v)} for k, v in sorted(groups.items())}
    none = [o for o in outcomes if o.kind == "none"]
    answerable = [o for o in outcomes if o.kind != "none"]
    report.abstention = {
        "none_abstained": sum(o.abstained for o in none) / len(none) if none else 0.0,
        "none_n": len(none),
        "answerable_abstained": sum(o.abstained for o in answerable) / len(answerable) if answerable else 0.0,
        "answerable_n": len(answerable),
    }
    return report


def format_report(report: Report) -> str:
    lines = ["Retrieval (first relevant clause in top 10)",
             f"  {'lang':<10} {'n':>3} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR@10':>7}"]
    for lang, m in report.retrieval.items():
        lines.append(f"  {lang:<10} {m['n']:>3} {m['R@1']:>6.3f} {m['R@5']:>6.3f} {m['R@10']:>6.3f} {m['MRR@10']:>7.3f}")
    lines += [f"Answers (kind/lang)        {'strict':>7} {'lenient':>8}"]
    lines += [f"  {key:<24} {v['strict']:>7.3f} {v['accuracy']:>8.3f}  (n={v['n']})" for key, v in report.answers.items()]
    a = report.abstention
    lines += [f"Abstention: none questions abstained {a['none_abstained']:.3f} (n={a['none_n']}); "
              f"answerable questions abstained {a['answerable_abstained']:.3f} (n={a['answerable_n']})"]
    misses = [o for o in report.outcomes if not o.strict]
    if misses:
        lines.append("Wrong answers (strict; * = right but not in the first line alone):")
        lines += [f"  {o.id}{'*' if o.correct else ''} [{o.kind}/{o.lang}] rank={o.rank} abstained={o.abstained}: "
                  f"{o.answer[:160].replace(chr(10), ' ')}" for o in misses]
    return "\n".join(lines)
