"""A title in one clean form: without the site's name beside it, a section label in front of it,
or an aggregator's source and comment count after it."""

from __future__ import annotations

import re

from newsflow.extract.mojibake import repair_mojibake
from newsflow.extract.text_forms import squash, word_key

_TITLE_WORD = re.compile(r"\w+")
# What joins a title's parts ("Headline | Site", "Site » Section"); a site name split at them
# gives the outlet's names (normalize).
TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»«/]\s+|\s*[|»«]\s*")
# Labels that sit in front of a headline without being part of it.
_TITLE_LABEL = re.compile(
    r"^(?:breaking(?: news)?|exclusive|update[d]?|watch|video|live|opinion|analysis|editorial|"
    r"photos?|gallery|listen|podcast|sponsored|blog)\s*[:|]\s+",
    re.IGNORECASE,
)
# The source and comment count a link aggregator shows after a headline ("... (latimes.com) 87").
_SOURCE_AND_COUNT = re.compile(r"\s+\((?:[\w-]+\.)+[a-z]{2,}\)(?:\s+\d+)?$")


def normalize_title(title: str | None, *, site_name: str | None = None) -> str | None:
    """Strip a site-name prefix or suffix ("Headline | Site"), section labels and extra whitespace."""
    if not title:
        return None
    title = squash(repair_mojibake(title))
    parts = [p for p in TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) > 1:
        site_key = word_key(site_name) if site_name else None
        site_keys = {site_key, site_key.replace("the", "", 1)} if site_key else set()
        # A site name with parts of its own ("Headline | Site") is a title guessed for one.
        whole_name = site_name if site_name and len(TITLE_SEPARATORS.split(site_name)) == 1 else ""
        site_words = _TITLE_WORD.findall(whole_name.casefold())
        kept = [p for p in parts if word_key(p) not in site_keys and not _shortened(p, site_words)]
        if len(kept) == len(parts):
            kept = _drop_brand_ends(parts)
        if kept and len(kept) < len(parts):
            title = _rejoin(title, kept)
    title = _TITLE_LABEL.sub("", title).strip()
    title = _SOURCE_AND_COUNT.sub("", title) if title.endswith(")") or title[-1:].isdigit() else title
    return title or None


def _shortened(part: str, site_words: list[str]) -> bool:
    """True when a title part is the site's name without its last words, as <title>s often give
    it ("Thrive Internet Marketing" of "Thrive Internet Marketing Agency")."""
    words = _TITLE_WORD.findall(part.casefold())
    return 2 <= len(words) < len(site_words) and site_words[: len(words)] == words


def _drop_brand_ends(parts: list[str]) -> list[str]:
    """Without a known site name, drop a short brand-like end part next to a long headline."""
    longest = max(parts, key=len)
    if len(longest) < 20:
        return parts
    kept = list(parts)
    while len(kept) > 1 and kept[-1] is not longest and len(kept[-1]) <= 40 and _looks_like_brand(kept[-1]):
        kept = kept[:-1]
    # When the other end reads as a name too ("Climate Change | Economic Research Service"), which
    # one is the site's is a guess: the title stays whole, and the <h1> matched against it tells.
    if (
        len(kept) > 1
        and kept[0] is not longest
        and len(kept[0]) <= 25
        and _looks_like_brand(kept[0])
        and not _looks_like_brand(kept[-1])
    ):
        kept = kept[1:]
    return kept


def _rejoin(title: str, kept: list[str]) -> str:
    # Keep the page's own separators between the parts that stay ("A: B" stays "A: B").
    start = title.find(kept[0])
    end = title.rfind(kept[-1]) + len(kept[-1])
    return title[start:end].strip() if 0 <= start < end else " - ".join(kept)


def _looks_like_brand(part: str) -> bool:
    words = part.split()
    # A part that opens with a count is a listicle's ("21+ Best Movers / Moving Companies in ..."):
    # a brand that starts with a number is written as one word ("9to5Mac").
    if words and words[0].rstrip("+").isdigit():
        return False
    return 1 <= len(words) <= 5 and (
        any(ch in part for ch in ".") or all(w[:1].isupper() or w[:1].isdigit() for w in words)
    )
