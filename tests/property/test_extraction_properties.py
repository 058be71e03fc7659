"""extract_article on arbitrary markup: a page either yields an article whose fields keep their
stated shape, or raises ExtractionError naming the page; never anything else."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newsflow.errors import ExtractionError
from newsflow.extract.article import extract_article
from newsflow.extract.body import MIN_TEXT_CHARS
from newsflow.extract.normalize import person_key

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PROSE = "The minister said the talks would resume on Monday after a week of delays. " * 4

TAGS = (
    *("div", "p", "h1", "h2", "span", "a", "article", "main", "header", "footer", "nav", "time"),
    *("script", "style", "meta", "title", "table", "td", "ul", "li", "figure", "pre", "br", "form"),
    *("template", "noscript", "o:p", "author", "rel", "svg"),
)
ATTRIBUTES = ("class", "id", "itemprop", "property", "name", "content", "datetime", "href", "rel", "style")
# Values the extractor's rules look for, and values that break their parsers.
VALUES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            *("author", "byline", "article:published_time", "datePublished", "og:title", "og:site_name"),
            *("display:none", "comments", "sidebar", "cookie-consent", "entry-content", "/author/jane-doe"),
            *(
                "2025-13-45",
                "2025-06-03T10:00:00Z",
                "9999-12-31T23:59:59+14:00",
                "0",
                "http://[::1",
                "javascript:",
            ),
        ]
    ),
)
TEXTS = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            PROSE,
            *("By Jane Doe", "Written by\nJohn Smith, MD", "Updated March 5, 2025", "Published: 31/02/2024"),
            '{"@type":"NewsArticle","datePublished":"2025-01-01","author":{"name":"A B"}}',
            '{"@graph":[null,1,{"author":[[]],"headline":{}}]}',
            *("&#0; &#xD800; &amp;", "\x00\x01", "\ufeff", "© 2025 Example Media"),
        ]
    ),
)


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 3 or draw(st.booleans()):
        return draw(TEXTS)
    tag = draw(st.sampled_from(TAGS))
    attributes = "".join(
        f' {draw(st.sampled_from(ATTRIBUTES))}="{draw(VALUES)}"' for _ in range(draw(st.integers(0, 3)))
    )
    children = "".join(draw(st.lists(markup(depth + 1), max_size=4)))
    # Now and then an element is left open, as broken pages leave them.
    close = f"</{tag}>" if draw(st.integers(0, 9)) else ""
    return f"<{tag}{attributes}>{children}{close}"


PAGES = st.lists(markup(), min_size=1, max_size=6).map("".join)
URLS = st.sampled_from(
    ["https://example.com/2025/06/03/story", "http://127.0.0.1:8000/a/b", "https://news.example.org/"]
)
A_PAGE = (
    '<html lang="en-GB"><head><title>Talks resume | Example News</title>'
    '<meta property="article:published_time" content="2025-06-03T10:00:00+02:00"></head>'
    f"<body><article><h1>Talks resume</h1><p>By Jane Doe</p><p>{PROSE}</p><p>{PROSE}</p></article></body></html>"
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGES, URLS)
@example(A_PAGE, "https://example.com/2025/06/03/story")
def test_a_page_gives_a_well_formed_article_or_a_reason(html: str, url: str) -> None:
    try:
        article = extract_article(html, url=url, now=NOW)
    except ExtractionError as exc:
        assert url in str(exc)
        return
    assert len(article.text) >= MIN_TEXT_CHARS
    assert article.url.startswith(("http://", "https://"))
    if article.title is not None:
        assert article.title == article.title.strip() and article.title and "\n" not in article.title
    keys = [person_key(name) for name in article.authors]
    assert all(name and name == name.strip() for name in article.authors)
    assert len(set(keys)) == len(keys)
    for moment in (article.published_at, article.modified_at):
        if moment is not None:
            assert moment.utcoffset() == timedelta(0)
            assert moment <= NOW + timedelta(days=1)
    if article.published_at is not None and article.published_day is not None:
        # The page's own day is the UTC day or one either side of it (its time zone).
        assert abs(article.published_day - article.published_at.date()) <= timedelta(days=1)
    if article.modified_at is not None and article.published_day is not None:
        # An update is on or after the publication's day (in the page's zone, a day either side of UTC).
        assert article.modified_at.date() >= article.published_day - timedelta(days=1)
    assert article.language is None or re.fullmatch(r"[a-z]{2}", article.language)
