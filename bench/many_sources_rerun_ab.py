"""Interleaved A/B of the many-sources rerun: another checkout's CLI and this one's, same database.

.venv/bin/python -m bench.many_sources --sites 500 --pages 2 --skip-rerun   # fills many.db
.venv/bin/python -m bench.many_sources_rerun_ab --other /work/main/.venv/bin/newsflow
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bench.ingest_run import NEWSFLOW, WORK, run_ingest
from bench.many_sources import many_sites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, required=True, help="the other checkout's newsflow command")
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=18080)
    args = parser.parse_args()
    sources = WORK / f"sources-many-{args.sites}.yaml"
    with many_sites(args.sites, 2, 100, args.port):
        for round_ in range(1, args.rounds + 1):
            for label, cli in (("other", args.other), ("this checkout", NEWSFLOW)):
                load = os.getloadavg()[0]
                result = run_ingest(
                    sources,
                    database_url=f"sqlite:///{WORK}/many.db",
                    prefect_home=WORK / "prefect-ephemeral",
                    newsflow=cli,
                )
                cpu = result.memory.cpu_seconds_by_role
                parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(cpu.items()))
                print(
                    f"round {round_} {label}: rerun {result.seconds:.1f} s, exit {result.returncode}, "
                    f"CPU {sum(cpu.values()):.1f} s ({parts}), load {load:.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
