"""Score a gold question file: retrieval (Recall@1/5/10, MRR@10 per language), answer
accuracy per kind and language, and abstention on unanswerable questions.

Gold format (one JSON object per line): id, q, lang (vi | vi-nodiac | en), kind
(lead | partner | when | target | fact | basis | none), gold (source passages: a retrieved
clause is relevant when its text contains one), answer (strings a correct answer contains).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.text import nfc

LANGS = ("vi", "vi-nodiac", "en")
KINDS = ("lead", "partner", "when", "target", "fact", "basis", "none")
CUTOFFS = (1, 5, 10)


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    q: str
    lang: str
    kind: str
    gold: tuple[str, ...]
    answer: tuple[str, ...]


@dataclass
class Outcome:
    id: str
    lang: str
    kind: str
    rank: int | None  # 1-based rank of the first relevant clause in the top 10
    correct: bool  # answer contains every answer string (none: abstained)
    abstained: bool
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
        for name in ("gold", "answer"):
            if not isinstance(row.get(name), list) or not all(isinstance(x, str) and x.strip() for x in row[name]):
                raise ValueError(f"{where}: field '{name}' must be a list of non-empty strings")
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
        questions.append(GoldQuestion(row["id"], row["q"], row["lang"], row["kind"],
                                      tuple(row["gold"]), tuple(row["answer"])))
    if not questions:
        raise ValueError(f"{path}: no questions")
    return questions


def first_relevant_rank(texts: list[str], gold: tuple[str, ...]) -> int | None:
    wanted = [normalize(g) for g in gold]
    for rank, text in enumerate(texts, 1):
        norm = normalize(text)
        if any(g in norm for g in wanted):
            return rank
    return None


def evaluate(engine, questions: list[GoldQuestion]) -> Report:
    """Run every question through `engine.search` (top 10) and `engine.ask`."""
    outcomes = []
    for q in questions:
        rank = None
        if q.kind != "none":
            rank = first_relevant_rank([h.text for h in engine.search(q.q, 10)], q.gold)
        answer = engine.ask(q.q)
        if q.kind == "none":
            correct = answer.abstained
        else:
            text = normalize(answer.text)
            correct = not answer.abstained and all(normalize(a) in text for a in q.answer)
        outcomes.append(Outcome(q.id, q.lang, q.kind, rank, correct, answer.abstained, answer.text))
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
                groups[key].append(o.correct)
    report.answers = {k: {"accuracy": sum(v) / len(v), "n": len(v)} for k, v in sorted(groups.items())}
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
    lines += ["Answer accuracy (kind/lang)"]
    lines += [f"  {key:<20} {v['accuracy']:.3f}  (n={v['n']})" for key, v in report.answers.items()]
    a = report.abstention
    lines += [f"Abstention: none questions abstained {a['none_abstained']:.3f} (n={a['none_n']}); "
              f"answerable questions abstained {a['answerable_abstained']:.3f} (n={a['answerable_n']})"]
    misses = [o for o in report.outcomes if not o.correct]
    if misses:
        lines.append("Wrong answers:")
        lines += [f"  {o.id} [{o.kind}/{o.lang}] rank={o.rank} abstained={o.abstained}: "
                  f"{o.answer[:160].replace(chr(10), ' ')}" for o in misses]
    return "\n".join(lines)
