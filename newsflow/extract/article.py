"""Turn one HTML page into a clean, normalized article: trafilatura plus the page's own metadata.

The body is trafilatura's recall mode without comments, run on a tree without what its cleaning
deletes anyway; an article block it discarded for a class token is taken back, and the default
mode is a second opinion on short results (chosen on halves of two dev sets: BENCHMARKS.md,
issue #12); a leading headline and standfirst and residue lines are taken off. Metadata prefers
what the page declares (JSON-LD, meta tags) and falls back to trafilatura's guesses from the markup.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.json_metadata import normalize_authors as trafilatura_authors
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document
from trafilatura.utils import line_processing
from trafilatura.xpaths import OVERALL_DISCARD_XPATH

from newsflow.errors import ExtractionError
from newsflow.extract.dates import (
    DatedValue,
    choose_published,
    could_fall_on,
    date_from_url,
    dateline_days,
    day_beside_names,
    first_published_day,
    is_plausible,
    labelled_published_day,
    read_date,
    read_day_first,
    scripted_published_day,
    visible_dates,
)
from newsflow.extract.metadata import PageMetadata, read_metadata
from newsflow.extract.normalize import (
    bio_author,
    byline_names,
    byline_without_role,
    dated_names,
    declared_handles,
    described_name_line,
    described_writers,
    detect_language,
    group_byline,
    is_outlet,
    is_outlet_byline,
    is_placeholder_author,
    listed_names,
    name_line_authors,
    normalize_authors,
    normalize_language,
    normalize_title,
    person_key,
    scripted_authors,
    shown_credit,
    shown_team,
    standfirst_writer,
)
from newsflow.extract.residue import clean_text, drop_author_bio, drop_leading_byline, strip_header
from newsflow.extract.teasers import MIN_CARDS, drop_teaser_cards
from newsflow.extract.tree import drop_unread, parse_html
from newsflow.records import ExtractedArticle, PageHints
from newsflow.urls import canonicalize_url

MIN_TEXT_CHARS = 200
# A recall-mode body with less than this share of the page's <p> text may be a fragment: see _body.
SECOND_OPINION_SHARE = 0.3
# A body under this share of the <p> text is checked for an article block trafilatura discarded
# for its class: one holding at least UNDISCARD_BLOCK_SHARE of that text (see _undiscard_blocks;
# chosen on WCXB half 0: any share of 0.2-0.4 and any trigger of 0.5-0.7 scored alike).
UNDISCARD_BELOW_SHARE = 0.5
UNDISCARD_BLOCK_SHARE = 0.3
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»«]\s+")


def _parse(html: str, url: str) -> lxml_html.HtmlElement:
    # trafilatura's own parser settings: the same tree then serves our metadata reading and
    # trafilatura's extraction, parsed once.
    tree = parse_html(html)
    if tree is None:
        raise ExtractionError(f"{url}: the page is not parseable HTML")
    return tree


def _trafilatura(page: str | lxml_html.HtmlElement, url: str, *, recall: bool) -> Any:
    return trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        favor_recall=recall,
        # Never fast: the readability/jusText comparison is worth 2 points of word F1 on the
        # WCXB pages (0.916 -> 0.937), far more than its cost (BENCHMARKS.md, issue #12).
        fast=False,
    )


class _MarkupGuesses:
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
        return _field(declared, name)

    def _page_url(self) -> str | None:
        declared = self._meta()
        return declared.url or extract_url(self._tree, self._url)

    def _sitename(self) -> str | None:
        sitename = self._meta().sitename or extract_sitename(self._tree)
        if sitename:
            sitename = sitename.lstrip("@")
            if sitename and "." not in sitename and not sitename[0].isupper():
                sitename = sitename.title()
            return sitename or None
        url = self._page_url()
        match = META_URL.match(url) if url else None
        return match[1] if match else None


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


def _field(doc: Any, name: str) -> Any:
    return getattr(doc, name, None) if doc is not None else None


def _title_variants(meta: PageMetadata) -> list[str]:
    """Every form the headline takes on the page, to recognize it at the top of the body."""
    variants = [meta.headline, meta.og_title, meta.html_title, meta.h1]
    parts = [
        part for v in variants if v for part in _TITLE_SEPARATORS.split(v) if len(part) >= 15 and part != v
    ]
    return [v for v in variants if v] + parts


_LETTERS = re.compile(r"[^\w]+")
_WORDS = re.compile(r"\w+")


def _shown_title(meta: PageMetadata) -> str | None:
    """The <h1>'s headline, in the declared title's letter case when the <h1> is set in capitals."""
    h1 = meta.h1
    if h1 is None:
        return None
    if h1.isupper():
        # Capitals are the site's styling (or a CSS-less copy of it): the declared title spelled
        # with the same letters is the headline as written.
        # The declared title may differ by one word in eight ("DRIP COFFEE MAKER IN 2026: ...").
        flat, words = _LETTERS.sub("", h1).casefold(), set(_WORDS.findall(h1.casefold()))
        for declared in (meta.headline, meta.og_title, meta.html_title):
            for part in [declared, *_TITLE_SEPARATORS.split(declared or "")]:
                if part and (
                    _LETTERS.sub("", part).casefold() == flat
                    or len(words ^ set(_WORDS.findall(part.casefold()))) <= len(words) // 8
                ):
                    return part
    if "?" in h1.rstrip("?"):
        # "?" for what the page's encoding lost ("Planning? Beginner? Guide"): the declared title
        # that has a character or three in each place is the headline as written.
        lost = re.compile(".{1,3}".join(re.escape(piece) for piece in h1.split("?")), re.IGNORECASE)
        for declared in (meta.headline, meta.og_title, meta.html_title):
            for part in [declared, *_TITLE_SEPARATORS.split(declared or "")]:
                if part and part != h1 and lost.fullmatch(part):
                    return part
    return h1


def _finish(raw: str, meta: PageMetadata) -> str:
    text = strip_header(raw, titles=_title_variants(meta), standfirst=meta.dek)
    return clean_text(text, site_name=meta.site_name)


# The cookie-consent widgets (a bar, its settings dialog) that sites paste into every page: never
# the article, and trafilatura keeps their paragraphs in recall mode (WP "Cookie Law Info": 500
# words of "Necessary cookies are absolutely essential ..." on a 500-word article). Plugins put
# them at the top of the body: only CONSENT_DEPTH levels under it are looked at (an XPath over
# every element, or a search of the source for their names, cost 1.3-2.4 ms a page).
_CONSENT = re.compile(
    r"cookie[-_]?(?:law|notice|consent|banner|bar)(?![a-z])|cookieconsent|\bcli-(?:modal|bar)|onetrust-(?:banner|consent)"
    r"|cybotcookiebot|cmplz-cookiebanner|cky-consent",
    re.IGNORECASE,
)
CONSENT_DEPTH = 3
CONSENT_MAX_CHARS = 5000


def _drop_consent_banners(tree: lxml_html.HtmlElement) -> None:
    body = tree.find("body")
    level = [] if body is None else list(body)
    found: list[lxml_html.HtmlElement] = []
    for _ in range(CONSENT_DEPTH):
        below: list[lxml_html.HtmlElement] = []
        for element in level:
            marks = f"{element.get('id', '')} {element.get('class', '')}"
            if len(marks) > 1 and _CONSENT.search(marks):
                found.append(element)
            else:
                below.extend(element)
        level = below
    for element in found:
        if len(element.text_content()) <= CONSENT_MAX_CHARS:
            element.drop_tree()


# trafilatura's boilerplate test reads class and id values by substring: "bar" finds Statamic's
# "bard" text blocks, "embed" Webflow's "w-embed", "sidebar" a "c-layout-sidebar-left" column, and
# "footer" a "page1-footer" wrapper that holds the whole article.
# Its hidden-element test, the next one, drops what a script would show: an accordion's collapsed
# panels ("display:none", "height:0;overflow:hidden") that hold a guide's every step.
_BOILERPLATE = OVERALL_DISCARD_XPATH[:2]
# The attributes those tests read.
_BOILERPLATE_ATTRIBUTES = (
    "class",
    "id",
    "role",
    "data-component",
    "data-lp-replacement-content",
    "style",
    "aria-hidden",
)
_LONG_PARAGRAPH_CHARS = 40
_DIGITS = re.compile(r"\d+")


def _is_boilerplate(tag: str, marks: dict[str, str]) -> bool:
    """Whether trafilatura's boilerplate test discards a `tag` element with these attributes: it
    reads the element's own attributes only, so a copy alone answers (the test over a whole page
    costs 3-7 ms)."""
    probe = etree.Element("div")
    try:
        etree.SubElement(probe, tag, marks)
    except ValueError:  # a name XML refuses ("o:p", a word processor's): not a block the test reads
        return False
    return any(test(probe) for test in _BOILERPLATE)


def _discarded_blocks(tree: lxml_html.HtmlElement, text: str) -> list[lxml_html.HtmlElement]:
    """The outermost elements trafilatura's boilerplate test discards above paragraphs `text` lacks."""
    seen: set[lxml_html.HtmlElement] = set()
    found: list[lxml_html.HtmlElement] = []
    for paragraph in tree.iter("p"):
        words = " ".join(paragraph.text_content().split())
        if len(words) < _LONG_PARAGRAPH_CHARS or words in text:
            continue
        for element in (paragraph, *paragraph.iterancestors()):
            if element in seen:
                break
            seen.add(element)
            marks = {n: v for n in _BOILERPLATE_ATTRIBUTES if (v := element.get(n)) is not None}
            if marks and _is_boilerplate(element.tag, marks):
                found.append(element)
    marked = set(found)
    return [block for block in found if not any(a in marked for a in block.iterancestors())]


def _undiscard_blocks(tree: lxml_html.HtmlElement, text: str, paragraph_chars: int) -> bool:
    """Take the boilerplate tokens off the class and id of the blocks trafilatura discards that
    hold UNDISCARD_BLOCK_SHARE of the page's <p> text or more, most of it missing from `text`;
    True if any changed. Blocks of one class, numbers aside, count together: a listicle's "slides"
    are its items, "collapse-v-8_content" and "collapse-v-12_content" an accordion's panels."""
    groups: dict[tuple[str, str], list[lxml_html.HtmlElement]] = {}
    for block in _discarded_blocks(tree, text):
        groups.setdefault((block.tag, _DIGITS.sub("", block.get("class") or "")), []).append(block)
    changed = False
    for blocks in groups.values():
        paragraphs = [" ".join(p.text_content().split()) for block in blocks for p in block.iter("p")]
        if sum(map(len, paragraphs)) < UNDISCARD_BLOCK_SHARE * paragraph_chars:
            continue
        # Blocks trafilatura kept after all (its guard keeps what holds nearly all the text).
        long_ones = [p for p in paragraphs if len(p) >= _LONG_PARAGRAPH_CHARS]
        if sum(p in text for p in long_ones) * 2 > len(long_ones):
            continue
        for block in blocks:
            changed = _drop_boilerplate_tokens(block) or changed
    return changed


def _drop_boilerplate_tokens(block: lxml_html.HtmlElement) -> bool:
    changed = False
    for attribute in ("class", "id"):
        tokens = (block.get(attribute) or "").split()
        kept = [t for t in tokens if not _is_boilerplate(block.tag, {attribute: t})]
        if len(kept) < len(tokens):
            block.set(attribute, " ".join(kept))
            changed = True
    for attribute in ("style", "aria-hidden"):
        value = block.get(attribute)
        if value is not None and _is_boilerplate(block.tag, {attribute: value}):
            del block.attrib[attribute]
            changed = True
    return changed


def _body(tree: lxml_html.HtmlElement, url: str, meta: PageMetadata, canonical: str | None) -> str:
    def finish(doc: Any) -> str:
        return _finish(str(_field(doc, "text") or ""), meta)

    _drop_consent_banners(tree)
    drop_unread(tree)
    # Most pages have too few headings linked to slugs for a group of cards: no search there. The
    # cards' links were written for where the page says it lives (a copy served elsewhere, from an
    # archive or a mirror, keeps its original links).
    if meta.slug_headings >= MIN_CARDS:
        drop_teaser_cards(tree, canonical or url)

    # Recall mode first: precision mode drops whole sections and short articles (3 points of
    # recall on the WCXB pages). A body far shorter than the page's paragraphs may have lost its
    # article block to trafilatura's class tokens: with the block's tokens off, the longer text
    # wins. Recall mode in turn sometimes stops at the first block of a long page: when it keeps
    # under SECOND_OPINION_SHARE of the page's paragraph text, the default mode gets a say, and
    # the longer text wins.
    text = finish(_trafilatura(tree, url, recall=True))
    if len(text) < UNDISCARD_BELOW_SHARE * meta.paragraph_chars and _undiscard_blocks(
        tree, text, meta.paragraph_chars
    ):
        rescued = finish(_trafilatura(tree, url, recall=True))
        if len(rescued) > len(text):
            text = rescued
    if len(text) < SECOND_OPINION_SHARE * meta.paragraph_chars:
        other = finish(_trafilatura(tree, url, recall=False))
        if len(other) > len(text):
            text = other
    if len(text) < MIN_TEXT_CHARS and meta.article_body:
        text = _finish(meta.article_body, meta)
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError(f"{url}: no article text found ({len(text)} characters after cleaning)")
    return text


def _date_candidates(meta: PageMetadata, url: str, now: datetime) -> list[DatedValue]:
    """The page's dates, most trusted first: a declared date the byline shows, else a dateline
    under the headline that no declared date comes near; the other declared dates, the URL's,
    then the byline's own (nearest the headline first, one labelled as an update last)."""
    read = [(raw, c) for source, raw in meta.published if (c := read_date(raw, source)) is not None]
    declared = [read_day_first(raw, c, {o.local_day for _, o in read if o is not c}) for raw, c in read]
    # Nearest the headline first: a site's header may print the day it served the page over it
    # ("Friday, December 19, 2025"), a body text the dates of its story under it.
    shown = visible_dates(meta.byline, nearest=meta.headline_at)
    first_shown = {day for day, updated in shown if not updated}
    confirmed = [c for c in declared if c.local_day in first_shown and is_plausible(c.value, now=now)]
    found = confirmed + [c for c in declared if c not in confirmed]
    # A dateline under the headline that no declared date comes near (that none can be in any time
    # zone) wins over the declared dates: the page's readers see that one, and a declared date
    # that nothing shows is often a template's or an update's.
    # (Read only when a declared date is there and the byline confirms none: the only case it counts.)
    datelines = dateline_days(meta.byline, headline_at=meta.headline_at) if declared and not confirmed else []
    if (
        datelines
        and not any(could_fall_on(c, datelines[0]) for c in declared)
        and not _is_modified_day(meta, datelines[0])
    ):
        day = datelines[0]
        found.insert(0, DatedValue.of_day(day, "byline"))
    elif found and not confirmed and _stamped_on_update(meta, found[0]):
        # A declared publication that is the declared update to the second was stamped when the
        # page was last saved: an earlier date the byline shows is when it first appeared.
        earlier = [day for day, updated in shown if not updated and day < found[0].local_day]
        if earlier:
            day = earlier[0]
            found.insert(0, DatedValue.of_day(day, "byline"))
    from_url = date_from_url(url)
    if from_url is not None:
        found.append(DatedValue(from_url, "url", has_time=False))
    # Unlabelled dates first, then "Updated ..." ones: a page that shows only an update date
    # still dates the article (the WCXB gold reads it so).
    for day, _updated in sorted(shown, key=lambda item: item[1]):
        found.append(DatedValue.of_day(day, "byline"))
    return found


def _stamped_on_update(meta: PageMetadata, candidate: DatedValue) -> bool:
    """Whether `candidate`, a declared publication (JSON-LD or meta), is the declared update's instant."""
    return candidate.source in ("json-ld", "meta") and any(
        c.value == candidate.value for c in _declared_updates(meta)
    )


def _is_modified_day(meta: PageMetadata, day: date) -> bool:
    # A dateline that is the declared update's day shows when the article was updated: the
    # declared publication, which it contradicts, stays first (the update is kept in modified_at).
    return any(c.local_day == day for c in _declared_updates(meta))


def _declared_updates(meta: PageMetadata) -> list[DatedValue]:
    """The page's declared modification dates that read as dates."""
    return [c for source, raw in meta.modified if (c := read_date(raw, source)) is not None]


# The text nodes under an element, as plain strings: body.itertext() gave the same strings but
# made a Python object of every element on its way.
_TEXT_NODES = etree.XPath(".//text()", smart_strings=False)


@functools.lru_cache(maxsize=2)
def _page_lines(tree: lxml_html.HtmlElement) -> str:
    """The page's visible and invisible text, a line per text node (read only on pages that lack
    a date or an author: see _labelled_date and _written_by, which may both ask, hence the cache)."""
    body = tree.find("body")
    if body is None:
        return ""
    return "\n".join(filter(None, (" ".join(piece.split()) for piece in _TEXT_NODES(body))))


def _labelled_date(tree: lxml_html.HtmlElement) -> list[DatedValue]:
    """A page that declares no date and shows none near its headline may still label one further
    down ("Published On: 15 August 2025" in a sidebar or footer): the page's text is read for it
    only then (issue #12: WCXB +1 page on half 0, +2 on half 1)."""
    day = labelled_published_day(_page_lines(tree))
    if day is None:
        return []
    return [DatedValue.of_day(day, "byline")]


def _first_published_date(meta: PageMetadata) -> list[DatedValue]:
    """A date a paragraph labels as the article's first publication ("This article was originally
    published on 26 Sep 2019"), wherever it sits: the issue's publish date, whatever the byline or
    the declared data give (an update's)."""
    day = first_published_day("\n".join(meta.first_published_notes))
    if day is None:
        return []
    return [DatedValue.of_day(day, "byline")]


def _scripted_date(html: str) -> list[DatedValue]:
    """A page that dates itself nowhere else may hold its publication date in a script's data
    (issue #12: WCXB +2 on half 0, none on half 1, where no page lacked a date and had one). Its
    source is "json-ld", the closest of PUBLISHED_SOURCES: the page's own JSON data."""
    day = scripted_published_day(html)
    if day is None:
        return []
    return [DatedValue.of_day(day, "json-ld")]


def _author_block_date(tree: lxml_html.HtmlElement, authors: Sequence[str]) -> list[DatedValue]:
    """A page dated nowhere else may print its date beside its author's name, in an author block
    away from the headline ("Luke Kim" over "December 17, 2025"; issue #12: WCXB +1 on each half,
    no other page changed). A "Last updated" label anywhere was tried too and dropped: it dated six
    pages whose gold has no date for two right, and the issue asks for the first-published day."""
    day = day_beside_names(_page_lines(tree), authors)
    if day is None:
        return []
    return [DatedValue.of_day(day, "byline")]


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
    lines = _page_lines(tree)
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


def _modified(meta: PageMetadata, now: datetime, published_day: date | None) -> datetime | None:
    """The declared update, else the one the byline prints ("Updated March 5, 2025"), on or after
    the publication: the issue keeps the update here, apart from the first publication."""
    for declared in _declared_updates(meta):
        if is_plausible(declared.value, now=now):
            return declared.value
    for day, updated in visible_dates(meta.byline, nearest=meta.headline_at):
        shown = DatedValue.of_day(day, "byline").value
        if updated and (published_day is None or day >= published_day) and is_plausible(shown, now=now):
            return shown
    return None


def _language(meta: PageMetadata, text: str) -> str | None:
    return normalize_language(meta.language) or detect_language(text)


def extract_article(
    html: str, *, url: str, hints: PageHints | None = None, now: datetime | None = None
) -> ExtractedArticle:
    """Extract the article on `html` fetched from `url`; raise ExtractionError when there is none."""
    hints = hints or PageHints()
    now = now or datetime.now(UTC)
    tree = _parse(html, url)
    meta = read_metadata(tree)
    # trafilatura's guesses from the markup, each computed only if asked for.
    guesses = _MarkupGuesses(tree, url)
    site_name = meta.site_name or guesses.field("sitename")
    # The headline the page shows; the declared ones are often SEO variants of it. trafilatura's
    # guess comes last: without a declared title it takes the first <h1>, a blog's masthead.
    title_raw = (
        _shown_title(meta) or meta.headline or meta.og_title or meta.html_title or guesses.field("title")
    )
    # Declared authors, else the visible byline, else trafilatura's guess from the markup (the
    # byline first: as good on the dev halves, and cheaper).
    guessed = functools.partial(guesses.author, site_name=site_name, reviewers=meta.reviewers)
    authors = (
        _authors(meta, site_name, url)
        or normalize_authors(guessed(), site_name=site_name, url=url)
        or group_byline(meta.authors, site_name=site_name, url=url)
        or _written_by(tree, site_name, url)
        or bio_author(_page_lines(tree), site_name=site_name, url=url)
        or described_name_line(meta.byline, _page_lines(tree), headline=meta.h1, site_name=site_name, url=url)
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
    dates = _first_published_date(meta) + (
        _date_candidates(meta, url, now)
        or _labelled_date(tree)
        or _scripted_date(html)
        or _author_block_date(tree, authors)
    )
    published_at, published_source, published_note = choose_published(
        dates, listed=hints.listed_published_at, now=now
    )
    published_day = next(
        (c.local_day for c in dates if c.value == published_at and c.source == published_source),
        published_at.date() if published_at else None,
    )
    canonical = canonicalize_url(meta.canonical_url, base=url) if meta.canonical_url else None
    # _body deletes consent bars, scripts and furniture from the tree: all that reads it comes first.
    text = _body(tree, url, meta, canonical)
    # The author box under the article ("Jane Doe is a finance writer ...") and the byline and
    # dateline over it are not the article (BENCHMARKS.md, issue #12).
    without_bio = drop_author_bio(text, authors)
    if len(without_bio) >= MIN_TEXT_CHARS:
        text = without_bio
    without_byline = drop_leading_byline(text, authors)
    if len(without_byline) >= MIN_TEXT_CHARS:
        text = without_byline
    return ExtractedArticle(
        url=canonical or canonicalize_url(url) or url,
        title=normalize_title(title_raw or hints.listed_title, site_name=site_name),
        text=text,
        authors=authors,
        published_at=published_at,
        published_at_source=published_source,
        published_at_note=published_note,
        published_day=published_day,
        modified_at=_modified(meta, now, published_day),
        language=_language(meta, text),
        site_name=site_name,
        description=meta.description,
        image=meta.image,
        tags=meta.keywords,
        paywalled=None if meta.accessible_for_free is None else not meta.accessible_for_free,
    )
