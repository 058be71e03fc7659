"""A new source as sources-file text: rendered, checked against the file, appended to its text.

The file is appended to as text, not re-dumped through a YAML round-trip library: every byte
the user wrote (comments, blank lines, quoting, flow or block lists) stays as it was, and no new
dependency is needed. The result is parsed again before it is returned, so an append that would
not read back as the same sources plus the new one is refused rather than written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import yaml

from newsflow.errors import ConfigError
from newsflow.records import Source
from newsflow.sources import load_sources
from newsflow.urls import canonicalize_url

_ITEM = re.compile(r"^(?P<indent>[ \t]*)-[ \t]+name[ \t]*:", re.MULTILINE)
_TOP_LEVEL_KEY = re.compile(r"^(?P<key>[^\s#-][^:]*):", re.MULTILINE)
_EMPTY_HEADER = "# newsflow sources (README, Configuration)\nsources:\n"
_EMPTY_LIST = re.compile(r"^sources[ \t]*:[ \t]*\[[ \t]*\]", re.MULTILINE)


def render(source: Source, *, indent: str = "  ") -> str:
    """The YAML lines of one source, as a list item indented by `indent`."""
    inner = indent + "  "
    lines = [f"{indent}- name: {_scalar(source.name)}"]
    for field, values in (("feeds", source.feeds), ("sitemaps", source.sitemaps), ("pages", source.pages)):
        if values:
            # JSON strings are valid YAML double-quoted scalars, whatever the URL holds.
            lines.append(f"{inner}{field}: [{', '.join(json.dumps(v) for v in values)}]")
    return "\n".join(lines) + "\n"


def _scalar(value: str) -> str:
    """`value` bare when YAML reads it back as that string, quoted when it would not (2024, no, null)."""
    return value if yaml.safe_load(value) == value else json.dumps(value)


def conflict(existing: Sequence[Source], new: Source) -> str | None:
    """Why `new` cannot join `existing` (its name or one of its URLs is taken), or None."""
    for source in existing:
        if source.name == new.name:
            return f"a source named {new.name!r} already exists; pick another with --name"
    taken = {_key(url): source.name for source in existing for url in source.listings}
    for url in new.listings:
        owner = taken.get(_key(url))
        if owner is not None:
            return f"{url} is already listed by source {owner!r}"
    return None


def _key(url: str) -> str:
    return canonicalize_url(url) or url


def appended(text: str, source: Source, *, path: str) -> str:
    """`text` with `source` appended to its `sources:` list; ConfigError when that cannot be done
    safely (the list is not the file's last block, or the result would not read back)."""
    if not text.strip():
        return _EMPTY_HEADER + render(source)
    before = load_sources(text, path=path, allow_empty=True)
    if not before:  # `sources: []` (or `sources:` with nothing under it): the list starts here
        text = _EMPTY_LIST.sub("sources:", text, count=1)
    keys = [m.group("key") for m in _TOP_LEVEL_KEY.finditer(text)]
    if not keys or keys[-1].strip() != "sources":
        raise ConfigError(
            f"{path}: 'sources:' is not the last block of the file, so a source cannot be appended "
            "to it safely; move it to the end or add the source by hand"
        )
    first_item = _ITEM.search(text)
    indent = first_item.group("indent") if first_item else "  "
    result = text + ("" if text.endswith("\n") else "\n") + render(source, indent=indent)
    try:
        after = load_sources(result, path=path, allow_empty=True)
    except ConfigError as exc:
        raise ConfigError(
            f"{path}: appending the source would break the file ({exc}); add it by hand"
        ) from exc
    if after[:-1] != before or after[-1] != source:
        raise ConfigError(
            f"{path}: the 'sources:' list is not in a form a source can be appended to; add it by hand"
        )
    return result
