"""Normalize titles, author lists and language codes to one clean form."""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import lru_cache
from urllib.parse import urlsplit

from newsflow.extract.dates import visible_dates
from newsflow.extract.given_names import GIVEN_NAMES
from newsflow.extract.mojibake import repair_mojibake

_TITLE_WORD = re.compile(r"\w+")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»«/]\s+|\s*[|»«]\s*")
# Labels that sit in front of a headline without being part of it.
_TITLE_LABEL = re.compile(
    r"^(?:breaking(?: news)?|exclusive|update[d]?|watch|video|live|opinion|analysis|editorial|"
    r"photos?|gallery|listen|podcast|sponsored|blog)\s*[:|]\s+",
    re.IGNORECASE,
)
# The source and comment count a link aggregator shows after a headline ("... (latimes.com) 87").
_SOURCE_AND_COUNT = re.compile(r"\s+\((?:[\w-]+\.)+[a-z]{2,}\)(?:\s+\d+)?$")
# The word "Author" after the first word of a byline: a template's placeholder ("Author Name").
_PLACEHOLDER_AUTHOR = re.compile(r"^\s*\S+.*\bauthor\b", re.IGNORECASE)
_BYLINE_PREFIX = re.compile(
    r"^\s*(?:by|written by|words by|author|text|words|von|par|por|di|door|av|от|автор|текст)\s*[:\-]?\s+",
    re.IGNORECASE,
)
# A full stop ends a name only after a lower-case word ("Cunningham. Sputnik"), never after an
# abbreviated title or initial ("Dr. Vahid Osman", "Sr. Director").
_AUTHOR_SPLIT = re.compile(
    r"\s*(?:,|;|\band\b|&|\bund\b|\bet\b|\by\b|\||/|(?-i:(?<=[a-z]{2})(?<!Mrs)(?<!Prof))\.\s+(?=[A-Z]))\s*",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\S+@\S+")
# Degrees and certifications printed after a name ("Dylan Bailey, MS, RD, FAND"): roles, not names.
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,5}|Ph\.? ?D\.?|M\.D\.|[A-Z]{2,4}-[A-Z]{2,4}(?: \d+)?)$")
# "Jean-Luc Aufranc (CNXSoft)": an outlet or a handle in brackets after the name.
_PARENTHESIS = re.compile(r"\s*\([^)]*\)?\s*$")
_HANDLE = re.compile(r"(?:^|\s)@\w+")
_NOT_A_PERSON = re.compile(
    r"^(?:staff|editor|editors|editorial|admin|administrator|reporter|correspondent|guest|contributor|"
    r"ap|afp|dpa|ians|pti|upi|reuters|associated press|press release|the editorial board|unknown|anonymous|"
    r"undefined|null|none|written by|author|by|dr|mr|mrs|ms|prof|sr|jr|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    r"september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"гость|редакция|автор)$",
    re.IGNORECASE,
)
# Words that make a byline an organization or a role rather than a person.
_ORG_WORDS = {
    "staff",
    "bureau",
    "desk",
    "team",
    "news",
    "newsroom",
    "media",
    "press",
    "agency",
    "agencies",
    "international",
    "online",
    "magazine",
    "editorial",
    "wire",
    "wires",
    "network",
    "tv",
    "radio",
    "group",
    "inc",
    "ltd",
    "llc",
    "corporation",
    "corp",
    "company",
    "official",
    "writer",
    "writers",
    "editor",
    "editors",
    "reporter",
    "reporters",
    "correspondent",
    "columnist",
    "contributor",
    "contributors",
    "admin",
    "webmaster",
    "newsletter",
}
# Institutions: no person's name holds these ("Cleveland Clinic" typed as a Person).
_INSTITUTION_WORDS = {
    *("clinic", "hospital", "center", "centre", "institute", "university", "college"),
    *("foundation", "association", "society", "academy", "council", "department", "ministry"),
}
_ORG_WORDS |= _INSTITUTION_WORDS
_ROLE_SUFFIX = re.compile(
    r"\s*[,(\-–|]\s*(?:senior|chief|staff|political|economics|business|foreign|"
    r"technology|science|health|sports?|special|deputy|associate|contributing|"
    r"managing|executive)?\s*(?:editor|writer|reporter|correspondent|columnist|"
    r"contributor|analyst|producer)\b.*$",
    re.IGNORECASE,
)
_DATE_IN_BYLINE = re.compile(
    r"\b(?:\d{1,2}[:/.]\d{2}|\d{4}|(?:last )?updated|published|posted)\b.*$", re.IGNORECASE
)
# "Jane Doe Monday, November 18, 2019": a dateline glued to the byline.
_DATE_WORDS = re.compile(
    r"\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b).*$",
    re.IGNORECASE,
)
# Job titles and months printed right after a name without a separator ("Mateusz Haberny
# Founder", "Matt Check Head Winemaker", "Luke Kim December"): the name ends before them. (Names
# with the words of _ORG_WORDS, "Writer" or "Editor", are not names at all.)
_TRAILING_ROLE = re.compile(
    r"\s+(?:(?:Co-?)?Founder|Former|Head|CEO|CTO|COO|CMO|Chief|Lead|Senior|Sr\.?|Tech|Consultant|"
    r"Director|Manager|President|Partner|Owner|January|February|March|April|June|July|August|"
    r"September|October|November|December)\b.*$"
)
# A job title, not a name: "Lead Reviewer", "Head Winemaker".
_ROLE_FIRST = re.compile(
    r"^(?:(?:Co-?)?Founder|Former|Head|Chief|Lead|Senior|Managing|Executive|Contributing)\b"
)
_DOMAIN = re.compile(r"\b[\w-]+\.(?:com|org|net|co|uk|de|fr|ru|in|info|az|io|news)\b", re.IGNORECASE)
# Lower-case words that may sit inside a person's name.
_NAME_PARTICLES = {"de", "da", "das", "do", "dos", "du", "van", "von", "der", "den", "la", "le", "del"}
_NAME_PARTICLES |= {"di", "bin", "ibn", "al", "el", "ten", "ter", "y", "e", "zu", "af", "mc"}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", html.unescape(text))).strip()


def _key(text: str) -> str:
    return re.sub(r"[^\w]", "", text.lower())


def normalize_title(title: str | None, *, site_name: str | None = None) -> str | None:
    """Strip a site-name prefix or suffix ("Headline | Site"), section labels and extra whitespace."""
    if not title:
        return None
    title = _squash(repair_mojibake(title))
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) > 1:
        site_key = _key(site_name) if site_name else None
        site_keys = {site_key, site_key.replace("the", "", 1)} if site_key else set()
        # A site name with parts of its own ("Headline | Site") is a title guessed for one.
        whole_name = site_name if site_name and len(_TITLE_SEPARATORS.split(site_name)) == 1 else ""
        site_words = _TITLE_WORD.findall(whole_name.casefold())
        kept = [p for p in parts if _key(p) not in site_keys and not _shortened(p, site_words)]
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
    return 1 <= len(words) <= 5 and (
        any(ch in part for ch in ".") or all(w[:1].isupper() or w[:1].isdigit() for w in words)
    )


def _title_case_if_shouting(name: str) -> str:
    return name.title() if name.isupper() and len(name) > 3 else name


def _host_labels(url: str | None) -> set[str]:
    host = urlsplit(url or "").hostname or ""
    labels = [label for label in host.split(".") if label not in ("www", "m", "amp")]
    return {_key(labels[0])} if len(labels) >= 2 else set()


_HONORIFICS = {"dr", "prof", "mr", "mrs", "ms", "sir"}
# The first words of buttons and links, never of a name.
_CALL_TO_ACTION = {
    *("start", "get", "try", "book", "sign", "subscribe", "download", "join", "contact", "request"),
    *("learn", "shop", "buy", "explore", "discover", "watch", "register", "claim", "schedule", "view"),
}


def person_key(name: str) -> str:
    """A name to compare by: case, spacing and a leading title aside ("Dr Marna van der Merwe" is
    "Marna van der Merwe")."""
    words = name.casefold().split()
    if words and words[0].rstrip(".") in _HONORIFICS:
        words = words[1:]
    return " ".join(words)


def has_given_name(name: str) -> bool:
    """True for a two- or three-word name whose first word (after a title) is a known given name."""
    words = [word.strip(".") for word in name.split()]
    if words and words[0].lower() in _HONORIFICS:
        words = words[1:]
    # "Al" of "Al Jazeera" is a name particle as much as a given name.
    first = words[0].lower() if words else ""
    return 2 <= len(words) <= 3 and first in GIVEN_NAMES and first not in _NAME_PARTICLES


def _is_person_name(name: str, outlets: set[str]) -> bool:
    words = name.split()
    if not words or len(words) > 5 or len(name) > 60 or name.startswith("http"):
        return False
    if not any(ch.isalpha() for ch in name) or _NOT_A_PERSON.match(name) or _DOMAIN.search(name):
        return False
    lowered = {w.lower().strip(".") for w in words}
    if lowered & _ORG_WORDS or any("admin" in w for w in lowered) or words[0].lower() == "the":
        return False
    if _key(name) in outlets or _ROLE_FIRST.match(name):
        return False
    # A possessive is a phrase ("AM Best’s Review"); a call to action is a button ("Start FREE Trial").
    if any(w.endswith(("'s", "’s")) for w in words) or words[0].lower() in _CALL_TO_ACTION:
        return False
    # In scripts with case, each name word is capitalized except particles ("van", "de").
    cased = [w.strip("'‘’\"“”()") for w in words if any(ch.isupper() or ch.islower() for ch in w)]
    return all(w[:1].isupper() or w.lower() in _NAME_PARTICLES for w in cased)


def _outlets(site_name: str | None, url: str | None) -> set[str]:
    outlets = {_key(part) for part in _TITLE_SEPARATORS.split(site_name or "") if part.strip()}
    return outlets | _host_labels(url)


def is_outlet(names: tuple[str, ...], *, site_name: str | None = None, url: str | None = None) -> bool:
    """True when every name is the site's own (its name or host), as a page may declare itself."""
    outlets = _outlets(site_name, url)
    return bool(names) and all(_key(name) in outlets for name in names)


# A job title after a comma ends a byline's names, with all that follows it: "Danielle Padula, Head
# of Marketing and Community Development", "Justin C. Meserole, Trial Attorney at Morgan & Morgan".
# (Split first, "Community Development" and "Morgan" would read as names.)
_ROLE_AFTER_NAMES = re.compile(
    r"\s*,\s*(?:(?:Senior|Sr\.?|Vice|Executive|Managing|Trial|General|Associate)\s+)?"
    r"(?:Head|Director|Chief|CEO|CTO|COO|CMO|CFO|(?:Co-?)?[Ff]ounder|Manager|President|VP|Partner|Owner|"
    r"Attorney|Lawyer|Counsel|Principal|Lead)\b.*$"
)
# A sentence that ends on the label: "This post was written by Danielle Padula".
_WRITTEN_BY_LEAD = re.compile(r"^.{0,40}?\b(?:[Ww]ritten|[Aa]uthored)\s+[Bb]y\s*:?\s+")


def byline_without_role(byline: str) -> str:
    """A byline's text less a sentence's lead up to "written by" and a job title after the names."""
    return _ROLE_AFTER_NAMES.sub("", _WRITTEN_BY_LEAD.sub("", byline))


def is_outlet_byline(byline: str, *, site_name: str | None = None, url: str | None = None) -> bool:
    """True when a byline's text, less a date after it, is the site's own name ("ServiceTitan
    November 26th, 2024")."""
    name = _DATE_WORDS.sub("", _squash(byline)).strip(" .,:;-–|·•")
    return bool(name) and is_outlet((name,), site_name=site_name, url=url)


# The words of a byline that a team, a desk or the staff signs ("TOI Lifestyle Desk", "Our Editors").
_GROUP_BYLINE = re.compile(r"\b(?:team|desk|staff|editors|editorial)\b", re.IGNORECASE)


def group_byline(
    raw: list[str] | tuple[str, ...], *, site_name: str | None = None, url: str | None = None
) -> tuple[str, ...]:
    """The declared bylines that are a team or a desk of the outlet, not the outlet itself and not a
    bare role ("Staff"): what a page signs with when no person wrote it."""
    outlets = _outlets(site_name, url)
    names: list[str] = []
    for item in raw:
        name = _BYLINE_PREFIX.sub("", _squash(str(item))).strip(" .,:;-–|()")
        words = name.split()
        if not 2 <= len(words) <= 5 or len(name) > 60 or _DOMAIN.search(name) or name.startswith("http"):
            continue
        if not _GROUP_BYLINE.search(name):
            continue
        key = _key(name)
        if key in outlets or _NOT_A_PERSON.match(name) or key.replace(" ", "") in outlets:
            continue
        if key not in (_key(n) for n in names):
            names.append(name)
    return tuple(names)


# A user handle a page declares as its author ("madelinmarquardt", "srauturier"): a person's
# account name, all lower case, which the byline shows as is.
_USER_HANDLE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,30}$")


def declared_handles(
    raw: list[str] | tuple[str, ...], *, site_name: str | None = None, url: str | None = None
) -> tuple[str, ...]:
    """The declared authors that are user handles, not the site's own name or host and not a role
    ("admin"): what names the writer on a page where nothing else does."""
    outlets = _outlets(site_name, url)
    names: list[str] = []
    for item in raw:
        name = _squash(str(item))
        if not _USER_HANDLE.match(name) or _DOMAIN.search(name) or "admin" in name:
            continue
        if _key(name) in outlets or _NOT_A_PERSON.match(name) or name in _ORG_WORDS:
            continue
        if name not in names:
            names.append(name)
    return tuple(names)


# A one-person role after a credit's name ("Rachel MacDonald Writer"): the name ends before it.
_CREDIT_ROLE = re.compile(r"(?<=\w)\s+(?:Writer|Reporter|Contributor|Columnist)$")
# Lower-case words a credit's name may hold ("Ask the Doctors", "The Currency editors").
_CREDIT_SMALL_WORDS = {"the", "of", "and", "for", "on", "in", "at", "a", "by"}


def _is_credit_name(name: str) -> bool:
    words = name.split()
    if not 1 <= len(words) <= 5 or len(name) > 60 or not any(ch.isalpha() for ch in name):
        return False
    if _NOT_A_PERSON.match(name) or name.casefold() in _ORG_WORDS or "admin" in name.casefold():
        return False
    if _DOMAIN.search(name) or name.startswith("http"):
        return False
    # One word may be a handle ("infuy"); in more, each is capitalized unless small or a role's.
    return len(words) == 1 or all(
        w[:1].isupper() or w.casefold() in _CREDIT_SMALL_WORDS or w.casefold() in _ORG_WORDS for w in words
    )


# A writer's name that only a script's data holds (a WordPress data layer, a framework's page
# state): "pagePostAuthor":"Krystyna", \"authorName\":\"Ana Lima\". Each pattern starts with its
# key, a literal, which the search skips to (an alternation of keys costs 0.8 ms a page).
_SCRIPT_QUOTE = r'(?:"|\\"|&quot;)'
_SCRIPTED_VALUE = _SCRIPT_QUOTE + r"\s*:\s*" + _SCRIPT_QUOTE + r"([^\"\\&<>]{2,60})"
_SCRIPTED_AUTHORS = (
    re.compile("pagePostAuthor" + _SCRIPTED_VALUE),
    re.compile("author(?:Name|_name)" + _SCRIPTED_VALUE),
)
MAX_SCRIPTED_AUTHORS = 3


def scripted_authors(html: str) -> tuple[str, ...]:
    """The names a script's author keys hold in the page's source, for shown_credit to check
    against the byline (a data layer also names the author of a page that shows none)."""
    found = (match[1] for pattern in _SCRIPTED_AUTHORS for match in pattern.finditer(html))
    return tuple(dict.fromkeys(found))[:MAX_SCRIPTED_AUTHORS]


def shown_credit(
    raw: Sequence[str], *, byline: str, site_name: str | None = None, url: str | None = None
) -> tuple[str, ...]:
    """The declared credits that the byline near the headline shows as written: who signs a page
    no person's name was found for (a team, "Ask the Doctors", a writer's handle), not the site
    itself (the issue's "no site names"), a bare role ("Staff"), a placeholder or a credit that
    nothing on the page shows."""
    shown = " ".join(byline.split()).casefold()
    outlets = _outlets(site_name, url)
    outlets |= {key.replace(" ", "") for key in outlets}
    names: list[str] = []
    for declared in raw:
        item = _byline_text(declared)
        if item is None:
            continue
        pieces = [
            _CREDIT_ROLE.sub(
                "", _DATE_IN_BYLINE.sub("", _BYLINE_PREFIX.sub("", piece or "")).strip(" .,:;-–|()\"'“”‘’")
            )
            for piece in _AUTHOR_SPLIT.split(item)
        ]
        pieces = [piece for piece in pieces if piece]
        # A credit is kept whole or not at all: "The Russian and Syrian defense ministries" is no two names.
        if not pieces or not all(_is_credit_name(piece) for piece in pieces):
            continue
        for name in pieces:
            key = _key(name)
            # "Paycom Blog" on paycom.com is the site signing its blog.
            if key in outlets or key.removesuffix("blog") in outlets or key in map(_key, names):
                continue
            if re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", shown):
                names.append(name)
    return tuple(names)


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
        if (
            _GROUP_BYLINE.search(line)
            and len(line) <= 60
            and any(_is_date_line(d) for d in _beside(lines, i))
        ):
            credit = group_byline([line], site_name=site_name, url=url)
            if credit:
                return credit
    return ()


def _byline_text(declared: object) -> str | None:
    """A declared byline without e-mail addresses, handles and date words; None for a placeholder."""
    text = str(declared)
    if is_placeholder_author(text):
        return None
    return _DATE_WORDS.sub("", _HANDLE.sub(" ", _EMAIL.sub(" ", _squash(text))))


def is_placeholder_author(byline: str) -> bool:
    """True for a template's placeholder ("Page Head Extra Author", "Author Name" after a label):
    the word "Author" after a byline's first word, where no one's name has it."""
    return bool(_PLACEHOLDER_AUTHOR.search(byline))


def normalize_authors(
    raw: list[str] | tuple[str, ...] | str | None,
    *,
    site_name: str | None = None,
    url: str | None = None,
    people: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """Turn bylines into a de-duplicated tuple of person names.

    `site_name` and the host of `url` name the outlet, which often signs as author; `people`
    are names the page declares to be persons, kept even when a blogger's site bears one.
    """
    if not raw:
        return ()
    items = [raw] if isinstance(raw, str) else list(raw)
    names: list[str] = []
    outlets = _outlets(site_name, url)
    # One-word "persons" are brands a site typed as Person ("LinkNaija"); full names are bloggers.
    # (Not one in capitals, as outlets write their own name: ", USA TODAY" typed as a Person.)
    outlets -= {_key(name) for name in people if len(name.split()) > 1 and not name.isupper()}
    for declared in items:
        text = _byline_text(declared)
        if text is None:
            continue
        item = byline_without_role(text)
        pieces = _AUTHOR_SPLIT.split(item)
        # The site's name is not split into its partners' ("Morgan & Morgan" is no "Morgan").
        if len(pieces) > 1 and _key(item) in outlets:
            continue
        found: list[str] = []
        institution = False
        for piece in pieces:
            institution = institution or not _INSTITUTION_WORDS.isdisjoint((piece or "").lower().split())
            name = _BYLINE_PREFIX.sub("", piece or "").strip(" .,:;-–|()")
            name = _ROLE_SUFFIX.sub("", name)
            name = _DATE_IN_BYLINE.sub("", name).strip(" .,:;-–|()")
            name = _PARENTHESIS.sub("", name).strip(" .,:;-–|()\"'“”‘’")
            if len(name.split()) > 2:
                name = _TRAILING_ROLE.sub("", name).strip(" .,:;-–|")
            if _CREDENTIAL.match(name):
                continue
            # One word in capitals is a brand ("MECLABS") unless it is a given name ("MICHAEL").
            if name.isupper() and " " not in name and not _is_given_name(name.title()):
                continue
            name = _title_case_if_shouting(name)
            # A blogger's name is often the site's ("Paige Brunton"): a known given name keeps it.
            if not _is_person_name(name, set() if has_given_name(name) else outlets):
                continue
            found.append(name)
        # An institution's name split at its "and" ("Center for Drug Evaluation and Research"):
        # a word left over is part of it, unless it is a given name.
        if institution:
            found = [name for name in found if " " in name or _is_given_name(name)]
        # "Victor Tangermann, Futurism": one word after a full name is the outlet it came from.
        if found and " " in found[0]:
            found = found[:1] + [name for name in found[1:] if " " in name or _is_given_name(name)]
        for name in found:
            if _key(name) not in (_key(n) for n in names):
                names.append(name)
    return tuple(names)


_THREE_TO_TWO = {
    "eng": "en",
    "deu": "de",
    "ger": "de",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "rus": "ru",
    "aze": "az",
    "ita": "it",
    "por": "pt",
    "nld": "nl",
    "dut": "nl",
    "pol": "pl",
    "tur": "tr",
    "ukr": "uk",
    "jpn": "ja",
    "zho": "zh",
    "chi": "zh",
    "kor": "ko",
    "ara": "ar",
}


def normalize_language(raw: str | None) -> str | None:
    """ISO 639-1 code from values like 'en-US', 'en_GB', 'EN' or 'eng'."""
    if not raw:
        return None
    code = re.split(r"[-_\s,;]", raw.strip().lower(), maxsplit=1)[0]
    code = _THREE_TO_TWO.get(code, code)
    return code if re.fullmatch(r"[a-z]{2}", code) else None


# jusText (a trafilatura dependency) ships stop-word lists; these names map to ISO 639-1.
_STOPLIST_CODES = {
    "English": "en",
    "German": "de",
    "French": "fr",
    "Spanish": "es",
    "Italian": "it",
    "Portuguese": "pt",
    "Dutch": "nl",
    "Polish": "pl",
    "Czech": "cs",
    "Slovak": "sk",
    "Swedish": "sv",
    "Danish": "da",
    "Norwegian_Bokmal": "nb",
    "Finnish": "fi",
    "Hungarian": "hu",
    "Romanian": "ro",
    "Turkish": "tr",
    "Russian": "ru",
    "Ukrainian": "uk",
    "Bulgarian": "bg",
    "Serbian": "sr",
    "Croatian": "hr",
    "Greek": "el",
    "Indonesian": "id",
    "Malay": "ms",
    "Vietnamese": "vi",
    "Azerbaijani": "az",
    "Arabic": "ar",
    "Persian": "fa",
    "Urdu": "ur",
    "Hebrew": "he",
    "Hindi": "hi",
    "Catalan": "ca",
    "Lithuanian": "lt",
    "Latvian": "lv",
    "Estonian": "et",
    "Slovenian": "sl",
    "Tagalog": "tl",
    "Swahili": "sw",
}
_SCRIPT_LANGUAGES = (
    (re.compile(r"[\u3040-\u30ff]"), "ja"),  # kana: Japanese even among kanji
    (re.compile(r"[\uac00-\ud7af]"), "ko"),
    (re.compile(r"[\u4e00-\u9fff]"), "zh"),
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_DETECTION_WORDS = 20


@lru_cache(maxsize=1)
def _stoplists() -> dict[str, frozenset[str]]:
    import justext  # type: ignore[import-untyped]  # loaded on first use: reading ~40 word lists costs a few milliseconds

    return {code: frozenset(justext.get_stoplist(name)) for name, code in _STOPLIST_CODES.items()}


def _is_prose(line: str) -> bool:
    # Table rows ("1 Kyle Busch 5040 21") are names and numbers, and would vote for whichever
    # stop-word list happens to contain the names.
    tokens = line.split()
    alphabetic = [t for t in tokens if _WORD.fullmatch(t.strip(".,;:!?\"'()"))]
    return len(alphabetic) >= 6 and len(alphabetic) >= 0.8 * len(tokens)


def detect_language(text: str) -> str | None:
    """Guess the ISO 639-1 language of `text` from its script and stop words; None when unsure."""
    sample = text[:5000]
    for pattern, code in _SCRIPT_LANGUAGES:
        hits = len(pattern.findall(sample))
        if hits > 50 or hits > 0.2 * len(sample.strip()):
            return code
    # Prose lines only: tables and name lists match the larger stop-word lists by chance.
    prose = [line for line in sample.split("\n") if _is_prose(line)]
    words = [w.lower() for line in prose for w in _WORD.findall(line)]
    if len(words) < MIN_DETECTION_WORDS:
        return None
    counts = Counter(words)
    scores = {
        code: sum(n for word, n in counts.items() if word in stops) / len(words)
        for code, stops in _stoplists().items()
    }
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    # Stop words make up a third of running text; related languages share some of them.
    return best if score >= 0.15 and score >= 1.2 * runner_up else None


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
    if match and not (match.group(0).isupper() and not _is_given_name(match.group(1).split()[0].title())):
        return normalize_authors(match.group(1), site_name=site_name, url=url)
    given = next((m for m in _BYLINE_GIVEN_NAME.finditer(text) if _is_given_name(m.group(1))), None)
    return normalize_authors(given.group(1), site_name=site_name, url=url) if given else ()


def _is_given_name(word: str) -> bool:
    lowered = word.lower()
    return lowered in GIVEN_NAMES and lowered not in _NAME_PARTICLES and not _NOT_A_PERSON.match(word)


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
            or (line.isalpha() and line[:1].isupper() and _is_given_name(line))
            or (_NAMES_LINE.match(line) and any(map(has_given_name, _AUTHOR_SPLIT.split(line))))
        ):
            continue
        if any(_is_date_line(lines[j]) for j in (i - 1, i + 1) if 0 <= j < len(lines)) or (
            i + 1 < len(lines) and _ROLE_LINE.match(lines[i + 1])
        ):
            names = normalize_authors(line, site_name=site_name, url=url)
            if names:
                return names
    return ()
