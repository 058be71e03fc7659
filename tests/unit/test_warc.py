"""iter_warc_pages on small WARC files written with warcio, plain and gzipped."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsflow.discover.warc import WarcPage, host_matches, iter_warc_pages
from newsflow.errors import FeedError

ARTICLE_HTML = (
    b"<!DOCTYPE html><html><head><title>Budget vote</title></head><body><p>MPs approved.</p></body></html>"
)


def _response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    *,
    status: str = "200 OK",
    content_type: str = "text/html; charset=utf-8",
    date: str = "2025-06-03T09:15:00Z",
    extra: list[tuple[str, str]] | None = None,
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type), *(extra or [])], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)


def _write_warc(path: Path, *, compressed: bool) -> Path:
    with path.open("wb") as output:
        writer = WARCWriter(output, gzip=compressed)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newsflow tests"}))
        request = StatusAndHeaders(
            "GET /politics/2025/06/03/budget-vote HTTP/1.1", [("Host", "www.example-news.com")]
        )
        writer.write_record(
            writer.create_warc_record(
                "https://www.example-news.com/politics/2025/06/03/budget-vote",
                "request",
                payload=BytesIO(b""),
                http_headers=request,
            )
        )
        _response(writer, "https://www.example-news.com/politics/2025/06/03/budget-vote", ARTICLE_HTML)
        _response(
            writer,
            "https://live.example-news.com/2025/06/03/election-blog",
            b"<html><body>live</body></html>",
            content_type="application/xhtml+xml",
            date="2025-06-03T11:30:00+02:00",
        )
        _response(writer, "https://www.other-news.com/2025/06/03/budget", b"<html>other</html>")
        _response(writer, "https://notexample-news.com/2025/06/03/lookalike", b"<html>lookalike</html>")
        _response(
            writer,
            "https://www.example-news.com/img/budget.jpg",
            b"\xff\xd8\xff\xe0",
            content_type="image/jpeg",
        )
        _response(
            writer, "https://www.example-news.com/gone", b"<html>not found</html>", status="404 Not Found"
        )
        _response(
            writer,
            "https://www.example-news.com/world/2025/06/02/summit-ends",
            gzip.compress(b"<html><body>summit</body></html>"),
            extra=[("Content-Encoding", "gzip")],
        )
        _response(writer, "https://www.example-news.com/huge", b"<html>" + b"x" * 5000 + b"</html>")
    return path


@pytest.fixture(params=[False, True], ids=["plain", "gzipped"])
def warc_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    compressed: bool = request.param
    return _write_warc(tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc"), compressed=compressed)


def test_yields_html_responses_of_the_source_hosts(warc_path: Path) -> None:
    with warc_path.open("rb") as stream:
        pages = list(
            iter_warc_pages(stream, hosts={"example-news.com"}, source="example", max_body_bytes=4096)
        )
    assert pages == [
        WarcPage(
            "https://www.example-news.com/politics/2025/06/03/budget-vote",
            "example",
            datetime(2025, 6, 3, 9, 15, tzinfo=UTC),
            200,
            "text/html; charset=utf-8",
            ARTICLE_HTML,
        ),
        WarcPage(
            "https://live.example-news.com/2025/06/03/election-blog",
            "example",
            datetime(2025, 6, 3, 9, 30, tzinfo=UTC),
            200,
            "application/xhtml+xml",
            b"<html><body>live</body></html>",
        ),
        # the status is kept so the caller can record the 404 as an outcome
        WarcPage(
            "https://www.example-news.com/gone",
            "example",
            datetime(2025, 6, 3, 9, 15, tzinfo=UTC),
            404,
            "text/html; charset=utf-8",
            b"<html>not found</html>",
        ),
        # Content-Encoding undone
        WarcPage(
            "https://www.example-news.com/world/2025/06/02/summit-ends",
            "example",
            datetime(2025, 6, 3, 9, 15, tzinfo=UTC),
            200,
            "text/html; charset=utf-8",
            b"<html><body>summit</body></html>",
        ),
    ]


def test_exact_host_only_and_default_size_cap(warc_path: Path) -> None:
    with warc_path.open("rb") as stream:
        urls = [page.url for page in iter_warc_pages(stream, hosts={"www.other-news.com"}, source="other")]
    assert urls == ["https://www.other-news.com/2025/06/03/budget"]
    with warc_path.open("rb") as stream:
        urls = [
            page.url for page in iter_warc_pages(stream, hosts={"WWW.Example-News.com."}, source="example")
        ]
    assert "https://www.example-news.com/huge" in urls
    assert "https://live.example-news.com/2025/06/03/election-blog" not in urls


def test_no_hosts_yields_nothing(warc_path: Path) -> None:
    with warc_path.open("rb") as stream:
        assert list(iter_warc_pages(stream, hosts=set(), source="example")) == []


@pytest.mark.parametrize(
    "data",
    [b"<!DOCTYPE html><html><body>Not Found</body></html>\n", b"\x1f\x8b\x08\x00" + b"\x00" * 40],
    ids=["html", "broken-gzip"],
)
def test_unreadable_warc_is_a_feed_error(data: bytes) -> None:
    with pytest.raises(FeedError, match="unreadable WARC"):
        list(iter_warc_pages(BytesIO(data), hosts={"example-news.com"}, source="example"))


def test_a_truncated_warc_is_a_feed_error_after_the_complete_pages(warc_path: Path) -> None:
    data = warc_path.read_bytes()
    # Cut inside the last record, the 5 kB page.
    stream = BytesIO(data[: len(data) - 40])
    pages = iter_warc_pages(stream, hosts={"example-news.com"}, source="example")
    complete = [next(pages).url for _ in range(4)]
    assert complete[-1] == "https://www.example-news.com/world/2025/06/02/summit-ends"
    with pytest.raises(FeedError, match=r"example-news\.com/huge: .*truncated"):
        next(pages)


def test_chunked_body_is_decoded_and_not_mistaken_for_truncation(tmp_path: Path) -> None:
    path = tmp_path / "chunked.warc"
    with path.open("wb") as output:
        writer = WARCWriter(output, gzip=False)
        chunked = b"6\r\n<html>\r\n7\r\n</html>\r\n0\r\n\r\n"
        _response(writer, "https://example-news.com/a", chunked, extra=[("Transfer-Encoding", "chunked")])
    with path.open("rb") as stream:
        pages = list(iter_warc_pages(stream, hosts={"example-news.com"}, source="example"))
    assert [page.body for page in pages] == [b"<html></html>"]


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("example-news.com", True),
        ("www.example-news.com", True),
        ("a.b.example-news.com", True),
        ("notexample-news.com", False),
        ("example-news.com.evil.net", False),
        ("", False),
    ],
)
def test_host_matches(host: str, expected: bool) -> None:
    assert host_matches(host, {"example-news.com"}) is expected
