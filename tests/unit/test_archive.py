"""The raw archive: the fetcher's responses as WARC records, read back by location or in sequence."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pytest
from warcio.archiveiterator import ArchiveIterator

from newsflow.discover.warc import DamagedRecord, WarcPage, read_warc
from newsflow.errors import ArchiveError
from newsflow.fetch.archive import ArchiveReader, WarcArchive, open_archive
from newsflow.fetch.client import FetchPolicy, allowed_origins, build_client
from newsflow.fetch.fetcher import Fetcher
from newsflow.fetch.politeness import HostLimiter
from newsflow.records import DiscoveredUrl, FetchedPage
from tests.site import NewsSite, Response, load_fixture_articles

ARTICLES = load_fixture_articles()[:4]


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite.start(articles=ARTICLES, widget=False) as running:
        yield running


def _fetcher(site: NewsSite, archive: WarcArchive | None) -> Fetcher:
    policy = FetchPolicy(user_agent="newsflow-test/1", allowed_hosts=allowed_origins([site.url("/")]))
    return Fetcher(
        build_client(policy),
        policy,
        HostLimiter(max_concurrency=4, min_delay=0),
        respect_robots=False,
        archive=archive,
    )


def _pages(site: NewsSite, fetcher: Fetcher, paths: list[str]) -> list[FetchedPage]:
    items = [DiscoveredUrl(site.url(p), "daily", site.url("/feed.xml")) for p in paths]
    pages = fetcher.fetch_pages(items, concurrency=4)
    assert all(isinstance(p, FetchedPage) for p in pages), pages
    return [p for p in pages if isinstance(p, FetchedPage)]


def test_every_fetched_page_is_archived_and_found_again_by_its_location(
    site: NewsSite, tmp_path: Path
) -> None:
    archive = WarcArchive(str(tmp_path / "warc"), label="daily", max_file_bytes=10**9)
    pages = _pages(site, _fetcher(site, archive), site.article_paths())
    archive.close()
    # <archive>/<day>/<label>-<time>-<host>-<pid>-<serial>.warc.gz
    [name] = archive.files
    day, file = Path(name).relative_to(tmp_path / "warc").parts
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", day) and file.startswith("daily-") and file.endswith(".warc.gz")
    with ArchiveReader() as reader:
        for page in pages:
            assert page.archived is not None and page.archived.file == archive.files[0]
            record = reader.read(page.archived)
            assert (record.url, record.status, record.body) == (page.final_url, 200, page.body)
            assert record.content_type == page.content_type
    # The file is plain WARC any reader takes: warcinfo, then a response and its request per page.
    with open(archive.files[0], "rb") as stream:
        records = []
        for record in ArchiveIterator(stream, check_digests=True):
            record.content_stream().read()
            assert record.digest_checker.passed is not False, record.digest_checker.problems
            records.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI")))
    assert records[0] == ("warcinfo", None)
    assert records[1:] == [
        (kind, url)
        for url in sorted((p.final_url for p in pages), key=_order(pages))
        for kind in ("response", "request")
    ]


def _order(pages: list[FetchedPage]) -> object:
    offsets = {p.final_url: p.archived.offset for p in pages if p.archived is not None}
    return lambda url: offsets[url]


def test_headers_and_gzip_body_are_kept_as_received(site: NewsSite, tmp_path: Path) -> None:
    html = ARTICLES[0].html
    site.route(
        "/gz.html",
        lambda _r: Response(
            body=gzip.compress(html), headers={"Content-Encoding": "gzip", "X-Served-By": "edge-7"}
        ),
    )
    archive = WarcArchive(str(tmp_path), label="daily", max_file_bytes=10**9)
    (page,) = _pages(site, _fetcher(site, archive), ["/gz.html"])
    archive.close()
    assert page.body == html
    with open(archive.files[0], "rb") as stream:
        records = {r.rec_type: r for r in ArchiveIterator(stream) if r.rec_type in ("request", "response")}
        response = records["response"]
        assert response.http_headers.get_header("Content-Encoding") == "gzip"
        assert response.http_headers.get_header("X-Served-By") == "edge-7"
        assert response.http_headers.get_statuscode() == "200"
        request = records["request"]
        assert request.http_headers.get_header("User-Agent") == "newsflow-test/1"
        assert request.http_headers.protocol == "GET"
    with ArchiveReader() as reader:
        assert page.archived is not None
        assert reader.read(page.archived).body == html  # decoded as the client decoded it


def test_files_rotate_by_size_and_each_stands_alone(site: NewsSite, tmp_path: Path) -> None:
    archive = WarcArchive(str(tmp_path), label="daily", max_file_bytes=20_000)
    pages = _pages(site, _fetcher(site, archive), site.article_paths())
    archive.close()
    assert len(archive.files) >= 2
    for name in archive.files:
        with open(name, "rb") as stream:
            kinds = [r.rec_type for r in ArchiveIterator(stream)]
        assert kinds[0] == "warcinfo" and "response" in kinds
    assert {p.archived.file for p in pages if p.archived} <= set(archive.files)


def test_an_in_memory_filesystem_works_like_a_folder(site: NewsSite) -> None:
    with open_archive("memory://newsflow-test/warc", label="daily", max_file_bytes=10**9) as archive:
        assert archive is not None
        pages = _pages(site, _fetcher(site, archive), site.article_paths()[:2])
    assert all(p.archived and p.archived.file.startswith("memory://") for p in pages)
    fs = fsspec.filesystem("memory")
    assert [f.rsplit("/", 1)[1][:6] for f in fs.find("/newsflow-test/warc")] == ["daily-"]
    with ArchiveReader() as reader:
        for page in pages:
            assert page.archived is not None
            assert reader.read(page.archived).body == page.body


def test_off_writes_nothing_and_pages_carry_no_location(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_archive("off", label="daily", max_file_bytes=10**9) as archive:
        assert archive is None
        pages = _pages(site, _fetcher(site, archive), site.article_paths()[:2])
    assert all(p.archived is None for p in pages)
    assert list(tmp_path.iterdir()) == []


def test_a_file_cut_inside_a_record_reports_that_record_and_reads_the_rest(
    site: NewsSite, tmp_path: Path
) -> None:
    """What a kill -9 mid-write can leave: the last record cut short."""
    archive = WarcArchive(str(tmp_path), label="daily", max_file_bytes=10**9)
    pages = sorted(
        _pages(site, _fetcher(site, archive), site.article_paths()),
        key=lambda p: p.archived.offset if p.archived else 0,
    )
    archive.close()
    last = pages[-1].archived
    assert last is not None
    path = Path(last.file)
    with path.open("r+b") as handle:
        handle.truncate(last.offset + last.length // 2)
    with path.open("rb") as stream:
        items = list(read_warc(stream, hosts={"127.0.0.1"}, source="daily"))
    read = [i for i in items if isinstance(i, WarcPage)]
    damaged = [i for i in items if isinstance(i, DamagedRecord)]
    assert [p.body for p in read] == [p.body for p in pages[:-1]]
    assert [d.offset for d in damaged] == [last.offset]
    with ArchiveReader() as reader:
        assert reader.read(pages[0].archived).body == pages[0].body  # type: ignore[arg-type]
        with pytest.raises(ArchiveError, match="truncated"):
            reader.read(last)


def test_a_damaged_record_in_the_middle_is_reported_and_the_next_ones_read(
    site: NewsSite, tmp_path: Path
) -> None:
    archive = WarcArchive(str(tmp_path), label="daily", max_file_bytes=10**9)
    pages = sorted(
        _pages(site, _fetcher(site, archive), site.article_paths()),
        key=lambda p: p.archived.offset if p.archived else 0,
    )
    archive.close()
    hit = pages[1].archived
    assert hit is not None
    data = bytearray(Path(hit.file).read_bytes())
    for index in range(hit.offset + 40, hit.offset + 140):
        data[index] ^= 0x5A
    Path(hit.file).write_bytes(bytes(data))
    with Path(hit.file).open("rb") as stream:
        items = list(read_warc(stream, hosts={"127.0.0.1"}, source="daily"))
    assert [i.offset for i in items if isinstance(i, DamagedRecord)] == [hit.offset]
    assert [i.body for i in items if isinstance(i, WarcPage)] == [p.body for p in pages if p is not pages[1]]
    with ArchiveReader() as reader, pytest.raises(ArchiveError, match="damaged"):
        reader.read(hit)
