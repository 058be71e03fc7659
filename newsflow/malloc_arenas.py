"""Bound glibc's malloc arenas, so a long run's resident memory stays flat.

glibc gives each thread that allocates under contention its own arena (up to 8 per core), and
memory freed in an arena stays with the process. The fetch threads allocate and free page bodies
of about 160 KB each, so without a bound the CLI's RSS grew by about 8.5 KB per stored page
(BENCHMARKS.md, Memory). Two arenas cost no measurable speed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
from collections.abc import MutableMapping

ARENA_MAX = 2
_M_ARENA_MAX = -8  # <malloc.h>
ENV_VAR = "MALLOC_ARENA_MAX"


def limit_malloc_arenas(arenas: int = ARENA_MAX, *, environ: MutableMapping[str, str] | None = None) -> bool:
    """Cap this process's glibc malloc arenas at `arenas`; False where libc is not glibc.

    With `environ` (normally os.environ), a cap the user already set there wins, and child
    processes (the extraction fork server, Prefect's run subprocesses) inherit ours through it.
    """
    if environ is not None:
        if ENV_VAR in environ:
            return False
        environ[ENV_VAR] = str(arenas)
    if platform.libc_ver()[0] != "glibc":
        return False
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    mallopt = ctypes.CDLL(libc_name).mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, arenas))
