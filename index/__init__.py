"""The index layer: clauses -> sparse (BM25) + dense (faiss) indexes, published as generations.

Writers: `sync`, `resync`, `remove`. Readers: `Index.open(settings).search(...)`; servers poll
`current_generation` to notice a new generation and re-open.

Names are imported on first use, so `index.config` or `index.model` load without faiss, pyvi
(which pulls in scikit-learn) or the build machinery: a command pays only for what it runs.
"""

from importlib import import_module

_WHERE = {
    "sync": "index.build", "resync": "index.build", "remove": "index.build",
    "IndexSettings": "index.config",
    "Encoder": "index.embed", "ModelLoadError": "index.embed", "load_encoder": "index.embed",
    "IndexDamaged": "index.errors", "IndexDiskFull": "index.errors", "IndexEmpty": "index.errors",
    "IndexLocked": "index.errors", "IndexMismatch": "index.errors", "IndexNotFound": "index.errors",
    "IndexProblem": "index.errors",
    "Index": "index.search",
}

__all__ = sorted([*_WHERE, "current_generation", "outdated"])


def current_generation(settings) -> str | None:
    """Name of the published generation; cheap (one readlink)."""
    from pathlib import Path

    from index import store

    return store.current_generation(Path(settings.index_dir))


def outdated(settings) -> bool:
    """Whether the published generation holds clauses of another ingest version (see ingest.version)
    or was written in another format (an upgrade), so `resync` should rebuild it before it is served."""
    from pathlib import Path

    from index import store
    from ingest.version import INGEST_VERSION

    path = store.generation_path(Path(settings.index_dir))
    if path is None:
        return False
    manifest = store.read_manifest(path)
    return manifest.ingest_version != INGEST_VERSION or manifest.format_version != store.FORMAT_VERSION


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'index' has no attribute {name!r}")
