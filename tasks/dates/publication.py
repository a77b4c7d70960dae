"""Publication date of a document from its header and text, and its mentions resolved against that date."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast

from tasks.dates.resolve import _as_date
from tasks.dates.scan import DateFinding, _Candidate, _candidates, _lower, _resolve_all, _tense
from tasks.records import DateSource, PartialDate


@dataclass(frozen=True, slots=True)
class DatedDocument:
    """Best publication date of a document and every date mention in it."""

    date: PartialDate | None
    source: DateSource | None
    mentions: tuple[DateFinding, ...]


# Where news states its own date (docs/dates.md, "Publication date"): the first few paragraphs hold the byline
# and the dateline, the last ones a sign-off. Paragraph counts, not characters: web pages put a menu or a title
# of any length before the byline.
BYLINE_PARAGRAPHS = 5
DATELINE_PARAGRAPHS = 5
SIGNOFF_PARAGRAPHS = 1
# Time zones and late editions: a past event may be told with a date one day after the page's own.
REPORT_SLACK_DAYS = 1
# A date line (a byline with no keyword, a sign-off) holds little besides the date: an author, a place, an agency.
DATE_LINE_REST_CHARS = 45
DATE_LINE_REST_WORDS = 7
# ... and hardly any running words: names and places are capitalised, `aura lieu` or `erschienen` are not.
DATE_LINE_LOWER_WORDS = 2

Place = Literal["byline", "dateline", "signoff"]
# Within bylines: a publication keyword first, then a bare date line, then an update keyword.
_DATE_LINE_RANK = 1
_KEYWORD_RANKS = ((0, 0), (0, 2))
_PLACE_ORDER: dict[Place, int] = {"byline": 0, "dateline": 1, "signoff": 2}

_S = r"[ \u00a0\u202f]"
# A time of day written next to a date in a byline: `10:18 PM`, `22h05`, `11:12 Uhr`, `à 10 h 30`, `GMT+10`.
_TIME = (
    rf"(?i:(?:à|a|at|um|alle|às|-|–|\|)?{_S}{{0,2}}\d{{1,2}}{_S}?[:.h]{_S}?\d{{2}}(?:[:.]\d{{2}})?"
    rf"(?:{_S}?(?:[ap]\.?m\.?|uhr|h))?(?:{_S}?(?:[a-z]{{2,4}}t|gmt|utc)(?:[+-]\d{{1,2}})?)?)"
)
# Words that introduce the publication (or update) date of a page, in the languages of the vocabulary.
_PUBLISHED = (
    r"publié|publiée|publie|mis{S}en{S}ligne|paru|parution|édité|published|posted|pubblicato|pubblicata"
    r"|publicado|publicada|veröffentlicht|erschienen|erstellt|datum|date|fecha|data|gepubliceerd|geplaatst"
).replace("{S}", _S)
_UPDATED = (
    r"mis{S}à{S}jour|mise{S}à{S}jour|actualisé|actualisée|modifié|modifiée|updated|last{S}updated|aggiornato"
    r"|aggiornata|actualizado|actualizada|atualizado|atualizada|aktualisiert|stand|bijgewerkt"
).replace("{S}", _S)
_KEYWORD = re.compile(
    rf"(?<!\w)(?:(?P<pub>{_PUBLISHED})|(?P<upd>{_UPDATED}))(?:{_S}(?:le|on|am|il|el|em|op|à|at|in))?"
    rf"(?:{_S}?[:,|-])?{_S}{{0,3}}(?:{_TIME},?{_S}{{0,2}})?\Z"
)
# A dateline: the place in capitals or title case, maybe a region or an agency, a comma, then the date...
_PLACE_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*"
_PLACE_LINK = r"(?:de|del|di|da|do|du|des|sur|upon|am|an|im|la|le|les|el|en|y|e|et|and)"
_DATELINE_BEFORE = re.compile(
    rf"\A(?:[-–—•*]{_S}?)?{_PLACE_WORD}(?:[ -](?:{_PLACE_WORD}|{_PLACE_LINK})){{0,4}}"
    rf"(?:{_S}?[(\[][^()\[\]]{{1,40}}[)\]]){{0,2}}{_S}?,{_S}{{0,2}}\Z"
)
# ... and after it an agency, a time, and the dash or colon that opens the story; or a date opening the paragraph
# as its own sentence (`31. Oktober 2023. Der ...`).
_DATELINE_AFTER = re.compile(
    rf"(?:,?{_S}?{_TIME})?{_S}?(?:[(\[][^()\[\]]{{1,30}}[)\]]|/[A-Z]{{2,}}/)?{_S}?"
    rf"(?:\.?{_S}?[-–—:]|\.{_S}+[A-ZÀ-ÖØ-Þ\"«“])"
)
_DATE_OPENS = re.compile(rf"\A(?:[-–—•*]{_S}?)?\Z")
_WORD = re.compile(r"[^\W\d_]+")
_TIME_ANYWHERE = re.compile(_TIME)
# A date line is no sentence: a paragraph whose last word ends in a full stop is running text.
_SENTENCE_END = re.compile(r"[^\W\d_]{2,}[.!?]\Z")
# An embedded post (`— Name (@handle) January 1, 2020`) is a quoted date, not the page's own.
_HANDLE = re.compile(r"@\w")


def _date_line(text: str, start: int, end: int) -> bool:
    """True when the paragraph is the date and little else: an author, a place, an agency, a time of day."""
    rest = _TIME_ANYWHERE.sub(" ", text[:start] + " " + text[end:])
    if _HANDLE.search(rest) or _SENTENCE_END.search(text.rstrip()):
        return False
    words = _WORD.findall(rest)
    lower = sum(len(w) > 2 and w.islower() for w in words)
    return (
        len(rest.strip(" ,.;:|-–—()[]")) <= DATE_LINE_REST_CHARS
        and len(words) <= DATE_LINE_REST_WORDS
        and lower <= DATE_LINE_LOWER_WORDS
    )


def _place(c: _Candidate, paragraphs: Sequence[str]) -> tuple[Place, int] | None:
    """Where a written date sits, if it is where news states its own date: (place, rank within the place)."""
    text = paragraphs[c.paragraph_id]
    before = text[max(0, c.start - 60) : c.start]
    last = len(paragraphs) - c.paragraph_id <= SIGNOFF_PARAGRAPHS
    if c.paragraph_id < BYLINE_PARAGRAPHS:
        keyword = _KEYWORD.search(before.lower())
        if keyword is not None:
            # The first publication date of a page, then its update date.
            return "byline", 0 if keyword["pub"] else 2
        if _date_line(text, c.start, c.end):
            return "byline", _DATE_LINE_RANK
    if c.paragraph_id < DATELINE_PARAGRAPHS:
        head = text[: c.start]
        opens = _DATELINE_BEFORE.search(head) is not None or _DATE_OPENS.search(head) is not None
        if opens and _DATELINE_AFTER.match(text, c.end) is not None:
            return "dateline", 0
    if last and c.paragraph_id >= BYLINE_PARAGRAPHS and _date_line(text, c.start, c.end):
        return "signoff", 0
    return None


def _infer_publication_date(
    candidates: Sequence[tuple[_Candidate, PartialDate]], header: PartialDate | None, paragraphs: Sequence[str]
) -> tuple[PartialDate | None, DateSource | None]:
    """Day header; else a byline, dateline or sign-off day the header covers; else the header; never a body date."""
    if header is not None and header.day is not None:
        return header, "header"
    placed: list[tuple[tuple[int, int, int, int], Place, PartialDate]] = []
    for c, value in candidates:
        if value.day is None or c.dateline < 1:
            continue
        found = _place(c, paragraphs)
        if found is not None:
            place, rank = found
            placed.append(((_PLACE_ORDER[place], rank, c.paragraph_id, c.start), place, value))
    keyed = [p for p in placed if p[0][:2] in _KEYWORD_RANKS]
    unkeyed = [p for p in placed if p[0][:2] not in _KEYWORD_RANKS]
    if len({value for _, _, value in unkeyed}) > 1:
        # Date lines, datelines or sign-offs that disagree: a list of dated items, a chronology or quoted posts,
        # not the page's own date. Only a publication keyword is then trusted; a null beats a wrong day.
        unkeyed = []
    placed = keyed + unkeyed
    placed = [p for p in placed if header is None or header.covers(p[2])]
    if placed:
        _, place, value = min(placed, key=lambda p: p[0])
        if not _reported_later(value, candidates, paragraphs):
            return value, cast(DateSource, f"header+{place}" if header is not None else place)
    return (header, "header") if header is not None else (None, None)


def _reported_later(
    value: PartialDate, candidates: Sequence[tuple[_Candidate, PartialDate]], paragraphs: Sequence[str]
) -> bool:
    """True when a full date more than a day after `value` is told in the past tense: `value` is then no page date."""
    # No page reports as done a day after its own publication: such a `value` dates an old post or an event.
    lows: dict[int, str] = {}
    for c, other in candidates:
        if c.dateline < 3 or other.day is None or (_as_date(other) - _as_date(value)).days <= REPORT_SLACK_DAYS:
            continue
        low = lows.setdefault(c.paragraph_id, _lower(paragraphs[c.paragraph_id]))
        if _tense(low, c.start, c.end) < 0:
            return True
    return False


def date_document(
    paragraphs: Sequence[str], header: PartialDate | None, *, language: str | None = None
) -> DatedDocument:
    """Publication date from header and text; mentions resolved against it, dropped when it is too coarse."""
    candidates = _candidates(paragraphs, language, header)
    provisional = [(c, v) for c in candidates if (v := c.resolve(header)) is not None]
    published, source = _infer_publication_date(provisional, header, paragraphs)
    if published is not None and header is None:
        # The year is now known, so 2-digit years and yearless dates can be read against it.
        candidates = _candidates(paragraphs, language, published)
    return DatedDocument(published, source, _resolve_all(candidates, paragraphs, published))
