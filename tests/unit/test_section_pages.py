"""Article links harvested from a recorded-shape section page: what is taken, what is left out."""

from __future__ import annotations

from pathlib import Path

from newsflow.discover.section_pages import article_links

PAGE = (Path(__file__).resolve().parent.parent / "fixtures" / "pages" / "section-world.html").read_text()
PAGE_URL = "https://www.harbourherald.example/world"
ARTICLES = [
    "https://www.harbourherald.example/world/2025/06/03/port-strike-ends-after-nine-days",  # date
    "https://www.harbourherald.example/world/europe/article-1234567.html",  # numeric id
    "https://www.harbourherald.example/world/asia/typhoon-warning-raised-for-southern-coast",  # long slug
    "https://www.harbourherald.example/world/elections-latest",  # short slug in a heading
    "https://www.harbourherald.example/world/news/20250602/grain-prices-climb",  # compact date
    "https://harbourherald.example/world/a1b2c3d4e5f6a7b8c9d0e1f2",  # hash id, same site without www
]


def _urls(**filters: tuple[str, ...]) -> list[str]:
    return [link.url for link in article_links(PAGE, page_url=PAGE_URL, source="herald", **filters)]


def test_article_links_are_taken_once_in_page_order_without_tracking() -> None:
    assert _urls() == ARTICLES


def test_navigation_files_other_sites_and_listing_pages_are_left_out() -> None:
    urls = " ".join(_urls())
    for left_out in (
        "/author/",
        "/tag/",
        "/tags/",
        "page=2",
        "/page/3",
        "/world/2025/06 ",
        "othersite.example",
        "twitter.com",
        "/newsletters/",
        ".pdf",
        "/subscribe",
        "/about",  # and a footer link with a long slug
        "/business",
        "/culture/books",
        "mailto:",
        "#comments",
        "utm_source",
    ):
        assert left_out not in urls + " ", left_out


def test_headline_text_becomes_the_listed_title_and_short_texts_do_not() -> None:
    links = {link.url: link for link in article_links(PAGE, page_url=PAGE_URL, source="herald")}
    assert links[ARTICLES[0]].title is None  # the first link to it is an image
    assert links[ARTICLES[1]].title == "Ferry services resume across the strait"
    assert links[ARTICLES[3]].title is None  # "Elections: latest" is two words
    assert all(link.source == "herald" and link.found_in == PAGE_URL for link in links.values())


def test_exclude_drops_and_include_decides_instead_of_the_shape() -> None:
    assert _urls(exclude=(r"/world/(asia|europe)/",)) == [ARTICLES[0], *ARTICLES[3:]]
    # An include pattern takes what it matches, even a link the shape rules would leave out.
    assert _urls(include=(r"/culture/",)) == ["https://www.harbourherald.example/culture/books"]
    assert _urls(include=(r"/20\d\d/?\d\d/?\d\d/",), exclude=(r"grain",)) == [ARTICLES[0]]


def test_a_page_with_no_article_link_yields_nothing() -> None:
    nav_only = "<html><body><nav><a href='/world'>World</a><a href='/about'>About</a></nav></body></html>"
    assert article_links(nav_only, page_url=PAGE_URL, source="herald") == []
    assert article_links("", page_url=PAGE_URL, source="herald") == []
