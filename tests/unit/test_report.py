"""A source's report: outcome counts, and the verdict that marks a source failed or blocked."""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.discover.listings import Discovery
from newsflow.records import FetchOutcome, Outcome
from newsflow.report import MAX_LISTED_FAILURES, SourceReport, SourceVerdict, judge_source

NOW = datetime(2025, 6, 3, tzinfo=UTC)


def _outcome(path: str, outcome: Outcome, status: int | None = 200, error: str | None = None) -> FetchOutcome:
    return FetchOutcome(f"https://daily.example{path}", "daily", outcome, NOW, status, error)


def _judge(
    report: SourceReport, *, failed: bool = False, blocked: bool = False, errors: tuple[str, ...] = ()
) -> SourceVerdict:
    return judge_source(report, listing_errors=errors, listings_failed=failed, listings_blocked=blocked)


def test_page_outcomes_are_counted_and_failures_listed_with_their_reason() -> None:
    report = SourceReport("daily")
    report.count_pages(
        [
            _outcome("/a", Outcome.OK),
            _outcome("/b", Outcome.DUPLICATE),
            _outcome("/c", Outcome.OUT_OF_WINDOW),
            _outcome("/d", Outcome.SKIPPED, 404, "HTTP 404"),
            _outcome("/e", Outcome.ERROR, 503, "HTTP 503"),
        ]
    )
    assert (report.new, report.duplicate, report.out_of_window, report.skipped, report.failed) == (
        1,
        1,
        1,
        1,
        1,
    )
    assert report.failures == [
        ("https://daily.example/d", "HTTP 404"),
        ("https://daily.example/e", "HTTP 503"),
    ]
    report.count_pages(_outcome(f"/x{i}", Outcome.ERROR, 500) for i in range(2 * MAX_LISTED_FAILURES))
    assert len(report.failures) == MAX_LISTED_FAILURES and report.failed == 1 + 2 * MAX_LISTED_FAILURES


def test_a_source_with_pages_stored_is_ok() -> None:
    report = SourceReport("daily")
    report.count_pages([_outcome("/a", Outcome.OK), _outcome("/b", Outcome.ERROR, 403)])
    verdict = _judge(report)
    assert verdict.ok and not verdict.blocked and verdict.error is None


def test_every_listing_failed_is_a_failed_source_with_the_reasons() -> None:
    verdict = _judge(SourceReport("daily"), failed=True, errors=("feed: HTTP 500", "sitemap: timeout"))
    assert not verdict.ok and not verdict.blocked
    assert verdict.error == "every feed and sitemap failed: feed: HTTP 500; sitemap: timeout"


def test_every_page_walled_off_is_a_blocked_source_not_zero_new_articles() -> None:
    report = SourceReport("daily")
    report.count_pages([_outcome("/a", Outcome.SKIPPED, 403), _outcome("/b", Outcome.ERROR, 429)])
    verdict = _judge(report)
    assert not verdict.ok and verdict.blocked
    assert verdict.error == "blocked: all 2 pages answered HTTP 403 or 429"


def test_paywalled_teasers_stored_from_401_answers_are_articles_not_a_wall() -> None:
    report = SourceReport("daily")
    report.count_pages([_outcome("/a", Outcome.OK, 401), _outcome("/b", Outcome.DUPLICATE, 401)])
    verdict = _judge(report)
    assert verdict.ok and not verdict.blocked and report.walled == 0


def test_a_walled_listing_is_blocked() -> None:
    verdict = _judge(SourceReport("daily"), failed=True, blocked=True, errors=("feed: HTTP 403",))
    assert verdict.blocked and not verdict.ok


def test_listing_outcomes_count_not_modified_and_list_failures() -> None:
    report = SourceReport("daily")
    report.count_listings(
        [
            _outcome("/feed", Outcome.NOT_MODIFIED, 304),
            _outcome("/sitemap.xml", Outcome.ERROR, 500, "HTTP 500"),
        ]
    )
    assert report.not_modified == 1
    assert report.failures == [("https://daily.example/sitemap.xml", "HTTP 500")]


def test_validators_are_saved_only_after_a_complete_ingest() -> None:
    discovery = Discovery(validators={"https://daily.example/feed": ('"v1"', None)})
    assert discovery.validators_to_save(backfill=False, urls_left_over=False) == discovery.validators
    assert discovery.validators_to_save(backfill=True, urls_left_over=False) == {}
    assert discovery.validators_to_save(backfill=False, urls_left_over=True) == {}
