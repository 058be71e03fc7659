"""`newsflow sources add` and `newsflow sources check`: find a site's listings, probe its articles,
append it to the sources file; fetch every source's listings live and judge them."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer

from newsflow.errors import ConfigError, NewsflowError

if TYPE_CHECKING:
    from rich.table import Table

    from newsflow.discover.site_probe import SiteProbe
    from newsflow.fetch.fetcher import Fetcher
    from newsflow.records import DiscoveredUrl, Source
    from newsflow.settings import Settings
    from newsflow.storage.repository import SourceHistory

sources_app = typer.Typer(no_args_is_help=True, help="Add a source; check every source's listings.")

ARTICLES_PROBED = 5
HEALTH_WINDOW = timedelta(days=7)
_WEB_SCHEMES = ("http://", "https://")


class BadInput(NewsflowError):
    """What the user asked for cannot be done; one line, exit 2."""


def _fail(message: str, code: int) -> typer.Exit:
    typer.secho(f"newsflow: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """Our errors as one line: bad input or configuration exit 2, the rest (a database) exit 1."""
    try:
        yield
    except (BadInput, ConfigError) as exc:
        raise _fail(str(exc), 2) from None
    except NewsflowError as exc:
        raise _fail(str(exc), 1) from None


def _settings(sources: Path | None) -> Settings:
    from newsflow.settings import load_settings

    return load_settings(**({"sources": sources} if sources else {}))


@contextmanager
def _fetcher(settings: Settings, urls: list[str]) -> Iterator[Fetcher]:
    from newsflow.fetch.client import FetchPolicy, allowed_origins, build_client
    from newsflow.fetch.fetcher import Fetcher
    from newsflow.fetch.politeness import HostLimiter
    from newsflow.settings import RunConfig

    config = RunConfig.from_settings(settings)
    # The origins the user named may be private (a site on the local network), as a source's may.
    policy = FetchPolicy.for_run(config, allowed_origins(urls))
    limiter = HostLimiter(max_concurrency=config.per_host_concurrency, min_delay=config.per_host_delay)
    with build_client(policy) as client:
        yield Fetcher(client, policy, limiter, respect_robots=config.respect_robots)


# ---------------------------------------------------------------------------------------- add


@sources_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="The site's homepage, or any page of it.")],
    name: Annotated[str | None, typer.Option("--name", help="Source name (default: from the host).")] = None,
    sources: Annotated[
        Path | None,
        typer.Option("--sources", help="Sources file (default: $NEWSFLOW_SOURCES or ./sources.yaml)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be appended; write nothing.")
    ] = False,
) -> None:
    """Find a site's feeds and sitemaps, probe a few recent articles, append it to the sources file."""
    with _one_line_errors():
        _add(url.strip(), name, _settings(sources), dry_run=dry_run)


def _add(url: str, name: str | None, settings: Settings, *, dry_run: bool) -> None:
    from newsflow.discover.autodiscovery import source_name_for
    from newsflow.records import Source
    from newsflow.source_entry import appended, conflict
    from newsflow.sources import check_name

    path = settings.sources
    if not url.lower().startswith(_WEB_SCHEMES) or "://" not in url or not url.split("://", 1)[1].strip("/"):
        raise BadInput(f"{url!r} is not a site: give its http(s) address, such as https://example.com/")
    text, existing = _read_existing(path)
    name = check_name(name or source_name_for(url))
    problem = conflict(existing, Source(name=name))
    if problem:
        raise BadInput(f"{path}: {problem}")
    if not dry_run:
        _check_writable(path)
    with _fetcher(settings, [url]) as fetcher:
        probe = _probe(url, fetcher, name=name, settings=settings)
        _print_listings(probe)
        if probe.choice.empty:
            raise BadInput(_no_listing_message(url, probe))
        _probe_articles(probe.chosen_entries(), fetcher)
    source = Source(name=name, feeds=probe.choice.feeds, sitemaps=probe.choice.sitemaps)
    problem = conflict(existing, source)
    if problem:
        raise BadInput(f"{path}: {problem}")
    new_text = appended(text, source, path=str(path))
    if dry_run:
        typer.echo(f"would append to {path}:\n{new_text[len(text) :]}", nl=False)
        return
    _write_atomically(path, new_text)
    typer.echo(f"added source {name!r} to {path}; run `newsflow ingest --source {name}` to ingest it")


def _read_existing(path: Path) -> tuple[str, list[Source]]:
    from newsflow.sources import load_sources

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "", []
    except OSError as exc:
        raise BadInput(f"cannot read sources file {path}: {exc.strerror or exc}") from exc
    return text, (load_sources(text, path=str(path), allow_empty=True) if text.strip() else [])


def _check_writable(path: Path) -> None:
    """Refuse before any fetching when the file (or its folder, for the temporary file) is read-only."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise BadInput(
            f"folder {folder} does not exist; create it, or pass --sources a file in an existing folder"
        )
    for target in ([path] if path.exists() else []) + [folder]:
        if not os.access(target, os.W_OK):
            raise BadInput(f"{target} is not writable; the source cannot be added to {path}")


def _write_atomically(path: Path, text: str) -> None:
    """Write a temporary file next to `path`, then rename it over `path`: a reader (or a crash)
    sees the old file or the new one, never half of one."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise BadInput(f"{path} is not writable: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise BadInput(f"{path} could not be written ({exc.strerror or exc}); it is unchanged") from exc


def _probe(url: str, fetcher: Fetcher, *, name: str, settings: Settings) -> SiteProbe:
    from newsflow.discover.site_probe import probe_site
    from newsflow.errors import FetchError

    try:
        return probe_site(url, fetcher, source=name, max_bytes=settings.max_feed_bytes, now=datetime.now(UTC))
    except FetchError as error:
        raise BadInput(_start_page_message(url, error)) from error


def _start_page_message(url: str, error: Exception) -> str:
    from newsflow.errors import BlockedByRobots, ConnectionFailed, ForbiddenHost, HttpStatusError
    from newsflow.fetch.fetcher import BLOCKING_STATUSES

    reason = str(error).removeprefix(f"{url}: ")
    if isinstance(error, ConnectionFailed) and "cannot resolve" in reason:
        return f"{url} is not a site: {reason}"
    if isinstance(error, BlockedByRobots):
        return f"{url}: the site's robots.txt disallows it for newsflow; newsflow obeys robots.txt"
    if isinstance(error, HttpStatusError) and error.status in BLOCKING_STATUSES:
        return f"{url}: the site blocks newsflow ({reason}); its pages cannot be fetched"
    if isinstance(error, ForbiddenHost):
        return f"{url} is not a site newsflow fetches: {reason}"
    return f"{url}: cannot fetch the page ({reason})"


def _no_listing_message(url: str, probe: SiteProbe) -> str:
    tried = len(probe.ranked)
    links = f"; the page links to {probe.article_links} articles" if probe.article_links else ""
    return (
        f"{url}: no feed or sitemap found ({tried} addresses tried){links}; list the site's homepage "
        "and section pages under 'pages:' in the sources file instead (README, Add a source)"
    )


def _print(table: Table) -> None:
    from rich.console import Console

    Console(soft_wrap=True).print(table)


def _age(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "-"
    seconds = max((now - when).total_seconds(), 0.0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def _print_listings(probe: SiteProbe) -> None:
    from rich.table import Table

    now = datetime.now(UTC)
    chosen = {*probe.choice.feeds, *probe.choice.sitemaps}
    # A common path the site does not use is not worth a row.
    shown = [p for p in probe.ranked if not (p.error or "").endswith("HTTP 404 Not Found")]
    if not shown:
        return
    table = Table(title=f"Listings of {probe.final_url}")
    for column in ("", "kind", "url", "items", "newest", "problem"):
        table.add_column(column, overflow="fold")
    for listing in shown:
        table.add_row(
            "✓" if listing.url in chosen else "",
            listing.kind,
            listing.url,
            str(listing.items),
            _age(listing.newest, now),
            (listing.error or "").removeprefix(f"{listing.url}: "),
        )
    _print(table)


def _path(url: str) -> str:
    """The URL without scheme and host (the table's title names the site)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _probe_articles(entries: list[DiscoveredUrl], fetcher: Fetcher) -> None:
    """Fetch and extract the newest few articles, print what came out; BadInput when none did."""
    from rich.table import Table

    from newsflow.discover.autodiscovery import recent
    from newsflow.extract.page import process_page
    from newsflow.records import FetchOutcome

    picked = recent(entries, ARTICLES_PROBED)
    table = Table(title=f"{len(picked)} recent articles, extracted")
    for column in ("path", "title", "published", "authors", "words", "language"):
        table.add_column(column, overflow="fold")
    failures: list[str] = []
    for entry in picked:
        fetched = fetcher.fetch_page(entry)
        result = fetched if isinstance(fetched, FetchOutcome) else process_page(fetched)
        if isinstance(result, FetchOutcome):
            reason = (result.error or result.outcome.value).removeprefix(f"{entry.url}: ")
            failures.append(reason)
            table.add_row(_path(entry.url), f"[red]not extracted: {reason}[/red]", "", "", "", "")
            continue
        article = result.article
        table.add_row(
            _path(entry.url),
            article.title or "-",
            f"{article.published_at:%Y-%m-%d %H:%M}" if article.published_at else "-",
            ", ".join(article.authors) or "-",
            str(len(article.text.split())),
            article.language or "-",
        )
    _print(table)
    if picked and len(failures) == len(picked):
        raise BadInput(f"none of the {len(picked)} recent articles could be extracted (first: {failures[0]})")


# -------------------------------------------------------------------------------------- check


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """One source's listings as fetched now, judged."""

    name: str
    status: str  # ok, degraded (some listings failed), broken, blocked, empty
    listings: str  # "ok of total"
    items: int
    newest: datetime | None
    robots: str
    problem: str

    @property
    def broken(self) -> bool:
        return self.status in ("broken", "blocked", "empty")


@sources_app.command("check")
def check(
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only this source (repeatable).", show_default=False)
    ] = None,
    sources: Annotated[
        Path | None,
        typer.Option("--sources", help="Sources file (default: $NEWSFLOW_SOURCES or ./sources.yaml)."),
    ] = None,
) -> None:
    """Fetch each source's listings now; a table of what they list and how the source has fared.
    Exit 1 when any source is broken."""
    with _one_line_errors():
        broken = _check(source, _settings(sources))
    if broken:
        raise _fail(f"broken: {', '.join(broken)}", 1)


def _check(names: list[str] | None, settings: Settings) -> list[str]:
    from newsflow.sources import load_sources, select_sources
    from newsflow.storage.db import session_scope, upgrade
    from newsflow.storage.repository import source_history

    path = settings.sources
    text, _ = _read_existing(path)
    if not text.strip():
        raise ConfigError(
            f"sources file {path} not found or empty; pass --sources PATH or set NEWSFLOW_SOURCES"
        )
    selected = select_sources(load_sources(text, path=str(path)), names, path=str(path))
    upgrade(settings.database_url)
    now = datetime.now(UTC)
    checks = [_check_source(source, settings) for source in selected]
    with session_scope(settings.database_url) as session:
        histories = {
            s.name: source_history(session, source=s.name, since=now - HEALTH_WINDOW) for s in selected
        }
    _print_checks(checks, histories, now)
    return [c.name for c in checks if c.broken]


def _check_source(source: Source, settings: Settings) -> SourceCheck:
    from newsflow.candidates import unique_by_url
    from newsflow.discover.listings import discover

    with _fetcher(settings, [*source.listings, *source.warcs]) as fetcher:
        discovery = discover(
            source, fetcher, known=lambda url: None, max_bytes=settings.max_feed_bytes, conditional=False
        )
        found = unique_by_url(discovery.urls)
        robots = _robots_verdict(fetcher, source, found)
    dates = [u.published_at for u in found if u.published_at is not None]
    problems = [o.error for o in discovery.outcomes if o.error]
    total = discovery.listings_ok + discovery.listings_failed
    if not source.listings:
        status = "warcs only"  # nothing to fetch live; a backfill reads its files
    elif discovery.blocked:
        status = "blocked"
    elif discovery.failed_entirely:
        status = "broken"
    elif not found:
        status = "empty"
    else:
        status = "degraded" if discovery.listings_failed else "ok"
    return SourceCheck(
        source.name,
        status,
        f"{discovery.listings_ok} of {total}",
        len(found),
        max(dates, default=None),
        robots,
        problems[0] if problems else ("no article URL listed" if status == "empty" else ""),
    )


def _robots_verdict(fetcher: Fetcher, source: Source, found: list[DiscoveredUrl]) -> str:
    """Whether robots.txt lets newsflow read the listings and the articles they list."""
    samples = [*source.listings, *(u.url for u in found[:20])]
    verdicts = [fetcher.robots_for(url) for url in samples]
    if any(rules.unreachable_reason for rules in verdicts):
        return "unreachable"
    refused = sum(1 for rules, url in zip(verdicts, samples, strict=True) if not rules.can_fetch(url))
    return "allowed" if not refused else f"disallows {refused} of {len(samples)}"


def _history_text(history: SourceHistory, now: datetime) -> str:
    parts = []
    if history.last_success_at:
        parts.append(f"last ok {_age(history.last_success_at, now)} ago")
    if history.consecutive_failures:
        parts.append(f"{history.consecutive_failures} failed runs in a row")
    if history.blocked:
        parts.append("blocked")
    counts = history.outcomes or {}
    if counts:
        parts.append("7d: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
    return "; ".join(parts) or "never ran"


def _print_checks(checks: list[SourceCheck], histories: dict[str, SourceHistory], now: datetime) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Sources, fetched now")
    for column in ("source", "status", "listings", "items", "newest", "robots", "history"):
        table.add_column(column, overflow="fold", no_wrap=column == "source")
    for c in checks:
        style = _style(c)
        table.add_row(
            c.name,
            f"[{style}]{c.status}[/{style}]",
            c.listings,
            str(c.items),
            _age(c.newest, now),
            c.robots,
            _history_text(histories[c.name], now),
        )
    _print(table)
    # Problems are sentences with addresses in them: a line each under the table reads at any
    # width, where a column of an 80-column terminal folded them a few characters at a time.
    console = Console(soft_wrap=True, highlight=False)
    for c in checks:
        if c.problem:
            style = _style(c)
            console.print(f"[{style}]{c.name}[/{style}]: {c.problem}", markup=True)


def _style(check: SourceCheck) -> str:
    return "red" if check.broken else ("yellow" if check.status != "ok" else "green")
