"""Article-body score of the article-extraction-benchmark: F1 over 4-word shingles.

The rule is the one in /work/shared/datasets/README.md: words are `\\w+` runs (Unicode, case
kept), each run of 4 consecutive words is a shingle, counted as a multiset; a page's tp/fp/fn
are normalized by their sum; precision and recall are averaged over pages; F1 is taken of
the two means. Like the benchmark's own evaluate.py, a text of 1-3 words is one shingle.
"""

from __future__ import annotations

import re
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
