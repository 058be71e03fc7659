"""The local test site itself: feeds list the articles, validators work, faults misbehave as named."""

from __future__ import annotations

import gzip
import re
import threading
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.site import (
    CP1251,
    FBCLID,
    LATIN1,
    RSS_TRACKING,
    MirrorSite,
    NewsSite,
    load_fixture_articles,
    load_seed_article,
)

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite.start() as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


def without_query(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(query=""))


def rss_links(body: bytes) -> list[str]:
    return [item.findtext("link") or "" for item in ET.fromstring(body).iter("item")]


def test_fixture_articles_are_complete() -> None:
    articles = load_fixture_articles()
    assert len(articles) == 24
    assert all(
        article.html.startswith(b"<") or b"<html" in article.html[:2000].lower() for article in articles
    )
    assert all(article.body and article.url.startswith("http") for article in articles)
    assert load_seed_article().residue == "date 2025-06-03 + ↺ − 16 px"


def test_rss_lists_every_article_with_tracking_variants(site: NewsSite, client: httpx.Client) -> None:
    response = client.get(site.url("/feed.xml"))
    links = rss_links(response.content)

    assert response.headers["content-type"].startswith("application/rss+xml")
    assert {without_query(link) for link in links} == set(site.article_urls())
    assert len(links) == len(site.article_urls()) + 1
    assert any(RSS_TRACKING in link for link in links)
    assert any(FBCLID in link for link in links)
    assert site.url(site.widget_path) in links


def test_atom_json_and_sitemaps_list_the_same_articles(site: NewsSite, client: httpx.Client) -> None:
    expected = set(site.article_urls())
    atom = ET.fromstring(client.get(site.url("/atom.xml")).content)
    json_feed = client.get(site.url("/feed.json")).json()
    index = ET.fromstring(client.get(site.url("/sitemap_index.xml")).content)
    children = [loc.text or "" for loc in index.iter(f"{SITEMAP}loc")]
    urlset = ET.fromstring(gzip.decompress(client.get(children[0]).content))
    news = ET.fromstring(client.get(children[1]).content)

    assert {without_query(link.get("href", "")) for link in atom.iter(f"{ATOM}link")} >= expected
    assert {without_query(item["url"]) for item in json_feed["items"]} == expected
    assert {loc.text for loc in urlset.iter(f"{SITEMAP}loc")} == expected
    assert all(lastmod.text for lastmod in urlset.iter(f"{SITEMAP}lastmod"))
    dates = {url.findtext(f"{SITEMAP}loc"): url.findtext(f".//{NEWS}publication_date") for url in news}
    assert dates[site.url(site.widget_path)] == "2025-06-03T10:15:00+04:00"


def test_conditional_get_answers_304(site: NewsSite, client: httpx.Client) -> None:
    first = client.get(site.url("/sitemaps/news.xml"))
    by_etag = client.get(site.url("/sitemaps/news.xml"), headers={"If-None-Match": first.headers["etag"]})
    by_date = client.get(site.url("/feed.xml"), headers={"If-Modified-Since": first.headers["last-modified"]})
    stale = client.get(site.url("/feed.xml"), headers={"If-None-Match": '"stale"'})

    assert (by_etag.status_code, by_etag.content) == (304, b"")
    assert by_date.status_code == 304
    assert stale.status_code == 200 and stale.headers["etag"] != '"stale"'


def test_publishing_an_article_changes_the_feed(client: httpx.Client) -> None:
    articles = load_fixture_articles()
    with NewsSite.start(articles=articles[:3], widget=False) as small:
        before = client.get(small.url("/feed.xml"))
        small.publish(articles[3])
        after = client.get(small.url("/feed.xml"), headers={"If-None-Match": before.headers["etag"]})

    assert after.status_code == 200
    assert len(set(map(without_query, rss_links(after.content)))) == 4


def test_article_pages_keep_or_rewrite_canonical(site: NewsSite, client: httpx.Client) -> None:
    article = site.articles[0]
    with NewsSite.start(articles=[article], canonical_to_local=True) as local:
        rewritten = client.get(local.url(local.article_paths()[0])).text

    assert client.get(site.url(site.article_paths()[0])).content == article.html
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', rewritten)
    assert canonical is not None and canonical.group(1) == local.url(local.article_paths()[0])
    assert f'content="{article.url}"' not in rewritten


def test_widget_page_carries_the_residue_markup(site: NewsSite, client: httpx.Client) -> None:
    page = client.get(site.url(site.widget_path)).text
    seed = load_seed_article()

    assert '<meta property="article:published_time" content="2025-06-03T10:15:00+04:00">' in page
    assert all(marker in page for marker in ("+</span>", "↺</span>", "−</span>", " px</span>", "Read more"))
    assert seed.paragraphs[0] in page and seed.residue not in page


def test_robots_is_configurable(client: httpx.Client) -> None:
    with NewsSite.start(articles=[], disallow=["/private/"], crawl_delay=2) as strict:
        text = client.get(strict.url("/robots.txt")).text

    assert "Disallow: /private/" in text and "Crawl-delay: 2" in text


def test_added_feed_lists_urls_verbatim(site: NewsSite, client: httpx.Client) -> None:
    targets = [
        "http://127.0.0.2/x",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "/fault/404",
    ]
    url = site.add_feed("/ssrf.xml", urls=targets)

    assert rss_links(client.get(url).content) == [*targets[:3], site.url("/fault/404")]
    assert rss_links(client.get(site.url("/empty.xml")).content) == []


@pytest.mark.parametrize(
    ("path", "status", "failures"),
    [("/fault/503-then-ok", 503, 2), ("/fault/429-then-ok", 429, 1)],
)
def test_retry_endpoints_fail_then_serve_an_article(
    site: NewsSite, client: httpx.Client, path: str, status: int, failures: int
) -> None:
    target = f"{path}?run={time.monotonic_ns()}"
    responses = [client.get(site.url(target)) for _ in range(failures + 1)]

    assert [r.status_code for r in responses] == [status] * failures + [200]
    assert all(r.headers["retry-after"] == "1" for r in responses[:-1])
    assert responses[-1].content == site.fault_articles[path].html
    assert site.fault_articles[path].word_count > 300


@pytest.mark.parametrize(
    ("path", "status"),
    [("/fault/500", 500), ("/fault/404", 404), ("/fault/410", 410), ("/fault/empty", 200), ("/nowhere", 404)],
)
def test_status_endpoints(site: NewsSite, client: httpx.Client, path: str, status: int) -> None:
    response = client.get(site.url(path))
    assert response.status_code == status
    assert (response.content == b"") == (path == "/fault/empty")


def test_junk_served_as_html(site: NewsSite, client: httpx.Client) -> None:
    binary = client.get(site.url("/fault/binary"))
    garbage = client.get(site.url("/fault/garbage"))

    assert binary.headers["content-type"].startswith("text/html") and binary.content.startswith(b"\x89PNG")
    assert garbage.headers["content-type"].startswith("text/html") and len(garbage.content) == 65536


def test_redirect_loop(site: NewsSite, client: httpx.Client) -> None:
    with pytest.raises(httpx.TooManyRedirects):
        client.get(site.url("/fault/redirect-loop"), follow_redirects=True)
    assert client.get(site.url("/fault/redirect"), follow_redirects=True).url.path == "/fault/ok"


def test_huge_streams_until_the_client_leaves(site: NewsSite, client: httpx.Client) -> None:
    received = 0
    with client.stream("GET", site.url("/fault/huge")) as response:
        assert response.headers["transfer-encoding"] == "chunked"
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > 2**20:
                break
    with client.stream("GET", site.url("/fault/huge-declared")) as response:
        assert response.headers["content-length"] == str(200 * 2**20)

    assert client.get(site.url("/fault/ok")).status_code == 200


def test_gzip_bomb_inflates_far_beyond_its_size(site: NewsSite, client: httpx.Client) -> None:
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    with client.stream("GET", site.url("/fault/gzip-bomb")) as response:
        compressed = next(response.iter_raw(65536))
        claimed = int(response.headers["content-length"])

    assert response.headers["content-encoding"] == "gzip"
    assert 9 * 2**20 < claimed < 12 * 2**20
    assert len(inflater.decompress(compressed, 32 * 2**20)) == 32 * 2**20


def test_hang_blocks_neither_other_requests_nor_shutdown(client: httpx.Client) -> None:
    hanging = NewsSite.start(articles=[], widget=False)
    errors: list[Exception] = []

    def wait_forever() -> None:
        try:
            with httpx.Client(timeout=30) as patient:
                patient.get(hanging.url("/fault/hang"))
        except httpx.HTTPError as error:
            errors.append(error)

    worker = threading.Thread(target=wait_forever)
    worker.start()
    while hanging.count("/fault/hang") == 0:
        time.sleep(0.01)
    with pytest.raises(httpx.ReadTimeout):
        client.get(hanging.url("/fault/hang"), timeout=0.3)
    assert client.get(hanging.url("/robots.txt")).status_code == 200

    started = time.monotonic()
    hanging.stop()
    worker.join(5)

    assert time.monotonic() - started < 2
    assert not worker.is_alive() and len(errors) == 1


def test_encoding_pages(site: NewsSite, client: httpx.Client) -> None:
    latin1 = client.get(site.url(LATIN1.path))
    cp1251 = client.get(site.url(CP1251.path))

    assert latin1.headers["content-type"] == "text/html; charset=ISO-8859-1"
    assert latin1.content.decode("iso-8859-1").count("Café") >= 2 and b"charset" not in latin1.content
    assert cp1251.headers["content-type"] == "text/html"
    assert b'charset=windows-1251"' in cp1251.content
    assert CP1251.paragraphs[0] in cp1251.content.decode("cp1251")
    assert len(LATIN1.body.split()) > 300 and len(CP1251.body.split()) > 300


def test_hostile_feeds_declare_entities(site: NewsSite, client: httpx.Client) -> None:
    laughs = client.get(site.url("/hostile/billion-laughs.xml")).text
    xxe = client.get(site.url("/hostile/xxe.xml")).text

    assert "<!ENTITY lol9" in laughs and "<title>&lol9;</title>" in laughs
    assert '<!ENTITY xxe SYSTEM "file:///etc/passwd">' in xxe and "<title>&xxe;</title>" in xxe


def test_mirror_republishes_with_its_own_canonical(site: NewsSite, client: httpx.Client) -> None:
    with MirrorSite.start(origin=site) as mirror:
        copy = mirror.syndicated[0]
        exact = mirror.exact_copy
        assert exact is not None
        syndicated_page = client.get(copy.url).text
        exact_page = client.get(exact.url).text
        listed = rss_links(client.get(mirror.url("/feed.xml")).content)

    assert urlsplit(mirror.base_url).netloc != urlsplit(site.base_url).netloc
    assert f'<link rel="canonical" href="{copy.url}">' in syndicated_page
    assert "Republished with permission." in syndicated_page and copy.title != copy.article.title
    assert f'href="{exact.url}"' in exact_page and exact.paragraphs == tuple(exact.article.paragraphs)
    assert copy.paragraphs[-1].startswith(
        f"This story was originally published by Newsflow Local Gazette at {copy.origin_url}"
    )
    assert listed == [c.url for c in mirror.copies]


def test_requests_are_recorded_and_reset(client: httpx.Client) -> None:
    with NewsSite.start(articles=load_fixture_articles()[:1]) as fresh:
        client.get(fresh.url("/feed.xml?x=1"), headers={"User-Agent": "newsflow-test"})
        method, path, headers, _arrived = fresh.requests[0]
        fresh.reset_requests()

        assert (method, path, headers["user-agent"]) == ("GET", "/feed.xml?x=1", "newsflow-test")
        assert fresh.requests == []


def test_shutdown_is_quick_during_a_stream(client: httpx.Client) -> None:
    streaming = NewsSite.start(articles=[], widget=False)
    with client.stream("GET", streaming.url("/fault/huge")) as response:
        next(response.iter_raw())
        started = time.monotonic()
        streaming.stop()
        assert time.monotonic() - started < 2
