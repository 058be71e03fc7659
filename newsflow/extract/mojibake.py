"""Mojibake: UTF-8 text that a page (or its CMS) once read as Windows-1252 or Latin-1 and then
served as is ("itâ€™s", "cafÃ©"). Undone character by character, only where the misreading is
certain, since a real "Ã" or "â" is common in Portuguese, French and Vietnamese."""

from __future__ import annotations

import contextlib
import re


def _mojibake_tables() -> tuple[dict[str, int], dict[str, int]]:
    """The characters that a UTF-8 sequence's lead and continuation bytes become when the bytes are
    read as Windows-1252 or Latin-1, each mapped back to its byte."""
    continuation: dict[str, int] = {}
    for byte in range(0x80, 0xC0):
        continuation[bytes([byte]).decode("latin-1")] = byte
        with contextlib.suppress(UnicodeDecodeError):  # five bytes Windows-1252 leaves undefined
            continuation[bytes([byte]).decode("cp1252")] = byte
    lead = {bytes([byte]).decode("latin-1"): byte for byte in range(0xC2, 0xF5)}
    return lead, continuation


_MOJIBAKE_LEAD, _MOJIBAKE_CONTINUATION = _mojibake_tables()
_CONTINUATION_CLASS = "[" + re.escape("".join(_MOJIBAKE_CONTINUATION)) + "]"
# "doesnâ€™t", "â€”", "Ã©": a UTF-8 character read as Windows-1252 (or Latin-1), lead byte first.
_MOJIBAKE = re.compile(
    rf"[\u00c2-\u00df]{_CONTINUATION_CLASS}|[\u00e0-\u00ef]{_CONTINUATION_CLASS}{{2}}|"
    rf"[\u00f0-\u00f4]{_CONTINUATION_CLASS}{{3}}"
)
# A no-break space read so ("cats.Â " once its second byte is a space).
_MOJIBAKE_NBSP = re.compile(r"Â(?=\s|$)")
# What only a misread can give: a C1 control (Latin-1's reading of 0x80-0x9F), or the "â€" that
# opens Windows-1252's reading of every quote and dash.
_CERTAIN = re.compile("[\u0080-\u009f]|^â€")


def _unmangled(match: re.Match[str]) -> str:
    found = match.group(0)
    raw = bytes([_MOJIBAKE_LEAD[found[0]], *(_MOJIBAKE_CONTINUATION[ch] for ch in found[1:])])
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return found
    # Only what such pages mangle: accented letters, punctuation, currency and trade marks (a
    # German "ß’" would otherwise become an NKo letter).
    return fixed if "\u00a0" <= fixed <= "\u017f" or "\u2000" <= fixed <= "\u2122" else found


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 ("itâ€™s" -> "it’s") in a text that shows it for certain:
    twice or more, or once in a form no written text has (a C1 control, "â€"), as a title can."""
    if "Â" not in text and "Ã" not in text and "â" not in text:
        return text
    found = _MOJIBAKE.findall(text)
    certain = any(_CERTAIN.search(mark) for mark in found)
    if not certain and len(found) + len(_MOJIBAKE_NBSP.findall(text)) < 2:
        return text
    return _MOJIBAKE_NBSP.sub("", _MOJIBAKE.sub(_unmangled, text))


# The C1 controls that Latin-1's reading of UTF-8 leaves in a page ("isnâ\x80\x99t"). trafilatura
# drops them from the text it extracts, and what is left ("isnât") no later repair can read.
_C1_CONTROL = re.compile("[\u0080-\u009f]")


def repair_page(html: str) -> str:
    """Undo UTF-8 read as Latin-1 in a whole page, where its C1 controls prove the misreading."""
    # The lead characters' test first: a search for the controls costs 0.7 ms on a 180 KB page.
    if ("â" not in html and "Ã" not in html and "Â" not in html) or not _C1_CONTROL.search(html):
        return html
    return repair_mojibake(html)
