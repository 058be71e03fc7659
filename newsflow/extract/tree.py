"""Parse a page into the lxml tree trafilatura works on, with trafilatura's own parser settings.

trafilatura.utils.load_html first runs a regular expression over the whole page for the
control characters XML forbids; on a 160 KB page that scan costs 0.47 ms, a third of the parse
and about 4% of a page's extraction. Pages seldom contain those characters: a byte translation
finds out in a third of the time, and only a page that needs one of load_html's repairs (or
that lxml will not take as a string) goes through load_html itself. The UTF-8 bytes that check
makes are what lxml parses: given the str, it would encode it once more.

The tree's text is read here too, a line per text node (page_lines), once a page: the date and
the author readers may both ask for it.
"""

from __future__ import annotations

import functools
import re

from lxml import etree
from lxml import html as lxml_html
from trafilatura.utils import DOCTYPE_TAG, load_html

# What trafilatura.utils.INVALID_XML_CHARS removes: C0 controls but tab, newline and carriage
# return, and the two non-characters U+FFFE and U+FFFF.
_CONTROL_BYTES = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))


def _html_parser() -> lxml_html.HTMLParser:
    """trafilatura.utils.HTML_PARSER's options, and lxml.html's element classes found in C.

    lxml.html's parser asks a Python method (HtmlElementClassLookup.lookup) for the class of every
    element object lxml makes: trafilatura makes about 4000 a page on its copies of our tree (the
    copies keep the parser): 0.3 ms a WCXB page, 2.4 ms an aeb-dev page (BENCHMARKS.md, issue
    #12). A namespace lookup maps the same lowercase tag names to the same classes without leaving
    C, so the tree is the same, down to its elements' classes.
    """
    parser = lxml_html.HTMLParser(
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
    )
    lookup = etree.ElementNamespaceClassLookup(
        etree.ElementDefaultClassLookup(
            element=lxml_html.HtmlElement,
            comment=lxml_html.HtmlComment,
            pi=lxml_html.HtmlProcessingInstruction,
            entity=lxml_html.HtmlEntity,
        )
    )
    lookup.get_namespace(None).update(lxml_html.HtmlElementClassLookup._default_element_classes)
    parser.set_element_class_lookup(lookup)
    return parser


HTML_PARSER = _html_parser()
# What lxml looks for in a str before it refuses it (lxml.etree's _hasEncodingDeclaration).
_XML_ENCODING_DECLARATION = re.compile(
    r"^(<\?xml[^>]+)\s+encoding\s*=\s*[\"'][^\"']*[\"'](\s*\?>|)", re.UNICODE
)


# A browser reads on after </body> and </html>: the HTML standard puts what follows them back in
# the body. libxml2 drops everything after </html> and leaves what follows </body> outside the
# body, so a template that closes the document after its header ("</header></body></html>", then
# the article) lost the article.
_DOCUMENT_END = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
# What may follow the end of a document without being content: more end tags, comments, scripts.
_NOT_CONTENT = re.compile(
    r"<!--.*?(?:-->|$)|<(script|style|noscript|template)\b.*?(?:</\1\s*>|$)|</?(?:body|html)\b[^>]*>|\s+",
    re.IGNORECASE | re.DOTALL,
)


def reopen_document(html: str) -> str:
    """`html` without its </body> and </html> tags when content follows the first of them, so the
    tree holds what a browser shows; otherwise `html` itself."""
    end = _DOCUMENT_END.search(html)
    if end is None or not _NOT_CONTENT.sub("", html[end.start() :]):
        return html
    return _DOCUMENT_END.sub("", html)


def parse_html(html: str) -> lxml_html.HtmlElement | None:
    """The page's tree, as trafilatura.utils.load_html builds it, with what follows a premature
    </body> or </html> in the body, as a browser shows it; None when it is not HTML."""
    html = reopen_document(html)
    tree = _parse_clean(html)
    return tree if tree is not None else load_html(html)


def _parse_clean(html: str) -> lxml_html.HtmlElement | None:
    beginning = html[:50].lower()
    # load_html rejects short trees of pages that do not say "html" early: let it decide those.
    # lxml refuses a str that declares an encoding ('<?xml ... encoding="utf-8"?>'): so do we, as
    # the bytes below would be taken.
    if "html" not in beginning or _XML_ENCODING_DECLARATION.match(html):
        return None
    try:
        encoded = html.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: lxml refuses the str too
        return None
    if _needs_repair(html, encoded, beginning):
        return None
    try:
        # The UTF-8 the repair check made: lxml would encode the str again (0.2 ms a page).
        tree = lxml_html.fromstring(encoded, parser=HTML_PARSER)
    except Exception:  # load_html knows the fallbacks
        return None
    return tree if tree is not None and len(tree) >= 1 else None


def _needs_repair(html: str, encoded: bytes, beginning: str) -> bool:
    """True when trafilatura.utils.repair_faulty_html would change `html` (`encoded` in UTF-8)."""
    if "\ufffe" in html or "\uffff" in html:
        return True
    if len(encoded.translate(None, _CONTROL_BYTES)) != len(encoded):
        return True
    if "doctype" in beginning:
        first_line_end = html.find("\n")
        if DOCTYPE_TAG.match(html, 0, first_line_end if first_line_end >= 0 else len(html)):
            return True
    # A self-closing <html/> in the first lines.
    return any("<html" in line and line.endswith("/>") for line in html[:4096].splitlines()[:4])


_LD_JSON = "application/ld+json"
# Page furniture trafilatura deletes before it extracts: without a paragraph in it, nothing of it
# can be the article, even where trafilatura's recall mode takes back what it deleted.
_FURNITURE = ("nav", "footer", "aside")


def drop_unread(tree: lxml_html.HtmlElement) -> None:
    """Delete from `tree` what trafilatura's extraction deletes anyway: scripts, styles, SVG
    drawings, and navigation bars, footers and asides that hold no paragraph (tails stay; JSON-LD
    stays, whose articleBody trafilatura's last resort reads).

    trafilatura copies the whole tree four times per extraction before it deletes them: deleting
    them once first spares copying them (1.3 ms a WCXB page; BENCHMARKS.md, issue #12).
    """
    doomed = [
        e for e in tree.iter("script", "style", "svg") if e.tag != "script" or e.get("type") != _LD_JSON
    ]
    doomed += [e for e in tree.iter(*_FURNITURE) if e.find(".//p") is None]
    for element in doomed:
        element.drop_tree()


# The text nodes under an element, as plain strings: body.itertext() gave the same strings but
# made a Python object of every element on its way.
_TEXT_NODES = etree.XPath(".//text()", smart_strings=False)


@functools.lru_cache(maxsize=2)
def page_lines(tree: lxml_html.HtmlElement) -> str:
    """The page's visible and invisible text, a line per text node (read only on pages that lack
    a date or an author: see publication._labelled_date and authors._written_by, which may both
    ask, hence the cache)."""
    body = tree.find("body")
    if body is None:
        return ""
    return "\n".join(filter(None, (" ".join(piece.split()) for piece in _TEXT_NODES(body))))
