"""extract_article on recorded benchmark pages and small hand-made pages."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.metadata import extract_metainfo
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from newsflow.errors import ExtractionError
from newsflow.extract.article import extract_article
from newsflow.extract.body import _is_boilerplate
from newsflow.extract.markup_guesses import _markup_author
from newsflow.extract.tree import parse_html
from newsflow.records import PageHints
from tests.support.scoring import score_page, score_pages

FIXTURES = Path(__file__).parents[1] / "fixtures"
AEB = FIXTURES / "aeb"
TRUTH: dict[str, dict[str, str]] = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _aeb_page(prefix: str) -> tuple[str, str, str]:
    (page_id,) = [key for key in TRUTH if key.startswith(prefix)]
    html = gzip.decompress((AEB / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
    return html, TRUTH[page_id]["url"], TRUTH[page_id]["articleBody"]


def _page(name: str) -> str:
    return (FIXTURES / "pages" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("page_id", sorted(TRUTH))
def test_recorded_page_body_matches_ground_truth(page_id: str) -> None:
    html, url, expected = _aeb_page(page_id)
    article = extract_article(html, url=url, now=NOW)
    page = score_page(expected, article.text)
    assert page.recall >= 0.6, f"{url}: most of the article is missing"
    assert page.precision >= 0.6, f"{url}: mostly boilerplate"


def test_recorded_pages_score_above_plain_trafilatura_level() -> None:
    scores = []
    for page_id in TRUTH:
        html, url, expected = _aeb_page(page_id)
        scores.append(score_page(expected, extract_article(html, url=url, now=NOW).text))
    assert score_pages(scores).f1 >= 0.96


# (page id prefix, must contain, must not contain): hand-checked on the recorded pages.
RECORDED_CASES = [
    (
        "51374560",  # headline and standfirst repeated at the top of the body
        ["Home Depot"],
        ["Home Depot sales miss, shares plunge\n"],
    ),
    (
        "30b771a4",  # magazine subscription prompt and comment call at the end
        ["soundtrack"],
        ["Tell us what YOU think", "Get Motor Cycle Monthly delivered"],
    ),
    (
        "7916ecca",  # Al Jazeera: label lines between paragraphs
        ["helicopter"],
        ["\nMore:\n"],
    ),
    (
        "232a43fb",  # MacRumors: reader comments must not be extracted
        ["scissor"],
        ["Reply", "Score:"],
    ),
]


@pytest.mark.parametrize(("prefix", "must", "must_not"), RECORDED_CASES)
def test_recorded_page_assertions(prefix: str, must: list[str], must_not: list[str]) -> None:
    html, url, _ = _aeb_page(prefix)
    text = extract_article(html, url=url, now=NOW).text
    for snippet in must:
        assert snippet in text
    for snippet in must_not:
        assert snippet not in "\n" + text + "\n"


def test_headline_and_standfirst_are_not_in_the_body() -> None:
    article = extract_article(_page("dated-article.html"), url="https://courier.example/news/bridge", now=NOW)
    assert article.text.startswith("The old harbour bridge reopened")
    assert "Traffic returns to the old harbour crossing" not in article.text
    assert "Follow The Coastal Courier" not in article.text
    assert "All rights reserved" not in article.text
    assert article.title == "Harbour bridge reopens after repairs"
    assert article.authors == ("Marta ‘Mo’ Jensen",)
    assert article.language == "en"
    assert article.site_name == "The Coastal Courier"


def test_published_date_keeps_time_and_converts_to_utc() -> None:
    article = extract_article(_page("dated-article.html"), url="https://courier.example/news/bridge", now=NOW)
    assert article.published_at == datetime(2024, 5, 17, 7, 30, tzinfo=UTC)
    assert article.published_at_source == "json-ld"
    assert article.modified_at == datetime(2024, 5, 18, 8, 0, tzinfo=UTC)


def test_page_date_far_from_listing_date_yields_to_listing() -> None:
    listed = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)
    article = extract_article(
        _page("dated-article.html"),
        url="https://courier.example/news/bridge",
        hints=PageHints(listed_published_at=listed),
        now=NOW,
    )
    assert article.published_at == listed
    assert article.published_at_source == "listing"
    assert (article.published_at_note or "").startswith("json-ld date")
    # The page's update (2024-05-18) is six weeks before that publication: not this article's.
    assert article.modified_at is None


def test_an_update_declared_before_the_publication_is_none() -> None:
    page = _page("dated-article.html")
    assert '"dateModified": "2024-05-18T10:00:00+02:00"' in page
    article = extract_article(
        page.replace(
            '"dateModified": "2024-05-18T10:00:00+02:00"', '"dateModified": "2024-05-03T10:00:00+02:00"'
        ),
        url="https://courier.example/news/bridge",
        now=NOW,
    )
    assert article.published_at == datetime(2024, 5, 17, 7, 30, tzinfo=UTC)
    assert article.modified_at is None


def test_page_date_in_the_future_is_not_stored() -> None:
    now = datetime(2024, 5, 10, tzinfo=UTC)  # a week before the page's datePublished
    article = extract_article(_page("dated-article.html"), url="https://courier.example/news/bridge", now=now)
    assert article.published_at is None
    listed = now - timedelta(hours=3)
    with_listing = extract_article(
        _page("dated-article.html"),
        url="https://courier.example/news/bridge",
        hints=PageHints(listed_published_at=listed),
        now=now,
    )
    assert with_listing.published_at == listed
    assert with_listing.published_at_source == "listing"
    assert with_listing.published_at_note == "json-ld date in the future"


def test_page_without_a_date_never_gets_the_fetch_time() -> None:
    article = extract_article(_page("undated-article.html"), url="https://blog.example/allotment", now=NOW)
    assert article.published_at is None
    assert article.published_at_source is None
    assert article.language == "nl"  # undeclared: detected from the text


def test_date_in_the_url_is_used_when_the_page_has_none() -> None:
    article = extract_article(
        _page("undated-article.html"), url="https://blog.example/2021/03/04/allotment", now=NOW
    )
    assert article.published_at == datetime(2021, 3, 4, tzinfo=UTC)
    assert article.published_at_source == "url"
    # A copy served elsewhere (a mirror, a partner's republication) is dated by the address the
    # page declares, where it was first published, not by the path of the copy.
    page = _page("undated-article.html").replace(
        "<head>", '<head><link rel="canonical" href="https://blog.example/2021/03/04/allotment">', 1
    )
    article = extract_article(page, url="http://127.0.0.1:8000/partner/2024/01/09/allotment", now=NOW)
    assert article.published_at == datetime(2021, 3, 4, tzinfo=UTC)


def test_jsonld_article_body_rescues_a_script_rendered_page() -> None:
    article = extract_article(_page("jsonld-body-only.html"), url="https://town.example/library", now=NOW)
    assert article.text.startswith("The council approved the library budget")
    assert "<p>" not in article.text
    assert "afford it & asked" in article.text
    assert article.published_at == datetime(2023, 2, 1, tzinfo=UTC)


def test_page_without_article_raises() -> None:
    with pytest.raises(ExtractionError, match="no article text"):
        extract_article("<html><body><nav>Home | News</nav></body></html>", url="https://x.example/", now=NOW)


_PARAGRAPHS = "".join(
    f"<p>The harbour board met on Tuesday to discuss item {i} of the dredging plan, and members asked "
    "for a costed proposal before the spring tides arrive next year.</p>"
    for i in range(6)
)


def test_a_page_read_as_latin_1_is_repaired_before_its_controls_are_lost() -> None:
    # UTF-8 read as Latin-1 leaves C1 controls ("isn\u00e2\x80\x99t"); trafilatura drops them
    # from the text, and "isnât" would be left, which no repair of the text can read.
    mangled = "’".encode().decode("latin-1")
    page = (
        f"<html><head><title>Pet insurance{mangled}s price</title></head><body><article><h1>Prices</h1>"
        f"{_PARAGRAPHS}<p>Your price isn{mangled}t plucked from thin air {mangled} insurers weigh your "
        f"pet{mangled}s breed, age and ZIP code.</p></article></body></html>"
    )
    article = extract_article(page, url="https://pets.example/cost", now=NOW)
    assert "Your price isn’t plucked from thin air ’ insurers weigh your pet’s breed" in article.text
    assert "â" not in article.text
    # Accented text is not touched without the controls that prove a misreading.
    page = f"<html><body><article>{_PARAGRAPHS}<p>A lâmpada e o pão: Ãœber.</p></article></body></html>"
    assert "A lâmpada e o pão: Ãœber." in extract_article(page, url="https://x.example/a", now=NOW).text


def test_an_article_after_a_premature_end_of_document_is_extracted() -> None:
    # A template closed the document after its header; a browser shows the article after it.
    page = (
        "<html><head><title>Dredging plan</title></head><body><header><nav><a href='/'>Home</a>"
        "</nav></header></body>\n</html>\n"
        f"<div class='post'><h1>Dredging plan</h1>{_PARAGRAPHS}</div></body></html>"
    )
    article = extract_article(page, url="https://harbour.example/news/dredging", now=NOW)
    assert article.text.count("The harbour board met on Tuesday") == 6


def test_markup_byline_is_found_when_the_page_declares_no_author() -> None:
    page = (
        "<html><head><title>Harbour dredging plan delayed</title></head><body><article>"
        "<h1>Harbour dredging plan delayed</h1>"
        f'<div class="author">Written by Maria Jensen</div>{_PARAGRAPHS}</article></body></html>'
    )
    article = extract_article(page, url="https://harbour.example/2024/05/02/dredging", now=NOW)
    assert article.authors == ("Maria Jensen",)
    assert "Maria Jensen" not in article.text.splitlines()[0]
    assert article.text.startswith("The harbour board met on Tuesday")


def test_the_visible_byline_wins_over_a_site_declared_as_the_author() -> None:
    declared = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": "Eating well on a budget",
            "author": {"@type": "Person", "name": "Heart Foundation"},
            "publisher": {"@type": "Organization", "name": "Heart Foundation"},
        }
    )
    page = (
        f'<html><head><script type="application/ld+json">{declared}</script>'
        '<meta property="og:site_name" content="Heart Foundation"/></head><body><article>'
        f"<h1>Eating well on a budget</h1><p>By Tracy Parker</p>{_PARAGRAPHS}</article></body></html>"
    )
    article = extract_article(page, url="https://heart.example/eat-well", now=NOW)
    assert article.authors == ("Tracy Parker",)
    # Without a visible byline, still not the site: an institution is no person (issue #12: no site names).
    alone = page.replace("<p>By Tracy Parker</p>", "")
    assert extract_article(alone, url="https://heart.example/eat-well", now=NOW).authors == ()


def test_a_copy_served_elsewhere_knows_its_outlet_by_the_address_it_declares() -> None:
    # A company that signs its own blog is the site (issue #12: no site names), wherever the page
    # is read from: a mirror or an archive replayed on another host gives the same authors.
    page = (
        '<html><head><link rel="canonical" href="https://www.kaspersky.com/blog/usb-safety/"/>'
        '<meta name="author" content="Kaspersky"/></head><body><article><h1>USB safety</h1>'
        f"{_PARAGRAPHS}</article></body></html>"
    )
    for url in ("https://www.kaspersky.com/blog/usb-safety/", "http://127.0.0.1:8000/blog/usb-safety/"):
        article = extract_article(page, url=url, now=NOW)
        assert article.authors == ()
        assert article.url == "https://www.kaspersky.com/blog/usb-safety/"


def test_tags_come_from_declared_keywords_sections_and_article_tags() -> None:
    page = (
        '<html><head><meta property="article:section" content="Local"/>'
        '<meta property="article:tag" content="Harbour"/><meta property="article:tag" content="Tides"/>'
        '<meta name="news_keywords" content="dredging, harbour, &quot;"/></head><body><article>'
        f"<h1>Harbour dredging plan delayed</h1>{_PARAGRAPHS}"
        '<nav class="categories"><a href="/sport">Sport</a><a href="/weather">Weather</a></nav>'
        "</article></body></html>"
    )
    article = extract_article(page, url="https://harbour.example/dredging", now=NOW)
    assert article.tags == ("Local", "Harbour", "Tides", "dredging", "harbour")


def test_tags_are_keywords_not_prose_addresses_or_template_data() -> None:
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Harbour dredging plan delayed",
            "keywords": ["locale: US", "content-type: Feature", "Culture"],
        }
    )
    # A description in the keywords, split at its commas, is no tags.
    prose = (
        "Staying ahead of fitness trends keeps personal trainers competitive and in demand. As new "
        "technologies, training styles, and client expectations emerge quickly, knowing what is coming lets you adapt."
    )
    page = (
        f'<html><head><script type="application/ld+json">{ld}</script>'
        '<meta property="article:tag" content="https://harbour.example/tags/tides"/>'
        '<meta name="keywords" content="Food &amp; Drink; Travel, U.S. harbours"/>'
        f'<meta name="news_keywords" content="{prose}"/></head><body><article>'
        f"<h1>Harbour dredging plan delayed</h1>{_PARAGRAPHS}</article></body></html>"
    )
    article = extract_article(page, url="https://harbour.example/dredging", now=NOW)
    assert article.tags == ("Culture", "Food & Drink", "Travel", "U.S. harbours")


def test_the_image_is_an_absolute_address_and_the_description_plain_text() -> None:
    def page(image: str) -> str:
        return (
            f'<html><head><meta property="og:image" content="{image}"/><meta property="og:description" '
            'content="&lt;p&gt;The board &lt;a href=&quot;/board&quot;&gt;met&lt;/a&gt; again.&lt;/p&gt;"/>'
            f"</head><body><article><h1>Harbour dredging plan delayed</h1>{_PARAGRAPHS}</article></body></html>"
        )

    url = "https://harbour.example/news/dredging"
    article = extract_article(page("/img/dredger.jpg"), url=url, now=NOW)
    assert article.image == "https://harbour.example/img/dredger.jpg"
    assert article.description == "The board met again."
    assert extract_article(page("//cdn.example/d.png"), url=url, now=NOW).image == "https://cdn.example/d.png"
    assert (
        extract_article(page("dredger.jpg"), url=url, now=NOW).image
        == "https://harbour.example/news/dredger.jpg"
    )
    # A template's object printed where the address goes is no image.
    assert extract_article(page("com.example.Image@1aa3b0b8"), url=url, now=NOW).image is None


def _trafilatura_author(html: str) -> str | None:
    tree = parse_html(html)
    assert tree is not None
    return extract_metainfo(prune_unwanted_nodes(tree, AUTHOR_DISCARD_XPATHS), AUTHOR_XPATHS, len_limit=120)


@pytest.mark.parametrize("page_id", sorted(TRUTH))
def test_markup_author_search_finds_what_trafilatura_finds(page_id: str) -> None:
    html, _url, _body = _aeb_page(page_id)
    tree = parse_html(html)
    assert tree is not None
    assert _markup_author(tree) == _trafilatura_author(html)


def test_markup_author_search_skips_what_trafilatura_discards() -> None:
    page = (
        "<html><body><div class='comments'><span class='author'>A Commenter</span></div>"
        "<p class='byline'>Maria Jensen <time>May 2</time>, harbour desk</p>"
        "<div id='author'>Ann Other and a biography far too long to be a byline, "
        + "more words " * 12
        + "</div></body></html>"
    )
    tree = parse_html(page)
    assert tree is not None
    assert _markup_author(tree) == _trafilatura_author(page) == "Maria Jensen , harbour desk"


def test_a_first_paragraph_the_description_copies_stays_in_the_body() -> None:
    opening = "Bridges age, and the harbour bridge aged worse than most of them did."
    rest = "".join(
        f"<p>Paragraph {n} tells how the crews replaced the corroded plates of the deck.</p>"
        for n in range(8)
    )
    page = (
        f'<html><head><title>Harbour bridge reopens</title><meta name="description" content="{opening}"></head>'
        "<body><article><h1>Harbour bridge reopens</h1><div class='byline'>By Ann Lee</div>"
        f"<div class='content'><p>{opening}</p>{rest}</div></article></body></html>"
    )
    article = extract_article(page, url="https://blog.example/posts/bridge", now=NOW)
    assert article.text.startswith(opening)


def _guide_page(title: str, note: str, blocks: str) -> str:
    """A guide: 30 numbered notes trafilatura keeps ("Note 29: ..."), then `blocks` it may discard."""
    notes = "".join(f"<p>Note {n}: {note}</p>" for n in range(30))
    return (
        f"<html><head><title>{title}</title></head><body><main><h1>{title}</h1>"
        f"<div class='intro'>{notes}</div>{blocks}</main></body></html>"
    )


def test_an_article_block_trafilatura_takes_for_a_bar_stays_and_real_furniture_goes() -> None:
    # trafilatura's "bar" token finds Statamic's "bard" text blocks; the newsletter bar is one.
    guide = "".join(
        f"<p>Step {n} of the guide explains why the evening crossings of the ferries now leave earlier.</p>"
        for n in range(45)
    )
    promo = "".join(f"<p>Subscribe to our newsletter for offer {n} and more.</p>" for n in range(6))
    page = _guide_page(
        "Ferry timetable changes",
        "the winter timetable starts on Monday, and riders should check the boards at the pier before they travel.",
        f"<div class='space-y-4 bard'>{guide}</div><div class='newsletter-bar'>{promo}</div>",
    )
    article = extract_article(page, url="https://ferries.example/news/timetable", now=NOW)
    assert "Note 29:" in article.text
    assert "Step 44 of the guide" in article.text
    assert "Subscribe" not in article.text


def test_a_word_processor_element_above_a_missing_paragraph_is_no_block() -> None:
    # The probe copies an element's name into a new tree: XML refuses "o:p" and the like.
    assert not _is_boilerplate("o:p", {"class": "bar"})
    assert _is_boilerplate("div", {"class": "space-y-4 bard"})


def _sections(opening: str, sentence: str, closing: str = "</div>") -> str:
    """Seven sections of eight paragraphs, each under the `opening` tags (its block left open)."""
    return "".join(
        opening.format(n=n) + "".join(f"<p>{sentence.format(n=n, m=m)}</p>" for m in range(8)) + closing
        for n in range(7)
    )


@pytest.mark.parametrize(
    ("title", "sections", "last"),
    [
        # Each "listicle-slides" item holds a small share of the page's text; together, most of it.
        (
            "Online interior design",
            _sections(
                "<div class='listicle-slides'><h2>{n}. Studio {n}</h2>",
                "Studio {n}, point {m}: a style quiz comes first, then three design ideas.",
            ),
            "Studio 6, point 7:",
        ),
        # A script opens each panel of an accordion; trafilatura drops what "display:none" hides.
        (
            "Solar installation timeline",
            _sections(
                "<h3>Week {n}</h3><div class='collapse-v-{n}_content' style='display:none;'>",
                "Week {n}, task {m}: the installer files permits and orders the panels.",
            ),
            "Week 6, task 7:",
        ),
        # An FAQ's <details>: trafilatura reads it as a <div>, whose "expandable" class it discards.
        (
            "Healthy eating plate",
            _sections(
                "<details class='expandable bg-light'><summary>Question {n}?</summary>",
                "Answer {n}, part {m}: whole grains and vegetables fill most of the plate.",
                "</details>",
            ),
            "Answer 6, part 7:",
        ),
    ],
    ids=["listicle-slides", "accordion-panels", "faq-details"],
)
def test_sections_trafilatura_discards_one_by_one_stay_together(title: str, sections: str, last: str) -> None:
    page = _guide_page(
        title, "each section below was checked by an editor before it went out to readers.", sections
    )
    article = extract_article(page, url="https://guides.example/guides/page", now=NOW)
    assert "Note 29:" in article.text
    assert last in article.text


def _banking_block(part: int, paragraphs: int) -> str:
    return "".join(
        f"<p>Part {part}, paragraph {n}: the neo-banks promise friendlier fees, but the economics of "
        "lending stay what they were before the apps.</p>"
        for n in range(paragraphs)
    )


def test_an_article_that_ad_rows_split_into_blocks_of_one_template_is_read_whole() -> None:
    # trafilatura takes the first article block; the article goes on in the next one.
    grid = "<div class='grid body-grid'><div class='body__container article__body'>{}</div>{}</div>"
    aside = "<div class='grid-layout__aside'><div class='ad ad--rail'></div></div>"
    ad_row = "<div class='row full-bleed-ad'><div class='ad'><span class='ad-label'>Advertisement</span></div></div>"
    comments = (
        "<div class='grid body-grid'><div class='comment-content article__body'>"
        + "".join(
            f"<p>Reader {n} writes that banks were always like this, and the apps change nothing.</p>" * 2
            for n in range(3)
        )
        + "</div></div>"
    )
    page = (
        "<html><head><title>The future of banking</title></head><body><main><article>"
        "<h1>The future of banking</h1>"
        + grid.format(_banking_block(1, 6), aside)
        + ad_row
        + grid.format(
            _banking_block(2, 8) + "<aside><p>" + "A pull quote set beside the text. " * 4 + "</p></aside>",
            "",
        )
        + comments
        + "</article></main>"
        # The same block of a footer, under another parent, is no part of it.
        + f"<footer><div class='footer-about'><div class='body__container article__body'>{_banking_block(9, 3)}</div>"
        + "</div></footer></body></html>"
    )
    article = extract_article(page, url="https://mag.example/story/banking", now=NOW)
    assert article.text.count("Part 1,") == 6
    assert article.text.count("Part 2,") == 8
    assert "Part 9," not in article.text
    assert "Reader" not in article.text
    assert "A pull quote" not in article.text


def test_a_page_answered_401_or_402_is_a_paywalled_teaser_and_a_bare_wall_is_retried() -> None:
    from newsflow.extract.page import process_page
    from newsflow.records import FetchedPage, FetchOutcome, Outcome, ProcessedArticle

    body = _page("dated-article.html").encode("utf-8")
    url = "https://courier.example/news/bridge"

    def fetched(status: int, page: bytes) -> FetchedPage:
        return FetchedPage(url, url, "courier", status, page, "text/html; charset=utf-8")

    for status, paywalled in ((200, None), (402, True), (401, True)):
        processed = process_page(fetched(status, body))
        assert isinstance(processed, ProcessedArticle) and processed.article.paywalled is paywalled, status
    wall = process_page(fetched(401, b"<html><body><h1>Sign in</h1></body></html>"))
    assert isinstance(wall, FetchOutcome) and (wall.outcome, wall.http_status) == (Outcome.ERROR, 401)
    assert wall.error == f"{url}: HTTP 401 and no article on the page"


def _page_with_cards(hrefs: list[str]) -> str:
    """A blog post, then a "Read this next" row of cards linking to `hrefs`, each with an excerpt."""
    post = "".join(
        f"<p>Point {n}: a vegan diet starts with beans, grains and greens, bought in bulk and cooked ahead.</p>"
        for n in range(12)
    )
    cards = "".join(
        f"<div class='item'><h3><a href='{href}'>Card {n}: a guide from the same kitchen</a></h3>"
        f"<p>Dec {n + 10}, 2025</p><p>Excerpt {n}: cooking plants for a family of four takes less time than "
        "it seems, once a week of meals is planned.</p></div>"
        for n, href in enumerate(hrefs)
    )
    return (
        "<html><head><title>How to go vegan</title></head><body><article><h1>How to go vegan</h1>"
        f"<div class='entry-content'>{post}<h2>Read this next</h2><div class='posts'>{cards}</div></div>"
        "</article></body></html>"
    )


@pytest.mark.parametrize(
    ("hrefs", "kept"),
    [
        # Other articles of the blog, at the post's own depth: teasers, not the post.
        (
            [
                "/blog/how-to-eat-vegan-on-a-budget",
                "/blog/vegan-seafood-alternatives-to-try",
                "/blog/what-supplements-should-vegans-take",
            ],
            False,
        ),
        # A hub's sections (short names, another depth): the page's content, as often as not.
        (
            ["/blog/recipes", "/guides/vegan-seafood", "/blog/recipes/what-supplements-should-vegans-take"],
            True,
        ),
    ],
    ids=["article-teasers", "section-links"],
)
def test_teaser_cards_for_other_articles_go_and_links_to_sections_stay(hrefs: list[str], kept: bool) -> None:
    article = extract_article(
        _page_with_cards(hrefs), url="https://kitchen.example/blog/how-to-go-vegan", now=NOW
    )
    assert "Point 11:" in article.text
    assert ("Excerpt 1:" in article.text) is kept


def test_teaser_cards_are_judged_against_the_address_the_page_declares() -> None:
    # A copy served elsewhere (a mirror, a test site) keeps the links written for its canonical
    # address: the cards' depth and site are those of that address, not of where it was read.
    hrefs = [
        "/blog/how-to-eat-vegan-on-a-budget",
        "/blog/vegan-seafood-alternatives-to-try",
        "/blog/what-vegans-eat-daily",
    ]
    html = _page_with_cards(hrefs).replace(
        "<head>", '<head><link rel="canonical" href="https://kitchen.example/blog/how-to-go-vegan">'
    )
    article = extract_article(html, url="http://127.0.0.1:8000/mirror/kitchen/blog/how-to-go-vegan", now=NOW)
    assert "Point 11:" in article.text and "Excerpt 1:" not in article.text


def test_a_recall_body_far_shorter_than_the_pages_paragraphs_gets_the_default_modes_opinion() -> None:
    # Recall mode keeps only the recipe's quick-view description, a fraction of the page's <p>
    # text; the default mode, asked because of that, finds the steps.
    html = (FIXTURES / "wcxb" / "4163-recipe-steps.html").read_text(encoding="utf-8")
    url = "https://www.kingarthurbaking.com/recipes/easy-everyday-sourdough-bread-recipe"
    article = extract_article(html, url=url)
    assert "Uncover the risen loaf and place the pan in the oven" in article.text


@pytest.mark.parametrize("webflow", [True, False], ids=["webflow", "elsewhere"])
def test_a_webflow_sites_embedded_table_is_part_of_the_article(webflow: bool) -> None:
    # Webflow puts what its editor cannot make (a table) in an HTML embed, class "w-embed", whose
    # "embed" trafilatura's class test discards; on another site's page the test stands. (The
    # markup is WCXB 0089's, a health-insurance guide, cut down.)
    rows = "".join(
        f"<tr><td>Insurer {n}</td><td>{n * 3}M members</td><td>All 50 states</td></tr>" for n in range(1, 7)
    )
    table = (
        "<div class='w-embed'><table><thead><tr><th>Company</th><th>Members</th><th>States</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )
    marks = ' data-wf-page="64f1" data-wf-site="64e9"' if webflow else ""
    page = (
        f"<html{marks}><head><title>Health insurers compared</title></head><body>"
        "<main class='main-wrapper'><header class='section_blog-post-content'><div class='blog-rich-text w-richtext'>"
        f"<h1>Health insurers compared</h1>{_PARAGRAPHS}{table}{_PARAGRAPHS}</div>"
        "<div class='footer-embed w-embed'><p>Subscribe to our newsletter for weekly insurance tips.</p></div>"
        "</header></main></body></html>"
    )
    article = extract_article(page, url="https://insure.example/blog/insurers", now=NOW)
    assert article.text.count("The harbour board met on Tuesday") == 12
    assert ("| Insurer 4 | 12M members | All 50 states |" in article.text) is webflow
    # The block's other tokens still count: a footer embed stays out.
    assert "Subscribe to our newsletter" not in article.text


_CODE_POST = """<html><head><title>Retrying a flaky call</title></head><body>
<nav><a href="/">Home</a> <a href="/blog">Blog</a></nav>
<article><h1>Retrying a flaky call</h1>
<p>Networks fail,  and a call that fails once often works the second time. This post shows the small
helper we wrap around every request to a partner's API, and why it gives up after three tries.</p>
<p>The helper counts its attempts and sleeps a little longer after each failure, so a service that is
restarting gets the time it needs before the next request arrives.</p>
<pre><code class="language-python">def fetch(url):
    for attempt in range(3):
        try:
            return <span class="kw">client</span>.get(url)
        except TimeoutError:
            time.sleep(2 ** attempt)
    raise GaveUp(url)
</code></pre>
<p>The plan the database printed for the lookup shows the index at work:</p>
<pre>  Index Scan using idx_org on org  (cost=0.42..8.44 rows=1)
----------------------------------------------------------
      Index Cond: (name = 'aa')</pre>
<p>Giving up is a feature: a caller that knows the partner is down can say so, instead of waiting
forever on a request that will never be answered.</p>
</article></body></html>"""


def test_a_code_block_keeps_its_indentation_and_columns() -> None:
    # Python without its indentation is another program, and a query plan without its columns
    # is hard to read: code keeps its layout, while the prose around it is still tidied.
    article = extract_article(_CODE_POST, url="https://dev.example/blog/retries", now=NOW)
    lines = article.text.split("\n")
    assert "def fetch(url):" in lines
    assert "    for attempt in range(3):" in lines
    assert "            return client.get(url)" in lines
    assert "            time.sleep(2 ** attempt)" in lines
    assert "    raise GaveUp(url)" in lines
    assert "  Index Scan using idx_org on org  (cost=0.42..8.44 rows=1)" in lines
    assert "-" * 58 in lines
    assert "      Index Cond: (name = 'aa')" in lines
    assert "Networks fail, and a call that fails once often works the second time." in article.text
    assert "\ufdd0" not in article.text


def _tweet(text: str, who: str) -> str:
    return f'<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{text}</p>— {who} November 18, 2019</blockquote>'


def test_a_quoted_post_stays_though_its_wrapper_reads_as_a_share_bar() -> None:
    # NJ.com and its sister sites wrap each embedded post in "social-media-embed", whose "social"
    # trafilatura discards; the story quotes them as its evidence. A block around more than a
    # post (a sidebar of blurbs) keeps its own discarding class.
    story = "".join(
        f"<p>Paragraph {n} of the story explains how the state spent half a million dollars on the campaign.</p>"
        for n in range(8)
    )
    # The sidebar's blurbs are paragraphs a discarded block hides; opened, they would read as text.
    sidebar = "".join(
        f"<p>Blurb {n}: our social desk picks the week's best posts about the state for readers.</p>"
        for n in range(6)
    )
    page = (
        "<html><head><title>Meth campaign draws mockery</title></head><body><article>"
        "<h1>Meth campaign draws mockery</h1>"
        f"{story}<p>And a whole lot of people on Twitter pointed out the problem with the slogan.</p>"
        f'<div class="social-media-embed">{_tweet("Yes this is real and the state paid for it", "Dianna (@dianna)")}</div>'
        f"{story.replace('Paragraph', 'Section')}"
        f'<div class="social-sidebar">{_tweet("Follow us for more campaign news", "Desk (@desk)")}{sidebar}</div>'
        "</article></body></html>"
    )
    article = extract_article(page, url="https://www.nj.example/news/2019/11/meth-campaign.html", now=NOW)
    assert "Yes this is real and the state paid for it" in article.text
    assert "Section 7 of the story" in article.text
    assert "Blurb" not in article.text
