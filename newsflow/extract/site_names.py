"""The site's name as a reader would write it, from what a page or trafilatura's guess gives.

Pages put other things where the name goes: an address ("https://www.newsnation.in" as
og:site_name), a copyright notice (trafilatura reads `<meta name="copyright">` for the name), and
an og:url whose path is percent-encoded, which trafilatura's host pattern takes whole.
"""

from __future__ import annotations

import re

# The host of an address: up to the first character no host holds ("%" of an encoded path).
_HOST = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/?#%:@\s]+)", re.IGNORECASE)
_NOTICE = re.compile(r"^(?:copyright\b|©|\(c\))[\s©,]*(?:\d{4}(?:\s*[-–]\s*\d{4})?[\s,]*)?", re.IGNORECASE)
_RIGHTS_RESERVED = re.compile(r"\.?\s*all rights reserved.*$", re.IGNORECASE | re.DOTALL)
_SENTENCE_END = re.compile(r"[.;]\s")
# A notice's holder longer than this is a sentence ("For more information regarding ..."), no name.
MAX_HOLDER_WORDS = 6


def site_host(url: str | None) -> str | None:
    """The host of `url` without "www.", as a site's name of last resort."""
    match = _HOST.match(url) if url else None
    return match[1] if match else None


def clean_site_name(name: str | None) -> str | None:
    """`name`, or the host of an address given as the name, or the holder a copyright notice
    names; None when nothing of it is a name."""
    if not name:
        return None
    host = site_host(name)
    if host:
        return host
    notice = _NOTICE.match(name)
    if notice is None:
        return name
    holder = _SENTENCE_END.split(name[notice.end() :], maxsplit=1)[0]
    holder = _RIGHTS_RESERVED.sub("", holder).strip(" .,;")
    return holder if 0 < len(holder.split()) <= MAX_HOLDER_WORDS else None
