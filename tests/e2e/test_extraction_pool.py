"""The extraction process pool: same results as extracting inline, workers forked from a fork
server that the CLI starts before the flow run."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from newsflow.records import FetchedPage, ProcessedArticle
from newsflow.tasks.extraction_pool import (
    CHUNK_PAGES,
    _Chunker,
    _get_pool,
    prestart,
    start_fork_server,
    submit_extraction,
)
from tests.site import load_fixture_articles


def _pages(count: int) -> list[FetchedPage]:
    return [FetchedPage(a.url, a.url, "aeb", 200, a.html) for a in load_fixture_articles()[:count]]


def test_pool_results_equal_inline_results_in_order() -> None:
    pages = _pages(12)
    inline = submit_extraction(pages, workers=1).result(timeout=120)
    pooled = submit_extraction(pages, workers=2).result(timeout=120)
    assert pooled == inline
    assert [r.fetched_url for r in pooled if isinstance(r, ProcessedArticle)] == [p.url for p in pages]


_CHILDREN = """
import os, sys
from pathlib import Path
from newsflow.tasks.extraction_pool import start_fork_server
start_fork_server(int(sys.argv[1]))
for stat in Path("/proc").glob("[0-9]*/stat"):
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        cmdline = (stat.parent / "cmdline").read_text()
    except OSError:
        continue
    if int(fields[1]) == os.getpid():
        print(cmdline.replace("\\0", " "))
"""


def _children_after_start(workers: int) -> list[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run(
        [sys.executable, "-c", _CHILDREN, str(workers)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return result.stdout.splitlines()


def test_fork_server_starts_before_any_work_and_only_for_a_pool() -> None:
    servers = [c for c in _children_after_start(2) if "multiprocessing.forkserver" in c]
    assert len(servers) == 1
    assert "newsflow.tasks.extraction_preload" in servers[0]  # what it preloads
    assert _children_after_start(1) == []


def test_workers_fork_from_the_fork_server() -> None:
    start_fork_server(2)
    parents = {_worker_parent() for _ in range(4)}
    assert os.getpid() not in parents
    for parent in parents:
        assert "multiprocessing.forkserver" in Path(f"/proc/{parent}/cmdline").read_text()


def test_workers_inherit_the_fork_servers_imports_frozen() -> None:
    # Their collections then skip trafilatura's and lxml's module objects and leave shared pages alone.

    assert int(_get_pool(2).submit(gc.get_freeze_count).result(timeout=60)) > 10000


def _worker_parent() -> int:

    return int(_get_pool(2).submit(os.getppid).result(timeout=60))


def test_a_finished_batch_is_freed_without_the_cycle_collector() -> None:
    # A long run seldom triggers a full collection, so articles kept alive by a reference cycle
    # would pile up for the whole run (the CLI grew about 7.5 KB per page that way).
    pages = _pages(16)
    gc.collect()
    gc.disable()
    try:
        future = submit_extraction(pages, workers=2)
        assert len(future.result(timeout=120)) == len(pages)
        del future
        deadline = time.monotonic() + 5
        while _live_articles() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _live_articles() == 0
    finally:
        gc.enable()


def _live_articles() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, ProcessedArticle))


class _CountingPool(ThreadPoolExecutor):
    """A real pool (threads, so the test can count) that records the size of every task it is given."""

    def __init__(self, workers: int) -> None:
        super().__init__(max_workers=workers)
        self.task_sizes: list[int] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.task_sizes.append(len(args[0]) if args else 0)  # 0: a worker start-up task
        return super().submit(fn, *args, **kwargs)


def test_small_batches_of_many_callers_share_chunks_and_each_gets_its_own_results() -> None:
    # Hundreds of sources with a page or two each: the pool gets a few full chunks, not a task a page.
    pages = _pages(24)
    expected = {p.url: r for p, r in zip(pages, submit_extraction(pages, workers=1).result(), strict=True)}
    pool = _CountingPool(2)
    chunker = _Chunker(pool, workers=2)
    try:
        requests = [pages[i : i + 2] for i in range(0, 24, 2)] + [pages[:1]]
        futures = [chunker.submit(batch) for batch in requests]
        for batch, future in zip(requests, futures, strict=True):
            assert future.result(timeout=120) == [expected[p.url] for p in batch]
    finally:
        chunker.close(wait=True)
    assert sum(pool.task_sizes) == 25
    assert len(pool.task_sizes) < len(requests)  # 13 callers' pages went in fewer tasks
    assert max(pool.task_sizes) <= CHUNK_PAGES
    assert any(size > 2 for size in pool.task_sizes)  # some task mixed several callers' pages


def test_an_idle_pool_spreads_a_lone_batch_over_its_workers() -> None:
    pool = _CountingPool(2)
    chunker = _Chunker(pool, workers=2)
    try:
        assert len(chunker.submit(_pages(6)).result(timeout=120)) == 6
    finally:
        chunker.close(wait=True)
    assert pool.task_sizes[:2] == [3, 3]


def test_workers_are_started_once_however_many_sources_ask() -> None:
    pool = _CountingPool(2)
    chunker = _Chunker(pool, workers=2)
    try:
        for _ in range(5):  # every source with new pages asks
            chunker.start_workers()
    finally:
        chunker.close(wait=True)
    assert pool.task_sizes == [0, 0]


def test_prestart_of_a_running_pool_starts_no_thread() -> None:
    prestart(2)
    _get_pool(2).submit(os.getpid).result(timeout=60)  # the first ask made the pool
    for _ in range(50):
        prestart(2)
        assert not [t for t in threading.enumerate() if t.name == "extraction-pool-start"]


def test_closing_the_pool_fails_what_waits_instead_of_leaving_it_hanging() -> None:
    pool = _CountingPool(1)
    chunker = _Chunker(pool, workers=1)
    futures = [chunker.submit(_pages(1)) for _ in range(8)]  # 2 chunks go, the rest wait
    chunker.close(wait=True)
    for future in futures:
        assert future.done()
    assert any(isinstance(f.exception(), CancelledError) for f in futures)
    assert chunker.submit(_pages(1)).exception(timeout=5) is not None  # closed: fails at once


def test_a_broken_pool_fails_every_waiting_batch_instead_of_leaving_it_hanging() -> None:
    # A worker killed mid-run (out of memory, a crash in C) breaks a process pool for good.
    pool = ProcessPoolExecutor(max_workers=1)
    chunker = _Chunker(pool, workers=1)
    try:
        pool.submit(time.sleep, 1.0)  # the worker is busy while the batches arrive
        pool.submit(os._exit, 1)  # then it dies: the two chunks queued behind it fail
        # 2 chunks go, 18 batches wait: more than the two failing chunks' callbacks take along.
        futures = [chunker.submit(_pages(1)) for _ in range(2 + 2 * CHUNK_PAGES + 2)]
        for future in futures:
            assert isinstance(future.exception(timeout=30), BrokenProcessPool)
    finally:
        chunker.close(wait=True)
