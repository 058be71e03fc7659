"""The process pool that runs extraction outside the GIL, shared by every source task of a process."""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from multiprocessing import forkserver
from multiprocessing.context import BaseContext

from newsflow.records import FetchedPage, FetchOutcome, ProcessedArticle
from newsflow.runtime.stop import own_session

# Pages per worker task: a batch spreads over every worker, so the last batch of a run does not
# leave workers idle, while pickling and queueing stay a small share of a task (bench/throughput.py).
CHUNK_PAGES = 8

Results = list[ProcessedArticle | FetchOutcome]

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def extract_batch(pages: list[FetchedPage]) -> Results:
    """newsflow.extract.page.process_pages, imported where it runs: the workers preload it, and
    the CLI process, which only hands pages over, never loads trafilatura."""
    from newsflow.extract.page import process_pages

    return process_pages(pages)


def resolve_workers(requested: int) -> int:
    """0 means one worker per CPU core."""
    return requested if requested > 0 else max(1, os.cpu_count() or 1)


def _context() -> BaseContext:
    # forkserver: workers start from a clean, single-threaded server process that has already
    # imported trafilatura and datasketch, so they neither inherit Prefect's threads nor pay imports.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["newsflow.tasks.extraction_preload"])
    return context


def start_fork_server(workers: int) -> None:
    """Start the process that workers fork from; its imports (about 1 s of CPU) then run beside
    the caller's own start-up (the flow run, the listing's fetch) instead of at the first batch."""
    if workers <= 1:
        return
    _context()
    forkserver.ensure_running()
    # The fork server leads a session of its own (extraction_preload), its workers inside it.
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)  # no public way to ask
    if pid is not None:
        own_session(pid)


def _get_pool(workers: int) -> Executor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
            _pool_size = workers
        return _pool


def prestart(workers: int) -> None:
    """Start the worker processes in the background, so their start-up overlaps the first fetch."""
    if workers <= 1:
        return

    def start() -> None:
        pool = _get_pool(workers)
        for _ in range(workers):
            pool.submit(os.getpid)

    threading.Thread(target=start, name="extraction-pool-start", daemon=True).start()


def _gather(parts: list[Future[Results]]) -> Future[Results]:
    """One future for the concatenated results of `parts`, in order."""
    combined: Future[Results] = Future()
    remaining = len(parts)
    counter = threading.Lock()

    def part_done(_: Future[Results]) -> None:
        nonlocal remaining
        with counter:
            remaining -= 1
            if remaining:
                return
        # Each part keeps this callback, and the callback kept the parts: a cycle that held every
        # batch's articles until a full garbage collection, which a long run rarely triggers.
        done, error = list(parts), None
        parts.clear()
        try:
            results = [result for part in done for result in part.result()]
        except BaseException as exc:
            error = exc
        if error is None:
            combined.set_result(results)
        else:
            combined.set_exception(error)

    for part in parts:
        part.add_done_callback(part_done)
    return combined


def submit_extraction(pages: list[FetchedPage], *, workers: int) -> Future[Results]:
    """Start extracting a batch; with one worker it runs inline, in this process."""
    if workers <= 1 or not pages:
        done: Future[Results] = Future()
        done.set_result(extract_batch(pages))
        return done
    pool = _get_pool(workers)
    size = max(1, min(CHUNK_PAGES, -(-len(pages) // workers)))
    return _gather([pool.submit(extract_batch, pages[i : i + size]) for i in range(0, len(pages), size)])


def shutdown_pool() -> None:
    """Stop the worker processes (at exit, or when a test wants a clean slate)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None


atexit.register(shutdown_pool)
