"""Which segments a write merges (a tiered policy, after Lucene's).

Every write that changes documents adds a small segment, and every segment costs each query a
pass; every deletion leaves tombstones that cost disk and scoring work. So after a write, the
segments of one size tier (live rows within a factor `merge_factor` of each other, everything
under FLOOR rows counting as the smallest tier) are merged once `merge_factor` of them exist, and
a segment whose deleted share passes `merge_deleted_share` is rewritten without its tombstones,
and so is one written without the HNSW graph its size now calls for (under the Milvus backend,
which needs none: after a migration back to the embedded one).
A segment is thus merged O(log_factor N) times in its life, and there are at most
(factor - 1) segments per tier: O(factor · log N) segments for N rows, until merges reach
`max_segment_rows`: a tier too large to merge whole is merged in groups that fit, and segments
that fit no group stay (about N / max_segment_rows of them).
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
    rows: a full tier whole if it fits, else in groups of at least `factor` that fit (a build of
    1M rows writes twenty 50k segments of one tier: four merges of five); what fits no group stays
    as it is (as Lucene's largest segments do)."""
    rewrite = [s for s in segments if s.needs_graph or (s.rows and (s.rows - s.live) / s.rows > deleted_share)]
    tiers: dict[int, list[str]] = defaultdict(list)
    for s in segments:
        if s not in rewrite:
            tiers[int(math.log(max(s.live, FLOOR) / FLOOR, factor))].append(s.name)
    live = {s.name: s.live for s in segments}
    return [[s.name] for s in rewrite] + [group for _, names in sorted(tiers.items()) if len(names) >= factor
                                          for group in _fitting(names, live, factor, max_rows)]


def _fitting(names: list[str], live: dict[str, int], factor: int, max_rows: int) -> list[list[str]]:
    """`names` in groups of at least `factor` whose live rows fit in `max_rows`, taken smallest
    first; each group in the order of `names`."""
    groups: list[list[str]] = []
    group: list[str] = []
    for name in sorted(names, key=lambda n: (live[n], n)):
        if group and sum(live[n] for n in group) + live[name] > max_rows:
            groups += [group] if len(group) >= factor else []
            group = []
        group.append(name)
    groups += [group] if len(group) >= factor else []
    return [[n for n in names if n in g] for g in groups]
