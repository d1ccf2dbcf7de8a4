"""Each text's terms in each sparse view, cached by content hash across segments.

pyvi's segmentation is most of what a sparse build costs (78% at 10k clauses), and most texts a
new segment holds were segmented before: the unchanged clauses of a changed document, the place
and heading strings many documents share, every clause of a merge. So a build asks this cache,
which looks a text up in the segments' term stores and segments only texts none of them holds;
each segment stores the entries it used (`terms.tsv`, sorted by key with an offset table, so a
lookup reads one line of it and never the whole file).
"""

from __future__ import annotations

import hashlib
import os
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from index.tokenize import TERMS, VERSION, VIEWS

FILE = "terms.tsv"
KEYS = "terms.keys.npy"
OFFSETS = "terms.offsets.npy"
_SEP = "\x1f"  # between terms: folded terms are syllable pairs and contain spaces

Entry = tuple[tuple[str, ...], ...]  # terms per view, in VIEWS order


def text_key(text: str) -> str:
    return hashlib.blake2b(f"{VERSION}\0{text}".encode(), digest_size=16).hexdigest()


class TermStore:
    """The entries one segment saved, looked up by key. Lines are read with pread, not through a
    mapping: a build looks texts up in every earlier segment's store, and mapped pages (64 KB
    mapped per fault) would stay in the writer's resident memory, ~0.5 KB a row of the corpus."""

    def __init__(self, path: Path):
        self._keys = np.asarray(np.load(path / KEYS, mmap_mode="r", allow_pickle=False))
        self._offsets = np.asarray(np.load(path / OFFSETS, mmap_mode="r", allow_pickle=False))
        self._fd = os.open(path / FILE, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)

    def get(self, key: str) -> Entry | None:
        wanted = key.encode()
        i = int(np.searchsorted(self._keys, wanted))
        if i >= len(self._keys) or self._keys[i] != wanted:
            return None
        start, end = int(self._offsets[i]), int(self._offsets[i + 1])
        line = os.pread(self._fd, end - start, start).decode().rstrip("\n")
        return tuple(tuple(c.split(_SEP)) if c else () for c in line.split("\t")[1:])


class TermCache:
    """`terms(view, text)`; remembers what was asked, so `save` keeps exactly the entries used."""

    def __init__(self, stores: Sequence[TermStore] = (), views: dict[str, Callable[[str], list[str]]] = TERMS):
        self._stores = stores
        self._views = views
        self._column = {view: i for i, view in enumerate(VIEWS)}
        self._used: dict[str, Entry] = {}
        self.computed = 0  # texts tokenised by this cache (found in no store)

    def terms(self, view: str, text: str) -> tuple[str, ...]:
        key = text_key(text)
        entry = self._used.get(key)
        if entry is None:
            entry = next((e for e in (s.get(key) for s in self._stores) if e is not None), None)
            if entry is None:
                entry = tuple(tuple(self._views[v](text)) for v in VIEWS)
                self.computed += 1
            self._used[key] = entry
        return entry[self._column[view]]

    def save(self, path: Path) -> None:
        keys = sorted(self._used)
        offsets = [0]
        with (path / FILE).open("wb") as fh:
            for key in keys:
                line = "\t".join((key, *(_SEP.join(terms) for terms in self._used[key]))) + "\n"
                offsets.append(offsets[-1] + fh.write(line.encode()))
        np.save(path / KEYS, np.array(keys, dtype="S32"))
        np.save(path / OFFSETS, np.array(offsets, dtype=np.int64))
