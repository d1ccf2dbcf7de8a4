"""Where generations are kept and searched: what a backend must do, and which one a setting names.

Every backend shares the writer's side (index.build: reconcile, ingest, embedding reuse, the
segments and the manifest of a generation, published by store.publish) and the reader's ranking
(index.ranking). A backend adds what it searches to each generation,
points readers at a published one, and opens it for search. Its module is imported only when the
setting names it, so the embedded default never loads a client library it does not use.
"""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from index import store
from index.config import IndexSettings

if TYPE_CHECKING:
    from index.ranking import Ranked

BACKENDS = {"embedded": "index.backend:EMBEDDED", "milvus": "index.milvus:MILVUS"}  # names: config.BACKENDS


class Backend(Protocol):
    def ann_threshold(self, settings: IndexSettings) -> int:
        """Rows of a segment past which its vectors are written as a faiss HNSW graph rather than
        a plain array (index.dense): only a backend that searches the segments needs the graph."""

    def write(self, settings: IndexSettings, path: Path) -> None:
        """Store what readers search for the generation whose manifest `path` holds (its directory
        being written: store.publish renames it into place). Nothing here may be visible to readers yet."""

    def publish(self, settings: IndexSettings, name: str | None) -> None:
        """Point readers at generation `name`, the current one, and drop what no generation kept
        (store.publish keeps the previous one for readers still on it). Idempotent: the writer
        calls it again on taking the lock, which completes a publication a crash interrupted."""

    def open(self, settings: IndexSettings) -> Ranked:
        """The generation readers are pointed at."""

    def release(self, settings: IndexSettings) -> None:
        """Let go of what this process holds open (Milvus Lite serves one process at a time)."""


def backend_for(settings: IndexSettings) -> Backend:
    module, name = BACKENDS[settings.backend].split(":")
    return getattr(import_module(module), name)


def publish_generation(settings: IndexSettings, manifest: store.Manifest) -> str:
    """Publish a generation of `manifest` (its segments in place), with what the backend searches;
    returns its name. Call with the writer lock held."""
    backend = backend_for(settings)

    def write(path: Path) -> None:
        (path / store.MANIFEST).write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1),
                                           encoding="utf-8")
        backend.write(settings, path)

    name = store.publish(Path(settings.index_dir), write)
    backend.publish(settings, name)
    return name


class _Embedded:
    """The default: the segments' files (BM25 postings, vectors, faiss HNSW past `ann_threshold`)
    are the index; the `current` link store.publish swaps is all readers follow."""

    def ann_threshold(self, settings: IndexSettings) -> int:
        return settings.ann_threshold

    def write(self, settings: IndexSettings, path: Path) -> None:
        pass  # the manifest's segments are all it searches, written by index.build before it

    def publish(self, settings: IndexSettings, name: str | None) -> None:
        pass

    def open(self, settings: IndexSettings) -> Ranked:
        from index.search import Index

        return Index.open_files(settings)

    def release(self, settings: IndexSettings) -> None:
        pass


EMBEDDED = _Embedded()
