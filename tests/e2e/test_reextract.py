"""Re-extraction from the raw archive: what a stored article lost is restored, counted, and only once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text, update
from sqlmodel import col, select

from newsflow.flows.ingest import ingest
from newsflow.flows.reextract import reextract
from newsflow.reextraction import ReextractReport
from newsflow.storage.db import session_scope
from newsflow.storage.models import Article
from tests.site import MirrorSite, NewsSite, load_fixture_articles

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def sites() -> Iterator[tuple[NewsSite, MirrorSite]]:
    with (
        NewsSite.start(articles=load_fixture_articles()[:12]) as site,
        MirrorSite.start(origin=site) as mirror,
    ):
        yield site, mirror


@pytest.fixture
def ingested(
    sites: tuple[NewsSite, MirrorSite], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> tuple[Path, dict[int, Article]]:
    """Both sites ingested with the archive in tmp_path/warc; the stored rows by id."""
    site, mirror = sites
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f'sources:\n  - name: daily\n    feeds: ["{site.url("/feed.xml")}"]\n'
        f'  - name: mirror\n    feeds: ["{mirror.url("/feed.xml")}"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NEWSFLOW_ARCHIVE", str(tmp_path / "warc"))
    monkeypatch.setenv("NEWSFLOW_SOURCES", str(sources))
    # The daily site first, so that its pages are the originals and the mirror's the duplicates.
    assert ingest(source_names=["daily"], return_state=True).is_completed()
    assert ingest(source_names=["mirror"], return_state=True).is_completed()
    return sources, _rows(database_url)


def _rows(database_url: str) -> dict[int, Article]:
    with session_scope(database_url) as session:
        return {a.id: a for a in session.exec(select(Article)).all() if a.id is not None}


def _run(**params: object) -> ReextractReport:
    state = reextract(return_state=True, **params)
    assert state.is_completed(), state.message
    report = state.result()
    assert isinstance(report, ReextractReport)
    return report


def _spoil(database_url: str, article_id: int, **values: object) -> None:
    with session_scope(database_url) as session:
        session.execute(update(Article).where(col(Article.id) == article_id).values(**values))


def test_reextract_restores_what_changed_counts_it_and_a_rerun_changes_nothing(
    ingested: tuple[Path, dict[int, Article]], sites: tuple[NewsSite, MirrorSite], database_url: str
) -> None:
    _, before = ingested
    _, mirror = sites
    assert all(a.warc_file for a in before.values())
    daily = sorted(a.id for a in before.values() if a.source == "daily" and a.duplicate_of is None)
    copy = next(a for a in before.values() if a.fetched_url == mirror.syndicated[0].url)
    assert copy.duplicate_of is not None and copy.duplicate_kind == "near"
    # What a buggy extraction could have stored: a cut text, a lost title and date, lost authors,
    # and for the mirror's copy a different text, so that it lost its duplicate link too.
    _spoil(database_url, daily[0], text="Share this article", content_hash="0" * 64)
    _spoil(database_url, daily[1], title=None, published_at=None, authors=[])
    _spoil(
        database_url,
        copy.id,
        text="Cookie settings",
        content_hash="1" * 64,
        duplicate_of=None,
        duplicate_kind=None,
    )
    first = _run()
    assert (first.read, first.changed, first.failed) == (len(before), 3, 0), first.failures
    assert first.unchanged == len(before) - 3
    after = _rows(database_url)
    for article_id in (daily[0], daily[1], copy.id):
        old, new = before[article_id], after[article_id]
        assert (new.text, new.title, new.published_at, new.authors, new.content_hash) == (
            old.text,
            old.title,
            old.published_at,
            old.authors,
            old.content_hash,
        )
        assert (new.duplicate_of, new.duplicate_kind) == (old.duplicate_of, old.duplicate_kind)
        assert new.updated_at > old.updated_at
    untouched = [i for i in before if i not in (daily[0], daily[1], copy.id)]
    assert all(after[i].updated_at == before[i].updated_at for i in untouched)
    with session_scope(database_url) as session:
        # The original's LSH row is back, the duplicate has none: dedup state as after ingest.
        lsh = {row[0] for row in session.execute(text("SELECT article_id FROM article_lsh"))}
    assert daily[0] in lsh and copy.id not in lsh

    second = _run()
    assert (second.read, second.changed, second.unchanged, second.failed) == (len(before), 0, len(before), 0)

    # Filters: a source, and publication days.
    only_mirror = _run(source_names=["mirror"])
    assert only_mirror.read == sum(a.source == "mirror" for a in before.values())
    day = min(a.published_at for a in before.values() if a.published_at is not None).date()
    in_day = _run(since=day, until=day)
    assert in_day.read == sum(1 for a in before.values() if a.published_at and a.published_at.date() == day)
    assert _run(since=date(2000, 1, 1), until=date(2000, 1, 2)).read == 0


def test_a_damaged_record_is_reported_and_the_others_reextracted(
    ingested: tuple[Path, dict[int, Article]], database_url: str
) -> None:
    _, before = ingested
    victim = min(before.values(), key=lambda a: a.id or 0)
    assert victim.warc_file and victim.warc_offset is not None
    data = bytearray(Path(victim.warc_file).read_bytes())
    for index in range(victim.warc_offset + 30, victim.warc_offset + 130):
        data[index] ^= 0x5A
    Path(victim.warc_file).write_bytes(bytes(data))
    report = _run()
    assert (report.read, report.failed, report.changed) == (len(before) - 1, 1, 0)
    [(where, reason)] = report.failures
    assert where == victim.fetched_url and f"{victim.warc_file} at offset {victim.warc_offset}" in reason


def test_warc_files_from_elsewhere_update_the_source_articles_and_skip_damaged_records(
    ingested: tuple[Path, dict[int, Article]], database_url: str
) -> None:
    sources, before = ingested
    daily = sorted((a for a in before.values() if a.source == "daily"), key=lambda a: a.warc_offset or 0)
    # The daily source's archive file stands in for a WARC another crawler wrote.
    files = sorted({a.warc_file for a in daily if a.warc_file})
    _spoil(database_url, daily[0].id, text="Subscribe now", content_hash="2" * 64)
    damaged = daily[-1]
    assert damaged.warc_file and damaged.warc_offset is not None
    data = bytearray(Path(damaged.warc_file).read_bytes())
    for index in range(damaged.warc_offset + 30, damaged.warc_offset + 130):
        data[index] ^= 0x5A
    Path(damaged.warc_file).write_bytes(bytes(data))

    report = _run(warc_paths=files, source_names=["daily"], sources_path=str(sources))
    assert report.changed == 1 and report.failed == 1, report.failures
    assert report.read == len(daily) - 1 and report.not_stored == 0
    [(where, reason)] = report.failures
    assert where == f"{damaged.warc_file}@{damaged.warc_offset}" and "unreadable WARC record" in reason
    assert _rows(database_url)[daily[0].id].text == daily[0].text


def test_the_cli_prints_the_counts_and_refuses_bad_input_with_one_line(
    ingested: tuple[Path, dict[int, Article]], database_url: str, tmp_path: Path
) -> None:
    from prefect.settings import PREFECT_API_URL

    _, before = ingested
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_HOME"} | {
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
    }

    def newsflow(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "newsflow.flows.cli", "reextract", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )

    done = newsflow()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == (
        f"reextract: {len(before)} read, 0 changed, {len(before)} unchanged, 0 failed"
    )
    for args, message in [
        (["--since", "2025-13-01"], "--since '2025-13-01' is not a date"),
        (["--since", "2025-06-02", "--until", "2025-06-01"], "is after --until"),
        (["--warc", "x.warc.gz"], "--warc needs exactly one --source NAME"),
        (["--warc", "x.warc.gz", "--source", "nope"], "no source named nope"),
        (["--warc", "/nope.warc.gz", "--source", "daily"], "--warc /nope.warc.gz: no such file"),
    ]:
        bad = newsflow(*args)
        assert bad.returncode == 2, bad.stderr
        assert message in bad.stderr and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
