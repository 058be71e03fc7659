"""Many sources share task runs: each group's task run names its failed sources, every source keeps
its own counts and health, and a stop starts no source that had not started."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect.client.schemas.objects import StateType
from sqlmodel import select

from newsflow.flows.ingest import ingest
from newsflow.flows.summary import RunSummary
from newsflow.runtime.stop import request_stop, reset_stop
from newsflow.storage.db import session_scope
from newsflow.storage.models import SourceHealth
from newsflow.tasks.progress import reporting_progress_to
from tests.e2e.test_source_health import task_runs, wall
from tests.site import NewsSite, load_fixture_articles

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite.start(articles=load_fixture_articles()[:6], widget=False) as running:
        yield running


@pytest.fixture
def stop_reset() -> Iterator[None]:
    reset_stop()
    yield
    reset_stop()


def one_article_feeds(site: NewsSite, count: int) -> dict[str, str]:
    """Sources s0, s1, … each listing one article of the site of its own."""
    paths = site.article_paths()
    return {f"s{n}": site.add_feed(f"/feed-{n}.xml", urls=[paths[n]]) for n in range(count)}


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str, feeds: dict[str, str]) -> Any:
    lines = ["sources:", *(f'  - name: {name}\n    feeds: ["{url}"]' for name, url in feeds.items())]
    (tmp_path / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NEWSFLOW_SOURCE_CONCURRENCY", "2")  # 2 sources at once: groups of 2
    return ingest(sources_path=str(tmp_path / "sources.yaml"), return_state=True)


def test_a_group_names_its_failed_and_blocked_sources_and_each_source_keeps_its_counts(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    good = one_article_feeds(site, 6)
    walled = [f"/walled/{n}.html" for n in range(2)]
    wall(site, 403, walled)
    feeds = {
        "s0": good["s0"],
        "s1": good["s1"],
        "broken": site.url("/no-such-feed.xml"),
        "s2": good["s2"],
        "s3": good["s3"],
        "walled": site.add_feed("/walled.xml", urls=walled),
        "s4": good["s4"],
        "s5": good["s5"],
    }
    state = run(tmp_path, monkeypatch, database_url, feeds)
    assert state.is_completed(), state.message
    summary = state.result()
    assert isinstance(summary, RunSummary)
    assert [r.source for r in summary.reports] == list(feeds)
    by_source = {r.source: r for r in summary.reports}
    assert all(by_source[f"s{n}"].new == 1 and not by_source[f"s{n}"].error for n in range(6))
    assert by_source["broken"].error and by_source["broken"].new == 0
    assert by_source["walled"].blocked and by_source["walled"].failed == 2
    assert "unhealthy: broken, walled (blocked)" in (state.message or ""), state.message

    # In the UI: four task runs of two sources; a group with a failed or blocked source is Failed
    # and its message names it with the reason; the others Completed.
    runs = task_runs(state)
    assert sorted(runs) == [
        "ingest-broken-to-s2",
        "ingest-s0-to-s1",
        "ingest-s3-to-walled",
        "ingest-s4-to-s5",
    ]
    assert runs["ingest-s0-to-s1"].type == StateType.COMPLETED
    assert runs["ingest-s4-to-s5"].type == StateType.COMPLETED
    broken = runs["ingest-broken-to-s2"]
    assert broken.type == StateType.FAILED
    assert (broken.message or "").startswith("broken: every feed and sitemap failed"), broken.message
    assert "s2" not in (broken.message or "")
    blocked = runs["ingest-s3-to-walled"]
    assert blocked.type == StateType.FAILED
    assert (blocked.message or "").startswith("walled: blocked: all 2 pages answered HTTP 403"), (
        blocked.message
    )

    with session_scope(database_url) as session:
        health = {row.source: row for row in session.exec(select(SourceHealth)).all()}
    assert set(health) == set(feeds)
    assert health["broken"].consecutive_failures == 1 and health["walled"].blocked
    assert all(health[f"s{n}"].last_success_at is not None for n in range(6))


def test_a_stop_starts_no_source_that_had_not_started(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str, stop_reset: None
) -> None:
    feeds = one_article_feeds(site, 6)
    with reporting_progress_to(lambda source, done, total: request_stop()):
        state = run(tmp_path, monkeypatch, database_url, feeds)
    assert state.is_cancelled(), state
    summary = state.result(raise_on_failure=False)
    assert isinstance(summary, RunSummary)
    started = [r.source for r in summary.reports]
    # Two slots: the stop came while the first source ran, so at most two sources had started.
    assert 1 <= len(started) <= 2, started
    requested = site.requested_paths()
    for n in range(6):
        assert (f"/feed-{n}.xml" in requested) == (f"s{n}" in started), (n, requested)
    runs = task_runs(state)
    assert not any(name.startswith("ingest-s4") for name in runs)  # its group never ran
    # The group cut short says so in the UI, not Completed.
    assert runs["ingest-s0-to-s1"].type == StateType.CANCELLED, runs["ingest-s0-to-s1"]


def test_a_database_outage_in_one_group_starts_no_further_source_and_fails_the_run(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    from newsflow.errors import DatabaseUnavailable
    from newsflow.tasks.ingest_source import SourcePipeline

    # The outage, as a source meets it once its retry budget is spent (injected for s1 only).
    choose, begin = SourcePipeline._candidates, SourcePipeline.run
    started: dict[str, float] = {}
    outage_at: list[float] = []

    def candidates(self: SourcePipeline, *args: Any, **kwargs: Any) -> Any:
        if self.source.name == "s1":
            outage_at.append(time.monotonic())
            raise DatabaseUnavailable("the database stayed unreachable (injected)")
        return choose(self, *args, **kwargs)

    def run_source(self: SourcePipeline) -> Any:
        started[self.source.name] = time.monotonic()
        return begin(self)

    monkeypatch.setattr(SourcePipeline, "_candidates", candidates)
    monkeypatch.setattr(SourcePipeline, "run", run_source)
    state = run(tmp_path, monkeypatch, database_url, one_article_feeds(site, 6))
    assert state.is_failed() and state.message == "the database stayed unreachable (injected)", state
    # Which sources had started when s1 met the outage depends on the threads' order; after it,
    # none starts.
    assert [name for name, at in started.items() if at > outage_at[0]] == [], (started, outage_at)
    requested = site.requested_paths()
    assert all(f"/feed-{name[1:]}.xml" in requested for name in started)
    assert not any(f"/feed-{n}.xml" in requested for n in range(6) if f"s{n}" not in started)
    failed = task_runs(state)["ingest-s0-to-s1"]
    assert failed.type == StateType.FAILED
    assert failed.message == "s1: the database stayed unreachable (injected)", failed.message


def test_grouped_sources_ask_for_their_feeds_conditionally_with_validators_read_per_group(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    feeds = one_article_feeds(site, 5)  # groups of two, two and one
    first = run(tmp_path, monkeypatch, database_url, feeds)
    assert first.is_completed(), first.message
    site.reset_requests()

    second = run(tmp_path, monkeypatch, database_url, feeds)
    assert second.is_completed(), second.message
    summary = second.result()
    assert isinstance(summary, RunSummary)
    assert {r.source: (r.not_modified, r.new, r.fetched) for r in summary.reports} == dict.fromkeys(
        feeds, (1, 0, 0)
    )
    feed_requests = [r for r in site.requests if r.path.startswith("/feed-")]
    assert sorted(r.path for r in feed_requests) == [f"/feed-{n}.xml" for n in range(5)]
    assert all("if-none-match" in r.headers for r in feed_requests)


class _Lines(logging.Handler):
    """The per-source summary lines task runs log at INFO and above."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if " discovered, " in record.getMessage():
            self.lines.append(record.getMessage())


def test_a_group_logs_one_line_of_counts_and_a_line_per_source_with_something_to_tell(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    good = one_article_feeds(site, 2)
    # Groups of two: [s0, broken] share a task run, s1 has one of its own.
    feeds = {"s0": good["s0"], "broken": site.url("/no-such-feed.xml"), "s1": good["s1"]}
    task_runs_logger = logging.getLogger("prefect.task_runs")
    runs = (
        # First run: the group's sum, its failed source, and s1 (alone in its task run) storing.
        [
            "2 sources: 1 discovered, 1 fetched, 1 new",
            "broken: 0 discovered",
            "s1: 1 discovered, 1 fetched, 1 new",
        ],
        # Second run: nothing new; only the group's line and the source that fails again.
        ["2 sources: 0 discovered, 0 fetched, 0 new", "broken: 0 discovered"],  # s0: 304
    )
    for expected in runs:
        lines = _Lines()
        task_runs_logger.addHandler(lines)
        try:
            state = run(tmp_path, monkeypatch, database_url, feeds)
        finally:
            task_runs_logger.removeHandler(lines)
        assert state.is_completed(), state.message
        got = sorted(lines.lines)
        assert len(got) == len(expected), got
        assert all(line.startswith(prefix) for line, prefix in zip(got, expected, strict=True)), got
