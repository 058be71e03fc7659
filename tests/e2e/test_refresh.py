"""Refresh end to end: a local site whose pages change between runs (a new headline, a paragraph
added, a correction note, a 304, a 404 after publication, a transient 503, a page flipping between
two versions) and the ingests that fetch the stored articles again."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from typer.testing import CliRunner

from newsflow.dedupe.fingerprint import fingerprint
from newsflow.flows.cli import app
from newsflow.flows.ingest import ingest
from newsflow.flows.reextract import reextract
from newsflow.flows.summary import RunSummary
from newsflow.reextraction import ReextractReport
from newsflow.storage.db import session_scope
from newsflow.storage.models import LSH_COLUMNS, Article, ArticleRevision, FetchEvent, article_lsh
from tests.site import load_fixture_articles
from tests.site.changing import ChangingSite

pytestmark = pytest.mark.usefixtures("prefect_harness")

SLUGS = ("headline", "paragraph", "correction", "steady", "gone", "flaky")
ADDED = (
    "Late on Tuesday the council published the full list of the projects it will fund, with the "
    "amounts each of them receives over the next three years."
)
CORRECTION = "Correction: an earlier version of this article misstated the day of the vote."
HOUR = timedelta(hours=1)


@pytest.fixture
def site() -> Iterator[ChangingSite]:
    with ChangingSite.start() as site:
        fixtures = load_fixture_articles()
        for slug, article in zip(SLUGS, fixtures, strict=False):
            site.publish(slug, article)
        yield site


@pytest.fixture
def settings(site: ChangingSite, feed_source: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("NEWSFLOW_MAX_RETRIES", "0")  # the 503 fails at once
    return feed_source(site.url("/feed.xml"))


def _ingest() -> RunSummary:
    state = ingest(return_state=True)
    assert state.is_completed(), state.message
    summary = state.result()
    assert isinstance(summary, RunSummary)
    return summary


def _rows(database_url: str) -> dict[str, Article]:
    """The stored articles by slug."""
    with session_scope(database_url) as session:
        rows = session.exec(select(Article)).all()
        return {a.fetched_url.rsplit("/", 1)[-1].removesuffix(".html"): a for a in rows}


def _revisions(database_url: str, article_id: int | None) -> list[ArticleRevision]:
    with session_scope(database_url) as session:
        return list(
            session.exec(
                select(ArticleRevision)
                .where(col(ArticleRevision.article_id) == article_id)
                .order_by(col(ArticleRevision.id))
            ).all()
        )


def _outcomes(database_url: str, run_id: str) -> dict[str, tuple[str, int | None]]:
    with session_scope(database_url) as session:
        events = session.exec(
            select(FetchEvent).where(
                col(FetchEvent.run_id) == run_id, col(FetchEvent.url).contains("/story/")
            )
        ).all()
        return {e.url.rsplit("/", 1)[-1].removesuffix(".html"): (e.outcome, e.http_status) for e in events}


def _last_run_id(database_url: str) -> str:
    with session_scope(database_url) as session:
        event = session.exec(select(FetchEvent).order_by(col(FetchEvent.id).desc())).first()
        assert event is not None and event.run_id is not None
        return event.run_id


def _clock_forward(database_url: str, site: ChangingSite, delta: timedelta) -> None:
    """Time passes: every stored time, and every time the site served, moves `delta` into the past."""
    with session_scope(database_url) as session:
        for article in session.exec(select(Article)).all():
            article.first_seen_at -= delta
            article.fetched_at = article.fetched_at - delta if article.fetched_at else None
            article.refresh_due_at = article.refresh_due_at - delta if article.refresh_due_at else None
            session.add(article)
    site.shift(delta)


def _bands(database_url: str, article_id: int | None) -> tuple[int, ...]:
    with session_scope(database_url) as session:
        row = session.execute(
            sa_select(*(article_lsh.c[name] for name in LSH_COLUMNS)).where(
                article_lsh.c.article_id == article_id
            )
        ).one()
        return tuple(row)


def test_changed_pages_become_new_versions_and_keep_their_revisions(
    site: ChangingSite, settings: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url = settings
    first = _ingest()
    assert (first.total("new"), first.total("refreshed")) == (6, 0)
    before = _rows(database_url)
    for article in before.values():
        assert article.fetched_at is not None and article.etag  # the page's validators, for the refetch
        assert article.refresh_due_at == article.first_seen_at + HOUR

    # Nothing is due yet: no article page is fetched again.
    site.reset_requests()
    assert _ingest().total("refreshed") == 0
    assert not [p for p in site.requested_paths() if p.startswith("/story/")]

    old = {slug: site.story(slug) for slug in SLUGS}
    site.change("headline", title="Council reverses course on the harbour plan")
    site.change("paragraph", paragraphs=(*old["paragraph"].paragraphs, ADDED))
    site.change("correction", paragraphs=(*old["correction"].paragraphs, CORRECTION))
    site.change("gone", status=404)
    site.change("flaky", status=503)
    _clock_forward(database_url, site, HOUR + timedelta(minutes=1))

    site.reset_requests()
    refreshed = _ingest()
    assert (refreshed.total("new"), refreshed.total("refreshed"), refreshed.total("updated")) == (0, 6, 3)
    assert _outcomes(database_url, _last_run_id(database_url)) == {
        "headline": ("updated", 200),
        "paragraph": ("updated", 200),
        "correction": ("updated", 200),
        "steady": ("not_modified", 304),
        "gone": ("removed", 404),
        "flaky": ("refresh_failed", 503),
    }
    steady_request = next(r for r in site.requests if r.path == "/story/steady.html")
    assert steady_request.headers.get("if-none-match") == before["steady"].etag

    after = _rows(database_url)
    assert len(after) == 6  # nothing deleted
    # A new headline: the row takes it, the revision keeps the old one.
    assert after["headline"].title == "Council reverses course on the harbour plan"
    [headline_old] = _revisions(database_url, after["headline"].id)
    assert headline_old.title == before["headline"].title and headline_old.text == before["headline"].text
    assert headline_old.title_changed and headline_old.summary == "title changed"
    assert headline_old.fetched_at == before["headline"].fetched_at - HOUR - timedelta(minutes=1)
    # A paragraph added: the text, its hash and its LSH bands follow; the revision counts the words.
    assert ADDED in after["paragraph"].text and ADDED not in before["paragraph"].text
    [paragraph_old] = _revisions(database_url, after["paragraph"].id)
    assert paragraph_old.text == before["paragraph"].text
    assert paragraph_old.content_hash == before["paragraph"].content_hash
    assert (paragraph_old.words_added, paragraph_old.words_removed) == (len(ADDED.split()), 0)
    assert not paragraph_old.title_changed
    fresh = fingerprint(after["paragraph"].text)
    assert after["paragraph"].content_hash == fresh.content_hash != before["paragraph"].content_hash
    assert _bands(database_url, after["paragraph"].id) == tuple(fresh.bands)
    # A correction note.
    assert after["correction"].text.endswith(CORRECTION)
    [correction_old] = _revisions(database_url, after["correction"].id)
    # The page's last line (its site's address), dropped as residue while it closed the article,
    # stays once the note follows it: one word more than the note.
    assert correction_old.summary == f"+{len(CORRECTION.split()) + 1} −0 words"
    # 304: nothing written but the time of the fetch; the next age is 6 h after first seen.
    assert _revisions(database_url, after["steady"].id) == []
    assert after["steady"].text == before["steady"].text
    assert after["steady"].fetched_at is not None and after["steady"].fetched_at > before["steady"].fetched_at
    assert after["steady"].refresh_due_at == after["steady"].first_seen_at + 6 * HOUR
    # 404 after publication: kept, marked removed, never due again.
    assert after["gone"].removed_at is not None and after["gone"].refresh_due_at is None
    assert after["gone"].text == before["gone"].text
    # A transient failure keeps the stored version and waits for the next age.
    assert after["flaky"].text == before["flaky"].text and after["flaky"].removed_at is None
    assert _revisions(database_url, after["flaky"].id) == []
    assert after["flaky"].refresh_due_at == after["flaky"].first_seen_at + 6 * HOUR
    assert all(a.duplicate_of is None for a in after.values())
    # The rows point at the raw pages of their new versions: re-extraction keeps them.
    assert after["paragraph"].warc_offset != before["paragraph"].warc_offset
    report = reextract(return_state=True).result()
    assert isinstance(report, ReextractReport) and (report.read, report.changed) == (6, 0)
    assert ADDED in _rows(database_url)["paragraph"].text

    # Nothing due again until 6 h; the removed page is not asked for.
    site.reset_requests()
    assert _ingest().total("refreshed") == 0
    assert not [p for p in site.requested_paths() if p.startswith("/story/")]

    # The headline flips back and forth; each flip is listed in the feed (fetched at once), and
    # the two versions are kept once each however often it flips.
    titles = [old["headline"].title, "Council reverses course on the harbour plan"]
    for flip in range(4):
        # A minute apart: feed dates have whole seconds, and a run takes less than one.
        _clock_forward(database_url, site, timedelta(minutes=1))
        site.change("headline", title=titles[flip % 2], listed=True)
        run = _ingest()
        assert (run.total("refreshed"), run.total("updated")) == (1, 1), flip
        assert _rows(database_url)["headline"].title == titles[flip % 2]
    kept = _revisions(database_url, after["headline"].id)
    assert sorted(r.title or "" for r in kept) == sorted(titles)

    # Six hours: the flaky page answers again (same version: no revision). A new article is
    # published and the run may refetch only 2: the new one is stored all the same.
    site.change("flaky", status=200)
    new_article = load_fixture_articles()[len(SLUGS)]
    site.publish("late", new_article)
    _clock_forward(database_url, site, 5 * HOUR)
    monkeypatch.setenv("NEWSFLOW_MAX_REFRESH_PER_RUN", "2")
    capped = _ingest()
    monkeypatch.delenv("NEWSFLOW_MAX_REFRESH_PER_RUN")
    assert (capped.total("new"), capped.total("refreshed")) == (1, 2)
    rest = _ingest()
    assert (rest.total("new"), rest.total("refreshed")) == (
        0,
        3,
    )  # headline, paragraph, correction, steady, flaky
    final = _rows(database_url)
    assert final["flaky"].text == before["flaky"].text and final["flaky"].refreshes_done == 2
    assert _revisions(database_url, final["flaky"].id) == []
    assert final["late"].refresh_due_at == final["late"].first_seen_at + HOUR
    counts = Counter(len(_revisions(database_url, a.id)) for a in final.values())
    assert counts == Counter({0: 4, 1: 2, 2: 1})

    # `articles show` lists the revisions.
    shown = CliRunner().invoke(app, ["articles", "show", str(final["headline"].id)])
    assert shown.exit_code == 0, shown.output
    assert "2 revisions" in shown.output and "title changed" in shown.output
    as_json = json.loads(
        CliRunner().invoke(app, ["articles", "show", str(final["paragraph"].id), "--json"]).output
    )
    assert [r["summary"] for r in as_json["revisions"]] == [paragraph_old.summary]
    assert as_json["removed_at"] is None
    # A page gone at its URL is kept and says since when, in `show` and in the export.
    gone = CliRunner().invoke(app, ["articles", "show", str(final["gone"].id), "--json"])
    assert gone.exit_code == 0, gone.output
    assert json.loads(gone.output)["removed_at"] == final["gone"].removed_at.isoformat()
