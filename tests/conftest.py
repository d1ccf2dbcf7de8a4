"""Session-wide fixtures: one index of the bundled corpus, one running app."""

import shutil

import pytest

from browser_support import start_app, stop_app
from index import sync
from index.config import BUNDLED_CORPUS, Settings


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Settings:
    """The bundled corpus (copied, so tests may edit the copy) indexed with the default model."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(BUNDLED_CORPUS, root / "corpus")
    settings = Settings(index_dir=root / "index", corpus_dir=root / "corpus", lock_timeout=0)
    changes = sync(settings, [settings.corpus_dir])
    assert len(changes.added) == len(list(BUNDLED_CORPUS.iterdir())) and not changes.errors
    return settings


@pytest.fixture(scope="session")
def running_app(tmp_path_factory):
    """`python app.py` on a free port with a fresh index of the bundled corpus."""
    base = tmp_path_factory.mktemp("app")
    app = start_app(base / "index", base / "app.log")
    print(f"\n[timing] app start-up (index build included): {app.started_in:.1f}s")
    yield app
    stop_app(app)


@pytest.fixture(scope="session")
def corpus_engine(built):
    """One read-only PolicyQA over the bundled corpus, shared by the answering tests."""
    from qa import PolicyQA

    return PolicyQA.open(settings=built, build=False)
