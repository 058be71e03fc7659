"""Backfill from a WARC archive: only the source's hosts, only the window, nothing twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from sqlmodel import select
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsflow.extract.article import extract_article
from newsflow.flows.backfill import backfill, day_window
from newsflow.storage.db import session_scope
from newsflow.storage.models import Article
from tests.site import load_fixture_articles

pytestmark = pytest.mark.usefixtures("prefect_harness")
HOST = "www.gazette.example"
DAY = date(2019, 11, 19)


def _record(writer: WARCWriter, url: str, body: bytes, crawled: datetime) -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            url,
            "response",
            payload=BytesIO(body),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": crawled.strftime("%Y-%m-%dT%H:%M:%SZ")},
        )
    )


def _write_archive(path: Path) -> dict[str, datetime | None]:
    """A gzipped WARC of November 2019 fixture pages, plus a page of another site.

    Returns each page's publication date as extraction reads it (the site's own
    dates are invented for pages that carry none).
    """
    published: dict[str, datetime | None] = {}
    with path.open("wb") as output:
        writer = WARCWriter(output, gzip=True)
        for article in load_fixture_articles():
            if article.published.astimezone(UTC).strftime("%Y-%m") != "2019-11":
                continue
            url = f"https://{HOST}/news/{article.id[:16]}.html"
            when = extract_article(article.html.decode(), url=article.url).published_at
            # A crawler archives a page after it is published.
            _record(
                writer, url, article.html, (when or article.published).astimezone(UTC) + timedelta(hours=2)
            )
            published[url] = when
        other = load_fixture_articles()[0]
        _record(
            writer, "https://elsewhere.example/x.html", other.html, datetime(2019, 11, 19, 12, tzinfo=UTC)
        )
    return published


def test_backfill_reads_warc_records_of_the_source_within_the_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    published = _write_archive(tmp_path / "news.warc.gz")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f'sources:\n  - name: archive\n    hosts: ["gazette.example"]\n    warcs: ["{tmp_path / "news.warc.gz"}"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DATABASE_URL", database_url)
    window = day_window(DAY)
    expected = {url for url, when in published.items() if when is not None and window.contains(when)}
    assert len(expected) >= 3

    state = backfill(DAY, DAY, sources_path=str(sources), return_state=True)
    assert state.is_completed(), state.message
    with session_scope(database_url) as session:
        stored = {a.fetched_url: a for a in session.exec(select(Article)).all()}
    assert set(stored) == expected
    assert all(a.published_at is not None and window.contains(a.published_at) for a in stored.values())
    assert not [u for u in stored if "elsewhere.example" in u]

    again = backfill(DAY, DAY, sources_path=str(sources), return_state=True)
    assert again.is_completed()
    assert again.result().reports[0].new == 0
    with session_scope(database_url) as session:
        assert len(session.exec(select(Article)).all()) == len(expected)


def test_a_damaged_record_is_reported_and_the_rest_of_the_archive_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    path = tmp_path / "news.warc.gz"
    published = _write_archive(path)
    window = day_window(DAY)
    expected = [url for url, when in published.items() if when is not None and window.contains(when)]
    with path.open("rb") as stream:
        iterator = ArchiveIterator(stream)
        offsets = {r.rec_headers.get_header("WARC-Target-URI"): iterator.offset for r in iterator}
    victim = expected[1]
    data = bytearray(path.read_bytes())
    for index in range(offsets[victim] + 30, offsets[victim] + 130):
        data[index] ^= 0x5A
    path.write_bytes(bytes(data))
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f'sources:\n  - name: archive\n    hosts: ["gazette.example"]\n    warcs: ["{path}"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DATABASE_URL", database_url)

    state = backfill(DAY, DAY, sources_path=str(sources), return_state=True)
    assert state.is_completed(), state.message
    report = state.result().reports[0]
    assert [where for where, _ in report.failures] == [f"{path}@{offsets[victim]}"]
    with session_scope(database_url) as session:
        stored = {a.fetched_url for a in session.exec(select(Article)).all()}
    assert stored == set(expected) - {victim}
