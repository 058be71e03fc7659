"""Decode fetched bytes to text: HTTP charset, then BOM, then <meta>, then detection."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([-\w.:]+)", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# WHATWG: a declared Latin-1 or ASCII is decoded as windows-1252 by every browser.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    # WHATWG again: the legacy CJK labels mean their Microsoft supersets.
    "gb2312": "gbk",
    "gb_2312-80": "gbk",
    "x-gbk": "gbk",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "iso-8859-9": "cp1254",
}


def _known(name: str | None) -> str | None:
    if not name:
        return None
    name = _ALIASES.get(name.lower(), name.lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def detect_encoding(body: bytes, content_type: str | None = None) -> str:
    """The encoding to decode `body` with, by the order browsers use."""
    if content_type:
        header_match = _HEADER_CHARSET.search(content_type)
        header = _known(header_match.group(1)) if header_match else None
        if header:
            return header
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    meta_match = _META_CHARSET.search(body[:4096])
    meta = _known(meta_match.group(1).decode("ascii", "ignore")) if meta_match else None
    if meta and not meta.startswith("utf-16"):
        # A page that could read its own <meta> as ASCII is not UTF-16, whatever it says.
        return meta
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:65536]).best()
    return _known(best.encoding if best else None) or "cp1252"


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """Decode `body` to str with the detected encoding, replacing undecodable bytes."""
    encoding = detect_encoding(body, content_type)
    text = body.decode(encoding, errors="replace")
    return text[1:] if text.startswith("\ufeff") else text
