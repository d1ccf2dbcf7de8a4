"""Every layer's settings, and the app's own: what the app and the CLI load (index.config explains
the chain and the precedence of file, environment and overrides)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from index import config
from ingest.limits import check_ranges
from qa.config import QASettings


@dataclass(frozen=True)
class Settings(QASettings):
    host: str = "127.0.0.1"  # address the app binds to (--host); 0.0.0.0 opens it to the network
    port: int = 7860  # app port (--port)
    refresh_seconds: float = 10.0  # how often an open page checks for a newer index generation
    concurrent_requests: int = 4  # questions (and searches) the app answers at once; uploads run one at a time
    user: str | None = None  # app login (POLICYQA_USER / POLICYQA_PASSWORD); both or neither
    password: str | None = None
    login_free_attempts: int = 3  # wrong passwords per user before the app makes them wait
    login_backoff: float = 2.0  # seconds of the first wait; it doubles with each further failure
    login_backoff_max: float = 300.0

    def __post_init__(self):
        super().__post_init__()
        check_ranges(self, _RANGES)
        if bool(self.user) != bool(self.password):
            raise ValueError("settings 'user' and 'password' (POLICYQA_USER, POLICYQA_PASSWORD): set both or neither")


_RANGES = {
    "port": (1, 65535), "refresh_seconds": (1.0, None), "concurrent_requests": (1, 64),
    "login_free_attempts": (1, None), "login_backoff": (0.0, None), "login_backoff_max": (0.0, None),
}


def load_settings(**overrides) -> Settings:
    """Every setting, from file, environment and `overrides`; a file key that no layer holds is refused."""
    path, data = config.settings_file()
    unknown = sorted(set(data) - {f.name for f in fields(Settings)})
    if unknown:
        raise ValueError(f"{path}: unknown setting {unknown[0]!r}")
    return config.load_settings(Settings, **overrides)


def app_settings(current: QASettings) -> Settings:
    """The app's settings around an engine's: an engine opened through the Python API carries only the
    QA engine's, so the app's own come from file and environment, the engine's values kept."""
    if isinstance(current, Settings):
        return current
    return load_settings(**{f.name: getattr(current, f.name) for f in fields(type(current))})
