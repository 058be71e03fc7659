"""Many sources: `newsflow ingest` over N sites on N loopback addresses, P new pages each, L ms away.

    .venv/bin/python -m bench.many_sources --sites 500 --pages 2 --latency-ms 100
    .venv/bin/python -m bench.many_sources --sites 5000 --pages 1 --latency-ms 100 --skip-single

A real deployment has hundreds of sites with a few new articles each, each some way off. The
sites are served by one asyncio process (this module with --serve) that listens on 127.1.x.y (Linux routes all of 127/8 to lo), one address per site, so every source is
its own host to the politeness rules, and answers every request after L ms. Site k lists pages
k*P .. k*P+P-1 of the benchmark pages (bench/sitegen.py) in its feed and serves a robots.txt.

Measured with the real CLI (a subprocess, SQLite, the ephemeral API unless --server), in the
same run, one after the other:
- 1 source x 1,000 new pages, no latency (the single-source reference, as the issue states it);
- N sources x P new pages at L ms (first run, fresh database);
- the same N sources again, nothing new (the rerun);
each with wall time, pages/s (new pages / wall time), CPU seconds and peak RSS of the CLI's
process tree. Pass --rounds to repeat the three in turn (interleaved, for a loaded machine).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.ingest_run import (
    NEWSFLOW,
    ROOT,
    WORK,
    RunResult,
    fresh_sqlite,
    mib,
    prefect_server,
    prepare_work,
    run_ingest,
)
from bench.sitegen import DEFAULT_FOLDER, generate, page_path
from tests.site.feeds import FeedItem, rss

_START = datetime(2025, 6, 1, tzinfo=UTC)
_ROBOTS = b"User-agent: *\nDisallow: /private/\n"
SINGLE_PAGES = 1000


def site_address(index: int) -> str:
    """The loopback address of site `index`: 127.1.0.1, 127.1.0.2, ... (250 per third octet)."""
    return f"127.{1 + index // 62500}.{index // 250 % 250}.{index % 250 + 1}"


def single_address() -> str:
    """The address of the single-source reference site (no latency)."""
    return "127.0.255.1"


def site_feed(base_url: str, first: int, count: int) -> bytes:
    items = [
        FeedItem(base_url + page_path(i), f"Story {i}", _START - timedelta(minutes=i))
        for i in range(first, first + count)
    ]
    return rss(items, site_url=base_url)


class _Site:
    """One site: its feed lists `count` pages from `first`; answers after `latency` seconds."""

    def __init__(self, base_url: str, first: int, count: int, latency: float, folder: Path) -> None:
        self.feed = site_feed(base_url, first, count)
        self.pages = range(first, first + count)
        self.latency = latency
        self.folder = folder

    def lookup(self, path: str) -> tuple[int, bytes, str]:
        if path == "/feed.xml":
            return 200, self.feed, "application/rss+xml; charset=utf-8"
        if path == "/robots.txt":
            return 200, _ROBOTS, "text/plain"
        match = re.fullmatch(r"/news/(\d{6})\.html", path)
        if match and int(match.group(1)) in self.pages:
            return 200, (self.folder / path.lstrip("/")).read_bytes(), "text/html; charset=utf-8"
        return 404, b"not found", "text/plain"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                path = request.split(b" ", 2)[1].decode().split("?", 1)[0]
                if self.latency:
                    await asyncio.sleep(self.latency)
                status, body, content_type = self.lookup(path)
                head = (
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\n"
                    f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
                )
                writer.write(head.encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


async def _serve(sites: int, pages: int, latency: float, port: int, folder: Path) -> None:
    servers = []
    for index in range(sites):
        address = site_address(index)
        site = _Site(f"http://{address}:{port}", index * pages, pages, latency, folder)
        servers.append(await asyncio.start_server(site.handle, address, port, backlog=64))
    single = _Site(f"http://{single_address()}:{port}", 0, SINGLE_PAGES, 0.0, folder)
    servers.append(await asyncio.start_server(single.handle, single_address(), port, backlog=128))
    print(f"READY {port}", flush=True)
    await asyncio.Event().wait()


@contextlib.contextmanager
def many_sites(sites: int, pages: int, latency_ms: float, port: int) -> Iterator[int]:
    """The sites in their own process; yields the port every site listens on."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.many_sources",
            "--serve",
            "--sites",
            str(sites),
            "--pages",
            str(pages),
            "--latency-ms",
            str(latency_ms),
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("READY "):
            raise SystemExit(f"the sites did not start: {line!r}")
        yield int(line.split()[1])
    finally:
        process.terminate()
        process.wait(10)


def write_many_sources(folder: Path, sites: int, port: int) -> Path:
    path = folder / f"sources-many-{sites}.yaml"
    lines = ["sources:"]
    for index in range(sites):
        lines.append(f"  - name: site-{index:05d}")
        lines.append(f"    feeds: ['http://{site_address(index)}:{port}/feed.xml']")
    path.write_text("\n".join(lines) + "\n")
    return path


def write_single_source(folder: Path, port: int) -> Path:
    path = folder / "sources-single.yaml"
    path.write_text(f"sources:\n  - name: single\n    feeds: ['http://{single_address()}:{port}/feed.xml']\n")
    return path


@dataclass
class Measured:
    label: str
    pages: int
    result: RunResult

    @property
    def rate(self) -> float:
        return self.pages / self.result.seconds

    def line(self) -> str:
        memory = self.result.memory
        cpu = sum(memory.cpu_seconds_by_role.values())
        return (
            f"{self.label}: {self.result.seconds:.1f} s, {self.rate:.1f} pages/s, CPU {cpu:.1f} s "
            f"({', '.join(f'{k} {v:.1f}' for k, v in sorted(memory.cpu_seconds_by_role.items()))}), "
            f"peak RSS {mib(memory.peak_rss_total)} (CLI {mib(memory.peak_rss_by_role.get('cli', 0))})"
        )


def _checked(result: RunResult, what: str) -> RunResult:
    log = WORK / f"many-sources-{what.split()[-2] if len(what.split()) > 1 else what}.log"
    log.write_text(result.output)  # the whole output, for a run whose numbers need explaining
    if result.returncode != 0:
        raise SystemExit(f"{what} failed:\n{result.output[-3000:]}")
    return result


def new_pages(result: RunResult) -> int:
    """New articles of a run, from the CLI's summary line ("N new, N duplicate, N failed, ...")."""
    found = re.findall(r"^(\d+) new, \d+ duplicate, \d+ failed", result.output, re.MULTILINE)
    return int(found[-1]) if found else 0


def measure(args: argparse.Namespace) -> None:
    work = prepare_work()
    generate(DEFAULT_FOLDER, max(args.sites * args.pages, SINGLE_PAGES))
    extra = dict(item.split("=", 1) for item in args.env)
    home = work / ("prefect-server" if args.server else "prefect-ephemeral")
    print(f"load average at start: {os.getloadavg()}")
    with (
        many_sites(args.sites, args.pages, args.latency_ms, args.port) as port,
        prefect_server(work / "prefect-server") if args.server else contextlib.nullcontext() as api,
    ):
        many = write_many_sources(work, args.sites, port)
        single = write_single_source(work, port)

        def run(sources: Path, database_url: str) -> RunResult:
            return run_ingest(
                sources,
                database_url=database_url,
                prefect_home=home,
                api_url=api,
                extra_env=extra,
                newsflow=args.cli,
            )

        # Prefect creates its database on the first run of a new PREFECT_HOME (11 s of the
        # server's CPU here): not part of any workload, and round 1's reference would pay it.
        warm = _checked(
            run(write_many_sources(work, 1, port), fresh_sqlite(work, "many-warm")), "the warm-up run"
        )
        print(f"warm-up run (1 source, not measured): {warm.seconds:.1f} s", flush=True)
        for round_ in range(1, args.rounds + 1):
            ratio_parts: list[float] = []
            if not args.skip_single:
                result = _checked(run(single, fresh_sqlite(work, "many-single")), "the single-source run")
                single_run = Measured(
                    f"1 source x {SINGLE_PAGES} pages, no latency", new_pages(result), result
                )
                print(f"round {round_}: {single_run.line()}", flush=True)
                ratio_parts.append(single_run.rate)
            database = fresh_sqlite(work, "many")
            result = _checked(run(many, database), "the first run")
            first = Measured(
                f"{args.sites} sources x {args.pages} pages at {args.latency_ms:g} ms, first run",
                new_pages(result),
                result,
            )
            print(f"round {round_}: {first.line()}", flush=True)
            if new_pages(result) != args.sites * args.pages:
                print(f"  (expected {args.sites * args.pages} new pages)\n{result.output[-1500:]}")
            marks = [result.memory.cli_rss_at(f) for f in (0.1, 0.25, 0.5, 0.75, 1.0)]
            print("  CLI peak RSS by 10/25/50/75/100% of the run:", " / ".join(mib(m) for m in marks))
            if not args.skip_rerun:
                result = _checked(run(many, database), "the rerun")
                rerun = Measured(f"{args.sites} sources again, nothing new", 0, result)
                print(f"round {round_}: {rerun.line()}", flush=True)
            if ratio_parts:
                print(
                    f"round {round_}: ratio of pages/s to the single source: {first.rate / ratio_parts[0]:.2f}"
                )
            print(f"load average: {os.getloadavg()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--pages", type=int, default=2, help="new pages per site")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--server", action="store_true", help="against `prefect server start`")
    parser.add_argument("--skip-single", action="store_true", help="no 1-source reference run")
    parser.add_argument("--skip-rerun", action="store_true")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the ingest runs")
    parser.add_argument(
        "--cli",
        type=Path,
        default=NEWSFLOW,
        help="the newsflow command to run (another checkout's, for an A/B)",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=18080, help="the port every site listens on")
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.sites, args.pages, args.latency_ms / 1000, args.port, DEFAULT_FOLDER))
        return
    measure(args)


if __name__ == "__main__":
    main()
