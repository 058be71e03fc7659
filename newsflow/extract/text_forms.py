"""The forms titles and author names are cleaned to and compared in: one that reads as the page
meant it (squash), and one that ignores case, spacing and punctuation (word_key)."""

from __future__ import annotations

import html
import re
import unicodedata


def squash(text: str) -> str:
    """`text` with its entities decoded, in NFC, with one space between words and none around."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", html.unescape(text))).strip()


def word_key(text: str) -> str:
    """`text`'s word characters in lower case: what two spellings of one name have in common."""
    return re.sub(r"[^\w]", "", text.lower())
