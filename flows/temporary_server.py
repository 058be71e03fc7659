"""Prefect's temporary API server for a `newsflow` command, in a session of its own.

Ctrl-C reaches every process of the terminal's foreground group, and a service manager stopping a
unit sends SIGTERM to the whole group: either would stop the server while the run still needs it
to record that it was cancelled (a 30 s hang and "Connection refused" tracebacks). In its own
session it hears neither; the command stops it at exit, as Prefect's client would.
"""

from __future__ import annotations

import subprocess
from typing import Any

from prefect.server.api.server import SubprocessASGIServer

from newsflow.runtime.stop import own_session


class _SessionServer(SubprocessASGIServer):
    """Prefect's own server and command line, started with `start_new_session`."""

    def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
        popen = subprocess.Popen

        def in_new_session(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
            return popen(*args, start_new_session=True, **kwargs)

        # Prefect builds the command (its app, port and settings); only how it starts changes.
        # Called once, before the run starts any thread that could start a process meanwhile.
        subprocess.Popen = in_new_session  # type: ignore[assignment,misc]
        try:
            return super()._run_uvicorn_command()
        finally:
            subprocess.Popen = popen  # type: ignore[misc]


def start_temporary_server() -> None:
    """Start the server Prefect's client would start on first use (the same singleton), now."""
    server = _SessionServer()
    server.start()
    if server.server_process is not None:
        own_session(server.server_process.pid)
