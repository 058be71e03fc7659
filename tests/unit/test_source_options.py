"""Per-source options: validated with the source and field named, and applied by pure filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.errors import ConfigError
from newsflow.records import DiscoveredUrl, ExtractedArticle, Fingerprint, ProcessedArticle, Source
from newsflow.source_filters import allowed_urls, by_language, max_pages
from newsflow.sources import article_hosts, load_sources

NOW = datetime(2025, 6, 3, tzinfo=UTC)
FULL = """
sources:
  - name: herald
    pages: ["https://www.herald.example/", "https://www.herald.example/world"]
    feeds: ["https://feeds.herald.example/all.rss"]
    include: ['/20\\d\\d/']
    exclude: ["/live/", "/video/"]
    language: [EN, fr]
    delay: 2.5
    max_pages: 200
  - name: plain
    pages: ["https://plain.example/"]
    language: de
"""


def test_every_option_is_read() -> None:
    herald, plain = load_sources(FULL)
    assert herald.pages == ("https://www.herald.example/", "https://www.herald.example/world")
    assert herald.include == ("/20\\d\\d/",)
    assert herald.exclude == ("/live/", "/video/")
    assert (herald.language, herald.delay, herald.max_pages) == (("en", "fr"), 2.5, 200)
    assert herald.listings == (*herald.feeds, *herald.pages)
    assert article_hosts(herald) == {"www.herald.example", "feeds.herald.example"}
    assert (plain.language, plain.delay, plain.max_pages, plain.include) == (("de",), None, None, ())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pages", "['file:///etc/passwd']", "'pages' has 'file:///etc/passwd', which is not an http(s) URL"),
        ("include", "['(unclosed']", "'include' has '(unclosed', not a regular expression"),
        ("exclude", "[1, 2]", "'exclude' must be a list of URL regular expressions"),
        ("language", "[english]", "'language' must be ISO 639-1 codes"),
        ("delay", "soon", "'delay' must be a number of seconds"),
        ("delay", "-1", "'delay' must be between 0 and 3600 seconds"),
        ("max_pages", "0", "'max_pages' must be a whole number of pages, 1 or more"),
        ("max_pages", "2.5", "'max_pages' must be a whole number"),
    ],
)
def test_a_bad_option_names_the_file_source_and_field(field: str, value: str, message: str) -> None:
    text = f"sources:\n  - name: herald\n    pages: ['https://herald.example/']\n    {field}: {value}\n"
    with pytest.raises(ConfigError) as excinfo:
        load_sources(text, path="mine.yaml")
    assert str(excinfo.value).startswith("mine.yaml: source 'herald': ")
    assert message in str(excinfo.value)


def test_include_and_exclude_filter_listed_urls() -> None:
    (herald, _) = load_sources(FULL)
    urls = [
        DiscoveredUrl(f"https://www.herald.example{path}", "herald", "feed")
        for path in ("/world/2025/06/03/a", "/live/2025/06/03/b", "/about", "/video/2024/c")
    ]
    assert [u.url for u in allowed_urls(urls, herald)] == ["https://www.herald.example/world/2025/06/03/a"]
    assert allowed_urls(urls, Source(name="all", feeds=("https://x/",))) == urls


def test_max_pages_lowers_the_run_limit_only() -> None:
    (herald, plain) = load_sources(FULL)
    assert (max_pages(herald, 5000), max_pages(herald, 50), max_pages(plain, 5000)) == (200, 50, 5000)


def _article(url: str, language: str | None) -> ProcessedArticle:
    article = ExtractedArticle(url=url, title="t", text="words", language=language)
    return ProcessedArticle(article, Fingerprint("h", b"", ()), fetched_url=url, source="herald")


def test_articles_in_other_languages_are_skipped_with_the_reason() -> None:
    (herald, _) = load_sources(FULL)
    articles = [_article("https://a/en", "en"), _article("https://a/de", "de"), _article("https://a/x", None)]
    kept, skipped = by_language(articles, herald, now=NOW)
    assert [a.fetched_url for a in kept] == ["https://a/en", "https://a/x"]
    assert [(o.url, o.outcome.value, o.error) for o in skipped] == [
        ("https://a/de", "skipped", "language de is not one of the source's (en, fr)")
    ]
    assert by_language(articles, Source(name="any", feeds=("https://x/",)), now=NOW) == (articles, [])
