"""Fetch feeds and pages politely: robots.txt, per-host limits, retries, content checks."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from newsflow.charset import decode_body
from newsflow.errors import (
    BlockedByRobots,
    ConnectionFailed,
    FetchError,
    ForbiddenHost,
    HttpStatusError,
    ResponseTooLarge,
    UnsupportedContent,
)
from newsflow.fetch.archive import ArchiveSink
from newsflow.fetch.client import FetchPolicy, FetchResponse, fetch_once, is_transient
from newsflow.fetch.politeness import HostLimiter
from newsflow.fetch.robots import RobotsRules, parse_robots
from newsflow.records import (
    PAYWALL_STATUSES,
    DiscoveredUrl,
    FetchedPage,
    FetchOutcome,
    Outcome,
    PageHints,
    RobotsFile,
    Validators,
)
from newsflow.refresh import DueArticle, conditional_headers
from newsflow.urls import host_of

_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
_BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"%PDF",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"\x00\x00\x01\x00",
)
_PERMANENT_STATUSES = frozenset({400, 404, 405, 406, 410, 414, 501})
GONE_STATUSES = frozenset({404, 410})  # a stored article's page answering these is marked removed
MAX_CRAWL_DELAY = 60.0  # a larger robots.txt Crawl-delay would stall a 15-minute schedule

BLOCKING_STATUSES = frozenset({401, 403, 429, 451})


def check_page_body(response: FetchResponse) -> None:
    """Raise UnsupportedContent unless the body looks like a web page."""
    content_type = (response.content_type or "").split(";", 1)[0].strip().lower()
    if content_type and not content_type.startswith(_HTML_TYPES):
        raise UnsupportedContent(
            response.url, f"{response.url}: content type {content_type} is not a web page"
        )
    head = response.body[:2048]
    if not response.body.strip():
        raise UnsupportedContent(response.url, f"{response.url}: the page is empty (HTTP {response.status})")
    if head.startswith(_BINARY_MAGIC) or head.count(b"\x00") > 0:
        raise UnsupportedContent(response.url, f"{response.url}: the body is binary data, not a web page")
    if b"<" not in head and not response.body[:65536].count(b"<") > 0:
        raise UnsupportedContent(response.url, f"{response.url}: the body has no HTML markup")


def outcome_for_error(error: FetchError, *, source: str) -> FetchOutcome:
    """The fetch_event a failed fetch becomes: settled for good (skipped) or worth retrying (error)."""
    permanent = isinstance(
        error, ForbiddenHost | BlockedByRobots | ResponseTooLarge | UnsupportedContent
    ) or (isinstance(error, HttpStatusError) and error.status in _PERMANENT_STATUSES)
    return FetchOutcome(
        url=error.url,
        source=source,
        outcome=Outcome.SKIPPED if permanent else Outcome.ERROR,
        at=datetime.now(UTC),
        http_status=error.status,
        error=str(error),
    )


def _reason(error: FetchError) -> str:
    """The message of `error` without the URL it starts with."""
    return str(error).removeprefix(f"{error.url}: ")


def robots_origin(url: str) -> str:
    """The origin whose robots.txt governs `url` (scheme://host[:port], as written)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Fetcher:
    """One run's fetching: a shared client, host limiter and robots cache; with an archive, every
    response it returns (pages, feeds, sitemaps; not robots.txt) is archived first."""

    def __init__(
        self,
        client: httpx.Client,
        policy: FetchPolicy,
        limiter: HostLimiter,
        *,
        respect_robots: bool,
        archive: ArchiveSink | None = None,
    ) -> None:
        self._client = client
        self._policy = policy
        self._limiter = limiter
        self._respect_robots = respect_robots
        self._archive = archive
        self._robots: dict[str, RobotsRules] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._robots_lock = threading.Lock()
        # robots.txt files read from the network by this run and not yet handed out to be kept.
        self._robots_read: list[RobotsFile] = []

    @property
    def client(self) -> httpx.Client:
        """The client every request of this fetcher goes through (WARC downloads use it too)."""
        return self._client

    @property
    def allowed_origins(self) -> frozenset[str]:
        """The private origins this fetcher's SSRF guard lets through (configured sources')."""
        return self._policy.allowed_hosts

    def _rules(self, url: str) -> RobotsRules:
        origin = robots_origin(url)
        with self._robots_lock:
            origin_lock = self._robots_locks.setdefault(origin, threading.Lock())
        # One robots.txt request per origin, however many threads want it at once.
        with origin_lock:
            cached = self._robots.get(origin)
            if cached is None:
                cached = self._robots[origin] = self._fetch_rules(origin, host_of(url))
        return cached

    def _fetch_rules(self, origin: str, host: str) -> RobotsRules:
        agent = self._policy.user_agent
        try:
            with self._limiter.slot(host):
                response = fetch_once(
                    self._client, origin + "/robots.txt", max_bytes=500_000, total_timeout=self._total_timeout
                )
        except HttpStatusError as exc:
            # RFC 9309: 4xx means no rules; 5xx (and, as Google reads it, 429) means complete
            # disallow, for now.
            if exc.status == 429 or (exc.status is not None and exc.status >= 500):
                return RobotsRules.unreachable(agent, _reason(exc), status=exc.status)
            return self._read(RobotsFile(origin, "", datetime.now(UTC)), host)
        except ForbiddenHost:
            return RobotsRules.allow_all(agent)  # the page itself will be refused, with the reason
        except FetchError as exc:
            return RobotsRules.unreachable(agent, _reason(exc))
        text = decode_body(response.body, response.content_type) if response.status == 200 else ""
        return self._read(RobotsFile(origin, text, datetime.now(UTC)), host)

    def _read(self, file: RobotsFile, host: str) -> RobotsRules:
        with self._robots_lock:
            self._robots_read.append(file)
        return self._rules_of(file, host)

    def _rules_of(self, file: RobotsFile, host: str) -> RobotsRules:
        rules = parse_robots(file.text, user_agent=self._policy.user_agent)
        delay = rules.crawl_delay()
        if delay:
            self._limiter.set_delay(host, min(delay, MAX_CRAWL_DELAY))
        return rules

    def know_robots(self, files: Iterable[RobotsFile]) -> None:
        """Take robots.txt files an earlier run read (recently enough) as this run's, for origins it
        has not read itself: their sites are not asked again."""
        if not self._respect_robots:
            return
        for file in files:
            with self._robots_lock:
                known = file.origin in self._robots
            if not known:
                rules = self._rules_of(file, host_of(file.origin))
                with self._robots_lock:
                    self._robots.setdefault(file.origin, rules)

    def take_robots_read(self) -> list[RobotsFile]:
        """The robots.txt files read from the network since the last call, to be kept for the next
        runs (each handed out once, whichever source asks)."""
        with self._robots_lock:
            taken = list(self._robots_read)
            self._robots_read.clear()
        return taken

    def robots_for(self, url: str) -> RobotsRules:
        """The robots.txt rules that apply to `url` (read once per origin; allow-all when robots.txt
        is not obeyed)."""
        return self._rules(url) if self._respect_robots else RobotsRules.allow_all(self._policy.user_agent)

    @property
    def _total_timeout(self) -> float:
        return self._policy.connect_timeout + self._policy.read_timeout * 2

    def get(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        max_bytes: int | None = None,
        read_statuses: frozenset[int] = frozenset(),
    ) -> FetchResponse:
        """GET with robots.txt, the host's slot, and retries of transient failures; the answers
        of `read_statuses` are read rather than raised."""
        if self._respect_robots:
            rules = self._rules(url)
            reason = rules.unreachable_reason
            if reason is not None:
                # Not fetched for now, and not settled: the next run asks robots.txt again.
                if rules.unreachable_status is None:
                    raise ConnectionFailed(url, f"{url}: {reason} (while reading robots.txt)")
                raise HttpStatusError(
                    url,
                    f"{url}: not fetched because robots.txt answered {reason}",
                    status=rules.unreachable_status,
                )
            if not rules.can_fetch(url):
                raise BlockedByRobots(url, f"{url}: disallowed by robots.txt for {self._policy.user_agent}")
        host = host_of(url)
        total_timeout = self._total_timeout
        attempt = 0
        while True:
            try:
                with self._limiter.slot(host):
                    response = fetch_once(
                        self._client,
                        url,
                        max_bytes=max_bytes or self._policy.max_bytes,
                        total_timeout=total_timeout,
                        headers=headers,
                        keep_exchange=self._archive is not None,
                        read_statuses=read_statuses,
                    )
                return self._archived(response)
            except FetchError as error:
                if attempt >= self._policy.max_retries or not is_transient(error):
                    raise
                wait = error.retry_after if isinstance(error, HttpStatusError) else None
                wait = 0.5 * 2**attempt if wait is None else wait
                if wait > self._policy.max_retry_after:
                    raise
                attempt += 1
                self._limiter.push_back(host, wait)

    def _archived(self, response: FetchResponse) -> FetchResponse:
        if self._archive is None or response.exchange is None:
            return response
        # Written whole before anyone can store its location (see newsflow.fetch.archive).
        return replace(response, exchange=None, archived=self._archive.write(response.exchange))

    def fetch_page(self, item: DiscoveredUrl) -> FetchedPage | FetchOutcome:
        """Fetch one article page, or say why not. A paywall's 401/402 answer that holds a page is
        kept (its teaser is stored, marked paywalled); one without a page fails as its status."""
        try:
            response = self.get(item.url, read_statuses=PAYWALL_STATUSES)
            try:
                check_page_body(response)
            except UnsupportedContent:
                if response.status in PAYWALL_STATUSES:
                    raise HttpStatusError(
                        item.url, f"{item.url}: HTTP {response.status} with no page", status=response.status
                    ) from None
                raise
        except FetchError as error:
            return outcome_for_error(error, source=item.source)
        return _page(
            response,
            item.url,
            item.source,
            PageHints(listed_published_at=item.published_at, listed_title=item.title),
        )

    def refetch_page(self, item: DueArticle) -> FetchedPage | FetchOutcome:
        """Fetch a stored article again with a conditional GET: the page, or not_modified (304),
        removed (404/410), or the failure (the stored version stays)."""
        try:
            response = self.get(item.url, headers=conditional_headers(item.validators))
            if response.status == 304:
                return FetchOutcome(item.url, item.source, Outcome.NOT_MODIFIED, datetime.now(UTC), 304)
            check_page_body(response)
        except FetchError as error:
            if isinstance(error, HttpStatusError) and error.status in GONE_STATUSES:
                return FetchOutcome(
                    item.url, item.source, Outcome.REMOVED, datetime.now(UTC), error.status, str(error)
                )
            return outcome_for_error(error, source=item.source)
        return _page(response, item.url, item.source, item.hints)

    def refetch_pages(self, items: list[DueArticle], *, concurrency: int) -> list[FetchedPage | FetchOutcome]:
        """refetch_page over a batch, concurrently; results in the order given."""
        if len(items) <= 1:
            return [self.refetch_page(item) for item in items]
        with ThreadPoolExecutor(
            max_workers=min(concurrency, len(items)), thread_name_prefix="refetch"
        ) as pool:
            return list(pool.map(self.refetch_page, items))

    def fetch_pages(
        self, items: list[DiscoveredUrl], *, concurrency: int
    ) -> list[FetchedPage | FetchOutcome]:
        """Fetch a batch concurrently; results come back in the order given."""
        if len(items) <= 1:
            return [self.fetch_page(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(concurrency, len(items)), thread_name_prefix="fetch") as pool:
            return list(pool.map(self.fetch_page, items))


def _page(response: FetchResponse, url: str, source: str, hints: PageHints) -> FetchedPage:
    validators = (
        Validators(response.etag, response.last_modified) if response.etag or response.last_modified else None
    )
    return FetchedPage(
        url=url,
        final_url=response.final_url,
        source=source,
        status=response.status,
        body=response.body,
        content_type=response.content_type,
        hints=hints,
        archived=response.archived,
        validators=validators,
    )
