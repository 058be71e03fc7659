"""Prefect's temporary API server for a `newsflow` command, started first, in a session of its own.

Prefect's client starts the same server (the same uvicorn command line) on its first call when no
PREFECT_API_URL is set, after the command has loaded, and imports Prefect's whole server package
to do it. Started here before the command imports Prefect, the server's start-up (seconds of
imports) runs on another core while the command loads; once it answers, PREFECT_API_URL names it,
so Prefect talks to it as to any server and the command never imports the server package.

Ctrl-C reaches every process of the terminal's foreground group, and a service manager stopping a
unit sends SIGTERM to the whole group: either would stop the server while the run still needs it
to record that it was cancelled (a 30 s hang and "Connection refused" tracebacks). In its own
session it hears neither; the command stops it at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from newsflow.errors import Interrupted, NewsflowError
from newsflow.runtime.stop import own_session, stop_requested

_PORTS = range(8000, 9000)  # Prefect's own range for its temporary server
_PORT_TAKEN = 3  # uvicorn's exit status when another process took the port first
_STOP_GRACE = 5.0

logger = logging.getLogger("prefect")  # where Prefect logs its own temporary server's start and stop


def _free_port() -> int:
    for _ in range(20):
        port = random.choice(_PORTS)
        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise NewsflowError("no free port between 8000 and 8999 for Prefect's temporary API server")


def _prefect_app_dir() -> str:
    """The folder Prefect's package is in (uvicorn's --app-dir), found without importing Prefect."""
    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.origin is not None, "prefect is a dependency of newsflow"
    return str(Path(spec.origin).parent.parent)


class TemporaryServer:
    """`uvicorn prefect.server.api.server:create_app` on a free loopback port, as Prefect runs it."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process = self._launch()
        self._announced = (
            False  # whether its start was logged: a command that fails before says nothing of it
        )
        atexit.register(self.stop)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _launch(self) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            _prefect_app_dir(),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ]
        # Prefect's own environment for this server: no UI, and it knows it is ephemeral.
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"}
        env["PREFECT__SERVER_FINAL"] = "1"
        process = subprocess.Popen(command, env=env, start_new_session=True)
        own_session(process.pid)  # a second Ctrl-C quits at once: it must take the server along
        return process

    def wait_ready(self, timeout: float) -> str:
        """Its API URL once it answers its health check; NewsflowError if it does not in time."""
        logger.info("Starting temporary server on http://127.0.0.1:%d", self.port)
        self._announced = True
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if stop_requested():  # Ctrl-C before the run began: nothing to store, no run to start
                    self.stop()
                    raise Interrupted("interrupted: 0 stored; run the same command to resume")
                status = self.process.poll()
                if status == _PORT_TAKEN:  # another process bound the port meanwhile: another one
                    self.port = _free_port()
                    self.process = self._launch()
                elif status is not None:
                    raise NewsflowError(f"Prefect's temporary API server exited with status {status}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return self.api_url
                time.sleep(0.05)
        self.stop()
        raise NewsflowError(
            f"Prefect's temporary API server did not answer within {timeout:g} s; set "
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS higher, or PREFECT_API_URL to a running server"
        )

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL after a grace period); safe to call twice."""
        if self.process.poll() is not None:
            return
        if self._announced:
            logger.info("Stopping temporary server on http://127.0.0.1:%d", self.port)
        self.process.terminate()
        try:
            self.process.wait(timeout=_STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_early() -> TemporaryServer | None:
    """The server, started now, unless PREFECT_API_URL is in the environment (before Prefect is
    imported, a profile or .env could still name one: see use_or_stop)."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    return TemporaryServer()


def use_or_stop(server: TemporaryServer | None) -> bool:
    """Point Prefect at `server` once it answers (True), or stop it when Prefect's settings (a
    profile, .env) name a server after all (False; False too without a server)."""
    if server is None:
        return False
    from prefect.context import refresh_global_settings_context
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

    if PREFECT_API_URL.value():
        server.stop()
        return False
    os.environ["PREFECT_API_URL"] = server.wait_ready(
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()
    )
    refresh_global_settings_context()  # Prefect's settings are read once, at import
    return True
