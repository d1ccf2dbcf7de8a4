"""Session-wide fixtures: one index of the bundled corpus, one running app."""

import json
import shutil
from pathlib import Path

import pytest

from browser_support import start_app, stop_app
from index import current_generation, sync
from index.config import BUNDLED_CORPUS
from settings import Settings


WAIT = 10.0  # seconds a test's writer waits for the lock: a background merge holds it while it publishes


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Settings:
    """The bundled corpus (copied, so tests may edit the copy) indexed with the default model."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(BUNDLED_CORPUS, root / "corpus")
    settings = Settings(index_dir=root / "index", corpus_dir=root / "corpus", lock_timeout=WAIT)
    changes = sync(settings, [settings.corpus_dir])
    assert len(changes.added) == len(list(BUNDLED_CORPUS.iterdir())) and not changes.errors
    return settings


@pytest.fixture(autouse=True)
def _merges_end_with_their_test():
    """A write's background merge (index.merger) finishes inside the test that wrote."""
    yield
    from index import merger

    merger.wait()


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


def private_copy(built: Settings, tmp_path: Path) -> Settings:
    """A copy of the built index and of its corpus, with the copy's manifest recording the copied
    files as sources (as if it had been built from them: a document is its source path, so a sync
    of the copied corpus would otherwise report each file as a duplicate of the original)."""
    shutil.copytree(built.index_dir, tmp_path / "index", symlinks=True)
    shutil.copytree(built.corpus_dir, tmp_path / "corpus")
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus", lock_timeout=WAIT)
    manifest_path = settings.index_dir / current_generation(settings) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["documents"].values():
        entry["source"] = str((settings.corpus_dir / Path(entry["source"]).name).resolve())
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return settings
