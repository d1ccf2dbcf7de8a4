"""`policyqa bench --scale N --embed-build M`: a real build with the model, measured end to end.

The scale bench builds with a stub encoder and combines that build's time with the model's rate
on a sample as if the two ran one after the other. This builds a synthetic corpus of M clauses
with the real model (ingest, embedding, pyvi, postings, files, publishing) and compares its rate
with the model's raw rate on the same corpus's texts, measured in the same process right after
(the machine is shared: the load average at both ends is reported beside the figures).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import index
from bench.synthetic import generate
from index.clause_text import dense_text
from index.config import IndexSettings


def run_embed_build(settings: IndexSettings, clauses: int, root: Path, sample: int) -> dict | None:
    """Figures of one real build of `clauses` clauses in `root`; None when the model cannot load."""
    try:
        encoder = index.load_encoder(settings.model)  # loaded outside the timed build, as a running app has it
    except index.ModelLoadError:
        return None
    corpus, index_dir = root / f"embed-corpus-{clauses}", root / f"embed-index-{clauses}"
    generate(corpus, clauses)
    shutil.rmtree(index_dir, ignore_errors=True)
    build = settings.with_overrides(index_dir=index_dir)
    load_before = os.getloadavg()[0]
    t = time.perf_counter()
    embedded = index.sync(build, [corpus]).embedded
    build_s = time.perf_counter() - t
    texts = [dense_text(c) for c in index.Index.open(build).clauses()][:sample]
    encoder.passages(texts[:32], settings.batch_size)  # warm-up
    t = time.perf_counter()
    encoder.passages(texts, settings.batch_size)
    raw = len(texts) / (time.perf_counter() - t)
    rate = embedded / build_s
    return {"clauses": embedded, "build_s": round(build_s, 1), "clauses_per_s": round(rate, 2),
            "embed_clauses_per_s": round(raw, 2), "share_of_embedding_rate": round(rate / raw, 3),
            "load": [round(load_before, 1), round(os.getloadavg()[0], 1)]}


def format_embed_build(f: dict) -> str:
    return (f"  build with embedding     measured: {f['clauses']} clauses in {f['build_s']:.0f} s = "
            f"{f['clauses_per_s']:.1f} clauses/s = {f['share_of_embedding_rate']:.0%} of the model's raw "
            f"{f['embed_clauses_per_s']:.1f} clauses/s on the same texts (load {f['load'][0]} → {f['load'][1]})")
