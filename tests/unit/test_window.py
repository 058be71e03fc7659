"""A backfill's window: its days, and which listed URLs and articles fall inside it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from newsflow.errors import ConfigError
from newsflow.records import DateWindow, DiscoveredUrl
from newsflow.window import MAX_DAYS, days_between, listed_in_window, split_by_window

WINDOW = DateWindow(datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 6, 7, 23, 59, 59, tzinfo=UTC))
INSIDE = datetime(2025, 6, 3, 12, tzinfo=UTC)
OUTSIDE = datetime(2025, 5, 20, 12, tzinfo=UTC)


def _url(path: str, published: datetime | None = None) -> DiscoveredUrl:
    return DiscoveredUrl(f"https://daily.example{path}", "daily", "feed", published)


def test_days_are_inclusive_and_bounded() -> None:
    assert days_between(date(2025, 6, 1), date(2025, 6, 3)) == [
        date(2025, 6, 1) + timedelta(days=n) for n in range(3)
    ]
    assert days_between(date(2025, 6, 1), date(2025, 6, 1)) == [date(2025, 6, 1)]
    with pytest.raises(ConfigError, match="before --since"):
        days_between(date(2025, 6, 2), date(2025, 6, 1))
    with pytest.raises(ConfigError, match=f"ranges of {MAX_DAYS}"):
        days_between(date(2024, 1, 1), date(2025, 6, 1))


def test_split_by_window_keeps_undated_items_only_when_asked() -> None:
    items = [("in", INSIDE), ("out", OUTSIDE), ("undated", None)]
    inside, outside = split_by_window(items, WINDOW, lambda i: i[1], keep_undated=True)
    assert [i[0] for i in inside] == ["in", "undated"] and [i[0] for i in outside] == ["out"]
    inside, outside = split_by_window(items, WINDOW, lambda i: i[1], keep_undated=False)
    assert [i[0] for i in inside] == ["in"] and [i[0] for i in outside] == ["out", "undated"]


def test_a_listed_url_is_judged_by_its_listing_date_else_by_what_an_earlier_backfill_read() -> None:
    urls = [
        _url("/listed-inside", INSIDE),
        _url("/listed-outside", OUTSIDE),
        _url("/never-fetched"),
        _url("/fetched-inside"),
        _url("/fetched-outside"),
        _url("/fetched-undated"),
    ]
    page_dates: dict[str, datetime | None] = {
        "https://daily.example/fetched-inside": INSIDE,
        "https://daily.example/fetched-outside": OUTSIDE,
        "https://daily.example/fetched-undated": None,
    }
    inside, outside = listed_in_window(urls, WINDOW, page_dates=page_dates)
    assert [u.url.rsplit("/", 1)[1] for u in inside] == ["listed-inside", "never-fetched", "fetched-inside"]
    assert [u.url.rsplit("/", 1)[1] for u in outside] == [
        "listed-outside",
        "fetched-outside",
        "fetched-undated",
    ]
