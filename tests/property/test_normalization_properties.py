"""Text normalization on arbitrary input: never raises, idempotent, and keeps its stated shape."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from newsflow.extract.residue import clean_text, normalize_whitespace

# Prose, page furniture and awkward whitespace, so the examples hit the residue rules.
LINES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "The minister said the talks would resume on Monday.",
            "Share this article",
            "Share: Facebook | Twitter",
            "Follow us on Twitter and Facebook",
            "Sign up for our newsletter, delivered to your inbox.",
            "Read more",
            "Read more: the budget in detail",
            "News.Az",
            "© 2025 Example Media",
            "date 2025-06-03 + ↺ − 16 px",
            "Updated at 1:23 p.m.",
            "* * *",
            "   ",
            "\u00a0\u2003",
            "e\u0301",
            "\r",
        ]
    ),
)
TEXTS = st.one_of(st.text(max_size=400), st.lists(LINES, max_size=12).map("\n".join))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
@example("a \u00a0 b\r\n\r\n\r\n c\u200b")
@example("e\u0301\n\n\n\u0301")
def test_normalize_whitespace_is_idempotent_and_tidy(text: str) -> None:
    once = normalize_whitespace(text)
    assert normalize_whitespace(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\r" not in once and "\n\n\n" not in once
    assert once == once.strip("\n")
    assert all(line == line.strip() for line in once.split("\n"))
    assert "  " not in once


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.one_of(st.none(), st.text(max_size=20), st.just("News.Az")))
def test_clean_text_never_raises_and_returns_normalized_text(text: str, site_name: str | None) -> None:
    once = clean_text(text, site_name=site_name)
    assert normalize_whitespace(once) == once
    assert len(once) <= len(normalize_whitespace(text))


def test_clean_text_is_idempotent_when_removal_shifts_the_tail() -> None:
    text = "Follow our coverage on Twitter\nOne.\nTwo.\nThree.\nFollow our coverage on Twitter"
    once = clean_text(text)
    assert clean_text(once) == once


@given(st.lists(st.sampled_from(["The talks resume on Monday.", "Officials gave no date."]), min_size=1))
def test_clean_text_keeps_prose(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert clean_text(text) == text


@given(
    st.lists(
        st.sampled_from(
            [
                "The talks resume on Monday.",
                "Follow us on Facebook, Twitter and Instagram.",
                "Subscribe to our newsletter for the latest updates in your inbox.",
                "Share on Facebook Twitter",
                "",
                "News.Az",
                "Officials gave no date for the vote.",
            ]
        ),
        max_size=12,
    )
)
def test_clean_text_is_idempotent(lines: list[str]) -> None:
    once = clean_text("\n".join(lines), site_name="News.Az")
    assert clean_text(once, site_name="News.Az") == once
