"""A threaded HTTP/1.1 server on 127.0.0.1 that routes paths to pure handlers and logs every request.

Handlers take a `Request` and return a `Response`; the server owns the socket, so it alone
handles streaming, silence (hanging), conditional GET, client disconnects and shutdown.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple, Self
from urllib.parse import urlsplit

_JOIN_TIMEOUT = 5.0


class RecordedRequest(NamedTuple):
    """One request as the site received it; header names are lower-cased."""

    method: str
    path: str
    headers: Mapping[str, str]
    at: float = 0.0  # time.monotonic() on arrival, for asserting on request spacing


@dataclass(frozen=True)
class Request:
    """What a handler sees: the path without the query, the raw query, and the headers."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


@dataclass(frozen=True)
class Response:
    """A reply. `stream` replaces `body` for large bodies; `silent_for` answers nothing at all."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    stream: Callable[[], Iterable[bytes]] | None = None
    content_length: int | None = None
    last_modified: datetime | None = None
    silent_for: float | None = None


Handler = Callable[[Request], Response]


def not_modified(headers: Mapping[str, str], *, etag: str, last_modified: datetime) -> bool:
    """Apply RFC 9110 precedence: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


class LocalSite:
    """Base of the test sites: binds 127.0.0.1:0 at construction, serves from a daemon thread."""

    # Another loopback address (Linux routes all of 127/8 to lo) makes the site another host.
    address = "127.0.0.1"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._routes: dict[str, Handler] = {}
        self._connections: dict[socket.socket, threading.Thread] = {}
        self.errors: list[BaseException] = []
        self.stopping = threading.Event()
        self._server = _Server((self.address, 0), _RequestHandler, site=self)
        self.port: int = self._server.server_address[1]
        self.base_url = f"http://{self.address}:{self.port}"
        self._thread: threading.Thread | None = None

    @classmethod
    def start(cls, *args: Any, **kwargs: Any) -> Self:
        """Build the site and start serving; use as a context manager or call `stop()`."""
        site = cls(*args, **kwargs)
        site._thread = threading.Thread(
            target=site._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{cls.__name__}:{site.port}",
            daemon=True,
        )
        site._thread.start()
        return site

    def stop(self) -> None:
        """Wake hanging and streaming handlers, drop open connections, then close the socket."""
        self.stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(_JOIN_TIMEOUT)
            self._thread = None
        with self._lock:
            connections = list(self._connections.items())
        for sock, _ in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)
        for _, thread in connections:
            thread.join(_JOIN_TIMEOUT)
        self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def route(self, path: str, handler: Handler) -> str:
        """Serve `handler` at `path` (query strings are ignored when routing); return its URL."""
        with self._lock:
            self._routes[path] = handler
        return self.url(path)

    def add_page(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Serve fixed bytes at `path`; return its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        response = Response(status=status, body=data, content_type=content_type, headers=dict(headers or {}))
        return self.route(path, lambda _request: response)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def requested_paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def count(self, path: str) -> int:
        """How many requests hit `path`, ignoring query strings."""
        return sum(1 for request in self.requests if urlsplit(request.path).path == path)

    def reset_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def handle(self, request: Request) -> Response:
        with self._lock:
            handler = self._routes.get(request.path)
        if handler is None:
            return Response(status=404, body=b"<html><body><h1>404 Not Found</h1></body></html>")
        return handler(request)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _track(self, sock: socket.socket, active: bool) -> None:
        with self._lock:
            if active:
                self._connections[sock] = threading.current_thread()
            else:
                self._connections.pop(sock, None)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # LocalSite.stop joins its own connection threads, with a timeout
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *, site: LocalSite):
        self.site = site
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError) or self.site.stopping.is_set():
            return
        if error is not None:
            self.site.errors.append(error)
        super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "newsflow-test-site/1.0"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.site._track(self.connection, active=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.site._track(self.connection, active=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests assert on `site.requests` instead."""

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._serve()

    def _serve(self) -> None:
        site = self.server.site
        headers = {name.lower(): value for name, value in self.headers.items()}
        site._record(RecordedRequest(self.command, self.path, headers, time.monotonic()))
        parts = urlsplit(self.path)
        response = site.handle(Request(self.command, parts.path or "/", parts.query, headers))
        if response.silent_for is not None:
            site.stopping.wait(response.silent_for)
            self.close_connection = True
            return
        if response.stream is not None:
            self._send_stream(response)
        else:
            self._send_body(response, headers)

    def _send_body(self, response: Response, request_headers: Mapping[str, str]) -> None:
        status, body = response.status, response.body
        extra: dict[str, str] = {}
        if response.last_modified is not None and status == 200:
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            extra = {"ETag": etag, "Last-Modified": http_date(response.last_modified)}
            if not_modified(request_headers, etag=etag, last_modified=response.last_modified):
                status, body = 304, b""
        self.send_response(status)
        if response.content_type and status != 304:
            self.send_header("Content-Type", response.content_type)
        for name, value in {**response.headers, **extra}.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)

    def _send_stream(self, response: Response) -> None:
        assert response.stream is not None
        chunked = response.content_length is None
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(response.content_length))
        self.end_headers()
        if self.command == "HEAD":
            return
        self.close_connection = True  # a client that gives up mid-body leaves the connection unusable
        stopping = self.server.site.stopping
        try:
            for chunk in response.stream():
                if stopping.is_set():
                    return
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (ConnectionError, TimeoutError):
            return
