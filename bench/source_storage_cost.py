"""CPU per source of the database work of a many-sources first run, SQLite, one thread.

    .venv/bin/python -m bench.source_storage_cost --sources 300

What each source of a run does in the database when it has two new pages: read which listed URLs
are settled, store the two articles (dedupe lookups, bulk INSERT of articles, bands and events,
through storage.group_commit as the pipeline does), and settle (the listing's fetch_event row, its
feed state, the source's health). Process CPU time, after a warm-up of 20 sources; the figure is
what a 500-source run pays per source in the CLI process (bench/many_sources.py runs the whole).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime

from sqlmodel import Session

from bench.storage_upsert import make_articles
from newsflow.records import FetchOutcome, Outcome, ProcessedArticle
from newsflow.storage.batch import store_batch
from newsflow.storage.group_commit import commit_together
from newsflow.storage.repository import record_outcomes, save_feed_state, settled_urls, update_source_health
from newsflow.storage.retry import run_transaction
from tests.support.scratch_db import scratch_database

WARM_UP = 20


def _source(database_url: str, index: int, pages: list[ProcessedArticle]) -> None:
    now = datetime.now(UTC)
    name = f"s{index}"
    feed = f"https://{name}.test/feed.xml"
    urls = [page.article.url for page in pages]
    run_transaction(database_url, lambda session: settled_urls(session, urls=urls), budget=5, read_only=True)
    store_batch(
        database_url, articles=pages, outcomes=[], run_id="r", threshold=0.8, now=now, retry_seconds=5
    )

    def settle(session: Session) -> int:
        record_outcomes(session, outcomes=[FetchOutcome(feed, name, Outcome.OK, now, 200)], run_id="r")
        save_feed_state(session, url=feed, etag='"v1"', last_modified=None, now=now)
        return update_source_health(session, source=name, ok=True, blocked=False, error=None, now=now)

    commit_together(database_url, settle, budget=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--pages", type=int, default=2, help="new pages per source")
    args = parser.parse_args()
    articles = make_articles(args.sources * args.pages)
    random.Random(3).shuffle(articles)
    with scratch_database("sqlite") as database_url:
        per_source = [articles[i * args.pages : (i + 1) * args.pages] for i in range(args.sources)]
        for index in range(WARM_UP):
            _source(database_url, index, per_source[index])
        started = time.process_time()
        for index in range(WARM_UP, args.sources):
            _source(database_url, index, per_source[index])
        spent = time.process_time() - started
    print(f"{spent / (args.sources - WARM_UP) * 1000:.2f} ms of CPU per source ({args.pages} new pages each)")


if __name__ == "__main__":
    main()
