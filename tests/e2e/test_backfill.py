"""The backfill flow and `newsflow backfill` against the local news site, under the Prefect test server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterName,
    FlowRunFilterParentFlowRunId,
    FlowRunFilterTags,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
)
from prefect.client.schemas.objects import FlowRun
from prefect.client.schemas.sorting import FlowRunSort
from sqlmodel import select
from typer.testing import CliRunner

from newsflow.flows.backfill import _merge, backfill
from newsflow.flows.cli import app
from newsflow.flows.summary import RunSummary
from newsflow.report import SourceReport
from newsflow.storage.db import session_scope
from newsflow.storage.models import Article, FetchEvent
from tests.site import FixtureArticle, NewsSite, Response, article_path, load_fixture_articles
from tests.site.feeds import FeedItem, rss

pytestmark = pytest.mark.usefixtures("prefect_harness")

SINCE, UNTIL = date(2019, 11, 19), date(2019, 11, 20)
# Fixture pages whose listing date and extracted date agree (see tests/site/fixtures.py).
IN_WINDOW_19 = "06e5123e4e"  # 2019-11-19 07:03 UTC
IN_WINDOW_20 = "3cb5e2f466"  # 2019-11-20 05:42 UTC
BEFORE = "20b2b64916"  # 2017-11-23
UNDATED_INSIDE = "51374560f4"  # no listing date; the page says 2019-11-19 11:12 UTC
UNDATED_OUTSIDE = "5211188428"  # no listing date; the page says 2018-10-12
UNDATED_UNKNOWN = "57b4dafd18"  # no listing date; the page gives no date either (see _pick)
FAILING = "/fault/500?run=backfill"  # listed on 2019-11-19; answers 500 every time


@dataclass
class Archive:
    """A site with a dated feed and a sitemap without dates, and a sources file for it."""

    site: NewsSite
    sources: Path
    pages: dict[str, FixtureArticle]

    def path(self, key: str) -> str:
        return article_path(self.pages[key])

    def url(self, key: str) -> str:
        return self.site.url(self.path(key))


def _pick(keys: list[str]) -> dict[str, FixtureArticle]:
    articles = {a.id[:10]: a for a in load_fixture_articles()}
    # The one recorded page with no declared date prints one in German, which extraction reads:
    # without that line it is a page that gives no date at all.
    undated = articles[UNDATED_UNKNOWN]
    articles[UNDATED_UNKNOWN] = replace(
        undated, html=undated.html.replace(b"publiziert am 25. September 2018", b"")
    )
    assert articles[UNDATED_UNKNOWN].html != undated.html
    return {key: articles[key] for key in keys}


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    pages = _pick([IN_WINDOW_19, IN_WINDOW_20, BEFORE, UNDATED_INSIDE, UNDATED_OUTSIDE, UNDATED_UNKNOWN])
    with NewsSite.start(articles=list(pages.values()), widget=False) as site:
        dated = [
            FeedItem(site.url(article_path(pages[key])), pages[key].title, pages[key].published)
            for key in (IN_WINDOW_19, IN_WINDOW_20, BEFORE)
        ]
        dated.append(FeedItem(site.url(FAILING), "Down", pages[IN_WINDOW_19].published))
        feed = rss(dated, site_url=site.base_url)
        site.route("/bf/feed.xml", lambda r: Response(body=feed, content_type="application/rss+xml"))
        undated = "".join(
            f"<url><loc>{site.url(article_path(pages[key]))}</loc></url>"
            for key in (UNDATED_INSIDE, UNDATED_OUTSIDE, UNDATED_UNKNOWN)
        )
        sitemap = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{undated}</urlset>'
        site.add_page("/bf/sitemap.xml", sitemap, content_type="application/xml")
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            "sources:\n  - name: gazette\n"
            f'    feeds: ["{site.url("/bf/feed.xml")}"]\n'
            f'    sitemaps: ["{site.url("/bf/sitemap.xml")}"]\n',
            encoding="utf-8",
        )
        yield Archive(site, sources, pages)


def _children(client: SyncPrefectClient, parent: UUID) -> list[FlowRun]:
    return client.read_flow_runs(
        flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent])),
        sort=FlowRunSort.NAME_ASC,
    )


def test_backfill_prunes_by_listing_date_keeps_the_window_and_runs_one_subflow_per_day(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NEWSFLOW_MAX_RETRIES", "0")
    state = backfill(SINCE, UNTIL, sources_path=str(archive.sources), return_state=True)
    # A page that failed does not fail the run; the message says so.
    assert state.is_completed(), state.message
    assert state.message == (
        "3 new, 0 duplicate, 1 failed, 0 skipped; "
        "1 pages failed and will be retried when this window is backfilled again"
    )

    requested = set(archive.site.requested_paths())
    # Listed with a date outside the window: never fetched.
    assert archive.path(BEFORE) not in requested
    # Listed with a date inside, or with no date: fetched.
    for key in (IN_WINDOW_19, IN_WINDOW_20, UNDATED_INSIDE, UNDATED_OUTSIDE, UNDATED_UNKNOWN):
        assert archive.path(key) in requested, key
    # An undated page is fetched by the first day only: its extracted date (or its lack of one)
    # is kept with its out_of_window event, so the second day knows it without fetching it.
    for key in (UNDATED_INSIDE, UNDATED_OUTSIDE, UNDATED_UNKNOWN):
        assert archive.site.count(archive.path(key)) == 1, key

    with session_scope(database_url) as session:
        rows = session.exec(select(Article)).all()
        stored = {a.fetched_url for a in rows}
        outcomes = {(e.url, e.outcome) for e in session.exec(select(FetchEvent)).all()}
    assert stored == {archive.url(IN_WINDOW_19), archive.url(IN_WINDOW_20), archive.url(UNDATED_INSIDE)}
    # A backfill reads a window of the past: its articles are never due for a refresh.
    assert all(a.refresh_due_at is None for a in rows)
    assert (archive.url(UNDATED_OUTSIDE), "out_of_window") in outcomes
    assert (archive.url(UNDATED_UNKNOWN), "out_of_window") in outcomes
    report = state.result().reports[0]
    assert (report.source, report.new, report.failed, report.discovered) == ("gazette", 3, 1, 7)

    flow_run_id = state.state_details.flow_run_id
    assert flow_run_id is not None
    with get_client(sync_client=True) as client:
        parent = client.read_flow_run(flow_run_id)
        days = _children(client, flow_run_id)
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
        day_tasks = client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[d.id for d in days]))
        )
    assert parent.name == "backfill-2019-11-19-to-2019-11-20"
    assert [d.name for d in days] == ["backfill-day-2019-11-19", "backfill-day-2019-11-20"]
    assert all(d.state is not None and d.state.is_completed() for d in days)
    assert all("backfill" in d.tags for d in days)
    # One visible unit per source and day, named for the source. Untagged: Prefect would ask its
    # API for concurrency slots of a tagged task run, a round trip per source (flows/run.py).
    assert sorted(t.name for t in day_tasks) == ["ingest-gazette", "ingest-gazette"]
    assert all(t.tags == [] for t in day_tasks)
    by_key = {a.key: a for a in artifacts}
    assert by_key["backfill-progress"].type == "progress" and by_key["backfill-progress"].data == 100.0
    assert by_key["backfill-summary"].type == "table"
    assert by_key["backfill-failures"].type == "markdown" and FAILING in by_key["backfill-failures"].data
    # Subflow parameters are stored and shown by Prefect: the database URL must not be among them.
    database_file = database_url.rsplit("/", 1)[-1]
    assert all(database_file not in str(run.parameters) for run in [parent, *days])


def test_running_the_same_window_again_from_the_cli_adds_nothing(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NEWSFLOW_MAX_RETRIES", "0")
    assert backfill(SINCE, SINCE, sources_path=str(archive.sources), return_state=True).is_completed()
    with session_scope(database_url) as session:
        first = len(session.exec(select(Article)).all())
    assert first == 2

    archive.site.reset_requests()
    args = ["backfill", "--since", "2019-11-19", "--until", "2019-11-19", "--sources", str(archive.sources)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "gazette: 7 discovered" in result.output and "0 new" in result.output
    requested = set(archive.site.requested_paths())
    assert archive.path(IN_WINDOW_19) not in requested and archive.path(UNDATED_INSIDE) not in requested
    with session_scope(database_url) as session:
        assert len(session.exec(select(Article)).all()) == first

    with get_client(sync_client=True) as client:
        [cli_run] = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                name=FlowRunFilterName(any_=["backfill-2019-11-19-to-2019-11-19"]),
                tags=FlowRunFilterTags(all_=["backfill", "newsflow"]),
            ),
            sort=FlowRunSort.START_TIME_DESC,
            limit=1,
        )
    assert cli_run.state is not None and cli_run.state.is_completed()


def test_a_backfill_where_every_source_failed_is_failed_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    with NewsSite.start(articles=[], widget=False) as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            f'sources:\n  - name: gone\n    feeds: ["{site.url("/fault/404")}"]\n', encoding="utf-8"
        )
        monkeypatch.setenv("DATABASE_URL", database_url)
        result = CliRunner().invoke(
            app, ["backfill", "--since", "2019-11-18", "--until", "2019-11-18", "--sources", str(sources)]
        )
    assert result.exit_code == 1, result.output
    assert "gone: FAILED" in result.output
    with get_client(sync_client=True) as client:
        [run] = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=["backfill-2019-11-18-to-2019-11-18"]))
        )
    assert run.state is not None and run.state.is_failed()
    assert (run.state.message or "").startswith("every source failed")


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2019-13-01", "2019-12-02", "--since '2019-13-01' is not a date"),
        ("2019-11-19", "19/11/2019", "--until '19/11/2019' is not a date"),
        ("2019-11-20", "2019-11-19", "is before --since"),
        ("2019-01-01", "2021-01-01", "split it into ranges"),
    ],
)
def test_bad_dates_exit_2_with_one_line(since: str, until: str, message: str) -> None:
    result = CliRunner().invoke(app, ["backfill", "--since", since, "--until", until])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_an_unknown_source_exits_2(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    args = ["backfill", "--since", "2019-11-19", "--until", "2019-11-19", "--sources", str(archive.sources)]
    result = CliRunner().invoke(app, [*args, "--source", "nope"])
    assert result.exit_code == 2
    assert "no source named nope" in result.output
    assert not archive.site.requests


def test_a_source_failed_only_if_it_failed_every_day() -> None:
    def day(n: int) -> date:
        return date(2019, 11, n)

    recovered = RunSummary("backfill")
    _merge(recovered, day(18), [SourceReport("a", error="every feed and sitemap failed: 503")])
    _merge(recovered, day(19), [SourceReport("a", discovered=5, fetched=2, new=2)])
    _merge(recovered, day(20), [SourceReport("a", error="every feed and sitemap failed: timeout")])
    [report] = recovered.reports
    assert not report.source_failed and not recovered.all_sources_failed
    # Every day lists the same URLs: discovered counts them once; fetches add up.
    assert (report.discovered, report.fetched, report.new) == (5, 2, 2)
    assert [url for url, _ in report.failures] == ["earlier days", "day 2019-11-20"]

    down = RunSummary("backfill")
    for n in (18, 19):
        _merge(down, day(n), [SourceReport("a", error=f"down on the {n}th")])
    assert down.all_sources_failed and down.reports[0].error == "down on the 18th"


def test_a_later_backfill_fetches_an_undated_page_only_if_its_known_date_is_in_its_window(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NEWSFLOW_MAX_RETRIES", "0")
    assert backfill(SINCE, SINCE, sources_path=str(archive.sources), return_state=True).is_completed()
    assert archive.site.count(archive.path(UNDATED_OUTSIDE)) == 1
    with session_scope(database_url) as session:
        left_out = {
            e.url: e.published_at
            for e in session.exec(select(FetchEvent)).all()
            if e.outcome == "out_of_window"
        }
    assert left_out[archive.url(UNDATED_OUTSIDE)] is not None
    assert left_out[archive.url(UNDATED_UNKNOWN)] is None

    # Another window elsewhere: neither undated page is fetched again.
    assert backfill(
        date(2019, 11, 25), date(2019, 11, 25), sources_path=str(archive.sources), return_state=True
    ).is_completed()
    assert archive.site.count(archive.path(UNDATED_OUTSIDE)) == 1
    assert archive.site.count(archive.path(UNDATED_UNKNOWN)) == 1

    # The window of the page's own date: fetched once more, and stored.
    when = left_out[archive.url(UNDATED_OUTSIDE)]
    assert when is not None
    state = backfill(when.date(), when.date(), sources_path=str(archive.sources), return_state=True)
    assert state.is_completed()
    assert archive.site.count(archive.path(UNDATED_OUTSIDE)) == 2
    with session_scope(database_url) as session:
        stored = {a.fetched_url for a in session.exec(select(Article)).all()}
    assert archive.url(UNDATED_OUTSIDE) in stored
