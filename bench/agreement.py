"""`python -m bench.agreement [INDEX_DIR]`: do two backends rank alike? Top-10 of every shipped
question (tests/gold.jsonl, tests/fresh_*.jsonl) from the embedded index and from the same index
migrated to Milvus (Lite, in a copy), through Index.search, PolicyQA.search and PolicyQA.ask's
citations, with the dense side as configured and asked for every language.

INDEX_DIR: an embedded index of the bundled corpus (default: a fresh build in a temporary directory).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from index import Index, sync
from index.backend import backend_for
from index.config import ROOT, load_settings
from qa.config import QASettings
from qa import PolicyQA
from qa.evaluate import load_gold

FILES = ("gold.jsonl", "fresh_a.jsonl", "fresh_c.jsonl")


def main(argv: list[str]) -> int:
    questions = [q for f in FILES for q in load_gold(ROOT / "tests" / f)]
    with tempfile.TemporaryDirectory(prefix="policyqa-agreement-") as tmp:
        embedded = load_settings(QASettings, index_dir=Path(argv[0]) if argv else Path(tmp) / "embedded", backend="embedded")
        if not argv:
            sync(embedded, [embedded.corpus_dir])
        shutil.copytree(embedded.index_dir, Path(tmp) / "milvus", symlinks=True)
        other = embedded.with_overrides(index_dir=Path(tmp) / "milvus", backend="milvus")
        sync(other, [other.corpus_dir])  # the migration: every vector reused
        for label, overrides in (("dense as configured", {}), ("dense for every language", {"dense_languages": "vi,vi-nodiac,en"})):
            a, b = embedded.with_overrides(**overrides), other.with_overrides(**overrides)
            qa, qb = PolicyQA.open(settings=a, build=False), PolicyQA.open(settings=b, build=False)
            ia, ib = Index.open(a), Index.open(b)
            for api, run_a, run_b in (
                    ("Index.search", lambda q: [h.id for h in ia.search(q, 10)], lambda q: [h.id for h in ib.search(q, 10)]),
                    ("PolicyQA.search", lambda q: [h.id for h in qa.search(q, 10)], lambda q: [h.id for h in qb.search(q, 10)]),
                    ("PolicyQA.ask citations", lambda q: [c.id for c in qa.ask(q).citations],
                     lambda q: [c.id for c in qb.ask(q).citations])):
                same, seconds = 0, [0.0, 0.0]
                for q in questions:
                    t = time.perf_counter()
                    top_a = run_a(q.q)
                    seconds[0] += time.perf_counter() - t
                    t = time.perf_counter()
                    top_b = run_b(q.q)
                    seconds[1] += time.perf_counter() - t
                    same += top_a == top_b
                    if top_a != top_b:
                        print(f"  differs: {q.id} {q.q}\n    embedded {top_a}\n    milvus   {top_b}")
                print(f"{label:26} {api:24} identical top-10 {same}/{len(questions)} "
                      f"(embedded {seconds[0]:.1f} s, milvus {seconds[1]:.1f} s)")
        backend_for(other).release(other)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
