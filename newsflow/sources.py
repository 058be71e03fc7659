"""Parse and validate the sources file (sources.yaml)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from newsflow.errors import ConfigError
from newsflow.records import Source
from newsflow.urls import canonicalize_url, host_of

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_LIST_FIELDS = ("feeds", "sitemaps", "warcs")
_KNOWN_FIELDS = {"name", "hosts", *_LIST_FIELDS}
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def _url_list(value: Any, *, where: str, field: str, allow_paths: bool) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{field}' must be a list of URLs")
    urls: list[str] = []
    for raw in value:
        if allow_paths and not raw.startswith(("http://", "https://")):
            urls.append(raw)
            continue
        url = canonicalize_url(raw)
        if url is None or not raw.strip().lower().startswith(("http://", "https://")):
            raise ConfigError(f"{where}: '{field}' has {raw!r}, which is not an http(s) URL")
        urls.append(raw.strip())
    return tuple(urls)


def _hosts(value: Any, *, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and _HOST.match(v.lower()) for v in value):
        raise ConfigError(f"{where}: 'hosts' must be a list of host names such as news.az")
    return tuple(v.lower() for v in value)


def load_sources(text: str, *, path: str = "sources.yaml") -> list[Source]:
    """Parse the YAML text of a sources file; ConfigError names the entry and field at fault."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise ConfigError(f"{path}: expected a top-level 'sources:' list")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["sources"]):
        where = f"{path}: sources[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: each source must be a mapping with 'name' and 'feeds' or 'sitemaps'")
        name = entry.get("name")
        if not isinstance(name, str) or not _SLUG.match(name):
            raise ConfigError(
                f"{where}: 'name' must be a slug (lowercase letters, digits, - or _), got {name!r}"
            )
        where = f"{path}: source '{name}'"
        unknown = set(entry) - _KNOWN_FIELDS
        if unknown:
            raise ConfigError(
                f"{where}: unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_KNOWN_FIELDS))}"
            )
        if name in seen:
            raise ConfigError(f"{where}: 'name' is used by another source; names must be unique")
        seen.add(name)
        lists = {
            field: _url_list(entry.get(field), where=where, field=field, allow_paths=field == "warcs")
            for field in _LIST_FIELDS
        }
        if not any(lists.values()):
            raise ConfigError(f"{where}: give at least one of 'feeds', 'sitemaps' or 'warcs'")
        sources.append(
            Source(
                name=name,
                feeds=lists["feeds"],
                sitemaps=lists["sitemaps"],
                warcs=lists["warcs"],
                hosts=_hosts(entry.get("hosts"), where=where),
            )
        )
    if not sources:
        raise ConfigError(f"{path}: 'sources' is empty; add at least one source")
    return sources


def article_hosts(source: Source) -> set[str]:
    """The hosts whose pages belong to this source: `hosts`, or those of its feeds and sitemaps."""
    if source.hosts:
        return set(source.hosts)
    return {h for h in (host_of(u) for u in (*source.feeds, *source.sitemaps)) if h}


def select_sources(sources: list[Source], names: list[str] | None, *, path: str) -> list[Source]:
    """Keep only the named sources; ConfigError for a name not in the file."""
    if not names:
        return sources
    known = {s.name for s in sources}
    missing = [n for n in names if n not in known]
    if missing:
        raise ConfigError(f"{path}: no source named {', '.join(missing)}; known: {', '.join(sorted(known))}")
    return [s for s in sources if s.name in names]
