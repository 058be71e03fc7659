"""The headline the page shows, and every form it takes on the page.

The declared titles (JSON-LD, og:title, <title>) are often SEO variants of the <h1>, or the <h1>
set in capitals: the headline as written is chosen from them all. Any of the forms may open the
body too, where body takes it off.
"""

from __future__ import annotations

import re

from newsflow.extract.metadata import PageMetadata

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»«]\s+")


def title_variants(meta: PageMetadata) -> list[str]:
    """Every form the headline takes on the page, to recognize it at the top of the body."""
    variants = [meta.headline, meta.og_title, meta.html_title, meta.h1]
    parts = [
        part for v in variants if v for part in _TITLE_SEPARATORS.split(v) if len(part) >= 15 and part != v
    ]
    return [v for v in variants if v] + parts


_LETTERS = re.compile(r"[^\w]+")
_WORDS = re.compile(r"\w+")


def shown_title(meta: PageMetadata) -> str | None:
    """The <h1>'s headline, in the declared title's letter case when the <h1> is set in capitals."""
    h1 = meta.h1
    if h1 is None:
        return None
    if h1.isupper():
        # Capitals are the site's styling (or a CSS-less copy of it): the declared title spelled
        # with the same letters is the headline as written.
        # The declared title may differ by one word in eight ("DRIP COFFEE MAKER IN 2026: ...").
        flat, words = _LETTERS.sub("", h1).casefold(), set(_WORDS.findall(h1.casefold()))
        for declared in (meta.headline, meta.og_title, meta.html_title):
            for part in [declared, *_TITLE_SEPARATORS.split(declared or "")]:
                if part and (
                    _LETTERS.sub("", part).casefold() == flat
                    or len(words ^ set(_WORDS.findall(part.casefold()))) <= len(words) // 8
                ):
                    return part
    if "?" in h1.rstrip("?"):
        # "?" for what the page's encoding lost ("Planning? Beginner? Guide"): the declared title
        # that has a character or three in each place is the headline as written.
        lost = re.compile(".{1,3}".join(re.escape(piece) for piece in h1.split("?")), re.IGNORECASE)
        for declared in (meta.headline, meta.og_title, meta.html_title):
            for part in [declared, *_TITLE_SEPARATORS.split(declared or "")]:
                if part and part != h1 and lost.fullmatch(part):
                    return part
    return h1
