"""Parse and validate the sources file (sources.yaml)."""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from newsflow.errors import ConfigError
from newsflow.records import Source
from newsflow.urls import canonicalize_url, host_of

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_LIST_FIELDS = ("feeds", "sitemaps", "pages", "warcs")
_OPTION_FIELDS = ("include", "exclude", "language", "delay", "max_pages")
_KNOWN_FIELDS = {"name", "hosts", *_LIST_FIELDS, *_OPTION_FIELDS}
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_MAX_DELAY = 3600.0
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


def _patterns(value: Any, *, where: str, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: '{field}' must be a list of URL regular expressions")
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(
                f"{where}: '{field}' has {pattern!r}, not a regular expression ({exc})"
            ) from exc
    return tuple(value)


def _languages(value: Any, *, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(v, str) and _LANGUAGE.match(v.lower()) for v in value
    ):
        raise ConfigError(
            f"{where}: 'language' must be ISO 639-1 codes such as en or [en, fr], got {value!r}"
        )
    return tuple(v.lower() for v in value)


def _delay(value: Any, *, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where}: 'delay' must be a number of seconds, got {value!r}")
    if not 0 <= value <= _MAX_DELAY:
        raise ConfigError(f"{where}: 'delay' must be between 0 and {_MAX_DELAY:g} seconds, got {value!r}")
    return float(value)


def _max_pages(value: Any, *, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: 'max_pages' must be a whole number of pages, 1 or more, got {value!r}")
    return value


# libyaml's loader when PyYAML has it: a file of thousands of sources is read on every run, twice.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def not_valid_yaml(path: object, exc: yaml.YAMLError) -> ConfigError:
    """A YAML syntax error in one line: PyYAML's own message spans five, with a caret drawing."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).replace("\n", " ")
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return ConfigError(f"{path}: not valid YAML{where}: {problem}")


def check_name(name: str) -> str:
    """`name` if it can name a source; ConfigError saying what a name may hold."""
    if not _SLUG.match(name):
        raise ConfigError(f"'name' must be a slug (lowercase letters, digits, - or _), got {name!r}")
    return name


def load_sources(text: str, *, path: str = "sources.yaml", allow_empty: bool = False) -> list[Source]:
    """Parse the YAML text of a sources file; ConfigError names the entry and field at fault.
    An empty list is an error, except to a command that adds the first source (`allow_empty`)."""
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise not_valid_yaml(path, exc) from exc
    if allow_empty and isinstance(data, dict) and "sources" in data and data["sources"] is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise ConfigError(f"{path}: expected a top-level 'sources:' list")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["sources"]):
        where = f"{path}: sources[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(
                f"{where}: each source must be a mapping with 'name' and 'feeds', 'sitemaps' or 'pages'"
            )
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
            raise ConfigError(f"{where}: give at least one of 'feeds', 'sitemaps', 'pages' or 'warcs'")
        sources.append(
            Source(
                name=name,
                feeds=lists["feeds"],
                sitemaps=lists["sitemaps"],
                warcs=lists["warcs"],
                hosts=_hosts(entry.get("hosts"), where=where),
                pages=lists["pages"],
                include=_patterns(entry.get("include"), where=where, field="include"),
                exclude=_patterns(entry.get("exclude"), where=where, field="exclude"),
                language=_languages(entry.get("language"), where=where),
                delay=_delay(entry.get("delay"), where=where),
                max_pages=_max_pages(entry.get("max_pages"), where=where),
            )
        )
    if not sources and not allow_empty:
        raise ConfigError(f"{path}: 'sources' is empty; add at least one source")
    return sources


def article_hosts(source: Source) -> set[str]:
    """The hosts whose pages belong to this source: `hosts`, or those of its listings."""
    if source.hosts:
        return set(source.hosts)
    return {h for h in (host_of(u) for u in source.listings) if h}


def select_sources(sources: list[Source], names: list[str] | None, *, path: str) -> list[Source]:
    """Keep only the named sources; ConfigError for a name not in the file."""
    if not names:
        return sources
    known = {s.name for s in sources}
    missing = [n for n in names if n not in known]
    if missing:
        raise ConfigError(f"{path}: no source named {', '.join(missing)}; known: {', '.join(sorted(known))}")
    return [s for s in sources if s.name in names]
