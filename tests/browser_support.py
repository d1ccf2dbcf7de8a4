"""Shared helpers for the tests that drive the real app: one app process per test session.

The app is started as `python app.py` on a free port over a temporary index (built from the
bundled corpus on first start, which is the slow part), so it is started once and shared by
every module that asks for it; it stops when the session ends.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# Debian's chromium, never a Playwright download; no network, no background traffic.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
START_TIMEOUT = float(os.environ.get("POLICYQA_TEST_START_TIMEOUT", "900"))  # first start builds the index


@dataclass
class RunningApp:
    url: str
    index_dir: Path
    log: Path
    process: subprocess.Popen
    started_in: float  # seconds from launch until the page answered

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])




def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(index_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADIO_SERVER", "POLICYQA_"))}
    env.update(
        POLICYQA_INDEX_DIR=str(index_dir),
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def start_app(index_dir: Path, log: Path, **env: str) -> RunningApp:
    """`python app.py --port <free>` in the background, returned once GET / answers 200."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
            cwd=ROOT, env=app_env(index_dir, **env), stdout=out, stderr=subprocess.STDOUT,
        )
    app = RunningApp(url, index_dir, log, process, 0.0)
    deadline = started + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited with {process.returncode} before serving:\n{app.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    app.started_in = time.monotonic() - started
                    return app
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    stop_app(app)
    raise TimeoutError(f"app did not serve {url} within {START_TIMEOUT:.0f}s:\n{app.log_tail()}")


def stop_app(app: RunningApp) -> None:
    if app.process.poll() is None:
        app.process.terminate()
        try:
            app.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            app.process.kill()
            app.process.wait()
