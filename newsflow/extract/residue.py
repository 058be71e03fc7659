"""Remove the boilerplate residue that extractors leave inside article bodies.

Generic rules only: each rule matches a whole line that no real sentence would be, such as
a font-size widget, a share bar, a "Read more" link line or a newsletter prompt. Rules that
could match prose in the middle of an article (calls to action, sign-offs) only apply in the
last lines of the text, where page furniture ends up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from newsflow.extract.code_blocks import VERBATIM
from newsflow.extract.dates import visible_dates
from newsflow.extract.mojibake import repair_mojibake

_WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_WS_NOT_SPACE = re.compile(r"[\t\u00a0\u2000-\u200b\u202f\u205f\u3000]")

# Widget glyphs: font size up/down/reset, share/print/email icons rendered as text.
_WIDGET_TOKENS = r"(?:[+−\-–↺↻⟲⟳AaＡ]+|\d{1,2}\s?px|a\+|a-|font|size|text|print|email|e-mail|share|tweet|whatsapp|telegram|facebook|twitter|linkedin|pinterest|reddit|copy link)"
_WIDGET_LINE = re.compile(
    rf"^(?:(?:date\s+)?\d{{4}}-\d{{2}}-\d{{2}}(?:[ T]\d{{1,2}}:\d{{2}})?\s*)?(?:{_WIDGET_TOKENS}\s*){{2,}}$",
    re.IGNORECASE,
)
_SOCIAL = r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|instagram|youtube|tiktok|email|e-mail|print|reddit|pinterest|vk|copy link|messenger)"
_SHARE_LINE = re.compile(
    r"^(?:share(?: this(?: article| story| post)?)?(?: on)?|follow us(?: on)?|print|email|e-mail|"
    r"share|tweet|send|copy link|comments?)\s*[:|]?\s*"
    rf"(?:{_SOCIAL}\s*[,|/·•]?\s*)*$",
    re.IGNORECASE,
)
_READ_MORE_LINE = re.compile(
    r"^(?:read more|related(?: articles| stories| news| content)?|see also|also read|more from|"
    # "Recommended" as a label ("Recommended: <a title>", "Recommended for you"), not a heading or
    # a spec that starts with the word ("Recommended Books for Managers", "Recommended Reducer: ...").
    r"recommended(?: for you| articles| stories| reading| posts| videos)?(?=\s*(?::|$))|"
    r"most read|advertisement|sponsored|continue reading|click here to|subscribe to|see more|don'?t miss|"
    r"you may also like|you might also like|more stories|also on [\w-]+(?:\.[\w-]+)+)\b.{0,120}$",
    re.IGNORECASE,
)
# An ad slot's label, doubled when two nested slots print it with no space between:
# "AdvertisementAdvertisement".
_AD_LABEL_LINE = re.compile(r"^(?:advertisement){2,}$", re.IGNORECASE)
# A screen reader's skip link ("Skip to content", "Skip Navigation"), a pager's "Page 1 of 8" and
# a "Back to top" or "Back to blog" link and a "Next article: <title>" one: the page's controls,
# printed as text when their element is not dropped.
_CONTROL_LINE = re.compile(
    r"^(?:skip (?:to )?(?:the )?(?:main )?(?:content|navigation|nav)|page \d{1,4} of \d{1,4}|"
    r"back to (?:the )?(?:top|blogs?|all (?:posts|articles)|articles|news)|(?:next|previous|prev) (?:article|post|story)\s*:.{0,150})$",
    re.IGNORECASE,
)
# A bare section label with nothing after it: "More:", "Also:", "Photos".
_LABEL_LINE = re.compile(
    r"^(?:more|also|photos|video|watch|listen|tags?|topics?|table of contents|written by|about the author|you are here|newsletters?)"
    r"\s*[:.…]*$",
    re.IGNORECASE,
)
# Lines without a letter or a digit that are part of the article: code ("}", "});", "*/") and a
# table's rows as trafilatura prints them ("|---|---|" under the header, "| | |" for empty cells).
_STRUCTURE_LINE = re.compile(r"[{}()\[\];]|^\|.*\|$|^(?:/\*\*?|\*/|<!--|-->|/>)$")
# trafilatura prints list items with a leading "- ": "- 5 min read" is the same residue.
_LIST_BULLET = re.compile(r"^[-•·]\s+")
_DATE_LABEL_LINE = re.compile(
    r"^(?:date|published|updated|posted)?\s*:?\s*\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$",
    re.IGNORECASE,
)
# Runs of these tokens repeat possessively (`++`): "[\d:/.,-]+" can split a run of digits in
# exponentially many ways, and a line of 22 digits took two seconds to reject.
_DATE_TOKEN = (
    r"(?:[\d:/.,-]+|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?|[ap]\.?m\.?|"
    r"utc|gmt|et|est|edt|pt|pst|pdt|cet|cest|bst|ist)"
)
# "Updated at 1:23 p.m.", "(Published Monday, Nov. 18, 2019)": nothing but a label and a date.
_TIMESTAMP_LINE = re.compile(
    rf"^\(?(?:last )?(?:updated|published|posted|first published)(?: (?:at|on))?:?"
    rf"(?=[^\d]*\d)(?:\s*{_DATE_TOKEN})++\s*\)?\.?$",
    re.IGNORECASE,
)
# "5 min read", alone or beside the date as blogs print it ("Dec 18, 2025 · 10 min read",
# "11 Minute Read • Jun 08, 2023").
_MINUTES_READ = r"\d{1,3}\s*min(?:ute)?s?\.?\s+read(?: time)?"
_READING_TIME_LINE = re.compile(
    r"^(?:(?:estimated )?reading time|tempo de leitura|tiempo de lectura|temps de lecture|lesezeit|"
    rf"leestijd|czas czytania|время чтения)\s*:?\s*\d{{1,3}}\s*\w{{0,10}}\.?$|^{_MINUTES_READ}$|"
    rf"^(?:{_DATE_TOKEN}\s*)++[•⋅·|]\s*{_MINUTES_READ}$|^{_MINUTES_READ}\s*[•⋅·|]\s*(?:{_DATE_TOKEN}\s*)++$",
    re.IGNORECASE,
)
_FILED_UNDER_LINE = re.compile(
    r"^(?:filed under|tagged(?: with)?|tags|categories|category|posted in)\s*:.{0,120}$", re.IGNORECASE
)
# A copyright notice: the sign, or the word alone or with a year or "rights reserved"; not a
# heading or an item that starts with the word ("Copyright Complexity in a Fragmented World").
_COPYRIGHT_LINE = re.compile(
    r"^(?:©|ⓒ|\(c\)|copyright(?:\s*$|.*(?:©|ⓒ|\(c\)|\b(?:19|20)\d\d\b|rights reserved))).{0,100}$",
    re.IGNORECASE,
)
# WordPress shortcodes that a theme failed to render: "[button link=...]Send us...[/button]".
_SHORTCODE_LINE = re.compile(r"^\[(\w+)(?:\s[^\]]*)?\].*\[/\1\]$")
# A template's placeholder text, left where the page's copy should be ("Lorem ipsum dolor sit
# amet, consectetur ...", "- Lorem ipsum 2"): never an article's, however long.
_PLACEHOLDER_LINE = re.compile(r"^lorem ipsum(?: dolor sit amet\b.*| \d+)?$", re.IGNORECASE | re.DOTALL)
# Wire-service credits: "(Reporting by A; Editing by B)", "C contributed reporting from Paris.";
# a picture's: "Photo: Shutterstock", "Image credit: © Depositphotos.com/...", "Credit: A. Onufriyenko /
# Getty Images".
_CREDIT_LINE = re.compile(
    r"^\(?(?:additional |writing and )?(?:reporting|writing|editing|compiled|research) by\b.{0,300}$|"
    r"^(?:photo|image|picture)s?(?: credits?)?\s*:\s*\S.{0,100}$|"
    # "Credit:" alone also heads a loan's or a card's terms ("Credit: Good to excellent").
    r"^credits?\s*:.{0,60}(?:©|/|\b(?:getty|shutterstock|istock|depositphotos|reuters|afp|unsplash)\b).{0,60}$|"
    r"^[\w .,'’-]{3,120} contributed (?:reporting|to this (?:report|story|article))\b.{0,80}$",
    re.IGNORECASE,
)
# A newsletter sign-up form's text, wherever trafilatura keeps it (Time Out prints one mid-article):
# its heading ("Join Our Newsletter"), its field's label, its decline button, its thank-you and its
# consent notice ("By entering your email address you agree to our Terms ..."). None is a sentence
# of an article.
_SIGN_UP_FORM_LINE = re.compile(
    r"^(?:(?:enter |type )?(?:your )?e-?mail(?: address)?\*?|no,? thanks[.!]?|"
    r"(?:sign up|sign-up|subscribe|join)(?: (?:to|for))? (?:our|the)(?: [\w'’&-]+){0,3} (?:newsletter|mailing list)s?[.!]?|"
    r"(?:thanks|thank you) for (?:subscribing|signing up)(?: to (?:our|the) [\w ]{0,40}newsletter)?[.!]*"
    r"(?:\s.{0,100}\b(?:inbox|newsletter|e-?mail)\b.{0,40})?|(?:\w+, )?you(?:'re|’re| are) (?:now )?subscribed[.!]*|"
    # Medium's box in the middle of every story ("Get Jane Doe’s stories in your inbox").
    r"get .{2,60}(?:'|’)s? stories in your inbox\.?|join [\w.]+ for free to get updates from this writer\.?|"
    r"there was an error processing your subscription\.?|keep an eye on your inbox\b.{0,80}|"
    # Webflow's form messages, as its template writes them.
    r"thank you! your submission has been received!?|oops! something went wrong while submitting the form\.?|"
    r"by (?:entering|submitting|providing|signing up|subscribing|clicking)\b.{0,160}"
    r"\b(?:e-?mail|newsletter|(?:tele)?phone)\b.{0,160}\b(?:agree|consent)\w*\b.{0,200})$",
    re.IGNORECASE,
)

# Calls to action that end pages; only trusted in the last lines of the text.
_FOLLOW_US = re.compile(rf"^follow\b.{{0,80}}\bon\b.{{0,40}}\b{_SOCIAL}\b.{{0,80}}$", re.IGNORECASE)
_CALL_TO_ACTION = re.compile(
    r"\bnewsletters?\b.*\b(?:sign up|subscribe|inbox|delivered)\b|"
    r"\b(?:sign up|subscribe)\b.*\bnewsletters?\b|"
    r"\bshare (?:it|this)(?: story| article)? with\b|"
    r"^tell us what you think\b|^have a tip\?|\bclick here\b|"
    r"\b(?:subscribe|sign up) (?:now|today|here)\b",
    re.IGNORECASE,
)
_DOMAIN_SIGNOFF = re.compile(r"^[\w-]+(?:\.[a-z]{2,})+$", re.IGNORECASE)


def normalize_whitespace(text: str) -> str:
    """NFC-normalize, collapse runs of spaces inside lines, drop blank-line runs."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    # _WS changes a text only where two spaces run or where it holds another of _WS's characters:
    # three bodies in four have neither, and looking costs a sixth of the substitution. _WS holds
    # no newline, so one pass over the whole text does what a pass per line did.
    if VERBATIM in text:
        return "\n".join(
            _without_blank_runs(
                [line.rstrip() if line.startswith(VERBATIM) else _prose(line) for line in text.split("\n")]
            )
        )
    if "  " in text or _WS_NOT_SPACE.search(text):
        text = _WS.sub(" ", text)
    return "\n".join(_without_blank_runs([line.strip() for line in text.split("\n")]))


def _prose(line: str) -> str:
    return _WS.sub(" ", line).strip()


def _without_blank_runs(lines: list[str]) -> list[str]:
    """`lines` without leading and trailing blank lines, and one blank line where there were several."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def is_residue_line(line: str) -> bool:
    """True when a line is a UI widget, share bar, label or navigation prompt, not prose."""
    stripped = _LIST_BULLET.sub("", line.strip())
    if not stripped:
        return False
    if _PLACEHOLDER_LINE.match(stripped):
        return True
    if len(stripped) > 320:
        return False
    if not any(ch.isalnum() for ch in stripped):
        # Separators ("___", "* * *") and glyphs, but not code's "});" or a table's "|---|---|".
        return not _STRUCTURE_LINE.search(stripped)
    if _CREDIT_LINE.match(stripped) or _SHORTCODE_LINE.match(stripped) or _SIGN_UP_FORM_LINE.match(stripped):
        return True
    if len(stripped) > 160:
        return False
    return bool(
        _WIDGET_LINE.match(stripped)
        or _SHARE_LINE.match(stripped)
        or _DATE_LABEL_LINE.match(stripped)
        or _TIMESTAMP_LINE.match(stripped)
        or _READING_TIME_LINE.match(stripped)
        or _FILED_UNDER_LINE.match(stripped)
        or _COPYRIGHT_LINE.match(stripped)
        or _LABEL_LINE.match(stripped)
        or _AD_LABEL_LINE.match(stripped)
        or _CONTROL_LINE.match(stripped)
        or (_READ_MORE_LINE.match(stripped) and not _ends_sentence(stripped))
    )


def _ends_sentence(line: str) -> bool:
    return line.endswith((".", "!", "?", '"', "”")) and not line.endswith(("...", "…"))


def is_closing_residue(line: str, *, site_name: str | None = None) -> bool:
    """True for a call to action or a bare outlet sign-off, which only count at the end of a text."""
    stripped = line.strip()
    if not stripped or len(stripped) > 240:
        return False
    if _FOLLOW_US.match(stripped) or _CALL_TO_ACTION.search(stripped):
        return True
    # "News.Az" or the site's own name alone on the last lines: the outlet signing off.
    return bool(_DOMAIN_SIGNOFF.match(stripped) or (site_name and _key(stripped) == _key(site_name)))


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def strip_header(text: str, *, titles: Iterable[str | None] = (), standfirst: str | None = None) -> str:
    """Drop a leading headline that repeats the title, and the standfirst printed right under it.

    Extractors often start the body with the page's <h1> and its dek; both are stored
    separately (title, description), and a standfirst is kept when it opens the body
    without a headline above it, where it is usually the first paragraph.
    """
    keys = {_key(t) for t in titles if t and _key(t)}
    lines = text.split("\n")
    start = 0
    while start < len(lines) and (not lines[start].strip() or _key(lines[start]) in keys):
        start += 1
    if start == 0 or not any(lines[:start]):
        return text
    rest = start
    while rest < len(lines) and not lines[rest].strip():
        rest += 1
    if standfirst and rest < len(lines) and _key(lines[rest]) == _key(standfirst):
        rest += 1
    return "\n".join(lines[rest:])


# A page that renders its article twice (a desktop and a mobile copy) gives trafilatura both: a
# run of this many paragraphs repeated verbatim is the second copy. Meal plans and recipes repeat
# runs of up to 8 ("1 cup blueberries", "Portion Fix Containers: ..."); a doubled article, dozens.
REPEATED_LINE_CHARS = 40
REPEATED_RUN_LINES = 10


def drop_repeated_runs(lines: list[str]) -> list[str]:
    """Drop the second copy of a long run of paragraphs (a page rendering its article twice)."""
    first_seen: dict[str, int] = {}
    kept: list[str] = []
    i = 0
    while i < len(lines):
        earlier = first_seen.get(lines[i]) if len(lines[i]) >= REPEATED_LINE_CHARS else None
        if earlier is not None:
            run = _run_length(lines, earlier, i)
            if sum(len(line) >= REPEATED_LINE_CHARS for line in lines[i : i + run]) >= REPEATED_RUN_LINES:
                i += run
                continue
        first_seen.setdefault(lines[i], i)
        kept.append(lines[i])
        i += 1
    return kept


def _run_length(lines: list[str], earlier: int, at: int) -> int:
    """How many lines from `at` on repeat those from `earlier` on (the copy stops where it began)."""
    run = 0
    while at + run < len(lines) and earlier + run < at and lines[at + run] == lines[earlier + run]:
        run += 1
    return run


# A heading that introduces links to other pages ("Related posts", "You may also like"): with the
# list under it, it is page furniture, not the article's own list.
_RELATED_HEADING = re.compile(
    r"^(?:related(?: posts?| articles?| stories| reading| content| resources| guides| reads)?|"
    r"you (?:may|might) also (?:like|enjoy|be interested in)(?: the following articles)?|"
    r"more (?:from|on|about|articles|stories|posts|reading)\b.{0,40}|"
    r"recommended(?: for you| reading| articles| posts)?|read next|up next|keep reading|"
    r"popular (?:posts|articles)|latest (?:posts|articles|news)|other posts|explore more\b.{0,40}|"
    r"further reading|see also|trending(?: now)?|most (?:read|popular))\s*[:.]?$",
    re.IGNORECASE,
)
# A link's title: a few words, not a sentence.
RELATED_LINK_WORDS = 14
RELATED_MIN_LINKS = 2


def _is_link_title(line: str) -> bool:
    stripped = _LIST_BULLET.sub("", line.strip())
    return not stripped or (
        len(stripped.split()) <= RELATED_LINK_WORDS and not stripped.endswith((".", "!", "?", ":", ";"))
    )


def drop_related_lists(lines: list[str]) -> list[str]:
    """Drop a "Related posts" heading (past the first line) with the run of link titles under it,
    when there are at least RELATED_MIN_LINKS of them."""
    kept: list[str] = []
    at = 0
    while at < len(lines):
        if at > 0 and _RELATED_HEADING.match(_LIST_BULLET.sub("", lines[at].strip())):
            end = at + 1
            while end < len(lines) and _is_link_title(lines[end]):
                end += 1
            if end - at - 1 >= RELATED_MIN_LINKS:
                at = end
                continue
        kept.append(lines[at])
        at += 1
    return kept


def _runs_on(lines: list[str], at: int) -> bool:
    """Whether line `at` is part of a sentence that the page's source wrapped and trafilatura kept
    so ("Photos\nwhich were released online ...", "I definitely did some\nediting by hand, ..."):
    its words run on into the next line, which starts in lower case, or on from the previous one,
    which ends mid-sentence. Alone, such a fragment can read as a label or a credit."""
    line = lines[at]
    if not any(ch.isalpha() for ch in line):
        return False
    following = lines[at + 1] if at + 1 < len(lines) else ""
    runs_into_next = (
        following[:1].islower()
        and not following.startswith(("http", "www."))
        and not line.endswith((":", ".", "!", "?"))
        and not is_residue_line(following)
    )
    if runs_into_next:
        return True
    previous = lines[at - 1] if at > 0 else ""
    return bool(line[:1].islower() and previous[-1:].isalpha() and not is_residue_line(previous))


def clean_text(text: str, *, site_name: str | None = None) -> str:
    """Normalize whitespace and drop residue lines from an extracted article body."""
    lines = drop_related_lists(normalize_whitespace(repair_mojibake(text)).split("\n"))
    kept = [
        line
        for at, line in enumerate(lines)
        if line.startswith(VERBATIM) or not is_residue_line(line) or _runs_on(lines, at)
    ]
    kept = drop_repeated_runs(kept)
    # The kept lines are normalized already: only the blank lines that the dropped ones separated
    # are left to collapse (normalize_whitespace again cost 0.3 ms a page; BENCHMARKS.md, issue #12).
    lines = _without_blank_runs(kept)
    # Calls to action and sign-offs close a page: peel them off the end only, so a sentence that
    # merely mentions a newsletter mid-article stays, and cleaning clean text changes nothing.
    while lines and (
        not lines[-1]
        or (not lines[-1].startswith(VERBATIM) and is_closing_residue(lines[-1], site_name=site_name))
    ):
        lines.pop()
    return "\n".join(lines).replace(VERBATIM, "")


# An author box closes many pages: "Jane Doe is a finance writer who ...", or the name alone over
# a role and a bio. It sits in the last few lines; further up, the name more likely opens a quote.
AUTHOR_BIO_LINES = 5


def drop_author_bio(text: str, authors: Iterable[str]) -> str:
    """Cut the text at an author box: a line among the last AUTHOR_BIO_LINES that starts with the
    full name of one of `authors` (a name of two words or more, optionally after "About")."""
    names = [name for name in authors if len(name.split()) >= 2]
    if not names:
        return text
    lines = text.split("\n")
    last = range(max(1, len(lines) - AUTHOR_BIO_LINES), len(lines))
    # Most bodies end with no line holding a name: a substring test spares building a pattern of
    # the names for every page (0.15 ms a page).
    folded = [name.casefold() for name in names]
    if not any(name in lines[at].casefold() for at in last for name in folded):
        return text
    starts_box = re.compile(
        r"^(?:about\s+)?(?:" + "|".join(re.escape(name) for name in names) + r")\b", re.IGNORECASE
    )
    for at in last:
        if starts_box.match(lines[at].strip()):
            return "\n".join(lines[:at]).rstrip()
    return text


# Bylines and datelines open many extracted bodies ("- Jane Doe", "- Sep 26, 2022", "By Jane Doe",
# "December 15, 2025 // 8 min read"): the article's metadata, stored apart from its text.
LEADING_META_LINES = 4
LEADING_META_WORDS = 10


def drop_leading_byline(text: str, authors: Iterable[str]) -> str:
    """Drop the short lines opening the text that name one of `authors` (two words or more) or
    print a date, up to LEADING_META_LINES of them; a line ending a sentence stays."""
    names = [name.casefold() for name in authors if len(name.split()) >= 2]
    lines = text.split("\n")
    start = dropped = 0
    while start < len(lines) and dropped < LEADING_META_LINES:
        line = _LIST_BULLET.sub("", lines[start].strip())
        if not line:  # the blank lines between paragraphs
            start += 1
            continue
        # A sentence ("On May 2, 2024 the bridge closed.") is the article's, however short.
        if len(line.split()) > LEADING_META_WORDS or _ends_sentence(line):
            break
        folded = line.casefold()
        if not (any(name in folded for name in names) or visible_dates(line)):
            break
        start += 1
        dropped += 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    return "\n".join(lines[start:]) if dropped else text
