"""parse_html: the tree trafilatura's load_html builds, without its whole-page scan when a page
needs none of its repairs."""

from __future__ import annotations

import pytest
from lxml import etree
from trafilatura.utils import load_html

from newsflow.extract.tree import _parse_clean, parse_html
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
