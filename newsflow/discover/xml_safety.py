"""The one place untrusted XML is unwrapped and parsed: no entities, no DTDs fetched, bounded gzip."""

from __future__ import annotations

import codecs
import io
import re
import zlib
from collections.abc import Iterator
from typing import Any
from xml.parsers import expat

from lxml import etree

from newsflow.errors import FeedError

GZIP_MAGIC = b"\x1f\x8b"
# Sitemaps may hold 50,000 URLs in at most 50 MB uncompressed (sitemaps.org); anything
# larger is not a listing but a decompression bomb.
MAX_DECOMPRESSED_BYTES = 50 * 1024 * 1024

# Old RSS 0.91 feeds still carry this DOCTYPE; it names a DTD we never load, so it is harmless.
_ALLOWED_PUBLIC_IDS = frozenset({"-//Netscape Communications//DTD RSS 0.91//EN"})

_UTF16_32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_EXTERNAL_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*\b(SYSTEM|PUBLIC)\b", re.IGNORECASE)

# Shared by the tree parser and the streaming one, so both are hardened alike.
_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
_PARSER = etree.XMLParser(**_PARSER_OPTIONS)

# ("start" | "end", element): an element's children are complete at its "end" event.
XmlEvent = tuple[str, Any]


class _Hostile(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _RootReached(Exception):
    """The prolog ended without anything hostile in it."""


def _refuse_doctype(name: str, system_id: str | None, public_id: str | None, _subset: int) -> None:
    if (system_id or public_id) and public_id not in _ALLOWED_PUBLIC_IDS:
        raise _Hostile(f"it references an external DTD ({system_id or public_id})")


def _refuse_entity(
    name: str, _param: int, _value: str | None, _base: str | None, system_id: str | None, *_: object
) -> None:
    if system_id:
        raise _Hostile(f"it declares an external entity {name!r} ({system_id})")
    raise _Hostile(f"it declares the DTD entity {name!r} (entity expansion attack)")


def _refuse_external_ref(*_: object) -> int:
    raise _Hostile("it references an external entity")


def _stop_at_root(*_: object) -> None:
    raise _RootReached


def _scan_raw(data: bytes) -> str | None:
    # expat could not read the prolog (unknown encoding, not XML at all): fall back to a
    # byte scan so that a lenient parser downstream never meets an entity declaration.
    if data.startswith(_UTF16_32_BOMS):
        data = data.decode("utf-32" if data[:4] in _UTF16_32_BOMS[:2] else "utf-16", "replace").encode()
    if _ENTITY_DECL.search(data):
        return "it declares DTD entities"
    match = _EXTERNAL_DOCTYPE.search(data)
    if match and not any(public.encode() in data for public in _ALLOWED_PUBLIC_IDS):
        return "it references an external DTD"
    return None


def hostile_reason(data: bytes) -> str | None:
    """Why `data` must not reach an XML parser (entity declarations, external DTD), or None if safe."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_external_ref
    parser.ExternalEntityRefHandler = _refuse_external_ref
    # Only the prolog can declare entities or a DTD, so stop at the first element.
    parser.StartElementHandler = _stop_at_root
    try:
        parser.Parse(data, True)
    except _Hostile as hostile:
        return hostile.reason
    except _RootReached:
        return None
    except (expat.ExpatError, ValueError, LookupError):
        # pyexpat rejects multi-byte encodings such as GB2312 and Shift_JIS.
        return _scan_raw(data)
    return _scan_raw(data)


def ensure_safe_xml(data: bytes, *, what: str) -> None:
    """Raise FeedError if `data` carries entity declarations or an external DTD."""
    reason = hostile_reason(data)
    if reason:
        raise FeedError(
            f"{what}: refused hostile XML: {reason}; the publisher must serve a plain feed or sitemap"
        )


def parse_xml(data: bytes, *, what: str) -> etree._Element:
    """Parse untrusted XML into an lxml element; FeedError if hostile or malformed."""
    ensure_safe_xml(data, what=what)
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as error:
        raise FeedError(f"{what}: not well-formed XML ({error}); check that the URL serves XML") from error
    if root is None:
        raise FeedError(f"{what}: empty XML document; check that the URL serves XML")
    return root


def iter_xml(data: bytes, *, what: str) -> Iterator[XmlEvent]:
    """Stream untrusted XML as start and end events; FeedError if hostile or malformed.

    The tree is built as the events go, so a caller that must stay small clears what it has read
    (see `completed_children`). A syntax error surfaces as FeedError where the parser meets it,
    after the events before it.
    """
    ensure_safe_xml(data, what=what)
    return _events(etree.iterparse(io.BytesIO(data), events=("start", "end"), **_PARSER_OPTIONS), what)


def _events(events: Iterator[XmlEvent], what: str) -> Iterator[XmlEvent]:
    try:
        yield from events
    except etree.XMLSyntaxError as error:
        raise FeedError(f"{what}: not well-formed XML ({error}); check that the URL serves XML") from error


def completed_children(events: Iterator[XmlEvent]) -> Iterator[Any]:
    """Each child of the root once its subtree is parsed, given the events after the root's start.

    A child is cleared, then dropped from the tree, once the caller has moved on, so a 50,000-URL
    sitemap never becomes a 50,000-node tree.
    """
    depth = 0
    for event, element in events:
        if event == "start":
            depth += 1
            continue
        depth -= 1
        if depth != 0:
            continue
        yield element
        element.clear(keep_tail=False)
        # The parser may still hold the element itself; its earlier siblings are safe to delete.
        parent = element.getparent()
        while element.getprevious() is not None:
            del parent[0]


def is_gzip(data: bytes) -> bool:
    """True when `data` starts with the gzip magic bytes."""
    return data.startswith(GZIP_MAGIC)


def gunzip(data: bytes, *, what: str, max_bytes: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Decompress gzip `data` (all members), refusing output over `max_bytes`."""
    chunks: list[bytes] = []
    size = 0
    remaining = data
    try:
        while True:
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            chunk = decompressor.decompress(remaining, max_bytes - size + 1)
            size += len(chunk)
            if size > max_bytes:
                raise FeedError(
                    f"{what}: gzip body expands beyond {max_bytes} bytes; refusing it as a decompression bomb"
                )
            if not decompressor.eof:
                raise FeedError(f"{what}: gzip body is truncated; re-fetch it")
            chunks.append(chunk)
            # A multi-member gzip file is several streams back to back; padding after the
            # last member is ignored, as gzip(1) does.
            remaining = decompressor.unused_data
            if not remaining.startswith(GZIP_MAGIC):
                break
    except zlib.error as error:
        raise FeedError(f"{what}: corrupt gzip body ({error}); re-fetch it") from error
    return b"".join(chunks)


def maybe_gunzip(data: bytes, *, what: str, max_bytes: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """`data` decompressed if it is gzip, else unchanged."""
    return gunzip(data, what=what, max_bytes=max_bytes) if is_gzip(data) else data
