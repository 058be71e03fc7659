"""Memory of discovery: what a listing of N article URLs costs the CLI process, parsed and run.

    .venv/bin/python -m bench.discovery_memory                                 # 1k, 10k, 50k URLs
    .venv/bin/python -m bench.discovery_memory --counts 10000 --kinds rss --trace
    .venv/bin/python -m bench.discovery_memory --counts 0 1000 10000 50000 --stages cli

Every figure comes from a fresh child process, measured after its imports and a warm-up on a
one-URL listing, so it is what the N URLs add. RSS is read from /proc (VmRSS now, VmHWM for
the peak, reset through /proc/self/clear_refs before each stage). Python keeps freed memory in its
arenas and malloc keeps it in its heap, so a peak stays in the process's RSS even once freed:
the peak is the figure that matters. With --trace the Python heap is measured too (tracemalloc;
it makes feedparser about five times slower, and does not see lxml's C allocations).

Stages:
  parse  parse_feed / parse_sitemap of a body already in memory (the pure core)
  run    SourcePipeline.run() for one source that lists the N URLs, over a database in which all
         of them are already settled: discovery, candidates and bookkeeping, no page fetched (the
         second run over a listing). The body is fetched over loopback from this process, so it
         counts. No Prefect: the flow around the task costs the same for any N.
  cli    the same second run as `newsflow ingest` (Prefect's ephemeral API) in a subprocess:
         the CLI process's peak RSS, absolute (count 0 gives the baseline). About 20 s a run, so
         not among the default stages.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.site.feeds import FeedItem, news_sitemap, rss, urlset

KINDS = ("sitemap", "news-sitemap", "rss")
LISTING_PATH = "/listing.xml"
_START = datetime(2025, 6, 1, tzinfo=UTC)


def article_url(base_url: str, index: int) -> str:
    return f"{base_url}/news/{index:06d}.html"


def listing(kind: str, base_url: str, count: int) -> bytes:
    """A listing of `count` article URLs as bench/sitegen.py would serve them."""
    items = [
        FeedItem(article_url(base_url, i), f"Story {i}", _START - timedelta(minutes=i)) for i in range(count)
    ]
    if kind == "rss":
        return rss(items, site_url=base_url)
    return news_sitemap(items) if kind == "news-sitemap" else urlset(items)


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    # "5" resets VmHWM to the current RSS (Linux 4.0+).
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def measure(stage: Callable[[], object], *, trace: bool) -> dict[str, float]:
    """MiB the stage adds to RSS at its peak and while its result is held; with `trace`, to Python's heap."""
    before = _status_kib("VmRSS:")
    _reset_peak()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = stage()
    seconds = time.perf_counter() - started
    figures = {
        "seconds": seconds,
        "peak_rss": (_status_kib("VmHWM:") - before) / 1024,
        "kept_rss": (_status_kib("VmRSS:") - before) / 1024,
    }
    if trace:
        kept, peak = tracemalloc.get_traced_memory()
        figures.update(peak_py=peak / 2**20, kept_py=kept / 2**20)
        tracemalloc.stop()
    del result
    return figures


def _parse_stage(kind: str, body: bytes, url: str) -> Callable[[], object]:
    from newsflow.discover.feeds import parse_feed
    from newsflow.discover.sitemaps import parse_sitemap

    if kind == "rss":
        return lambda: parse_feed(body, url=url, source="bench")
    return lambda: parse_sitemap(body, url=url, source="bench").urls


def _run_stage(kind: str, url: str, database_url: str) -> Callable[[], object]:
    from newsflow.records import Source
    from newsflow.settings import RunConfig, load_settings
    from newsflow.tasks.ingest_source import SourcePipeline

    # As bench/ingest_run.py runs the CLI: no cap on the URLs a source may take.
    config = RunConfig.from_settings(load_settings(database_url=database_url, max_urls_per_source=100_000))
    listed = (url,)
    source = Source("bench", feeds=listed if kind == "rss" else (), sitemaps=() if kind == "rss" else listed)

    def run() -> object:
        report = SourcePipeline(source, config).run()
        if report.fetched or report.error:
            raise SystemExit(f"expected a run with nothing to fetch, got {report}")
        return report

    return run


def child(args: argparse.Namespace) -> None:
    """One measurement in this process; prints its figures as JSON."""
    if args.stage == "parse":
        body = Path(args.body).read_bytes()
        # Import-time caches and first-call costs are not what N URLs cost.
        _parse_stage(args.kind, listing(args.kind, args.base_url, 1), args.url)()
        stage = _parse_stage(args.kind, body, args.url)
    else:
        _run_stage(args.kind, args.warmup_url, args.database_url)()
        stage = _run_stage(args.kind, args.url, args.database_url)
    print(json.dumps(measure(stage, trace=args.trace)))


class _Listings(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.bodies: dict[str, bytes] = {}


class _Handler(BaseHTTPRequestHandler):
    server: _Listings

    def do_GET(self) -> None:
        body = self.server.bodies.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def listings_server() -> Iterator[_Listings]:
    server = _Listings()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()


def settled_database(folder: Path, base_url: str, count: int, *, name: str) -> str:
    """A migrated SQLite database in which pages 0 .. count-1 were stored by an earlier run."""
    from newsflow.records import FetchOutcome, Outcome
    from newsflow.storage.db import dispose_engine, session_scope, upgrade
    from newsflow.storage.repository import record_outcomes

    database_url = f"sqlite:///{folder / f'{name}-{count}.db'}"
    upgrade(database_url)
    now = datetime.now(UTC)
    outcomes = [FetchOutcome(article_url(base_url, i), "bench", Outcome.OK, now, 200) for i in range(count)]
    with session_scope(database_url) as session:
        record_outcomes(session, outcomes=outcomes, run_id=None)
    dispose_engine(database_url)
    return database_url


def _spawn(options: list[str]) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.discovery_memory", "--child", *options]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return figures


def _cli_peak(kind: str, url: str, database_url: str, folder: Path) -> tuple[float, float]:
    """Peak RSS (MiB) and seconds of a `newsflow ingest` process whose one source lists `url`."""
    from bench.ingest_run import prepare_work, run_ingest

    listing_key = "feeds" if kind == "rss" else "sitemaps"
    sources = folder / "sources.yaml"
    sources.write_text(f"sources:\n  - name: bench\n    {listing_key}: ['{url}']\n")
    result = run_ingest(sources, database_url=database_url, prefect_home=prepare_work() / "prefect-ephemeral")
    if result.returncode != 0 or " 0 fetched" not in result.output:
        raise SystemExit(f"expected a run with nothing to fetch:\n{result.output[-3000:]}")
    return result.memory.peak_rss_by_role["cli"] / 2**20, result.seconds


def _row(stage: str, kind: str, count: int, body: int, figures: dict[str, float]) -> str:
    per_url = f"{figures['peak_rss'] * 2**20 / count:,.0f}" if count else ""
    traced = f" | {figures['peak_py']:6.1f} | {figures['kept_py']:6.1f}" if "peak_py" in figures else " |  |"
    return (
        f"| {stage} | {kind} | {count:,} | {body / 2**20:.1f} | {figures['peak_rss']:6.1f} | "
        f"{figures['kept_rss']:6.1f} | {per_url}{traced} | {figures['seconds']:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--stages", nargs="+", choices=("parse", "run", "cli"), default=["parse", "run"])
    parser.add_argument("--trace", action="store_true", help="also measure the Python heap (slow)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--body", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--warmup-url", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    trace = ["--trace"] if args.trace else []
    print(
        "| stage | listing | URLs | body MiB | peak +RSS MiB | kept +RSS MiB | peak bytes/URL "
        "| peak +py MiB | kept +py MiB | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="newsflow-discovery-memory-") as tmp, listings_server() as server:
        folder = Path(tmp)
        base = server.base_url
        for kind in args.kinds:
            server.bodies["/warmup.xml"] = listing(kind, base, 1)
            for count in args.counts:
                body = listing(kind, base, count)
                server.bodies[LISTING_PATH] = body
                url = base + LISTING_PATH
                if "parse" in args.stages:
                    path = folder / "body.xml"
                    path.write_bytes(body)
                    options = ["--stage", "parse", "--kind", kind, "--body", str(path), "--url", url]
                    figures = _spawn([*options, "--base-url", base, *trace])
                    print(_row("parse", kind, count, len(body), figures), flush=True)
                if "run" in args.stages:
                    database_url = settled_database(folder, base, count, name="run")
                    options = ["--stage", "run", "--kind", kind, "--url", url, "--database-url", database_url]
                    figures = _spawn([*options, "--warmup-url", base + "/warmup.xml", *trace])
                    print(_row("run", kind, count, len(body), figures), flush=True)
                if "cli" in args.stages:
                    database_url = settled_database(folder, base, count, name="cli")
                    peak, seconds = _cli_peak(kind, url, database_url, folder)
                    print(
                        f"| cli | {kind} | {count:,} | {len(body) / 2**20:.1f} | {peak:.0f} (whole process) "
                        f"| | | | | {seconds:.1f} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
