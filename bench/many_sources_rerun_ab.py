"""Interleaved A/B of the many-sources runs: another checkout's CLI and this one's.

.venv/bin/python -m bench.many_sources --sites 500 --pages 2 --skip-rerun   # fills many.db
.venv/bin/python -m bench.many_sources_rerun_ab --other /path/to/other/newsflow
.venv/bin/python -m bench.many_sources_rerun_ab --other /path/to/other/newsflow --first

Without --first, both CLIs rerun against one database filled beforehand (nothing new). With
--first, each CLI gets a fresh database per round: a first run (every page new), then its rerun.
The order of the two CLIs alternates between rounds. Another checkout's CLI can be a two-line
script: `PYTHONPATH=/that/checkout exec /work/main/.venv/bin/newsflow "$@"`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bench.ingest_run import NEWSFLOW, WORK, fresh_sqlite, run_ingest
from bench.many_sources import many_sites


def _report(label: str, kind: str, round_: int, cli: Path, sources: Path, database_url: str) -> None:
    load = os.getloadavg()[0]
    result = run_ingest(
        sources,
        database_url=database_url,
        prefect_home=WORK / "prefect-ephemeral",
        newsflow=cli,
    )
    cpu = result.memory.cpu_seconds_by_role
    parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(cpu.items()))
    print(
        f"round {round_} {label}: {kind} {result.seconds:.1f} s, exit {result.returncode}, "
        f"CPU {sum(cpu.values()):.1f} s ({parts}), load {load:.1f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, required=True, help="the other checkout's newsflow command")
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument(
        "--first", action="store_true", help="a first run on a fresh database, then its rerun"
    )
    args = parser.parse_args()
    clis = [("other", args.other), ("this checkout", NEWSFLOW)]
    sources = WORK / f"sources-many-{args.sites}.yaml"
    with many_sites(args.sites, 2, 100, args.port):
        for round_ in range(1, args.rounds + 1):
            for label, cli in clis if round_ % 2 else clis[::-1]:
                if args.first:
                    database_url = fresh_sqlite(WORK, "many-ab-" + label.replace(" ", "-"))
                    _report(label, "first run", round_, cli, sources, database_url)
                else:
                    database_url = f"sqlite:///{WORK}/many.db"
                _report(label, "rerun", round_, cli, sources, database_url)


if __name__ == "__main__":
    main()
