"""trafilatura's metadata guesses from the markup, for what the page does not declare.

trafilatura.metadata.extract_metadata computes every field whichever one is wanted, and pages
with JSON-LD or meta tags rarely ask for any: each guess here is computed only when asked for.
The author guess is extract_author's search, emulated without the copy of the tree it makes
(BENCHMARKS.md, issue #12).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from trafilatura.json_metadata import normalize_authors as trafilatura_authors
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document
from trafilatura.utils import line_processing

from newsflow.extract.normalize import byline_without_role, is_outlet_byline, is_placeholder_author
from newsflow.extract.site_names import clean_site_name, site_host


class MarkupGuesses:
    """trafilatura's metadata guesses from the markup, each computed only when asked for.

    Field by field, what trafilatura.metadata.extract_metadata gives, without its cost: that runs
    htmldate and a copy of the tree for the author on every call, whichever field was wanted.
    Pages with JSON-LD or meta tags rarely ask.
    """

    def __init__(self, tree: lxml_html.HtmlElement, url: str) -> None:
        self._tree = tree
        self._url = url
        self._declared: Document | None = None
        self._values: dict[str, Any] = {}

    def _meta(self) -> Document:
        # Meta tags, then JSON-LD over them, as extract_metadata starts.
        if self._declared is None:
            declared = examine_meta(self._tree)
            if declared.author and " " not in declared.author:
                declared.author = None
            # trafilatura's JSON-LD reader has bugs; extract_metadata ignores them too.
            with contextlib.suppress(Exception):
                declared = extract_meta_json(self._tree, declared)
            self._declared = declared
        return self._declared

    def field(self, name: str) -> Any:
        if name not in self._values:
            self._values[name] = _trimmed(self._compute(name))
        return self._values[name]

    def author(self, *, site_name: str | None, reviewers: tuple[str, ...] = ()) -> str | None:
        """trafilatura's author guess: its author XPaths, outside the parts it discards.

        extract_author copies the tree, deletes the discarded parts (comments, sidebars, dates,
        figures) and then runs the XPaths: the same answer costs less when the few elements the
        XPaths find are checked for a discarded ancestor instead (BENCHMARKS.md, issue #12).
        """
        if "author" not in self._values:
            self._values["author"] = self._author(site_name, reviewers)
        return self._values["author"]  # type: ignore[no-any-return]

    def _author(self, site_name: str | None, reviewers: tuple[str, ...]) -> str | None:
        declared = self._meta().author
        if declared and reviewers:
            # trafilatura counts every JSON-LD Person as an author, reviewers and editors too.
            declared = "; ".join(n for n in declared.split("; ") if n not in reviewers) or None
        # A template's placeholder ("Page Head Extra Author") is no one: the markup may name someone.
        if declared and not is_placeholder_author(declared):
            return str(_trimmed(declared))
        author = _markup_author(self._tree)
        if author:
            # A byline printed twice in one element (for wide and narrow screens) is one byline.
            words = author.split()
            if len(words) % 2 == 0 and words[: len(words) // 2] == words[len(words) // 2 :]:
                author = " ".join(words[: len(words) // 2])
        # The site's own name in a byline ("ServiceTitan November 26th, 2024"), before trafilatura
        # cuts it to a name it no longer recognizes ("Human" of "Human in the Loop").
        if author and is_outlet_byline(author, site_name=site_name, url=self._url):
            return None
        # trafilatura splits a job title after the name into more "names" ("Head", "Community Development").
        author = byline_without_role(author) if author else None
        normalized = trafilatura_authors(None, author) if author else None
        return str(_trimmed(normalized)) if normalized else None

    def _compute(self, name: str) -> Any:
        declared = self._meta()
        if name == "title":
            return declared.title or extract_title(self._tree)
        if name == "sitename":
            return self._sitename()
        return document_field(declared, name)

    def _page_url(self) -> str | None:
        declared = self._meta()
        return declared.url or extract_url(self._tree, self._url)

    def _sitename(self) -> str | None:
        sitename = clean_site_name(self._meta().sitename or extract_sitename(self._tree))
        if sitename:
            sitename = sitename.lstrip("@")
            if sitename and "." not in sitename and not sitename[0].isupper():
                sitename = sitename.title()
            return sitename or None
        return site_host(self._page_url())


# What trafilatura's AUTHOR_DISCARD_XPATHS match, as a test of one element.
_DISCARD_ID = re.compile(r"^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(
    r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
    r"article-(?:share|support)|print|category|meta-date|meta-reviewer"
)


def _discarded(element: lxml_html.HtmlElement) -> bool:
    tag = element.tag
    if tag in ("time", "figure"):
        return True
    if tag not in ("a", "div", "section", "span"):
        return False
    ident, css = element.get("id"), element.get("class")
    return bool(
        ident == "comments"
        or css in ("comments", "title", "date")
        or (ident is not None and _DISCARD_ID.search(ident))
        or (css is not None and _DISCARD_CLASS.search(css))
        or "Figure" in (element.get("data-component") or "")
    )


def _kept_text(element: lxml_html.HtmlElement) -> Iterator[str]:
    """element.itertext() without the discarded parts (their tails stay, as trafilatura's
    delete_element keeps them)."""
    if element.text and isinstance(element.tag, str):
        yield element.text
    for child in element:
        if isinstance(child.tag, str) and not _discarded(child):
            yield from _kept_text(child)
        if child.tail:
            yield child.tail


# trafilatura's three AUTHOR_XPATHS, most specific first, as tests of one element: one walk of
# the tree in Python costs less than three XPath walks calling a regular expression per element.
_AUTHOR_CLASS_1 = re.compile(r"author-?name|AuthorName|authorName")
_AUTHOR_ID_2 = re.compile(r"author|zuozhe|bianji|xiaobian")
_AUTHOR_CLASS_2 = re.compile(
    r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
_AUTHOR_ID_3 = re.compile(r"[Aa]uthor")
_AUTHOR_CLASS_3 = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
_TAGS_1 = frozenset(("a", "address", "div", "link", "p", "span", "strong"))
_TAGS_2 = frozenset(("a", "div", "h3", "h4", "p", "span"))
_ALL_ELEMENTS = etree.XPath("//*")
# Lowercased, a word of every test above but the <author> tag and the <rel> child.
_AUTHOR_HINT = re.compile(r"author|zuozhe|bianji|xiaobian|name|byl|bbl|submitted-by|posted-by|writer")


def _author_level(element: lxml_html.HtmlElement) -> int | None:
    """Which of trafilatura's AUTHOR_XPATHS (0, 1, 2) finds `element` first, if any."""
    tag = element.tag
    if tag == "author":
        return 0
    css, ident, itemprop = element.get("class"), element.get("id"), element.get("itemprop")
    if tag in _TAGS_1 and (
        element.get("rel") == "author"
        or ident == "author"
        or css == "author"
        or itemprop == "author name"
        or element.get("data-testid") in ("AuthorCard", "AuthorURL")
        or (css is not None and _AUTHOR_CLASS_1.search(css))
        or any(child.tag == "rel" and child.text_content() == "me" for child in element)
    ):
        return 0
    if tag in _TAGS_2 and (
        css in ("byline", "username", "byl", "BBL")
        or (itemprop is not None and "author" in itemprop)
        or (ident is not None and _AUTHOR_ID_2.search(ident))
        or (css is not None and _AUTHOR_CLASS_2.search(css))
    ):
        return 1
    if (
        "Byline" in (element.get("data-component") or "")
        or (itemprop is not None and "author" in itemprop)
        or (ident is not None and _AUTHOR_ID_3.search(ident))
        or (css is not None and _AUTHOR_CLASS_3.search(css))
    ):
        return 2
    return None


# What trafilatura's "contains(@class, 'author')" also finds: a menu of "authorities", an author's
# description (credentials: "Licensed Q Grader, M.A. Journalism"), a commenter's name
# ("wp-block-comment-author-name", "comment-author-vcard").
_NOT_AUTHOR_NAME = re.compile(r"authorit|author[\w-]*desc|comment")
# A link to a listing of a category, tag or topic ("/resources/blog/?content_topic=906"): the
# article's subject, whatever the link's class says ("author-modal").
_LISTING_LINK = re.compile(r"[/?&_](?:categor(?:y|ies)|tags?|topics?)[/=]", re.IGNORECASE)


def _not_a_byline(element: lxml_html.HtmlElement) -> bool:
    """An element the author search finds that cannot hold the byline: a form field (a comment
    form's "Name *"; not anything inside a <form>, which wraps whole ASP.NET pages) or an
    attribute naming something else than the author's name."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    if _NOT_AUTHOR_NAME.search(names):
        return True
    if element.tag == "a" and _LISTING_LINK.search(element.get("href") or ""):
        return True
    return next(element.iter("input", "textarea", "label"), None) is not None


def _markup_author(tree: lxml_html.HtmlElement) -> str | None:
    """trafilatura.metadata.extract_author's search (AUTHOR_XPATHS in order, the first text of
    2 to 120 characters), skipping what AUTHOR_DISCARD_XPATHS would have deleted first."""
    found: list[list[lxml_html.HtmlElement]] = [[], [], []]
    # An element _author_level can find is an <author>, holds a <rel>, or has an attribute that
    # contains one of _AUTHOR_HINT's words: one search over its attribute values spares the other
    # elements _author_level's dozen tests (0.2 ms a page; BENCHMARKS.md, issue #12).
    rel_holders = {rel.getparent() for rel in tree.iter("rel")}
    # Every element of the document, as "//" reads it: a broken page may have two <html> roots.
    for element in _ALL_ELEMENTS(tree):
        values = element.values()
        if not (
            (values and _AUTHOR_HINT.search("\0".join(values).lower()))
            or element.tag == "author"
            or element in rel_holders
        ):
            continue
        level = _author_level(element)
        if level is not None:
            found[level].append(element)
    for elements in found:
        for element in elements:
            if _discarded(element) or any(_discarded(a) for a in element.iterancestors()):
                continue
            if _not_a_byline(element):
                continue
            content = " ".join(" ".join(_kept_text(element)).split())
            if content and 2 < len(content) < 120:
                return content
    return None


def _trimmed(value: Any) -> Any:
    # What Document.clean_and_trim does to each string field.
    if not isinstance(value, str):
        return value
    if len(value) > 10000:
        value = value[:9999] + "…"
    return line_processing(unescape(value))


def document_field(doc: Any, name: str) -> Any:
    """A field of trafilatura's result `doc`, None when there is no result or no such field."""
    return getattr(doc, name, None) if doc is not None else None
