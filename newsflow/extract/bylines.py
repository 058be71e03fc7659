"""Readers of writers' names in the text a page shows: a "By" line, a name alone beside a date, an
author box's bio, a standfirst's credit, a team's credit.

Each reads text a line per text node (headline_context's text around the headline, or the whole
page's) and gives names as normalize_authors does. A name needs what makes it a writer's beside
it (a label, a date, a bio) or a known given name: a capitalized line alone is as often a menu
item or a section's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from newsflow.extract.dates import visible_dates
from newsflow.extract.normalize import (
    AUTHOR_SPLIT,
    GROUP_BYLINE,
    group_byline,
    has_given_name,
    is_given_name,
    normalize_authors,
)

# Capitalized words that follow a byline's names without being part of them.
_BYLINE_STOP = (
    r"(?:Last|Updated|Published|Posted|Reviewed|Edited|Fact|Share|Follow|Read|Table|Contents|On|In|At|"
    r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|June|July|"
    r"August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday|Photo|Photos|Image|Video|Senior|Staff|Contributor|Editor|Writer|Reporter|Author|Founder|"
    r"CEO|Co|Head|Director|Manager|Expert|Updated:)\b"
)
_NAME_WORD = rf"(?!{_BYLINE_STOP})[A-Z][\w'’-]*\.?"
_SPACE = r"[^\S\n]+"
_PERSON = (
    rf"{_NAME_WORD}(?:{_SPACE}(?:(?:van|von|de|der|den|da|del|la|le|di|du){_SPACE})*{_NAME_WORD}){{1,3}}"
)
# A byline starts a text node and a name ends where its node does: headline_context puts each
# node on its own line, so "killed by Three Men" in a sentence is no byline.
_BYLINE_NAMES = re.compile(
    rf"^[^\S\n]*[(|·•—–-]?[^\S\n]*(?:[Bb]y|BY|[Ww]ritten [Bb]y|[Ww]ords [Bb]y|[Pp]osted [Bb]y|[Rr]ecipe [Bb]y|[Aa]uthor|AUTHOR|[Cc]ontributors?)\s*:?\s+"
    rf"({_PERSON}(?:\s*(?:,?\s*\band\b|,|&)\s*{_PERSON})*)(?=\s*(?:\n|$|[,|·•—–(]|\s-\s))",
    re.MULTILINE,
)


# A byline that gives a first name only ("by Amanda · Dec 20", "Written by\nEliz\n- Product
# marketer"): one word that ends its text node, taken only when it is a known given name.
_BYLINE_GIVEN_NAME = re.compile(
    r"^[^\S\n]*[(|·•—–-]?[^\S\n]*(?:[Bb]y|BY|[Ww]ritten [Bb]y|[Pp]osted [Bb]y)\s*:?\s+"
    r"([A-Z][a-z]+)(?=[^\S\n]*(?:\n|$|[,|·•—–(]|\s-\s))",
    re.MULTILINE,
)


# "Wakoku Chiyekurabe by Kan Chu Sen, 1721.": a work cited with its year, not the page's byline.
_CITED_YEAR = re.compile(r",[^\S\n]*\d{4}\.?[^\S\n]*$", re.MULTILINE)


def byline_names(text: str, *, site_name: str | None = None, url: str | None = None) -> tuple[str, ...]:
    """The person names of the first "By ..." byline in `text` that cites no work with its year, as
    normalize_authors returns them; failing that, a known given name alone after "By"."""
    match = next((m for m in _BYLINE_NAMES.finditer(text) if not _CITED_YEAR.match(text, m.end())), None)
    # A byline in capitals, label and all, reads like a menu's heading ("BY USE CASE", "BY
    # INDUSTRY"): only a known given name first tells it from one ("by ALLIN ONE" is a byline).
    if match and not (match.group(0).isupper() and not is_given_name(match.group(1).split()[0].title())):
        return normalize_authors(match.group(1), site_name=site_name, url=url)
    given = next((m for m in _BYLINE_GIVEN_NAME.finditer(text) if is_given_name(m.group(1))), None)
    return normalize_authors(given.group(1), site_name=site_name, url=url) if given else ()


# A byline without "By": a line holding only a name, next to a line holding a date or a
# reading time ("Elliot Raba\n23.07.2025\n6 min read"), a few lines around the headline.
_NAME_LINE = re.compile(rf"^{_PERSON}$")
# Several names on a line: "Naftali Tishby, Fernando C. Pereira, William Bialek".
_NAMES_LINE = re.compile(rf"^{_PERSON}(?:(?:,|,? and| &){_SPACE}{_PERSON})+$")
_READING_TIME = re.compile(r"^\d{1,3}\s*min(?:ute)?s?\.?(?:\s+read)?$", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")
# A writer's role on the line under the name: "Juliette Carreiro\nTech Writer".
_ROLE_LINE = re.compile(
    r"^(?:[A-Z][\w&-]*\s+){0,3}(?:Writer|Editor|Reporter|Journalist|Correspondent|Columnist|Contributor)$"
)
NAME_LINE_BEFORE = 4
NAME_LINE_AFTER = 6


def _is_date_line(line: str) -> bool:
    line = line.strip()
    return bool(_READING_TIME.match(line) or _NUMERIC_DATE.match(line) or visible_dates(line))


# An author box: the name on a line of its own, then a bio that starts with it ("Lauren Vetter\nLauren
# Vetter is a growth-focused marketing professional", "Bence Kovács\nBence is a software developer").
# What follows the name in a bio's first sentence: "Jane Doe is ...", "Jane joined ...".
_BIO_VERB = re.compile(r"\s+(?:is|was|has|writes|covers|joined|leads|works|loves)\b([^.]*)")
# What a bio says of a person, in its first sentence: a pronoun or an occupation. A subject heading
# repeated by its paragraph ("Art Deco\nArt Deco is a style") says neither.
_BIO_PERSON = re.compile(
    r"\b(?:she|he|her|his|they|their|writer|editor|author|journalist|reporter|(?:co-?)?founder|developer|"
    r"engineer|marketer|professional|specialist|expert|consultant|director|manager|head of|ceo|researcher|"
    r"scientist|teacher|coach|designer|photographer|enthusiast|contributor|freelancer?|blogger|analyst|"
    r"strategist|lawyer|attorney|doctor|physician|nurse|dietitian|nutritionist|therapist|student)\b",
    re.IGNORECASE,
)


def _bio_after(text: str, at: int, *names: str) -> str | None:
    """The rest of the sentence after one of `names` and a bio's verb, where `text` at `at` starts
    so ("Jane Doe is a finance writer"), up to the line's end. (String tests and one compiled
    pattern: a pattern built per name cost 0.3 ms a page.)"""
    for name in names:
        if text.startswith(name, at):
            found = _BIO_VERB.match(text, at + len(name))
            if found:
                return found.group(1).split("\n", 1)[0]
    return None


def bio_author(text: str, *, site_name: str | None = None, url: str | None = None) -> tuple[str, ...]:
    """The person an author box names: a name alone on a line of `text` (a line per text node),
    followed by a bio that starts with that name or its first word and speaks of a person."""
    lines = text.split("\n")
    for i, line in enumerate(lines[:-1]):
        line = line.strip()
        # The cheap tests first: a page has hundreds of lines, and _NAME_LINE tries every word.
        if not line or len(line) > 40 or not line[0].isupper():
            continue
        first = line.split()[0]
        if not lines[i + 1].startswith(first) or not _NAME_LINE.match(line):
            continue
        bio = _bio_after(lines[i + 1], 0, line, first)
        if bio and _BIO_PERSON.search(bio):
            names = normalize_authors(line, site_name=site_name, url=url)
            if names:
                return names
    return ()


def _line_starts(text: str, prefix: str) -> Iterator[int]:
    """The positions of the lines of `text` that start with `prefix`, in order."""
    at = text.find(prefix)
    while at >= 0:
        if at == 0 or text[at - 1] == "\n":
            yield at
        at = text.find(prefix, at + 1)


def described_name_line(
    text: str, page: str, *, headline: str | None, site_name: str | None = None, url: str | None = None
) -> tuple[str, ...]:
    """A full name alone on a line near `headline` in `text` (as name_line_authors reads it) that a
    bio in `page` (a line per text node) then describes: "Julia Gralberg" under the headline, and
    further down "Julia Gralberg is a freelance travel writer". Neither alone is a byline: a name
    line without a date may be a menu's, and a bio may be of the article's subject."""
    lines = [line.strip() for line in text.split("\n")]
    at = next((i for i, line in enumerate(lines) if headline and headline in line), None)
    if at is None:
        return ()
    for line in lines[max(0, at - NAME_LINE_BEFORE) : at + NAME_LINE_AFTER]:
        if " " not in line or line == lines[at] or not (_NAME_LINE.match(line) and has_given_name(line)):
            continue
        # The first line that opens with the name and a bio's verb is the bio, whatever it says.
        bios = (_bio_after(page, at, line) for at in _line_starts(page, line))
        bio = next((found for found in bios if found is not None), None)
        if bio and _BIO_PERSON.search(bio):
            names = normalize_authors(line, site_name=site_name, url=url)
            if names:
                return names
    return ()


# A name after a date and a middle dot, on the date's line or after a dot of its own: "Dec. 19, 2025 ·
# Niko Matsakis on behalf of", "2025-12-17\n·\nTrond Teigen", "Dec 26, 2025\n•\nMahua Das in". (Not
# after "|": "Apr 21, 2017 | Products Liability" is a category.)
_DATED_NAMES = re.compile(
    rf"^(?P<date>[^\n]{{4,40}}?)(?:[^\S\n]*\n[·•]\n|[^\S\n]+[·•][^\S\n]+)(?P<name>{_PERSON})"
    rf"(?=[^\S\n]+[a-z]|[^\S\n]*(?:\n|$))",
    re.MULTILINE,
)


def dated_names(text: str, *, site_name: str | None = None, url: str | None = None) -> tuple[str, ...]:
    """The person named after a date and a middle dot in `text` (a line per text node, as
    headline_context gives): a byline's meta line, where a name needs no "By" nor a known given
    name."""
    for match in _DATED_NAMES.finditer(text):
        if _is_date_line(match.group("date")):
            names = normalize_authors(match.group("name"), site_name=site_name, url=url)
            if names:
                return names
    return ()


# Writers listed a text node each, each followed by a node that describes them: "Written by\nAdrien
# Ramirez\n, 4+ years covering computer hardware\nJoanna Nelius\n, 9 years covering PC gaming".
_DESCRIBED_WRITER = re.compile(
    rf"[^\S\n]*({_PERSON})[^\S\n]*\n,[^\S\n]*\w[^\n]*(?:\n|$)(?:[^\S\n]*(?:&|and)[^\S\n]*\n)?"
)


def described_writers(
    text: str, at: int, *, site_name: str | None = None, url: str | None = None
) -> tuple[str, ...]:
    """The writers a label lists from `at` in `text` (a line per text node), each name followed by a
    line of its description starting with a comma; () unless there are several (one is the label's
    byline, which byline_names reads)."""
    names: list[str] = []
    found = _DESCRIBED_WRITER.match(text, at)
    while found:
        names.append(found.group(1))
        found = _DESCRIBED_WRITER.match(text, found.end())
    return normalize_authors(", ".join(names), site_name=site_name, url=url) if len(names) > 1 else ()


def listed_names(
    text: str, first: str, *, site_name: str | None = None, url: str | None = None
) -> tuple[str, ...]:
    """The names a byline without a "By" lists after `first`, a writer the page declares: "Rui Ma,
    Heba Ledwon, Manoel Cortes Mendez & Suparn Patra" under the headline (`text` a line per text
    node, as headline_context gives), where the declared data names the first alone."""
    found = re.search(
        rf"^[^\S\n]*{re.escape(first)}((?:\s*(?:,?\s*\band\b|,|&)\s*{_PERSON})+)[^\S\n]*$", text, re.MULTILINE
    )
    return normalize_authors(first + found.group(1), site_name=site_name, url=url) if found else ()


# A standfirst that ends on its writer's name in capitals, as some papers credit a column: "..., it
# is a great time to consider planting some evergreen shrubs, says OLIVE RYAN."
_STANDFIRST_WRITER = re.compile(
    r"\b(?:says|writes)\s+([A-Z][A-Z’'-]+(?:[^\S\n]+[A-Z][A-Z’'-]+){1,2})\.?[^\S\n]*$", re.MULTILINE
)


def standfirst_writer(text: str, *, site_name: str | None = None, url: str | None = None) -> tuple[str, ...]:
    """The writer a standfirst names at its end in capitals ("..., says OLIVE RYAN."), in `text` (the
    text around the headline); a known given name first, as capitals are also an acronym's."""
    match = _STANDFIRST_WRITER.search(text)
    if not match or not has_given_name(match[1].title()):
        return ()
    return normalize_authors(match[1], site_name=site_name, url=url)


def name_line_authors(
    text: str, *, headline: str | None, site_name: str | None = None, url: str | None = None
) -> tuple[str, ...]:
    """The person named alone on a line beside a date line, near `headline` in `text` (a line per
    text node, as headline_context gives). The name must start with a known given name: without
    "By", a capitalized line is as often a menu item or a section name."""
    if not headline:
        return ()
    lines = [line.strip() for line in text.split("\n")]
    at = next((i for i, line in enumerate(lines) if headline in line), None)
    if at is None:
        return ()
    for i in range(max(0, at - NAME_LINE_BEFORE), min(len(lines), at + NAME_LINE_AFTER)):
        line = lines[i]
        # A full name, or a first name alone as bloggers sign ("Stefan" over "March 5, 2026").
        if i == at or not (
            (_NAME_LINE.match(line) and has_given_name(line))
            or (line.isalpha() and line[:1].isupper() and is_given_name(line))
            or (_NAMES_LINE.match(line) and any(map(has_given_name, AUTHOR_SPLIT.split(line))))
        ):
            continue
        if any(_is_date_line(lines[j]) for j in (i - 1, i + 1) if 0 <= j < len(lines)) or (
            i + 1 < len(lines) and _ROLE_LINE.match(lines[i + 1])
        ):
            names = normalize_authors(line, site_name=site_name, url=url)
            if names:
                return names
    return ()


# A credit after a "By" label, on the label's line or the next: "By\nWorkzone Team", "WRITTEN BY\nNETGEAR
# Orbi Team". It ends where its text node does, or at a separator.
_LABELLED_CREDIT = re.compile(
    r"^[^\S\n]*(?:[Ww]ritten [Bb]y|WRITTEN BY|[Pp]osted [Bb]y|[Bb]y|BY)\s*:?\s+([^\n,|·•]{3,60}?)[^\S\n]*(?:$|[,|·•])",
    re.MULTILINE,
)


# What may stand between a byline's name and its date, a text node of its own: "·", "Published".
_BETWEEN = re.compile(r"^(?:[|·•/—–-]|(?:[Pp]ublished|[Pp]osted|[Uu]pdated)(?: on)?:?)$")


def _beside(lines: list[str], i: int) -> Iterator[str]:
    """The lines just above and below line `i`, past a separator or a date's label."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(lines) and _BETWEEN.match(lines[j]) and abs(j - i) < 3:
            j += step
        if 0 <= j < len(lines):
            yield lines[j]


def shown_team(text: str, *, site_name: str | None = None, url: str | None = None) -> tuple[str, ...]:
    """The team or desk credit the byline shows (`text` the text around the headline, a line per
    text node, as headline_context gives): after a "By" label, or alone on a line beside a date
    ("DianaHR Team" over "Feb 16, 2026"). What signs a page no person's name was found for; never
    the site itself."""
    match = _LABELLED_CREDIT.search(text)
    if match:
        credit = group_byline([match.group(1)], site_name=site_name, url=url)
        if credit:
            return credit
    lines = [line.strip() for line in text.split("\n")]
    for i, line in enumerate(lines):
        # A credit with a team's word and a date beside it: the window around the headline that a
        # person's name line needs (menus, section names) is not needed here.
        if GROUP_BYLINE.search(line) and len(line) <= 60 and any(_is_date_line(d) for d in _beside(lines, i)):
            credit = group_byline([line], site_name=site_name, url=url)
            if credit:
                return credit
    return ()
