"""Code blocks keep their layout: a program's indentation is part of what it says.

Whitespace cleaning collapses runs of spaces and strips every line, which is right for prose and
wrong for a <pre> block (Python without its indentation is another program, a table drawn in a
block loses its columns). trafilatura's text keeps a block's lines as the page wrote them; the
lines of its multi-line code elements are marked VERBATIM here, and residue cleaning keeps marked
lines as they are and never judges them as residue.
"""

from __future__ import annotations

from typing import Any

# A Unicode noncharacter, reserved for a program's internal use: no page's text should hold it
# (icon fonts print private-use characters), and no whitespace rule touches it.
VERBATIM = "\ufdd0"


def code_block_lines(body: Any) -> frozenset[str]:
    """The lines of the multi-line code elements in trafilatura's result tree `body`, right-stripped."""
    if body is None:
        return frozenset()
    lines: set[str] = set()
    for code in body.iter("code"):
        parent = code.getparent()
        if parent is not None and parent.tag == "code":
            continue  # its text is in the outer element's
        text = "".join(code.itertext())
        if "\n" in text.strip():
            lines.update(line.rstrip() for line in text.split("\n") if line.strip())
    return frozenset(lines)


def mark_code_lines(text: str, code_lines: frozenset[str]) -> str:
    """`text` with VERBATIM before each line that is a line of a code block."""
    if not code_lines:
        return text
    return "\n".join(VERBATIM + line if line.rstrip() in code_lines else line for line in text.split("\n"))
