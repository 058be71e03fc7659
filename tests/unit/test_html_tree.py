"""parse_html: the tree trafilatura's load_html builds, without its whole-page scan when a page
needs none of its repairs."""

from __future__ import annotations

import copy

import pytest
from lxml import etree
from trafilatura.utils import load_html

from newsflow.extract.tree import _parse_clean, drop_unread, parse_html, reopen_document
from tests.site import load_fixture_articles

NEEDS_REPAIR = [
    "<html><body><p>a\x00b\x0bc</p><p>form\x0cfeed</p></body></html>",
    "<html><body><p>non-characters \ufffe and \uffff</p></body></html>",
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x.dtd"/>\n<html><body><p>hi</p></body></html>',
    "<html/>\n<body><p>text</p></body>",
]
NOT_HTML_UP_FRONT = [
    "<p>a fragment</p>",
    "plain text only",
    "",
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>',
]


def _serialized(tree: object) -> bytes | None:
    return None if tree is None else etree.tostring(tree)


@pytest.mark.parametrize("html", NEEDS_REPAIR + NOT_HTML_UP_FRONT)
def test_pages_needing_repair_or_judgement_go_through_load_html(html: str) -> None:
    assert _parse_clean(html) is None
    assert _serialized(parse_html(html)) == _serialized(load_html(html))


def test_clean_pages_parse_to_the_same_tree_without_the_scan() -> None:
    pages = [a.html.decode("utf-8", errors="replace") for a in load_fixture_articles()]
    assert pages
    for html in pages:
        assert _parse_clean(html) is not None
        assert _serialized(parse_html(html)) == _serialized(load_html(html))


def test_a_forbidden_character_deep_in_a_page_is_still_found() -> None:
    html = load_fixture_articles()[0].html.decode("utf-8", errors="replace")
    middle = len(html) // 2
    dirty = html[:middle] + "\x1f" + html[middle:]
    assert _parse_clean(dirty) is None
    assert _serialized(parse_html(dirty)) == _serialized(load_html(dirty))


def _classes(tree: etree._Element) -> list[tuple[str, type]]:
    return [(str(element.tag), type(element)) for element in tree.iter()]


def test_elements_get_lxml_html_classes_as_load_html_gives_them() -> None:
    # The parser finds the element classes in C: form, input, select, textarea and label keep
    # their lxml.html classes, also under a tag in capitals and once trafilatura copies the tree.
    html = (
        "<html><head><title>t</title></head><body><FORM action='/s'><LABEL for='q'>Find</LABEL>"
        "<input name='q'><select><option>a</option></select><textarea>x</textarea></FORM>"
        "<fb:like></fb:like><svg><path d='M0'/></svg><p>text &amp; more</p></body></html>"
    )
    ours, theirs = parse_html(html), load_html(html)
    assert ours is not None and theirs is not None
    assert _serialized(ours) == _serialized(theirs)
    assert _classes(ours) == _classes(theirs)
    assert _classes(copy.copy(ours)) == _classes(copy.copy(theirs))
    assert type(ours.find(".//form")).__name__ == "FormElement"


def test_fixture_pages_get_the_same_element_classes() -> None:
    for article in load_fixture_articles():
        html = article.html.decode("utf-8", errors="replace")
        ours, theirs = parse_html(html), load_html(html)
        assert ours is not None and theirs is not None
        assert _classes(ours) == _classes(theirs)


def test_drop_unread_deletes_scripts_styles_and_drawings_but_keeps_json_ld_and_tails() -> None:
    tree = parse_html(
        "<html><head><style>p {}</style>"
        '<script type="application/ld+json">{"articleBody": "Kept."}</script></head><body>'
        "<p>Before <script>var tracker = 1;</script>after the script.</p>"
        '<p><svg viewBox="0 0 1 1"><path d="M0"/><text>icon</text></svg>Shared text.</p>'
        "</body></html>"
    )
    assert tree is not None

    drop_unread(tree)

    assert [e.tag for e in tree.iter("script", "style", "svg", "path")] == ["script"]
    assert tree.find(".//script").text == '{"articleBody": "Kept."}'
    assert [p.text_content() for p in tree.iter("p")] == ["Before after the script.", "Shared text."]


def test_drop_unread_deletes_furniture_without_paragraphs_only() -> None:
    # An article a broken template wraps in <nav> or <aside> keeps its paragraphs for trafilatura,
    # whose recall mode takes back what it deleted when nothing else is left.
    tree = parse_html(
        "<html><body><nav><a href='/'>Home</a><a href='/news'>News</a></nav>"
        "<aside><p>The whole article, in an aside.</p></aside>"
        "<footer><ul><li>Contact</li></ul></footer><nav><p>A nav with a paragraph.</p></nav>"
        "</body></html>"
    )
    assert tree is not None

    drop_unread(tree)

    assert [e.tag for e in tree.iter("nav", "aside", "footer")] == ["aside", "nav"]
    assert "Home" not in tree.text_content() and "Contact" not in tree.text_content()


@pytest.mark.parametrize(
    "charset",
    [
        '<meta charset="iso-8859-1">',
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
    ],
)
def test_a_page_declaring_another_charset_keeps_its_decoded_text(charset: str) -> None:
    # The str is handed to lxml as UTF-8: the page's own declaration must not re-decode it.
    page = f"<html><head>{charset}</head><body><p>café — naïve</p></body></html>"
    tree = _parse_clean(page)
    assert tree is not None
    assert tree.findtext(".//p") == "café — naïve"
    assert _serialized(tree) == _serialized(load_html(page))


# A template that closes the document after its header, then prints the article (as a browser
# shows it: the HTML standard reads content after </body> and </html> into the body).
_CLOSED_AFTER_HEADER = (
    "<!DOCTYPE html><html><head><title>HR outsourcing</title></head><body>"
    "<header><nav><a href='/'>Home</a> <a href='/blog/'>Blog</a></nav></header>"
    "</body>\n</html>\n"
    "<div class='blog-detail-page'><h1>Six types of HR outsourcing</h1>"
    + "".join(
        f"<p>Paragraph {n} of the article explains one more way a company can hand its payroll, "
        "hiring and compliance work to an outside agency, and what that costs.</p>"
        for n in range(8)
    )
    + "</div><footer><p>Copyright Escalon</p></footer></body></html>"
)


def test_content_after_a_premature_end_of_document_stays_in_the_body() -> None:
    tree = parse_html(_CLOSED_AFTER_HEADER)
    assert tree is not None
    body = tree.find("body")
    assert body is not None
    assert [h.text for h in body.iter("h1")] == ["Six types of HR outsourcing"]
    assert len(body.findall(".//p")) == 9


@pytest.mark.parametrize(
    "tail",
    [
        "",
        "\n<!-- served in 12 ms -->\n",
        "<script>window.dataLayer = [];</script>\n",
        "</body></html>",
        "<!-- an unclosed comment",
    ],
)
def test_a_document_followed_only_by_comments_or_scripts_is_parsed_as_it_is(tail: str) -> None:
    page = "<html><body><p>The article.</p></body></html>" + tail
    assert reopen_document(page) is page
