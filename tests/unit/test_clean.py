"""Residue cleaning: the seed article and one line per rule, with real sentences kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.extract.code_blocks import VERBATIM, mark_code_lines
from newsflow.extract.mojibake import repair_mojibake
from newsflow.extract.residue import (
    clean_text,
    drop_author_bio,
    drop_leading_byline,
    drop_related_lists,
    is_residue_line,
    strip_header,
)

SEED = Path(__file__).parents[1] / "fixtures" / "news-az-2025-06-03.txt"


def test_seed_article_loses_widget_line_and_sign_off() -> None:
    text = clean_text(SEED.read_text(encoding="utf-8"))
    assert text.startswith("On June 3, during his official visit to the Republic of Kenya")
    assert "16 px" not in text
    assert "↺" not in text
    assert not text.endswith("News.Az")
    # The outlet's name inside a real sentence stays.
    assert "News.Az reports." in text
    assert text.endswith("other regional and international issues of mutual interest.")


@pytest.mark.parametrize(
    "line",
    [
        "date 2025-06-03 + ↺ − 16 px",
        "A+ A A-",
        "Share on Facebook | Twitter | WhatsApp",
        "Read more: Ministers meet in Nairobi",
        "Related articles",
        "Print Email",
        "Updated at 1:23 p.m.",
        "(Published Monday, Nov. 18, 2019)",
        "Tempo de leitura: 2 minutos",
        "5 min read",
        "- 2 min read",
        "4 minute read time",
        "AdvertisementAdvertisement",
        "Skip to content",
        "Skip Navigation",
        "Skip to main content",
        "Page 1 of 8",
        "Table of Contents",
        "Written by",
        "About the Author:",
        "- Share on Facebook",
        "Filed under: Politics |",
        "© Reuters",
        "Copyright © 2025 WABC-TV. All Rights Reserved.",
        "copyright Inexhibit 2019 - ISSN: 2283-5474",
        "Copyright",
        "Recommended: Best coding bootcamps in NYC",
        "Recommended for you",
        "___",
        "More:",
        "You may also like...",
        "SEE MORE: Hong Kong protests: 800 students under siege",
        "(Reporting by Jane Roe; Editing by John Doe)",
        "Keith Bradsher contributed reporting from Hong Kong.",
        '[button link="/submit" type="big"] Send us YOUR review[/button]',
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore "
        "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut "
        "aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse.",
        "- Lorem ipsum 2",
        "Lorem Ipsum",
        "Jun 08, 2023 • 11 Minute Read",
        "10 min read · Dec 18, 2025",
        "- You are here:",
        "Enter email address",
        "Awesome, you're subscribed!",
        "Thank you! Your submission has been received!",
        "Oops! Something went wrong while submitting the form.",
        "Back to blog",
        "Back to top",
        "Back to Blogs",
        "Next article: Go Wins 2010 Bossie Award",
        "Previous post: Share Memory By Communicating",
        "Join Our Newsletter",
        "There was an error processing your subscription.",
        "Keep an eye on your inbox for the latest sports news.",
        "Photo: Shutterstock",
        "Image credit: © Depositphotos.com/AndrewLozovyi",
        "Credit: Andriy Onufriyenko / Getty Images",
        "Get Sérgio Schüler’s stories in your inbox",
        "Join Medium for free to get updates from this writer.",
        "Sign up for our newsletter.",
        "Subscribe To The Monthly Newsletter!",
        "NEWSLETTER",
        "Your email*",
        "No thanks",
        "Thanks for subscribing! Look out for your first newsletter in your inbox soon!",
        "Thank you for signing up.",
        "By entering your email address you agree to our Terms of Use and Privacy Policy and consent to "
        "receive emails from Time Out about news, events, offers and partner promotions.",
        "By providing a telephone number and submitting via form on our website, you are consenting to be "
        "contacted by SMS text message.",
    ],
)
def test_residue_lines(line: str) -> None:
    assert is_residue_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Read more about the case in the court filing, the lawyer said.",
        "Related issues were discussed at the summit in Baku.",
        "Published in 1990, the report was ignored for years.",
        "More than 200 people attended the ceremony.",
        "Share prices fell 3% on Monday after the announcement.",
        "Print media have lost half their readers since 2010.",
        "The minister said: “we will follow up on this in June.”",
        "- More than 200 people attended the ceremony.",
        "Written by a former judge, the book was a bestseller.",
        "Lorem ipsum has filled printers' proofs since the 1500s, the type historian said.",
        "Copyright Complexity in a Fragmented World",
        "- Copyright license",
        "Recommended Books for Managers",
        "Recommended Field Flattener/Reducer: William Optics FLAT73",
        "Skip to the end of the report and the numbers tell the story.",
        "Page 1 of 8 of the indictment names the minister.",
        "By signing the lease, tenants agree to pay the first month's rent in advance.",
        "Thanks for subscribing to the idea, the mayor told the council, but the budget says no.",
        "Email addresses of 3 million customers were exposed in the breach.",
        "The ferry took 10 min. I read a book.",
        "Back to the drawing board, the engineers said after the test failed.",
        "Next, the article describes how the vote was counted.",
        "Newsletters were the first casualty of the cuts.",
        "Credit: Good to excellent",
        "Photographers were kept behind the barrier, the police said.",
        "Join our newsletter editors at the festival on Saturday for a live recording.",
        "Oops! Something went wrong with the launch, the company admitted on Friday.",
        "You are here: the opening line of the museum's audio guide still startles visitors.",
    ],
)
def test_real_sentences_are_kept(line: str) -> None:
    assert not is_residue_line(line)
    assert clean_text(line) == line


@pytest.mark.parametrize("line", ["}", "});", "{", "*/", "/**", "|---|---|---|", "| | |", "[...]"])
def test_code_and_table_lines_without_a_letter_are_kept(line: str) -> None:
    # A code block's closing brace and a table's header rule, as trafilatura prints them.
    assert not is_residue_line(line)


@pytest.mark.parametrize("line", ["* * *", "-", "↓", "…", "★★★★★", "---", "•"])
def test_separators_and_glyphs_alone_on_a_line_are_residue(line: str) -> None:
    assert is_residue_line(line)


def test_a_wrapped_sentence_keeps_the_fragments_that_look_like_labels() -> None:
    # trafilatura keeps the line breaks of a page's source inside a paragraph: a fragment alone on
    # a line is part of a sentence when the words run on across the break.
    wrapped = "\n".join(
        [
            "Photos",
            "which were released online and are making the rounds on social media,",
            "show the actress looking stunning in new photos.",
            "The question of licensing is difficult. I definitely did some",
            "editing by hand, and a fair bit of prompting that resulted in targeted code.",
        ]
    )
    assert clean_text(wrapped) == wrapped
    # A label over a sentence that starts anew, a credit after a full stop and a widget that
    # repeats itself in lower case are still residue.
    residue = "\n".join(
        [
            "Photos",
            "The minister arrived in Nairobi on Monday for two days of talks with the president.",
            "Editing by John Doe",
            "Comments",
            "comments",
        ]
    )
    assert clean_text(residue) == (
        "The minister arrived in Nairobi on Monday for two days of talks with the president."
    )


def test_calls_to_action_go_only_at_the_end() -> None:
    body = "\n".join(
        [
            "Subscribers who sign up for our newsletter get the report first, the editor said.",
            "The paper expects more readers after the redesign, which took a year.",
            "Critics say the newsletter strategy is a bet on loyal readers, not new ones.",
            "Get the latest updates right in your inbox. Subscribe to our newsletters.",
            "Follow us on Facebook, Twitter and Instagram.",
        ]
    )
    cleaned = clean_text(body)
    assert cleaned.startswith("Subscribers who sign up for our newsletter")
    assert "Get the latest updates" not in cleaned
    assert "Follow us on" not in cleaned
    assert cleaned.endswith("not new ones.")


def test_site_name_sign_off_is_dropped_at_the_end() -> None:
    body = "The Courier reported the bridge reopened on Friday after long repairs.\nThe Courier"
    assert clean_text(body, site_name="The Courier") == body.split("\n")[0]


def test_strip_header_drops_headline_and_standfirst_under_it() -> None:
    text = "Bridge reopens | Courier\nTraffic returns after eight months.\nThe bridge reopened on Friday."
    stripped = strip_header(
        text, titles=["Bridge reopens | Courier"], standfirst="Traffic returns after eight months."
    )
    assert stripped == "The bridge reopened on Friday."


def test_strip_header_keeps_a_standfirst_that_opens_the_body() -> None:
    text = "Traffic returns after eight months.\nThe bridge reopened on Friday."
    assert (
        strip_header(text, titles=["Bridge reopens"], standfirst="Traffic returns after eight months.")
        == text
    )


def test_strip_header_leaves_a_body_without_headline_alone() -> None:
    text = "The bridge reopened on Friday.\nBridge reopens"
    assert strip_header(text, titles=["Bridge reopens"]) == text


def _paragraphs(count: int, topic: str) -> list[str]:
    return [
        f"Paragraph {n} about the {topic}, long enough to count as one of the article's."
        for n in range(count)
    ]


def test_an_article_rendered_twice_is_kept_once() -> None:
    article = _paragraphs(12, "bridge")
    text = "\n".join([*article, "", *article, "Closing remark of the piece that stays in place."])
    assert clean_text(text) == "\n".join([*article, "", "Closing remark of the piece that stays in place."])


def test_short_repeated_runs_stay() -> None:
    # A meal plan repeats the same few lines day after day: that is the article.
    day = _paragraphs(8, "meal plan")
    text = "\n".join(["Monday", *day, "Tuesday", *day])
    assert clean_text(text) == text


def test_an_author_box_under_the_article_goes() -> None:
    article = _paragraphs(6, "harbour")
    box = ["Jane Doe", "Senior Reporter", "Jane covers the port and its unions for the paper."]
    assert drop_author_bio("\n".join([*article, *box]), ("Jane Doe",)) == "\n".join(article)
    bio = "About Jane Doe: she has written about shipping since 2009."
    assert drop_author_bio("\n".join([*article, bio]), ("Jane Doe",)) == "\n".join(article)


def test_the_author_named_higher_up_or_by_one_word_stays() -> None:
    # Further up, a sentence starting with the author's name is the article's own.
    text = "\n".join(["Jane Doe visited the harbour on Monday.", *_paragraphs(6, "harbour")])
    assert drop_author_bio(text, ("Jane Doe",)) == text
    # A one-word "author" is often a brand the article names in its last lines.
    closing = "\n".join([*_paragraphs(6, "recipes"), "Beachbody shakes, 1 scoop"])
    assert drop_author_bio(closing, ("Beachbody",)) == closing
    assert drop_author_bio(closing, ()) == closing


def test_a_related_heading_goes_with_its_links() -> None:
    article = _paragraphs(4, "harbour")
    links = ["- Ten Ferries Worth Taking This Summer", "- How the Old Port Was Rebuilt", "- Harbour Lights"]
    tail = ["Thanks for reading: the harbour reopens in May."]
    lines = [*article, "You may also like:", *links, *tail]
    assert drop_related_lists(lines) == [*article, *tail]
    # Through clean_text the same.
    assert clean_text("\n".join(lines)) == "\n".join([*article, *tail])


def test_a_related_heading_over_prose_or_one_link_stays() -> None:
    article = _paragraphs(4, "harbour")
    # "See also" over a sentence introduces the article's own text.
    prose = [*article, "See also", "The council's report, published in March, explains the delay."]
    assert drop_related_lists(prose) == prose
    one_link = [*article, "Related", "- Harbour Lights"]
    assert drop_related_lists(one_link) == one_link


def test_a_byline_and_dateline_opening_the_body_go() -> None:
    article = _paragraphs(3, "harbour")
    text = "\n".join(["- Jane Doe", "- Sep 26, 2022", *article])
    assert drop_leading_byline(text, ("Jane Doe",)) == "\n".join(article)
    dated = "\n".join(["December 15, 2025 // 8 min read", *article])
    assert drop_leading_byline(dated, ()) == "\n".join(article)


def test_a_short_dated_sentence_opening_the_body_stays() -> None:
    text = "\n".join(["On May 2, 2024 the bridge closed.", *_paragraphs(3, "bridge")])
    assert drop_leading_byline(text, ("Jane Doe",)) == text
    # A name further down, or a long opening line naming the author, is the article's own.
    opening = "\n".join(["Jane Doe has covered the harbour for ten years and knows every berth.", "More."])
    assert drop_leading_byline(opening, ("Jane Doe",)) == opening


def test_utf8_read_as_windows_1252_is_repaired() -> None:
    mangled = "It isnâ€™t cheap â€” at least $30 a month for cats.Â \nCafÃ© prices vary."
    assert repair_mojibake(mangled) == "It isn’t cheap — at least $30 a month for cats. \nCafé prices vary."
    assert clean_text(mangled) == "It isn’t cheap — at least $30 a month for cats.\nCafé prices vary."


def test_text_that_only_looks_mangled_once_stays() -> None:
    # One look-alike is no evidence; accented text is not mojibake.
    assert repair_mojibake("Straße’s café, à la carte, lâmpada.") == "Straße’s café, à la carte, lâmpada."
    assert repair_mojibake("Ãœber") == "Ãœber"
    # Sequences that would decode outside accented letters and punctuation stay as they are.
    assert repair_mojibake("Die Straß’ und Straß’ hier") == "Die Straß’ und Straß’ hier"


def test_a_single_certain_misreading_is_repaired() -> None:
    # A title has one apostrophe: read as Latin-1 it holds C1 controls, as Windows-1252 "â€".
    assert repair_mojibake("A DIY Investor\u00e2\u0080\u0099s Guide") == "A DIY Investor’s Guide"
    assert repair_mojibake("Investorâ€™s Guide") == "Investor’s Guide"
    assert repair_mojibake("Ãœber") == "Ãœber"  # a capital A tilde before an oe is once no proof


def test_lines_marked_as_code_are_kept_as_written() -> None:
    # A code block's lines keep their indentation and inner spacing, even one that reads as a
    # separator or a closing sign-off elsewhere; the mark itself goes.
    text = "\n".join(
        [
            "The function below sums a list.",
            mark_code_lines(
                "def total(xs):\n    return  sum(xs)\n----",
                frozenset({"def total(xs):", "    return  sum(xs)", "----"}),
            ),
            "Prose   between  blocks is tidied.",
            VERBATIM + "echo Subscribe to our newsletter",
        ]
    )
    assert clean_text(text).split("\n") == [
        "The function below sums a list.",
        "def total(xs):",
        "    return  sum(xs)",
        "----",
        "Prose between blocks is tidied.",
        "echo Subscribe to our newsletter",
    ]


def test_a_long_run_of_digits_is_judged_at_once() -> None:
    # The date-and-reading-time rule once split a digit run every possible way before giving up
    # (two seconds at 22 digits, doubling with each more): a table row of numbers hung a run.
    line = "1" * 150 + " units"
    assert not is_residue_line(line)
    assert clean_text(f"Updated {line}") == f"Updated {line}"
