"""End-to-end throughput: `newsflow ingest` over N unique loopback pages vs plain trafilatura.

    .venv/bin/python -m bench.throughput --pages 1000

The pipeline side is the real CLI (`newsflow ingest`, the `ingest` flow on Prefect's ephemeral
API, or on a running server with --server) into a fresh SQLite database. Its steady-state
rate is N / (time of the N-page run - time of a run over an empty feed), so Python start-up,
imports, the Prefect API and migrations are not counted. The baseline is
`trafilatura.extract(html, url=...)` over the same N pages, decoded, one after another in this
process. Also reported: newsflow's own per-page work (`process_page`: extract_article with
metadata, cleaning and fingerprint) single-threaded, which bounds what two cores can do.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

import trafilatura

from bench.ingest_run import (
    bench_site,
    fresh_sqlite,
    mib,
    prefect_server,
    prepare_work,
    run_ingest,
    write_sources,
)
from bench.sitegen import DEFAULT_FOLDER, generate, read_pages
from newsflow.extract.page import process_page
from newsflow.records import FetchedPage


def baseline(pages: list[tuple[str, str]], base_url: str) -> float:
    """Seconds plain trafilatura takes over `pages`, sequentially, after a short warm-up."""
    for path, html in pages[:5]:
        trafilatura.extract(html, url=base_url + path)
    started = time.perf_counter()
    for path, html in pages:
        trafilatura.extract(html, url=base_url + path)
    return time.perf_counter() - started


def newsflow_serial(pages: list[tuple[str, str]], base_url: str) -> float:
    """Seconds newsflow's per-page work takes over `pages` in one process."""
    bodies = [(path, html.encode()) for path, html in pages]
    started = time.perf_counter()
    for path, body in bodies:
        url = base_url + path
        process_page(FetchedPage(url=url, final_url=url, source="bench", status=200, body=body))
    return time.perf_counter() - started


def interleaved(args: argparse.Namespace) -> None:
    """Each round measures the baseline and both runs back to back, so a shared machine whose
    speed drifts over minutes biases no side; the median of the per-round ratios is reported."""
    work = prepare_work()
    generate(DEFAULT_FOLDER, args.pages)
    home = work / "prefect-server"
    ratios = []
    extra = dict(item.split("=", 1) for item in args.env)
    versus = dict(item.split("=", 1) for item in args.versus)
    slowdowns = []
    with bench_site(args.pages) as base_url, prefect_server(work / "prefect-server") as api:
        empty_sources = write_sources(work, base_url, 0, args.listing)
        full_sources = write_sources(work, base_url, args.pages, args.listing)
        run_ingest(empty_sources, database_url=fresh_sqlite(work, "warmup"), prefect_home=home, api_url=api)
        for round_ in range(1, args.rounds + 1):
            pages = read_pages(DEFAULT_FOLDER, args.pages)
            plain = baseline(pages, base_url)
            del pages
            empty = run_ingest(
                empty_sources, database_url=fresh_sqlite(work, "empty"), prefect_home=home, api_url=api
            )
            # With --versus, both variants of the N-page run, in alternating order round by round.
            variants = [("", extra), ("versus", {**extra, **versus})] if versus else [("", extra)]
            timed = {}
            for name, env in variants if round_ % 2 else variants[::-1]:
                result = run_ingest(
                    full_sources,
                    database_url=fresh_sqlite(work, "full"),
                    prefect_home=home,
                    api_url=api,
                    extra_env=env,
                )
                if result.returncode != 0:
                    raise SystemExit(result.output[-3000:])
                timed[name] = result
            full = timed[""]
            if empty.returncode != 0:
                raise SystemExit(empty.output[-3000:])
            if versus:
                other = args.pages / (timed["versus"].seconds - empty.seconds)
                slowdowns.append(1 - (args.pages / (full.seconds - empty.seconds)) / other)
                cpu = {
                    name: sum(result.memory.cpu_seconds_by_role.values()) for name, result in timed.items()
                }
                print(
                    f"round {round_}: with {' '.join(args.versus)}: {timed['versus'].seconds:.2f} s, "
                    f"steady state {other:.1f} pages/s; CPU seconds of the run's processes "
                    f"{cpu['']:.1f} against {cpu['versus']:.1f} with {' '.join(args.versus)}"
                )
            steady = args.pages / (full.seconds - empty.seconds)
            ratios.append(steady / (args.pages / plain))
            print(
                f"round {round_}: plain {args.pages / plain:.1f} pages/s; empty run {empty.seconds:.2f} s; "
                f"{args.pages}-page run {full.seconds:.2f} s; steady state {steady:.1f} pages/s; "
                f"ratio {ratios[-1]:.2f}"
            )
    print(
        f"ratio, median of {len(ratios)} rounds: {statistics.median(ratios):.2f} {[round(r, 2) for r in ratios]}"
    )
    if slowdowns:
        print(
            f"steady state with {' '.join(args.env) or 'the defaults'} slower than with "
            f"{' '.join(args.versus)} by, median of {len(slowdowns)} rounds: "
            f"{100 * statistics.median(slowdowns):.1f} % {[round(100 * d, 1) for d in slowdowns]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="N-page runs (median is reported)")
    parser.add_argument("--server", action="store_true", help="against `prefect server start`")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--listing", choices=["feed", "sitemap"], default="feed", help="how the site lists its pages"
    )
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the ingest runs")
    parser.add_argument(
        "--versus",
        action="append",
        default=[],
        help="with --rounds: NAME=VALUE for a second N-page run per round (A/B, e.g. NEWSFLOW_ARCHIVE=off)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="instead: this many rounds of (plain trafilatura, empty run, N-page run), a ratio per round",
    )
    args = parser.parse_args()
    if args.rounds:
        interleaved(args)
        return
    work = prepare_work()
    extra = dict(item.split("=", 1) for item in args.env)
    generate(DEFAULT_FOLDER, args.pages)
    home = work / ("prefect-server" if args.server else "prefect-ephemeral")
    with bench_site(args.pages) as base_url:
        if not args.skip_baseline:
            pages = read_pages(DEFAULT_FOLDER, args.pages)
            plain = baseline(pages, base_url)
            serial = newsflow_serial(pages, base_url)
            del pages
            print(f"plain trafilatura.extract: {args.pages / plain:.1f} pages/s ({plain:.1f} s)")
            print(f"newsflow process_page, 1 process: {args.pages / serial:.1f} pages/s ({serial:.1f} s)")
        empty_sources = write_sources(work, base_url, 0, args.listing)
        full_sources = write_sources(work, base_url, args.pages, args.listing)
        with prefect_server(work / "prefect-server") if args.server else contextlib.nullcontext() as api:
            # The first run on a Prefect home creates its database: a one-time cost, not measured.
            run_ingest(
                empty_sources, database_url=fresh_sqlite(work, "warmup"), prefect_home=home, api_url=api
            )
            empty = [
                run_ingest(
                    empty_sources, database_url=fresh_sqlite(work, "empty"), prefect_home=home, api_url=api
                ).seconds
                for _ in range(3)
            ]
            fixed = statistics.median(empty)
            print(f"empty-feed run: {fixed:.2f} s (median of {[round(s, 2) for s in empty]})")
            times = []
            for _ in range(args.repeat):
                result = run_ingest(
                    full_sources,
                    database_url=fresh_sqlite(work, "full"),
                    prefect_home=home,
                    api_url=api,
                    extra_env=extra,
                )
                if result.returncode != 0:
                    raise SystemExit(result.output[-3000:])
                print(result.output.strip().splitlines()[-2])
                print(
                    f"{args.pages}-page run: {result.seconds:.2f} s, peak RSS of the run's processes "
                    f"{mib(result.memory.peak_rss_total)} (PSS {mib(result.memory.peak_pss_total)})"
                )
                times.append(result.seconds)
                print(
                    "CPU seconds by process:",
                    {k: round(v, 1) for k, v in result.memory.cpu_seconds_by_role.items()},
                )
                print("peak RSS by process:", {k: mib(v) for k, v in result.memory.peak_rss_by_role.items()})
                marks = [result.memory.cli_rss_at(f) for f in (0.1, 0.25, 0.5, 0.75, 1.0)]
                print("CLI peak RSS by 10/25/50/75/100% of the run:", " / ".join(mib(m) for m in marks))
            known = run_ingest(
                full_sources,
                database_url=f"sqlite:///{work / 'full'}.db",
                prefect_home=home,
                api_url=api,
                extra_env=extra,  # the same database as the N-page run, PostgreSQL included
            )
            print(f"run over a feed whose {args.pages} URLs are all known: {known.seconds:.2f} s")
            print(known.output.strip().splitlines()[-1])
    run = statistics.median(times)
    steady = args.pages / (run - fixed)
    print(f"newsflow ingest steady state: {steady:.1f} pages/s = {args.pages} / ({run:.2f} - {fixed:.2f}) s")
    if not args.skip_baseline:
        print(f"ratio to plain trafilatura: {steady / (args.pages / plain):.2f}")
        print(f"ratio to newsflow process_page in 1 process: {steady / (args.pages / serial):.2f}")


if __name__ == "__main__":
    main()
