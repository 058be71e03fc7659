"""Each recorded page still extracts to what tests/data/expected.json says (fundus-style).

After a deliberate extraction change, regenerate the file with `python -m tests.record_expected`
and review the diff.
"""

from __future__ import annotations

import gzip
import json

import pytest

from tests.record_expected import EXPECTED, FIXTURES, record

RECORDED = json.loads(EXPECTED.read_text(encoding="utf-8"))
FIELDS = (
    "url",
    "title",
    "authors",
    "published_at",
    "published_at_source",
    "language",
    "text_starts",
    "text_ends",
)


@pytest.mark.parametrize("page_id", sorted(RECORDED))
def test_recorded_page_extracts_as_recorded(page_id: str) -> None:
    url = json.loads(
        (EXPECTED.parent.parent / "fixtures" / "aeb" / "ground-truth.json").read_text(encoding="utf-8")
    )[page_id]["url"]
    got = record(page_id, url)
    want = RECORDED[page_id]
    assert {f: got[f] for f in FIELDS} == {f: want[f] for f in FIELDS}
    assert got["content_hash"] == want["content_hash"], "body text changed: rerun tests.record_expected"


def test_published_at_source_is_one_word_of_a_closed_vocabulary() -> None:
    from datetime import UTC, datetime

    from newsflow.extract.article import extract_article
    from newsflow.extract.dates import PUBLISHED_SOURCES
    from newsflow.records import PageHints

    far_listing = PageHints(listed_published_at=datetime(2001, 1, 1, tzinfo=UTC))
    seen = set()
    for page_id, truth in json.loads((FIXTURES / "ground-truth.json").read_text(encoding="utf-8")).items():
        html = gzip.decompress((FIXTURES / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
        for hints in (None, far_listing):
            article = extract_article(html, url=truth["url"], hints=hints)
            assert article.published_at_source in (*PUBLISHED_SOURCES, None), article.published_at_source
            seen.add(article.published_at_source)
    assert "listing" in seen and len(seen) >= 3
