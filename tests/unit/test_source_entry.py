"""Appending a source to a sources file's text: comments and formatting kept, refusals one line."""

from __future__ import annotations

import pytest

from newsflow.errors import ConfigError
from newsflow.records import Source
from newsflow.source_entry import appended, conflict, render
from newsflow.sources import load_sources

COMMENTED = """# My sources -- keep this comment
sources:
    # the first one
    -   name: news-az   # inline comment
        feeds:
          - https://news.az/rss          # block list, odd indentation
    - name: other
      sitemaps: ['https://other.example/sitemap.xml']

# trailing notes stay where they are
"""
NEW = Source(
    name="example-org",
    feeds=('https://example.org/feed?x=1&y="2"',),
    sitemaps=("https://example.org/sitemap.xml",),
)


def test_the_text_is_kept_byte_for_byte_and_the_new_source_reads_back() -> None:
    result = appended(COMMENTED, NEW, path="s.yaml")
    assert result.startswith(COMMENTED)
    assert [s.name for s in load_sources(result)] == ["news-az", "other", "example-org"]
    assert load_sources(result)[-1] == NEW
    assert result.endswith(render(NEW, indent="    "))


def test_a_file_without_a_final_newline_or_an_empty_file() -> None:
    text = "sources:\n- name: a\n  feeds: [https://a.example/rss]"
    result = appended(text, NEW, path="s.yaml")
    assert result.startswith(text + "\n- name: example-org\n")
    assert [s.name for s in load_sources(result)] == ["a", "example-org"]
    assert load_sources(appended("", NEW, path="s.yaml")) == [NEW]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sources:\n  - name: a\n    feeds: [https://a.example/rss]\nsettings:\n  x: 1\n",
            "not the last block",
        ),
        ("sources: [{name: a, feeds: [https://a.example/rss]}]\n", "would break the file"),
    ],
)
def test_a_file_it_cannot_append_to_safely_is_refused(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        appended(text, NEW, path="s.yaml")


def test_a_taken_name_or_listing_url_is_a_conflict() -> None:
    existing = load_sources(COMMENTED)
    assert "named 'news-az' already exists" in (conflict(existing, Source(name="news-az")) or "")
    taken = Source(name="fresh", sitemaps=("https://OTHER.example/sitemap.xml?utm_source=x",))
    assert (
        conflict(existing, taken)
        == "https://OTHER.example/sitemap.xml?utm_source=x is already listed by source 'other'"
    )
    assert conflict(existing, NEW) is None


def test_the_committed_sources_file_says_its_sources_are_examples_and_takes_an_append() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "sources.yaml").read_text(encoding="utf-8")
    assert "EXAMPLES TO REPLACE" in text.split("sources:\n", 1)[0]
    result = appended(text, NEW, path="sources.yaml")
    assert result.startswith(text) and load_sources(result)[-1] == NEW


@pytest.mark.parametrize("name", ["2024", "no", "null", "1_000", "0x1f", "off"])
def test_a_name_yaml_would_read_as_a_number_or_boolean_is_quoted(name: str) -> None:
    new = Source(name=name, feeds=("https://example.org/feed",))
    assert f'- name: "{name}"' in render(new)
    assert load_sources(appended(COMMENTED, new, path="s.yaml"))[-1] == new
    assert render(Source(name="example-org")).startswith("  - name: example-org\n")


@pytest.mark.parametrize(
    "text", ["sources: []\n", "# mine\nsources: [ ]   # none yet\n", "sources:\n", "# header\nsources:\n\n"]
)
def test_the_first_source_goes_into_an_empty_list(text: str) -> None:
    with pytest.raises(ConfigError, match=r"'sources' is empty|expected a top-level"):
        load_sources(text)  # an ingest refuses an empty file...
    result = appended(text, NEW, path="s.yaml")  # ...and `sources add` fills it
    assert load_sources(result) == [NEW]
    comments = [part for line in text.splitlines() if "#" in line for part in [line[line.index("#") :]]]
    assert all(comment in result for comment in comments)  # the user's comments stay
