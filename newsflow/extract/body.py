"""The article's body: trafilatura's text of the page, less what is not the article.

The body is trafilatura's recall mode without comments, run on a tree without what its cleaning
deletes anyway; an article block it discarded for a class token is taken back, and the default
mode is a second opinion on short results, and an article that ad rows split into blocks of one
template is read whole (chosen on halves of two dev sets: BENCHMARKS.md, issue #12); a leading
headline and standfirst and residue lines are taken off.
"""

from __future__ import annotations

import re
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.xpaths import OVERALL_DISCARD_XPATH

from newsflow.errors import ExtractionError
from newsflow.extract.code_blocks import code_block_lines, mark_code_lines
from newsflow.extract.headline import title_variants
from newsflow.extract.markup_guesses import document_field
from newsflow.extract.metadata import QUOTED_POST_CLASS, PageMetadata
from newsflow.extract.residue import clean_text, strip_header
from newsflow.extract.teasers import MIN_CARDS, drop_teaser_cards
from newsflow.extract.tree import drop_unread

MIN_TEXT_CHARS = 200
# A recall-mode body with less than this share of the page's <p> text may be a fragment: see article_body.
SECOND_OPINION_SHARE = 0.3
# A body under this share of the <p> text is checked for an article block trafilatura discarded
# for its class: one holding at least UNDISCARD_BLOCK_SHARE of that text (see _undiscard_blocks;
# chosen on WCXB half 0: any share of 0.2-0.4 and any trigger of 0.5-0.7 scored alike; 0.6, not
# 0.5, since a half-1 page's FAQ accordion, in lists rather than <p>s, left its body at 0.55).
UNDISCARD_BELOW_SHARE = 0.6
UNDISCARD_BLOCK_SHARE = 0.3
# Below this share, the article may go on in blocks of its own (see _split_article).
CONTINUATION_BELOW_SHARE = 0.6


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


def _finish(raw: str, meta: PageMetadata) -> str:
    text = strip_header(raw, titles=title_variants(meta), standfirst=meta.dek)
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


# The tags trafilatura renames before its boilerplate test reads them (its convert_tags): an
# accordion's <details class="expandable"> is tested as a <div>, and its "expand" token discards it.
_RENAMED = {"details": "div", "ul": "list", "ol": "list", "dl": "list"}


def _is_boilerplate(tag: str, marks: dict[str, str]) -> bool:
    """Whether trafilatura's boilerplate test discards a `tag` element with these attributes: it
    reads the element's own attributes only, so a copy alone answers (the test over a whole page
    costs 3-7 ms)."""
    probe = etree.Element("div")
    try:
        etree.SubElement(probe, _RENAMED.get(tag, tag), marks)
    except ValueError:  # a name XML refuses ("o:p", a word processor's): not a block the test reads
        return False
    return any(test(probe) for test in _BOILERPLATE)


def _is_discarded(element: lxml_html.HtmlElement) -> bool:
    """Whether trafilatura's boilerplate test discards `element`, by the attributes it reads."""
    marks = {n: v for n in _BOILERPLATE_ATTRIBUTES if (v := element.get(n)) is not None}
    return bool(marks) and _is_boilerplate(element.tag, marks)


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
            if _is_discarded(element):
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


# Webflow's HTML embed ("w-embed") is where its sites put what the editor cannot make: the
# article's tables, its FAQ. trafilatura's class test reads the token's "embed" as an embedded
# widget and discards every one. On a page Webflow made (its <html> carries data-wf-site or
# data-wf-page) the token is taken off before extraction; the block's other tokens still count.
_WEBFLOW_EMBEDS = etree.XPath('//*[contains(concat(" ", @class, " "), " w-embed ")]')


def _open_webflow_embeds(tree: lxml_html.HtmlElement) -> None:
    root = tree.getroottree().getroot()
    if not any(name.startswith("data-wf-") for name in root.attrib):
        return
    for block in _WEBFLOW_EMBEDS(tree):
        block.set("class", " ".join(t for t in (block.get("class") or "").split() if t != "w-embed"))


# A post the article quotes from X/Twitter is part of its story (news pages quote reactions and
# statements so), but a template may wrap it in a block whose class trafilatura discards
# ("social-media-embed", by its "social"). The wrappers that hold little besides the post lose
# the tokens that discard them; a block around more (a sidebar) keeps its own.
_WRAPPER_EXTRA_CHARS = 200


def _open_quoted_posts(tree: lxml_html.HtmlElement) -> None:
    for quote in tree.iter("blockquote"):
        if QUOTED_POST_CLASS not in (quote.get("class") or "").split():
            continue
        room = 2 * len(quote.text_content()) + _WRAPPER_EXTRA_CHARS
        for element in (quote, *quote.iterancestors()):
            if element.tag in ("body", "article", "main") or len(element.text_content()) > room:
                break
            if _is_discarded(element):
                _drop_boilerplate_tokens(element)


# A template's article block: its class names content ("article__body", "rich-text"), not a
# comment, a card or furniture.
_CONTENT_CLASS = re.compile(r"body|content|text|article|entry|post|rich|story", re.IGNORECASE)
_NOT_CONTENT_CLASS = re.compile(r"comment|related|sidebar|footer|widget|card|teaser", re.IGNORECASE)
_CONTINUATION_PARAGRAPH_CHARS = 80
_CONTINUATION_LINES = ("p", "h2", "h3", "h4", "blockquote")
_BESIDE_THE_TEXT = {"aside", "figure", "figcaption", "nav", "form", "li", "p", "blockquote"}


def _paragraphs(block: lxml_html.HtmlElement) -> list[str]:
    texts = (" ".join(child.text_content().split()) for child in block if child.tag == "p")
    return [text for text in texts if len(text) >= _CONTINUATION_PARAGRAPH_CHARS]


def _block_lines(block: lxml_html.HtmlElement) -> list[str]:
    lines = []
    for element in block.iter(*_CONTINUATION_LINES):
        # Not a line inside another, nor a pull quote or a caption beside the text.
        enclosing = set()
        for ancestor in element.iterancestors():
            if ancestor is block:
                break
            enclosing.add(ancestor.tag)
        line = " ".join(element.text_content().split())
        if line and not enclosing & _BESIDE_THE_TEXT:
            lines.append(line)
    return lines


def _split_article(tree: lxml_html.HtmlElement, text: str) -> tuple[str, str]:
    """The text of the blocks that carry the article on before and after the ones `text` comes
    from: an article split by ad rows into blocks of one template (the same tag and class, under
    parents of the same tag and class), of which trafilatura takes one."""
    flat = " ".join(text.split())
    slots: dict[tuple[str, str, str, str | None], list[tuple[lxml_html.HtmlElement, bool]]] = {}
    for block in tree.iter("div", "section"):
        marks = block.get("class") or ""
        parent = block.getparent()
        if parent is None or not _CONTENT_CLASS.search(marks) or _NOT_CONTENT_CLASS.search(marks):
            continue
        paragraphs = _paragraphs(block)
        if len(paragraphs) < 2:
            continue
        held = sum(p[:60] in flat for p in paragraphs) * 2 >= len(paragraphs)
        slots.setdefault((block.tag, marks, parent.tag, parent.get("class")), []).append((block, held))
    before: list[str] = []
    after: list[str] = []
    for blocks in slots.values():
        held_at = [i for i, (_, held) in enumerate(blocks) if held]
        if held_at:
            before += [line for block, _ in blocks[: held_at[0]] for line in _block_lines(block)]
            after += [line for block, _ in blocks[held_at[-1] + 1 :] for line in _block_lines(block)]
    return "\n".join(before), "\n".join(after)


def article_body(tree: lxml_html.HtmlElement, url: str, meta: PageMetadata, canonical: str | None) -> str:
    """The article's text on the page of `tree` read from `url` (its `canonical` address, if it declares
    one, judges teaser cards); deletes consent bars, scripts and furniture from `tree`. Raises
    ExtractionError when less than MIN_TEXT_CHARS remain."""

    def finish(doc: Any) -> str:
        raw = str(document_field(doc, "text") or "")
        return _finish(mark_code_lines(raw, code_block_lines(document_field(doc, "body"))), meta)

    _drop_consent_banners(tree)
    drop_unread(tree)
    _open_webflow_embeds(tree)
    if meta.quoted_posts:
        _open_quoted_posts(tree)
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
    # Still short of the page's paragraphs: ad rows may have split the article into blocks of one
    # template, of which trafilatura took one (WIRED's "article__body" grids).
    if len(text) < CONTINUATION_BELOW_SHARE * meta.paragraph_chars:
        before, after = _split_article(tree, text)
        if before or after:
            text = "\n".join(filter(None, (_finish(before, meta), text, _finish(after, meta))))
    if len(text) < MIN_TEXT_CHARS and meta.article_body:
        text = _finish(meta.article_body, meta)
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError(f"{url}: no article text found ({len(text)} characters after cleaning)")
    return text
