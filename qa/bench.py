"""`policyqa bench`: speed and memory of the real pipeline and of a plain baseline, same run.

Baseline: BM25 over the raw lines of the corpus files, lower-cased and split on non-word
characters (no segmentation, no folding, no structure, no embeddings). Both are timed on the
same questions, and both are scored for Recall@5 when the questions carry gold passages.
"""

from __future__ import annotations

import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import index
from index.bm25 import BM25
from index.config import MINILM, ROOT
from ingest import iter_sources
from ingest.text import nfc
from qa.config import QASettings
from qa.engine import PolicyQA
from qa.evaluate import first_relevant_rank, load_gold

DEFAULT_QUESTIONS = ROOT / "tests" / "gold.jsonl"
_WORD = re.compile(r"\w+")
# The configuration before issue 9 (English MiniLM encoded on every query, no rerank), timed in the
# same run so the ratio is free of the machine's load of the day.
TODAY = {"model": MINILM, "dense_weight": 0.1, "rerank_depth": 0}

_COLD_OPEN = """
import sys, time, resource
t = time.perf_counter()
from qa import PolicyQA
engine = PolicyQA.open(sys.argv[1], model=sys.argv[2], build=False)
engine.search("dán nhãn sinh thái", 10)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run_bench(settings: QASettings, questions_path: Path | None = None) -> dict:
    questions = load_gold(questions_path or DEFAULT_QUESTIONS)
    queries = [q.q for q in questions]
    with tempfile.TemporaryDirectory(prefix="policyqa-bench-") as tmp:
        bench_settings = settings.with_overrides(index_dir=Path(tmp) / "index")
        index.load_encoder(settings.model)  # model load is timed by cold open, not by the build
        t0 = time.perf_counter()
        changes = index.sync(bench_settings, [settings.corpus_dir])
        build_s = time.perf_counter() - t0
        cold_s, cold_rss_kb = _cold_open(bench_settings)
        engine = PolicyQA.open(settings=bench_settings, build=False)
        clauses = engine.stats().clauses
        ours_recall = _recall5(lambda q: [h.text for h in engine.search(q, 10)], questions)
        today_settings = bench_settings.with_overrides(index_dir=Path(tmp) / "today", **TODAY)
        index.sync(today_settings, [settings.corpus_dir])
        today_engine = PolicyQA.open(settings=today_settings, build=False)
        ours, today = _latencies(queries, lambda q: engine.search(q, 10), lambda q: today_engine.search(q, 10))

    t0 = time.perf_counter()
    lines, baseline = _baseline(settings.corpus_dir)
    base_build_s = time.perf_counter() - t0

    def base_search(q: str) -> list[str]:
        scores = baseline.scores(_words(q))
        return [lines[i] for i in np.argsort(-scores)[:10]]

    (base,) = _latencies(queries, base_search)
    return {
        "questions": len(queries),
        "policyqa": {
            "documents": len(changes.added),
            "clauses": clauses,
            "build_s": round(build_s, 3),
            "clauses_per_s": round(clauses / build_s, 1),
            "cold_open_s": round(cold_s, 3),
            "cold_open_peak_rss_mb": round(cold_rss_kb / 1024, 1),
            "search_p50_ms": ours[0],
            "search_p95_ms": ours[1],
            "today_search_p50_ms": today[0],
            "today_search_p95_ms": today[1],
            "recall_at_5": ours_recall,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
        "baseline_raw_lines_bm25": {
            "lines": len(lines),
            "build_s": round(base_build_s, 3),
            "lines_per_s": round(len(lines) / base_build_s, 1),
            "search_p50_ms": base[0],
            "search_p95_ms": base[1],
            "recall_at_5": _recall5(base_search, questions),
            "index_mb": round(sum(a.nbytes for a in (baseline.indptr, baseline.indices, baseline.data)) / 1e6, 3),
        },
    }


def _cold_open(settings: QASettings) -> tuple[float, int]:
    """Open the index and answer one search in a fresh interpreter: what a new process pays."""
    out = subprocess.run(
        [sys.executable, "-c", _COLD_OPEN, str(settings.index_dir), settings.model],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout.split()
    return float(out[-2]), int(out[-1])


def _latencies(queries: list[str], *searches) -> list[tuple[float, float]]:
    """p50 and p95 of each search over the same queries, taken in turn query by query, so that
    the load of a shared machine falls on all of them alike."""
    for q in queries[:5]:  # warm-up: caches, lazy imports, first BLAS calls
        for search in searches:
            search(q)
    times: list[list[float]] = [[] for _ in searches]
    for q in queries:
        for search, spent in zip(searches, times):
            t0 = time.perf_counter()
            search(q)
            spent.append((time.perf_counter() - t0) * 1000)
    return [(round(statistics.median(t), 2), round(statistics.quantiles(t, n=20)[18] if len(t) > 1 else t[0], 2))
            for t in times]


def _recall5(search, questions) -> float | None:
    answerable = [q for q in questions if q.gold]
    if not answerable:
        return None
    found = sum(1 for q in answerable if (r := first_relevant_rank(search(q.q), q.gold)) and r <= 5)
    return round(found / len(answerable), 3)


def _words(text: str) -> list[str]:
    return _WORD.findall(nfc(text).lower())


def _baseline(corpus_dir: Path) -> tuple[list[str], BM25]:
    lines = [
        line.strip()
        for path in iter_sources([corpus_dir])
        if path.suffix in (".txt", ".md")
        for line in nfc(path.read_text(encoding="utf-8", errors="replace")).splitlines()
        if line.strip()
    ]
    return lines, BM25.build([_words(line) for line in lines])


def format_bench(f: dict) -> str:
    ours, base = f["policyqa"], f["baseline_raw_lines_bm25"]
    return "\n".join([
        f"policyqa ({ours['documents']} documents, {ours['clauses']} clauses, {f['questions']} questions)",
        f"  index build      {ours['build_s']:.2f} s  ({ours['clauses_per_s']:.0f} clauses/s, model already loaded)",
        f"  cold open        {ours['cold_open_s']:.2f} s  (new process: load index + model, first search;"
        f" peak RSS {ours['cold_open_peak_rss_mb']:.0f} MB)",
        f"  warm search      p50 {ours['search_p50_ms']:.1f} ms   p95 {ours['search_p95_ms']:.1f} ms",
        f"  before issue 9   p50 {ours['today_search_p50_ms']:.1f} ms   p95 {ours['today_search_p95_ms']:.1f} ms"
        f"  ({TODAY['model']}, no rerank): p95 ratio now/then"
        f" {ours['search_p95_ms'] / ours['today_search_p95_ms']:.2f}",
        f"  Recall@5         {ours['recall_at_5']}",
        f"  peak RSS (bench) {ours['peak_rss_mb']:.0f} MB",
        f"baseline: BM25 over raw lines, no segmentation ({base['lines']} lines)",
        f"  index build      {base['build_s']:.3f} s  ({base['lines_per_s']:.0f} lines/s, {base['index_mb']:.2f} MB)",
        f"  warm search      p50 {base['search_p50_ms']:.2f} ms   p95 {base['search_p95_ms']:.2f} ms",
        f"  Recall@5         {base['recall_at_5']}",
    ])
