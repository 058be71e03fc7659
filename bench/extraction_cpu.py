"""Extraction CPU per page: newsflow against `trafilatura.extract`, page by page in turn.

    .venv/bin/python -m bench.extraction_cpu [--rounds 4] [--other /tmp/ab-old] [--dataset PATH ...]

Each contender runs in a process of its own, which loads the pages and runs over them once
untimed to warm its caches; then the pages are handed out one at a time, each to every contender
in turn (who goes first rotates from page to page and from round to round), and each process
reports the process time of its call. Contenders: this checkout's `extract_article`,
`trafilatura.extract` with its defaults (the issue's bound), and with `--other` a second
checkout's `extract_article` (a git worktree of another commit), run with this virtual
environment. On a shared machine whose speed drifts by a fifth from one minute to the next,
whole runs taken one after the other compared unevenly (rounds of 0.79 to 1.18 in one sitting);
page by page, the drift falls on every contender alike. The ratio of each round is given, and
its median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_WORKER = """
import sys, time, warnings
warnings.simplefilter("ignore")
from pathlib import Path
from bench.dataset import load_pages
kind, folders = sys.argv[1], sys.argv[2:]
pages = [p for folder in folders for p in load_pages(Path(folder))]
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
print(len(pages), flush=True)
for line in sys.stdin:
    page = pages[int(line)]
    start = time.process_time()
    run(page)
    print(time.process_time() - start, flush=True)
"""


class _Contender:
    """A process running one extractor over the pages it is handed, one at a time."""

    def __init__(self, kind: str, checkout: Path, folders: list[Path]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WORKER, kind, *map(str, folders)],
            cwd=checkout,
            env={**os.environ, "PYTHONPATH": str(checkout)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ready(self) -> int:
        """Wait for the warm-up pass; the number of pages."""
        return int(self._answer())

    def run(self, index: int) -> float:
        """Seconds of process time the extractor spent on page `index`."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{index}\n")
        self.process.stdin.flush()
        return float(self._answer())

    def _answer(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"a contender stopped (exit {self.process.wait()})")
        return line

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()


def _rounds(contenders: dict[str, _Contender], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per page of each contender in each round."""
    names = list(contenders)
    pages = {contender.ready() for contender in contenders.values()}
    if len(pages) != 1:
        raise SystemExit(f"the contenders loaded different page counts: {sorted(pages)}")
    count = pages.pop()
    times: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        spent = dict.fromkeys(names, 0.0)
        for index in range(count):
            first = (index + number) % len(names)
            for name in names[first:] + names[:first]:
                spent[name] += contenders[name].run(index)
        for name in names:
            times[name].append(1000 * spent[name] / count)
    return times


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
        running = {
            name: _Contender(kind, checkout, [folder]) for name, (kind, checkout) in contenders.items()
        }
        try:
            times = _rounds(running, args.rounds)
        finally:
            for contender in running.values():
                contender.close()
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
