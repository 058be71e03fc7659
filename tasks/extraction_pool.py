"""The process pool that runs extraction outside the GIL, shared by every source task of a process."""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor

from newsflow.processing import process_pages
from newsflow.records import FetchedPage, FetchOutcome, ProcessedArticle

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def resolve_workers(requested: int) -> int:
    """0 means one worker per CPU core."""
    return requested if requested > 0 else max(1, os.cpu_count() or 1)


def _get_pool(workers: int) -> Executor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            # forkserver: workers start from a clean, single-threaded server process that has
            # already imported trafilatura, so they neither inherit Prefect's threads nor pay imports.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["newsflow.processing"])
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
            _pool_size = workers
        return _pool


def submit_extraction(
    pages: list[FetchedPage], *, workers: int
) -> Future[list[ProcessedArticle | FetchOutcome]]:
    """Start extracting a batch; with one worker it runs inline, in this process."""
    if workers <= 1 or not pages:
        done: Future[list[ProcessedArticle | FetchOutcome]] = Future()
        done.set_result(process_pages(pages))
        return done
    return _get_pool(workers).submit(process_pages, pages)


def shutdown_pool() -> None:
    """Stop the worker processes (at exit, or when a test wants a clean slate)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None


atexit.register(shutdown_pool)
