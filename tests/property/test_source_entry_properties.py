"""Appending a source to any well-formed sources file keeps the file's text and reads back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.records import Source
from newsflow.source_entry import appended
from newsflow.sources import load_sources

SLUGS = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,20}", fullmatch=True)
# URL paths with the characters YAML cares about: quotes, '#', ': ', '&', '*', '%', '\\', unicode.
PATHS = st.text(alphabet=st.sampled_from(list("abz09-_/.~?=&#:'\"*!%\\,[]{}|>é€")), max_size=30)
COMMENTS = st.lists(
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=30), max_size=3
)


# No deadline: a loaded machine (and courlan's first call) can take longer than 200 ms.
@settings(deadline=None)
@given(
    names=st.lists(SLUGS, min_size=1, max_size=3, unique=True),
    new_name=SLUGS,
    path=PATHS,
    indent=st.sampled_from(["", "  ", "    "]),
    comments=COMMENTS,
    final_newline=st.booleans(),
)
def test_appending_keeps_every_byte_and_reads_back(
    names: list[str], new_name: str, path: str, indent: str, comments: list[str], final_newline: bool
) -> None:
    if new_name in names:
        return
    header = "".join(f"# {c}\n" for c in comments)
    items = "".join(
        f"{indent}- name: '{n}'   # {n}\n{indent}  feeds: ['https://{n}.example/rss']\n" for n in names
    )
    text = header + "sources:\n" + items + "# the end"[: 9 if final_newline else 0]
    new = Source(
        name=new_name, feeds=(f"https://example.org/{path}",), sitemaps=("https://example.org/s.xml",)
    )
    result = appended(text, new, path="s.yaml")
    assert result.startswith(text)
    assert load_sources(result) == [*load_sources(text), new]
