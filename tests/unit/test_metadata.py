"""Page metadata (JSON-LD, meta tags) and the choice of a publication date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from lxml import html as lxml_html

from newsflow.extract.dates import DatedValue, choose_published, date_from_url, read_date
from newsflow.extract.metadata import PageMetadata, heading_text, read_metadata
from newsflow.urls import canonicalize_url

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _meta(head: str, body: str = "<p>x</p>", lang: str = "") -> PageMetadata:
    tree = lxml_html.document_fromstring(f"<html{lang}><head>{head}</head><body>{body}</body></html>")
    return read_metadata(tree)


def test_jsonld_graph_resolves_author_references_and_entities() -> None:
    meta = _meta(
        """<script type="application/ld+json">{"@graph": [
        {"@type": "BlogPosting", "headline": "Caf&eacute; reopens", "datePublished": "2024-05-17",
         "author": [{"@id": "#p1"}, {"@type": "Person", "name": "Ana Lima"}]},
        {"@type": "Person", "@id": "#p1", "name": "Jo&#227;o Silva"}]}</script>"""
    )
    assert meta.headline == "Café reopens"
    assert meta.authors == ("João Silva", "Ana Lima")
    assert meta.published[0] == ("json-ld", "2024-05-17")


def test_broken_jsonld_with_trailing_comma_is_rescued() -> None:
    meta = _meta('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "A",}</script>')
    assert meta.headline == "A"


def test_article_body_html_becomes_plain_text() -> None:
    meta = _meta(
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "A", '
        '"articleBody": "<p>First &amp; second.</p><p>Third.</p>"}</script>'
    )
    assert meta.article_body == "First & second.\nThird."


def test_meta_tags_dates_authors_language_and_site() -> None:
    meta = _meta(
        '<meta property="article:published_time" content="2024-05-17T09:30:00+02:00">'
        '<meta property="article:modified_time" content="2024-05-18T08:00:00Z">'
        '<meta name="author" content="By Jane Doe">'
        '<meta property="og:site_name" content="The Courier">'
        '<meta property="og:title" content="Bridge reopens">',
        body="<time datetime='2024-05-17'>May 17</time><h1>Bridge reopens</h1>",
        lang=' lang="en-GB"',
    )
    assert meta.published == (("meta", "2024-05-17T09:30:00+02:00"), ("time", "2024-05-17"))
    assert meta.modified == (("meta", "2024-05-18T08:00:00Z"),)
    assert meta.authors == ("By Jane Doe",)
    assert meta.language == "en-GB"
    assert meta.site_name == "The Courier"
    assert meta.og_title == "Bridge reopens"
    assert meta.h1 == "Bridge reopens"


@pytest.mark.parametrize("name", ["published", "published-date", "publish_date", "pubdate"])
def test_publication_meta_names(name: str) -> None:
    meta = _meta(f'<meta name="{name}" content="July 17, 2025">')
    assert meta.published == (("meta", "July 17, 2025"),)


def test_read_date_keeps_time_and_timezone_flags() -> None:
    aware = read_date("2024-05-17T09:30:00+02:00", "json-ld")
    assert aware == DatedValue(
        datetime(2024, 5, 17, 7, 30, tzinfo=UTC), "json-ld", True, True, day=date(2024, 5, 17)
    )
    day = read_date("2024-05-17", "meta")
    assert day is not None and (day.has_time, day.has_timezone) == (False, False)
    us = read_date("November 19, 2019, 07:47 PM EST", "meta")
    assert us is not None and us.value == datetime(2019, 11, 20, 0, 47, tzinfo=UTC)
    assert read_date("0001-01-01T00:00:00Z", "json-ld") is None
    assert read_date("not a date", "meta") is None


def test_date_from_url() -> None:
    assert date_from_url("https://x.example/2019/11/18/story") == datetime(2019, 11, 18, tzinfo=UTC)
    assert date_from_url("https://x.example/2019/13/45/story") is None
    assert date_from_url("https://x.example/story-2019") is None


def test_date_from_url_reads_a_day_that_runs_on_into_the_slug() -> None:
    # Blogs glue the title to the day with "+" or "_" (issue #12: derived on WCXB half 0).
    assert date_from_url("https://b.example/articles/2025-12-15+Rust+backend") == datetime(
        2025, 12, 15, tzinfo=UTC
    )
    assert date_from_url("https://b.example/posts/2024_03_05_notes.html") == datetime(2024, 3, 5, tzinfo=UTC)
    # As the URL is fetched and stored: canonicalization escapes the "+".
    escaped = canonicalize_url("https://b.example/articles/2025-12-15+Rust+backend")
    assert escaped is not None and "%2B" in escaped
    assert date_from_url(escaped) == datetime(2025, 12, 15, tzinfo=UTC)
    assert date_from_url("https://b.example/2024-03-05.html") == datetime(2024, 3, 5, tzinfo=UTC)
    # A longer number is not a day: /2024-03-051 is an id.
    assert date_from_url("https://b.example/2024-03-051") is None


def test_date_from_url_reads_a_month_by_name() -> None:
    assert date_from_url("https://b.example/blog/2023/october/03/wine-styles") == datetime(
        2023, 10, 3, tzinfo=UTC
    )
    assert date_from_url("https://b.example/blog/2023/May/7") == datetime(2023, 5, 7, tzinfo=UTC)
    assert date_from_url("https://b.example/blog/2023/june/31/x") is None
    assert date_from_url("https://b.example/blog/2023/octopus/03/x") is None


def _dated(text: str, source: str) -> DatedValue:
    value = read_date(text, source)
    assert value is not None
    return value


def test_choose_prefers_the_first_source_sharpened_by_a_precise_one() -> None:
    candidates = [_dated("2024-05-17", "json-ld"), _dated("2024-05-17T09:30:00+02:00", "meta")]
    assert choose_published(candidates, listed=None, now=NOW)[:2] == (
        datetime(2024, 5, 17, 7, 30, tzinfo=UTC),
        "meta",
    )


def test_choose_takes_the_listing_time_for_a_date_only_page() -> None:
    listed = datetime(2024, 5, 17, 6, 0, tzinfo=UTC)
    assert choose_published([_dated("2024-05-17", "url")], listed=listed, now=NOW)[:2] == (listed, "listing")


def test_choose_rejects_a_page_date_far_from_the_listing() -> None:
    listed = datetime(2024, 5, 30, tzinfo=UTC)
    chosen = choose_published([_dated("2024-05-17T09:30:00Z", "json-ld")], listed=listed, now=NOW)
    assert chosen == (listed, "listing", "json-ld date 12 days away rejected")


def test_choose_keeps_a_page_date_close_to_the_listing() -> None:
    listed = datetime(2024, 5, 18, 20, 0, tzinfo=UTC)
    page = _dated("2024-05-17T09:30:00Z", "json-ld")
    assert choose_published([page], listed=listed, now=NOW)[:2] == (page.value, "json-ld")


def test_choose_drops_future_dates_and_never_invents_one() -> None:
    future = _dated((NOW + timedelta(days=2)).isoformat(), "json-ld")
    assert choose_published([future], listed=None, now=NOW)[:2] == (None, None)
    assert choose_published([], listed=None, now=NOW)[:2] == (None, None)
    listed = NOW - timedelta(hours=1)
    assert choose_published([future], listed=listed, now=NOW) == (
        listed,
        "listing",
        "json-ld date in the future",
    )


def test_choose_tolerates_clock_skew() -> None:
    soon = _dated((NOW + timedelta(hours=2)).isoformat(), "meta")
    assert choose_published([soon], listed=None, now=NOW)[:2] == (soon.value, "meta")


def test_og_published_time_comes_before_a_generic_date_meta() -> None:
    # Issue #12 (WCXB half 0): a page whose "date" meta held another day ("01/07/16") than its
    # og:published_time, the day its byline shows.
    meta = _meta(
        '<meta name="date" content="01/07/16">'
        "<meta property='og:published_time' content='2024-10-08T00:00:00-04:00'>"
    )
    assert meta.published == (("meta", "2024-10-08T00:00:00-04:00"), ("meta", "01/07/16"))


def test_a_time_marked_pubdate_comes_before_every_declared_date() -> None:
    # Issue #12 (WCXB half 0): JSON-LD's datePublished was the page's last save; the article's own
    # "Published <time pubdate>" line gave the day the gold has.
    meta = _meta(
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "A", '
        '"datePublished": "2025-11-29T12:28:31-05:00"}</script>',
        body="<time datetime='2025-11-29'>Nov 29</time><p>Published <time pubdate datetime='2025-08-13'>"
        "August 13, 2025</time></p>",
    )
    assert meta.published[:2] == (("time", "2025-08-13"), ("json-ld", "2025-11-29T12:28:31-05:00"))


def _ld(headline: str) -> str:
    return f'<script type="application/ld+json">{{"@type": "BlogPosting", "headline": "{headline}"}}</script>'


def test_a_headline_cut_off_by_an_seo_plugin_is_read_whole_from_the_declared_title() -> None:
    cut = "Fix It Friday: How To Arrange Your Living Room? We Help 4 Readers Find Solutions (Including"
    whole = f"{cut} One Trick That 9/10 Works) - Emily Henderson"
    meta = _meta(_ld(cut) + f'<meta property="og:title" content="{whole}">')
    assert meta.headline == whole  # the site name goes when the title is normalized
    # A short headline is whole: a longer declared title is another version of it.
    meta = _meta(_ld("Council approves budget") + "<title>Council approves budget for the harbour</title>")
    assert meta.headline == "Council approves budget"
    # A title that only adds the site's name, or a subtitle, leaves a whole headline as it is.
    for title in ("Council approves budget | The Gazette", "Council approves budget: what it funds"):
        meta = _meta(_ld("Council approves budget") + f"<title>{title}</title>")
        assert meta.headline == "Council approves budget"


def test_a_date_inside_the_h1_is_not_part_of_the_headline() -> None:
    meta = _meta(
        "<title>Preparing a transition in Debusine</title>",
        '<h1><a href="/p"><time datetime="2025-12-18">Dec <span>18</span> 2025</time>'
        " Preparing a transition in&nbsp;Debusine</a></h1><p>x</p>",
    )
    assert meta.h1 == "Preparing a transition in Debusine"
    # A heading that is nothing but a date keeps it.
    assert heading_text(lxml_html.fragment_fromstring("<h1><time>March 2025</time></h1>")) == "March 2025"


def test_a_subtitle_set_apart_only_by_css_is_not_glued_to_the_headline() -> None:
    heading = (
        '<h1>The Best Notion Alternatives<span class="block">Top Note-taking Tools</span>'
        " <span>i</span>OS <b>Mc</b>Donald<em>Apps</em></h1>"
    )
    assert heading_text(lxml_html.fragment_fromstring(heading)) == (
        "The Best Notion Alternatives Top Note-taking Tools iOS McDonald Apps"
    )


def test_an_h1_showing_a_short_title_before_a_name_like_one_is_the_headline() -> None:
    # Issue #12 (WCXB half 1): with the title's first part dropped as a brand, the <h1> that
    # shows it matched nothing and the site's name became the title.
    meta = _meta(
        "<title>Climate Change | Economic Research Service</title>", "<h1>Climate Change</h1><p>x</p>"
    )
    assert meta.h1 == "Climate Change"


def test_an_h1_showing_what_the_title_adds_to_og_title_is_the_sites_masthead() -> None:
    # Issue #12 (WCXB half 1): "Blog: Headline" against og:title's "Headline" names the blog, and
    # its masthead <h1> shares three words with the <title>.
    meta = _meta(
        "<title>Engora Data Blog: Small adventures with small language models</title>"
        '<meta property="og:title" content="Small adventures with small language models">',
        "<h1>Engora Data Blog</h1><h3>Small adventures with small language models</h3><p>x</p>",
    )
    assert meta.h1 is None
    # What a longer title adds may be the rest of the headline, which the <h1> shows.
    meta = _meta(
        "<title>Council approves budget for the harbour and its bridges</title>"
        '<meta property="og:title" content="Council approves budget">',
        "<h1>For the harbour and its bridges</h1><p>x</p>",
    )
    assert meta.h1 == "For the harbour and its bridges"


def test_citation_authors_are_read_one_tag_each_last_name_last() -> None:
    meta = _meta(
        '<meta name="citation_author" content="Roy, Aniruddha">'
        '<meta name="citation_author" content="Patel, Jyoti">'
        '<meta name="citation_author" content="Jeff T. Kaufman">'
    )
    assert meta.authors == ("Aniruddha Roy", "Jyoti Patel", "Jeff T. Kaufman")


def test_citation_authors_in_the_plural_name_is_read_one_tag_each_or_one_list() -> None:
    meta = _meta(
        '<meta name="citation_authors" content="Ana Lima"><meta name="citation_authors" content="João Silva">'
    )
    assert meta.authors == ("Ana Lima", "João Silva")
    meta = _meta('<meta name="citation_authors" content="Lima, Ana; Silva, João">')
    assert meta.authors == ("Ana Lima", "João Silva")


def _read(page: str) -> PageMetadata:
    return read_metadata(lxml_html.document_fromstring(page))


_DESCRIBED = (
    '<html><head><meta name="description" content="Bridges age, and this one aged badly."></head>'
    "<body><article><h1>Harbour bridge reopens</h1>{between}<div class='content'>{body}</div></article></body></html>"
)


@pytest.mark.parametrize(
    ("between", "body"),
    [
        ("<h2 class='sub'>Bridges age, and this one aged badly.</h2>", "<p>The bridge reopened.</p>"),
        ("<p class='dek'>Bridges age, and this one aged <em>badly</em>.</p>", "<p>The bridge reopened.</p>"),
        (
            "<div class='byline'>By Ann Lee</div>",
            "<h3>Bridges age, and this one aged badly</h3><p>It reopened.</p>",
        ),
    ],
)
def test_a_description_printed_as_a_subheading_or_under_the_headline_is_the_dek(
    between: str, body: str
) -> None:
    assert _read(_DESCRIBED.format(between=between, body=body)).dek == "Bridges age, and this one aged badly."


def test_a_description_that_copies_the_first_paragraph_is_not_a_dek() -> None:
    # Blogs' descriptions repeat the article's opening paragraph, which belongs to the body.
    page = _DESCRIBED.format(
        between="<div class='byline'>By Ann Lee</div>",
        body="<p>Bridges age, and this one aged badly.</p><p>The bridge reopened.</p>",
    )
    meta = _read(page)
    assert meta.description == "Bridges age, and this one aged badly."
    assert meta.dek is None
