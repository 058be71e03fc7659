"""Article metadata from a page's JSON-LD and meta tags: dates, title, authors, language."""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from newsflow.extract.dates import FIRST_PUBLISHED_WORDS
from newsflow.extract.normalize import is_outlet
from newsflow.extract.site_names import clean_site_name
from newsflow.extract.teasers import is_slug_heading
from newsflow.extract.titles import normalize_title

_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenews",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "report",
    "scholarlyarticle",
    "techarticle",
    "webpage",
}


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page says about itself outside its body text."""

    headline: str | None = None
    og_title: str | None = None
    html_title: str | None = None
    site_name: str | None = None
    authors: tuple[str, ...] = ()
    published: tuple[tuple[str, str], ...] = ()  # (source, raw value), best first
    modified: tuple[tuple[str, str], ...] = ()
    language: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    image: str | None = None
    article_body: str | None = None
    keywords: tuple[str, ...] = ()  # declared keywords, sections and tags
    h1: str | None = None  # the <h1> that shows the article's headline (see _displayed_headline)
    byline: str = ""  # the visible text around that headline, where bylines and datelines sit
    headline_at: int = 0  # where the headline starts in `byline`
    accessible_for_free: bool | None = None  # JSON-LD isAccessibleForFree
    people: tuple[str, ...] = ()  # the authors JSON-LD types as Person (a blogger may name the site)
    reviewers: tuple[str, ...] = ()  # JSON-LD reviewedBy / editor: persons who did not write it
    paragraph_chars: int = 0  # the text in the page's <p> elements, a measure of how much it says
    # h2-h6 whose link's address reads as an article's slug: teaser cards have them (see teasers).
    slug_headings: int = 0
    dek: str | None = None  # the description, where the page prints it as a subheading (see _dek)
    # The paragraphs that say when the article first appeared ("This article was originally
    # published on 26 Sep 2019 ..."), wherever they sit.
    first_published_notes: tuple[str, ...] = ()
    # Posts the page quotes from X/Twitter (<blockquote class="twitter-tweet">): see body.
    quoted_posts: int = 0


def _iter_jsonld_objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _iter_jsonld_objects(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if key in data:
                yield from _iter_jsonld_objects(data[key])


def _types(obj: dict[str, Any]) -> set[str]:
    raw = obj.get("@type", [])
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).lower() for v in values}


def _names(value: Any, index: dict[str, dict[str, Any]] | None = None) -> list[str]:
    if isinstance(value, str):
        return [html.unescape(value)]
    if isinstance(value, list):
        return [name for item in value for name in _names(item, index)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str):
            return [html.unescape(name)]
        # Yoast-style graphs point at a Person node elsewhere: {"@id": "...#/schema/person/1"}.
        target = (index or {}).get(str(value.get("@id")))
        if target is not None and target is not value:
            return _names(target)
    return []


def _people(value: Any, index: dict[str, dict[str, Any]]) -> list[str]:
    """The names among `value` that the page types as a schema.org Person."""
    if isinstance(value, list):
        return [name for item in value for name in _people(item, index)]
    if not isinstance(value, dict):
        return []
    target = value if "name" in value else index.get(str(value.get("@id")), value)
    return _names(target) if "person" in _types(target) else []


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", html.unescape(value)).strip()
    return text or None


_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>")


def _plain_body(body: Any) -> str | None:
    """articleBody (or a description) as plain text: some sites put HTML or entities in it."""
    if not isinstance(body, str) or not body.strip():
        return None
    if "<" in body and _MARKUP.search(body):
        fragment = lxml_html.fragment_fromstring(body, create_parent="div")
        for block in fragment.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "blockquote"):
            block.tail = "\n" + (block.tail or "")
        body = fragment.text_content()
    return html.unescape(body).strip() or None


def _first_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and value:
        return _first_str(value[0])
    if isinstance(value, dict):
        return _first_str(value.get("url") or value.get("@id") or value.get("name"))
    return None


# Who checked or edited the article rather than wrote it: trafilatura takes every JSON-LD Person
# for an author, the "Reviewed by" and "Fact checked by" persons too.
_NOT_WRITERS = ("reviewedBy", "editor", "lastReviewedBy")


def _jsonld_articles(
    tree: lxml_html.HtmlElement,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], list[Any]]:
    found: list[dict[str, Any]] = []
    index: dict[str, dict[str, Any]] = {}
    not_writers: list[Any] = []
    for text in _scan(tree).ld_json:
        raw = text.strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            # Some sites emit trailing commas or several objects; a cleanup pass rescues most.
            try:
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw))
            except ValueError:
                continue
        for obj in _iter_jsonld_objects(data):
            if isinstance(obj.get("@id"), str):
                index.setdefault(obj["@id"], obj)
            types = _types(obj)
            if types & _ARTICLE_TYPES and ("headline" in obj or "datePublished" in obj):
                found.append(obj)
            not_writers.extend(obj[key] for key in _NOT_WRITERS if key in obj)
    # Prefer real article types over a generic WebPage.
    found.sort(key=lambda o: "webpage" in _types(o) and not (_types(o) - {"webpage"}))
    return found, index, not_writers


_META_ATTRS = ("property", "name", "itemprop")


_SCANNED_TAGS = (
    "meta",
    "script",
    "time",
    "link",
    "title",
    "h1",
    "p",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
)
# X/Twitter's embed code: the post's text in a blockquote that its script turns into a card.
QUOTED_POST_CLASS = "twitter-tweet"
MAX_HEADLINES = 8
MAX_SUBHEADINGS = 100
MAX_NOTES = 5
# The share of an <h1>'s words found in a declared title that makes it the article's headline
# rather than a logo or a section name ("Contact Us", "Our Blog"); see BENCHMARKS.md, issue #12.
HEADLINE_OVERLAP = 0.3
# ... and the share of that declared title's words the <h1> must show: a one-word <h1> ("Discord")
# or a section label ("Toddler Sleep Training") inside a long declared title is not its headline.
HEADLINE_COVER = 0.25
_WORDS = re.compile(r"\w+")
_DATE_PUBLISHED = etree.XPath('//*[@itemprop="datePublished"]')
_AUTHOR_MARKUP = etree.XPath('//*[@itemprop="author" or (self::a and @rel="author")]')


@dataclass
class _Scan:
    """What read_metadata needs from the tree's elements, gathered in one walk: an XPath query per
    field walked the whole tree a dozen times (BENCHMARKS.md, fourth session)."""

    meta: dict[tuple[str, str], str] = field(default_factory=dict)  # (attribute, name) -> content
    article_tags: list[str] = field(default_factory=list)
    content_language: str | None = None  # <meta http-equiv="content-language">
    ld_json: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)  # <time datetime>, in document order
    pubdate: str | None = None  # the first <time pubdate datetime>: HTML5's mark of the publication
    canonical: str | None = None
    title: str | None = None
    h1s: list[lxml_html.HtmlElement] = field(default_factory=list)
    subheadings: list[lxml_html.HtmlElement] = field(default_factory=list)  # h2-h6
    paragraph_chars: int = 0
    slug_headings: int = 0
    first_published_notes: list[str] = field(default_factory=list)
    itemprop_published: list[lxml_html.HtmlElement] = field(default_factory=list)
    quoted_posts: int = 0


@functools.lru_cache(maxsize=2)
def _scan(tree: lxml_html.HtmlElement) -> _Scan:
    scan = _Scan()
    for element in tree.iter(*_SCANNED_TAGS):
        tag = element.tag
        if tag == "meta":
            _scan_meta(element, scan)
        elif tag == "script":
            if element.get("type") == "application/ld+json":
                scan.ld_json.append(element.text or "")
        elif tag == "time":
            when = element.get("datetime")
            if when is not None:
                scan.times.append(when)
                if scan.pubdate is None and element.get("pubdate") is not None:
                    scan.pubdate = when
        elif tag == "link":
            if scan.canonical is None and element.get("rel") == "canonical":
                scan.canonical = element.get("href")
        elif tag == "title":
            if scan.title is None and element.text is not None:
                scan.title = element.text
        elif tag == "p":
            content = element.text_content().strip()
            scan.paragraph_chars += len(content)
            # The <p> texts are in hand: a test of each costs less than a search of the HTML.
            if any(words in content for words in FIRST_PUBLISHED_WORDS):
                scan.first_published_notes.append(" ".join(content.split()))
        elif tag == "blockquote":
            scan.quoted_posts += QUOTED_POST_CLASS in (element.get("class") or "").split()
        elif tag == "h1":
            if len(scan.h1s) < MAX_HEADLINES:
                scan.h1s.append(element)
        else:
            scan.slug_headings += is_slug_heading(element)
            if len(scan.subheadings) < MAX_SUBHEADINGS:
                scan.subheadings.append(element)
    scan.itemprop_published = _DATE_PUBLISHED(tree)
    return scan


def _scan_meta(element: lxml_html.HtmlElement, scan: _Scan) -> None:
    content = element.get("content")
    if content is None:
        return
    if "article:tag" in (element.get("property"), element.get("name")):
        scan.article_tags.append(content)
    if scan.content_language is None and element.get("http-equiv") == "content-language":
        scan.content_language = content
    content = content.strip()
    if not content:
        return
    for attr in _META_ATTRS:
        key = element.get(attr)
        if key is not None:
            scan.meta.setdefault((attr, key), content)


def _meta(tree: lxml_html.HtmlElement, *names: str) -> str | None:
    index = _scan(tree).meta
    for name in names:
        for attr in _META_ATTRS:
            value = index.get((attr, name))
            if value:
                return value
    return None


def _published_candidates(
    tree: lxml_html.HtmlElement, articles: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    published = [("json-ld", o["datePublished"]) for o in articles if isinstance(o.get("datePublished"), str)]
    scan = _scan(tree)
    # A <time pubdate> is the page marking its article's publication in the article itself: it
    # goes first (on WCXB its day is the gold's on 12 of the 13 dated pages that have a readable
    # one, the other's gold a day the page never prints; issue #12).
    if scan.pubdate is not None:
        published.insert(0, ("time", scan.pubdate))
    for names in (
        ("article:published_time", "og:article:published_time", "og:published_time", "datePublished"),
        (
            "pubdate",
            "publishdate",
            "publish-date",
            "published",
            "published-date",
            "publish_date",
            "date",
            "dc.date",
            "DC.date.issued",
            "dcterms.created",
        ),
        ("parsely-pub-date", "sailthru.date", "cXenseParse:recs:publishtime"),
    ):
        value = _meta(tree, *names)
        if value:
            published.append(("meta", value))
    marked = scan.itemprop_published
    for value in [e.get("content") for e in marked if e.tag != "meta" and e.get("content") is not None][:1]:
        published.append(("microdata", str(value)))
    for value in [e.get("datetime") for e in marked if e.get("datetime") is not None][:1]:
        published.append(("microdata", str(value)))
    # Only the first <time> elements: later ones belong to comments and related links.
    for value in scan.times[:2]:
        published.append(("time", str(value)))
    return published


def _modified_candidates(
    tree: lxml_html.HtmlElement, articles: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    modified = [("json-ld", o["dateModified"]) for o in articles if isinstance(o.get("dateModified"), str)]
    value = _meta(tree, "article:modified_time", "og:updated_time", "dateModified", "last-modified")
    if value:
        modified.append(("meta", value))
    return modified


# Highwire's tag per author, which some journals name "citation_authors".
_CITATION_AUTHORS = etree.XPath('//meta[@name="citation_author" or @name="citation_authors"]/@content')


def _first_last(name: str) -> str:
    """A Highwire citation name, "Last, First" ("Roy, Aniruddha"), as it is written in a byline."""
    last, comma, first = name.partition(",")
    return f"{first.strip()} {last.strip()}" if comma and first.strip() and "," not in first else name.strip()


def _byline_authors(tree: lxml_html.HtmlElement) -> list[str]:
    scanned = _scan(tree).meta
    # Scholarly pages: a Highwire tag per author ("citation_authors" on some journals).
    if ("name", "citation_author") in scanned or ("name", "citation_authors") in scanned:
        # A tag may also list them all, "Last, First; Last, First", as the older form does.
        cited = [
            _first_last(name)
            for value in _CITATION_AUTHORS(tree)
            for name in html.unescape(str(value)).split(";")
            if name.strip()
        ]
        if cited:
            return cited[:20]
    meta_author = _meta(tree, "author", "article:author", "parsely-author", "sailthru.author", "dc.creator")
    if meta_author and not meta_author.startswith("http"):
        return [html.unescape(meta_author)]
    # Most pages have none of the markup the three XPaths look for: one walk finds that out.
    if not _AUTHOR_MARKUP(tree):
        return []
    for xpath in (
        '//*[@itemprop="author"]//*[@itemprop="name"]',
        '//*[@itemprop="author"][not(*)]',
        '//a[@rel="author"]',
    ):
        names = [el.text_content().strip() for el in tree.xpath(xpath)[:4]]
        names = [n for n in names if n]
        if names:
            return list(dict.fromkeys(names))
    return []


# Keywords are listed with commas or semicolons ("US;GLOBAL;MARKETS"); a list's items may hold
# several with semicolons, but commas inside an item are its own ("Sociology, Anthropology").
_KEYWORD_SEPARATOR = re.compile(r"\s*[,;]\s*")
_ITEM_SEPARATOR = re.compile(r"\s*;\s*")
# A tag is a few words: more is a sentence a site put in its keywords (its description, split at
# its commas), a key and value is a template's data ("locale: US", "content-type: Feature").
MAX_TAG_WORDS = 8
PROSE_PIECE_WORDS = 6
_DATA_PAIR = re.compile(r"^[a-z][\w-]*:\s")
# One sentence ending and the next starting: "U.S. military" is none.
_SENTENCE_BREAK = re.compile(r"[a-z]{2}[.!?]\s+[A-Z]")


def _keywords(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        items, separator = [raw], _KEYWORD_SEPARATOR
    elif isinstance(raw, list):
        items, separator = [str(item) for item in raw], _ITEM_SEPARATOR
    else:
        return ()
    found: list[str] = []
    for item in items:
        # Unescaped first: "Food &amp; Drink" holds a semicolon.
        text = html.unescape(item).strip()
        pieces = [p for p in separator.split(text) if p]
        # Prose in the keywords (a description, "... in demand. As new ..."): no piece is a tag.
        # A list of keywords may hold a phrase with a period ("U.S. forces in southern Syria").
        prose = bool(_SENTENCE_BREAK.search(text)) and len(text.split()) > PROSE_PIECE_WORDS * len(pieces)
        if pieces and not prose:
            found.extend(pieces)
    return tuple(found)


def _is_tag(text: str) -> bool:
    return (
        any(c.isalnum() for c in text)
        and len(text.split()) <= MAX_TAG_WORDS
        and "://" not in text
        and not _DATA_PAIR.match(text)
    )


def _tags(tree: lxml_html.HtmlElement, ld: dict[str, Any]) -> tuple[str, ...]:
    """Keywords and sections the page declares: JSON-LD, then article:section/tag and keyword meta tags."""
    found = [*_keywords(ld.get("keywords")), *_keywords(ld.get("articleSection"))] if ld else []
    section = _meta(tree, "article:section")
    if section:
        found.append(section)
    found.extend(_scan(tree).article_tags)
    for name in ("news_keywords", "keywords"):
        found.extend(_keywords(_meta(tree, name)))
    tags = (" ".join(html.unescape(t).split()) for t in found)
    return tuple(dict.fromkeys(tag for tag in tags if _is_tag(tag)))[:30]


def _words(text: str | None) -> set[str]:
    return set(_WORDS.findall((text or "").lower()))


# Blocks that broken markup nests inside an <h1> ("<h1>Headline<div></div><h3>Posted on ...") are
# not part of the headline.
_BLOCKS = frozenset({"div", "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "section", "form"})


# Plugins cut at 110 characters, some at 70 (Twitter's old limit): a shorter headline is whole,
# and a declared title that goes on from it is a longer variant, not the rest of it.
_CUT_AT_LEAST = 60


def _untruncated(headline: str | None, titles: tuple[str | None, ...]) -> str | None:
    """The declared headline, or the declared title it is the cut-off start of: SEO plugins cut
    JSON-LD headlines at 110 characters, mid-sentence ("... Solutions (Including")."""
    if not headline or len(headline) < _CUT_AT_LEAST:
        return headline
    for title in titles:
        if title and len(title) > len(headline) and title.lower().startswith(headline.lower()):
            rest = title[len(headline) :]
            follows = rest.lstrip()[:1]
            # A title going on with a word continues the sentence; one going on with " | Site",
            # " - Site" or ": subtitle" only adds to a headline that was whole.
            if rest[:1].isspace() and follows and (follows.isalnum() or follows in "(\"'“‘"):
                return title
    return headline


# ... nor is a <time> in it: a date badge ("<h1><time>Dec 18 2025</time> Headline</h1>").
_NOT_HEADLINE = _BLOCKS | {"time"}


def heading_text(heading: lxml_html.HtmlElement) -> str:
    """A heading's own text, line breaks as spaces, without the blocks or dates nested in it
    (unless they hold all of its text)."""
    return _inline_text(heading, skip=_NOT_HEADLINE) or _inline_text(heading, skip=frozenset())


def _inline_text(element: lxml_html.HtmlElement, *, skip: frozenset[str]) -> str:
    pieces = [element.text or ""]
    for child in element:
        if child.tag == "br":
            pieces.append(" ")
        elif child.tag in _BLOCKS and child.tag not in skip:
            pieces.append(f" {_inline_text(child, skip=skip)} ")
        elif isinstance(child.tag, str) and child.tag not in skip:
            inner = _inline_text(child, skip=skip)
            # A word that ends in lower case against a capital at a tag's edge is two lines that
            # CSS sets apart ("Notion Alternatives<span class="block">Top Tools"), not one word.
            before = next((piece[-1] for piece in reversed(pieces) if piece), "")
            if before.islower() and inner[:1].isupper():
                inner = " " + inner
            pieces.append(inner)
        pieces.append(child.tail or "")
    return "".join(pieces).strip()


def _displayed_headline(
    candidates: list[lxml_html.HtmlElement], declared: list[str], site_name: str | None
) -> lxml_html.HtmlElement | None:
    """The <h1> that shows a title the page declares: the one sharing most words with one of them.

    Declared titles lose their site-name part first, so a logo in an <h1> does not match
    "Headline | Site"; an <h1> that is the site's name, or whose words are mostly not in any
    declared title, is furniture.
    """
    references = [_words(normalize_title(t, site_name=site_name) or t) for t in declared]
    names = _added_names(declared)
    best, best_shared = None, 0
    for candidate in candidates:
        # An emptied <h1> is still where the headline and its byline are.
        text = heading_text(_emptied(candidate))
        words = _words(text)
        if not words:
            continue
        if is_outlet((text.strip(),), site_name=site_name) or _letters_key(text) in names:
            continue  # the site's name set as a heading (a blog's masthead) is not the article's
        shared = max(
            (len(words & ref) for ref in references if len(words & ref) >= HEADLINE_COVER * len(ref)),
            default=0 if references else len(words),
        )
        if shared > best_shared and shared >= HEADLINE_OVERLAP * len(words):
            best, best_shared = candidate, shared
    return best


def _emptied(heading: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """The element that holds an empty <h1>'s headline: HTML allows no <p> in an <h1>, so the parser
    closes the <h1> before "<h1><p>Headline</p></h1>" and the paragraph follows it."""
    if len(heading) or (heading.text or "").strip():
        return heading
    following = heading.getnext()
    return following if following is not None and following.tag == "p" else heading


def _added_names(declared: list[str]) -> set[str]:
    """What one declared title adds to another at either end: the site's name ("Engora Data
    Blog: Small adventures ..." against og:title's "Small adventures ..."), separator or not."""
    keys = {_letters_key(title) for title in declared}
    names = set()
    for longer in keys:
        for shorter in keys - {longer}:
            if longer.startswith(f"{shorter} "):
                rest = longer[len(shorter) :]
            elif longer.endswith(f" {shorter}"):
                rest = longer[: -len(shorter)]
            else:
                continue
            # A longer addition is more of the headline ("Headline: what it means"), not a name.
            if len(rest.split()) < len(shorter.split()):
                names.add(rest.strip())
    return names


def _dek(
    description: str | None, headline: lxml_html.HtmlElement | None, subheadings: list[lxml_html.HtmlElement]
) -> str | None:
    """The description where the page prints it as a dek: a subheading, or the block right after
    the headline. Blogs' descriptions often copy the first paragraph, which is the article's."""
    if not description:
        return None
    key = _letters_key(description)
    after = headline.getnext() if headline is not None else None
    while after is not None and not isinstance(after.tag, str):
        after = after.getnext()  # a comment between the two
    for element in [after, *subheadings] if after is not None else subheadings:
        if _letters_key(element.text_content()) == key:
            return description
    return None


def _letters_key(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def _free(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def read_metadata(tree: lxml_html.HtmlElement) -> PageMetadata:
    """Collect JSON-LD and meta-tag metadata from a parsed page."""
    articles, index, not_writers = _jsonld_articles(tree)
    ld = articles[0] if articles else {}
    authors = _names(ld.get("author"), index) if ld else []
    lang = (
        tree.get("lang") or tree.get("xml:lang") or _meta(tree, "og:locale", "language", "content-language")
    )
    if not lang:
        lang = _scan(tree).content_language or None
    if not lang and ld:
        lang = _first_str(ld.get("inLanguage"))
    if not lang:
        # Yoast-style graphs declare the language on the WebPage or WebSite node, not the article.
        lang = next((_first_str(o["inLanguage"]) for o in index.values() if o.get("inLanguage")), None)
    scan = _scan(tree)
    publisher = ld.get("publisher") if ld else None
    publisher_names = _names(publisher, index)
    site_name = _meta(tree, "og:site_name") or (publisher_names[0] if publisher_names else None)
    og_title = _text(_meta(tree, "og:title", "twitter:title"))
    html_title = _text(scan.title)
    headline = _untruncated(_text(_first_str(ld.get("headline"))) if ld else None, (og_title, html_title))
    site_name = clean_site_name(_text(site_name))
    shown = _displayed_headline(scan.h1s, [t for t in (headline, og_title, html_title) if t], site_name)
    byline, headline_at = headline_context(tree, shown)
    description = _text(_plain_body(_meta(tree, "og:description", "description", "twitter:description")))
    return PageMetadata(
        headline=headline,
        og_title=og_title,
        html_title=html_title,
        site_name=site_name,
        authors=tuple(authors or _byline_authors(tree)),
        published=tuple(_published_candidates(tree, articles)),
        modified=tuple(_modified_candidates(tree, articles)),
        language=lang,
        canonical_url=scan.canonical.strip() if scan.canonical is not None else _meta(tree, "og:url"),
        description=description,
        image=_meta(tree, "og:image", "twitter:image"),
        article_body=_plain_body(ld.get("articleBody")) if ld else None,
        keywords=_tags(tree, ld),
        h1=_text(heading_text(shown)) if shown is not None else None,
        byline=byline,
        headline_at=headline_at,
        accessible_for_free=_free(ld.get("isAccessibleForFree")) if ld else None,
        people=tuple(_people(ld.get("author"), index)) if ld else (),
        paragraph_chars=scan.paragraph_chars,
        slug_headings=scan.slug_headings,
        quoted_posts=scan.quoted_posts,
        first_published_notes=tuple(scan.first_published_notes[:MAX_NOTES]),
        reviewers=tuple(name for value in not_writers for name in _names(value, index)),
        dek=_dek(description, shown, scan.subheadings),
    )


_INVISIBLE = {"head", "script", "style", "noscript", "template", "svg", "button", "select", "option"}
BEFORE_HEADLINE_CHARS = 300
_SPACES = re.compile(r"\s+")
AFTER_HEADLINE_CHARS = 1500


def headline_context(tree: lxml_html.HtmlElement, headline: lxml_html.HtmlElement | None) -> tuple[str, int]:
    """The visible text around the headline, where bylines and datelines sit, a line per text node,
    and where the headline starts in it.

    Without a headline element, the start of the page's visible text (the headline "at" 0).
    """
    pieces: list[str] = []
    at: int | None = None if headline is not None else 0
    after = 0
    hidden = 0
    # An invisible element's subtree adds no text: the walk skips it (its "end" still comes),
    # unless the headline is in it, whose place is wanted.
    holds_headline = set(headline.iterancestors()) if headline is not None else set()
    walk = etree.iterwalk(tree, events=("start", "end"))
    # Each read of .tag, .text or .tail builds a new string from the tree: each is read once.
    for event, element in walk:
        tag = element.tag
        visible = isinstance(tag, str) and tag not in _INVISIBLE
        if event == "start":
            if element is headline:
                at = len(pieces)
            if not visible:
                hidden += 1
                if element not in holds_headline:
                    walk.skip_subtree()
            elif hidden == 0 and (text := (element.text or "").strip()):
                pieces.append(text)
                after += len(text) if at is not None else 0
        else:
            if not visible:
                hidden -= 1
            if hidden == 0 and (tail := (element.tail or "").strip()):
                pieces.append(tail)
                after += len(tail) if at is not None else 0
        if after > AFTER_HEADLINE_CHARS:
            break
    if at is None:
        return "", 0
    # One line per text node: a name or a date never runs on into the next element's words.
    # Of the text before the headline only the last BEFORE_HEADLINE_CHARS characters are kept, so
    # its pieces are collapsed from the headline backwards until that many are in hand (a late
    # headline had every piece of the page collapsed, to keep 300 characters).
    kept: list[str] = []
    kept_chars = -1  # len("\n".join(kept))
    for piece in reversed(pieces[:at]):
        if kept_chars >= BEFORE_HEADLINE_CHARS:
            break
        kept.append(_SPACES.sub(" ", piece))
        kept_chars += len(kept[-1]) + 1
    before = "\n".join(reversed(kept))[-BEFORE_HEADLINE_CHARS:]
    joined = (
        before + "\n" + "\n".join(_SPACES.sub(" ", piece) for piece in pieces[at:])[:AFTER_HEADLINE_CHARS]
    )
    text = joined.strip()
    leading = len(joined) - len(joined.lstrip())
    return text, max(0, len(before) + 1 - leading)
