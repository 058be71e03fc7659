"""Remove the boilerplate residue that extractors leave inside article bodies.

Generic rules only: each rule matches a whole line that no real sentence would be,
such as a font-size widget, a share bar or a "Read more" link line.
"""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")

# Widget glyphs: font size up/down/reset, share/print/email icons rendered as text.
_WIDGET_TOKENS = r"(?:[+−\-–↺↻⟲⟳AaＡ]+|\d{1,2}\s?px|a\+|a-|font|size|text|print|email|e-mail|share|tweet|whatsapp|telegram|facebook|twitter|linkedin|pinterest|reddit|copy link)"
_WIDGET_LINE = re.compile(
    rf"^(?:(?:date\s+)?\d{{4}}-\d{{2}}-\d{{2}}(?:[ T]\d{{1,2}}:\d{{2}})?\s*)?(?:{_WIDGET_TOKENS}\s*){{2,}}$",
    re.IGNORECASE,
)
_SHARE_LINE = re.compile(
    r"^(?:share(?: this(?: article| story| post)?)?(?: on)?|follow us(?: on)?|print|email|e-mail|"
    r"share|tweet|send|copy link|comments?)\s*[:|]?\s*"
    r"(?:(?:facebook|twitter|x|linkedin|whatsapp|telegram|email|e-mail|print|reddit|pinterest|vk|"
    r"copy link|messenger)\s*[,|/·•]?\s*)*$",
    re.IGNORECASE,
)
_READ_MORE_LINE = re.compile(
    r"^(?:read more|related(?: articles| stories| news)?|see also|also read|more from|recommended|"
    r"most read|advertisement|sponsored|continue reading|click here to|subscribe to)\b.{0,120}$",
    re.IGNORECASE,
)
_DATE_LABEL_LINE = re.compile(
    r"^(?:date|published|updated|posted)?\s*:?\s*\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$",
    re.IGNORECASE,
)


def normalize_whitespace(text: str) -> str:
    """NFC-normalize, collapse runs of spaces inside lines, drop blank-line runs."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def is_residue_line(line: str) -> bool:
    """True when a line is a UI widget, share bar or navigation prompt, not prose."""
    stripped = line.strip()
    if not stripped:
        return False
    if len(stripped) > 160:
        return False
    return bool(
        _WIDGET_LINE.match(stripped)
        or _SHARE_LINE.match(stripped)
        or _DATE_LABEL_LINE.match(stripped)
        or (_READ_MORE_LINE.match(stripped) and not stripped.endswith((".", "!", "?", '"', "”")))
    )


def clean_text(text: str) -> str:
    """Normalize whitespace and drop residue lines from an extracted article body."""
    kept = [line for line in normalize_whitespace(text).split("\n") if not is_residue_line(line)]
    return normalize_whitespace("\n".join(kept))
