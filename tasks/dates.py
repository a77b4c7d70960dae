"""Date mentions and publication dates: a linear-time multilingual regex grammar; no field is invented."""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tasks.date_vocab import (
    AMBIGUOUS_MONTHS,
    AMBIGUOUS_WEEKDAYS,
    DAY_WORDS,
    FALSE_FRIENDS,
    HOLIDAYS,
    MONTH_ABBREVIATIONS,
    MONTHS,
    NUMBER_WORDS,
    PERIOD_WORDS,
    WEEKDAYS,
)
from tasks.records import UNDETERMINED, DateSource, PartialDate

# Oldest and newest years a date mention may name; beyond them a 4-digit number is more likely a quantity.
MIN_YEAR = 1000
MAX_YEAR = 2100
# A bare 4-digit number (no preposition, no month) is only read as a year inside this window.
BARE_YEAR_MIN = 1900
BARE_YEAR_AHEAD = 10
# How far (characters) around a mention the tense of its sentence is looked for.
TENSE_WINDOW = 160
# A past (future) tense moves a yearless date to the previous (next) year only this many days past the anchor.
TENSE_SLACK_DAYS = 60
# Without a document year, a 2-digit year is read as the one nearest this year (not more than 10 years after).
TWO_DIGIT_REFERENCE = 2025
# Tense assumed when the sentence gives no cue: +1 future, -1 past, 0 "same year / same week".
# Measured: 0 keeps TimeBank and Duckling both high; -1 costs Duckling 13 points, +1 costs TimeBank 1.
DEFAULT_TENSE = 0
# A bare weekday with no tense cue is the nearest such day (0); measured against past (-1) and future (+1)
# on TimeBank with day headers, nearest was best.
_WEEKDAY_DEFAULT = 0


@dataclass(frozen=True, slots=True)
class DateFinding:
    """A date mention; paragraphs[paragraph][start:end] == text."""

    paragraph: int
    start: int
    end: int
    text: str
    value: PartialDate
    relative: bool


@dataclass(frozen=True, slots=True)
class DatedDocument:
    """Best publication date of a document and every date mention in it."""

    date: PartialDate | None
    source: DateSource | None
    mentions: tuple[DateFinding, ...]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A mention before resolution; `resolve(anchor)` is its value, or None when the anchor is too coarse."""

    paragraph: int
    start: int
    end: int
    priority: int
    relative: bool
    # How well the mention could date its document: 3 day, month and year written; 2 weekday, day and month;
    # 1 day and month; 0 not at all. Levels 1-2 exclude "dernier"/"prochain" and sentences about the future.
    dateline: int
    resolve: _Resolver


_Resolver = Callable[[PartialDate | None], PartialDate | None]

# ----------------------------------------------------------------------------------------------------
# Regular expressions. Every repetition is bounded and every alternative starts with a fixed word or a
# digit, so a scan costs a bounded amount of work per position.

_SP = r"[ \u00a0\u202f]{1,3}"
_SP0 = r"[ \u00a0\u202f]{0,3}"
_APOS = "['’]"


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so an alternation prefers `avant-hier` to `hier`; any apostrophe, any space."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace("'", _APOS).replace(r"\ ", _SP) for w in ordered)


_ABBREVIATIONS_ONLY = set(MONTH_ABBREVIATIONS) - set(MONTHS)
_MONTH = rf"(?<!\w)(?:(?:{_alternation(MONTHS)})(?!\w)|(?:{_alternation(_ABBREVIATIONS_ONLY)})(?:\.|(?!\w)))"
_WEEKDAY = rf"(?<![\w-])(?:{_alternation(WEEKDAYS)})(?!\w)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_ORDINAL = r"(?:\.|er|ère|eme|ème|e|st|nd|rd|th|º|°)?"
_YEAR_AFTER = rf"(?P<y>\d{{4}}|{_APOS}\d{{2}}|\d{{2}})(?!\d|[.,]\d)"
_QUAL = (
    r"(?P<q>dernier|dernière|derniers|dernières|prochain|prochaine|prochains|prochaines|passé|passée"
    r"|last|next|pasado|próximo|scorso|prossimo|passado)"
)
_MOD = (
    rf"(?P<mod>(?<!\w)(?:(?:à{_SP}la|la|au){_SP})?(?:fin|début|mi){_SP0}(?:-|de{_SP}l{_APOS}|de{_SP}"
    rf"|d{_APOS}|du{_SP}mois"
    rf"{_SP}d(?:e{_SP}|{_APOS}))?{_SP0}|courant{_SP}|early{_SP}|late{_SP}|mid-|anfang{_SP}|ende{_SP}"
    rf"|mitte{_SP}"
    rf"|a{_SP}(?:principios|finales|mediados){_SP}de{_SP})"
)
_CONTEXT = (
    rf"(?:(?P<ctx>(?<!\w)(?:en|dès|depuis|jusqu{_APOS}en|jusqu{_APOS}à|d{_APOS}ici|avant|après"
    rf"|au{_SP}mois{_SP}d"
    rf"(?:e|{_APOS})|mois{_SP}d(?:e|{_APOS})|de|d{_APOS}|du|in|since|until|by|during|before|after|of|this|im"
    rf"|seit|bis"
    rf"|vor|nach|ab|desde|hasta|durante|el|nel|dal|fino{_SP}a|em|no|na|até|op|sinds|tot|van)){_SP})"
)
_STRONG_CONTEXT = frozenset(
    """en dès depuis jusqu'en jusqu'à d'ici avant après in since until by during before after seit bis vor
    nach ab desde hasta durante nel dal em até sinds tot im""".split()
)

_DMY = re.compile(
    rf"(?:(?P<wd>{_WEEKDAY}),?{_SP})?(?:(?P<art>le|les|the|am|el|il|den|op|ce){_SP})?"
    rf"(?<![\d.,/:-])(?P<d>{_DAY}|1er|premier|first)(?!\d){_ORDINAL}"
    rf"(?:{_SP}jour{_SP}(?:de{_SP}|d{_APOS}))?{_SP0}(?:(?:de|of|del){_SP})?(?P<m>{_MONTH})"
    rf"(?:(?:,{_SP0}|{_SP})(?:(?:de|del){_SP})?{_YEAR_AFTER}|{_SP}{_QUAL})?",
)
_MDY = re.compile(
    rf"(?:(?P<wd>{_WEEKDAY}),?{_SP})?(?P<m>{_MONTH}){_SP}(?P<d>{_DAY})(?:st|nd|rd|th)?(?!\d|:\d)"
    rf"(?:,?{_SP}(?P<y>\d{{4}})(?!\d|[.,]\d))?",
)
_COORD = re.compile(
    rf"(?P<art>les|du|entre{_SP}le){_SP}(?P<d>{_DAY})(?:er)?{_SP}(?:et|au|à"
    rf"|-){_SP}(?:le{_SP})?{_DAY}(?:er)?{_SP}"
    rf"(?P<m>{_MONTH})(?:{_SP}{_YEAR_AFTER}|{_SP}{_QUAL})?",
)
_MONTH_WORD = re.compile(_MONTH)
_WEEKDAY_WORD = re.compile(_WEEKDAY)
_DIGIT = re.compile(r"\d")
# Context before a month or a year is looked for backwards from the word: the scan stays a plain search.
_BEFORE_MONTH = re.compile(rf"(?:{_CONTEXT})?{_MOD}?\Z")
_BEFORE_YEAR = re.compile(
    rf"(?:{_CONTEXT}|(?P<lan>(?<!\w)(?:en{_SP})?l{_APOS}an(?:née)?{_SP}|(?<!\w)(?:de{_SP}l{_APOS}|l{_APOS}"
    rf"|en{_SP})?"
    rf"année{_SP}|(?<!\w)the{_SP}year{_SP}|(?<!\w)im{_SP}jahr(?:e)?{_SP}|(?<!\w)en{_SP}el{_SP}año{_SP}"
    rf"|(?<!\w)nell{_APOS}anno{_SP}|(?<!\w)no{_SP}ano{_SP}de{_SP}))?{_MOD}?\Z"
)
_BEFORE_PERIOD = re.compile(rf"{_MOD}\Z")
_AFTER_MONTH_YEAR = re.compile(rf"(?:{_SP}(?:de|del|of){_SP}|,?{_SP}){_YEAR_AFTER}")
_AFTER_QUAL = re.compile(rf"{_SP}{_QUAL}(?!\w)")
_YEAR = re.compile(r"(?:(?<=\d{4}[/-])|(?<![\d.,/:€$£-]))(?P<y>1\d{3}|20\d\d|2100)(?!\w|[.,]\d|[ \u00a0]?%|[’']s)")
_ISO = re.compile(r"(?<![\d.,/-])(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?![\d]|[.,/-]\d)")
_NUM_DMY = re.compile(
    rf"(?:(?P<art>le|du|au|the|am|el|il|vom"
    rf"|den){_SP})?(?<![\d.,/:-])(?P<a>\d{{1,2}})(?P<s>[/.-])(?P<b>\d{{1,2}})"
    r"(?P=s)(?P<y>\d{4}(?![\d:])|\d{2}(?=\d{1,2}:\d)|\d{2}(?!\d))(?![.,/-]\d)",
)
_NUM_SPACED = re.compile(
    rf"(?:(?P<art>le){_SP})?(?<![\d.,/:-])(?<!\d )(?P<a>\d{{1,2}}) (?P<b>\d{{1,2}})(?: (?P<y>\d{{4}}"
    rf"|\d{{2}}))?"
    r"(?![\d]| \d|[.,:]\d)",
)
_NUM_DM = re.compile(
    rf"(?:(?P<art>le|du|au|am|vom){_SP})?(?<![\d.,/:-])(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})(?![\d]|[/.,-]\d)",
)
_DAY_ALONE = re.compile(
    rf"(?<!\w)(?P<art>le|les){_SP}(?P<d>{_DAY}|1er)(?!\d)(?!,?{_SP}(?:rue|avenue|av|bd|boulevard|place"
    rf"|chemin|allée"
    rf"|impasse|quai|route)\b)(?=[ \u00a0]?[,.;:!?)»]|$|{_SP}(?:à|au|dans|et|en|prochain|dernier"
    rf"|courant)(?!\w))",
)
_WEEKDAY_DAY = re.compile(
    rf"(?P<wd>{_WEEKDAY}){_SP}(?:le{_SP})?(?P<d>{_DAY}|1er)(?!\d)(?!{_SP0}(?:h\b|heures?|:|[.,]\d|%|\w))",
)
_WEEKDAY_REL = re.compile(
    rf"(?:(?P<pre>ce|cette|this|on|last|next|coming|past|letzten|vergangenen|kommenden|nächsten|diesen"
    rf"|el{_SP}pasado"
    rf"|el{_SP}próximo|el|il|lo|la|o|a|am|op|aujourd{_APOS}hui|today|heute|hoy|oggi|hoje){_SP0},?{_SP})?"
    rf"(?P<wd>{_WEEKDAY})(?:{_SP}(?P<q>dernier|prochain|passé|en{_SP}(?:huit|8|quinze|15)"
    rf"|(?:de{_SP})?(?:cette|la)"
    rf"{_SP}semaine(?:{_SP}(?:prochaine|dernière))?|last|next|pasad[oa]|próxim[oa]|scors[oa]|prossim[oa]"
    rf"|passad[oa]"
    rf"|que{_SP}vem))?",
)
_SHIFT_WORDS = (
    "dans|d'ici|dentro de|tra|fra|daqui a|il y a|vor|hace|há|ago|fa|atrás|earlier|plus tôt|auparavant|geleden"
    "|later|plus tard|après|después|dopo|depois"
)
# One pass finds every fixed word or phrase; the costlier shift patterns run only where a shift word was seen.
_WORDS = re.compile(
    rf"(?<![\w-])(?:(?P<dw>{_alternation(DAY_WORDS)})|(?P<p>{_alternation(PERIOD_WORDS)})"
    rf"|(?P<h>{_alternation(HOLIDAYS)})|(?P<sh>{_alternation(_SHIFT_WORDS.split('|'))}))(?![\w-])"
)
_DIGIT_SEPARATOR = re.compile(r"\d[/.-]\d")
_DIGIT_SPACE = re.compile(r"\d \d")
_FOUR_DIGITS = re.compile(r"\d{4}")
_UNITS = {
    "day": r"jours?|days?|tagen?|tage|días?|dias?|giorni|giorno|dagen|dag",
    "week": r"semaines?|weeks?|wochen?|semanas?|settimane|settimana|weken|week",
    "month": r"mois|months?|monaten?|monate|meses|mes|mesi|mese|mês|maanden|maand",
    "year": r"ans?|années?|years?|jahren?|jahre|años?|anni|anno|anos?|jaren|jaar",
}
_UNIT = "|".join(rf"(?P<{k}>{v})" for k, v in _UNITS.items())
_NUMBER = rf"(?P<n>\d{{1,3}}|{_alternation(NUMBER_WORDS)})"
_SHIFT_BEFORE = re.compile(
    # English and German `in 3 years` is as often a duration as a date: only unambiguous words lead here.
    rf"(?<!\w)(?:(?P<fwd>dans|d{_APOS}ici|dentro{_SP}de|tra|fra|daqui{_SP}a)"
    rf"|(?P<back>il{_SP}y{_SP}a|vor|hace|há)){_SP}{_NUMBER}{_SP}(?:{_UNIT})(?!\w)",
)
_SHIFT_AFTER = re.compile(
    rf"(?<!\w){_NUMBER}{_SP}(?:{_UNIT}){_SP}(?:(?P<back>ago|fa|atrás|earlier|plus{_SP}tôt|auparavant|geleden)"
    rf"|(?P<fwd>later|plus{_SP}tard|après|después|dopo|depois))(?!\w)",
)

_FUTURE = re.compile(
    rf"(?<!\w)(?:sera|seront|serons|aura|auront|ira|iront|fera|feront|pourra|pourront|devra|devront|va|vont"
    rf"|doit"
    rf"|doivent|prévue?s?|aura{_SP}lieu|will|shall|going{_SP}to|wird|werden|soll|sollen|kommenden?"
    rf"|será|serán|sarà|saranno|vai|vão|irá|[a-zé]{{3,}}(?:era|eront|eras|erez|erons|iront|irons|rai))(?!\w)",
)
_PAST = re.compile(
    rf"(?<!\w)(?:(?:a|ont|avait|avaient|est|sont|était|étaient|fut|furent|avons|avez|ai|as){_SP}(?:(?:été"
    rf"|déjà|pas|bien"
    rf"|aussi|encore|ensuite|également|notamment){_SP})?\w+(?:é|ée|és|ées|i|is|it|u|ue|us|ert|int|ait)"
    rf"|\w{{2,}}(?:ait|aient)|fut|furent|was|were|had|did|said|ago|\w{{3,}}ed|war|waren|hatte|hatten"
    rf"|wurde|wurden|fue|fueron|fui|foi|foram)(?!\w)",
)
_SENTENCE_END = re.compile(r"[.!?;](?:\s|$)")

_FUNCTION_WORDS = frozenset(
    """et à au aux en le la les l de du des d pour par dans sur avec puis où qui que quand lorsque il elle
    ils elles on ce cette ces un une a ont est sont était avait se s mais ou the and in on at for to of
    was were is had has by as with from that this which but or und im in der die das den dem ist war
    wurde y e el la los las del con se fue es il lo gli è di del della che o os as do da foi em no na en
    het van een werd""".split()
)
_LOWER_WORD = re.compile(r"[ \u00a0]{0,2}([^\W\d_]+)")


# ----------------------------------------------------------------------------------------------------
# Calendar helpers.


def _valid(year: int, month: int, day: int | None = None) -> PartialDate | None:
    try:
        return PartialDate(year, month, day)
    except ValueError:
        return None


def _as_date(value: PartialDate) -> date:
    assert value.month is not None and value.day is not None
    return date(value.year, value.month, value.day)


def _from_date(value: date) -> PartialDate:
    return PartialDate(value.year, value.month, value.day)


def _add_months(year: int, month: int, shift: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + shift
    return index // 12, index % 12 + 1


def _tense(text: str, start: int, end: int) -> int:
    """+1 when the verb nearest the mention in its sentence is future, -1 when past, 0 when nothing says."""
    lo = max(0, start - TENSE_WINDOW)
    hi = min(len(text), end + TENSE_WINDOW)
    for m in _SENTENCE_END.finditer(text, lo, start):
        lo = m.end()
    stop = _SENTENCE_END.search(text, end, hi)
    if stop is not None:
        hi = stop.start()
    best = (TENSE_WINDOW * 2, 0)
    for pattern, sign in ((_FUTURE, 1), (_PAST, -1)):
        for m in pattern.finditer(text, lo, hi):
            if start <= m.start() < end:
                continue
            distance = start - m.end() if m.end() <= start else m.start() - end
            best = min(best, (distance, sign))
    return best[1] if best[0] < TENSE_WINDOW * 2 else DEFAULT_TENSE


def _year_for(month: int, day: int | None, anchor: PartialDate, mode: int) -> int | None:
    """Year of a yearless date: mode -2 strictly before, +2 strictly after, -1/+1 leaning, 0 anchor's year."""
    if mode == 0:
        return anchor.year
    if anchor.month is None:
        return anchor.year if abs(mode) == 1 else None
    if abs(mode) == 1:
        # A tense only moves the year when the same-year reading is far on the wrong side of the anchor.
        gap = (month - anchor.month) * 31 + ((day or 15) - (anchor.day or 15))
        if mode < 0 and gap > TENSE_SLACK_DAYS:
            return anchor.year - 1
        if mode > 0 and gap < -TENSE_SLACK_DAYS:
            return anchor.year + 1
        return anchor.year
    if day is not None and anchor.day is None:
        if month == anchor.month:
            # Only the anchor's month is known: a day in that month may fall on either side of it.
            return anchor.year
        key, ref = (month, 0), (anchor.month, 0)
    else:
        key, ref = (month, day or 0), (anchor.month, anchor.day if day is not None and anchor.day else 0)
    if mode == -2:
        return anchor.year if key < ref else anchor.year - 1
    return anchor.year if key > ref else anchor.year + 1


def _qual_mode(q: str | None, tense: int) -> int:
    if q:
        q = q.lower()
        if q.startswith(("dern", "pass", "last", "scor")):
            return -2
        return 2
    return tense


def _weekday_near(anchor: date, weekday: int, mode: int) -> date:
    """Mode -2 strictly before, -1 on or before, 0 nearest, 1-2 strictly after, 3 on or after the anchor."""
    back = (anchor.weekday() - weekday) % 7
    ahead = (weekday - anchor.weekday()) % 7
    if mode == -2:
        return anchor - timedelta(days=back or 7)
    if mode == 2:
        return anchor + timedelta(days=ahead or 7)
    if mode == -1:
        return anchor - timedelta(days=back)
    if mode == 1:
        return anchor + timedelta(days=ahead or 7)
    if mode == 3:
        return anchor + timedelta(days=ahead)
    return anchor - timedelta(days=back) if back <= ahead else anchor + timedelta(days=ahead)


# ----------------------------------------------------------------------------------------------------
# Resolvers: small closures so that every candidate can be resolved again once the publication date is known.


def _absolute(value: PartialDate) -> _Resolver:
    return lambda anchor: value


def _day_month(month: int, day: int, mode: int, weekday: int | None) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None:
            return None
        if weekday is not None and abs(mode) != 2:
            years = [
                y for y in (anchor.year, anchor.year - 1, anchor.year + 1) if _weekday_matches(y, month, day, weekday)
            ]
            if years:
                return _valid(years[0], month, day)
        year = _year_for(month, day, anchor, mode)
        return None if year is None else _valid(year, month, day)

    return resolve


def _weekday_matches(year: int, month: int, day: int, weekday: int) -> bool:
    value = _valid(year, month, day)
    return value is not None and _as_date(value).weekday() == weekday


def _month_only(month: int, mode: int) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None:
            return None
        year = _year_for(month, None, anchor, mode)
        return None if year is None else _valid(year, month)

    return resolve


def _day_shift(days: int) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or anchor.day is None:
            return None
        try:
            return _from_date(_as_date(anchor) + timedelta(days=days))
        except OverflowError:
            return None

    return resolve


def _month_shift(months: int, keep_day: bool) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or anchor.month is None or (keep_day and anchor.day is None):
            return None
        year, month = _add_months(anchor.year, anchor.month, months)
        if not MIN_YEAR <= year <= 9999:
            return None
        if not keep_day:
            return PartialDate(year, month)
        assert anchor.day is not None
        return PartialDate(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))

    return resolve


def _year_shift(years: int) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or not 1 <= anchor.year + years <= 9999:
            return None
        return PartialDate(anchor.year + years)

    return resolve


def _weekday(weekday: int, mode: int, week: int | None) -> _Resolver:
    """With `week`, that weekday `week` weeks from the anchor's week; else the one `mode` picks."""

    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or anchor.day is None:
            return None
        day = _as_date(anchor)
        try:
            if week is not None:
                found = day - timedelta(days=day.weekday()) + timedelta(days=7 * week + weekday)
            else:
                found = _weekday_near(day, weekday, mode)
        except OverflowError:
            return None
        return _from_date(found)

    return resolve


def _day_of_month(day: int, weekday: int | None, mode: int) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or anchor.month is None:
            return None
        if weekday is None:
            shift = 0
            if anchor.day is not None and mode == -1 and day > anchor.day:
                shift = -1
            elif anchor.day is not None and mode == 1 and day < anchor.day:
                shift = 1
            year, month = _add_months(anchor.year, anchor.month, shift)
            return _valid(year, month, day)
        if anchor.day is None:
            # Only the month is known: the weekday must fit that month's day.
            value = _valid(anchor.year, anchor.month, day)
            return value if value is not None and _as_date(value).weekday() == weekday else None
        step = -1 if mode < 0 else 1
        for offset in range(0, 14 * step, step):
            year, month = _add_months(anchor.year, anchor.month, offset)
            value = _valid(year, month, day)
            if value is None or _as_date(value).weekday() != weekday:
                continue
            if offset == 0 and (day - anchor.day) * step < 0:
                continue
            return value
        return None

    return resolve


# ----------------------------------------------------------------------------------------------------
# Scanning.


def _month_number(word: str) -> tuple[int, frozenset[str], bool] | None:
    """(month, languages, is_abbreviation) of a matched month word."""
    key = word.lower().rstrip(".")
    if key in MONTHS:
        number, langs = MONTHS[key]
        return number, langs, False
    if key in MONTH_ABBREVIATIONS:
        number, langs = MONTH_ABBREVIATIONS[key]
        return number, langs, True
    return None


def _day_number(word: str) -> int:
    word = word.lower()
    return 1 if word in ("1er", "premier", "first") else int(word)


def _two_digit_year(text: str, group_end: int, raw: str, anchor_year: int | None) -> int | None:
    """A 2-digit year, trusted only when no word follows it (`octobre 98.`, not `mars 20 personnes`)."""
    digits = int(raw.lstrip("'’"))
    if raw[0].isdigit():
        word = _LOWER_WORD.match(text, group_end)
        if word is not None and word.group(1)[0].islower() and word.group(1).lower() not in _FUNCTION_WORDS:
            return None
    reference = anchor_year if anchor_year is not None else TWO_DIGIT_REFERENCE
    year = reference - reference % 100 + digits
    return year - 100 if year > reference + 10 else year


def _followed_by_unit(text: str, end: int, strict: bool) -> bool:
    """True when the word after a number makes it a quantity rather than a year."""
    rest = text[end : end + 3].lstrip(" \u00a0")
    if rest and (rest[0].isdigit() or rest[0] in "%€$£°"):
        return True
    word = _LOWER_WORD.match(text, end)
    if word is None or end == len(text) or text[end] not in " \u00a0":
        return False
    token = word.group(1)
    if not token[0].islower():
        return False
    return token in _UNIT_WORDS or (strict and token.lower() not in _FUNCTION_WORDS)


_UNIT_WORDS = frozenset(
    """euros euro dollars dollar francs livres habitants personnes salariés emplois km mètres m kg tonnes
    ha hectares litres points voix élèves km/h places logements exemplaires mm cm g people inhabitants
    employees miles metres meters jobs students votes einwohner menschen personas habitantes""".split()
)


def _allowed_month(word: str, start: int, info: tuple[int, frozenset[str], bool], anchored: bool) -> bool:
    """Whether a month word (original case) is a month here: abbreviations and ambiguous words need help."""
    key = word.lower().rstrip(".")
    _, langs, abbreviation = info
    if abbreviation and not anchored:
        return False
    if key == "sept" and not word.endswith(".") and not anchored:
        return False
    if key in AMBIGUOUS_MONTHS:
        if langs & {"fr", "pt", "es"}:
            # Romance languages write months in lower case: `Mars` mid-text is the planet or the brand.
            if word[0].isupper() and not anchored and start > 0:
                return False
        elif not word[0].isupper():
            return False
    return True


def _lower(text: str) -> str:
    """Lower case with the same length, so offsets stay valid (a few characters grow when lowered)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _after_sentence_start(text: str, start: int) -> bool:
    return text[max(0, start - 2) : start].strip() in ("", ".", "!", "?", "»", "«", ":", "-", "–", "—", "(")


def _scan(text: str, paragraph: int, language: str | None, anchor_year: int | None) -> list[_Candidate]:
    out: list[_Candidate] = []

    def add(start: int, end: int, priority: int, relative: bool, dateline: int, resolve: _Resolver) -> None:
        out.append(_Candidate(paragraph, start, end, priority, relative, dateline, resolve))

    low = _lower(text)
    # ISO 639-1 hint; "und" (undetermined) and None mean no hint.
    lang = "" if language is None or language.lower() == UNDETERMINED else language.lower()[:2]
    year_hi = (anchor_year or TWO_DIGIT_REFERENCE) + BARE_YEAR_AHEAD
    has_digit = _DIGIT.search(low) is not None
    months = list(_MONTH_WORD.finditer(low))
    has_weekday = _WEEKDAY_WORD.search(low) is not None

    if has_digit:
        _scan_numeric(text, low, lang, anchor_year, year_hi, add)
    if months:
        _scan_months(text, low, months, anchor_year, has_digit, add)
    if has_weekday:
        _scan_weekdays(text, low, lang, has_digit, add)
    _scan_words(text, low, lang, add)
    return out


_Add = Callable[[int, int, int, bool, int, _Resolver], None]


def _scan_numeric(text: str, low: str, lang: str, anchor_year: int | None, year_hi: int, add: _Add) -> None:
    # Cheap searches first: most paragraphs with digits have neither separators nor 4-digit numbers.
    separated = _DIGIT_SEPARATOR.search(low) is not None
    spaced = _DIGIT_SPACE.search(low) is not None
    four_digits = _FOUR_DIGITS.search(low) is not None
    nothing: tuple[re.Match[str], ...] = ()
    for m in _ISO.finditer(low) if separated and four_digits else nothing:
        value = _valid(int(m["y"]), int(m["m"]), int(m["d"]))
        if value is not None and MIN_YEAR <= value.year <= MAX_YEAR:
            add(m.start(), m.end(), 9, False, 3, _absolute(value))

    for m in _NUM_DMY.finditer(low) if separated else nothing:
        a, b, y = int(m["a"]), int(m["b"]), m["y"]
        if len(y) == 2:
            if m["s"] == "-":
                continue
            year = _two_digit_year(text, m.end(), y, anchor_year)
        else:
            year = int(y)
        if year is None or not MIN_YEAR <= year <= MAX_YEAR:
            continue
        day, month = (b, a) if (lang == "en" and a <= 12 and m["s"] == "/") or (b > 12 >= a) else (a, b)
        value = _valid(year, month, day)
        if value is not None:
            add(m.start(), m.end(), 8, False, 3, _absolute(value))

    for m in _NUM_SPACED.finditer(low) if spaced else nothing:
        a, b, y = int(m["a"]), int(m["b"]), m["y"]
        if y is None:
            if not m["art"] or _followed_by_unit(text, m.end(), True) or _valid(2000, b, a) is None:
                continue
            add(m.start(), m.end(), 3, True, 0, _day_month(b, a, _tense(low, m.start(), m.end()), None))
            continue
        if len(y) == 2 and not m["art"] and not (len(m["a"]) == 2 and len(m["b"]) == 2):
            continue
        if _followed_by_unit(text, m.end(), False):
            continue
        year = int(y) if len(y) == 4 else _two_digit_year(text, m.end(), y, anchor_year)
        if year is None or not BARE_YEAR_MIN <= year <= year_hi:
            continue
        value = _valid(year, b, a)
        if value is not None:
            add(m.start(), m.end(), 3, False, 3, _absolute(value))

    for m in _NUM_DM.finditer(low) if separated else nothing:
        a, b = int(m["a"]), int(m["b"])
        if not m["art"] and len(m["a"]) < 2:
            continue
        if _valid(2000, b, a) is None:
            continue
        add(m.start(), m.end(), 4, True, 0, _day_month(b, a, _tense(low, m.start(), m.end()), None))

    for m in _YEAR.finditer(low) if four_digits else nothing:
        year = int(m["y"])
        if not MIN_YEAR <= year <= MAX_YEAR:
            continue
        if m.start() > 0 and low[m.start() - 1] in "/-":
            # `2002/2003` is a season and `1999-2005` a span, but `1234-5678` is a code.
            if not 0 < year - int(low[m.start() - 5 : m.start() - 1]) <= 20:
                continue
        before = _BEFORE_YEAR.search(low, max(0, m.start() - 40), m.start())
        assert before is not None  # every part is optional
        context = (before["ctx"] or "").strip().replace("’", "'")
        strong = bool(before["lan"] or before["mod"] or context.split(" ")[0] in _STRONG_CONTEXT)
        if _followed_by_unit(text, m.end(), not strong):
            continue
        if not strong and not BARE_YEAR_MIN <= year <= year_hi:
            continue
        start = before.start("lan") if before["lan"] else before.start("mod") if before["mod"] else m.start()
        add(start, m.end(), 1, False, 0, _absolute(PartialDate(year)))

    for m in _DAY_ALONE.finditer(low) if lang in ("", "fr") else nothing:
        day = _day_number(m["d"])
        add(m.start(), m.end(), 1, True, 0, _day_of_month(day, None, _tense(low, m.start(), m.end())))


def _scan_months(
    text: str, low: str, months: list[re.Match[str]], anchor_year: int | None, has_digit: bool, add: _Add
) -> None:
    patterns = ((_DMY, True), (_MDY, False)) if has_digit else ((_DMY, True),)
    for pattern, day_first in patterns:
        for m in pattern.finditer(low):
            info = _month_number(m["m"])
            if info is None:
                continue
            month, langs, _ = info
            word = text[m.start("m") : m.end("m")]
            if not day_first and ("en" not in langs or (m["m"] in AMBIGUOUS_MONTHS and not word[0].isupper())):
                continue
            if not _allowed_month(word, m.start("m"), info, anchored=True):
                continue
            day = _day_number(m["d"])
            start, end = m.start(), m.end()
            weekday = WEEKDAYS[m["wd"]][0] if m["wd"] else None
            if m.groupdict().get("art") == "ce" and not m["wd"]:
                start = m.start("d")
            year: int | None = None
            y = m["y"]
            if y:
                year = int(y) if len(y) == 4 else _two_digit_year(text, m.end("y"), y, anchor_year)
                if year is None or not MIN_YEAR <= year <= MAX_YEAR:
                    year = None
                    end = max(m.end("m"), m.end("d"))
            if year is not None:
                value = _valid(year, month, day)
                if value is not None:
                    add(start, end, 7, False, 3, _absolute(value))
                continue
            if _valid(2000, month, day) is None:
                continue
            q = m.groupdict().get("q")
            mode = _qual_mode(q, _tense(low, start, end))
            # A weekday that fits the date, in a sentence not about the future, reads like a dateline.
            dateline = 0 if q or mode > 0 else 2 if weekday is not None else 1
            add(start, end, 7, True, dateline, _day_month(month, day, mode, weekday))

    if has_digit:
        for m in _COORD.finditer(low):
            info = _month_number(m["m"])
            if info is None:
                continue
            month, day, end = info[0], int(m["d"]), m.end("d")
            if m["y"] and len(m["y"]) == 4:
                value = _valid(int(m["y"]), month, day)
                if value is not None:
                    add(m.start(), end, 6, False, 3, _absolute(value))
                continue
            if _valid(2000, month, day) is None:
                continue
            mode = _qual_mode(m["q"], _tense(low, m.start(), m.end()))
            add(m.start(), end, 6, True, 0, _day_month(month, day, mode, None))

    for m in months:
        info = _month_number(m.group())
        if info is None:
            continue
        word = text[m.start() : m.end()]
        before = _BEFORE_MONTH.search(low, max(0, m.start() - 40), m.start())
        assert before is not None  # every part is optional
        start = before.start("mod") if before["mod"] else m.start()
        after = _AFTER_MONTH_YEAR.match(low, m.end()) if has_digit else None
        if after is not None and _allowed_month(word, m.start(), info, anchored=True):
            y = after["y"]
            year = int(y) if len(y) == 4 else _two_digit_year(text, after.end("y"), y, anchor_year)
            unit = _followed_by_unit(text, after.end(), len(y) == 2)
            if (
                year is not None
                and MIN_YEAR <= year <= MAX_YEAR
                and not unit
                and not (len(y) == 2 and (info[2] or (y.isdigit() and int(y) <= 31 and "en" in info[1])))
            ):
                # English puts the day after the month: `October 20` is a day, `octobre 98` a year.
                add(start, after.end(), 5, False, 0, _absolute(PartialDate(year, info[0])))
                continue
        if not _allowed_month(word, m.start(), info, anchored=False):
            continue
        qual = _AFTER_QUAL.match(low, m.end())
        context = (before["ctx"] or "").strip().replace("’", "'")
        strong = before["mod"] or qual or context.split(" ")[0] in _STRONG_CONTEXT
        if m.group() in AMBIGUOUS_MONTHS and not strong:
            continue
        if not strong and word[0].isupper() and info[1] <= {"fr", "es", "it", "pt"}:
            # Romance languages write months in lower case: a capitalised one is a name (Avril, Janeiro).
            continue
        end = qual.end() if qual else m.end()
        mode = _qual_mode(qual["q"] if qual else None, _tense(low, start, end))
        add(start, end, 2, True, 0, _month_only(info[0], mode))


def _scan_weekdays(text: str, low: str, lang: str, has_digit: bool, add: _Add) -> None:
    if has_digit:
        for m in _WEEKDAY_DAY.finditer(low):
            weekday = WEEKDAYS[m["wd"]][0]
            tense = _tense(low, m.start(), m.end())
            add(m.start(), m.end(), 2, True, 0, _day_of_month(_day_number(m["d"]), weekday, tense or 1))

    for m in _WEEKDAY_REL.finditer(low):
        word = m["wd"]
        weekday, langs = WEEKDAYS[word]
        pre = m["pre"] or ""
        q = m["q"] or ""
        if word in AMBIGUOUS_WEEKDAYS and not (pre or q):
            continue
        if lang and lang not in langs and not (pre or q):
            continue
        if text[m.start("wd")].isupper() and not (langs & {"en", "de", "nl"}) and not (pre or q):
            # Capitalised mid-sentence Romance weekday: a name (Vendredi, Samedi) or a title, not a date.
            if not _after_sentence_start(text, m.start()):
                continue
        start = m.start("wd") if pre in ("on", "el", "il", "lo", "la", "o", "a", "am", "op") else m.start()
        tense = _tense(low, m.start("wd"), m.end())
        week: int | None = None
        mode = tense
        if pre.startswith(("aujourd", "today", "heute", "hoy", "oggi", "hoje")):
            add(start, m.end(), 4, True, 0, _day_shift(0))
            continue
        if q.startswith(("dern", "pass", "last", "scor", "pasad")) or pre in (
            "last",
            "past",
            "letzten",
            "vergangenen",
        ):
            mode = -2
        elif pre.endswith("pasado"):
            mode = -2
        elif q.startswith(("proch", "next", "próx", "pross", "que")) or pre in (
            "next",
            "coming",
            "kommenden",
            "nächsten",
        ):
            mode = 2
        elif pre.endswith("próximo"):
            mode = 2
        elif q.startswith("en"):
            add(
                start,
                m.end(),
                4,
                True,
                0,
                _weekday_on_or_after(weekday, 14 if q.endswith(("quinze", "15")) else 7),
            )
            continue
        elif "semaine" in q:
            week = 1 if q.endswith("prochaine") else -1 if q.endswith("dernière") else 0
        elif pre in ("ce", "cette", "this", "diesen"):
            # `ce dimanche` is today on a Sunday, else the coming one unless the sentence is in the past.
            mode = -1 if tense < 0 else 3
        add(start, m.end(), 3, True, 0, _weekday(weekday, mode if mode else _WEEKDAY_DEFAULT, week))


def _scan_words(text: str, low: str, lang: str, add: _Add) -> None:
    shift_words = False
    for m in _WORDS.finditer(low):
        key = _SPACES.sub(" ", m.group().replace("’", "'"))
        if m["dw"]:
            if lang not in FALSE_FRIENDS.get(key, ()):
                add(m.start(), m.end(), 3, True, 0, _day_shift(DAY_WORDS[key]))
        elif m["p"]:
            unit, shift = PERIOD_WORDS[key]
            before = _BEFORE_PERIOD.search(low, max(0, m.start() - 40), m.start())
            start = before.start() if before is not None else m.start()
            resolve = _year_shift(shift) if unit == "year" else _month_shift(shift, False)
            add(start, m.end(), 3, True, 0, resolve)
        elif m["h"]:
            if low[max(0, m.start() - 5) : m.start()] == "père ":
                continue  # Father Christmas is no date
            month, day = HOLIDAYS[key]
            mode = _tense(low, m.start(), m.end()) or 2
            add(m.start(), m.end(), 2, True, 0, _day_month(month, day, mode, None))
        else:
            shift_words = True
    if not shift_words:
        return

    for m in (*_SHIFT_BEFORE.finditer(low), *_SHIFT_AFTER.finditer(low)):
        raw = m["n"]
        n = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw)
        if n is None or n > 400:
            continue
        sign = -1 if m["back"] else 1
        if m["day"]:
            resolve = _day_shift(sign * n)
        elif m["week"]:
            resolve = _day_shift(sign * 7 * n)
        elif m["month"]:
            resolve = _month_shift(sign * n, True)
        else:
            resolve = _month_shift(sign * 12 * n, False)
        add(m.start(), m.end(), 3, True, 0, resolve)


_SPACES = re.compile(r"[ \u00a0\u202f]+")


def _weekday_on_or_after(weekday: int, extra: int) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or anchor.day is None:
            return None
        day = _as_date(anchor)
        try:
            return _from_date(day + timedelta(days=(weekday - day.weekday()) % 7 + extra))
        except OverflowError:
            return None

    return resolve


def _select(candidates: list[_Candidate]) -> list[_Candidate]:
    """Longest first, then by priority; kept spans never overlap. Result in offset order."""
    order = sorted(candidates, key=lambda c: (-(c.end - c.start), -c.priority, c.start))
    starts: list[int] = []
    ends: list[int] = []
    kept: list[_Candidate] = []
    for c in order:
        i = bisect_left(starts, c.start)
        if i < len(starts) and starts[i] < c.end:
            continue
        if i > 0 and ends[i - 1] > c.start:
            continue
        starts.insert(i, c.start)
        ends.insert(i, c.end)
        kept.insert(i, c)
    return kept


def find_dates(
    paragraphs: Sequence[str], anchor: PartialDate | None, *, language: str | None = None
) -> tuple[DateFinding, ...]:
    """Every resolvable date mention in paragraph and offset order, non-overlapping, read against `anchor`."""
    return _resolve_all(_candidates(paragraphs, language, anchor), paragraphs, anchor)


def _candidates(paragraphs: Sequence[str], language: str | None, anchor: PartialDate | None) -> list[_Candidate]:
    year = anchor.year if anchor is not None else None
    out: list[_Candidate] = []
    for index, text in enumerate(paragraphs):
        out.extend(_select(_scan(text, index, language, year)))
    return out


def _resolve_all(
    candidates: list[_Candidate], paragraphs: Sequence[str], anchor: PartialDate | None
) -> tuple[DateFinding, ...]:
    found: list[DateFinding] = []
    for c in candidates:
        value = c.resolve(anchor)
        if value is None:
            continue  # dropped: the anchor is too coarse (or absent) for this relative mention
        text = paragraphs[c.paragraph]
        found.append(DateFinding(c.paragraph, c.start, c.end, text[c.start : c.end], value, c.relative))
    return tuple(found)


def _infer_publication_date(
    candidates: Sequence[tuple[_Candidate, PartialDate]], header: PartialDate | None
) -> tuple[PartialDate | None, DateSource | None]:
    """Day header wins; else a written day the header covers; else the text's full date; else the header."""
    if header is not None and header.day is not None:
        return header, "header"
    for level in range(3, DATELINE_LEVEL - 1, -1):
        # The first such day: datelines and bylines come before the story's own dates (measured against
        # the latest and the most frequent day on the news pages).
        days = [v for c, v in candidates if c.dateline == level and v.day is not None]
        if header is not None:
            covered = [v for v in days if header.covers(v)]
            if covered:
                return covered[0], "header+text"
        elif days and level == 3:
            return days[0], "text"
    return (header, "header") if header is not None else (None, None)


# Lowest dateline level (see _Candidate) that may date a document whose header gives only its month or year.
DATELINE_LEVEL = 2


def date_document(
    paragraphs: Sequence[str], header: PartialDate | None, *, language: str | None = None
) -> DatedDocument:
    """Publication date from header and text; mentions resolved against it, dropped when it is too coarse."""
    candidates = _candidates(paragraphs, language, header)
    provisional = [(c, v) for c in candidates if (v := c.resolve(header)) is not None]
    published, source = _infer_publication_date(provisional, header)
    if published is not None and header is None:
        # The year is now known, so 2-digit years and yearless dates can be read against it.
        candidates = _candidates(paragraphs, language, published)
    return DatedDocument(published, source, _resolve_all(candidates, paragraphs, published))
