"""The CLI's malloc arena cap: fewer arenas in this process, inherited by child processes."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap
from pathlib import Path

from newsflow.malloc_arenas import ENV_VAR, limit_malloc_arenas

_ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}

# Eight threads hold memory at once, then glibc's malloc_stats lists one "Arena N:" per arena.
_PROBE = textwrap.dedent(
    """
    import ctypes, sys, threading
    from newsflow.malloc_arenas import limit_malloc_arenas
    if sys.argv[1] == "cap":
        assert limit_malloc_arenas(2)
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


def _arenas(mode: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, timeout=60, env=_ENV, check=True
    )
    return sum(1 for line in result.stderr.splitlines() if line.startswith("Arena "))


def test_cap_bounds_the_arenas_of_many_threads() -> None:
    if platform.libc_ver()[0] != "glibc":
        assert limit_malloc_arenas(2) is False
        return
    assert _arenas("none") >= 8
    assert _arenas("cap") == 2


def test_children_inherit_the_cap_and_a_users_setting_wins() -> None:
    environ: dict[str, str] = {}
    limit_malloc_arenas(2, environ=environ)
    assert environ == {ENV_VAR: "2"}

    mine = {ENV_VAR: "4"}
    assert limit_malloc_arenas(2, environ=mine) is False
    assert mine == {ENV_VAR: "4"}


def test_the_cli_caps_itself_and_its_children() -> None:
    script = "import os\nfrom flows.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\nprint(os.environ.get('MALLOC_ARENA_MAX'))"
    result = subprocess.run(
        [sys.executable, "-c", script, "--help"],
        capture_output=True,
        text=True,
        env=_ENV,
        timeout=60,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "2"
