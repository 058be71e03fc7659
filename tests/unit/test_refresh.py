"""The refresh policy (when a stored article is fetched again) and revision summaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsflow.records import Validators
from newsflow.refresh import (
    RefreshBudget,
    conditional_headers,
    listing_says_changed,
    next_refresh_at,
    parse_refresh_ages,
    refreshes_passed,
    schedule_after,
)
from newsflow.revision import ArticleVersion, compare, keep_as_revision

SEEN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_ages_parse_in_any_unit_and_empty_turns_refreshing_off() -> None:
    assert parse_refresh_ages("1h,6h,24h,72h") == (H, 6 * H, 24 * H, 72 * H)
    assert parse_refresh_ages(" 90m , 1.5d ") == (90 * timedelta(minutes=1), 36 * H)
    assert parse_refresh_ages("") == ()
    assert parse_refresh_ages(" , ") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 hour", "is not an age"),
        ("6h,1h", "increasing order"),
        ("1h,1h", "each age once"),
        ("0h", "above zero"),
        ("-1h", "is not an age"),
    ],
)
def test_a_bad_age_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_refresh_ages(text)


def test_the_next_refresh_is_the_next_age_after_first_seen_then_none() -> None:
    ages = parse_refresh_ages("1h,6h")
    assert next_refresh_at(SEEN, 0, ages) == SEEN + H
    assert next_refresh_at(SEEN, 1, ages) == SEEN + 6 * H
    assert next_refresh_at(SEEN, 2, ages) is None
    assert next_refresh_at(SEEN, 0, ()) is None


def test_a_late_refetch_settles_every_age_passed_at_once() -> None:
    ages = parse_refresh_ages("1h,6h,24h,72h")
    assert refreshes_passed(SEEN, SEEN + 30 * timedelta(minutes=1), ages) == 0
    assert refreshes_passed(SEEN, SEEN + H, ages) == 1
    assert refreshes_passed(SEEN, SEEN + 30 * H, ages) == 3  # ran late: 1h, 6h and 24h in one fetch


def test_a_listing_date_after_our_last_fetch_means_changed() -> None:
    assert listing_says_changed(SEEN + H, SEEN)
    assert not listing_says_changed(SEEN, SEEN)
    assert not listing_says_changed(SEEN - H, SEEN)
    assert not listing_says_changed(None, SEEN)
    assert not listing_says_changed(SEEN, None)


def _version(text: str, title: str = "Title", authors: tuple[str, ...] = ("Ann Lee",)) -> ArticleVersion:
    return ArticleVersion(title, text, authors, SEEN, None)


def test_a_paragraph_added_counts_its_words_and_nothing_else() -> None:
    old = _version("The council met on Monday. It voted for the plan.")
    new = _version("The council met on Monday. It voted for the plan. Correction: it met on Tuesday.")
    change = compare(old, new)
    assert (change.words_added, change.words_removed) == (5, 0)
    assert not (change.title_changed or change.authors_changed or change.dates_changed)
    assert change.changed
    assert change.summary() == "+5 −0 words"


def test_a_new_headline_and_a_reworded_sentence() -> None:
    old = _version("Storm hits the coast tonight.", title="Storm coming")
    new = _version("Storm hit the coast last night.", title="Storm hits coast")
    change = compare(old, new)
    assert (change.words_added, change.words_removed) == (3, 2)
    assert change.title_changed
    assert change.summary() == "+3 −2 words, title changed"


def test_identical_versions_are_unchanged() -> None:
    change = compare(_version("Same words."), _version("Same words."))
    assert not change.changed
    assert change.summary() == "unchanged"


def test_dates_and_authors_are_changes_too() -> None:
    old = _version("Text.")
    new = ArticleVersion("Title", "Text.", ("Ann Lee", "Bo Chan"), SEEN, SEEN + H)
    change = compare(old, new)
    assert change.authors_changed and change.dates_changed and change.changed
    assert (change.words_added, change.words_removed) == (0, 0)


def test_a_page_flipping_between_two_versions_keeps_each_once() -> None:
    first, second = _version("Version one."), _version("Version two.")
    kept: set[str] = set()
    for previous in (first, second, first, second, first):  # A→B→A→B→A→B
        if keep_as_revision(previous, kept):
            kept.add(previous.key)
    assert kept == {first.key, second.key}
    assert first.key != second.key
    assert _version("Version one.").key == first.key


def test_a_refetch_settles_the_ages_passed_and_an_early_one_none() -> None:
    ages = parse_refresh_ages("1h,6h,24h")
    assert schedule_after(SEEN, 0, SEEN + 2 * H, ages) == (1, SEEN + 6 * H)
    assert schedule_after(SEEN, 0, SEEN + 30 * H, ages) == (3, None)
    # A listing said it changed before its next age: that age stays due.
    assert schedule_after(SEEN, 1, SEEN + 2 * H, ages) == (1, SEEN + 6 * H)
    assert schedule_after(SEEN, 0, SEEN + 2 * H, ()) == (0, None)


def test_validators_become_conditional_headers() -> None:
    assert conditional_headers(None) == {}
    assert conditional_headers(Validators('"abc"', None)) == {"If-None-Match": '"abc"'}
    assert conditional_headers(Validators(None, "Mon, 30 Nov 2026 08:00:00 GMT")) == {
        "If-Modified-Since": "Mon, 30 Nov 2026 08:00:00 GMT"
    }


def test_the_budget_is_shared_and_what_is_unused_comes_back() -> None:
    budget = RefreshBudget(5)
    assert budget.take(3) == 3
    assert budget.take(3) == 2
    assert budget.take(1) == 0
    budget.give_back(2)
    assert budget.take(10) == 2
