"""What a page puts where its name goes, and the name a reader would write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.extract.article import extract_article
from newsflow.extract.site_names import clean_site_name, site_host

NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("The Harbour Courier", "The Harbour Courier"),
        ("https://www.newsnation.in", "newsnation.in"),
        # trafilatura reads <meta name="copyright"> for the name: the holder is the name.
        ("© 2024 Acme News. All rights reserved.", "Acme News"),
        ("Copyright 2010-2025 The Daily Planet", "The Daily Planet"),
        ("Copyright UC Regents. For more information regarding the University's terms, visit", "UC Regents"),
        # A notice that names no one short enough to be a name names no site.
        ("Copyright", None),
        ("Copyright: the content of this site may not be reproduced without our written consent", None),
        ("", None),
        (None, None),
    ],
)
def test_the_site_name_is_what_a_reader_would_write(declared: str | None, expected: str | None) -> None:
    assert clean_site_name(declared) == expected


def test_a_percent_encoded_path_is_not_part_of_the_host() -> None:
    assert site_host("https://blog.example.fr%2Farticles%2F2025-12-15%2BRust") == "blog.example.fr"
    assert site_host("http://www.example.com:8080/a?b") == "example.com"
    assert site_host("not an address") is None


def test_an_article_stores_the_sites_name_not_its_address_or_notice() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n}: the harbour board approved the dredging plan and its budget for spring.</p>"
        for n in range(6)
    )
    page = (
        '<html><head><title>Dredging plan</title><meta property="og:site_name" content="https://www.courier.example">'
        f"</head><body><article><h1>Dredging plan</h1>{paragraphs}</article></body></html>"
    )
    assert extract_article(page, url="https://courier.example/a", now=NOW).site_name == "courier.example"
    page = page.replace(
        '<meta property="og:site_name" content="https://www.courier.example">',
        '<meta name="copyright" content="Copyright 2025 Harbour Courier Ltd. All rights reserved.">',
    )
    assert extract_article(page, url="https://courier.example/a", now=NOW).site_name == "Harbour Courier Ltd"
