"""Who wrote the page: the declared authors checked against the byline, then the other places a
page names its writer, in order of trust.

Each later reader runs only when all before it found no one: most pages name their writer in
their declared data or their byline, and the later readers search the whole page's text
(issue #12).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import urlsplit

from lxml import html as lxml_html

from newsflow.extract.bylines import (
    bio_author,
    byline_names,
    dated_names,
    described_name_line,
    described_writers,
    listed_names,
    name_line_authors,
    shown_team,
    standfirst_writer,
)
from newsflow.extract.metadata import PageMetadata
from newsflow.extract.normalize import (
    declared_handles,
    group_byline,
    is_outlet,
    normalize_authors,
    person_key,
    scripted_authors,
    shown_credit,
)
from newsflow.extract.tree import page_lines

# "Written by Jane Doe" starting a text node: an explicit author label wherever it sits.
_WRITTEN_BY = re.compile(r"^(?:[Ww]ritten [Bb]y|WRITTEN BY)\s*:?\s*(.+)$", re.MULTILINE)


# The label on a line of its own, the names on the next: "by\nShannon Grilli", "This post was
# written by\nVanessa Mendez, MD"; or the names over an "Author" label: "Nawaz Dhandala\nAuthor".
_BY_LINE_ABOVE = re.compile(r"^(?:.*\b[Ww]ritten [Bb]y|(?:[Aa]rticle )?[Bb]y|BY)\s*:?\n(.+)$", re.MULTILINE)
_AUTHOR_LABEL_BELOW = re.compile(r"^(.+)\n[|·•]?\s*(?:Author|AUTHOR)\s*$", re.MULTILINE)
# A blog's "Posted by David at December 16, 2025 11:15 AM": the name ends where "at" or "on" starts
# the date.
_POSTED_BY_AT = re.compile(
    r"^[Pp]osted [Bb]y:?[^\S\n]+([^\n]+?)[^\S\n]+(?:at|on)[^\S\n][^\n]*\d[^\n]*$", re.MULTILINE
)
# The label over the names: "Author\nLisa D. Ellis".
_AUTHOR_LABEL_ABOVE = re.compile(r"^(?:Author|AUTHOR)s?\s*:?\n(.+)$", re.MULTILINE)
# A page's update credited at its foot, "Last updated March 3, 2025 by\nErik Demaine": on a page
# that names no one else, whoever keeps it up is its writer. ("| Fact-checked by" after the date is
# another credit: no "|" before the "by".)
_UPDATED_BY = re.compile(
    r"^(?:[Ll]ast )?(?:[Uu]pdated|[Pp]ublished)(?: on)?:?[^\S\n]+[^\n|]{4,40}?[^\S\n]+[Bb]y:?\n(.+)$",
    re.MULTILINE,
)
# Each pattern with the strings one of which its every match holds (a line start as a newline):
# a page's text holding none is not searched, which costs 0.6 ms for the two slower patterns.
_AUTHOR_LABELS = (
    (_WRITTEN_BY, ("ritten", "RITTEN")),
    (_BY_LINE_ABOVE, ("ritten", "\nby", "\nBy", "\nBY", "rticle by")),
    (_POSTED_BY_AT, ("osted by", "osted By")),
    (_AUTHOR_LABEL_BELOW, ("Author", "AUTHOR")),
    (_AUTHOR_LABEL_ABOVE, ("\nAuthor", "\nAUTHOR")),
    (_UPDATED_BY, ("by\n", "By\n", "by:\n", "By:\n")),
)


def _written_by(tree: lxml_html.HtmlElement, site_name: str | None, url: str) -> tuple[str, ...]:
    """The names after the first "Written by" label anywhere on the page (an author box under the
    article), for pages where nothing else names anyone (issue #12: WCXB +3 on half 0, +2 on half 1)."""
    lines = page_lines(tree)
    padded = "\n" + lines
    for pattern, needles in _AUTHOR_LABELS:
        if not any(needle in padded for needle in needles):
            continue
        match = pattern.search(lines)
        if match:
            # The label may head several writers, a line each with a description after the name.
            starts_line = match.start(1) == 0 or lines[match.start(1) - 1] == "\n"
            listed = (
                described_writers(lines, match.start(1), site_name=site_name, url=url) if starts_line else ()
            )
            names = listed or byline_names("By " + match.group(1), site_name=site_name, url=url)
            if names:
                return names
    return ()


# A link to a writer's page on the site: "/blog/authors/emmanuel-oyibo", "/staff/2648209001/brian-truitt/",
# "/blog/author/colin-watson.html"; its last segment is the name's slug.
_AUTHOR_PAGE = re.compile(
    r"/(?:authors?|writers?|staff|profiles?|contributors?)/(?:[^/?#]+/)*?([^/?#]+?)(?:\.html?)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_NOT_LETTERS = re.compile(r"[^a-z]+")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_LETTERS.sub(" ", ascii_text.lower()).strip()


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:  # a malformed address ("http://[::1") is no link to the site
        return ""


def _author_page_link(tree: lxml_html.HtmlElement, site_name: str | None, url: str) -> tuple[str, ...]:
    """The name of a link to its writer's page on the site, whose address spells the name ("Brian
    Truitt" to ".../staff/2648209001/brian-truitt/"), for pages where nothing else names anyone."""
    host = _hostname(url)
    for link in tree.iter("a"):
        href = link.get("href") or ""
        found = _AUTHOR_PAGE.search(href)
        if not found or _hostname(href) not in (None, host):
            continue
        text = " ".join(link.text_content().split())
        name = _slug(text) if len(text) <= 60 else ""
        slug = _slug(found.group(1))
        if " " in name and (slug == name or slug.endswith(" " + name)):
            names = normalize_authors(text, site_name=site_name, url=url)
            if names:
                return names
    return ()


def _authors(meta: PageMetadata, site_name: str | None, url: str) -> tuple[str, ...]:
    """Declared authors, else the visible "By ..." line, else a name alone beside the dateline;
    the "By" line also wins over a declared "person" who is only the site itself ("Cleveland
    Clinic" signing a page its byline credits to a dietitian)."""
    declared = normalize_authors(meta.authors, site_name=site_name, url=url, people=meta.people)
    if declared and not is_outlet(declared, site_name=site_name, url=url):
        # Declared names the byline never shows may be another article's (a related-stories
        # block's JSON-LD): a "By" line near the headline, or a team credit beside the date, then
        # names the page's own author.
        if any(name in meta.byline for name in declared):
            # Declared data often names only the first of the writers the byline credits.
            shown = byline_names(meta.byline, site_name=site_name, url=url)
            if len(shown) > len(declared) and set(map(person_key, declared)) <= set(map(person_key, shown)):
                return shown
            # A "By" line that names only some of them: the others sign the related stories that the
            # same markup (itemprop="author") lists beside the article.
            if shown and set(map(person_key, shown)) < set(map(person_key, declared)):
                return shown
            # Without a "By", the declared writer may still head a list of them under the headline.
            listed = () if shown else listed_names(meta.byline, declared[0], site_name=site_name, url=url)
            if len(listed) > len(declared) and set(map(person_key, declared)) <= set(map(person_key, listed)):
                return listed
            # The byline's "Dr. Jane Doe" is the declared "Jane Doe" as the page credits her.
            return tuple(_as_shown(name, meta.byline) for name in declared)
        return (
            byline_names(meta.byline, site_name=site_name, url=url)
            or shown_team(meta.byline, site_name=site_name, url=url)
            or declared
        )
    shown = byline_names(meta.byline, site_name=site_name, url=url)
    return (
        shown
        or declared
        or name_line_authors(meta.byline, headline=meta.h1, site_name=site_name, url=url)
        or dated_names(meta.byline, site_name=site_name, url=url)
        or standfirst_writer(meta.byline, site_name=site_name, url=url)
    )


def _as_shown(name: str, byline: str) -> str:
    at = byline.find(name)
    # Most bylines hold no title: one substring test spares the pattern (0.05 ms a page).
    if at < 0 or ("Dr" not in byline[max(0, at - 6) : at] and "Prof" not in byline[max(0, at - 6) : at]):
        return name
    found = re.search(r"\b((?:Dr|Prof)\.?\s+)" + re.escape(name) + r"\b", byline)
    return found.group(1) + name if found else name


def page_authors(
    tree: lxml_html.HtmlElement,
    html: str,
    meta: PageMetadata,
    *,
    url: str,
    site_name: str | None,
    guessed: Callable[[], str | None],
) -> tuple[str, ...]:
    """The page's authors: the first readers' answer that names anyone, in order of trust.

    `guessed` is trafilatura's author guess from the markup, called only when neither the declared
    authors nor the byline name anyone.
    """
    # Declared authors, else the visible byline, else trafilatura's guess from the markup (the
    # byline first: as good on the dev halves, and cheaper).
    return (
        _authors(meta, site_name, url)
        or normalize_authors(guessed(), site_name=site_name, url=url)
        or group_byline(meta.authors, site_name=site_name, url=url)
        or _written_by(tree, site_name, url)
        or bio_author(page_lines(tree), site_name=site_name, url=url)
        or described_name_line(meta.byline, page_lines(tree), headline=meta.h1, site_name=site_name, url=url)
        or _author_page_link(tree, site_name, url)
        or declared_handles(meta.authors, site_name=site_name, url=url)
        or shown_credit(
            (*meta.authors, guessed() or "", *scripted_authors(html)),
            byline=meta.byline,
            site_name=site_name,
            url=url,
        )
        or shown_team(meta.byline, site_name=site_name, url=url)
    )
