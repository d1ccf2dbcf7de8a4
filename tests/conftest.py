"""Session-wide fixtures: one running app for the browser and HTTP-client tests."""

import pytest

from browser_support import start_app, stop_app


@pytest.fixture(scope="session")
def running_app(tmp_path_factory):
    """`python app.py` on a free port with a fresh index of the bundled corpus."""
    base = tmp_path_factory.mktemp("app")
    app = start_app(base / "index", base / "app.log")
    print(f"\n[timing] app start-up (index build included): {app.started_in:.1f}s")
    yield app
    stop_app(app)
