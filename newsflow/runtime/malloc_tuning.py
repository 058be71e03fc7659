"""Tune glibc's malloc for a long run that churns page bodies, so resident memory stays flat.

Two effects made the CLI's RSS grow with the number of pages (BENCHMARKS.md, Memory):
- glibc gives each thread that allocates under contention its own arena (up to 8 per core), and
  memory freed in an arena stays with the process;
- after a large block is freed, glibc raises its mmap threshold to that block's size, so later
  page bodies (about 160 KB each) come from the heap, which fragments, instead of from mmap,
  which hands them back to the kernel on free.
Two arenas and a fixed 64 KiB threshold cost no measurable speed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
from collections.abc import MutableMapping

ARENA_MAX = 2
MMAP_THRESHOLD = 64 * 1024
# <malloc.h> mallopt parameters, and the environment variables glibc reads at start-up.
_M_ARENA_MAX = -8
_M_MMAP_THRESHOLD = -3
ENV_VARS = {"MALLOC_ARENA_MAX": ARENA_MAX, "MALLOC_MMAP_THRESHOLD_": MMAP_THRESHOLD}


def tune_malloc(*, environ: MutableMapping[str, str] | None = None) -> bool:
    """Apply both settings to this process; False where libc is not glibc or a user set either.

    With `environ` (normally os.environ), child processes (the extraction fork server, Prefect's
    run subprocesses) inherit the settings through it, and a user's own setting there wins.
    """
    if environ is not None:
        if any(name in environ for name in ENV_VARS):
            return False
        environ.update({name: str(value) for name, value in ENV_VARS.items()})
    if platform.libc_ver()[0] != "glibc":
        return False
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    mallopt = ctypes.CDLL(libc_name).mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, ARENA_MAX)) and bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
