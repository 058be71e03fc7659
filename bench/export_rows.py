"""Export: time and peak memory of `newsflow export` over 1M stored articles, per format.

    .venv/bin/python -m bench.export_rows --rows 1000000 --rows 100000

Fills a scratch SQLite database (migrated to head) with `--rows` articles of about 1 KB of
random words, three authors and a date, by bulk INSERTs straight into the table (the FTS
triggers are dropped first: they index text the export never searches, and would make the
fill take longer than the exports). Then runs `newsflow export --format F --out FILE` in a child
process per format and reports its wall time, rows/s, output size and peak RSS (from wait4).
Memory that stays flat from 100k to 1M rows is the streaming at work: nothing holds the result.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsflow.storage.db import dispose_engine, get_engine, upgrade

TEXT_BYTES = 1000
CHUNK = 20_000


def fill(url: str, rows: int, *, seed: int = 11) -> float:
    """Insert `rows` articles; the seconds it took."""
    rng = random.Random(seed)
    vocabulary = [f"{rng.choice('bcdfghklmnprstvz')}{rng.randrange(10**6):x}" for _ in range(20000)]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    engine = get_engine(url)
    with engine.begin() as connection:
        for trigger in ("article_fts_insert", "article_fts_update", "article_fts_delete"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    columns = (
        "id, url, fetched_url, source, title, text, authors, published_at, published_at_source, language,"
        " tags, content_hash, minhash, first_seen_at, updated_at"
    )
    for first in range(0, rows, CHUNK):
        batch = []
        for number in range(first + 1, min(first + CHUNK, rows) + 1):
            text = " ".join(rng.choices(vocabulary, k=TEXT_BYTES // 8))[:TEXT_BYTES]
            when = (start + timedelta(minutes=number)).replace(tzinfo=None).isoformat(" ", "microseconds")
            url = f"https://news{number % 50}.example/a/{number}"
            batch.append(
                (
                    number,
                    url,
                    url,
                    f"source{number % 50}",
                    f"Headline {number} {rng.choice(vocabulary)}",
                    text,
                    '["Ann Lee", "Bo Chen", "Cy Diaz"]',
                    when,
                    "json-ld",
                    "en",
                    '["politics"]',
                    f"{number:064x}",
                    b"\0" * 512,
                    when,
                    when,
                )
            )
        with engine.begin() as connection:
            placeholders = ", ".join("?" * 15)
            connection.exec_driver_sql(f"INSERT INTO article ({columns}) VALUES ({placeholders})", batch)
    return time.perf_counter() - started


def export(url: str, kind: str, out: Path) -> tuple[float, int]:
    """Run `newsflow export` in a child process: its wall seconds and peak RSS in KiB."""
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsflow.flows.cli",
            "export",
            "--format",
            kind,
            "--out",
            str(out),
            "--duplicates",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    assert process.stderr is not None
    message = process.stderr.read().decode()
    process.stderr.close()
    if status != 0:
        raise SystemExit(f"export failed ({status}): {message}")
    return seconds, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows to store (repeatable)")
    parser.add_argument("--format", action="append", choices=("jsonl", "csv", "parquet"))
    args = parser.parse_args()
    print("| rows | format | seconds | rows/s | output MB | peak RSS MB |\n|---|---|---|---|---|---|")
    for rows in args.rows or [1_000_000]:
        with tempfile.TemporaryDirectory(prefix="newsflow-export-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            upgrade(url)
            filled = fill(url, rows)
            dispose_engine(url)
            size = (Path(folder) / "bench.db").stat().st_size
            print(f"<!-- filled {rows} rows in {filled:.0f} s; database {size / 1e6:.0f} MB -->", flush=True)
            for kind in args.format or ["jsonl", "csv", "parquet"]:
                out = Path(folder) / f"articles.{kind}"
                seconds, rss = export(url, kind, out)
                print(
                    f"| {rows:,} | {kind} | {seconds:.1f} | {rows / seconds:,.0f} | "
                    f"{out.stat().st_size / 1e6:,.0f} | {rss / 1024:.0f} |",
                    flush=True,
                )
                out.unlink()


if __name__ == "__main__":
    main()
