"""A loopback news site for the benchmarks: any number of unique article pages, served from disk.

Pages derive from the 88 aeb-dev pages (the 24 test fixtures are among them): page i is base page
i % 88 with every third word of its visible text replaced by another word of that page, drawn by a
generator seeded with i, so every page is unique and no two are near duplicates (each 5-word shingle holds a
replaced word), while the markup, and so the extraction work, stays that of a real page.
Pages are written once to a cache folder, then served as files: generating them is not part of
what is measured, and the site process holds no page in memory.

    .venv/bin/python -m bench.sitegen --pages 1000          # generate, serve, print the base URL
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
import sys
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.dataset import DEFAULT_DATASET
from tests.site.feeds import FeedItem, rss, urlset
from tests.site.pages import rewrite_canonical

DEFAULT_FOLDER = Path("/tmp/newsflow-bench-site")
_SEGMENTS = re.compile(r"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>)", re.I | re.S)
_WORD = re.compile(r"(?<![&#\w])[^\W\d_]{2,}(?![\w;])")
_START = datetime(2025, 6, 1, tzinfo=UTC)


def page_path(index: int) -> str:
    return f"/news/{index:06d}.html"


def feed_path(count: int) -> str:
    """The feed that lists pages 0 .. count-1 (count 0 is an empty feed)."""
    return f"/feed-{count}.xml"


def sitemap_path(count: int) -> str:
    """The sitemap (urlset with lastmod) that lists pages 0 .. count-1."""
    return f"/sitemap-{count}.xml"


@cache
def base_pages() -> tuple[bytes, ...]:
    """The aeb-dev pages in id order (UTF-8 bytes)."""
    return tuple(
        gzip.decompress(path.read_bytes()) for path in sorted((DEFAULT_DATASET / "html").glob("*.gz"))
    )


@cache
def vocabulary(base: int) -> tuple[str, ...]:
    """Words of a base page's visible text: replacements keep the page's language and script."""
    words: set[str] = set()
    for segment in _SEGMENTS.split(base_pages()[base].decode("utf-8", errors="replace"))[::2]:
        words.update(_WORD.findall(segment))
    return tuple(sorted(words))


def variant(index: int) -> bytes:
    """Page `index`: its base page with every third visible word replaced, canonical pointing at itself."""
    bases = base_pages()
    text = bases[index % len(bases)].decode("utf-8", errors="surrogateescape")
    rng = random.Random(index)
    pool = vocabulary(index % len(bases))
    position = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal position
        position += 1
        return pool[rng.randrange(len(pool))] if position % 3 == 0 else match.group(0)

    # Even segments are text between tags; odd ones are tags, scripts, styles and comments.
    parts = _SEGMENTS.split(text)
    parts[::2] = [_WORD.sub(replace, part) for part in parts[::2]]
    page = "".join(parts).encode("utf-8", errors="surrogateescape")
    # A relative canonical resolves against whatever port the site is served on.
    return rewrite_canonical(page, page_path(index))


def generate(folder: Path, count: int) -> Path:
    """Write pages 0 .. count-1 under folder/news (those missing only); return folder."""
    news = folder / "news"
    news.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        target = folder / page_path(index).lstrip("/")
        if not target.exists():
            partial = target.with_suffix(".part")
            partial.write_bytes(variant(index))
            partial.rename(target)
    return folder


def read_pages(folder: Path, count: int) -> list[tuple[str, str]]:
    """(path, decoded HTML) of pages 0 .. count-1, as the baseline extracts them."""
    return [
        (page_path(i), (folder / page_path(i).lstrip("/")).read_bytes().decode("utf-8", errors="replace"))
        for i in range(count)
    ]


@cache
def feed(base_url: str, count: int) -> bytes:
    items = [
        FeedItem(base_url + page_path(i), f"Story {i}", _START - timedelta(minutes=i)) for i in range(count)
    ]
    return rss(items, site_url=base_url)


@cache
def sitemap(base_url: str, count: int) -> bytes:
    return urlset(
        [FeedItem(base_url + page_path(i), f"Story {i}", _START - timedelta(minutes=i)) for i in range(count)]
    )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: BenchSite

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        etag = self.server.page_etag(path)
        if etag is not None and self.headers.get("If-None-Match") == etag:
            # An article page the client holds (a refresh's conditional GET: bench/refresh_cost.py).
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, content_type = self.server.lookup(path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body or b"")))
        if etag is not None and body is not None:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, format: str, *args: object) -> None:
        pass


class BenchSite(ThreadingHTTPServer):
    """Serves folder/news/*.html (with an ETag, answering 304 to a matching If-None-Match),
    /feed-<n>.xml and /sitemap-<n>.xml (no validators: every listing GET is a full read)."""

    daemon_threads = True

    def __init__(self, folder: Path, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.folder = folder
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"

    def page_etag(self, path: str) -> str | None:
        """An article page's ETag, from its file's size and mtime (the page is not read for it)."""
        if not re.fullmatch(r"/news/\d{6}\.html", path):
            return None
        try:
            stat = (self.folder / path.lstrip("/")).stat()
        except OSError:
            return None
        return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'

    def lookup(self, path: str) -> tuple[bytes | None, str]:
        feed_match = re.fullmatch(r"/feed-(\d+)\.xml", path)
        if feed_match:
            return feed(self.base_url, int(feed_match.group(1))), "application/rss+xml; charset=utf-8"
        sitemap_match = re.fullmatch(r"/sitemap-(\d+)\.xml", path)
        if sitemap_match:
            return sitemap(self.base_url, int(sitemap_match.group(1))), "application/xml; charset=utf-8"
        if re.fullmatch(r"/news/\d{6}\.html", path):
            file = self.folder / path.lstrip("/")
            if file.is_file():
                return file.read_bytes(), "text/html; charset=utf-8"
        return None, "text/plain"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    generate(args.folder, args.pages)
    site = BenchSite(args.folder, args.port)
    # The parent process waits for this line before it starts measuring.
    print(f"READY {site.base_url}", flush=True)
    try:
        site.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
