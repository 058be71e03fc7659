"""What extraction reads from the page beyond trafilatura (issue #12): the headline the page shows,
the byline's names and dates, the paywall flag, and the day as the page states it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from lxml import html as lxml_html

from newsflow.extract.article import extract_article
from newsflow.extract.authors import _AUTHOR_LABELS
from newsflow.extract.bylines import (
    bio_author,
    byline_names,
    dated_names,
    described_writers,
    name_line_authors,
    shown_team,
)
from newsflow.extract.dates import dateline_days, day_beside_names, scripted_published_day, visible_dates
from newsflow.extract.metadata import read_metadata
from newsflow.extract.normalize import declared_handles, normalize_authors, scripted_authors, shown_credit

NOW = datetime(2025, 6, 1, tzinfo=UTC)
PARAGRAPHS = (
    "<p>The council voted on Tuesday to reopen the old bridge to cyclists and walkers after two years "
    "of repairs, a decision that residents on both banks of the river had long campaigned for.</p>"
    "<p>Engineers replaced the rusted deck plates and strengthened the piers, which had been found to "
    "be cracking during an inspection in the winter before the closure was ordered.</p>"
    "<p>Motor traffic will stay on the new crossing downstream, and the mayor said a cafe and a small "
    "museum about the bridge's history would open on the east bank next spring.</p>"
)


def _html(head: str, body: str) -> str:
    return f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>"


def _ld(**fields: object) -> str:
    import json

    return f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", **fields})}</script>'


def test_the_headline_is_the_h1_matching_a_declared_title_not_the_logo() -> None:
    page = _html(
        "<title>Bridge reopens to cyclists after repairs | The Courier</title>",
        "<header><h1>The Courier</h1></header><article><h1>Old bridge reopens to cyclists</h1>"
        + PARAGRAPHS
        + "</article>",
    )
    meta = read_metadata(lxml_html.document_fromstring(page))
    assert meta.h1 == "Old bridge reopens to cyclists"
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.title == "Old bridge reopens to cyclists"


def test_an_h1_holding_the_sites_name_is_not_the_headline() -> None:
    # A blog's masthead shares a word with the post's title ("Yoga"), enough for the overlap test.
    page = _html(
        '<meta property="og:site_name" content="Yoga Pathways">'
        '<meta property="og:title" content="Yoga will not fix the plumbing">'
        "<title>Yoga will not fix the plumbing – Yoga Pathways</title>",
        "<h1>Yoga Pathways</h1><article><h2>Yoga will not fix the plumbing</h2>" + PARAGRAPHS + "</article>",
    )
    meta = read_metadata(lxml_html.document_fromstring(page))
    assert meta.h1 is None
    article = extract_article(page, url="https://yogapathways.example/plumbing", now=NOW)
    assert article.title == "Yoga will not fix the plumbing"


def test_an_h1_unlike_every_declared_title_is_not_the_headline() -> None:
    page = _html(
        '<meta property="og:title" content="Bridge reopens to cyclists after repairs">',
        "<h1>Contact us</h1><article>" + PARAGRAPHS + "</article>",
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.title == "Bridge reopens to cyclists after repairs"


def test_an_h1_in_capitals_takes_the_declared_titles_letter_case() -> None:
    page = _html(
        "<title>Weekend Coding Agent | The Lab</title>",
        "<h1>WEEKEND<br>CODING AGENT</h1>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://lab.example/posts/agent", now=NOW)
    assert article.title == "Weekend Coding Agent"
    # One word in eight may differ: the capitals were set on another version of the title.
    page = _html(
        "<title>Best Drip Coffee Makers 2026: Buying Tips From Coffee Pros</title>",
        "<h1>BEST DRIP COFFEE MAKERS IN 2026: BUYING TIPS FROM COFFEE PROS</h1>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://lab.example/posts/coffee", now=NOW)
    assert article.title == "Best Drip Coffee Makers 2026: Buying Tips From Coffee Pros"
    # Capitals with other words than any declared title stay as the page shows them.
    page = _html("<title>Bridge reopens | The Courier</title>", "<h1>BRIDGE REOPENS TODAY</h1>" + PARAGRAPHS)
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.title == "BRIDGE REOPENS TODAY"


def test_an_h1_whose_encoding_lost_characters_takes_the_declared_title() -> None:
    page = _html(
        '<meta property="og:title" content="Event Planning: Beginner&#8217;s Guide">',
        "<h1>Event Planning? Beginner? Guide</h1>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://school.example/blog/events", now=NOW)
    assert article.title == "Event Planning: Beginner’s Guide"
    # A question is a question.
    page = _html(
        "<title>Is the old bridge safe now? | The Courier</title>",
        "<h1>Is the old bridge safe?</h1>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.title == "Is the old bridge safe?"


def test_a_page_without_a_headline_h1_takes_its_title_not_the_mastheads() -> None:
    # A blog's masthead in the only <h1>, no og:title or JSON-LD: the <title> names the post.
    page = _html(
        "<title>rustc_codegen_gcc: Progress Report #39</title>",
        "<header><h1>Antoyo's Blog</h1></header><article><h2>rustc_codegen_gcc: Progress Report #39</h2>"
        + PARAGRAPHS
        + "</article>",
    )
    article = extract_article(page, url="https://blog.example/progress-report-39", now=NOW)
    assert article.title == "rustc_codegen_gcc: Progress Report #39"


def test_a_section_label_before_the_headline_is_dropped() -> None:
    page = _html(
        "<title>Best agencies of 2025 | Silverback</title>",
        "<h1>Blog: Best agencies of 2025</h1>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://agency.example/blog/best", now=NOW)
    assert article.title == "Best agencies of 2025"


def test_an_h1_showing_a_sliver_of_the_declared_title_is_not_the_headline() -> None:
    # All of the <h1>'s words are in the title, but they are two of its nine: a section label.
    page = _html(
        '<meta property="og:title" content="How to get toddlers to sleep in their own bed">',
        "<h1>Toddler sleep</h1><article>" + PARAGRAPHS + "</article>",
    )
    article = extract_article(page, url="https://courier.example/sleep", now=NOW)
    assert article.title == "How to get toddlers to sleep in their own bed"
    # A quarter of the title's words is enough: "Index funds" heads "Index funds: how to invest".
    page = _html(
        '<meta property="og:title" content="Bridge reopens to cyclists and walkers">',
        "<h1>Bridge reopens</h1><article>" + PARAGRAPHS + "</article>",
    )
    assert extract_article(page, url="https://courier.example/b", now=NOW).title == "Bridge reopens"


def test_blocks_nested_in_the_h1_are_not_part_of_the_headline() -> None:
    # Broken markup left a byline inside the <h1> (no </h1> before the <h3>), and a kicker in a <div>.
    page = _html(
        "<title>Bridge reopens to cyclists | The Courier</title>",
        '<h1>Bridge reopens to cyclists<div class="divider"></div><h3>Posted on May 2, 2025 by Ann Lee</h3>'
        "</h1>" + PARAGRAPHS,
    )
    assert (
        extract_article(page, url="https://courier.example/b", now=NOW).title == "Bridge reopens to cyclists"
    )
    page = _html(
        "<title>Klatch Coffee | Stories</title>",
        "<h1><div>Get that tech stack</div> <span>Klatch Coffee</span></h1>" + PARAGRAPHS,
    )
    assert extract_article(page, url="https://courier.example/k", now=NOW).title == "Klatch Coffee"


def test_an_h1_made_only_of_blocks_keeps_their_text_and_breaks_are_spaces() -> None:
    page = _html(
        "<title>Bridge reopens to cyclists | The Courier</title>",
        "<h1><div>Bridge reopens</div><div>to <em>cyclists</em></div></h1>" + PARAGRAPHS,
    )
    assert read_metadata(lxml_html.document_fromstring(page)).h1 == "Bridge reopens to cyclists"
    page = _html(
        "<title>Bridge reopens to cyclists</title>", "<h1>Bridge reopens<br>to cyclists</h1>" + PARAGRAPHS
    )
    assert read_metadata(lxml_html.document_fromstring(page)).h1 == "Bridge reopens to cyclists"


def test_an_h1_the_parser_emptied_of_its_paragraph_still_places_the_headline() -> None:
    # "<h1><p>Headline</p></h1>": the parser closes the <h1> before the <p>, which follows it.
    menu = "".join(f"<li><a href='/s{i}'>Section number {i}</a></li>" for i in range(150))
    page = _html(
        "<title>Bridge reopens to cyclists | The Courier</title>",
        f"<ul>{menu}</ul><h1><p>Bridge reopens to cyclists</p></h1><p>By Ana Lima</p>{PARAGRAPHS}",
    )
    meta = read_metadata(lxml_html.document_fromstring(page))
    assert meta.headline_at > 0 and "Bridge reopens to cyclists\nBy Ana Lima" in meta.byline
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("Ana Lima",)


def test_a_desk_or_team_byline_is_the_author_when_no_person_signs() -> None:
    page = _html(
        _ld(headline="Bridge reopens", author={"@type": "Organization", "name": "City Desk Team"})
        + '<meta property="og:site_name" content="The Courier">',
        "<h1>Bridge reopens</h1>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.authors == ("City Desk Team",)
    # The site signing as itself, or a bare role, is still no author.
    for name in ("The Courier", "Staff", "Courier"):
        page = _html(
            _ld(headline="Bridge reopens", author={"@type": "Organization", "name": name})
            + '<meta property="og:site_name" content="The Courier">',
            "<h1>Bridge reopens</h1>" + PARAGRAPHS,
        )
        assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).authors == ()
    # A person's name still wins over the desk.
    page = _html(
        _ld(headline="Bridge reopens", author=[{"name": "Ana Lima"}, {"name": "City Desk Team"}]),
        "<h1>Bridge reopens</h1>" + PARAGRAPHS,
    )
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).authors == ("Ana Lima",)


def test_a_cookie_consent_bar_and_its_dialog_are_not_the_article() -> None:
    consent = (
        '<div id="cookie-law-info-bar"><span>We use cookies on our website to give you the most relevant '
        "experience by remembering your preferences and repeat visits.</span></div>"
        '<div class="cli-modal"><div><p>Necessary cookies are absolutely essential for the website to '
        "function properly. This category only includes cookies that ensure basic functionalities.</p>"
        "<p>Analytical cookies are used to understand how visitors interact with the website.</p></div></div>"
    )
    recipe = '<div class="cookie-bars-recipe"><p>Press the dough for the cookie bars into the tin.</p></div>'
    page = _html(
        "<title>Bridge reopens</title>", "<h1>Bridge reopens</h1>" + PARAGRAPHS * 2 + recipe + consent
    )
    text = extract_article(page, url="https://courier.example/news/bridge", now=NOW).text
    assert "cookies" not in text
    assert "Press the dough" in text and "decision that residents" in text


def test_a_page_no_person_signs_is_credited_to_the_team_its_byline_shows() -> None:
    head = '<meta name="author" content="Ask the Doctors">'
    page = _html(head, "<h1>Bridge reopens</h1><p class='byline'>By Ask the Doctors</p>" + PARAGRAPHS * 4)
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).authors == (
        "Ask the Doctors",
    )
    # Declared but shown nowhere near the headline: no one's credit.
    page = _html(head, "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4)
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).authors == ()


def test_shown_credit_keeps_a_shown_team_or_handle_not_the_site_a_role_or_a_phrase() -> None:
    byline = "Bridge reopens\nBy Podium Staff, Rachel MacDonald Writer and infuy | Courier | Admin"
    url = "https://www.courier.example/news/bridge"
    assert shown_credit(["Podium Staff"], byline=byline, site_name="Podium", url=url) == ("Podium Staff",)
    assert shown_credit(["Rachel MacDonald Writer"], byline=byline, url=url) == ("Rachel MacDonald",)
    assert shown_credit(["infuy"], byline=byline, url=url) == ("infuy",)
    # The site itself, by its name or its host; a bare role; a credit the byline does not show.
    assert shown_credit(["Courier"], byline=byline, url=url) == ()
    assert shown_credit(["Podium"], byline=byline, site_name="Podium", url=url) == ()
    assert shown_credit(["Admin", "Staff"], byline=byline + " Staff", url=url) == ()
    assert shown_credit(["Desk Team"], byline=byline, url=url) == ()
    # A phrase that splits into a name and words is no credit at all.
    phrase = "The Russian and Syrian defense ministries"
    assert shown_credit([phrase], byline="said " + phrase, url=url) == ()


def test_an_author_box_whose_bio_starts_with_the_name_names_the_author() -> None:
    box = "<aside><p>Bence Kovács</p><p>Bence is a software developer who builds audio plugins.</p></aside>"
    page = _html("<title>Bridge reopens</title>", "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + box)
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).authors == (
        "Bence Kovács",
    )


def test_a_name_line_near_the_headline_that_an_author_box_describes_is_the_byline() -> None:
    bio = "<footer><p>Ana Lima is a freelance travel writer and editor.</p></footer>"
    body = "<h1>Bridge reopens</h1><p>Ana Lima</p><p>City Bridges</p>" + PARAGRAPHS * 4 + bio
    page = _html("<title>Bridge reopens</title>", body)
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("Ana Lima",)
    # Without the bio, or with one that says nothing of a person, the line is no byline.
    for other in ("", "<footer><p>Ana Lima is a town on the coast.</p></footer>"):
        page = _html("<title>Bridge reopens</title>", body.replace(bio, other))
        assert extract_article(page, url="https://courier.example/b", now=NOW).authors == (), other


def test_bio_author_needs_a_bio_that_speaks_of_a_person() -> None:
    assert bio_author("Lauren Vetter\nLauren Vetter is a marketing professional in Ohio.") == (
        "Lauren Vetter",
    )
    # A subject heading its paragraph repeats is no author box; nor is a name with no bio under it.
    assert bio_author("Art Deco\nArt Deco is a style of visual arts that first appeared in France.") == ()
    assert bio_author("Lauren Vetter\nShare this article") == ()


def test_a_blogs_posted_by_line_with_its_date_names_the_author() -> None:
    for credit, names in (
        ("<p>Posted by Ana at December 16, 2025 11:15 AM</p>", ("Ana",)),
        ("<p>Posted by Ana Lima on 16 December 2025</p>", ("Ana Lima",)),
        ("<h2>Article by</h2><div>Ana Lima</div>", ("Ana Lima",)),
    ):
        page = _html("<title>Bridge reopens</title>", "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + credit)
        assert extract_article(page, url="https://courier.example/b", now=NOW).authors == names, credit
    # Without a date after it, "Posted by" may be a category's or a shop's.
    page = _html(
        "<title>Bridge reopens</title>",
        "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + "<p>Posted by Ana Lima on Travel</p>",
    )
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ()


def test_a_pages_last_update_credited_at_its_foot_names_the_author_when_nothing_else_does() -> None:
    credit = '<p><i>Last updated March 3, 2025 by <a href="https://ana.example/">Ana Lima</a>.</i></p>'
    page = _html("<title>Bridge reopens</title>", "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + credit)
    assert extract_article(page, url="https://ana.example/bridge", now=NOW).authors == ("Ana Lima",)
    # A fact-checker credited after the date is no author.
    credit = "<p>Updated Sep 9, 2025 | Fact-checked by</p><p>Ana Lima</p>"
    page = _html("<title>Bridge reopens</title>", "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + credit)
    assert extract_article(page, url="https://ana.example/bridge", now=NOW).authors == ()


def test_an_author_box_with_its_label_on_a_line_of_its_own_names_the_author() -> None:
    for box in (
        '<div class="author"><span>by</span><a href="/a/ana">Ana Lima</a></div>',
        "<div><p>This post was written by</p><strong>Ana Lima</strong><p>, our roads reporter.</p></div>",
        '<div class="author"><strong>Ana Lima</strong><span>| Author</span><p>Ana covers roads.</p></div>',
        "<div><p>August 30, 2024</p><p>Author</p><p>Ana Lima</p><p>Related Program</p></div>",
    ):
        page = _html("<title>Bridge reopens</title>", "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + box)
        assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("Ana Lima",), box
    # "by" ending a sentence is no label.
    page = _html(
        "<title>Bridge reopens</title>",
        "<h1>Bridge reopens</h1>"
        + PARAGRAPHS * 4
        + "<p>The bridge was designed by</p><p>a team of engineers</p>",
    )
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ()


def test_a_written_by_box_below_the_article_names_the_author_when_nothing_else_does() -> None:
    page = _html(
        "<title>Bridge reopens</title>",
        "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + "<aside><h3>Written by Ana Lima and João Silva</h3>"
        "<p>Ana covers the city's roads.</p></aside>",
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.authors == ("Ana Lima", "João Silva")
    # A declared author keeps precedence; a photo credit far down is no author.
    page = _html(
        _ld(headline="Bridge reopens", author={"@type": "Person", "name": "Rui Costa"}),
        "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + "<h3>Written by Ana Lima</h3>",
    )
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).authors == ("Rui Costa",)
    page = _html(
        "<title>Bridge reopens</title>",
        "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + "<p>Photo by Ana Lima</p>",
    )
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).authors == ()


def test_a_written_by_label_over_several_described_writers_names_them_all() -> None:
    box = (
        "<div><strong>Written by</strong><br><strong><a href='/a/ana'>Ana Lima</a></strong>, 4+ years covering"
        " roads<br><strong><a href='/a/joao'>João Silva</a></strong>, 9 years covering bridges</div>"
    )
    page = _html("<title>Bridge reopens</title>", "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + box)
    article = extract_article(page, url="https://courier.example/b", now=NOW)
    assert article.authors == ("Ana Lima", "João Silva")
    # Commas alone between the names are separators, not descriptions: no list is cut short.
    assert described_writers("Ana Lima\n,\nJoão Silva\n,\nRui Costa\non", 0) == ()


def test_byline_names_and_the_day_the_byline_shows() -> None:
    page = _html(
        "<title>Bridge reopens</title>",
        "<h1>Bridge reopens</h1><p class='byline'>By <a>Ana Lima</a> and <a>João Silva</a></p>"
        "<p><time>March 5, 2025</time></p>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.authors == ("Ana Lima", "João Silva")
    assert article.published_day == date(2025, 3, 5)
    assert article.published_at_source == "byline"


def test_the_byline_that_credits_the_declared_writer_and_others_names_them_all() -> None:
    page = _html(
        _ld(headline="Bridge reopens", author={"@type": "Person", "name": "Ana Lima"}),
        "<h1>Bridge reopens</h1><p>Written by <span>Dr Ana Lima</span>, <span>João Silva</span></p>"
        + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.authors == ("Dr Ana Lima", "João Silva")
    # A byline that credits the declared writer alone leaves the declared name as it is.
    page = _html(
        _ld(headline="Bridge reopens", author={"@type": "Person", "name": "Ana Lima"}),
        "<h1>Bridge reopens</h1><p>By Ana Lima | Photos by João Silva</p>" + PARAGRAPHS,
    )
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).authors == ("Ana Lima",)
    # The declared writer the byline credits with an honorific keeps it, as the byline path does.
    page = _html(
        _ld(headline="Bridge reopens", author={"@type": "Person", "name": "Ana Lima"}),
        "<h1>Bridge reopens</h1><p>By Dr. Ana Lima</p>" + PARAGRAPHS,
    )
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).authors == (
        "Dr. Ana Lima",
    )


def test_a_declared_writer_heading_a_list_of_names_under_the_headline_names_them_all() -> None:
    byline = "<p><a>Ana Lima</a>, <a>João Silva</a>, <a>Eva Marx</a> &amp; <a>Rui Costa</a></p><p>Nov 25th, 2025</p>"
    page = _html(
        _ld(headline="Bridge reopens", author={"@type": "Person", "name": "Ana Lima"}),
        f"<h1>Bridge reopens</h1>{byline}{PARAGRAPHS}",
    )
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == (
        "Ana Lima",
        "João Silva",
        "Eva Marx",
        "Rui Costa",
    )
    # The declared name before other words is no list of writers.
    page = page.replace(byline, "<p>Ana Lima, Chief Reporter</p><p>Nov 25th, 2025</p>")
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("Ana Lima",)


def test_the_persons_who_reviewed_or_edited_the_article_are_not_its_authors() -> None:
    import json

    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Article",
                "headline": "Bridge reopens",
                "author": {"@type": "Organization", "name": "Health Desk Team"},
            },
            {"@type": "Person", "name": "Rui Costa"},
            {"@type": "WebPage", "reviewedBy": [{"@type": "Person", "name": "Rui Costa"}]},
        ],
    }
    page = _html(
        f'<script type="application/ld+json">{json.dumps(graph)}</script>',
        "<h1>Bridge reopens</h1><p>Reviewed by Rui Costa</p>" + PARAGRAPHS,
    )
    # The team credit is no person: without the reviewer, trafilatura's guess has no one to offer.
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.authors == ("Health Desk Team",)


def test_a_dateline_under_the_headline_wins_over_a_declared_date_nothing_shows() -> None:
    page = _html(
        _ld(headline="Bridge reopens", datePublished="2019-08-11T10:00:00Z"),
        "<h1>Bridge reopens</h1><p>By Ana Lima</p><p>November 21, 2024</p>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert (article.published_day, article.published_at_source) == (date(2024, 11, 21), "byline")
    # A declared instant a time zone away from the dateline is the same moment: it stays.
    page = _html(
        _ld(headline="Bridge reopens", datePublished="2024-11-22T07:03:00Z"),
        "<h1>Bridge reopens</h1><p>November 21, 2024 11:03 PM</p>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.published_at == datetime(2024, 11, 22, 7, 3, tzinfo=UTC)


def test_a_dateline_no_time_zone_can_make_of_a_declared_instant_wins_over_it() -> None:
    # 22:02 UTC is the 19th from UTC-12 to UTC+1 and the 20th further east: never the 18th.
    page = _html(
        _ld(headline="Bridge reopens", datePublished="2024-12-19T22:02:58Z"),
        "<h1>Bridge reopens</h1><p>Dec 18, 2024</p>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert (article.published_day, article.published_at_source) == (date(2024, 12, 18), "byline")
    # At 08:00 UTC it was still the 18th west of UTC-8: the declared instant stays.
    page = page.replace("22:02:58Z", "08:00:00Z")
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.published_at == datetime(2024, 12, 19, 8, 0, tzinfo=UTC)


def test_a_page_dated_only_by_its_text_takes_the_date_nearest_the_headline_not_the_mastheads() -> None:
    menu = "".join(
        f"<li>{item}</li>" for item in ("Money", "Life", "Work", "Play", "Glossary", "Press center")
    )
    masthead = (
        f"<header><p>Friday</p><p>, December 20, 2024</p><ul>{menu}</ul><nav>Home / News</nav></header>"
    )
    page = _html(
        "<title>Bridge reopens</title>",
        masthead + "<h1>Bridge reopens</h1><p>By</p><p>The Courier editors</p><p>12.12.2024</p>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.published_day == date(2024, 12, 12)
    # Just over the headline, the date is the dateline; a date in the story under it is not.
    text = "Blog\nDec 12, 2025\n4 min read\nBridge reopens\nThe works began on October 30, 2025."
    assert visible_dates(text, nearest=text.index("Bridge"))[0] == (date(2025, 12, 12), False)
    # The dates of one line keep their order.
    text = "DATE: 2025-12-12 - 2025-12-17\nBridge reopens"
    assert visible_dates(text, nearest=text.index("Bridge"))[0] == (date(2025, 12, 12), False)


def test_a_declared_date_in_digits_of_either_order_takes_the_order_another_declared_date_shows() -> None:
    times = '<p><time datetime="02-12-2024">02-12-2024</time></p>'
    recent = '<aside><h4>Bridge reopens</h4><time datetime="2024-12-02">December 02, 2024</time></aside>'
    # The recent posts' list far under the article (no byline shows either reading).
    page = _html("<title>Bridge reopens</title>", "<h1>Bridge reopens</h1>" + times + PARAGRAPHS * 6 + recent)
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).published_day == date(
        2024, 12, 2
    )
    # Alone, or beside a date that backs the month-first reading, it is read month first.
    page = _html("<title>Bridge reopens</title>", "<h1>Bridge reopens</h1>" + times + PARAGRAPHS)
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).published_day == date(
        2024, 2, 12
    )
    backed = recent.replace("2024-12-02", "2024-02-12")
    page = _html("<title>Bridge reopens</title>", "<h1>Bridge reopens</h1>" + times + PARAGRAPHS * 6 + backed)
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).published_day == date(
        2024, 2, 12
    )


def test_a_declared_publication_stamped_with_the_update_gives_way_to_an_earlier_byline_date() -> None:
    dek = "<p>" + "A guide to what the bridge's reopening means for the people on both banks. " * 2 + "</p>"
    byline = "<p>Shauna Mitchell</p><p>August 25, 2024</p>"

    def page(published: str, modified: str, shown: str = byline) -> str:
        declared = _ld(headline="Bridge reopens", datePublished=published, dateModified=modified)
        return _html(declared, "<h1>Bridge reopens</h1>" + dek * 2 + shown + PARAGRAPHS)

    found = extract_article(page("Jan 24, 2025", "Jan 24, 2025"), url="https://courier.example/b", now=NOW)
    assert (found.published_day, found.published_at_source) == (date(2024, 8, 25), "byline")
    # A publication declared apart from the update, or a later date shown, leaves it first.
    found = extract_article(page("Jan 24, 2025", "Jan 25, 2025"), url="https://courier.example/b", now=NOW)
    assert found.published_day == date(2025, 1, 24)
    later = byline.replace("August 25, 2024", "August 25, 2025")
    found = extract_article(
        page("Jun 24, 2024", "Jun 24, 2024", later), url="https://courier.example/b", now=NOW
    )
    assert found.published_day == date(2024, 6, 24)


def test_a_dateline_that_is_the_declared_update_leaves_the_declared_publication_first() -> None:
    page = _html(
        _ld(
            headline="Bridge reopens",
            datePublished="2019-08-11T10:00:00Z",
            dateModified="2024-11-21T09:00:00Z",
        ),
        "<h1>Bridge reopens</h1><p>By Ana Lima</p><p>November 21, 2024</p>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert (article.published_day, article.published_at_source) == (date(2019, 8, 11), "json-ld")
    assert article.modified_at == datetime(2024, 11, 21, 9, 0, tzinfo=UTC)


def test_an_update_the_byline_prints_is_kept_as_modified_at_when_none_is_declared() -> None:
    def page(shown: str) -> str:
        return _html(_ld(headline="Bridge reopens"), "<h1>Bridge reopens</h1>" + shown + PARAGRAPHS)

    shown = "<p>Published on Oct 21, 2024</p><p>Updated on Mar 9, 2025</p>"
    article = extract_article(page(shown), url="https://courier.example/b", now=NOW)
    assert article.published_day == date(2024, 10, 21)
    assert article.modified_at == datetime(2025, 3, 9, tzinfo=UTC)
    # An "update" before the publication is no update of it; an unlabelled date is none at all.
    for shown in ("<p>Published on Oct 21, 2024</p><p>Updated on Mar 9, 2023</p>", "<p>Oct 21, 2024</p>"):
        assert extract_article(page(shown), url="https://courier.example/b", now=NOW).modified_at is None


def test_a_labelled_publication_date_far_from_the_headline_dates_a_page_with_no_other() -> None:
    page = _html(
        "<title>Bridge reopens</title>",
        "<h1>Bridge reopens</h1>"
        + PARAGRAPHS * 4
        + "<footer><span>Published On: 15 August 2024</span></footer>",
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert (article.published_day, article.published_at_source) == (date(2024, 8, 15), "byline")
    # Unlabelled, the same date further down says nothing; a declared date keeps its place.
    page = _html(
        "<title>Bridge reopens</title>", "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + "<p>15 August 2024</p>"
    )
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).published_day is None
    page = _html(
        _ld(headline="Bridge reopens", datePublished="2024-03-01T10:00:00Z"),
        "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + "<p>Posted on: 15 August 2024</p>",
    )
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).published_day == date(
        2024, 3, 1
    )


def test_a_date_labelled_as_the_first_publication_wins_over_the_byline_and_the_declared_one() -> None:
    note = (
        "<p><em>This article was originally published on 26 Sep 2019 at 4:12pm but has been updated.</em></p>"
    )
    page = _html(
        _ld(headline="Bridge reopens", datePublished="2022-09-30T11:07:00Z"),
        "<h1>Bridge reopens</h1><p>Chris Carroll</p><p>30 Sep 2022, 11:07am</p>" + PARAGRAPHS * 3 + note,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert (article.published_day, article.published_at_source) == (date(2019, 9, 26), "byline")
    # A plain "Published" label keeps to pages dated nowhere else; a publication elsewhere is no date.
    for other in ("This article was published on 26 Sep 2019.", "Originally published in The Courier."):
        page = page.replace(note, f"<p>{other}</p>")
        note = f"<p>{other}</p>"
        article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
        assert article.published_day == date(2022, 9, 30)


def test_a_page_dated_nowhere_else_takes_the_date_in_its_author_block() -> None:
    author = _ld(headline="Bridge reopens", author={"@type": "Person", "name": "Luke Kim"})
    block = '<div class="author-details"><p>Luke Kim</p><small>December 17, 2024</small></div>'
    page = _html(author, "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + block)
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert (article.authors, article.published_day, article.published_at_source) == (
        ("Luke Kim",),
        date(2024, 12, 17),
        "byline",
    )
    # The same date under a line of someone else's is no byline's.
    other = block.replace("Luke Kim</p>", "Jane Roe</p>")
    page = _html(author, "<h1>Bridge reopens</h1>" + PARAGRAPHS * 4 + other)
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).published_day is None


def test_day_beside_names_reads_only_short_lines_next_to_the_name() -> None:
    assert day_beside_names("Luke Kim\nDecember 17, 2024", ["Luke Kim"]) == date(2024, 12, 17)
    assert day_beside_names("By Luke Kim, March 3, 2024", ["Luke Kim"]) == date(2024, 3, 3)
    # A paragraph that mentions the name is no byline; a date three lines on is another block's.
    prose = (
        "As Luke Kim told the council on March 3, 2024, the bridge had been closed for two years and more."
    )
    assert day_beside_names(prose, ["Luke Kim"]) is None
    assert day_beside_names("Luke Kim\nEditor\nShare\nDecember 17, 2024", ["Luke Kim"]) is None
    assert day_beside_names("Luke Kim\nDecember 17, 2024", []) is None


def test_dateline_days_are_short_lines_just_under_the_headline() -> None:
    text = "Menu\nBridge reopens\nDec 19, 2024\nThe bridge reopened on March 3, 2024 after repairs."
    at = text.index("Bridge")
    assert dateline_days(text, headline_at=at) == [date(2024, 12, 19)]
    assert dateline_days("Bridge reopens\nUpdated Dec 19, 2024", headline_at=0) == []
    assert dateline_days("Bridge reopens\n" + "word " * 50 + "\nDec 19, 2024", headline_at=0) == []
    assert dateline_days("Dec 19, 2024\nBridge reopens", headline_at=13) == []  # above the headline


def test_a_declared_date_the_byline_confirms_wins_over_another_declared_one() -> None:
    page = _html(
        "<title>Bridge reopens</title>"
        '<meta property="article:published_time" content="2019-01-01T10:00:00Z">'
        + _ld(headline="Bridge reopens", datePublished="2025-03-05T10:00:00Z"),
        "<h1>Bridge reopens</h1><p>5 March 2025</p>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.published_at == datetime(2025, 3, 5, 10, tzinfo=UTC)


def test_published_day_is_the_pages_own_day_not_utcs() -> None:
    page = _html(
        _ld(headline="Bridge reopens", datePublished="2025-03-05T21:30:00-05:00"),
        "<h1>Bridge reopens</h1>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.published_at == datetime(2025, 3, 6, 2, 30, tzinfo=UTC)
    assert article.published_day == date(2025, 3, 5)


@pytest.mark.parametrize(
    ("declared", "published_at", "day"),
    [
        # +09:00 late evening: the UTC time is the same day's afternoon.
        ("2025-03-05T23:30:00+09:00", datetime(2025, 3, 5, 14, 30, tzinfo=UTC), date(2025, 3, 5)),
        # +09:00 early morning: UTC is still the day before.
        ("2025-03-06T07:00:00+09:00", datetime(2025, 3, 5, 22, tzinfo=UTC), date(2025, 3, 6)),
        # -05:00 late evening: UTC is already the next day.
        ("2025-03-05T23:00:00-05:00", datetime(2025, 3, 6, 4, tzinfo=UTC), date(2025, 3, 5)),
        # A date alone is that date.
        ("2025-03-05", datetime(2025, 3, 5, tzinfo=UTC), date(2025, 3, 5)),
        (None, None, None),
    ],
)
def test_published_day_is_the_day_the_page_declares_in_its_own_zone(
    declared: str | None, published_at: datetime | None, day: date | None
) -> None:
    meta = f'<meta property="article:published_time" content="{declared}">' if declared else ""
    page = _html("<title>Bridge reopens</title>" + meta, "<h1>Bridge reopens</h1>" + PARAGRAPHS)
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert (article.published_at, article.published_day) == (published_at, day)


def test_paywalled_comes_from_is_accessible_for_free() -> None:
    def paywalled(**fields: object) -> bool | None:
        page = _html(_ld(headline="Bridge reopens", **fields), "<h1>Bridge reopens</h1>" + PARAGRAPHS)
        return extract_article(page, url="https://courier.example/news/bridge", now=NOW).paywalled

    assert paywalled(isAccessibleForFree=False) is True
    assert paywalled(isAccessibleForFree="True") is False
    assert paywalled() is None


def test_visible_dates_know_an_update_label() -> None:
    assert visible_dates("Published March 5, 2025 · Last updated: 7 Apr 2025") == [
        (date(2025, 3, 5), False),
        (date(2025, 4, 7), True),
    ]
    assert visible_dates("2025-03-05 and 31.12.2024") == [
        (date(2025, 3, 5), False),
        (date(2024, 12, 31), False),
    ]
    assert visible_dates("February 30, 2025, in 1999 or in 2025") == []


def test_visible_dates_read_slashed_days_month_first_unless_the_day_is_first() -> None:
    assert visible_dates("View Full Profile\n2/24/2026\nShare") == [(date(2026, 2, 24), False)]
    assert visible_dates("Posted 24/02/2026, updated 3/1/2027") == [
        (date(2026, 2, 24), False),
        (date(2027, 3, 1), True),
    ]
    assert visible_dates("page 1/2/3 of 12/40/2025") == []


def test_visible_dates_read_year_first_days_and_a_printed_iso_instant() -> None:
    assert visible_dates("Essay - Published: 2025.12.17 | AI") == [(date(2025, 12, 17), False)]
    assert visible_dates("Posted 2024/03/05") == [(date(2024, 3, 5), False)]
    assert visible_dates("Nick van Mead\n2022-11-23T08:10+02:00") == [(date(2022, 11, 23), False)]
    # Still a whole date: a longer number or a version string is not one.
    assert visible_dates("build 2025.12.171 or 2025-12-17x") == []


def test_visible_dates_read_day_first_months_of_other_languages_and_dashes() -> None:
    assert visible_dates("By: FlowGuard EMEA on 04-ago-2021 5:11:10") == [(date(2021, 8, 4), False)]
    assert visible_dates("sexta-feira, 22 de outubro de 2010") == [(date(2010, 10, 22), False)]
    assert visible_dates("publiziert am 25. September 2018, 4. März 2021") == [
        (date(2018, 9, 25), False),
        (date(2021, 3, 4), False),
    ]
    assert visible_dates("le 3 décembre 2024, 19-Dec-2025") == [
        (date(2024, 12, 3), False),
        (date(2025, 12, 19), False),
    ]
    # A word that is a month's abbreviation elsewhere is not one between other numbers.
    assert visible_dates("3 days ago 2021, 2 out of 2024") == []
    page = _html(
        "<title>Bridge reopens</title>",
        "<p>By:</p><p>Courier EMEA</p><p>on 04-ago-2021 5:11:10</p><h1>Bridge reopens</h1>" + PARAGRAPHS,
    )
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).published_day == date(
        2021, 8, 4
    )


def test_a_page_dated_nowhere_else_is_dated_by_a_script_publication_key() -> None:
    assert scripted_published_day('{"dateModified":"2025-11-18","datePublished":"2025-11-17T09:00"}') == date(
        2025, 11, 17
    )
    assert scripted_published_day("data-x='{&quot;publishDate&quot;:&quot;2025-05-27&quot;}'") == date(
        2025, 5, 27
    )
    assert scripted_published_day('{"createdAt":"2023-07-28","date":"2024-01-02"}') is None
    page = _html(
        "<title>Bridge reopens</title>",
        "<h1>Bridge reopens</h1>"
        + PARAGRAPHS * 4
        + '<script>self.__state = {\\"publishedAt\\":\\"2024-08-15T10:00:00Z\\"}</script>',
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.published_day == date(2024, 8, 15)
    # A page that dates itself elsewhere keeps that date.
    page = page.replace("<h1>Bridge reopens</h1>", "<h1>Bridge reopens</h1><p>March 1, 2024</p>")
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).published_day == date(
        2024, 3, 1
    )


def test_byline_names_stop_where_the_byline_does() -> None:
    assert byline_names("Written by: Elise Nass\nUpdated December 31, 2024") == ("Elise Nass",)
    assert byline_names("By Moses Kim and Kate Shokurova\nShare") == ("Moses Kim", "Kate Shokurova")
    assert byline_names("Author\nIsaiah Shelton\nTable of contents") == ("Isaiah Shelton",)
    assert byline_names("Recipe by\nPJ Hamel\n67 Reviews") == ("PJ Hamel",)
    assert byline_names("Contributors:\nJanet Loughrey\nCheck here") == ("Janet Loughrey",)
    assert byline_names("Posted By\nJane Doe\nMay 5, 2024") == ("Jane Doe",)
    assert byline_names("stand by Me and you") == ()
    assert byline_names("Sold by Acme Widgets Inc and others") == ()
    assert byline_names("Man attacked by Three Masked Men\nin the city") == ()  # a sentence, no byline


def test_a_byline_with_a_serial_comma_names_every_writer() -> None:
    # "A, B, and C", each name a link of its own: the last name follows ", and".
    byline = "Written by\nAna Lima\n,\nJoão Silva\n, and\nEva Marx\nUpdated August 14, 2025"
    assert byline_names(byline) == ("Ana Lima", "João Silva", "Eva Marx")
    assert byline_names("By Ana Lima, João Silva, and Eva Marx") == ("Ana Lima", "João Silva", "Eva Marx")


def test_a_byline_giving_a_first_name_only_names_a_known_given_name() -> None:
    assert byline_names("by\nAmanda\n· Dec 20, 2025 at 3:00 am ·") == ("Amanda",)
    assert byline_names("Written by\nEliz\n- Product marketer") == ("Eliz",)
    # One capitalized word that is no given name, or a month, is not a byline.
    assert byline_names("by\nDesign\n· Dec 20, 2025") == ()
    assert byline_names("Posted by\nMay\n2024") == ()
    # A full name found anywhere still wins.
    assert byline_names("by Amanda\nBy Ana Lima\nMarch 5, 2025") == ("Ana Lima",)


def test_declared_authors_the_byline_never_shows_give_way_to_its_by_line() -> None:
    body = "<h1>Bridge reopens</h1><p>by</p><p>Ana Lima</p><p>March 5, 2025</p>" + PARAGRAPHS
    page = _html(_ld(headline="Bridge reopens", author=[{"name": "Rui Costa"}, {"name": "Eva Marx"}]), body)
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("Ana Lima",)
    # A declared name the byline shows, or no "By" line at all, keeps the declared names.
    page = _html(_ld(headline="Bridge reopens", author={"name": "Ana Lima"}), body.replace("<p>by</p>", ""))
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("Ana Lima",)
    page = _html(_ld(headline="Bridge reopens", author={"name": "Rui Costa"}), body.replace("<p>by</p>", ""))
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("Rui Costa",)


def test_declared_authors_beyond_those_the_by_line_names_sign_other_stories() -> None:
    # The author markup (itemprop="author") of the byline and of a related story beside it.
    def credit(name: str) -> str:
        return f'<span itemprop="author"><span itemprop="name">{name}</span></span>'

    related = f"<aside><h3>Bridges of the north</h3><p>by {credit('Rui Costa')}</p></aside>"
    page = _html(
        "<title>Bridge reopens</title>",
        f"<h1>Bridge reopens</h1><p>by {credit('Ana Lima')}</p><p>March 5, 2025</p>{PARAGRAPHS}{related}",
    )
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("Ana Lima",)


def test_a_declared_user_handle_names_the_writer_unless_it_is_the_site_or_a_role() -> None:
    assert declared_handles(["madelinmarquardt"], site_name="Hello Stranger") == ("madelinmarquardt",)
    assert declared_handles(["h.szeyee", "h.szeyee"], url="https://shop.example/a") == ("h.szeyee",)
    assert declared_handles(["levinemusic"], url="https://www.levinemusic.org/blog/a") == ()
    assert declared_handles(["shawnhymel"], site_name="Shawn Hymel") == ()
    assert declared_handles(["admin", "q_admin", "staff", "acme.com"]) == ()
    assert declared_handles(["Ana Lima", "Amanda"]) == ()  # names, not handles: normalize_authors reads them
    # An account number (Facebook's article:author) names no one; a handle with digits does.
    assert declared_handles(["262588213843476", "r2d2fan"]) == ("r2d2fan",)
    page = _html(
        '<title>Bridge reopens</title><meta property="article:author" content="262588213843476">',
        "<h1>Bridge reopens</h1>" + PARAGRAPHS,
    )
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ()
    # On a page, only when nothing else names anyone.
    page = _html(
        _ld(headline="Bridge reopens", author={"name": "srauturier"}), "<h1>Bridge reopens</h1>" + PARAGRAPHS
    )
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("srauturier",)


def test_a_company_or_an_official_account_is_no_person() -> None:
    assert normalize_authors(["Claight Corporation (Expert Market Research)"]) == ()
    assert normalize_authors(["QCY Official", "Acme Corp", "Acme Company"]) == ()
    assert normalize_authors(["Ana Lima"]) == ("Ana Lima",)


def test_a_blogger_declared_as_a_person_is_kept_though_the_site_bears_the_name() -> None:
    assert normalize_authors(["Hardtail Canada"], site_name="Hardtail Canada") == ()
    assert normalize_authors(
        ["Hardtail Canada"], site_name="Hardtail Canada", people=("Hardtail Canada",)
    ) == ("Hardtail Canada",)
    # A name starting with a known given name is a person's, whatever the site is called...
    assert normalize_authors(["Paige Brunton"], site_name="Paige Brunton") == ("Paige Brunton",)
    assert normalize_authors(["Charlie Hills"], url="https://charliehills.substack.com/p/x") == (
        "Charlie Hills",
    )
    # ... unless that "given name" is also a name particle.
    assert normalize_authors(["Al Jazeera"], site_name="Al Jazeera") == ()
    # A one-word "person" is a brand that typed itself so.
    assert normalize_authors(["LinkNaija"], url="https://www.linknaija.com/a", people=("LinkNaija",)) == ()


def test_a_name_alone_on_a_line_beside_a_date_is_a_byline() -> None:
    context = "Menu\nBlog\nScaling Go tests\nElliot Raba\n23.07.2025\n6 min read\nAs teams grow"
    assert name_line_authors(context, headline="Scaling Go tests") == ("Elliot Raba",)
    shown = "Scaling Go tests\nSpencer McIntyre\nDec 19, 2025\nText"
    assert name_line_authors(shown, headline="Scaling Go tests") == ("Spencer McIntyre",)
    # Not beside a date, not a known given name, or far from the headline: no byline.
    assert name_line_authors("Scaling Go tests\nElliot Raba\nAbout us", headline="Scaling Go tests") == ()
    assert name_line_authors("Scaling Go tests\nGet Started\nDec 19, 2025", headline="Scaling Go tests") == ()
    far = "Scaling Go tests\n" + "line\n" * 8 + "Elliot Raba\nDec 19, 2025"
    assert name_line_authors(far, headline="Scaling Go tests") == ()
    assert name_line_authors(context, headline=None) == ()
    # Or over the writer's role: "Tech Writer" under the name.
    role = "Scaling Go tests\nWhat is next\nElliot Raba\nTech Writer\nArticles by Elliot"
    assert name_line_authors(role, headline="Scaling Go tests") == ("Elliot Raba",)
    assert name_line_authors(role.replace("Tech Writer", "Tech Talks"), headline="Scaling Go tests") == ()


def test_a_standfirst_ending_on_a_name_in_capitals_credits_its_writer() -> None:
    dek = "<p>The old bridge is open again, and it is a fine walk on a winter day, says ANA LIMA.</p>"
    page = _html("<title>Bridge reopens</title>", f"<h1>Bridge reopens</h1>{dek}{PARAGRAPHS}")
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("Ana Lima",)
    # A quote's speaker, or capitals that start with no given name, credit no writer.
    for other in ("says Ana Lima.", "says BBC NEWS.", "says NASA."):
        page = _html(
            "<title>Bridge reopens</title>",
            "<h1>Bridge reopens</h1>" + dek.replace("says ANA LIMA.", other) + PARAGRAPHS,
        )
        assert extract_article(page, url="https://courier.example/b", now=NOW).authors == (), other


def test_labels_and_month_names_are_not_authors() -> None:
    assert normalize_authors(["Author Isaiah Shelton"]) == ("Isaiah Shelton",)
    assert normalize_authors(["Cazzy Magennis Last Updated August 1"]) == ("Cazzy Magennis",)
    assert normalize_authors(["Dec", "undefined", "Written By", "August", "Friday"]) == ()


def test_author_labels_are_searched_only_where_they_can_match() -> None:
    # _written_by skips a pattern on text holding none of its strings: every match holds one.
    texts = [
        "Written by Ana Lima",
        "WRITTEN BY: ANA LIMA",
        "by\nShannon Grilli",
        "By :\nShannon Grilli",
        "BY\nANA LIMA",
        "Home\nThis post was written by\nVanessa Mendez, MD",
        "Home\nNawaz Dhandala\n| Author",
        "Nawaz Dhandala\nAUTHOR",
        "Article by\nMatias Heikkilä",
        "Posted by David at December 16, 2025 11:15 AM",
        "Posted By: Ana Lima on 16 December 2025",
    ]
    found = 0
    for text in texts:
        for pattern, needles in _AUTHOR_LABELS:
            if pattern.search(text):
                found += 1
                assert any(needle in "\n" + text for needle in needles), (pattern.pattern, text)
    assert found >= len(texts)


def test_what_the_author_search_finds_outside_any_byline_is_no_author() -> None:
    comment_form = (
        '<form class="comment-form"><p class="comment-form-author"><label>Name *</label>'
        '<input name="author"></p></form>'
    )
    menu = '<ul><li class="menu-item authorities-board-actions">Conduct</li></ul>'
    credentials = '<div class="dynamic-author-description">Licensed Q Grader, M.A. Journalism</div>'
    commenter = '<ol><li><div class="wp-block-comment-author-name">fullysecret1dbb6551f4</div></li></ol>'
    topic = '<button><a id="author-modal" href="/blog/?content_topic=906">HR Strategy</a></button>'
    for furniture in (comment_form, menu, credentials, commenter, topic):
        page = _html(
            "<title>Old bridge reopens</title>", "<h1>Old bridge reopens</h1>" + PARAGRAPHS + furniture
        )
        article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
        assert article.authors == (), furniture


def test_a_placeholder_author_meta_gives_way_to_the_byline_markup() -> None:
    page = _html(
        '<title>Old bridge reopens</title><meta name="author" content="Page Head Extra Author">',
        '<h1>Old bridge reopens</h1><div class="blog-meta"><span class="blog-meta-author">Tim Enwall</span></div>'
        + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.authors == ("Tim Enwall",)


def test_a_markup_byline_that_is_the_site_is_no_author() -> None:
    # trafilatura would cut "Human in the Loop" to "Human", and "ServiceTitan November 26th" to
    # "ServiceTitan November": names that no longer match the site's.
    for site, byline in (
        ("Human in the Loop", '<a rel="author" class="p-author" href="/">Human in the Loop</a>'),
        ("ServiceTitan", '<div class="BlogAuthorDate">ServiceTitan November 26th, 2024 10 Min Read</div>'),
    ):
        page = _html(
            f'<title>Old bridge reopens</title><meta property="og:site_name" content="{site}">',
            "<h1>Old bridge reopens</h1>" + byline + PARAGRAPHS,
        )
        article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
        assert article.authors == (), byline


def test_a_markup_byline_printed_twice_is_read_once() -> None:
    page = _html(
        "<title>Old bridge reopens</title>",
        "<h1>Old bridge reopens</h1><div id='authorBox'><span>Ana Lima</span><span>Ana Lima</span></div>"
        + PARAGRAPHS,
    )
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).authors == ("Ana Lima",)


def test_a_job_title_after_the_markup_bylines_name_is_no_name() -> None:
    page = _html(
        "<title>Old bridge reopens</title>",
        "<h1>Old bridge reopens</h1><div class='author'>This post was written by Danielle Padula, Head of"
        " Marketing and Community Development</div>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.authors == ("Danielle Padula",)


def test_a_team_credit_the_byline_shows_signs_a_page_no_person_signs() -> None:
    # After a "By" label, on its line or the next; or alone beside a date, past a separator or label.
    assert shown_team("Project software costs\nBy\nWorkzone Team\n•\n4\nmins read") == ("Workzone Team",)
    assert shown_team("WRITTEN BY\nNETGEAR Orbi Team\nShare Article") == ("NETGEAR Orbi Team",)
    assert shown_team("Top 5 HR tools\nDianaHR Team\nFeb 16, 2026") == ("DianaHR Team",)
    assert shown_team("Freelance guide\nThe Upwork Team\nPublished\n|\nOct 10, 2025") == ("The Upwork Team",)
    # Not the site itself, not a team named without a date or a label (a menu's "Meet The Team").
    assert shown_team("By\nWorkzone Team\n4 mins read", site_name="Workzone Team") == ()
    assert shown_team("About\nMeet The Team\nContact Us\nOct 10, 2025 is our birthday") == ()
    page = _html(
        "<title>Old bridge reopens</title>",
        "<h1>Old bridge reopens</h1><p>By</p><p>Courier Data Team</p>" + PARAGRAPHS,
    )
    article = extract_article(page, url="https://courier.example/news/bridge", now=NOW)
    assert article.authors == ("Courier Data Team",)


def test_a_team_credit_the_byline_shows_wins_over_a_declared_person_it_never_shows() -> None:
    body = "<h1>Old bridge reopens</h1><p>Metro Desk</p><p>March 5, 2025</p>" + PARAGRAPHS
    page = _html(_ld(headline="Old bridge reopens", author={"@type": "Person", "name": "Rui Costa"}), body)
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("Metro Desk",)
    # The declared person the byline shows stays the author.
    shown = body.replace("<p>Metro Desk</p>", "<p>Metro Desk</p><p>Rui Costa</p>")
    page = _html(_ld(headline="Old bridge reopens", author={"@type": "Person", "name": "Rui Costa"}), shown)
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("Rui Costa",)


def test_a_scripts_author_key_names_the_writer_when_the_byline_shows_that_name() -> None:
    layer = '<script>var dataLayer_content = {"pagePostType":"post","pagePostAuthor":"Krystyna"};</script>'
    body = "<h1>Bridge reopens</h1><p>Krystyna</p><p>Polyglot and story teller</p>" + PARAGRAPHS
    page = _html("<title>Bridge reopens</title>" + layer, body)
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ("Krystyna",)
    # A name the page never shows is the site's account, not the byline's.
    page = _html("<title>Bridge reopens</title>" + layer, body.replace("<p>Krystyna</p>", ""))
    assert extract_article(page, url="https://courier.example/b", now=NOW).authors == ()
    state = '{\\"authorName\\":\\"Ana Lima\\"} &quot;author_name&quot;: &quot;Rui Costa&quot;'
    assert scripted_authors(state) == ("Ana Lima", "Rui Costa")


def test_a_link_to_the_writers_page_on_the_site_names_the_author() -> None:
    def authors(link: str) -> tuple[str, ...]:
        page = _html("<title>Old bridge reopens</title>", "<h1>Old bridge reopens</h1>" + PARAGRAPHS + link)
        return extract_article(page, url="https://courier.example/news/bridge", now=NOW).authors

    assert authors('<a href="/blog/authors/emmanuel-oyibo"><span>Emmanuel Oyibo</span></a>') == (
        "Emmanuel Oyibo",
    )
    assert authors('<a href="https://courier.example/staff/264/brian-truitt/">Brian Truitt</a>') == (
        "Brian Truitt",
    )
    # Another site's staff page is a credit in the text; an address that does not spell the name, a menu.
    assert authors('<a href="https://uni.example/staff/dr-borna-izadpanah">Borna Izadpanah</a>') == ()
    assert authors('<a href="/authors/">Our Writers</a>') == ()
    assert authors('<a href="http://[::1/authors/ana-lima">Ana Lima</a>') == ()


def test_a_first_name_alone_beside_a_date_is_a_byline() -> None:
    context = "Podcast equipment checklist\nStefan\nMarch 5, 2026\n9 min read"
    assert name_line_authors(context, headline="Podcast equipment checklist") == ("Stefan",)
    # Not a word that is no given name, nor a first name with no date beside it.
    assert (
        name_line_authors(context.replace("Stefan", "Guides"), headline="Podcast equipment checklist") == ()
    )
    assert (
        name_line_authors(
            "Podcast equipment checklist\nStefan\nShare", headline="Podcast equipment checklist"
        )
        == ()
    )


def test_a_name_after_a_date_and_a_middle_dot_is_a_byline() -> None:
    assert dated_names("Rust blog\nDec. 19, 2025 · Niko Matsakis on behalf of\nVision Doc group") == (
        "Niko Matsakis",
    )
    assert dated_names("Mission accomplished!\n2025-12-17\n·\nTrond Teigen\nThe National Library") == (
        "Trond Teigen",
    )
    assert dated_names("Dec 26, 2025\n•\nMahua Das in\nProject Management") == ("Mahua Das",)
    # A category after "|", or a dot after no date, is no byline.
    assert dated_names("Apr 21, 2017 | Products Liability") == ()
    assert dated_names("Home · Garden Tools\nShop") == ()
    page = _html(
        "<title>Old bridge reopens</title>",
        "<h1>Old bridge reopens</h1><p>May 2, 2025 <span>·</span> Trond Teigen</p>" + PARAGRAPHS,
    )
    assert extract_article(page, url="https://courier.example/news/bridge", now=NOW).authors == (
        "Trond Teigen",
    )


def test_the_sites_blog_credited_is_the_site() -> None:
    assert (
        shown_credit(
            ["Paycom Blog"], byline="Paycom Blog\nPaycom Blog", url="https://www.paycom.com/blog/pto"
        )
        == ()
    )
    assert shown_credit(
        ["Podium Staff"], byline="By Podium Staff", url="https://www.paycom.com/blog/pto"
    ) == ("Podium Staff",)


def test_several_names_on_a_line_beside_a_date_are_a_byline() -> None:
    context = (
        "The information bottleneck method\nNaftali Tishby, Fernando C. Pereira, William Bialek\n24 Apr 2000"
    )
    assert name_line_authors(context, headline="The information bottleneck method") == (
        "Naftali Tishby",
        "Fernando C. Pereira",
        "William Bialek",
    )
    # Not without a date beside them, nor when no name starts with a known given name.
    assert (
        name_line_authors(context.replace("24 Apr 2000", "PDF"), headline="The information bottleneck method")
        == ()
    )
    assert (
        name_line_authors("Tools\nGarden Tools, Power Tools and Hand Tools\n24 Apr 2000", headline="Tools")
        == ()
    )
