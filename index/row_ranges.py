"""A set of rows as sorted, disjoint, half-open ranges: what a filter admits. A document's clauses
are consecutive rows, so a filter admitting thousands of rows is a few ranges, and a posting list
is cut to them by a binary search per range instead of a test per posting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RowRanges:
    starts: np.ndarray  # (n,) int64 ascending
    stops: np.ndarray  # (n,) int64: starts[i] < stops[i] < starts[i + 1] (touching ranges are joined)

    @classmethod
    def of(cls, starts: np.ndarray, counts: np.ndarray) -> RowRanges:
        """The rows [starts[i], starts[i] + counts[i]) for every i, in any order, not overlapping."""
        starts, counts = np.asarray(starts, dtype=np.int64), np.asarray(counts, dtype=np.int64)
        held = counts > 0
        order = np.argsort(starts[held], kind="stable")
        starts, stops = starts[held][order], (starts + counts)[held][order]
        first = np.concatenate([[True], starts[1:] != stops[:-1]])[:len(starts)]  # where a new run begins
        last = np.concatenate([first[1:], [True]])[:len(starts)]
        return cls(starts[first], stops[last])

    def __len__(self) -> int:
        """Rows held."""
        return int((self.stops - self.starts).sum())

    def within(self, start: int, stop: int) -> RowRanges:
        """The part inside rows [start, stop)."""
        a = int(np.searchsorted(self.stops, start, side="right"))
        z = int(np.searchsorted(self.starts, stop, side="left"))
        return RowRanges(np.maximum(self.starts[a:z], start), np.minimum(self.stops[a:z], stop))

    def rows(self) -> np.ndarray:
        """Every row held, ascending."""
        return _expand(self.starts, self.stops - self.starts)

    def positions(self, rows: np.ndarray, offset: int = 0) -> np.ndarray:
        """Indices of the entries of `rows` (ascending; `offset` added to each) that are held."""
        part = self.within(offset, offset + int(rows[-1]) + 1) if len(rows) else self.within(0, 0)
        lo = np.searchsorted(rows, part.starts - offset)
        hi = np.searchsorted(rows, part.stops - offset)
        return _expand(lo, hi - lo)


def _expand(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """starts[0], starts[0] + 1, …, starts[0] + counts[0] - 1, starts[1], …"""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    return np.arange(total, dtype=np.int64) + np.repeat(np.asarray(starts, np.int64) - (np.cumsum(counts) - counts),
                                                        counts)
