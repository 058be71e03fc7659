"""The ingest flow keeps the raw pages: every stored article points at its response in the archive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import fsspec
import httpx
import pytest
from sqlmodel import select
from warcio.archiveiterator import ArchiveIterator

from newsflow.fetch.archive import ArchiveReader
from newsflow.flows.ingest import ingest
from newsflow.records import ArchiveLocation
from newsflow.storage.db import session_scope
from newsflow.storage.models import Article
from tests.site import NewsSite, load_fixture_articles

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite.start(articles=load_fixture_articles()[:10]) as running:
        yield running


def _ingest(
    site: NewsSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    *,
    other: NewsSite | None = None,
) -> list[Article]:
    sources = tmp_path / "sources.yaml"
    listed = f'sources:\n  - name: daily\n    feeds: ["{site.url("/feed.xml")}"]\n'
    if other is not None:
        listed += f'  - name: weekly\n    feeds: ["{other.url("/feed.xml")}"]\n'
    sources.write_text(listed, encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", database_url)
    state = ingest(sources_path=str(sources), return_state=True)
    assert state.is_completed(), state.message
    with session_scope(database_url) as session:
        articles = list(session.exec(select(Article)).all())
    assert len(articles) == len(site.article_urls()) + (len(other.article_urls()) if other else 0)
    return articles


def _location(article: Article) -> ArchiveLocation:
    assert article.warc_file and article.warc_offset is not None and article.warc_length
    return ArchiveLocation(article.warc_file, article.warc_offset, article.warc_length)


def test_ingest_archives_every_page_and_records_where(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    folder = tmp_path / "warc"
    monkeypatch.setenv("NEWSFLOW_ARCHIVE", str(folder))
    articles = _ingest(site, tmp_path, monkeypatch, database_url)
    with ArchiveReader() as reader:
        for article in articles:
            record = reader.read(_location(article))
            assert record.url == article.fetched_url and record.status == 200
            assert record.body == httpx.get(article.fetched_url).content
    files = sorted(folder.rglob("*.warc.gz"))
    # <archive>/<day>/<run kind>-<time>-<host>-<pid>-<serial>.warc.gz
    assert files and all(f.parent.parent == folder and f.name.startswith("ingest-") for f in files)
    # The feed is archived too, as a response of its own.
    targets = []
    for name in files:
        with name.open("rb") as stream:
            targets += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)]
    assert site.url("/feed.xml") in targets


def test_a_run_writes_one_archive_for_all_its_sources(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    # A file per source and run made tens of thousands of small files a day for a few hundred
    # sources on a 15-minute schedule.
    folder = tmp_path / "warc"
    monkeypatch.setenv("NEWSFLOW_ARCHIVE", str(folder))
    with NewsSite.start(articles=load_fixture_articles()[10:14]) as other:
        articles = _ingest(site, tmp_path, monkeypatch, database_url, other=other)
    assert {a.source for a in articles} == {"daily", "weekly"}
    [file] = folder.rglob("*.warc.gz")
    assert {a.warc_file for a in articles} == {str(file)}
    with ArchiveReader() as reader:
        assert all(reader.read(_location(a)).url == a.fetched_url for a in articles)


def test_archive_off_writes_no_file(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSFLOW_ARCHIVE", "off")
    articles = _ingest(site, tmp_path, monkeypatch, database_url)
    assert all(a.warc_file is None and a.warc_offset is None for a in articles)
    assert not list(tmp_path.rglob("*.warc.gz"))


def test_the_default_archive_is_data_warc(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.chdir(tmp_path)
    articles = _ingest(site, tmp_path, monkeypatch, database_url)
    assert all(a.warc_file and a.warc_file.startswith(str(tmp_path / "data" / "warc")) for a in articles)


def test_an_fsspec_memory_archive(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("NEWSFLOW_ARCHIVE", "memory://e2e-archive")
    articles = _ingest(site, tmp_path, monkeypatch, database_url)
    assert all(a.warc_file and a.warc_file.startswith("memory:///e2e-archive/") for a in articles)
    assert {a.warc_file for a in articles} == {
        f"memory://{name}" for name in fsspec.filesystem("memory").find("/e2e-archive")
    }
    with ArchiveReader() as reader:
        assert all(reader.read(_location(a)).url == a.fetched_url for a in articles)
