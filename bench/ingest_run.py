"""Run `newsflow ingest` as a user would, against the benchmark site, and measure it.

Shared by the throughput, fixed-cost and memory benchmarks: start the loopback site
(bench/sitegen.py) in its own process, optionally a Prefect server, then time whole CLI runs
while sampling the memory of the run's process tree (the CLI, its extraction workers and, on
the ephemeral API, Prefect's temporary server).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("BENCH_WORK", "/tmp/newsflow-bench"))  # another folder for a second bench at once
NEWSFLOW = ROOT / ".venv" / "bin" / "newsflow"
PREFECT = ROOT / ".venv" / "bin" / "prefect"


@dataclass
class Memory:
    """Peak memory of a process tree (bytes): RSS sampled every 50 ms, PSS every 0.5 s."""

    peak_rss_total: int = 0  # sum of every process's RSS: counts shared pages once per process
    peak_pss_total: int = 0  # sum of proportional set sizes: shared pages split between sharers
    peak_rss_by_role: dict[str, int] = field(default_factory=dict)
    cpu_seconds_by_role: dict[str, float] = field(default_factory=dict)  # last sample of each process
    processes: int = 0
    cli_rss: list[int] = field(default_factory=list)  # the CLI's RSS at every sample, in order

    def cli_rss_at(self, fraction: float) -> int:
        """The CLI's highest RSS up to `fraction` of the run (0 < fraction <= 1)."""
        upto = self.cli_rss[: max(1, round(len(self.cli_rss) * fraction))]
        return max(upto, default=0)


@dataclass
class RunResult:
    seconds: float
    memory: Memory
    returncode: int
    output: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry))
    return tree


def _descendants(root: int) -> list[int]:
    tree = _children()
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(tree.get(pid, []))
    return found


def _kib_field(path: str, name: str) -> int:
    with open(path) as handle:
        for line in handle:
            if line.startswith(name):
                return int(line.split()[1]) * 1024
    return 0


_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _rss_and_cpu(pid: int) -> tuple[int, float]:
    """Resident bytes and user + system CPU seconds of one process so far (raises OSError once it
    is gone)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[21]) * _PAGE_BYTES, (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "cli"
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "other"
    if "forkserver" in cmdline or "multiprocessing" in cmdline:
        return "extraction"
    if "prefect" in cmdline or "uvicorn" in cmdline:
        return "prefect-server"
    return "other"


class TreeSampler(threading.Thread):
    """Samples RSS and PSS of a process and its descendants until stopped.

    RSS and CPU time come from one read of /proc/PID/stat every 50 ms; the process tree and PSS
    (smaps_rollup, which walks the page tables) only every 0.5 s: sampling all of them every 50 ms
    cost about 2 s of CPU per 1,000-page run, taken from the run being measured.
    """

    FULL_EVERY = 10  # samples

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.memory = Memory()
        self.seen: set[int] = set()
        self.cpu: dict[int, tuple[str, float]] = {}
        self.pids: list[int] = []
        self.roles: dict[int, str] = {}
        self.pss: dict[int, int] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        tick = 0
        while not self._halt.is_set():
            self.sample(full=tick % self.FULL_EVERY == 0)
            tick += 1
            self._halt.wait(0.05)

    def sample(self, *, full: bool = True) -> None:
        if full:
            self.pids = _descendants(self.root)
            # A child caught between fork and exec still shows its parent's command line: a role
            # once known is kept, an unknown one looked at again.
            known = {pid: role for pid, role in self.roles.items() if role != "other"}
            self.roles = {pid: known.get(pid) or _role(pid, self.root) for pid in self.pids}
        rss_total = 0
        by_role: dict[str, int] = {}
        for pid in self.pids:
            try:
                rss, cpu_seconds = _rss_and_cpu(pid)
                if full:
                    self.pss[pid] = _kib_field(f"/proc/{pid}/smaps_rollup", "Pss:")
            except OSError:
                self.pss.pop(pid, None)
                continue
            self.seen.add(pid)
            rss_total += rss
            role = self.roles.get(pid, "other")
            self.cpu[pid] = (role, cpu_seconds)
            by_role[role] = by_role.get(role, 0) + rss
        memory = self.memory
        memory.peak_rss_total = max(memory.peak_rss_total, rss_total)
        if full:
            memory.peak_pss_total = max(memory.peak_pss_total, sum(self.pss.get(pid, 0) for pid in self.pids))
        for role, rss in by_role.items():
            memory.peak_rss_by_role[role] = max(memory.peak_rss_by_role.get(role, 0), rss)
        memory.processes = len(self.seen)
        if "cli" in by_role:
            memory.cli_rss.append(by_role["cli"])
        cpu: dict[str, float] = {}
        for role, seconds in self.cpu.values():
            cpu[role] = cpu.get(role, 0.0) + seconds
        memory.cpu_seconds_by_role = cpu

    def stop(self) -> Memory:
        self._halt.set()
        self.join()
        return self.memory


@contextlib.contextmanager
def bench_site(pages: int) -> Iterator[str]:
    """The benchmark site in its own process (pages generated first, once); yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.sitegen", "--pages", str(pages)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("READY "):
            raise SystemExit(f"the benchmark site did not start: {line!r}")
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(10)


def prefect_env(home: Path, api_url: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEWSFLOW_", "PREFECT_")) and key != "DATABASE_URL"
    }
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        NO_PROXY="*",
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


@contextlib.contextmanager
def prefect_server(home: Path) -> Iterator[str]:
    """`prefect server start` on a free port with its own PREFECT_HOME; yields the API URL."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "server.log").open("w")
    process = subprocess.Popen(
        [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=prefect_env(home, None),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"prefect server did not start; see {home / 'server.log'}")
            time.sleep(0.5)
        yield api
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def write_sources(folder: Path, base_url: str, count: int, listing: str = "feed") -> Path:
    """A sources file with one source whose feed (or sitemap) lists pages 0 .. count-1."""
    from bench.sitegen import feed_path, sitemap_path

    path = folder / f"sources-{listing}-{count}.yaml"
    if listing == "feed":
        path.write_text(f"sources:\n  - name: bench\n    feeds: ['{base_url}{feed_path(count)}']\n")
    else:
        path.write_text(f"sources:\n  - name: bench\n    sitemaps: ['{base_url}{sitemap_path(count)}']\n")
    return path


def fresh_sqlite(folder: Path, name: str) -> str:
    for suffix in ("", "-wal", "-shm"):
        (folder / f"{name}.db{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{folder / name}.db"


def run_ingest(
    sources: Path,
    *,
    database_url: str,
    prefect_home: Path,
    api_url: str | None = None,
    extra_env: dict[str, str] | None = None,
    tty: bool = False,
    newsflow: Path = NEWSFLOW,
) -> RunResult:
    """One `newsflow ingest` run as a subprocess: wall time, exit code, peak memory of its tree."""
    env = prefect_env(prefect_home, api_url)
    env.update(DATABASE_URL=database_url, NEWSFLOW_MAX_URLS_PER_SOURCE="100000")
    env.update(extra_env or {})  # may override DATABASE_URL (a PostgreSQL run)
    command = [str(newsflow), "ingest", "--sources", str(sources)]
    if tty:
        command = ["script", "-qec", " ".join(command), "/dev/null"]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=WORK, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    sampler = TreeSampler(process.pid)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    return RunResult(seconds, sampler.stop(), process.returncode, output)


def prepare_work() -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    return WORK


def reset(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def mib(value: int) -> str:
    return f"{value / 2**20:.0f} MiB"


def dump(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, default=lambda o: o.__dict__))
