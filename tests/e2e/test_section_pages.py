"""A site with only section pages, ingested end to end; per-source options on a real run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from newsflow.flows.ingest import ingest
from newsflow.flows.summary import RunSummary
from newsflow.storage.db import session_scope
from newsflow.storage.models import Article, FetchEvent
from tests.site.shapes import ShapedSite

pytestmark = pytest.mark.usefixtures("prefect_harness")
NETWORK_JITTER = 0.05


def run(path: Path, text: str, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Any:
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", database_url)
    state = ingest(sources_path=str(path), return_state=True)
    assert state.is_completed(), state.message
    summary = state.result()
    assert isinstance(summary, RunSummary)
    return summary


def rows(database_url: str) -> tuple[list[Article], list[FetchEvent]]:
    with session_scope(database_url) as session:
        return list(session.exec(select(Article)).all()), list(session.exec(select(FetchEvent)).all())


def test_a_site_with_only_section_pages_is_ingested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    with ShapedSite.start("sections") as site:
        sources = f"""sources:
  - name: herald
    pages: ["{site.url("/")}", "{site.url("/world")}", "{site.url("/about")}"]
    language: [en]
"""
        summary = run(tmp_path / "sources.yaml", sources, monkeypatch, database_url)
        articles, events = rows(database_url)
        by_url = {e.url: e for e in events}
        skipped = {u: by_url[u].error for u in site.article_urls() if by_url[u].outcome == "skipped"}
        # Every article linked from the homepage was fetched once: the English ones stored, the
        # others (an Italian and a Portuguese page) skipped, saying why.
        assert sorted(a.fetched_url for a in articles) == sorted(set(site.article_urls()) - set(skipped))
        assert {a.url for a in articles} == {a.fetched_url for a in articles}  # canonical = local copy
        assert all(a.language == "en" and a.source == "herald" and len(a.text) > 500 for a in articles)
        italian = next(a for a in site.articles if a.title.startswith("Black Friday per nostalgici"))
        assert skipped[site.url(site.paths[italian.id])] == "language it is not one of the source's (en)"
        assert len(articles) >= 3 and all(r and r.startswith("language ") for r in skipped.values())
        # A page without article links is reported, with why; the source still ran.
        about = by_url[site.url("/about")]
        assert about.outcome == "error" and "no article links on this page" in (about.error or "")
        assert [by_url[site.url(p)].outcome for p in ("/", "/world")] == ["ok", "ok"]
        (report,) = summary.reports
        assert not report.source_failed and report.new == len(articles)
        # Navigation, tag, author and footer links were never fetched.
        fetched = set(site.requested_paths())
        assert not fetched & {"/author/jane-doe", "/tag/politics", "/subscribe", "/page/2", "/privacy-policy"}

        # The next run asks with the pages' validators: 304, and no article is fetched again; nor
        # robots.txt, which the first run read an instant ago (NEWSFLOW_ROBOTS_CACHE_SECONDS).
        site.reset_requests()
        run(tmp_path / "sources.yaml", sources, monkeypatch, database_url)
        assert sorted(site.requested_paths()) == ["/", "/about", "/world"]
        _, events = rows(database_url)
        assert [e.http_status for e in events if e.url == site.url("/world")] == [200, 304]


def test_exclude_max_pages_and_delay_shape_a_feed_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    with ShapedSite.start("link-feeds") as site:
        sources = f"""sources:
  - name: daily
    feeds: ["{site.url("/data/main-rss")}"]
    exclude: ["/business/"]
    max_pages: 2
    delay: 0.3
"""
        run(tmp_path / "sources.yaml", sources, monkeypatch, database_url)
        first = {a.fetched_url for a in rows(database_url)[0]}
        spacing = [b.at - a.at for a, b in zip(site.requests, site.requests[1:], strict=False)]
        run(tmp_path / "sources.yaml", sources, monkeypatch, database_url)
        both = {a.fetched_url for a in rows(database_url)[0]}
    world = set(site.article_urls("world"))
    assert len(world) == 3 and len(first) == 2 and first < world  # two per run, none excluded
    assert both == world  # the third waited for the next run; business pages never
    assert not any("/business/" in path for path in site.requested_paths())
    assert len(spacing) >= 3 and all(gap >= 0.3 - NETWORK_JITTER for gap in spacing), spacing
