"""A run's summary as the UI shows it: the per-source table and the list of failures."""

from __future__ import annotations

from flows.shards import report_from_row
from flows.summary import RunSummary
from newsflow.report import SourceReport


def _summary() -> RunSummary:
    ok = SourceReport("daily", discovered=3, fetched=3, new=3)
    dead = SourceReport("dead", error="every feed and sitemap failed: https://dead.example/rss: HTTP 404")
    dead.add_failure("https://dead.example/rss", "https://dead.example/rss: HTTP 404")
    walled = SourceReport("walled", blocked=True, error="blocked: all 2 pages answered HTTP 403")
    flaky = SourceReport("flaky", new=1, failed=1)
    flaky.add_failure("https://flaky.example/a", "HTTP 500")
    return RunSummary("ingest", [ok, dead, walled, flaky])


def test_each_row_says_why_its_source_failed_or_is_blocked() -> None:
    rows = {row["source"]: row for row in _summary().rows()}
    assert (rows["daily"]["status"], rows["daily"]["reason"]) == ("ok", "")
    assert rows["dead"]["status"] == "failed"
    assert rows["dead"]["reason"] == "every feed and sitemap failed: https://dead.example/rss: HTTP 404"
    assert (rows["walled"]["status"], rows["walled"]["reason"]) == (
        "blocked",
        "blocked: all 2 pages answered HTTP 403",
    )
    # A source with a failed page is still ok: the page is listed in the failures, not the source.
    assert (rows["flaky"]["status"], rows["flaky"]["reason"]) == ("ok", "")


def test_the_failure_list_names_each_address_once() -> None:
    markdown = _summary().failures_markdown()
    assert "- `https://dead.example/rss`: HTTP 404" in markdown
    assert markdown.count("https://dead.example/rss: HTTP 404") == 1  # only in the source's reason
    assert "- `https://flaky.example/a`: HTTP 500" in markdown
    assert "## daily" not in markdown


def test_a_sharded_run_reads_back_each_shards_reasons() -> None:
    # The parent of a sharded ingest rebuilds its sources' reports from the shards' tables.
    reports = {row["source"]: report_from_row(row, failed_as="see flow run x") for row in _summary().rows()}
    assert reports["dead"].error == "every feed and sitemap failed: https://dead.example/rss: HTTP 404"
    assert reports["walled"].blocked and reports["walled"].error == "blocked: all 2 pages answered HTTP 403"
    assert reports["daily"].error is None and reports["daily"].new == 3
    older = {"source": "dead", "status": "failed"}  # a table published before the reason column
    assert report_from_row(older, failed_as="see flow run x").error == "see flow run x"
