"""pyvi's word segmentation with the same output at about half its cost.

`pyvi.ViTokenizer.tokenize` spends most of its time outside the CRF: a dict of 16 features per
syllable (each syllable lower-cased and tested three times, each bigram and trigram looked up
twice) that python-crfsuite then converts attribute by attribute. Here each syllable's tests and
each n-gram lookup are done once, and an item is the list of its attributes that carry weight
(crfsuite reads a listed attribute as value 1.0, as it reads True, a string value's
"key:value" and the bias; a False feature is value 0.0 and adds nothing), in pyvi's order, so
the tagger sums the same weights in the same order: the labels, and so the words, are pyvi's
(tests compare them on the bundled and a synthetic corpus). Syllables and the joining rule are
pyvi's own (`sylabelize`, and `tokenize`'s loop, restated).
"""

from __future__ import annotations

import string


def _tokenizer():
    from pyvi.ViTokenizer import ViTokenizer  # loads scikit-learn and the CRF (seconds): on first use only

    return ViTokenizer


def features(words: list[str]) -> list[list[str]]:
    """`ViTokenizer.sent2features(words)` as crfsuite reads it: the weighted attributes, in order."""
    tok = _tokenizer()
    n = len(words)
    lower = [w.lower() for w in words]
    title = [w.istitle() for w in words]
    upper = [w.isupper() for w in words]
    bigram = [(words[i] + " " + words[i + 1]).lower() in tok.bi_grams for i in range(n - 1)]  # (i, i+1)
    trigram = [(words[i] + " " + words[i + 1] + " " + words[i + 2]).lower() in tok.tri_grams for i in range(n - 2)]
    items = []
    for i in range(n):
        item = ["bias", "word.lower():" + lower[i]]
        if upper[i]:
            item.append("word.isupper()")
        if title[i]:
            item.append("word.istitle()")
        if words[i].isdigit():
            item.append("word.isdigit()")
        if i > 0:
            item.append("-1:word.lower():" + lower[i - 1])
            if title[i - 1]:
                item.append("-1:word.istitle()")
            if upper[i - 1]:
                item.append("-1:word.isupper()")
            if bigram[i - 1]:
                item.append("-1:word.bi_gram()")
            if i > 1 and trigram[i - 2]:
                item.append("-2:word.tri_gram()")
        if i < n - 1:
            item.append("+1:word.lower():" + lower[i + 1])
            if title[i + 1]:
                item.append("+1:word.istitle()")
            if upper[i + 1]:
                item.append("+1:word.isupper()")
            if bigram[i]:
                item.append("+1:word.bi_gram()")
            if i < n - 2 and trigram[i]:
                item.append("+2:word.tri_gram()")
        items.append(item)
    return items


def tokenize(text: str) -> str:
    """`ViTokenizer.tokenize(text)`: syllables of a word joined by "_", words by spaces. Not
    thread-safe (one CRF tagger per process): callers serialise (tokenize.segment)."""
    tok = _tokenizer()
    _, syllables = tok.sylabelize(text)
    if not syllables:
        return text
    labels = tok.model.predict_single(features(syllables))
    out = [syllables[0]]
    for i in range(1, len(labels)):
        here, before = syllables[i], syllables[i - 1]
        joined = (labels[i] == "I_W" and here not in string.punctuation and before not in string.punctuation
                  and not here[0].isdigit() and not before[0].isdigit()
                  and not (here[0].istitle() and not before[0].istitle()))
        out.append(("_" if joined else " ") + here)
    return "".join(out)
