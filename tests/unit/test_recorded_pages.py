"""Each recorded page still extracts to what tests/data/expected.json says (fundus-style).

After a deliberate extraction change, regenerate the file with `python -m tests.record_expected`
and review the diff.
"""

from __future__ import annotations

import json

import pytest

from tests.record_expected import EXPECTED, record

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
