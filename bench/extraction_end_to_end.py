"""Score what a real run stores: both dev sets served as sites, ingested, read back from the database.

    .venv/bin/python -m bench.extraction_end_to_end [--dataset PATH ...]

The issue's owner checks extraction end to end (pages served as a site, `newsflow ingest`, the
`article` table read back), which bench.extraction_quality does not: it calls extract_article with
the page's original URL. Here every page of each set is served from 127.0.0.1 under its original
path (behind the set's name and the page id, so no two collide), listed by a sitemap without dates,
and ingested by `newsflow ingest` into a fresh SQLite database; each stored row (found by its
fetched URL) is scored as bench.extraction_quality scores an extraction, beside that bench's
direct call on the same pages. A page without a row (skipped, refused, failed) scores as an
empty extraction with no metadata. So the difference between the two rows of a set is what the
run adds or loses: the host is 127.0.0.1, not the site's; the page goes through fetching,
decoding, deduplication and storage.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from xml.sax.saxutils import escape

from sqlalchemy import create_engine, text

from bench.dataset import DEV_SETS, BenchPage, load_pages
from bench.extraction_quality import Found, Tally, run
from bench.ingest_run import prepare_work, run_ingest

_PATH_SAFE = "/%-._~+:@!$&'()*,;="


def local_path(folder: Path, page: BenchPage) -> str:
    """Where the page is served: its set and id, then its original path (URL dates stay readable)."""
    original = urlsplit(page.url).path or "/"
    # Only what a path may not hold is escaped: "2025-12-15+Rust+GCC" keeps its date readable.
    return f"/{folder.name}/{page.page_id}{quote(original, safe=_PATH_SAFE)}"


def sitemap(base_url: str, paths: list[str]) -> bytes:
    entries = "".join(f"  <url><loc>{escape(base_url + path)}</loc></url>\n" for path in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
    ).encode()


@contextlib.contextmanager
def serve(files: dict[str, tuple[bytes, str]]) -> Iterator[str]:
    """Serve `files` (path -> body, content type) on a free loopback port; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            # As web servers route: on the decoded path, so "%2B" and "+", "%26" and "&" are one.
            found = files.get(unquote(self.path))
            if found is None:
                self.send_error(404)
                return
            body, content_type = found
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def _key(url: str) -> str:
    """A fetched URL as the site routes it: its decoded path (the run may respell "+" or "&")."""
    return unquote(urlsplit(url).path)


def read_run(database_url: str) -> tuple[dict[str, Found], dict[str, str]]:
    """What the run left: each stored article as bench.extraction_quality's Found, and the last
    outcome of each fetched URL with its error (why a page has no row), both keyed by fetched path."""
    engine = create_engine(database_url)
    rows_query = text("SELECT fetched_url, title, text, authors, published_at, published_day FROM article")
    events_query = text("SELECT url, outcome, error FROM fetch_event ORDER BY at")
    found: dict[str, Found] = {}
    with engine.connect() as connection:
        for fetched_url, title, body, authors, published_at, published_day in connection.execute(rows_query):
            authors = json.loads(authors) if isinstance(authors, str) else authors
            utc_day = None
            if published_at is not None:
                at = datetime.fromisoformat(published_at) if isinstance(published_at, str) else published_at
                # SQLite gives the stored UTC instant back naive.
                utc_day = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).date().isoformat()
            day = str(published_day)[:10] if published_day else None
            found[_key(fetched_url)] = Found(body or "", title, tuple(authors or ()), day, utc_day=utc_day)
        events = {
            _key(url): f"{outcome}: {error}" for url, outcome, error in connection.execute(events_query)
        }
    engine.dispose()
    return found, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, action="append", help="default: both dev sets")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    prepare_work()  # the folder the ingest runs in
    folders: list[Path] = args.dataset or list(DEV_SETS)
    sets = {folder: list(load_pages(folder)) for folder in folders}
    files: dict[str, tuple[bytes, str]] = {}
    paths: dict[Path, list[str]] = {}
    for folder, pages in sets.items():
        paths[folder] = [local_path(folder, page) for page in pages]
        for page, path in zip(pages, paths[folder], strict=True):
            files[unquote(path)] = (page.html.encode("utf-8"), "text/html; charset=utf-8")
    with serve(files) as base_url, tempfile.TemporaryDirectory(prefix="newsflow-e2e-") as work:
        folder_of_work = Path(work)
        sources = folder_of_work / "sources.yaml"
        lines = ["sources:"]
        for folder in folders:
            files[f"/sitemap-{folder.name}.xml"] = (sitemap(base_url, paths[folder]), "application/xml")
            lines += [f"  - name: {folder.name}", f"    sitemaps: ['{base_url}/sitemap-{folder.name}.xml']"]
        sources.write_text("\n".join(lines) + "\n")
        database_url = f"sqlite:///{folder_of_work / 'e2e.db'}"
        result = run_ingest(sources, database_url=database_url, prefect_home=folder_of_work / "prefect")
        print(f"newsflow ingest: exit {result.returncode}, {result.seconds:.0f} s")
        if result.returncode not in (0, 1):
            print(result.output[-3000:])
        rows, events = read_run(database_url)
    for folder, pages in sets.items():
        direct = run(pages, ["newsflow"])
        stored: dict[int, Tally] = {}
        for page, path in zip(pages, paths[folder], strict=True):
            found = rows.get(unquote(path)) or Found("", has_metadata=False)
            for half in (page.half, 2):
                stored.setdefault(half, Tally()).add(page, found, 0.0)
        missing = [unquote(path) for path in paths[folder] if unquote(path) not in rows]
        print(f"\n{folder.name}: {len(pages)} pages, {len(pages) - len(missing)} stored")
        for url in missing:
            print(f"  not stored: {url} ({events.get(url, 'no fetch event')[:200]})")
        print("| newsflow | pages | AEB F1 | word F1 | publish day | title | authors |")
        print("|---|---|---|---|---|---|---|")
        for half, label in ((0, "half 0"), (1, "half 1"), (2, "all")):
            for name, tally in (
                ("extract_article", direct[("newsflow", half)]),
                ("stored by a run", stored[half]),
            ):
                print(tally.row(f"{name}, {label}").rsplit(" |", 2)[0] + " |")
        # The pages whose metadata the run got right and the direct call wrong, or the other way.
        wrong_direct = {(page_id, field): got for page_id, _, field, _, got in direct[("newsflow", 2)].wrong}
        wrong_stored = {(page_id, field): got for page_id, _, field, _, got in stored[2].wrong}
        for page_id, field in sorted(wrong_direct.keys() ^ wrong_stored.keys()):
            side = "the run" if (page_id, field) in wrong_stored else "extract_article"
            got = wrong_stored.get((page_id, field), wrong_direct.get((page_id, field)))
            print(f"  {page_id[:12]} {field}: wrong only in {side} ({got!r})")


if __name__ == "__main__":
    main()
