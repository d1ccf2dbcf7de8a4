"""`policyqa bench --scale N`: the index's own costs on a synthetic corpus of N clauses.

Builds the corpus of `bench.synthetic` with a stub encoder (a hash of the text -> a fixed random
unit vector, microseconds per clause), so the figures are the project's costs: ingest, pyvi,
BM25, faiss, files. The real model's rate is measured on a sample and combined with them for the
build rate with embedding; its query encode time is measured the same way and added per query.
Beside them, in the same run: bm25s (if installed: `pip install .[bench]`) over the same clause
texts, and faiss alone over the same vectors.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

import index
from bench.embed_build import format_embed_build, run_embed_build
from bench.synthetic import CLAUSES_PER_DOC, document, generate
from index import dense, embed, merger, store
from index.backend import backend_for
from index.build import compact
from index.clause_text import dense_text
from index.config import ROOT, IndexSettings
from index.model import Filters
from index.search import DEPTH, Index
from qa.evaluate import load_gold

STUB_MODEL = "bench-stub"
STUB_DIMENSION = 384  # the default model's, so the stub's arrays are the real ones' size
QUESTIONS = ROOT / "tests" / "gold.jsonl"
SKIPPABLE = ("change", "merge", "bm25s", "faiss", "hnsw")  # steps a large run may leave out (`--skip`)

_OPEN = """
import json, sys, time
from bench.scale import install_stub, rss_mb
install_stub()
from index import Index
from index.config import IndexSettings
from index.model import Filters
base = rss_mb()
t = time.perf_counter()
idx = Index.open(IndexSettings(index_dir=sys.argv[1], model=sys.argv[2], backend=sys.argv[3]))
opened = time.perf_counter() - t
after_open = rss_mb()
idx.search("dán nhãn sinh thái", 10)
idx.search("tuyên truyền sản xuất và tiêu dùng bền vững", 10, Filters(locality="Thanh Hóa"))
print(json.dumps({"open_s": opened, "base_mb": base, "open_mb": after_open, "search_mb": rss_mb()}))
"""


class _StubEncoder:
    """Stands in for a model (index.embed.Encoder): a deterministic unit vector per text."""

    name = STUB_MODEL
    dimension = STUB_DIMENSION

    def passages(self, texts, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        out = np.empty((len(texts), STUB_DIMENSION), dtype=np.float32)
        for i, s in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")
            out[i] = np.random.default_rng(seed).standard_normal(STUB_DIMENSION, dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def query(self, text: str) -> np.ndarray:
        return self.passages([text])[0]


def install_stub() -> None:
    """Make `STUB_MODEL` loadable in this process, as if it were an installed model."""
    with embed._lock:
        embed._encoders.setdefault(STUB_MODEL, _StubEncoder())


def rss_mb() -> float:
    """Resident memory now (not the peak), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_scale(settings: IndexSettings, clauses: int, *, workdir: Path | None = None, embed_sample: int = 1000,
              questions: Path = QUESTIONS, keep: bool = False, skip: frozenset[str] = frozenset(),
              embed_build: int = 0) -> dict:
    """Every figure of one scale run; `workdir` (kept if given) holds the corpus and index. The
    steps named in `skip` (SKIPPABLE) are not run and their figures are None; `embed_build`: also
    build that many clauses with the real model (bench.embed_build)."""
    if unknown := set(skip) - set(SKIPPABLE):
        raise ValueError(f"bench --skip: unknown step(s) {', '.join(sorted(unknown))}; known: {', '.join(SKIPPABLE)}")
    install_stub()
    tmp = None if workdir else tempfile.TemporaryDirectory(prefix="policyqa-scale-")
    root = Path(workdir or tmp.name)
    corpus, index_dir = root / f"corpus-{clauses}", root / f"index-{clauses}"
    try:
        t = time.perf_counter()
        generate(corpus, clauses)  # every file rewritten: a run never reuses a half-written corpus
        generated_s = time.perf_counter() - t
        shutil.rmtree(index_dir, ignore_errors=True)
        bench = settings.with_overrides(index_dir=index_dir, model=STUB_MODEL)
        t, cpu, workers = time.perf_counter(), time.process_time(), _children_cpu()
        index.sync(bench, [corpus])
        build_s, build_cpu_s = time.perf_counter() - t, time.process_time() - cpu
        build_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the build is this process's first work
        from ingest.sandbox import shared  # here: _OPEN imports this module and must not pay for ingest

        shared(bench.limits).close()  # its ingest worker, reaped, so its CPU is counted
        ingest_cpu_s = _children_cpu() - workers
        merger.wait()  # a merge the build started in the background: measured below is what it leaves
        generation = index.current_generation(bench)
        disk = store.generation_bytes(index_dir, generation) + sum(  # and what a backend keeps beside (Milvus Lite)
            f.stat().st_size for f in index_dir.rglob("*")
            if f.is_file() and not f.relative_to(index_dir).parts[0].startswith(
                (store.GEN_PREFIX, store.SEG_PREFIX, store.LOCK, store.STAGING_PREFIX)))
        manifest = store.read_manifest(index_dir / generation)
        kinds = ",".join(s.dense for s in manifest.segments)
        queries = [q.q for q in load_gold(questions)]
        opened = _open_in_subprocess(bench)
        idx = index.Index.open(bench)
        n = manifest.clauses
        search = _latencies(lambda q: idx.search(q, 10), queries)
        scoped = _latencies(lambda q: idx.search(q, 10, Filters(locality="Thanh Hóa")), queries)
        encoder, encode = _real_encoder(settings.model, queries)
        embed_rate = _embedding_rate(encoder, [dense_text(c) for c in _first_clauses(idx, embed_sample)])
        change_s = noop_s = changed_search = changed_segments = merge_s = None
        if "change" not in skip:
            change_s, noop_s = _change_one_document(bench, corpus)
            changed = index.Index.open(bench)
            changed_search = _latencies(lambda q: changed.search(q, 10), queries)
            changed_segments = len(Index.open_files(bench)._segments)
            changed_search.pop("all")
        if "merge" not in skip:
            t = time.perf_counter()
            compact(bench)
            merge_s = time.perf_counter() - t
        figures = {
            "clauses": n,
            "documents": len(idx.documents),
            "generate_s": round(generated_s, 2),
            "build_s": round(build_s, 2),
            "build_clauses_per_s": round(n / build_s, 1),
            "build_cpu_s": round(build_cpu_s, 1),
            "build_ingest_cpu_s": round(ingest_cpu_s, 1),
            "build_peak_rss_mb": round(build_peak_mb),
            "segments": len(manifest.segments),
            "embed_clauses_per_s": None if embed_rate is None else round(embed_rate, 1),
            "build_with_embedding_clauses_per_s": None if embed_rate is None else
            round(n / (build_s + n / embed_rate), 1),
            "backend": bench.backend,
            "disk_mb": round(disk / 1e6, 1),
            "dense_index": kinds,
            "open_s": round(opened["open_s"], 2),
            "rss_base_mb": round(opened["base_mb"], 1),
            "rss_after_open_mb": round(opened["open_mb"], 1),
            "rss_after_search_mb": round(opened["search_mb"], 1),
            "search_ms": search,
            "search_scoped_ms": scoped,
            "encode_ms": encode,
            "search_with_encode_ms": None if encode is None else _percentiles(
                [a + b for a, b in zip(search["all"], encode["all"])]),
            "change_one_document_s": _round(change_s),
            "noop_reindex_s": _round(noop_s),
            "segments_after_change": changed_segments,
            "search_after_change_ms": changed_search,
            "merge_s": _round(merge_s),
            "bm25s": None if "bm25s" in skip else _bm25s_alone([c.text for c in idx.clauses()], queries),
            "faiss": None if "faiss" in skip else _faiss_alone(_vectors(bench), settings.ann_threshold, len(queries)),
            "hnsw": None if "hnsw" in skip else _hnsw_sweep(_vectors(bench), len(queries)),
            "skipped": sorted(skip),
            "questions": len(queries),
            "embed_build": run_embed_build(settings, embed_build, root, embed_sample) if embed_build else None,
            "load": [round(x, 1) for x in os.getloadavg()],
        }
        for key in ("search_ms", "search_scoped_ms", "encode_ms", "search_with_encode_ms"):
            if figures[key]:
                figures[key].pop("all", None)
        return figures
    finally:
        backend_for(settings).release(settings.with_overrides(index_dir=index_dir))
        if tmp is not None and not keep:
            tmp.cleanup()


def _children_cpu() -> float:
    """CPU seconds of this process's reaped children (the ingest worker, once closed)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _first_clauses(idx, count: int) -> list:
    """The first `count` clauses, read document by document: a 1M index's clauses are never all read."""
    out = []
    for doc_id in idx.documents:
        if len(out) >= count:
            break
        out += idx.clauses(doc_id)
    return out[:count]


def _vectors(settings: IndexSettings) -> np.ndarray:
    """Every segment's vectors in one array (1.5 GB at 1M: only the faiss and HNSW steps read them)."""
    return np.concatenate([s.embeddings for s in Index.open_files(settings)._segments])


def _round(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)


def _open_in_subprocess(settings: IndexSettings) -> dict:
    """Open the index in a fresh interpreter: its RSS is what a server pays for this index."""
    backend_for(settings).release(settings)  # Milvus Lite serves one process: the new one, for now
    run = subprocess.run([sys.executable, "-c", _OPEN, str(settings.index_dir), settings.model, settings.backend],
                         capture_output=True, text=True, cwd=ROOT)
    if run.returncode:
        raise RuntimeError(f"opening the index in a new process failed:\n{run.stderr}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def _real_encoder(model: str, queries: Sequence[str]) -> tuple[embed.Encoder | None, dict | None]:
    try:
        encoder = index.load_encoder(model)
    except index.ModelLoadError:
        return None, None
    return encoder, _latencies(encoder.query, queries)


def _embedding_rate(encoder: embed.Encoder | None, texts: list[str]) -> float | None:
    if encoder is None or not texts:
        return None
    encoder.passages(texts[:32])  # warm-up
    t = time.perf_counter()
    encoder.passages(texts)
    return len(texts) / (time.perf_counter() - t)


def _change_one_document(settings: IndexSettings, corpus: Path) -> tuple[float, float]:
    """Seconds to reindex after one document's item is rewritten, then with nothing changed."""
    changed = document(0, revision=1)
    (corpus / changed.name).write_text(changed.text, encoding="utf-8")
    t = time.perf_counter()
    changes = index.sync(settings, [corpus])
    change_s = time.perf_counter() - t  # the write; a merge it starts runs in the background
    merger.wait()
    if changes.updated != (Path(changed.name).stem,):
        raise RuntimeError(f"the changed document was not re-indexed alone: {changes}")
    t = time.perf_counter()
    index.sync(settings, [corpus])
    noop_s = time.perf_counter() - t
    original = document(0)
    (corpus / original.name).write_text(original.text, encoding="utf-8")  # a kept corpus stays as generated
    return change_s, noop_s


def _bm25s_alone(texts: list[str], queries: list[str]) -> dict | None:
    try:
        import bm25s
    except ImportError:
        return None
    t = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords=None, show_progress=False), show_progress=False)
    build_s = time.perf_counter() - t

    def search(q: str):
        return retriever.retrieve(bm25s.tokenize([q], stopwords=None, show_progress=False), k=10,
                                  show_progress=False)

    latencies = _latencies(search, queries)
    latencies.pop("all")
    return {"build_s": round(build_s, 2), "search_ms": latencies}


def _faiss_alone(vectors: np.ndarray, ann_threshold: int, n_queries: int) -> dict:
    """faiss over the same vectors, as the index builds it; for HNSW, its recall@10 against exact search."""
    t = time.perf_counter()
    built = dense.build(vectors, ann_threshold)
    build_s = time.perf_counter() - t
    queries = list(_StubEncoder().passages([f"q{i}" for i in range(n_queries)]))
    latencies = _latencies(lambda v: dense.search(built, v, DEPTH), queries)
    latencies.pop("all")
    exact = dense.DenseIndex(vectors)
    found = [len(set(dense.search(built, v, 10)[0]) & set(dense.search(exact, v, 10)[0])) / 10 for v in queries]
    return {"kind": dense.kind(built), "build_s": round(build_s, 2), "search_ms": latencies,
            "recall_at_10": round(float(np.mean(found)), 3)}


HNSW_M = (16, 32)
HNSW_EF = (16, 32, 64, 128, 256)


def _hnsw_sweep(vectors: np.ndarray, n_queries: int) -> list[dict]:
    """recall@10 against exact search and p50 latency of HNSW graphs over the same vectors, for each
    graph degree M and search breadth efSearch: the table dense.HNSW_* are chosen from."""
    import faiss

    queries = _StubEncoder().passages([f"q{i}" for i in range(n_queries)])
    exact = dense.DenseIndex(vectors)
    truth = [set(dense.search(exact, v, 10)[0].tolist()) for v in queries]
    rows = []
    for m in HNSW_M:
        graph = faiss.IndexHNSWFlat(vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = dense.HNSW_EF_CONSTRUCTION
        t = time.perf_counter()
        graph.add(np.ascontiguousarray(vectors, dtype=np.float32))
        build_s = time.perf_counter() - t
        for ef in HNSW_EF:
            params = faiss.SearchParametersHNSW(efSearch=max(ef, 10))
            times, found = [], []
            for v, want in zip(queries, truth):
                t = time.perf_counter()
                _, got = graph.search(v.reshape(1, -1), 10, params=params)
                times.append((time.perf_counter() - t) * 1000)
                found.append(len(set(got[0].tolist()) & want) / 10)
            rows.append({"m": m, "ef_search": ef, "build_s": round(build_s, 1),
                         "recall_at_10": round(float(np.mean(found)), 3), "p50_ms": round(statistics.median(times), 3)})
    return rows


def _latencies(run: Callable, items: Sequence) -> dict:
    for item in items[:5]:  # warm-up: caches, lazy imports, first BLAS calls
        run(item)
    times = []
    for item in items:
        t = time.perf_counter()
        run(item)
        times.append((time.perf_counter() - t) * 1000)
    return {**_percentiles(times), "all": times}


def _percentiles(times: list[float]) -> dict:
    p95 = statistics.quantiles(times, n=20)[18] if len(times) > 1 else times[0]
    return {"p50": round(statistics.median(times), 2), "p95": round(p95, 2)}


def format_scale(f: dict) -> str:
    def ms(d: dict | None) -> str:
        return "–" if not d else f"{d['p50']:.2f} / {d['p95']:.2f} ms"

    rate = f["build_with_embedding_clauses_per_s"]
    embed_rate = f["embed_clauses_per_s"]
    lines = [
        f"[{f['backend']}] synthetic corpus: {f['clauses']} clauses in {f['documents']} documents "
        f"({CLAUSES_PER_DOC} clauses each; generated in {f['generate_s']} s); {f['questions']} questions; "
        f"load average at the end {f['load'][0]} (1 min), {f['load'][1]} (5 min)",
        f"  build, no embedding      {f['build_s']:.1f} s  ({f['build_clauses_per_s']:.0f} clauses/s); "
        f"{f['build_cpu_s']:.0f} s CPU in this process (+{f['build_ingest_cpu_s']:.0f} s in its ingest worker), "
        f"peak RSS {f['build_peak_rss_mb']} MB; "
        f"{f['segments']} segments",
        "  embedding alone          " + ("–" if embed_rate is None else f"{embed_rate:.0f} clauses/s (sample)"),
        "  build with embedding     " + ("–" if rate is None else
                                          f"{rate:.0f} clauses/s = {rate / embed_rate:.0%} of the embedding rate "
                                          "(extrapolated: stub build, then the sample's rate)"),
        *([format_embed_build(f["embed_build"])] if f.get("embed_build") else []),
        f"  disk                     {f['disk_mb']:.1f} MB  (dense: {f['dense_index']})",
        f"  open                     {f['open_s']:.2f} s; RSS {f['rss_after_open_mb']:.0f} MB after open "
        f"({f['rss_after_open_mb'] - f['rss_base_mb']:.0f} MB over the interpreter's {f['rss_base_mb']:.0f}),"
        f" {f['rss_after_search_mb']:.0f} MB after two searches",
        f"  search excl. encode      p50 / p95 {ms(f['search_ms'])}; with a locality filter {ms(f['search_scoped_ms'])}",
        f"  query encode             p50 / p95 {ms(f['encode_ms'])}",
        f"  search incl. encode      p50 / p95 {ms(f['search_with_encode_ms'])}",
        "  change one document      " + ("skipped" if f["change_one_document_s"] is None else
                                         f"{f['change_one_document_s']:.2f} s (a segment and tombstones; "
                                         f"{f['segments_after_change']} segments after), search then "
                                         f"{ms(f['search_after_change_ms'])}; no-op reindex {f['noop_reindex_s']:.2f} s"),
        "  merge all segments       " + ("skipped" if f["merge_s"] is None else f"{f['merge_s']:.2f} s"),
    ]
    b = f["bm25s"]
    lines.append("bm25s alone (same clause texts): " + (
        "skipped" if "bm25s" in f["skipped"] else "not installed (pip install .[bench])" if b is None else
        f"build {b['build_s']:.1f} s, search {ms(b['search_ms'])}"))
    if fa := f["faiss"]:
        lines.append(f"faiss alone ({fa['kind']}, same vectors): build {fa['build_s']:.1f} s, "
                     f"search {ms(fa['search_ms'])}, recall@10 vs exact {fa['recall_at_10']}")
    if f.get("hnsw"):
        lines.append("HNSW over the same vectors (stub vectors: random, the hardest case for a graph):")
        lines.append("  M  efSearch  recall@10  p50 ms  (graph build s)")
        lines += [f"  {r['m']:<3}{r['ef_search']:>7}  {r['recall_at_10']:>9.3f}  {r['p50_ms']:>6.3f}  ({r['build_s']})"
                  for r in f["hnsw"]]
    return "\n".join(lines)
