"""Normalize author lists to one clean form: person names, without the roles, dates, handles and
outlet names that bylines and declared data mix in with them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from newsflow.extract.given_names import GIVEN_NAMES
from newsflow.extract.text_forms import squash, word_key
from newsflow.extract.titles import TITLE_SEPARATORS

# The word "Author" after the first word of a byline: a template's placeholder ("Author Name").
_PLACEHOLDER_AUTHOR = re.compile(r"^\s*\S+.*\bauthor\b", re.IGNORECASE)
_BYLINE_PREFIX = re.compile(
    r"^\s*(?:by|written by|words by|author|text|words|von|par|por|di|door|av|от|автор|текст)\s*[:\-]?\s+",
    re.IGNORECASE,
)
# A full stop ends a name only after a lower-case word ("Cunningham. Sputnik"), never after an
# abbreviated title or initial ("Dr. Vahid Osman", "Sr. Director").
AUTHOR_SPLIT = re.compile(
    r"\s*(?:,|;|\band\b|&|\bund\b|\bet\b|\by\b|\||/|(?-i:(?<=[a-z]{2})(?<!Mrs)(?<!Prof))\.\s+(?=[A-Z]))\s*",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\S+@\S+")
# Degrees and certifications printed after a name ("Dylan Bailey, MS, RD, FAND"): roles, not names.
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,5}|Ph\.? ?D\.?|M\.D\.|[A-Z]{2,4}-[A-Z]{2,4}(?: \d+)?)$")
# The same glued to the name without a comma ("Jeffrey A. Slotnick CPP", "Jane Doe RN"): capitals
# without a vowel, or a degree that has one, never a generation ("III", "Jr").
_GLUED_CREDENTIAL = re.compile(
    r"(?<=[a-z])\s+(?![IVXL]+$)(?:[B-DF-HJ-NP-TV-Z]{2,5}|MA|MBA|MS|MSW|MPH|MEd|EA|CPA|OD|DO)$"
)
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


def _title_case_if_shouting(name: str) -> str:
    return name.title() if name.isupper() and len(name) > 3 else name


# Blog platforms that give each writer a subdomain: there the first label is a person's handle
# ("finntropy.substack.com" is Finn Tropy's), not an outlet's name that no author may be.
_USER_SUBDOMAIN_PLATFORMS = (
    *(".substack.com", ".medium.com", ".bearblog.dev", ".blogspot.com", ".wordpress.com", ".ghost.io"),
    *(".hashnode.dev", ".tumblr.com", ".github.io", ".beehiiv.com", ".micro.blog", ".typepad.com"),
)


def _host_labels(url: str | None) -> set[str]:
    host = urlsplit(url or "").hostname or ""
    if host.endswith(_USER_SUBDOMAIN_PLATFORMS):
        return set()
    labels = [label for label in host.split(".") if label not in ("www", "m", "amp")]
    return {word_key(labels[0])} if len(labels) >= 2 else set()


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


def is_given_name(word: str) -> bool:
    """True for a word that is a known given name, unless also a name particle ("Al") or no one's ("May")."""
    lowered = word.lower()
    return lowered in GIVEN_NAMES and lowered not in _NAME_PARTICLES and not _NOT_A_PERSON.match(word)


def _is_person_name(name: str, outlets: set[str]) -> bool:
    words = name.split()
    if not words or len(words) > 5 or len(name) > 60 or name.startswith("http"):
        return False
    if not any(ch.isalpha() for ch in name) or _NOT_A_PERSON.match(name) or _DOMAIN.search(name):
        return False
    # A number is in no one's name: "98 Buck Social" is a company's account, "5 Great On-page Seo
    # For" a blog's title in its author markup.
    if any(w[:1].isdigit() for w in words):
        return False
    lowered = {w.lower().strip(".") for w in words}
    if lowered & _ORG_WORDS or any("admin" in w for w in lowered) or words[0].lower() == "the":
        return False
    if word_key(name) in outlets or _ROLE_FIRST.match(name):
        return False
    # A possessive is a phrase ("AM Best’s Review"); a call to action is a button ("Start FREE Trial").
    if any(w.endswith(("'s", "’s")) for w in words) or words[0].lower() in _CALL_TO_ACTION:
        return False
    # In scripts with case, each name word is capitalized except particles ("van", "de").
    cased = [w.strip("'‘’\"“”()") for w in words if any(ch.isupper() or ch.islower() for ch in w)]
    return all(w[:1].isupper() or w.lower() in _NAME_PARTICLES for w in cased)


def _outlets(site_name: str | None, url: str | None) -> set[str]:
    outlets = {word_key(part) for part in TITLE_SEPARATORS.split(site_name or "") if part.strip()}
    return outlets | _host_labels(url)


def is_outlet(names: tuple[str, ...], *, site_name: str | None = None, url: str | None = None) -> bool:
    """True when every name is the site's own (its name or host), as a page may declare itself."""
    outlets = _outlets(site_name, url)
    return bool(names) and all(word_key(name) in outlets for name in names)


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
    name = _DATE_WORDS.sub("", squash(byline)).strip(" .,:;-–|·•")
    return bool(name) and is_outlet((name,), site_name=site_name, url=url)


# The words of a byline that a team, a desk or the staff signs ("TOI Lifestyle Desk", "Our Editors").
GROUP_BYLINE = re.compile(r"\b(?:team|desk|staff|editors|editorial)\b", re.IGNORECASE)


def group_byline(
    raw: list[str] | tuple[str, ...], *, site_name: str | None = None, url: str | None = None
) -> tuple[str, ...]:
    """The declared bylines that are a team or a desk of the outlet, not the outlet itself and not a
    bare role ("Staff"): what a page signs with when no person wrote it."""
    outlets = _outlets(site_name, url)
    names: list[str] = []
    for item in raw:
        name = _BYLINE_PREFIX.sub("", squash(str(item))).strip(" .,:;-–|()")
        words = name.split()
        if not 2 <= len(words) <= 5 or len(name) > 60 or _DOMAIN.search(name) or name.startswith("http"):
            continue
        if not GROUP_BYLINE.search(name):
            continue
        key = word_key(name)
        if key in outlets or _NOT_A_PERSON.match(name) or key.replace(" ", "") in outlets:
            continue
        if key not in (word_key(n) for n in names):
            names.append(name)
    return tuple(names)


# A user handle a page declares as its author ("madelinmarquardt", "srauturier"): a person's
# account name, all lower case, which the byline shows as is.
# A handle holds a letter: an all-digit "author" is an account number (Facebook's article:author
# "262588213843476"), which names no one.
_USER_HANDLE = re.compile(r"^(?=[a-z0-9._-]*[a-z])[a-z0-9][a-z0-9._-]{2,30}$")


def declared_handles(
    raw: list[str] | tuple[str, ...], *, site_name: str | None = None, url: str | None = None
) -> tuple[str, ...]:
    """The declared authors that are user handles, not the site's own name or host and not a role
    ("admin"): what names the writer on a page where nothing else does."""
    outlets = _outlets(site_name, url)
    names: list[str] = []
    for item in raw:
        name = squash(str(item))
        if not _USER_HANDLE.match(name) or _DOMAIN.search(name) or "admin" in name:
            continue
        if word_key(name) in outlets or _NOT_A_PERSON.match(name) or name in _ORG_WORDS:
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
            for piece in AUTHOR_SPLIT.split(item)
        ]
        pieces = [piece for piece in pieces if piece]
        # A credit is kept whole or not at all: "The Russian and Syrian defense ministries" is no two names.
        if not pieces or not all(_is_credit_name(piece) for piece in pieces):
            continue
        for name in pieces:
            key = word_key(name)
            # "Paycom Blog" on paycom.com is the site signing its blog.
            if key in outlets or key.removesuffix("blog") in outlets or key in map(word_key, names):
                continue
            if re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", shown):
                names.append(name)
    return tuple(names)


def _byline_text(declared: object) -> str | None:
    """A declared byline without e-mail addresses, handles and date words; None for a placeholder."""
    text = str(declared)
    if is_placeholder_author(text):
        return None
    return _DATE_WORDS.sub("", _HANDLE.sub(" ", _EMAIL.sub(" ", squash(text))))


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
    outlets -= {word_key(name) for name in people if len(name.split()) > 1 and not name.isupper()}
    for declared in items:
        text = _byline_text(declared)
        if text is None:
            continue
        item = byline_without_role(text)
        pieces = AUTHOR_SPLIT.split(item)
        # The site's name is not split into its partners' ("Morgan & Morgan" is no "Morgan").
        if len(pieces) > 1 and word_key(item) in outlets:
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
                name = _GLUED_CREDENTIAL.sub("", name) if len(name.split()) > 2 else name
            if _CREDENTIAL.match(name):
                continue
            # One word in capitals is a brand ("MECLABS") unless it is a given name ("MICHAEL").
            if name.isupper() and " " not in name and not is_given_name(name.title()):
                continue
            name = _title_case_if_shouting(name)
            # A blogger's name is often the site's ("Paige Brunton"): a known given name keeps it.
            if not _is_person_name(name, set() if has_given_name(name) else outlets):
                continue
            found.append(name)
        # An institution's name split at its "and" ("Center for Drug Evaluation and Research"):
        # a word left over is part of it, unless it is a given name.
        if institution:
            found = [name for name in found if " " in name or is_given_name(name)]
        # "Victor Tangermann, Futurism": one word after a full name is the outlet it came from.
        if found and " " in found[0]:
            found = found[:1] + [name for name in found[1:] if " " in name or is_given_name(name)]
        for name in found:
            if word_key(name) not in (word_key(n) for n in names):
                names.append(name)
    return tuple(names)
