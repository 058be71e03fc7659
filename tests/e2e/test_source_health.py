"""Source health: a 403 or 429 wall is shown as blocked, failures are counted across runs and named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect.client.schemas.objects import StateType
from prefect.states import State
from sqlmodel import select

from newsflow.flows.ingest import ingest
from newsflow.flows.summary import RunSummary
from newsflow.storage.db import session_scope
from newsflow.storage.models import SourceHealth
from tests.site import LocalSite, NewsSite, Response, load_fixture_articles

pytestmark = pytest.mark.usefixtures("prefect_harness")


def wall(site: LocalSite, status: int, paths: list[str]) -> None:
    """Answer `status` at every path, as a bot wall does."""
    headers = {"Retry-After": "3600"} if status == 429 else {}
    for path in paths:
        site.route(path, lambda r: Response(status=status, body=b"<h1>Access denied</h1>", headers=headers))


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite.start(articles=load_fixture_articles()[:2], widget=False) as running:
        yield running


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str, feeds: dict[str, str]) -> Any:
    lines = ["sources:", *(f'  - name: {name}\n    feeds: ["{url}"]' for name, url in feeds.items())]
    (tmp_path / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", database_url)
    return ingest(sources_path=str(tmp_path / "sources.yaml"), return_state=True)


def task_runs(state: Any) -> dict[str, State[Any]]:
    """The final state of each task run of a flow run, by task run name, as the UI shows them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
        )
    return {run.name: run.state for run in runs if run.state is not None}


def health(database_url: str) -> dict[str, SourceHealth]:
    with session_scope(database_url) as session:
        return {row.source: row for row in session.exec(select(SourceHealth)).all()}


def test_walls_are_blocked_counted_named_and_forgotten_on_recovery(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    with LocalSite.start() as forbidden, LocalSite.start() as limited:
        wall(forbidden, 403, ["/robots.txt", "/feed.xml"])
        wall(limited, 429, ["/robots.txt", "/feed.xml"])
        feeds = {
            "daily": site.url("/feed.xml"),
            "forbidden": forbidden.url("/feed.xml"),
            "limited": limited.url("/feed.xml"),
        }
        states = [run(tmp_path, monkeypatch, database_url, feeds) for _ in range(2)]
        for state in states:
            assert state.is_completed(), state.message
            summary = state.result()
            assert isinstance(summary, RunSummary)
            assert [r.source for r in summary.unhealthy] == ["forbidden", "limited"]
            assert "unhealthy: forbidden (blocked), limited (blocked)" in (state.message or ""), state.message
            assert [row["status"] for row in summary.rows()] == ["ok", "blocked", "blocked"]
            # In the UI: the flow run Completed, the blocked sources' task runs Failed with why.
            runs = task_runs(state)
            assert runs["ingest-daily"].type == StateType.COMPLETED
            for name, status in (("forbidden", 403), ("limited", 429)):
                assert runs[f"ingest-{name}"].type == StateType.FAILED
                assert (runs[f"ingest-{name}"].message or "").startswith(f"{name}: "), runs[f"ingest-{name}"]
                assert f"HTTP {status}" in (runs[f"ingest-{name}"].message or "")
        first = states[0].result()  # the run that fetched daily's pages; the second had nothing new
        daily = next(row for row in first.rows() if row["source"] == "daily")
        assert all(
            isinstance(daily[f"{stage}_s"], float) for stage in ("discover", "fetch", "extract", "store")
        )
        # Measured, not rounded (the table rounds to hundredths: a fast store shows 0.0).
        [report] = [r for r in first.reports if r.source == "daily"]
        assert report.seconds["fetch"] > 0 and report.seconds["store"] > 0
        rows = health(database_url)
        for name, status in (("forbidden", 403), ("limited", 429)):
            assert rows[name].blocked and rows[name].consecutive_failures == 2
            assert rows[name].last_success_at is None and f"HTTP {status}" in (rows[name].last_error or "")
        assert not rows["daily"].blocked and rows["daily"].consecutive_failures == 0
        assert rows["daily"].last_success_at is not None

        # The walls come down: one good run clears the record.
        for walled in (forbidden, limited):
            walled.add_page("/robots.txt", b"User-agent: *\nDisallow:\n", content_type="text/plain")
            walled.add_page("/feed.xml", b'<rss version="2.0"><channel><title>t</title></channel></rss>')
        state = run(tmp_path, monkeypatch, database_url, feeds)
    assert "unhealthy" not in (state.message or ""), state.message
    for name in ("forbidden", "limited"):
        row = health(database_url)[name]
        assert row.consecutive_failures == 0 and not row.blocked and row.last_success_at is not None


def test_a_wall_in_front_of_the_pages_only_is_blocked_too(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    pages = [f"/walled/{n}.html" for n in range(3)]
    wall(site, 403, pages)
    feed = site.add_feed("/walled.xml", urls=pages)
    state = run(tmp_path, monkeypatch, database_url, {"walled": feed, "daily": site.url("/feed.xml")})
    assert state.is_completed(), state.message
    report = state.result().reports[0]
    assert report.blocked and report.new == 0 and report.failed == 3
    assert "walled (blocked)" in (state.message or ""), state.message
    rows = health(database_url)
    assert rows["walled"].blocked and rows["walled"].consecutive_failures == 1
    assert "HTTP 403" in (rows["walled"].last_error or "")


def test_a_source_that_crashes_is_failed_counted_and_announced_while_the_others_are_stored(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    from prefect.events.clients import AssertingPassthroughEventsClient
    from prefect.events.worker import EventsWorker

    from newsflow.tasks.ingest_source import SourcePipeline

    # A bug in one source's run (injected: no input makes the pipeline raise on purpose).
    choose = SourcePipeline._candidates

    def candidates(self: SourcePipeline, *args: Any, **kwargs: Any) -> Any:
        if self.source.name == "broken":
            raise RuntimeError("a bug in choosing candidates")
        return choose(self, *args, **kwargs)

    monkeypatch.setattr(SourcePipeline, "_candidates", candidates)
    # Events go through a recording client on their way to the test server (task runs are events too).
    events = EventsWorker.instance(AssertingPassthroughEventsClient)
    monkeypatch.setattr(EventsWorker, "instance", lambda *_: events)
    try:
        feeds = {"daily": site.url("/feed.xml"), "broken": site.url("/feed.xml")}
        state = run(tmp_path, monkeypatch, database_url, feeds)
        # Twice: the crash counts as a failure of the source across runs, as any other.
        again = run(tmp_path, monkeypatch, database_url, feeds)
    finally:
        events.drain()
    for each in (state, again):
        assert each.is_completed(), each.message
        summary = each.result()
        assert [r.source for r in summary.unhealthy] == ["broken"]
        broken = next(r for r in summary.reports if r.source == "broken")
        assert broken.error == "RuntimeError: a bug in choosing candidates"
    assert next(r for r in state.result().reports if r.source == "daily").new == 2
    assert task_runs(state)["ingest-broken"].type == StateType.FAILED
    rows = health(database_url)
    assert rows["broken"].consecutive_failures == 2 and not rows["broken"].blocked
    assert rows["broken"].last_error == "crashed: RuntimeError: a bug in choosing candidates"
    assert rows["daily"].consecutive_failures == 0

    client = events._client
    assert isinstance(client, AssertingPassthroughEventsClient)
    unhealthy = [e for e in client.events if e.event == "newsflow.source.unhealthy"]
    assert [e.resource.id for e in unhealthy] == ["newsflow.source.broken"] * 2
    assert [e.payload["consecutive_failures"] for e in unhealthy] == [1, 2]
    assert unhealthy[0].payload["error"] == "crashed: RuntimeError: a bug in choosing candidates"
    assert unhealthy[0].payload["blocked"] is False
