"""Score newsflow's article extraction against plain trafilatura on an aeb-layout dataset.

.venv/bin/python -m bench.extraction_quality [--dataset PATH] [--worst N]
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import trafilatura

from bench.dataset import DEFAULT_DATASET, BenchPage, load_pages
from newsflow.errors import ExtractionError
from newsflow.extract.article import extract_article
from tests.support.scoring import PageScore, Score, score_page, score_pages

Extractor = Callable[[BenchPage], str]


def newsflow_body(page: BenchPage) -> str:
    try:
        return extract_article(page.html, url=page.url).text
    except ExtractionError:
        return ""


def trafilatura_body(page: BenchPage) -> str:
    return trafilatura.extract(page.html, url=page.url) or ""


def run(extractor: Extractor, pages: list[BenchPage]) -> tuple[list[PageScore], float]:
    """Score every page; return the page scores and the mean seconds per page."""
    scores: list[PageScore] = []
    spent = 0.0
    for page in pages:
        start = time.perf_counter()
        body = extractor(page)
        spent += time.perf_counter() - start
        scores.append(score_page(page.expected_body, body))
    return scores, spent / max(1, len(pages))


def _row(name: str, score: Score, per_page: float) -> str:
    return (
        f"| {name} | {score.f1:.4f} | {score.precision:.4f} | {score.recall:.4f} | {per_page * 1000:.1f} ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--worst", type=int, default=0, help="list the N pages where newsflow scores lowest")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # library chatter would drown the table
    pages = list(load_pages(args.dataset))
    ours, ours_cost = run(newsflow_body, pages)
    theirs, theirs_cost = run(trafilatura_body, pages)
    print(f"{len(pages)} pages from {args.dataset}")
    print("| extractor | F1 | precision | recall | time/page |")
    print("|---|---|---|---|---|")
    print(_row("newsflow", score_pages(ours), ours_cost))
    print(_row(f"trafilatura {trafilatura.__version__}", score_pages(theirs), theirs_cost))
    ranked = sorted(zip(pages, ours, theirs, strict=True), key=lambda t: t[1].precision + t[1].recall)
    for page, mine, plain in ranked[: args.worst]:
        print(
            f"{page.page_id[:12]} P={mine.precision:.3f} R={mine.recall:.3f} "
            f"(trafilatura P={plain.precision:.3f} R={plain.recall:.3f}) {page.url}"
        )


if __name__ == "__main__":
    main()
