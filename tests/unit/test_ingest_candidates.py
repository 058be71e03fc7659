"""Which discovered URLs a run fetches: new ones, then earlier failures, never a failed listing."""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.candidates import cap, ramped_chunks, retry_candidates, unique_by_url
from newsflow.discover.listings import Discovery
from newsflow.records import DiscoveredUrl, FetchOutcome, Outcome, Source
from newsflow.report import SourceReport
from newsflow.settings import RunConfig, load_settings
from newsflow.storage.db import session_scope
from newsflow.storage.repository import record_outcomes
from newsflow.tasks.ingest_source import SourcePipeline

SITE = "https://daily.example"
FEED = SITE + "/feed.xml"
BROKEN_SITEMAP = SITE + "/sitemap.xml"
NOW = datetime(2025, 6, 3, tzinfo=UTC)


def _pipeline(database_url: str, *, cap: int = 5000) -> SourcePipeline:
    config = RunConfig.from_settings(load_settings(database_url=database_url, max_urls_per_source=cap))
    return SourcePipeline(Source("daily", feeds=(FEED,), sitemaps=(BROKEN_SITEMAP,)), config)


def _listed(*paths: str, dated: bool = False) -> list[DiscoveredUrl]:
    return [DiscoveredUrl(SITE + path, "daily", FEED, NOW if dated else None) for path in paths]


def _history(database_url: str, *outcomes: tuple[str, Outcome]) -> None:
    with session_scope(database_url) as session:
        record_outcomes(
            session,
            outcomes=[FetchOutcome(url, "daily", outcome, NOW, None) for url, outcome in outcomes],
            run_id="earlier",
        )


def test_candidates_are_unsettled_listed_urls_then_earlier_failures(migrated_database: str) -> None:
    _history(
        migrated_database,
        (SITE + "/stored", Outcome.OK),
        (SITE + "/flaky", Outcome.ERROR),
        (SITE + "/listed-again", Outcome.ERROR),
        (BROKEN_SITEMAP, Outcome.ERROR),  # a listing that failed: retried as a listing, not as a page
    )
    discovery = Discovery(
        urls=[*_listed("/stored", "/new", "/listed-again"), *_listed("/new", dated=True)],
        outcomes=[FetchOutcome(BROKEN_SITEMAP, "daily", Outcome.ERROR, NOW, 500, "HTTP 500")],
    )
    report = SourceReport("daily")

    candidates, due = _pipeline(migrated_database)._candidates(discovery, report)

    assert [(c.url, c.found_in, c.published_at) for c in candidates] == [
        (SITE + "/new", FEED, NOW),  # of two listings, the one that carries a date
        (SITE + "/listed-again", FEED, None),
        (SITE + "/flaky", "retry", None),
    ]
    assert report.discovered == 3
    assert due == []  # no stored article is due for a refetch


def test_more_candidates_than_a_run_takes_are_cut_and_remembered() -> None:
    kept, left_over = cap(_listed("/a", "/b", "/c"), 2)
    assert [c.url for c in kept] == [SITE + "/a", SITE + "/b"]
    assert left_over
    assert cap(_listed("/a", "/b"), 2)[1] is False


def test_batches_ramp_up_to_the_batch_size_and_keep_every_url_in_order() -> None:
    urls = _listed(*(f"/news/{i}" for i in range(300)))
    batches = list(ramped_chunks(urls, 64))
    assert [len(b) for b in batches] == [16, 32, 64, 64, 64, 60]
    assert [u for b in batches for u in b] == urls
    assert [len(b) for b in ramped_chunks(urls[:3], 2)] == [1, 2]
    assert list(ramped_chunks([], 64)) == []


def test_a_url_listed_twice_keeps_the_listing_with_a_date() -> None:
    urls = [*_listed("/a", "/b"), *_listed("/a", dated=True), *_listed("/b")]
    assert [(u.url, u.published_at) for u in unique_by_url(urls)] == [(SITE + "/a", NOW), (SITE + "/b", None)]


def test_retries_leave_out_what_is_listed_again_and_every_listing() -> None:
    retried = retry_candidates(
        [SITE + "/flaky", SITE + "/listed", FEED, BROKEN_SITEMAP],
        source="daily",
        listed=[SITE + "/listed"],
        listings=[FEED, BROKEN_SITEMAP],
    )
    assert [(u.url, u.found_in) for u in retried] == [(SITE + "/flaky", "retry")]
