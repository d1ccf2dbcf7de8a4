"""Which segments a write merges (a tiered policy, after Lucene's).

Every write that changes documents adds a small segment, and every segment costs each query a
pass; every deletion leaves tombstones that cost disk and scoring work. So after a write, the
segments of one size tier (live rows within a factor `merge_factor` of each other, everything
under FLOOR rows counting as the smallest tier) are merged once `merge_factor` of them exist, and
a segment whose deleted share passes `merge_deleted_share` is rewritten without its tombstones,
and so is one written without the HNSW graph its size now calls for (under the Milvus backend,
which needs none: after a migration back to the embedded one).
A segment is thus merged O(log_factor N) times in its life, and there are at most
(factor - 1) segments per tier: O(factor · log N) segments for N rows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

FLOOR = 1_000  # rows: below this, merging costs less than a query's pass over many segments


@dataclass(frozen=True)
class SegmentSize:
    name: str
    rows: int  # live and deleted
    live: int
    needs_graph: bool = False  # past the backend's ann_threshold but holding plain vectors


def plan(segments: Sequence[SegmentSize], factor: int, deleted_share: float, max_rows: int) -> list[list[str]]:
    """Groups of segment names, each to be merged into one new segment of at most `max_rows` live
    rows: a tier that would merge into more stays as it is (as Lucene's largest segments do)."""
    rewrite = [s for s in segments if s.needs_graph or (s.rows and (s.rows - s.live) / s.rows > deleted_share)]
    tiers: dict[int, list[str]] = defaultdict(list)
    for s in segments:
        if s not in rewrite:
            tiers[int(math.log(max(s.live, FLOOR) / FLOOR, factor))].append(s.name)
    live = {s.name: s.live for s in segments}
    return [[s.name] for s in rewrite] + [names for _, names in sorted(tiers.items())
                                          if len(names) >= factor and sum(live[n] for n in names) <= max_rows]
