"""When the article was first published, and when it was last updated.

dates reads dates out of strings and chooses among candidates; this module knows where on a page
they are and how far each place is trusted: the declared dates checked against the byline, the
URL's, then, each only when nothing before dated the page, a date labelled further down, a
script's, and one beside the author's name. The update is kept apart, in modified_at: the issue
asks for the first publication.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from lxml import html as lxml_html

from newsflow.extract.dates import (
    DatedValue,
    could_fall_on,
    date_from_url,
    dateline_days,
    day_beside_names,
    first_published_day,
    is_plausible,
    labelled_published_day,
    read_date,
    read_day_first,
    scripted_published_day,
    visible_dates,
)
from newsflow.extract.metadata import PageMetadata
from newsflow.extract.tree import page_lines


def _date_candidates(meta: PageMetadata, url: str, now: datetime) -> list[DatedValue]:
    """The page's dates, most trusted first: a declared date the byline shows, else a dateline
    under the headline that no declared date comes near; the other declared dates, the URL's,
    then the byline's own (nearest the headline first, one labelled as an update last)."""
    read = [(raw, c) for source, raw in meta.published if (c := read_date(raw, source)) is not None]
    declared = [read_day_first(raw, c, {o.local_day for _, o in read if o is not c}) for raw, c in read]
    # Nearest the headline first: a site's header may print the day it served the page over it
    # ("Friday, December 19, 2025"), a body text the dates of its story under it.
    shown = visible_dates(meta.byline, nearest=meta.headline_at)
    first_shown = {day for day, updated in shown if not updated}
    confirmed = [c for c in declared if c.local_day in first_shown and is_plausible(c.value, now=now)]
    found = confirmed + [c for c in declared if c not in confirmed]
    # A dateline under the headline that no declared date comes near (that none can be in any time
    # zone) wins over the declared dates: the page's readers see that one, and a declared date
    # that nothing shows is often a template's or an update's.
    # (Read only when a declared date is there and the byline confirms none: the only case it counts.)
    datelines = dateline_days(meta.byline, headline_at=meta.headline_at) if declared and not confirmed else []
    if (
        datelines
        and not any(could_fall_on(c, datelines[0]) for c in declared)
        and not _is_modified_day(meta, datelines[0])
    ):
        day = datelines[0]
        found.insert(0, DatedValue.of_day(day, "byline"))
    elif found and not confirmed and _stamped_on_update(meta, found[0]):
        # A declared publication that is the declared update to the second was stamped when the
        # page was last saved: an earlier date the byline shows is when it first appeared.
        earlier = [day for day, updated in shown if not updated and day < found[0].local_day]
        if earlier:
            day = earlier[0]
            found.insert(0, DatedValue.of_day(day, "byline"))
    from_url = date_from_url(url)
    if from_url is not None:
        found.append(DatedValue(from_url, "url", has_time=False))
    # Unlabelled dates first, then "Updated ..." ones: a page that shows only an update date
    # still dates the article (the WCXB gold reads it so).
    for day, _updated in sorted(shown, key=lambda item: item[1]):
        found.append(DatedValue.of_day(day, "byline"))
    return found


def _stamped_on_update(meta: PageMetadata, candidate: DatedValue) -> bool:
    """Whether `candidate`, a declared publication (JSON-LD or meta), is the declared update's instant."""
    return candidate.source in ("json-ld", "meta") and any(
        c.value == candidate.value for c in _declared_updates(meta)
    )


def _is_modified_day(meta: PageMetadata, day: date) -> bool:
    # A dateline that is the declared update's day shows when the article was updated: the
    # declared publication, which it contradicts, stays first (the update is kept in modified_at).
    return any(c.local_day == day for c in _declared_updates(meta))


def _declared_updates(meta: PageMetadata) -> list[DatedValue]:
    """The page's declared modification dates that read as dates."""
    return [c for source, raw in meta.modified if (c := read_date(raw, source)) is not None]


def _labelled_date(tree: lxml_html.HtmlElement) -> list[DatedValue]:
    """A page that declares no date and shows none near its headline may still label one further
    down ("Published On: 15 August 2025" in a sidebar or footer): the page's text is read for it
    only then (issue #12: WCXB +1 page on half 0, +2 on half 1)."""
    day = labelled_published_day(page_lines(tree))
    if day is None:
        return []
    return [DatedValue.of_day(day, "byline")]


def _first_published_date(meta: PageMetadata) -> list[DatedValue]:
    """A date a paragraph labels as the article's first publication ("This article was originally
    published on 26 Sep 2019"), wherever it sits: the issue's publish date, whatever the byline or
    the declared data give (an update's)."""
    day = first_published_day("\n".join(meta.first_published_notes))
    if day is None:
        return []
    return [DatedValue.of_day(day, "byline")]


def _scripted_date(html: str) -> list[DatedValue]:
    """A page that dates itself nowhere else may hold its publication date in a script's data
    (issue #12: WCXB +2 on half 0, none on half 1, where no page lacked a date and had one). Its
    source is "json-ld", the closest of PUBLISHED_SOURCES: the page's own JSON data."""
    day = scripted_published_day(html)
    if day is None:
        return []
    return [DatedValue.of_day(day, "json-ld")]


def _author_block_date(tree: lxml_html.HtmlElement, authors: Sequence[str]) -> list[DatedValue]:
    """A page dated nowhere else may print its date beside its author's name, in an author block
    away from the headline ("Luke Kim" over "December 17, 2025"; issue #12: WCXB +1 on each half,
    no other page changed). A "Last updated" label anywhere was tried too and dropped: it dated six
    pages whose gold has no date for two right, and the issue asks for the first-published day."""
    day = day_beside_names(page_lines(tree), authors)
    if day is None:
        return []
    return [DatedValue.of_day(day, "byline")]


def publication_dates(
    tree: lxml_html.HtmlElement,
    html: str,
    meta: PageMetadata,
    *,
    url: str,
    now: datetime,
    authors: Sequence[str],
) -> list[DatedValue]:
    """The candidates for the publication date, most trusted first: a first publication a paragraph
    labels, then the page's dates (_date_candidates), else the first of a date labelled further
    down, a script's and one beside `authors`, each read only when those before found none."""
    return _first_published_date(meta) + (
        _date_candidates(meta, url, now)
        or _labelled_date(tree)
        or _scripted_date(html)
        or _author_block_date(tree, authors)
    )


def modified_at(meta: PageMetadata, now: datetime, published_day: date | None) -> datetime | None:
    """The declared update, else the one the byline prints ("Updated March 5, 2025"), on or after
    the publication's day: the issue keeps the update here, apart from the first publication. (An
    update dated before the publication is not this article's: a template's, or a listing's date
    that won over the page's.)"""
    for declared in _declared_updates(meta):
        if (published_day is None or declared.local_day >= published_day) and is_plausible(
            declared.value, now=now
        ):
            return declared.value
    for day, updated in visible_dates(meta.byline, nearest=meta.headline_at):
        shown = DatedValue.of_day(day, "byline").value
        if updated and (published_day is None or day >= published_day) and is_plausible(shown, now=now):
            return shown
    return None
