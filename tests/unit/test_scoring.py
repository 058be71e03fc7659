"""The article-body score, checked on cases small enough to count by hand."""

from __future__ import annotations

import pytest

from tests.support.scoring import PageScore, Score, score_page, score_pages, shingles, snippet_checks


def test_shingles_are_four_word_runs_counted_with_repeats() -> None:
    assert shingles("a b c d e") == {"a b c d": 1, "b c d e": 1}
    assert shingles("x y z w x y z w") == {"x y z w": 2, "y z w x": 1, "z w x y": 1, "w x y z": 1}


def test_words_are_unicode_word_runs_and_punctuation_is_ignored() -> None:
    assert shingles("Ça va, très-bien: merci!") == {"Ça va très bien": 1, "va très bien merci": 1}


def test_short_text_is_one_shingle_and_empty_text_none() -> None:
    assert shingles("two words") == {"two words": 1}
    assert shingles("") == {}
    assert shingles(None) == {}


def test_identical_text_scores_one() -> None:
    page = score_page("one two three four five", "one two three four five")
    assert (page.precision, page.recall) == (1.0, 1.0)


def test_extra_and_missing_shingles_counted_by_hand() -> None:
    # expected: "a b c d", "b c d e", "c d e f"; extracted: "a b c d", "b c d e", "c d e x", "d e x y"
    page = score_page("a b c d e f", "a b c d e x y")
    assert page == PageScore(tp=2 / 5, fp=2 / 5, fn=1 / 5)
    assert page.precision == pytest.approx(0.5)
    assert page.recall == pytest.approx(2 / 3)


def test_multiset_counts_the_smaller_number_of_repeats() -> None:
    # expected has "p q r s" twice (plus three other shingles); extracted has it once.
    page = score_page("p q r s p q r s", "p q r s")
    assert page.tp == pytest.approx(1 / 5)
    assert page.fn == pytest.approx(4 / 5)
    assert page.precision == 1.0
    assert page.recall == pytest.approx(0.2)


def test_empty_extraction_scores_zero_and_nothing_on_both_sides_scores_one() -> None:
    missing = score_page("some real article text here", "")
    assert (missing.precision, missing.recall) == (0.0, 0.0)
    spurious = score_page("", "some boilerplate text here")
    assert (spurious.precision, spurious.recall) == (0.0, 0.0)
    nothing = score_page("", "")
    assert (nothing.precision, nothing.recall) == (1.0, 1.0)


def test_f1_is_taken_of_the_mean_precision_and_mean_recall() -> None:
    perfect = score_page("a b c d e", "a b c d e")  # P=1, R=1
    half = score_page("a b c d e f", "a b c d e x y")  # P=0.5, R=2/3
    total = score_pages([perfect, half])
    assert total.precision == pytest.approx(0.75)
    assert total.recall == pytest.approx(5 / 6)
    assert total.f1 == pytest.approx(2 * 0.75 * (5 / 6) / (0.75 + 5 / 6))
    assert total.pages == 2


def test_no_pages_scores_zero() -> None:
    assert score_pages([]) == Score(0.0, 0.0, 0)
    assert Score(0.0, 0.0, 0).f1 == 0.0


def test_snippets_are_whole_word_runs_whatever_the_spacing_and_punctuation() -> None:
    text = "Sign up for our\nnewsletter! The subscribers' fund grew."
    assert snippet_checks(text, ["sign up for our newsletter", "The fund"], ["Subscribe", "Newsletter"]) == (
        1,
        2,
        1,
        2,
    )
    assert snippet_checks(text, ["—"], []) == (0, 0, 0, 0)  # no word, nothing to judge
