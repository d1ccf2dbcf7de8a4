"""The editable vocabulary behind question understanding: abbreviations, synonyms, the
English→Vietnamese glossary, agency names and places, loaded from `qa/data/*.tsv`.

Data, not code, so officials can extend it (see qa/data/README.md). Every table is matched on
whole-word keys (`qa.terms.key`), longest phrase first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.text import fold
from qa.terms import key, tokens

DATA_DIR = Path(__file__).parent / "data"
ALT_SEP = " | "


@dataclass(frozen=True)
class Agency:
    name: str  # Vietnamese, as officials write it
    english: str  # the usual English rendering
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Place:
    name: str  # "Hà Nội"
    kind: str  # "tỉnh" | "thành phố"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """A table phrase found in a token list: tokens[start:end] -> value."""

    start: int
    end: int
    value: object


@dataclass(frozen=True, eq=False)  # identity hash: the cached per-mode tables key on it
class Lexicon:
    abbreviations: dict[str, tuple[str, ...]]  # abbreviation as written -> expansions
    synonym_groups: tuple[tuple[str, ...], ...]
    glossary: dict[str, tuple[str, ...]]  # English stem key -> Vietnamese phrases
    agencies: tuple[Agency, ...]
    places: tuple[Place, ...]
    stopwords: dict[str, frozenset[str]]  # "vi" (accented keys) / "en" (stem keys)

    def abbreviation_table(self, folded: bool) -> dict[str, tuple[str, ...]]:
        """Abbreviation key -> expansions."""
        return _abbreviation_table(self, folded)

    def synonyms(self, folded: bool) -> dict[str, tuple[str, ...]]:
        """Phrase key -> the phrases of its group, that phrase first (its accented spelling
        matters when the question was typed without diacritics)."""
        return _synonym_table(self, folded)

    def agency_names(self, folded: bool) -> dict[str, Agency]:
        """Key of every agency name and alias -> the agency."""
        return _agency_table(self, folded)

    def english_agencies(self) -> dict[str, Agency]:
        """English key of every agency's English rendering -> the agency."""
        return _english_agency_table(self)

    def place_names(self, folded: bool) -> dict[str, Place]:
        """Key of every place name and alias -> the place."""
        return _place_table(self, folded)

    def vocabulary(self) -> dict[str, str]:
        """Folded key -> accented phrase, for every Vietnamese phrase in the data.

        Lets a question typed without diacritics be searched with the accented words too.
        """
        return _vocabulary(self)


@lru_cache(maxsize=4)
def load_lexicon(data_dir: Path = DATA_DIR) -> Lexicon:
    groups = tuple(tuple(p.strip() for p in row if p.strip()) for row in _rows(data_dir / "synonyms.tsv", 2))
    return Lexicon(
        abbreviations={row[0]: _with_synonyms(_alts(row[1]), groups)
                       for row in _rows(data_dir / "abbreviations.tsv", 2)},
        synonym_groups=groups,
        glossary={k: _with_synonyms(v, groups) for k, v in _glossary(_rows(data_dir / "glossary.tsv", 2)).items()},
        agencies=tuple(Agency(r[0], r[1], _third(r)) for r in _rows(data_dir / "agencies.tsv", 2)),
        places=tuple(Place(r[0], r[1], _third(r)) for r in _rows(data_dir / "provinces.tsv", 2)),
        stopwords=_stopwords(_rows(data_dir / "stopwords.tsv", 2)),
    )


def _rows(path: Path, min_columns: int) -> list[list[str]]:
    """Non-comment, non-blank tab-separated rows; a short row is an error naming file and line."""
    rows = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t")]
        if len(cols) < min_columns or not all(cols[:min_columns]):
            raise ValueError(f"{path}:{no}: expected {min_columns} tab-separated columns")
        rows.append(cols)
    return rows


def _alts(cell: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in cell.split(ALT_SEP.strip()) if a.strip())


def _third(row: list[str]) -> tuple[str, ...]:
    """The optional third column: other spellings."""
    return _alts(row[2]) if len(row) > 2 else ()


def _with_synonyms(phrases: tuple[str, ...], groups: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """An expansion and the other phrases of its synonym group: "SXTDBV" and "SPC" also meet a
    report that writes "sản xuất tiêu dùng bền vững" (no "và"). Phrases of four words or more
    only: their group holds other spellings of one name; a word's group ("khuyến khích": thúc đẩy,
    vận động) would widen a translated question beyond what it asks."""
    wanted = {key(p) for p in phrases if len(p.split()) >= 4}
    return tuple(dict.fromkeys(phrases + tuple(m for g in groups if wanted & {key(p) for p in g} for m in g)))


def _glossary(rows: list[list[str]]) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for english, vietnamese, *_ in rows:
        for term in _alts(english):
            k = english_key(term)
            table[k] = tuple(dict.fromkeys(table.get(k, ()) + _alts(vietnamese)))
    return table


def _stopwords(rows: list[list[str]]) -> dict[str, frozenset[str]]:
    by_lang: dict[str, set[str]] = {"vi": set(), "en": set()}
    for lang, word, *_ in rows:
        by_lang.setdefault(lang, set()).add(english_key(word) if lang == "en" else key(word))
    return {lang: frozenset(words) for lang, words in by_lang.items()}


@lru_cache(maxsize=8)
def _abbreviation_table(lexicon: Lexicon, folded: bool) -> dict[str, tuple[str, ...]]:
    return {key(abbr, folded): expansions for abbr, expansions in lexicon.abbreviations.items()}


@lru_cache(maxsize=8)
def _synonym_table(lexicon: Lexicon, folded: bool) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for group in lexicon.synonym_groups:
        for phrase in group:
            k = key(phrase, folded)
            table[k] = tuple(dict.fromkeys(table.get(k, ()) + (phrase,) + group))
    return table


@lru_cache(maxsize=8)
def _agency_table(lexicon: Lexicon, folded: bool) -> dict[str, Agency]:
    table: dict[str, Agency] = {}
    for agency in lexicon.agencies:
        for name in (agency.name, *agency.aliases):
            table.setdefault(key(name, folded), agency)
    return table


@lru_cache(maxsize=4)
def _english_agency_table(lexicon: Lexicon) -> dict[str, Agency]:
    return {english_key(name): a for a in lexicon.agencies for name in english_forms(a.english)}


# How officials turn "<kind> of <field>" around: a district Phòng is a division or an office.
_KIND_FORMS = {"division": ("division", "office", "section"), "office": ("office", "division"),
               "department": ("department",), "ministry": ("ministry",), "board": ("board",),
               "centre": ("centre", "center"), "committee": ("committee",)}
_KIND_OF = re.compile(r"^(\w+) of (.+)$", re.IGNORECASE)
ENGLISH_AGENCY_KINDS = frozenset(f for forms in _KIND_FORMS.values() for f in forms) | _KIND_FORMS.keys()


class AnyOrder(Mapping):
    """English phrases looked up whatever the order of their words: officials name an agency as
    "the Consumer Standards and Protection Association" or "the Department of Environment and
    Natural Resources" as often as by its usual rendering. A phrase meets a key with the same
    words, connectors ("and", "of", "for", "the") aside, when it starts and ends on one of them."""

    _CONNECTORS = frozenset({"and", "of", "for", "the", "&"})

    def __init__(self, table: Mapping[str, object]) -> None:
        self._exact = dict(table)
        self._any = {}
        for k, v in table.items():
            if (canonical := self._canonical(k)) is not None:
                self._any.setdefault(canonical, v)

    @classmethod
    def _canonical(cls, phrase: str) -> tuple[str, ...] | None:
        words = phrase.split()
        if not words or words[0] in cls._CONNECTORS or words[-1] in cls._CONNECTORS:
            return None
        content = sorted(w for w in words if w not in cls._CONNECTORS)
        return tuple(content) if len(content) > 1 else None

    def __getitem__(self, phrase: str) -> object:
        if phrase in self._exact:
            return self._exact[phrase]
        canonical = self._canonical(phrase)
        if canonical is None or canonical not in self._any:
            raise KeyError(phrase)
        return self._any[canonical]

    def __contains__(self, phrase: object) -> bool:
        return isinstance(phrase, str) and (phrase in self._exact or self._canonical(phrase) in self._any)

    def __iter__(self):
        return iter(self._exact)

    def __len__(self) -> int:
        return len(self._exact)


def english_forms(rendering: str) -> tuple[str, ...]:
    """"Division of Culture and Information" is also "Culture and Information office", "office
    of Culture and Information", "Culture-Information office", …: the same agency as an English
    question may word it."""
    m = _KIND_OF.match(rendering)
    kinds = _KIND_FORMS.get(m.group(1).lower(), ()) if m else ()
    if not kinds:
        return (rendering,)
    fields = dict.fromkeys([m.group(2), m.group(2).replace(" and ", " ")])  # "Finance-Planning Office"
    return tuple(dict.fromkeys([rendering, *(f for k in kinds for field in fields
                                             for f in (f"{k} of {field}", f"{field} {k}"))]))


@lru_cache(maxsize=8)
def _place_table(lexicon: Lexicon, folded: bool) -> dict[str, Place]:
    return {key(name, folded): p for p in lexicon.places for name in (p.name, *p.aliases)}


@lru_cache(maxsize=4)
def _vocabulary(lexicon: Lexicon) -> dict[str, str]:
    phrases = [p for g in lexicon.synonym_groups for p in g]
    phrases += [p for alts in lexicon.glossary.values() for p in alts]
    phrases += [p for alts in lexicon.abbreviations.values() for p in alts]
    phrases += [a.name for a in lexicon.agencies]
    vocab: dict[str, str] = {}
    for phrase in phrases:
        if fold(phrase) != phrase.lower():  # only phrases that carry marks add anything
            vocab.setdefault(key(phrase, folded=True), phrase)
    return vocab


# --- English normalisation -------------------------------------------------------------------

_BRITISH = ((re.compile(r"is(ation|ations|e|es|ed|ing)$"), r"iz\1"), (re.compile(r"tre$"), "ter"),
            (re.compile(r"our$"), "or"))
_SUFFIXES = (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
_KEEP_S = ("ss", "us", "is")


def stem(word: str) -> str:
    """A light English stemmer, enough to meet glossary entries: "labelling" -> "label",
    "cooperatives" -> "cooperativ", "organisation" -> "organizat"."""
    w = word.lower()
    for pattern, repl in _BRITISH:
        w = pattern.sub(repl, w)
    for suffix, repl in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) + len(repl) >= 3:
            if suffix == "s" and w.endswith(_KEEP_S):
                continue
            w = w[: len(w) - len(suffix)] + repl
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1].isalpha():
        w = w[:-1]
    return w


def english_key(text: str) -> str:
    return " ".join(stem(t) for t in tokens(text))


# --- matching --------------------------------------------------------------------------------


def longest_matches(toks: list[str], tables: Iterable[Mapping[str, object]], max_len: int = 8) -> list[Match]:
    """Left-to-right, longest-first matches of token n-grams against the tables (earlier tables
    win ties); tokens no table holds are skipped. A longer phrase starting inside a match wins
    the words they share: "which ministry of industry and trade" is the cue "which" and the
    agency, not the cue "which ministry" and two stray words."""
    tables = list(tables)

    def longest(i: int, limit: int) -> Match | None:
        for n in range(min(limit, len(toks) - i), 0, -1):
            gram = " ".join(toks[i : i + n])
            table = next((t for t in tables if gram in t), None)
            if table is not None:
                return Match(i, i + n, table[gram])
        return None

    found, i = [], 0
    while i < len(toks):
        m = longest(i, max_len)
        if m is None:
            i += 1
            continue
        inner = next((j for j in range(i + 1, m.end) if (o := longest(j, max_len)) and o.end > m.end), None)
        if inner is not None:
            m = longest(i, inner - i)
            if m is None:
                i = inner
                continue
        found.append(m)
        i = m.end
    return found


def english_name(agency: str, lexicon: Lexicon | None = None) -> str | None:
    """The usual English rendering of a Vietnamese agency name, keeping a trailing place:
    "Liên minh Hợp tác xã Thanh Hóa" -> "Cooperative Alliance, Thanh Hóa"."""
    lexicon = lexicon or load_lexicon()
    table = lexicon.agency_names(folded=True)
    toks = tokens(agency)
    folded = [fold(t) for t in toks]
    for n in range(len(toks), 0, -1):
        hit = table.get(" ".join(folded[:n]))
        if hit:
            rest = _tail(agency, n)
            return f"{hit.english}, {rest}" if rest else hit.english
    return None


def _tail(text: str, n_tokens: int) -> str:
    """What follows the first `n_tokens` word tokens of `text`, trimmed of punctuation."""
    spans = list(re.finditer(r"\w+(?:&\w+)*", text))
    return text[spans[n_tokens - 1].end():].strip(" ,;:-–") if len(spans) > n_tokens else ""
