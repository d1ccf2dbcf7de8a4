"""Each text's terms in each sparse view, cached by content hash across generations.

pyvi's segmentation is most of what a sparse build costs (78% at 10k clauses), and most texts a
rebuild sees were segmented by the build before: every clause of an unchanged document, and the
place and heading strings many clauses share. So a build asks this cache, which segments only
texts it has not seen, and the generation stores the entries it used (`terms.tsv`) for the next.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from index.tokenize import TERMS, VERSION, VIEWS

FILE = "terms.tsv"
_SEP = "\x1f"  # between terms: folded terms are syllable pairs and contain spaces


def text_key(text: str) -> str:
    return hashlib.blake2b(f"{VERSION}\0{text}".encode(), digest_size=16).hexdigest()


class TermCache:
    """`terms(view, text)`; remembers what was asked, so `save` keeps exactly the live entries."""

    def __init__(self, entries: dict[str, tuple[tuple[str, ...], ...]] | None = None,
                 views: dict[str, Callable[[str], list[str]]] = TERMS):
        self._known = entries or {}
        self._views = views
        self._column = {view: i for i, view in enumerate(VIEWS)}
        self._used: dict[str, tuple[tuple[str, ...], ...]] = {}
        self.computed = 0  # texts tokenised by this cache (not found in it)

    def terms(self, view: str, text: str) -> tuple[str, ...]:
        key = text_key(text)
        entry = self._used.get(key)
        if entry is None:
            entry = self._known.get(key)
            if entry is None:
                entry = tuple(tuple(self._views[v](text)) for v in VIEWS)
                self.computed += 1
            self._used[key] = entry
        return entry[self._column[view]]

    def save(self, path: Path) -> None:
        with (path / FILE).open("w", encoding="utf-8") as fh:
            for key, entry in self._used.items():
                fh.write("\t".join((key, *(_SEP.join(terms) for terms in entry))) + "\n")

    @classmethod
    def load(cls, path: Path) -> TermCache:
        """The cache a generation saved; empty when it has none (built by an older version)."""
        entries = {}
        try:
            with (path / FILE).open(encoding="utf-8") as fh:
                for line in fh:
                    key, *columns = line.rstrip("\n").split("\t")
                    if len(columns) == len(VIEWS):
                        entries[key] = tuple(tuple(c.split(_SEP)) if c else () for c in columns)
        except FileNotFoundError:
            pass
        return cls(entries)
