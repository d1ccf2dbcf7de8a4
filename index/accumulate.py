"""The sparse top's inner loops, compiled (numba): term-at-a-time accumulation of a block of rows
and the block's best rows. In numpy the same work took several passes over every posting of the
query (weigh, gather, add, scan, gather again); here it is one pass and one scan, and it runs
without the GIL, so blocks can be searched on several threads (index.sparse).

The arithmetic is `bm25.weight` times the list's scale, in float32, in the same order, one list
after the other: each row's score is the same float that `SparseIndex.scores` computes (tested).
Compiled once per machine and cached beside this file (numba's `cache=True`). Importing numba and
a first call (which loads the cached code) cost 1-5 s in a new process, so an opened index warms
them on a background thread (index.sparse.warm_compiled) and a reindex never imports them.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(nogil=True, cache=True)
def _add(total, lo, rows, tf, lengths, a, z, field, scale, base, slope, weight):  # pragma: no cover - compiled
    """`weight` times `bm25.weight` of the pairs [a, z), added to `total[row - lo]`: the same
    float32 operations in the same order (a lookup table of the quotients measured slower)."""
    for p in range(a, z):
        r = rows[p]
        t = tf[p]
        total[r - lo] += weight * (scale * t / (t + (base + slope * lengths[field, r])))


@njit(nogil=True, cache=True)
def accumulate(total, lo, hi, rows, tf, lengths, starts, stops, fields, scales, bases, slopes, weights,
               range_starts, range_stops):  # pragma: no cover - compiled
    """Add to `total[row - lo]` what each list k adds to the rows in [lo, hi) it holds: the pairs
    [starts[k], stops[k]) of `rows`/`tf`, field `fields[k]` of `lengths`, its factors `scales[k]`,
    `bases[k]`, `slopes[k]` (bm25.weight_constants) and `weights[k]`.
    Rows outside the ranges (local, ascending, within [0, hi - lo)) may be added too when cutting
    a list to them would cost more than reading it: the selection looks only inside them."""
    cuts = len(range_starts)
    for k in range(len(starts)):
        held = rows[starts[k]:stops[k]]
        a = starts[k] + np.searchsorted(held, lo)
        z = starts[k] + np.searchsorted(held, hi)
        if z <= a:
            continue
        factors = (fields[k], scales[k], bases[k], slopes[k], weights[k])
        if cuts * 40 < z - a:  # two binary searches (~20 steps each) per range beat reading the list
            part = rows[a:z]
            for c in range(cuts):
                _add(total, lo, rows, tf, lengths, a + np.searchsorted(part, lo + range_starts[c]),
                     a + np.searchsorted(part, lo + range_stops[c]), *factors)
        else:
            _add(total, lo, rows, tf, lengths, a, z, *factors)


@njit(nogil=True, cache=True)
def best(total, factor, range_starts, range_stops, depth):  # pragma: no cover - compiled
    """(local rows, scores) of the `depth` best rows inside the ranges by `total * factor` when
    positive; best by score, then by the lower row. A heap of `depth` over one scan, unordered."""
    scores = np.empty(depth, np.float32)
    held = np.empty(depth, np.int64)
    n = 0
    worst = np.float32(0)  # what a row must beat: 0 until the heap is full, then its root
    for k in range(len(range_starts)):
        for row in range(range_starts[k], range_stops[k]):
            score = total[row] * factor[row]
            if not score > worst:  # nearly always once the heap is full: one well-predicted test a row
                continue
            if n < depth:  # sift up; the root is the worst: lowest score, then highest row
                at = n
                n += 1
                while at > 0:
                    up = (at - 1) // 2
                    if scores[up] >= score:  # an equal score of an earlier row is better
                        scores[at], held[at] = scores[up], held[up]
                        at = up
                    else:
                        break
                scores[at], held[at] = score, row
                if n == depth:
                    worst = scores[0]
            else:  # rows come ascending: an equal score is worse than the root
                at = 0
                while True:
                    child = 2 * at + 1
                    if child >= n:
                        break
                    if child + 1 < n and (scores[child + 1] < scores[child] or
                                          (scores[child + 1] == scores[child] and held[child + 1] > held[child])):
                        child += 1
                    if scores[child] < score or (scores[child] == score and held[child] > row):
                        scores[at], held[at] = scores[child], held[child]
                        at = child
                    else:
                        break
                scores[at], held[at] = score, row
                worst = scores[0]
    return held[:n], scores[:n]


def warm() -> None:
    """Load both loops for the argument types a query passes (postings memory-mapped read-only)."""
    rows, tf, lengths = np.zeros(1, np.int32), np.ones(1, np.float32), np.ones((3, 1), np.float32)
    for a in (rows, tf, lengths):
        a.setflags(write=False)
    total, one, none = np.zeros(1, np.float32), np.ones(1, np.int64), np.zeros(1, np.int64)
    accumulate(total, 0, 1, rows, tf, lengths, none, one, none, *(np.ones(1, np.float32),) * 4, none, one)
    best(total, np.ones(1, np.float32), none, one, 1)
