"""Re-extraction's pure parts: the hints a stored row gives back, what changed, the run's counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from newsflow.errors import ConfigError
from newsflow.records import EXTRACTED_FIELDS, ArchiveLocation, ExtractedArticle
from newsflow.reextraction import (
    ReextractReport,
    StoredArticle,
    archived_page,
    changed_fields,
    fresh_values,
)
from newsflow.settings import load_settings

WHEN = datetime(2025, 6, 3, 6, 15, tzinfo=UTC)
ARTICLE = ExtractedArticle(
    url="https://news.example/a",
    title="Budget vote",
    text="MPs approved the budget.",
    authors=("A. Writer",),
    published_at=WHEN,
    published_at_source="listing",
)


def _stored(article: ExtractedArticle) -> StoredArticle:
    values = fresh_values(article)
    return StoredArticle(
        7,
        article.url,
        article.url,
        "daily",
        "hash",
        tuple(values[n] for n in EXTRACTED_FIELDS),
        ArchiveLocation("data/warc/x.warc.gz", 10, 20),
    )


def test_the_same_extraction_changes_nothing_and_a_different_one_names_its_fields() -> None:
    stored = _stored(ARTICLE)
    same = fresh_values(ARTICLE)
    assert changed_fields(stored, tuple(same[n] for n in EXTRACTED_FIELDS)) == ()
    other = fresh_values(ExtractedArticle(url=ARTICLE.url, title="Budget vote", text="MPs approved it."))
    assert changed_fields(stored, tuple(other[n] for n in EXTRACTED_FIELDS)) == (
        "text",
        "authors",
        "published_at",
        "published_at_source",
    )


def test_a_stored_utc_day_is_changed_to_the_pages_own_day() -> None:
    # A row backfilled by migration 0009 holds published_at's UTC day; extracted again, the page
    # gives its own day and only that field changes.
    stored = _stored(replace(ARTICLE, published_day=date(2025, 6, 3)))
    fresh = fresh_values(replace(ARTICLE, published_day=date(2025, 6, 2)))
    assert changed_fields(stored, tuple(fresh[n] for n in EXTRACTED_FIELDS)) == ("published_day",)


def test_a_listing_date_is_handed_back_as_the_listing_date_and_only_that() -> None:
    page = archived_page(_stored(ARTICLE), final_url="", status=200, body=b"<html>", content_type=None)
    assert page.hints.listed_published_at == WHEN and page.final_url == ARTICLE.url
    assert page.archived == ArchiveLocation("data/warc/x.warc.gz", 10, 20)
    from_meta = ExtractedArticle(
        url=ARTICLE.url, title=None, text="x", published_at=WHEN, published_at_source="meta"
    )
    page = archived_page(_stored(from_meta), final_url=ARTICLE.url, status=200, body=b"", content_type=None)
    assert page.hints.listed_published_at is None


def test_reports_add_up_and_keep_a_bounded_list_of_failures() -> None:
    total = ReextractReport()
    for _ in range(3):
        part = ReextractReport(read=40, changed=2, unchanged=37)
        for index in range(30):
            part.fail(f"https://news.example/{index}", "damaged")
        total.merge(part)
    assert (total.read, total.changed, total.unchanged, total.failed) == (120, 6, 111, 90)
    assert len(total.failures) == 50
    assert total.message() == "reextract: 120 read, 6 changed, 111 unchanged, 90 failed"


@pytest.mark.parametrize("value", ["", "gopherfs://x/warc"])
def test_an_unusable_archive_setting_is_a_config_error(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_ARCHIVE", value)
    with pytest.raises(ConfigError, match="NEWSFLOW_ARCHIVE"):
        load_settings()
