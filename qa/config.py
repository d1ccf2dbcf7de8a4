"""The QA engine's settings: the index's, plus what answering, the optional LLM rewrite and the
document library need (index.config explains the chain and how settings are loaded)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index.config import BUNDLED_CORPUS, IndexSettings
from ingest.limits import check_ranges


@dataclass(frozen=True)
class QASettings(IndexSettings):
    corpus_dir: Path = BUNDLED_CORPUS  # what `PolicyQA.open` indexes when there is no index yet
    abstain_threshold: float = 0.40  # answer confidence below which qa abstains; calibrated in qa/data/README.md
    llm_url: str | None = None  # OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1; None = off
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 30.0  # seconds; past it the extractive answer is returned
    max_upload_mb: int = 20  # a document added through the library
    max_question_chars: int = 500
    max_k: int = 50  # upper bound on results per API call

    def __post_init__(self):
        super().__post_init__()
        check_ranges(self, _RANGES)
        if self.llm_url and not self.llm_model:
            raise ValueError("setting 'llm_model' is required when 'llm_url' is set")


_RANGES = {
    "abstain_threshold": (0.0, 1.0), "llm_timeout": (0.1, None), "max_upload_mb": (1, None),
    "max_question_chars": (1, None), "max_k": (1, 1000),
}
