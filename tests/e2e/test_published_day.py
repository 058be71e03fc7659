"""published_day end to end (#12): pages that declare their time with an offset are ingested
from a local site, and the day they show their readers is what the database holds, after a
refresh and a re-extraction too."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import update
from sqlmodel import col, select
from typer.testing import CliRunner

from newsflow.flows.cli import app
from newsflow.flows.ingest import ingest
from newsflow.flows.reextract import reextract
from newsflow.reextraction import ReextractReport
from newsflow.storage.db import session_scope
from newsflow.storage.models import Article
from tests.site import load_fixture_articles
from tests.site.changing import ChangingSite

pytestmark = pytest.mark.usefixtures("prefect_harness")

TOKYO, NEW_YORK = timezone(timedelta(hours=9)), timezone(timedelta(hours=-5))
# slug: the time the page declares (and prints in its byline), its UTC instant, the page's day.
STORIES = {
    "tokyo-evening": (
        datetime(2025, 3, 5, 23, 30, tzinfo=TOKYO),
        datetime(2025, 3, 5, 14, 30, tzinfo=UTC),
        date(2025, 3, 5),
    ),
    "tokyo-morning": (
        datetime(2025, 3, 6, 7, 0, tzinfo=TOKYO),
        datetime(2025, 3, 5, 22, 0, tzinfo=UTC),
        date(2025, 3, 6),
    ),
    "new-york-evening": (
        datetime(2025, 3, 5, 23, 0, tzinfo=NEW_YORK),
        datetime(2025, 3, 6, 4, 0, tzinfo=UTC),
        date(2025, 3, 5),
    ),
}


@pytest.fixture
def site() -> Iterator[ChangingSite]:
    with ChangingSite.start() as site:
        for (slug, (declared, _, _)), article in zip(STORIES.items(), load_fixture_articles(), strict=False):
            site.publish(slug, replace(article, published=declared))
        yield site


@pytest.fixture
def settings(site: ChangingSite, feed_source: Callable[[str], str]) -> str:
    return feed_source(site.url("/feed.xml"))


def _ingest() -> None:
    state = ingest(return_state=True)
    assert state.is_completed(), state.message


def _stored(database_url: str) -> dict[str, tuple[datetime | None, date | None]]:
    """(published_at, published_day) by slug, as the database hands them back."""
    with session_scope(database_url) as session:
        rows = session.exec(select(Article)).all()
        return {
            a.fetched_url.rsplit("/", 1)[-1].removesuffix(".html"): (a.published_at, a.published_day)
            for a in rows
        }


def _set_day(database_url: str, slug: str, day: date) -> None:
    with session_scope(database_url) as session:
        session.execute(
            update(Article)
            .where(col(Article.fetched_url).endswith(f"/{slug}.html"))
            .values(published_day=day)
        )


def test_the_stored_day_is_the_one_the_page_shows(site: ChangingSite, settings: str) -> None:
    database_url = settings
    _ingest()
    expected = {slug: (instant, day) for slug, (_, instant, day) in STORIES.items()}
    assert _stored(database_url) == expected

    # The data commands show it: a date, not a time.
    result = CliRunner().invoke(app, ["articles", "--json"])
    assert result.exit_code == 0, result.output
    shown = {
        json.loads(line)["url"].rsplit("/", 1)[-1]: json.loads(line) for line in result.stdout.splitlines()
    }
    assert shown["new-york-evening.html"]["published_day"] == "2025-03-05"
    assert shown["new-york-evening.html"]["published_at"] == "2025-03-06T04:00:00+00:00"

    # A row holding the UTC day (as migration 0009 backfills it) gets the page's day back from a
    # refresh of its page, and from a re-extraction of the archived one.
    _set_day(database_url, "tokyo-morning", date(2025, 3, 5))
    _set_day(database_url, "new-york-evening", date(2025, 3, 6))
    # A minute on, as in test_refresh: feed dates have whole seconds, and a run takes less than one.
    with session_scope(database_url) as session:
        for article in session.exec(select(Article)).all():
            article.fetched_at = article.fetched_at - timedelta(minutes=1) if article.fetched_at else None
            session.add(article)
    site.change("tokyo-morning", title="Tokyo wakes to the bridge reopening", listed=True)
    _ingest()
    with session_scope(database_url) as session:
        titles = [a.title for a in session.exec(select(Article)).all()]
    assert "Tokyo wakes to the bridge reopening" in titles  # it was fetched again
    stored = _stored(database_url)
    assert stored["tokyo-morning"] == expected["tokyo-morning"]
    assert stored["new-york-evening"][1] == date(2025, 3, 6)  # not refetched: still the UTC day
    report = reextract(return_state=True).result()
    assert isinstance(report, ReextractReport) and report.changed == 1
    assert _stored(database_url) == expected
