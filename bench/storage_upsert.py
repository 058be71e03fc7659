"""Storage: rows/s of 5 KB articles through storage.repository.store_articles, SQLite and PostgreSQL.

    .venv/bin/python -m bench.storage_upsert --rows 20000 --batch 64 --batch 500

Each batch is one transaction, as in the pipeline: store_articles (URL check, exact and
near-duplicate lookups in the article_lsh index, bulk INSERT of articles and bands), and the
same again with the batch's fetch_event rows (what SourcePipeline commits per batch). Articles
are unique 5 KB texts with real fingerprints, computed before the clock starts. Each batch size
first runs the issue's reference on the same engine: a bare batched upsert of the same texts.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime

from newsflow.dedupe.fingerprint import fingerprint
from newsflow.records import ExtractedArticle, FetchOutcome, Outcome, ProcessedArticle
from newsflow.storage.db import get_engine, session_scope
from newsflow.storage.repository import record_outcomes, store_articles
from tests.support.scratch_db import DEFAULT_POSTGRES, scratch_database

TEXT_BYTES = 5000


def make_articles(count: int, *, seed: int = 7) -> list[ProcessedArticle]:
    """`count` unique articles of about 5 KB of random words (no two near duplicates)."""
    rng = random.Random(seed)
    vocabulary = [f"{rng.choice('bcdfghklmnprstvz')}{rng.randrange(10**6):x}" for _ in range(20000)]
    articles = []
    for index in range(count):
        words: list[str] = []
        size = 0
        while size < TEXT_BYTES:
            word = rng.choice(vocabulary)
            words.append(word)
            size += len(word) + 1
        text = " ".join(words)[:TEXT_BYTES]
        url = f"https://bench.example/news/{index}.html"
        article = ExtractedArticle(
            url=url,
            title=f"Story {index}",
            text=text,
            authors=("A. Writer",),
            published_at=datetime(2025, 6, 1, tzinfo=UTC),
            published_at_source="meta",
            language="en",
            site_name="Bench",
            description=text[:200],
            tags=("bench",),
        )
        articles.append(ProcessedArticle(article, fingerprint(text), url, "bench", 200))
    return articles


def upsert_rate(url: str, articles: list[ProcessedArticle], batch: int, *, with_events: bool) -> float:
    """Rows per second storing `articles` in transactions of `batch`."""
    started = time.perf_counter()
    for start in range(0, len(articles), batch):
        items = articles[start : start + batch]
        now = datetime.now(UTC)
        with session_scope(url) as session:
            store_articles(session, items=items, threshold=0.8, now=now)
            if with_events:
                events = [FetchOutcome(i.fetched_url, i.source, Outcome.OK, now, 200) for i in items]
                record_outcomes(session, outcomes=events, run_id="bench")
    engine = get_engine(url)
    if engine.dialect.name == "sqlite":
        # Count the WAL pages not yet copied into the database (SQLite checkpoints every 32 MiB).
        # (Outside a transaction: the raw connection, not SQLAlchemy's BEGIN IMMEDIATE.)
        raw = engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    return len(articles) / (time.perf_counter() - started)


_PLAIN_TABLE = "CREATE TABLE plain_upsert (id {id}, url TEXT UNIQUE NOT NULL, title TEXT, text TEXT)"
_PLAIN_UPSERT = (
    "INSERT INTO plain_upsert (url, title, text) VALUES (?, ?, ?) "
    "ON CONFLICT (url) DO UPDATE SET title = excluded.title, text = excluded.text"
)


def plain_upsert_rate(url: str, articles: list[ProcessedArticle], batch: int) -> float:
    """The reference: rows/s of a bare batched upsert of the same texts, keyed by URL, on the same
    engine (same PRAGMAs), with nothing else (no dedup, no index but the URL's)."""
    engine = get_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(_PLAIN_TABLE.format(id="INTEGER PRIMARY KEY" if sqlite else "BIGSERIAL PRIMARY KEY"))
        raw.commit()
        statement = _PLAIN_UPSERT if sqlite else _PLAIN_UPSERT.replace("?", "%s")
        started = time.perf_counter()
        for start in range(0, len(articles), batch):
            rows = [(a.article.url, a.article.title, a.article.text) for a in articles[start : start + batch]]
            cursor.executemany(statement, rows)
            raw.commit()
        if sqlite:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(articles) / (time.perf_counter() - started)
    finally:
        raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--batch", type=int, action="append", help="rows per transaction (repeatable)")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="admin URL; a scratch database is made")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    batches = args.batch or [64, 500]
    articles = make_articles(args.rows)
    print(f"{len(articles)} articles, {sum(len(a.article.text) for a in articles) / len(articles):.0f} chars")
    for kind in ["sqlite", "postgresql"] if args.only is None else [args.only]:
        for batch in batches:
            with scratch_database(kind, args.postgres) as url:
                rate = plain_upsert_rate(url, articles, batch)
            print(
                f"{kind:10} batch {batch:4}  {'reference: bare upsert, URL index only':34} {rate:8.0f} rows/s"
            )
            for with_events in (False, True):
                with scratch_database(kind, args.postgres) as url:
                    rate = upsert_rate(url, articles, batch, with_events=with_events)
                label = "store_articles + fetch_event rows" if with_events else "store_articles"
                print(f"{kind:10} batch {batch:4}  {label:34} {rate:8.0f} rows/s")


if __name__ == "__main__":
    main()
