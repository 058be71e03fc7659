from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from newsflow.errors import ConfigError
from newsflow.records import Source
from newsflow.sources import article_hosts, load_sources, select_sources

GOOD = """
sources:
  - name: news-az
    feeds: ["https://news.az/rss"]
    sitemaps: ["https://news.az/sitemap.xml"]
  - name: archive
    warcs: ["/data/cc-news.warc.gz"]
"""


def test_a_valid_file_gives_sources() -> None:
    sources = load_sources(GOOD, path="s.yaml")
    assert [s.name for s in sources] == ["news-az", "archive"]
    assert sources[0].feeds == ("https://news.az/rss",)
    assert sources[0].sitemaps == ("https://news.az/sitemap.xml",)
    assert sources[1].warcs == ("/data/cc-news.warc.gz",)
    assert article_hosts(sources[0]) == {"news.az"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: [", "not valid YAML"),
        ("feeds: []", "top-level 'sources:' list"),
        ("sources: []", "'sources' is empty"),
        ("sources:\n  - feeds: ['https://a.com/f']", "sources[0]: 'name' must be a slug"),
        ("sources:\n  - name: Bad Name\n    feeds: ['https://a.com/f']", "'name' must be a slug"),
        ("sources:\n  - name: a\n    feeds: ['ftp://a.com/f']", "source 'a': 'feeds' has 'ftp://a.com/f'"),
        ("sources:\n  - name: a\n    feeds: 'https://a.com/f'", "source 'a': 'feeds' must be a list"),
        ("sources:\n  - name: a", "source 'a': give at least one of"),
        ("sources:\n  - name: a\n    feed: ['https://a.com/f']", "source 'a': unknown field(s) feed"),
        (
            "sources:\n  - name: a\n    feeds: ['https://a.com/f']\n  - name: a\n    feeds: ['https://b.com/f']",
            "source 'a': 'name' is used by another source",
        ),
    ],
)
def test_errors_name_the_file_entry_and_field(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_sources(text, path="my-sources.yaml")
    assert "my-sources.yaml" in str(excinfo.value)
    assert message in str(excinfo.value)


def test_select_sources_rejects_unknown_names() -> None:
    sources = load_sources(GOOD)
    assert [s.name for s in select_sources(sources, ["archive"], path="s.yaml")] == ["archive"]
    with pytest.raises(ConfigError, match="no source named nope"):
        select_sources(sources, ["nope"], path="s.yaml")


def test_hosts_name_the_sites_of_a_warc_only_source() -> None:
    (source,) = load_sources('sources:\n  - name: cc\n    hosts: ["News.az"]\n    warcs: ["cc.warc.gz"]\n')
    assert source.hosts == ("news.az",)
    with pytest.raises(ConfigError, match="source 'cc': 'hosts' must be a list of host names"):
        load_sources('sources:\n  - name: cc\n    hosts: "news.az"\n    warcs: ["cc.warc.gz"]\n')


def test_the_readme_documents_every_source_field_and_no_other() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("| field | required | meaning |", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))
    assert documented == {field.name for field in dataclasses.fields(Source)}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("sources: [\n", "line 2, column 1"),
        ("sources:\n  - name: a\n   feeds: [x]\n", "line 3, column 4"),
        ("sources:\n\t- name: a\n", "line 2, column 1"),
    ],
)
def test_a_yaml_syntax_error_is_one_line_naming_the_line_and_column(text: str, where: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_sources(text, path="my-sources.yaml")
    # The problem's wording is the YAML parser's (libyaml's and PyYAML's own differ).
    message = str(excinfo.value)
    assert message.startswith(f"my-sources.yaml: not valid YAML at {where}: "), message
    assert "\n" not in message and len(message) > len(f"my-sources.yaml: not valid YAML at {where}: ") + 5
