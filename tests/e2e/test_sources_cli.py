"""`newsflow sources add` and `newsflow sources check` against local sites of every shape."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from newsflow.flows.cli import app
from newsflow.sources import load_sources
from newsflow.storage.db import session_scope, upgrade
from newsflow.storage.repository import update_source_health
from tests.site.shapes import ShapedSite

EXISTING = """# my sources: this comment and the blank line below must survive
sources:
  - name: kept   # inline comment
    feeds: ['https://kept.example/rss']   # single quotes stay

# notes at the end stay too
"""
WIDE = {"COLUMNS": "250"}  # rich tables fold cells at the terminal width


@pytest.fixture
def sources_file(tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(EXISTING, encoding="utf-8")
    return path


def add(*args: str, sources: Path) -> Result:
    return CliRunner().invoke(app, ["sources", "add", *args, "--sources", str(sources)], env=WIDE)


def one_line_exit_2(result: Result) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsflow: "), result.stderr
    return lines[0]


def test_feeds_announced_in_link_tags_are_found_probed_and_appended(sources_file: Path) -> None:
    with ShapedSite.start("link-feeds") as site:
        result = add(site.url("/world"), sources=sources_file)
        requested = site.requested_paths()
    assert result.exit_code == 0, (result.stdout, result.stderr)
    text = sources_file.read_text(encoding="utf-8")
    assert text.startswith(EXISTING)  # comments, quoting and blank lines as they were
    kept, added = load_sources(text)
    assert kept.name == "kept"
    assert (added.name, added.feeds, added.sitemaps) == ("127-0-0-1", (site.url("/data/main-rss"),), ())
    # The feeds in <link> tags answered: no common feed path was guessed.
    assert not {"/feed", "/rss", "/rss.xml", "/feed.xml"} & set(requested)
    assert "/data/world-atom" in requested
    # The five newest articles were fetched and extracted; their titles and word counts are shown.
    newest = sorted(site.articles, key=lambda a: a.published, reverse=True)[:5]
    assert sum(1 for path in requested if path in site.paths.values()) == 5
    assert all(site.paths[a.id] in requested for a in newest)
    assert "5 recent articles, extracted" in result.stdout
    assert "New York State Attorney General investigating WeWork" in result.stdout
    assert "not extracted" not in result.stdout
    [header] = [line for line in result.stdout.splitlines() if line.startswith("┃ path ")]
    assert [c.strip() for c in header.strip("┃").split("┃")] == [
        "path",
        "title",
        "published",
        "authors",
        "words",
        "language",
    ]
    [row] = [line for line in result.stdout.splitlines() if "New York State Attorney General" in line]
    _, _, published, _, words, language = (c.strip() for c in row.strip("│").split("│"))
    assert (published, language) == ("2019-11-19 07:03", "en") and int(words) > 300, row
    assert "added source '127-0-0-1'" in result.stdout


def test_a_sitemap_named_only_in_robots_txt_is_found(sources_file: Path) -> None:
    with ShapedSite.start("robots-sitemap") as site:
        result = add(site.url("/"), "--name", "harbour", sources=sources_file)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    _, added = load_sources(sources_file.read_text(encoding="utf-8"))
    # Of the index and its children, equally fresh and full, the news sitemap ranks first.
    assert (added.name, added.feeds, added.sitemaps) == ("harbour", (), (site.url("/maps/news.xml"),))
    assert site.url("/maps/index-2019.xml") in result.stdout


def test_dry_run_prints_the_entry_and_writes_nothing(sources_file: Path) -> None:
    with ShapedSite.start("link-feeds") as site:
        result = add(site.url("/"), "--name", "trial", "--dry-run", sources=sources_file)
    assert result.exit_code == 0, result.stderr
    assert sources_file.read_text(encoding="utf-8") == EXISTING
    assert (
        f'would append to {sources_file}:\n  - name: trial\n    feeds: ["{site.url("/data/main-rss")}"]\n'
        in (result.stdout)
    )


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        (
            "sections",
            "no feed or sitemap found (11 addresses tried); the page links to 6 articles; list the site's homepage and section pages under 'pages:'",
        ),
        ("blocked", "the site blocks newsflow (HTTP 403 Forbidden); its pages cannot be fetched"),
        ("robots-blocked", "the site's robots.txt disallows it for newsflow; newsflow obeys robots.txt"),
    ],
)
def test_sites_it_cannot_use_are_refused_in_one_line(shape: str, message: str, sources_file: Path) -> None:
    with ShapedSite.start(shape) as site:  # type: ignore[arg-type]
        line = one_line_exit_2(add(site.url("/"), sources=sources_file))
    assert message in line
    assert sources_file.read_text(encoding="utf-8") == EXISTING


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/news", "'ftp://example.org/news' is not a site: give its http(s) address"),
        ("example.org", "'example.org' is not a site"),
        (
            "http://nowhere.invalid/",
            "http://nowhere.invalid/ is not a site: cannot resolve host nowhere.invalid",
        ),
    ],
)
def test_an_address_that_is_not_a_site_is_refused(url: str, message: str, sources_file: Path) -> None:
    assert message in one_line_exit_2(add(url, sources=sources_file))
    assert sources_file.read_text(encoding="utf-8") == EXISTING


def test_a_taken_or_bad_name_is_refused_before_fetching_and_a_taken_feed_after(sources_file: Path) -> None:
    with ShapedSite.start("link-feeds") as site:
        line = one_line_exit_2(add(site.url("/"), "--name", "kept", sources=sources_file))
        assert site.requests == []
        assert "a source named 'kept' already exists; pick another with --name" in line
        line = one_line_exit_2(add(site.url("/"), "--name", "Not A Slug", sources=sources_file))
        assert site.requests == []
        assert "'name' must be a slug (lowercase letters, digits, - or _), got 'Not A Slug'" in line
        assert add(site.url("/"), "--name", "first", sources=sources_file).exit_code == 0
        line = one_line_exit_2(add(site.url("/world"), "--name", "second", sources=sources_file))
    assert f"{site.url('/data/main-rss')} is already listed by source 'first'" in line
    assert [s.name for s in load_sources(sources_file.read_text(encoding="utf-8"))] == ["kept", "first"]


def _unprivileged() -> list[str]:
    """A prefix that takes root's power to write read-only files away (tests may run as root)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only file would still be writable")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def test_a_read_only_sources_file_is_refused_before_fetching(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    path = folder / "sources.yaml"
    path.write_text(EXISTING, encoding="utf-8")
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        with ShapedSite.start("link-feeds") as site:
            result = subprocess.run(
                [
                    *_unprivileged(),
                    sys.executable,
                    "-m",
                    "newsflow.flows.cli",
                    "sources",
                    "add",
                    site.url("/"),
                    "--sources",
                    str(path),
                ],
                capture_output=True,
                text=True,
                timeout=120,
                env={**os.environ, **WIDE},
            )
            assert site.requests == []
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip().splitlines() == [
        f"newsflow: {path} is not writable; the source cannot be added to {path}"
    ]
    assert path.read_text(encoding="utf-8") == EXISTING
    assert sorted(p.name for p in folder.iterdir()) == ["sources.yaml"]  # no temporary file left


def test_a_write_that_fails_leaves_the_file_whole(
    sources_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rename is the only step that touches the file: a failure before it changes nothing."""
    from newsflow.flows import sources_cli

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sources_cli.os, "replace", full_disk)
    with ShapedSite.start("link-feeds") as site:
        line = one_line_exit_2(add(site.url("/"), sources=sources_file))
    assert f"{sources_file} could not be written (No space left on device); it is unchanged" in line
    assert sources_file.read_text(encoding="utf-8") == EXISTING
    assert sorted(p.name for p in sources_file.parent.iterdir()) == ["sources.yaml"]


@pytest.fixture
def sites() -> Iterator[dict[str, ShapedSite]]:
    with (
        ShapedSite.start("link-feeds") as feeds,
        ShapedSite.start("sections") as sections,
        ShapedSite.start("blocked") as blocked,
    ):
        yield {"feeds": feeds, "sections": sections, "blocked": blocked}


def test_check_fetches_every_listing_and_exits_1_on_a_broken_source(
    sites: dict[str, ShapedSite], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    feeds, sections, blocked = sites["feeds"], sites["sections"], sites["blocked"]
    path = tmp_path / "sources.yaml"
    path.write_text(
        f"""sources:
  - name: daily
    feeds: ["{feeds.url("/data/main-rss")}", "{feeds.url("/data/world-atom")}"]
  - name: sections
    pages: ["{sections.url("/")}", "{sections.url("/world")}", "{sections.url("/about")}"]
  - name: walled
    feeds: ["{blocked.url("/")}"]
  - name: archive
    warcs: ["/data/cc-news.warc.gz"]
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("DATABASE_URL", database_url)
    upgrade(database_url)
    with session_scope(database_url) as session:
        update_source_health(
            session, source="walled", ok=False, blocked=True, error="HTTP 403", now=datetime.now(UTC)
        )
    result = CliRunner().invoke(app, ["sources", "check", "--sources", str(path)], env=WIDE)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.strip() == "newsflow: broken: walled"
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") > 5}
    assert set(rows) >= {"daily", "sections", "walled", "archive"}
    assert "│ ok " in rows["daily"] and "│ 2 of 2 " in rows["daily"] and "│ 6 " in rows["daily"]
    assert "│ allowed " in rows["daily"]
    # /about links no article: reported, while the two other pages list the six articles.
    assert (
        "│ degraded " in rows["sections"] and "│ 2 of 3 " in rows["sections"] and "│ 6 " in rows["sections"]
    )
    # Each problem is a line of its own under the table, whole at any terminal width.
    narrow = CliRunner().invoke(
        app, ["sources", "check", "--sources", str(path), "--source", "sections"], env={"COLUMNS": "80"}
    )
    problems = [line for line in narrow.stdout.splitlines() if line.startswith("sections: ")]
    assert len(problems) == 1 and "no article links on this page" in problems[0], narrow.stdout
    assert all(len(line) <= 80 for line in narrow.stdout.splitlines() if "│" in line), narrow.stdout
    assert "│ blocked " in rows["walled"] and "1 failed runs in a row" in rows["walled"]
    assert "never ran" in rows["daily"]
    assert "│ warcs only " in rows["archive"]  # nothing to fetch live, and not broken

    only = CliRunner().invoke(
        app, ["sources", "check", "--sources", str(path), "--source", "daily"], env=WIDE
    )
    assert only.exit_code == 0, (only.stdout, only.stderr)
    assert "walled" not in only.stdout


def test_a_site_whose_articles_all_fail_is_not_added(sources_file: Path) -> None:
    with ShapedSite.start("link-feeds") as site:
        for path in site.paths.values():  # the homepage and feeds answer; every article is walled
            site.add_page(path, "<h1>Access denied</h1>", status=403)
        line = one_line_exit_2(add(site.url("/"), sources=sources_file))
    assert "none of the 5 recent articles could be extracted (first: HTTP 403 Forbidden)" in line
    assert sources_file.read_text(encoding="utf-8") == EXISTING


def test_check_refuses_an_unknown_source_or_a_missing_file_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(EXISTING, encoding="utf-8")
    result = CliRunner().invoke(app, ["sources", "check", "--sources", str(path), "--source", "nope"])
    assert "no source named nope; known: kept" in one_line_exit_2(result)
    result = CliRunner().invoke(app, ["sources", "check", "--sources", str(tmp_path / "missing.yaml")])
    assert "missing.yaml not found or empty" in one_line_exit_2(result)


@pytest.mark.parametrize(
    ("shape", "path", "field"),
    [("link-feeds", "/data/world-atom", "feeds"), ("robots-sitemap", "/maps/archive.xml", "sitemaps")],
)
def test_the_address_of_a_feed_or_sitemap_itself_is_taken(
    shape: str, path: str, field: str, sources_file: Path
) -> None:
    with ShapedSite.start(shape) as site:  # type: ignore[arg-type]
        result = add(site.url(path), "--name", "given", sources=sources_file)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    _, added = load_sources(sources_file.read_text(encoding="utf-8"))
    assert site.url(path) in getattr(added, field)


def test_a_sources_file_in_a_missing_folder_is_refused_before_fetching(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "sources.yaml"
    with ShapedSite.start("link-feeds") as site:
        line = one_line_exit_2(add(site.url("/"), sources=path))
        assert site.requests == []
    assert (
        line
        == f"newsflow: folder {path.parent} does not exist; create it, or pass --sources a file in an existing folder"
    )
    assert not path.parent.exists()
