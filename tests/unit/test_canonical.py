from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsflow.urls import canonicalize_url, host_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://News.Az/news/x?utm_source=rss&utm_medium=feed", "https://news.az/news/x"),
        ("https://example.com/a?fbclid=IwAR0abc&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?gclid=1&page=2&id=7#comments", "https://example.com/a?id=7&page=2"),
        ("https://example.com/story?articleId=5&utm_campaign=x", "https://example.com/story?articleId=5"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_tracking_parameters_and_fragments_are_removed(raw: str, expected: str) -> None:
    assert canonicalize_url(raw) == expected


def test_relative_links_resolve_against_the_base() -> None:
    assert (
        canonicalize_url("../b/c.html?utm_term=z", base="https://site.org/a/x/")
        == "https://site.org/a/b/c.html"
    )


def test_empty_path_segments_are_the_sites_and_kept() -> None:
    # A WordPress site listed "/blog//legal-issues/": the collapsed path answered 404.
    assert (
        canonicalize_url("https://Law.example/blog//legal/?utm_source=x")
        == "https://law.example/blog//legal/"
    )
    assert canonicalize_url("https://law.example/blog/legal/") == "https://law.example/blog/legal/"


@pytest.mark.parametrize(
    "raw", ["mailto:desk@news.az", "javascript:void(0)", "file:///etc/passwd", "ftp://x.org/a", "http://[::1"]
)
def test_non_web_urls_have_no_canonical_form(raw: str) -> None:
    assert canonicalize_url(raw) is None


def test_host_of() -> None:
    assert host_of("https://WWW.Example.com:8080/x") == "www.example.com"
    assert host_of("not a url") == ""


@given(st.text(max_size=200))
def test_canonicalize_never_raises_and_is_idempotent(raw: str) -> None:
    once = canonicalize_url(raw)
    if once is not None:
        assert canonicalize_url(once) == once


@given(
    st.lists(st.sampled_from(["utm_source=a", "fbclid=b", "gclid=c", "id=1", "page=2"]), max_size=5),
    st.sampled_from(["https://a.com/x", "http://B.org/y/z.html"]),
)
def test_tracking_parameters_never_survive(params: list[str], base: str) -> None:
    url = canonicalize_url(base + ("?" + "&".join(params) if params else ""))
    assert url is not None
    assert "utm_" not in url and "fbclid" not in url and "gclid" not in url
