"""`newsflow articles`, `export` and `stats` on what a real ingest of the local news site stored
(SQLite, or PostgreSQL under NEWSFLOW_TEST_DATABASE_URL)."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from sqlmodel import select
from typer.testing import CliRunner, Result

from newsflow.export import COLUMNS
from newsflow.flows.cli import app
from newsflow.flows.data import _write_file
from newsflow.flows.ingest import ingest
from newsflow.storage.db import HEAD_REVISION, session_scope, upgrade
from newsflow.storage.models import Article
from tests.site import MirrorSite, NewsSite, load_fixture_articles

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def ingested(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[NewsSite]:
    """The first 8 fixture articles ingested from a site, and a mirror's copies of some of them."""
    with (
        NewsSite.start(articles=load_fixture_articles()[:8], widget=False) as site,
        MirrorSite.start(origin=site) as mirror,
    ):
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            f"sources:\n  - name: daily\n    feeds: ['{site.url('/feed.xml')}']\n"
            f"  - name: mirror\n    feeds: ['{mirror.url('/feed.xml')}']\n",
            encoding="utf-8",
        )
        monkeypatch.setenv("DATABASE_URL", database_url)
        state = ingest(sources_path=str(sources), return_state=True)
        assert state.is_completed(), state.message
        yield site


def _stored(database_url: str) -> list[Article]:
    with session_scope(database_url) as session:
        return list(session.exec(select(Article).order_by(Article.id)).all())  # type: ignore[arg-type]


def _cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def _one_line_error(result: Result, code: int, shown: str) -> None:
    assert result.exit_code == code, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("newsflow: ") and shown in line, line
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _unique_word(article: Article, others: list[Article]) -> str:
    """A long word of `article`'s title or text that no other stored article has."""
    rest = " ".join(f"{a.title} {a.text}" for a in others).lower()
    words = re.findall(r"[^\W\d_]{9,}", f"{article.title} {article.text}".lower())
    return next(w for w in words if w not in rest)


def test_articles_lists_searches_and_shows(ingested: NewsSite, database_url: str) -> None:
    rows = _stored(database_url)
    originals = [a for a in rows if a.duplicate_of is None]
    assert len(originals) == 8 and len(rows) > 8

    listed = _cli("articles", "--json", "--limit", "100")
    assert listed.exit_code == 0, listed.output
    objects = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [o["id"] for o in objects] == [
        a.id for a in sorted(originals, key=lambda a: (a.published_at, a.id), reverse=True)
    ]
    assert list(objects[0]) == list(COLUMNS)
    assert len(_cli("articles", "--json", "--duplicates", "--limit", "100").stdout.splitlines()) == len(rows)

    newest = objects[0]
    table = _cli("articles", "--limit", "3")
    assert table.exit_code == 0 and str(newest["id"]) in table.stdout and "3 articles" in table.stdout

    copied = next(a for a in originals if any(d.duplicate_of == a.id for d in rows))
    word = _unique_word(copied, [a for a in originals if a.id != copied.id])
    found = _cli("articles", "--search", word.upper(), "--json")
    assert [json.loads(line)["id"] for line in found.stdout.splitlines()] == [copied.id], word

    shown = _cli("articles", "show", str(copied.id))
    assert shown.exit_code == 0, shown.output
    copies = [a for a in rows if a.duplicate_of == copied.id]
    assert copied.url in shown.stdout and f"{len(copies)} duplicates" in shown.stdout
    assert all(c.url in shown.stdout for c in copies)
    shown_json = json.loads(_cli("articles", "show", copies[0].url, "--json").stdout)
    assert shown_json["id"] == copies[0].id and shown_json["original"]["id"] == copied.id
    assert shown_json["authors"] == list(copies[0].authors)

    _one_line_error(_cli("articles", "show", "https://nowhere.test/x"), 2, "no article with id or URL")
    _one_line_error(_cli("articles", "--source", "weekly"), 2, "known: daily, mirror")
    _one_line_error(_cli("articles", "--since", "yesterday"), 2, "--since 'yesterday' is not a date")
    _one_line_error(_cli("articles", "--limit", "-3"), 2, "--limit '-3' is not a positive whole number")
    _one_line_error(_cli("articles", "--language", "x"), 2, "--language 'x' is not a code")


def test_stats_counts_every_source(ingested: NewsSite, database_url: str) -> None:
    rows = _stored(database_url)
    result = _cli("stats", "--json")
    assert result.exit_code == 0, result.output
    stats = {s["source"]: s for s in json.loads(result.stdout)}
    for source in ("daily", "mirror"):
        mine = [a for a in rows if a.source == source]
        assert stats[source]["articles"] == sum(a.duplicate_of is None for a in mine)
        assert stats[source]["duplicates"] == sum(a.duplicate_of is not None for a in mine)
        assert stats[source]["dated"] == sum(a.published_at is not None for a in mine)
        assert stats[source]["with_authors"] == sum(bool(a.authors) for a in mine)
        assert stats[source]["languages"] == dict(Counter(a.language for a in mine if a.language))
        assert stats[source]["last_success_at"] is not None and stats[source]["blocked"] is False
    table = _cli("stats")
    assert table.exit_code == 0 and "daily" in table.stdout and "consecutive" in table.stdout


def test_export_writes_every_format_with_the_same_rows(
    ingested: NewsSite, database_url: str, tmp_path: Path
) -> None:
    rows = _stored(database_url)
    originals = [a for a in rows if a.duplicate_of is None]
    jsonl = _cli("export", "--format", "jsonl")
    assert jsonl.exit_code == 0, jsonl.output
    exported = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [r["id"] for r in exported] == [a.id for a in originals]
    assert f"exported {len(originals)} articles" in jsonl.stderr
    first = exported[0]
    assert first["text"] == originals[0].text and first["authors"] == list(originals[0].authors)
    assert originals[0].published_at is not None
    assert first["published_at"] == originals[0].published_at.isoformat()

    out = tmp_path / "out" / "articles.csv"
    out.parent.mkdir()
    result = _cli("export", "--format", "csv", "--out", str(out), "--duplicates", "--source", "mirror")
    assert result.exit_code == 0, result.output
    parsed = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert [int(r["id"]) for r in parsed] == [a.id for a in rows if a.source == "mirror"]
    assert list(parsed[0]) == list(COLUMNS)
    assert os.listdir(out.parent) == ["articles.csv"]  # no temporary file left beside it
    assert out.stat().st_mode & 0o777 == 0o644  # readable like any file, not the temporary's 0600

    parquet = tmp_path / "articles.parquet"
    result = _cli("export", "--format", "parquet", "--out", str(parquet), "--duplicates")
    assert result.exit_code == 0, result.output
    table = pq.read_table(parquet)
    assert table.column("id").to_pylist() == [a.id for a in rows]
    assert table.schema.field("first_seen_at").type == pa.timestamp("us", tz="UTC")
    assert table.column("authors").to_pylist() == [list(a.authors) for a in rows]
    assert table.column("published_at").to_pylist() == [a.published_at for a in rows]

    _one_line_error(_cli("export", "--format", "xml"), 2, "--format 'xml' is not one of jsonl, csv, parquet")
    _one_line_error(_cli("export", "--format", "parquet"), 2, "--format parquet needs --out PATH")
    _one_line_error(
        _cli("export", "--format", "csv", "--out", str(tmp_path / "missing" / "a.csv")), 2, "cannot write in"
    )
    _one_line_error(_cli("export", "--format", "csv", "--out", str(tmp_path)), 2, "is a folder")


def test_export_to_an_unwritable_place_exits_2_with_one_line(
    migrated_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_database)
    result = _cli("export", "--format", "jsonl", "--out", "/proc/newsflow-export.jsonl")
    _one_line_error(result, 2, "--out /proc/newsflow-export.jsonl: cannot write in /proc (")
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    _one_line_error(_cli("export", "--format", "csv", "--out", str(a_file / "x.csv")), 2, "cannot write in")


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_while_writing_leaves_no_file(tmp_path: Path, failure: BaseException) -> None:
    """Half the export written, then the disk fills (or Ctrl-C): neither the target nor the
    temporary file is left."""
    out = tmp_path / "articles.jsonl"

    def write(stream: BinaryIO) -> int:
        stream.write(b'{"id": 1}\n' * 1000)
        raise failure

    with pytest.raises((typer.Exit, KeyboardInterrupt)) as raised:
        _write_file(out, write)
    if isinstance(failure, OSError):
        assert isinstance(raised.value, typer.Exit) and raised.value.exit_code == 1
    assert os.listdir(tmp_path) == []


def test_read_commands_on_a_missing_or_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    missing = tmp_path / "none" / "news.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    for command in (["articles"], ["stats"], ["export", "--format", "jsonl"], ["articles", "show", "1"]):
        _one_line_error(_cli(*command), 1, f"no database at {missing}: run `newsflow ingest` first")
    assert not missing.parent.exists()  # reading never creates one
    monkeypatch.setenv("DATABASE_URL", database_url)
    upgrade(database_url, "0004")
    _one_line_error(_cli("stats"), 1, f"this newsflow reads {HEAD_REVISION}: run `newsflow db upgrade`")
    monkeypatch.setenv("DATABASE_URL", "garbage")
    _one_line_error(_cli("articles"), 2, "DATABASE_URL: 'garbage' is not a database URL")
