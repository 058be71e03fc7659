"""Fixed cost A/B: empty-listing (or --pages N) `newsflow ingest` runs of this checkout against another one.

    git worktree add /tmp/ab-old <commit>
    .venv/bin/python -m bench.fixed_cost_ab --other /tmp/ab-old

Both checkouts run with this repository's virtual environment (the other one's packages come
first on PYTHONPATH), alternately, against one running Prefect server, each into a new SQLite
file, after one warm-up round. On a shared machine whose speed drifts, alternating runs in one
sitting compare two versions more fairly than figures taken on different days.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.ingest_run import ROOT, WORK, bench_site, fresh_sqlite, prefect_env, prefect_server, write_sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, required=True, help="the other checkout (a git worktree)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", type=int, default=0, help="new pages per run (0: an empty listing)")
    args = parser.parse_args()
    checkouts = {"this": ROOT, "other": args.other.resolve()}
    seconds: dict[str, list[float]] = {name: [] for name in checkouts}
    WORK.mkdir(parents=True, exist_ok=True)
    with bench_site(max(1, args.pages)) as base, prefect_server(WORK / "ab-server") as api:
        sources = write_sources(WORK, base, args.pages, "sitemap")
        for round_ in range(args.rounds + 1):
            for name, path in checkouts.items():
                env = prefect_env(WORK / "ab-home", api)
                env.update(DATABASE_URL=fresh_sqlite(WORK, f"ab-{name}"), PYTHONPATH=str(path))
                command = [sys.executable, "-c", "from newsflow.flows.cli import main; main()", "ingest"]
                started = time.perf_counter()
                result = subprocess.run(
                    [*command, "--sources", str(sources)], env=env, cwd=path, capture_output=True, text=True
                )
                elapsed = time.perf_counter() - started
                if result.returncode != 0:
                    raise SystemExit(f"{name}: exit {result.returncode}\n{result.stderr[-2000:]}")
                if round_:  # the first round warms caches and Prefect's database
                    seconds[name].append(elapsed)
    for name, values in seconds.items():
        print(
            f"{name:5} {checkouts[name]}: median {statistics.median(values):.2f} s of {[round(v, 2) for v in values]}"
        )


if __name__ == "__main__":
    main()
