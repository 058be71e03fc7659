"""The process pool that runs extraction outside the GIL, shared by every source task of a process."""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import threading
from collections import deque
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor
from functools import partial
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from typing import cast

from newsflow.records import FetchedPage, FetchOutcome, ProcessedArticle
from newsflow.runtime.stop import own_session

# Pages per worker task at most: a batch spreads over every worker, so the last batch of a run
# does not leave workers idle, while pickling and queueing stay a small share of a task
# (bench/throughput.py).
CHUNK_PAGES = 8

Results = list[ProcessedArticle | FetchOutcome]

_lock = threading.Lock()
_chunker: _Chunker | None = None  # the pool and what hands it pages


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
    return _get_chunker(workers).pool


def _get_chunker(workers: int) -> _Chunker:
    global _chunker
    with _lock:
        if _chunker is None or _chunker.workers != workers:
            if _chunker is not None:
                _chunker.close(wait=False)
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
            _chunker = _Chunker(pool, workers)
        return _chunker


def prestart(workers: int) -> None:
    """Start the worker processes in the background, so their start-up overlaps the first fetch.
    Every source with new pages asks; only the first ask of a pool costs anything (500 sources
    asking each sent the pool 1,000 empty tasks and started 500 threads)."""
    if workers <= 1:
        return
    with _lock:
        chunker = _chunker if _chunker is not None and _chunker.workers == workers else None
    if chunker is not None:
        chunker.start_workers()
        return
    threading.Thread(
        target=lambda: _get_chunker(workers).start_workers(), name="extraction-pool-start", daemon=True
    ).start()


class _Request:
    """One caller's pages and the future for their results; chunks fill its slots in any order."""

    __slots__ = ("future", "remaining", "results")

    def __init__(self, size: int) -> None:
        self.future: Future[Results] = Future()
        self.results: list[ProcessedArticle | FetchOutcome | None] = [None] * size
        self.remaining = size

    def fill(self, start: int, results: Results) -> bool:
        """Put a chunk's results in their slots (the chunker's lock held); True once all are in."""
        self.results[start : start + len(results)] = results
        self.remaining -= len(results)
        return not self.remaining

    def finish(self) -> None:
        if not self.future.done():
            done, self.results = self.results, []
            self.future.set_result(cast(Results, done))

    def fail(self, error: BaseException) -> None:
        if not self.future.done():
            self.results = []
            self.future.set_exception(error)


# A piece of a request: its pages[start:end].
_Segment = tuple[_Request, list[FetchedPage], int]


class _Chunker:
    """Hands pages to the pool in chunks that mix callers: while `limit` chunks are queued or
    running, new pages wait and leave with the next chunk. Hundreds of sources with a page or two
    each then cost the pool (and its pickling, pipes and wake-ups) what one big source does,
    and an idle pool still starts a batch at once, spread over its workers."""

    def __init__(self, pool: Executor, workers: int) -> None:
        self.pool = pool
        self.workers = workers
        # One chunk queued behind each running one, so a worker never waits for the next.
        self._limit = 2 * workers
        self._lock = threading.Lock()
        self._waiting: deque[_Segment] = deque()
        self._waiting_pages = 0
        self._running = 0
        self._closed = False
        self._started = False

    def start_workers(self) -> None:
        """Have the pool start its worker processes (once: it keeps them)."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for _ in range(self.workers):
            self.pool.submit(os.getpid)

    def submit(self, pages: list[FetchedPage]) -> Future[Results]:
        request = _Request(len(pages))
        with self._lock:
            if self._closed:
                request.fail(CancelledError())
                return request.future
            self._waiting.append((request, pages, 0))
            self._waiting_pages += len(pages)
        self._pump()
        return request.future

    def _take_chunk(self, size: int) -> list[_Segment]:
        """Up to `size` waiting pages, oldest first (the caller holds the lock)."""
        chunk: list[_Segment] = []
        while self._waiting and size:
            request, pages, start = self._waiting.popleft()
            if len(pages) > size:
                self._waiting.appendleft((request, pages[size:], start + size))
                pages = pages[:size]
            chunk.append((request, pages, start))
            size -= len(pages)
            self._waiting_pages -= len(pages)
        return chunk

    def _pump(self) -> None:
        size = 0
        while True:
            with self._lock:
                if self._closed or self._running >= self._limit or not self._waiting:
                    return
                # CHUNK_PAGES, or less when few pages wait, so a lone batch spreads over every worker.
                size = size or max(1, min(CHUNK_PAGES, -(-self._waiting_pages // self.workers)))
                chunk = self._take_chunk(size)
                self._running += 1
            try:
                future = self.pool.submit(extract_batch, [p for _, pages, _ in chunk for p in pages])
            except BaseException as exc:
                # A broken pool stays broken: fail this chunk and every waiting one, or their
                # callers would wait for chunks that no finishing chunk will ever start.
                with self._lock:
                    self._running -= 1
                    waiting, self._waiting = list(self._waiting), deque()
                    self._waiting_pages = 0
                for request, _, _ in [*chunk, *waiting]:
                    request.fail(exc)
                raise
            future.add_done_callback(partial(self._chunk_done, chunk))

    def _chunk_done(self, chunk: list[_Segment], future: Future[Results]) -> None:
        try:
            results = future.result()
        except BaseException as exc:
            with self._lock:
                self._running -= 1
            for request, _, _ in chunk:
                request.fail(exc)
        else:
            finished = []
            with self._lock:  # a thread pool (tests) runs callbacks on several threads at once
                self._running -= 1
                offset = 0
                for request, pages, start in chunk:
                    if request.fill(start, results[offset : offset + len(pages)]):
                        finished.append(request)
                    offset += len(pages)
            for request in finished:  # outside the lock: a waiter may submit again at once
                request.finish()
        chunk.clear()
        with contextlib.suppress(BaseException):  # a pool shut down meanwhile fails its waiters
            self._pump()

    def close(self, *, wait: bool) -> None:
        """Shut the pool down: what it has not started is cancelled, what waits for it fails."""
        with self._lock:
            waiting, self._waiting = list(self._waiting), deque()
            self._waiting_pages = 0
            self._closed = True
        for request, _, _ in waiting:
            request.fail(CancelledError())
        self.pool.shutdown(wait=wait, cancel_futures=True)


def submit_extraction(pages: list[FetchedPage], *, workers: int) -> Future[Results]:
    """Start extracting a batch; with one worker it runs inline, in this process."""
    if workers <= 1 or not pages:
        done: Future[Results] = Future()
        done.set_result(extract_batch(pages))
        return done
    return _get_chunker(workers).submit(pages)


def shutdown_pool() -> None:
    """Stop the worker processes (at exit, or when a test wants a clean slate)."""
    global _chunker
    with _lock:
        if _chunker is not None:
            _chunker.close(wait=True)
            _chunker = None


atexit.register(shutdown_pool)
