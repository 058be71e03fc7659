"""Teaser cards for other articles of the site: "Read This Next", "Recent posts" and the like.

A card is a small block (a title linked to another article, often a date and an excerpt) and its
cards stand side by side under one parent. trafilatura's recall mode keeps their excerpts, which
read as prose, so the text-level rules (`residue.drop_related_lists`, which takes a "related"
heading with a run of bare link titles) miss them. A hub page's cards (a guide's chapters, a
topic's sections) look the same but are often its content: what tells the two apart on the dev
pages is where the cards point. Cards for other articles link to pages like the one being read, at
the same depth of the site's paths and named by a slug of several words
("/blog/how-to-eat-vegan-on-a-budget" beside "/blog/how-to-go-vegan"); a hub's cards link to
sections ("/oral-health/adults", "/company/google-cloud") or deeper into the site
(BENCHMARKS.md, issue #12).
"""

from __future__ import annotations

from itertools import chain
from urllib.parse import SplitResult, urljoin, urlsplit

from lxml import html as lxml_html

_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
# A card is short: a title, a date, an excerpt of a sentence or two.
CARD_MAX_WORDS = 80
# Fewer cards side by side are as often a list of the article's own links.
MIN_CARDS = 3
# Words of an article's slug ("how-to-eat-vegan-on-a-budget"), less one: section names have one
# to three ("oral-health", "backing-your-data").
MIN_SLUG_HYPHENS = 3


def drop_teaser_cards(tree: lxml_html.HtmlElement, url: str) -> None:
    """Delete from `tree` the groups of MIN_CARDS or more cards whose heading links to another
    article of the site, where such cards are at least half of their parent's children."""
    try:
        page = urlsplit(url)
    except ValueError:  # a malformed address: no site to compare links with
        return
    depth = len([s for s in page.path.split("/") if s])
    if not depth:  # the site's home page: its cards are its content
        return
    words: dict[lxml_html.HtmlElement, int] = {}
    cards: dict[lxml_html.HtmlElement, set[lxml_html.HtmlElement]] = {}
    for heading in tree.iter(*_HEADINGS):
        if not is_slug_heading(heading) or not _links_to_article(_heading_link(heading), url, page, depth):
            continue
        for card in _card_levels(heading, words):
            parent = card.getparent()
            if parent is not None:
                cards.setdefault(parent, set()).add(card)
    for group, found in cards.items():
        children = sum(1 for child in group if isinstance(child.tag, str))
        if len(found) >= MIN_CARDS and 2 * len(found) >= children and group.find(".//h1") is None:
            for card in found:
                if card.getparent() is not None:
                    card.drop_tree()


def is_slug_heading(heading: lxml_html.HtmlElement) -> bool:
    """Whether the heading links to an address with the hyphens of an article's slug: the cheap
    first test (no address parsed), which read_metadata's walk counts for `drop_teaser_cards`."""
    return _heading_link(heading).count("-") >= MIN_SLUG_HYPHENS


def _heading_link(heading: lxml_html.HtmlElement) -> str:
    """The address of the link in the heading, or of the link around it; "" when there is none."""
    for link in chain(heading.iter("a"), heading.iterancestors("a")):
        href: str | None = link.get("href")
        if href:
            return href
    return ""


def _links_to_article(href: str, url: str, page: SplitResult, depth: int) -> bool:
    """Whether `href` goes to another page of the site of `url` (split as `page`), `depth`
    segments deep as the page is, and named by a slug of MIN_SLUG_HYPHENS + 1 words or more."""
    try:
        target = urlsplit(urljoin(url, href))
    except ValueError:  # a malformed address ("http://[::1"): no link to the site
        return False
    host = page.hostname or ""
    if target.hostname and target.hostname.removeprefix("www.") != host.removeprefix("www."):
        return False
    segments = [s for s in target.path.split("/") if s]
    return (
        len(segments) == depth
        and segments[-1].count("-") >= MIN_SLUG_HYPHENS
        and target.path.rstrip("/") != page.path.rstrip("/")
    )


def _card_levels(
    heading: lxml_html.HtmlElement, words: dict[lxml_html.HtmlElement, int]
) -> list[lxml_html.HtmlElement]:
    """The heading and its ancestors up to the last of CARD_MAX_WORDS words or fewer: each could be
    the card its heading titles. `words` keeps the counts: cards share their ancestors."""
    levels = []
    for element in (heading, *heading.iterancestors()):
        if element not in words:
            words[element] = len(element.text_content().split())
        if element.getparent() is None or words[element] > CARD_MAX_WORDS:
            break
        levels.append(element)
    return levels
