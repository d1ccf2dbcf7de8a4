"""Merges in the background of a write: the write publishes its generation first, then the merges
the policy (index.merging) asks for run in a thread of the writing process and publish a merged
generation the same atomic way.

A thread, not a detached process: Milvus Lite serves one process at a time, so only the writing
process can fill a merged generation's collection; the settings and opened client are at hand;
and the heaviest part of a large merge, the faiss HNSW graph, runs outside the GIL, so a server's
queries keep their threads. The threads are not daemons: a process waits for its merge before it
exits (`policyqa index` says so and waits), and a process killed mid-merge loses only the merge,
which the next write plans again.

One merger at a time, per index directory (store.try_merge_lock); it takes the writer lock only to
publish, so writes go on during a merge. A write that arrived meanwhile wins: the merge is applied
to the generation that is current when it publishes if every segment it merged is still there
(documents that write changed or removed stay as it left them; their copied rows are tombstones of
the merged segment), and otherwise given up and planned again from the current generation.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from index import dense, merging, segment, store
from index.backend import backend_for, publish_generation
from index.config import IndexSettings
from index.errors import IndexProblem
from index.term_cache import TermCache

log = logging.getLogger(__name__)
ROUNDS = 8  # plans a merger makes per lock hold: each publishes once, so a burst of writes is still bounded

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


@dataclass(frozen=True)
class Merged:
    """Merges planned from generation `base` and written to `staged`: `manifest` is `base` after them."""

    base: store.Manifest
    manifest: store.Manifest
    staged: Path

    @property
    def consumed(self) -> set[str]:
        return {s.name for s in self.base.segments} - {s.name for s in self.manifest.segments}

    @property
    def produced(self) -> list[store.SegmentEntry]:
        kept = {s.name for s in self.base.segments}
        return [s for s in self.manifest.segments if s.name not in kept]


def start(settings: IndexSettings) -> threading.Thread | None:
    """After a write published: merge in a thread, unless another merger holds the lock (it plans
    again from the current generation before it lets go, so this write's segment is seen)."""
    held = store.try_merge_lock(Path(settings.index_dir))
    if held is None:
        return None
    thread = threading.Thread(target=_merge_while_needed, args=(settings, held), name="policyqa-merge")
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()] + [thread]
    thread.start()
    return thread


def running() -> bool:
    with _threads_lock:
        return any(t.is_alive() for t in _threads)


def wait(timeout: float | None = None) -> bool:
    """Wait for this process's merges; True if none is left running."""
    deadline = None if timeout is None else time.monotonic() + timeout
    with _threads_lock:
        threads = list(_threads)
    for t in threads:
        t.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
    return not running()


def compact(settings: IndexSettings) -> None:
    """Merge every segment into one without tombstones, now (after a running merge finishes)."""
    with store.merge_lock(Path(settings.index_dir)):
        _round(settings, everything=True, strict=True)


def _merge_while_needed(settings: IndexSettings, held: IO) -> None:
    index_dir = Path(settings.index_dir)
    while True:
        planned = None
        try:
            with held:
                for _ in range(ROUNDS):
                    planned = store.current_generation(index_dir)
                    if not _round(settings):
                        break
        except Exception:  # noqa: BLE001 - a failed merge loses only itself: the write is published
            if store.current_generation(index_dir) == planned:  # not a write pruning what it read
                log.warning("background merge in %s failed; the next write plans it again", index_dir, exc_info=True)
                return
        # a write that found the lock held left its segment to us: look again after letting go
        if store.current_generation(index_dir) == planned or (held := store.try_merge_lock(index_dir)) is None:
            return


def _round(settings: IndexSettings, everything: bool = False, strict: bool = False) -> bool:
    """Plan from the current generation, merge, publish; whether there was anything to merge (then
    published, or given up). Not strict: a generation of another format, model or backend is left
    to the next write."""
    index_dir = Path(settings.index_dir)
    name = store.current_generation(index_dir)
    if name is None:
        return False
    base = store.read_manifest(index_dir / name)
    if (base.format_version, base.model, base.backend) != (store.FORMAT_VERSION, settings.model, settings.backend):
        if strict:
            raise IndexProblem(f"generation {name} is not of this format, model and backend: run `policyqa index`")
        return False
    started = time.perf_counter()
    with store.staging(index_dir) as staged:
        merged = plan_and_write(settings, base, staged, everything)
        if merged is None:
            return False
        with store.writer_lock(index_dir, settings.lock_timeout if strict else float("inf")):
            rebased = rebase(merged, store.read_manifest(store.generation_path(index_dir)))
            if rebased is None:
                if strict:
                    raise IndexProblem("a write replaced the segments being merged; merge again")
                log.info("merge from %s given up: a write replaced its segments", name)
                return True
            listed = {s.name for s in rebased.segments}
            for s in merged.produced:
                if s.name in listed:
                    store.adopt(index_dir, staged / s.name)
            publish_generation(settings, replace(rebased, built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                                                 build_seconds=round(time.perf_counter() - started, 3)))
    return True


def plan_and_write(settings: IndexSettings, base: store.Manifest, staged: Path, everything: bool = False) -> Merged | None:
    """Write into `staged` the segments of the merges the policy asks for, from `base`, until it
    asks for none (or, `everything`, one segment without tombstones); None if it asks for none."""
    index_dir = Path(settings.index_dir)
    threshold = backend_for(settings).ann_threshold(settings)
    manifest, where = base, {}
    while True:
        live = manifest.live_rows()
        sizes = [merging.SegmentSize(s.name, s.rows, live[s.name], s.dense == dense.EXACT and live[s.name] > threshold)
                 for s in manifest.segments]
        if everything:
            groups = [[s.name for s in sizes]] if len(sizes) > 1 or any(s.live < s.rows for s in sizes) else []
        else:
            groups = merging.plan(sizes, settings.merge_factor, settings.merge_deleted_share, settings.max_segment_rows)
        if not groups:
            return None if manifest is base else Merged(base, manifest, staged)
        entries, segments = dict(manifest.documents), list(manifest.segments)
        for names in groups:
            members = {name: segment.Segment(where.get(name, index_dir) / name) for name in names}
            held = {doc_id: e for doc_id, e in manifest.documents.items() if e.segment in members}
            batch = segment.concat([members[e.segment].batch({doc_id: e}) for doc_id, e in held.items()])
            written = segment.write(staged, batch, TermCache([m.terms() for m in members.values()]), threshold)
            where[written.name] = staged
            starts = batch.starts()
            entries.update({doc_id: replace(e, segment=written.name, start=starts[doc_id]) for doc_id, e in held.items()})
            segments = [s for s in segments if s.name not in members] + [written]
        manifest = replace(manifest, documents=entries, segments=tuple(segments))
        if everything:
            return Merged(base, manifest, staged)


def rebase(merged: Merged, current: store.Manifest) -> store.Manifest | None:
    """`current` with `merged`'s merges applied, or None if a write since `merged.base` replaced a
    segment they read (or changed the model, format or backend). A document `current` holds as `base` held
    it moves to its merged rows; one changed or removed since keeps what that write made of it."""
    base, consumed = merged.base, merged.consumed
    present = {s.name for s in current.segments}
    if not consumed <= present or (current.format_version, current.model, current.backend) != (
            base.format_version, base.model, base.backend):
        return None
    documents = {}
    for doc_id, e in current.documents.items():
        if e.segment in consumed:
            was, now = base.documents.get(doc_id), merged.manifest.documents.get(doc_id)
            if was is None or (was.segment, was.start, was.clauses) != (e.segment, e.start, e.clauses):
                return None
            e = replace(e, segment=now.segment, start=now.start)
        documents[doc_id] = e
    claimed = {e.segment for e in documents.values()}
    segments = [s for s in current.segments if s.name not in consumed] + [s for s in merged.produced if s.name in claimed]
    return replace(current, documents=documents, segments=tuple(segments))
