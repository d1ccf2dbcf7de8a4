"""`python -m bench.agreement [INDEX_DIR [CORPUS_DIR]]`: do two backends rank alike? Top-10 of
every shipped question (tests/gold.jsonl, tests/fresh_*.jsonl) from an index and from the same
index migrated to the other backend (in a copy, every vector reused), through Index.search,
PolicyQA.search and PolicyQA.ask's citations, with the dense side as configured and asked for
every language.

INDEX_DIR: an index (either backend) of CORPUS_DIR (default: the bundled corpus); default: a fresh
embedded build of the bundled corpus in a temporary directory. An index `policyqa bench --scale N
--workdir D` kept (D/<backend>/index-N of D/<backend>/corpus-N, stub encoder) compares the
backends at that size. `--apis index` leaves out the slower PolicyQA calls.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.scale import STUB_MODEL, install_stub
from index import Index, store, sync
from index.backend import backend_for
from index.config import ROOT, load_settings
from qa import PolicyQA
from qa.config import QASettings
from qa.evaluate import load_gold

FILES = ("gold.jsonl", "fresh_a.jsonl", "fresh_c.jsonl")
APIS = ("index", "search", "ask")
OTHER = {"embedded": "milvus", "milvus": "embedded"}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.agreement", description=__doc__.split("\n\n")[0])
    p.add_argument("index_dir", nargs="?", help="an index to compare (default: a fresh build of the bundled corpus)")
    p.add_argument("corpus_dir", nargs="?", help="the files INDEX_DIR holds (default: the bundled corpus)")
    p.add_argument("--apis", default=",".join(APIS), help=f"comma-separated, of {', '.join(APIS)}")
    args = p.parse_args(argv)
    apis = args.apis.split(",")
    if unknown := set(apis) - set(APIS):
        p.error(f"--apis: unknown {', '.join(sorted(unknown))}; known: {', '.join(APIS)}")
    questions = [q for f in FILES for q in load_gold(ROOT / "tests" / f)]
    with tempfile.TemporaryDirectory(prefix="policyqa-agreement-") as tmp:
        first = load_settings(QASettings, index_dir=Path(args.index_dir or Path(tmp) / "embedded"), backend="embedded")
        if args.index_dir:
            manifest = store.read_manifest(store.generation_path(first.index_dir))
            first = first.with_overrides(backend=manifest.backend, model=manifest.model)
            if manifest.model == STUB_MODEL:
                install_stub()
        corpus = Path(args.corpus_dir) if args.corpus_dir else first.corpus_dir
        if not args.index_dir:
            sync(first, [corpus])
        backend_for(first).release(first)  # Milvus Lite: its files are copied whole
        shutil.copytree(first.index_dir, Path(tmp) / "other", symlinks=True)
        other = first.with_overrides(index_dir=Path(tmp) / "other", backend=OTHER[first.backend])
        t = time.perf_counter()
        sync(other, [corpus])  # the migration: every vector reused
        print(f"migrated a copy from {first.backend} to {other.backend} in {time.perf_counter() - t:.1f} s")
        for label, overrides in (("dense as configured", {}), ("dense for every language", {"dense_languages": "vi,vi-nodiac,en"})):
            a, b = first.with_overrides(**overrides), other.with_overrides(**overrides)
            ia, ib = Index.open(a), Index.open(b)
            runs = {"index": ("Index.search", lambda q: [h.id for h in ia.search(q, 10)],
                              lambda q: [h.id for h in ib.search(q, 10)])}
            if {"search", "ask"} & set(apis):
                qa, qb = PolicyQA.open(settings=a, build=False), PolicyQA.open(settings=b, build=False)
                runs["search"] = ("PolicyQA.search", lambda q: [h.id for h in qa.search(q, 10)],
                                  lambda q: [h.id for h in qb.search(q, 10)])
                runs["ask"] = ("PolicyQA.ask citations", lambda q: [c.id for c in qa.ask(q).citations],
                               lambda q: [c.id for c in qb.ask(q).citations])
            for api, run_a, run_b in (runs[name] for name in apis):
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
                        print(f"  differs: {q.id} {q.q}\n    {a.backend:8} {top_a}\n    {b.backend:8} {top_b}")
                print(f"{label:26} {api:24} identical top-10 {same}/{len(questions)} "
                      f"({a.backend} {seconds[0]:.1f} s, {b.backend} {seconds[1]:.1f} s)", flush=True)
        for s in (first, other):
            backend_for(s).release(s)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
