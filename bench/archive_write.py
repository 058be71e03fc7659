"""CPU cost of the raw archive per page: WARC records built, gzipped and written, against the
extraction newsflow does for the same page (both in this process, one page after another).

    .venv/bin/python -m bench.archive_write --pages 1000

The pages are the throughput benchmark's (bench/sitegen.py); the archive goes to a temporary
folder. Process CPU time is reported, so the figure holds on a machine loaded by other work.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime

from bench.sitegen import DEFAULT_FOLDER, generate, read_pages
from newsflow.extract.page import process_page
from newsflow.fetch.archive import WarcArchive
from newsflow.records import FetchedPage, HttpExchange

BASE = "http://127.0.0.1:8000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    generate(DEFAULT_FOLDER, args.pages)
    pages = [(BASE + path, html.encode()) for path, html in read_pages(DEFAULT_FOLDER, args.pages)]
    request = (
        ("Host", "127.0.0.1:8000"),
        ("User-Agent", "newsflow-bench"),
        ("Accept-Encoding", "gzip, deflate"),
    )
    with tempfile.TemporaryDirectory() as folder:
        archive = WarcArchive(folder, label="bench", max_file_bytes=1_000_000_000)
        started = time.process_time()
        for url, body in pages:
            headers = (("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))))
            archive.write(
                HttpExchange(url, "GET", request, "HTTP/1.1", 200, "OK", headers, body, datetime.now(UTC))
            )
        archive.close()
        archive_cpu = time.process_time() - started
    started = time.process_time()
    for url, body in pages:
        process_page(FetchedPage(url=url, final_url=url, source="bench", status=200, body=body))
    extract_cpu = time.process_time() - started
    size = sum(len(body) for _, body in pages) / len(pages)
    print(f"{len(pages)} pages, {size / 1024:.1f} KiB of HTML on average")
    print(f"archive: {1000 * archive_cpu / len(pages):.2f} ms CPU per page")
    print(f"extraction (process_page): {1000 * extract_cpu / len(pages):.2f} ms CPU per page")
    print(f"archive / extraction: {100 * archive_cpu / extract_cpu:.1f} %")


if __name__ == "__main__":
    main()
