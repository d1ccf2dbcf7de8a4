"""The index layer: clauses -> sparse (BM25) + dense (faiss) indexes, published as generations.

Writers: `sync`, `resync`, `remove`. Readers: `Index.open(settings).search(...)`; servers poll
`current_generation` to notice a new generation and re-open.
"""

from pathlib import Path

from index import store
from index.build import remove, resync, sync
from index.config import Settings
from index.embed import Encoder, ModelLoadError, load_encoder
from index.errors import IndexEmpty, IndexLocked, IndexMismatch, IndexNotFound
from index.search import Index


def current_generation(settings: Settings) -> str | None:
    """Name of the published generation; cheap (one readlink)."""
    return store.current_generation(Path(settings.index_dir))


__all__ = [
    "Encoder", "Index", "IndexEmpty", "IndexLocked", "IndexMismatch", "IndexNotFound", "ModelLoadError",
    "current_generation", "load_encoder", "remove", "resync", "sync",
]
