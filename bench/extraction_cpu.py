"""Extraction CPU per page: newsflow against `trafilatura.extract`, in alternating rounds.

    .venv/bin/python -m bench.extraction_cpu [--rounds 4] [--other /tmp/ab-old] [--dataset PATH ...]

Each round runs every contender in a fresh process over the same pages (loaded and decompressed
before the clock starts, after one untimed pass to warm the caches) and reports process time per
page. Contenders: this checkout's `extract_article`, `trafilatura.extract` with its defaults (the
issue's bound), and with `--other` a second checkout's `extract_article` (a git worktree of
another commit), run with this virtual environment. On a shared machine whose speed drifts,
alternation in one sitting compares more fairly than runs taken minutes apart; the ratio of each
round is given, and its median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_ONE_RUN = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
from bench.dataset import load_pages
kind, folders = sys.argv[1], sys.argv[2:]
pages = [p for folder in folders for p in load_pages(__import__("pathlib").Path(folder))]
if kind == "trafilatura":
    import trafilatura
    def run(page):
        trafilatura.extract(page.html, url=page.url)
else:
    from newsflow.errors import ExtractionError
    from newsflow.extract.article import extract_article
    def run(page):
        try:
            extract_article(page.html, url=page.url)
        except ExtractionError:
            pass
for page in pages:
    run(page)
start = time.process_time()
for page in pages:
    run(page)
print(json.dumps({"ms": 1000 * (time.process_time() - start) / len(pages), "pages": len(pages)}))
"""


def _one_run(kind: str, checkout: Path, folders: list[Path]) -> float:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", _ONE_RUN, kind, *map(str, folders)],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["ms"])


def main() -> None:
    from bench.dataset import DEV_SETS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--other", type=Path, help="another checkout's extract_article as a third contender")
    parser.add_argument("--dataset", type=Path, action="append", help="default: both dev sets, apart")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    contenders: dict[str, tuple[str, Path]] = {"newsflow": ("newsflow", ROOT)}
    if args.other:
        contenders["other"] = ("newsflow", args.other.resolve())
    contenders["trafilatura.extract"] = ("trafilatura", ROOT)
    print(f"load average {os.getloadavg()[0]:.1f}; CPU ms per page (process time), {args.rounds} rounds")
    for folder in args.dataset or list(DEV_SETS):
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(args.rounds):
            for name, (kind, checkout) in contenders.items():
                times[name].append(_one_run(kind, checkout, [folder]))
        ratios = [
            ours / base for ours, base in zip(times["newsflow"], times["trafilatura.extract"], strict=True)
        ]
        print(f"\n{folder.name}")
        for name, values in times.items():
            shown = ", ".join(f"{v:.1f}" for v in values)
            print(f"  {name:>20}: median {statistics.median(values):.2f} ms ({shown})")
        print(f"  newsflow / trafilatura.extract by round: {', '.join(f'{r:.3f}' for r in ratios)}")
        print(f"  median ratio {statistics.median(ratios):.3f}")
        if args.other:
            against = [ours / other for ours, other in zip(times["newsflow"], times["other"], strict=True)]
            print(f"  newsflow / other by round: {', '.join(f'{r:.3f}' for r in against)}")
        print(f"  (load average now {os.getloadavg()[0]:.1f}; {time.strftime('%H:%M:%S')})")


if __name__ == "__main__":
    main()
