"""Article-body score of the article-extraction-benchmark: F1 over 4-word shingles.

The rule is the one in /work/shared/datasets/README.md: words are `\\w+` runs (Unicode, case
kept), each run of 4 consecutive words is a shingle, counted as a multiset; a page's tp/fp/fn
are normalized by their sum; precision and recall are averaged over pages; F1 is taken of
the two means. Like the benchmark's own evaluate.py, a text of 1-3 words is one shingle.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE_WORDS = 4
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's shingle counts, normalized so that tp + fp + fn == 1 (or all 0)."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == 0 and self.fn == 0:
            return 1.0  # nothing expected and nothing extracted, or a perfect match
        if self.tp == 0 and self.fp == 0:
            return 0.0  # empty extraction
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        if self.tp == 0 and self.fn == 0:
            return 0.0  # something extracted where nothing was expected
        return self.tp / (self.tp + self.fn)


@dataclass(frozen=True, slots=True)
class Score:
    """Mean precision and recall over pages, and the F1 of those two means."""

    precision: float
    recall: float
    pages: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def shingles(text: str | None, n: int = SHINGLE_WORDS) -> Counter[str]:
    """The multiset of n-word shingles of `text`."""
    words = _WORD.findall(text or "")
    if not words:
        return Counter()
    if len(words) < n:
        return Counter([" ".join(words)])
    return Counter(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def score_page(expected: str | None, extracted: str | None) -> PageScore:
    """Compare one page's extracted body with the expected one."""
    want, got = shingles(expected), shingles(extracted)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    if total == 0:
        return PageScore(0.0, 0.0, 0.0)
    return PageScore(tp / total, fp / total, fn / total)


def score_pages(pages: Iterable[PageScore]) -> Score:
    """Average the per-page precision and recall."""
    scored = list(pages)
    if not scored:
        return Score(0.0, 0.0, 0)
    precision = sum(p.precision for p in scored) / len(scored)
    recall = sum(p.recall for p in scored) / len(scored)
    return Score(precision, recall, len(scored))


def word_f1(expected: str | None, extracted: str | None) -> tuple[float, float, float]:
    """WCXB's word-level (precision, recall, F1): lowercased `\\w+` words compared as multisets."""
    want = Counter(_WORD.findall((expected or "").lower()))
    got = Counter(_WORD.findall((extracted or "").lower()))
    if not want and not got:
        return 1.0, 1.0, 1.0
    if not want or not got:
        return 0.0, 0.0, 0.0
    shared = sum((want & got).values())
    precision, recall = shared / sum(got.values()), shared / sum(want.values())
    total = precision + recall
    return precision, recall, (2 * precision * recall / total if total else 0.0)


def _word_run(text: str | None) -> str:
    return " " + " ".join(_WORD.findall((text or "").lower())) + " "


def snippet_checks(
    text: str | None, must: Iterable[str], must_not: Iterable[str]
) -> tuple[int, int, int, int]:
    """WCXB's `with` and `without` snippets against `text`: (held, of them, leaked, of them). Each is
    compared as a run of whole lowercased `\\w+` words, so spacing and punctuation do not count; a
    snippet without a word is not judged."""
    words = _word_run(text)
    wanted = [run for run in map(_word_run, must) if run.strip()]
    unwanted = [run for run in map(_word_run, must_not) if run.strip()]
    held = sum(run in words for run in wanted)
    leaked = sum(run in words for run in unwanted)
    return held, len(wanted), leaked, len(unwanted)


_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bwith\b)\s*", re.IGNORECASE)


def title_key(title: str | None) -> str:
    """A title after Unicode, quote and whitespace normalization, for comparing with the gold."""
    text = unicodedata.normalize("NFKC", title or "").translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().casefold()


def author_set(authors: str | list[str] | tuple[str, ...] | None) -> frozenset[str]:
    """The set of names in a byline, split on , ; & and with (the WCXB gold's convention)."""
    joined = ", ".join(authors) if isinstance(authors, list | tuple) else (authors or "")
    names = (unicodedata.normalize("NFKC", n) for n in _AUTHOR_SPLIT.split(joined))
    return frozenset(re.sub(r"[\s.]+", " ", n).strip().casefold() for n in names if n.strip())
