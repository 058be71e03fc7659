"""Score newsflow's title, author and date extraction against plain trafilatura, on both dev sets.

    .venv/bin/python -m bench.metadata_quality [--dataset PATH] [--truth bench/metadata-truth.json] [--misses]

aeb-dev is scored against metadata-truth.json (below); wcxb-dev-articles against its own gold
(the title and byline the page shows, the day it states), as bench.extraction_quality does.

The expected values in metadata-truth.json were drafted from each dev page's JSON-LD and meta
tags and then corrected by hand (site-name suffixes removed, organizations removed from author
lists, dates read from the URL where the page gives none). A field set to null is unknown and
not scored. Titles may list several acceptable forms (an SEO headline and the displayed <h1>).
A date counts as right within 24 hours (date-only values are read as noon UTC, since
trafilatura returns days); newsflow is also scored on the exact instant (within a minute).
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import trafilatura

from bench.dataset import DATASETS, DEFAULT_DATASET, load_pages
from bench.extraction_quality import Tally as GoldTally
from bench.extraction_quality import newsflow, trafilatura_fast_meta
from newsflow.errors import ExtractionError
from newsflow.extract.article import extract_article
from newsflow.extract.dates import read_date

DEFAULT_TRUTH = Path(__file__).resolve().parent / "metadata-truth.json"
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@dataclass(frozen=True, slots=True)
class Found:
    title: str | None
    authors: tuple[str, ...]
    published: datetime | None


@dataclass
class Tally:
    right: dict[str, int] = field(default_factory=dict)
    scored: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def add(self, name: str, ok: bool, note: str) -> None:
        self.scored[name] = self.scored.get(name, 0) + 1
        self.right[name] = self.right.get(name, 0) + int(ok)
        if not ok:
            self.misses.append(f"{name}: {note}")

    def rate(self, name: str) -> str:
        scored = self.scored.get(name, 0)
        return (
            f"{self.right.get(name, 0) / scored:.1%} ({self.right.get(name, 0)}/{scored})" if scored else "-"
        )


def title_key(title: str | None) -> str:
    text = unicodedata.normalize("NFKC", title or "").translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().casefold()


def name_key(name: str) -> str:
    return re.sub(r"[\s.]+", " ", unicodedata.normalize("NFKC", name)).strip().casefold()


def _instant(value: str) -> tuple[datetime, bool] | None:
    dated = read_date(value, "truth")
    if dated is None:
        return None
    if not dated.has_time:
        return dated.value.replace(hour=12), False
    return dated.value, True


def newsflow_found(html: str, url: str) -> Found:
    try:
        article = extract_article(html, url=url)
    except ExtractionError:
        return Found(None, (), None)
    return Found(article.title, article.authors, article.published_at)


def trafilatura_found(html: str, url: str) -> Found:
    doc = trafilatura.bare_extraction(html, url=url, fast=True, include_comments=False, with_metadata=True)
    if doc is None:
        return Found(None, (), None)
    author, date, title = (getattr(doc, name, None) for name in ("author", "date", "title"))
    authors = tuple(a.strip() for a in (author or "").split(";") if a.strip())
    parsed = read_date(date, "trafilatura") if date else None
    published = parsed.value.replace(hour=12) if parsed else None
    return Found(title, authors, published)


def score(found: Found, truth: dict[str, Any], tally: Tally, page: str, *, with_time: bool) -> None:
    if truth["titles"] is not None:
        ok = title_key(found.title) in {title_key(t) for t in truth["titles"]}
        tally.add("title", ok, f"{page} got {found.title!r}, want {truth['titles']}")
    if truth["authors"] is not None:
        ok = sorted(map(name_key, found.authors)) == sorted(map(name_key, truth["authors"]))
        tally.add("authors", ok, f"{page} got {list(found.authors)}, want {truth['authors']}")
    expected = _instant(truth["published"]) if truth["published"] else None
    if expected is not None:
        when, has_time = expected
        got = found.published
        ok = got is not None and abs(got.astimezone(UTC) - when) < timedelta(hours=24)
        tally.add("date", ok, f"{page} got {got}, want {truth['published']}")
        if has_time and with_time:
            exact = got is not None and abs(got - when) < timedelta(minutes=1)
            tally.add("date+time", exact, f"{page} got {got}, want {truth['published']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--truth", type=Path, default=DEFAULT_TRUTH)
    parser.add_argument("--misses", action="store_true", help="list every wrong value")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    truth = json.loads(args.truth.read_text(encoding="utf-8"))
    ours, theirs = Tally(), Tally()
    for page in load_pages(args.dataset):
        if page.page_id in truth:
            expected = truth[page.page_id]
            score(newsflow_found(page.html, page.url), expected, ours, page.page_id[:12], with_time=True)
            score(
                trafilatura_found(page.html, page.url), expected, theirs, page.page_id[:12], with_time=False
            )
    print(f"{args.dataset.name}: {len(truth)} pages with expected metadata from {args.truth.name}")
    print("| field | newsflow | trafilatura " + trafilatura.__version__ + " |")
    print("|---|---|---|")
    for name in ("title", "authors", "date", "date+time"):
        print(
            f"| {name} | {ours.rate(name)} | {theirs.rate(name) if name != 'date+time' else 'n/a (dates only)'} |"
        )
    if args.misses:
        print("\nnewsflow misses:", *ours.misses, sep="\n  ")
        print("\ntrafilatura misses:", *theirs.misses, sep="\n  ")
    _gold_metadata(DATASETS / "wcxb-dev-articles")


def _gold_metadata(folder: Path) -> None:
    """Score the metadata of a set that carries its own gold (WCXB), by half: the day on pages whose
    gold has one, the authors on pages whose gold names someone (as the issue counts them)."""
    if not folder.is_dir():
        return
    tallies: dict[tuple[str, int], GoldTally] = {}
    extractors = {"newsflow": newsflow, f"trafilatura {trafilatura.__version__}": trafilatura_fast_meta}
    pages = [page for page in load_pages(folder) if page.has_metadata]
    for page in pages:
        for name, extractor in extractors.items():
            found = extractor(page)
            for half in (page.half, 2):
                tallies.setdefault((name, half), GoldTally()).add(page, found, 0.0)
    print(f"\n{folder.name}: {len(pages)} pages with gold title, author and date")
    print("| extractor | publish day | title | authors |")
    print("|---|---|---|---|")
    for half, label in ((0, "half 0"), (1, "half 1"), (2, "all")):
        for name in extractors:
            tally = tallies[(name, half)]
            rates = (tally.rate(f) for f in ("day", "title", "authors"))
            print(f"| {name}, {label} | " + " | ".join(rates) + " |")


if __name__ == "__main__":
    main()
