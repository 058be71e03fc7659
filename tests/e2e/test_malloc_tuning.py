"""The CLI's malloc tuning: fewer arenas, large blocks always mmapped, inherited by children."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap
from pathlib import Path

from newsflow.runtime.malloc_tuning import ENV_VARS, tune_malloc

_ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
_GLIBC = platform.libc_ver()[0] == "glibc"

# Eight threads hold memory at once, then glibc's malloc_stats lists one "Arena N:" per arena.
_ARENAS = textwrap.dedent(
    """
    import ctypes, sys, threading
    from newsflow.runtime.malloc_tuning import tune_malloc
    if sys.argv[1] == "tuned":
        assert tune_malloc()
    barrier = threading.Barrier(9)
    held = []
    def work():
        held.append(bytearray(20_000))
        barrier.wait()
        barrier.wait()
    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    barrier.wait()
    ctypes.CDLL(None).malloc_stats()
    barrier.wait()
    """
)

# A page-sized block freed, then another: is the second one mmapped (mallinfo2's hblks)?
_MMAPPED = textwrap.dedent(
    """
    import ctypes, sys
    from newsflow.runtime.malloc_tuning import tune_malloc
    if sys.argv[1] == "tuned":
        assert tune_malloc()
    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype = MallInfo2
    first = bytearray(200_000)
    del first
    before = mallinfo2().hblks
    second = bytearray(200_000)
    print(mallinfo2().hblks - before)
    """
)


def _run(script: str, mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script, mode], capture_output=True, text=True, timeout=60, env=_ENV, check=True
    )


def test_tuning_bounds_the_arenas_of_many_threads() -> None:
    if not _GLIBC:
        assert tune_malloc() is False
        return

    def arenas(mode: str) -> int:
        return sum(1 for line in _run(_ARENAS, mode).stderr.splitlines() if line.startswith("Arena "))

    assert arenas("default") >= 8
    assert arenas("tuned") == 2


def test_tuning_keeps_page_sized_blocks_out_of_the_heap() -> None:
    if not _GLIBC:
        assert tune_malloc() is False
        return
    assert _run(_MMAPPED, "default").stdout.strip() == "0"  # glibc raised its threshold
    assert _run(_MMAPPED, "tuned").stdout.strip() == "1"


def test_children_inherit_the_settings_and_a_users_setting_wins() -> None:
    environ: dict[str, str] = {}
    tune_malloc(environ=environ)
    assert environ == {name: str(value) for name, value in ENV_VARS.items()}

    mine = {"MALLOC_ARENA_MAX": "4"}
    assert tune_malloc(environ=mine) is False
    assert mine == {"MALLOC_ARENA_MAX": "4"}


def test_the_cli_tunes_itself_and_its_children() -> None:
    script = (
        "import os\nfrom newsflow.flows.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(os.environ.get('MALLOC_ARENA_MAX'), os.environ.get('MALLOC_MMAP_THRESHOLD_'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "--help"],
        capture_output=True,
        text=True,
        env=_ENV,
        timeout=60,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "2 65536"
