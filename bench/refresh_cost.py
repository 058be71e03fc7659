"""The cost of a run in which every stored article is due for a refresh and unchanged (304).

    .venv/bin/python -m bench.refresh_cost --pages 1000 --rounds 3 [--database postgresql]

The benchmark site's --pages pages are ingested once. Then, each round, two `newsflow ingest`
runs, interleaved: a refresh run, after every stored article was made due (its refresh_due_at
put in the past: the clock moving past the first age), whose refetches the site answers 304 (it
gives its pages an ETag); and a baseline run with nothing due and nothing new. Both read the same
listing in full (the site gives listings no validators), so their difference is what refreshing
the pages costs: the due query, the conditional GETs, and the rows' bookkeeping. Wall seconds and
CPU seconds of the run's process tree (the CLI, extraction workers) are reported; a Prefect server
started for the bench serves every run. PostgreSQL uses the database NEWSFLOW_BENCH_POSTGRES
names (default: this helper's own, `revisions`), emptied first.
"""

from __future__ import annotations

import argparse
import os
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.ingest_run import (
    RunResult,
    bench_site,
    dump,
    fresh_sqlite,
    prefect_server,
    run_ingest,
    write_sources,
)

WORK = Path("/tmp/newsflow-bench/refresh")
POSTGRES = os.environ.get("NEWSFLOW_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/revisions")


def _database(kind: str) -> str:
    if kind == "sqlite":
        return fresh_sqlite(WORK, "refresh")
    engine = create_engine(POSTGRES)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return POSTGRES


def _make_due(database_url: str) -> int:
    """Every stored article due a minute ago, as if the first refresh age had just passed."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        due = datetime.now(UTC) - timedelta(minutes=1)
        value = due.replace(tzinfo=None).isoformat(" ") if database_url.startswith("sqlite") else due
        count = connection.execute(text("UPDATE article SET refresh_due_at = :due"), {"due": value}).rowcount
    engine.dispose()
    return int(count)


def _cpu(result: RunResult) -> float:
    return sum(result.memory.cpu_seconds_by_role.get(role, 0.0) for role in ("cli", "extraction", "other"))


def _check(result: RunResult, expected: str) -> None:
    if result.returncode != 0 or expected not in result.output:
        raise SystemExit(
            f"unexpected run (exit {result.returncode}; wanted {expected!r}):\n{result.output[-3000:]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    database_url = _database(args.database)
    env = {
        "NEWSFLOW_ARCHIVE": str(WORK / "warc"),
        "NEWSFLOW_MAX_REFRESH_PER_RUN": str(args.pages),
        "DATABASE_URL": database_url,
    }
    runs: dict[str, list[RunResult]] = {"refresh": [], "baseline": []}
    with bench_site(args.pages) as base, prefect_server(WORK / "server") as api:
        sources = write_sources(WORK, base, args.pages, "feed")

        def ingest() -> RunResult:
            return run_ingest(
                sources, database_url=database_url, prefect_home=WORK / "home", api_url=api, extra_env=env
            )

        _check(ingest(), f"{args.pages} new")
        _check(ingest(), "0 new")  # warm-up: the first run with nothing new
        for _ in range(args.rounds):
            assert _make_due(database_url) == args.pages
            refresh = ingest()
            _check(refresh, f"{args.pages} refreshed, 0 updated")
            runs["refresh"].append(refresh)
            baseline = ingest()
            _check(baseline, "0 new")
            if "refreshed" in baseline.output:
                raise SystemExit(f"the baseline run refreshed pages:\n{baseline.output[-2000:]}")
            runs["baseline"].append(baseline)
    load = os.getloadavg()
    summary: dict[str, object] = {"pages": args.pages, "database": args.database, "load_average": load}
    for name, results in runs.items():
        walls, cpus = [r.seconds for r in results], [_cpu(r) for r in results]
        summary[name] = {"wall_s": walls, "cpu_s": cpus}
        print(
            f"{name:8} wall median {statistics.median(walls):6.2f} s {[round(w, 2) for w in walls]}   "
            f"CPU median {statistics.median(cpus):6.2f} s {[round(c, 2) for c in cpus]}"
        )
    extra_wall = statistics.median(r.seconds for r in runs["refresh"]) - statistics.median(
        r.seconds for r in runs["baseline"]
    )
    extra_cpu = statistics.median(map(_cpu, runs["refresh"])) - statistics.median(map(_cpu, runs["baseline"]))
    print(
        f"{args.pages} refreshes (304) cost {extra_wall:+.2f} s wall, {extra_cpu:+.2f} s CPU "
        f"({extra_cpu / args.pages * 1000:.2f} ms CPU a page); load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    dump(WORK / f"refresh-cost-{args.database}.json", summary)


if __name__ == "__main__":
    main()
