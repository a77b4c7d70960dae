"""Scanners: every candidate date mention of a paragraph, then the non-overlapping ones resolved against an anchor."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from tasks.dates.grammar import (
    _AFTER_DAY_QUAL,
    _AFTER_FEAST_YEAR,
    _AFTER_MONTH_YEAR,
    _AFTER_QUAL,
    _AROUND,
    _AROUND_N,
    _BEFORE_MONTH,
    _BEFORE_PERIOD,
    _BEFORE_QUAL,
    _BEFORE_YEAR,
    _COORD,
    _DAY_ALONE,
    _DAY_OF_MONTH,
    _DECADE_BEFORE,
    _DIGIT,
    _DIGIT_SEPARATOR,
    _DIGIT_SPACE,
    _DMY,
    _FOUR_DIGITS,
    _FUNCTION_WORDS,
    _FUTURE,
    _ISO,
    _LOWER_WORD,
    _MDY,
    _MONTH_WORD,
    _NUM_DM,
    _NUM_DM_DOT,
    _NUM_DMY,
    _NUM_SPACED,
    _ORDINAL_IN_MONTH,
    _PAST,
    _PERIOD_PART,
    _RANGE_AFTER,
    _SENTENCE_END,
    _SHIFT_AFTER,
    _SHIFT_BEFORE,
    _SPACES,
    _STRONG_CONTEXT,
    _WEEKDAY_DAY,
    _WEEKDAY_REL,
    _WEEKDAY_WORD,
    _WORDS,
    _YEAR,
    _YEAR_DAY,
    AROUND_DAYS,
    BARE_YEAR_AHEAD,
    BARE_YEAR_MIN,
    MAX_YEAR,
    MIN_YEAR,
    TWO_DIGIT_REFERENCE,
)
from tasks.dates.resolve import (
    _absolute,
    _around,
    _day_month,
    _day_of_month,
    _day_shift,
    _easter_relative,
    _in_year,
    _month_of_year,
    _month_only,
    _month_shift,
    _ordinal_in_month,
    _Resolver,
    _valid,
    _weekday,
    _weekday_on_or_after,
    _year_shift,
)
from tasks.dates.vocab import (
    AMBIGUOUS_MONTHS,
    AMBIGUOUS_WEEKDAYS,
    DAY_NUMBER_WORDS,
    DAY_WORDS,
    FALSE_FRIENDS,
    HOLIDAYS,
    MONTH_ABBREVIATIONS,
    MONTHS,
    MOVABLE_HOLIDAYS,
    NTH_WEEKDAY_HOLIDAYS,
    NUMBER_WORDS,
    PERIOD_WORDS,
    WEEKDAYS,
)
from tasks.records import UNDETERMINED, PartialDate

# How far (characters) around a mention the tense of its sentence is looked for.
TENSE_WINDOW = 160
# Tense assumed when the sentence gives no cue: +1 future, -1 past, 0 "same year / same week".
# Measured: 0 keeps TimeBank and Duckling both high; -1 costs Duckling 13 points, +1 costs TimeBank 1.
DEFAULT_TENSE = 0
# A bare weekday with no tense cue is the nearest such day (0); measured against past (-1) and future (+1)
# on TimeBank with day headers, nearest was best.
_WEEKDAY_DEFAULT = 0


@dataclass(frozen=True, slots=True)
class DateFinding:
    """A date mention; paragraphs[paragraph_id][start:end] == text."""

    paragraph_id: int
    start: int
    end: int
    text: str
    value: PartialDate
    relative: bool


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A mention before resolution; `resolve(anchor)` is its value, or None when the anchor is too coarse."""

    paragraph_id: int
    start: int
    end: int
    priority: int
    relative: bool
    # How well the mention could date its document: 3 day, month and year written; 2 weekday, day and month;
    # 1 day and month; 0 not at all. Levels 1-2 exclude "dernier"/"prochain" and sentences about the future.
    dateline: int
    resolve: _Resolver


@lru_cache(maxsize=4)
def _tense_marks(text: str) -> tuple[list[int], list[int], list[int], list[tuple[int, int, int]]]:
    """Sentence-end starts and ends and sorted tense markers (start, end, sign) of a paragraph, found once."""
    # Found once for all the mentions of a paragraph, each of which then looks only inside its own window.
    stops = list(_SENTENCE_END.finditer(text))
    marks = sorted(
        (m.start(), m.end(), sign) for pattern, sign in ((_FUTURE, 1), (_PAST, -1)) for m in pattern.finditer(text)
    )
    return [m.start() for m in stops], [m.end() for m in stops], [m[0] for m in marks], marks


def _tense(text: str, start: int, end: int) -> int:
    """+1 when the verb nearest the mention in its sentence is future, -1 when past, 0 when nothing says."""
    stop_starts, stop_ends, mark_starts, marks = _tense_marks(text)
    lo = max(0, start - TENSE_WINDOW)
    hi = min(len(text), end + TENSE_WINDOW)
    i = bisect_right(stop_ends, start) - 1
    if i >= 0 and stop_starts[i] >= lo:
        lo = stop_ends[i]
    j = bisect_left(stop_starts, end)
    if j < len(stop_starts) and stop_starts[j] < hi:
        hi = stop_starts[j]
    best = (TENSE_WINDOW * 2, 0)
    for k in range(bisect_left(mark_starts, lo), bisect_left(mark_starts, hi)):
        m_start, m_end, sign = marks[k]
        if m_end > hi or start <= m_start < end:
            continue
        distance = start - m_end if m_end <= start else m_start - end
        best = min(best, (distance, sign))
    return best[1] if best[0] < TENSE_WINDOW * 2 else DEFAULT_TENSE


def _qual_mode(q: str | None, tense: int) -> int:
    """Mode -3 (latest not after) for a backward qualifier, +2 (first after) for a forward one, else the tense."""
    if q:
        q = q.lower()
        if q.startswith(_BACKWARD):
            return -3
        return 2
    return tense


_BACKWARD = ("dern", "pass", "pasad", "last", "scor", "préc", "d'avant", "d’avant", "anterior", "letzt", "vergangen")


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
    word = _SPACES.sub(" ", word.lower())
    if word in ("1er", "premier", "first"):
        return 1
    return DAY_NUMBER_WORDS[word] if word in DAY_NUMBER_WORDS else int(word)


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
        _scan_months(text, low, lang, months, anchor_year, has_digit, add)
    if has_weekday:
        _scan_weekdays(text, low, lang, has_digit, add)
    _scan_ordinals(low, add)
    _scan_year_days(low, add)
    _scan_words(text, low, lang, add)
    _scan_period_parts(low, add)
    _add_around(low, out, add)
    return out


def _scan_ordinals(low: str, add: _Add) -> None:
    for m in _ORDINAL_IN_MONTH.finditer(low):
        o = m["o"]
        ordinal = -1 if o.startswith(("dern", "last", "letzt", "últ", "ult")) else _ORDINAL_NUMBERS.get(o, 0)
        if o[0].isdigit():
            ordinal = int(o[0])
        if ordinal == 0:
            continue
        weekday = WEEKDAYS[m["wd"]][0] if m["wd"] else None
        month: _Resolver
        if m["m"]:
            info = _month_number(m["m"])
            if info is None:
                continue
            if m["y"]:
                value = _valid(int(m["y"]), info[0])
                if value is None:
                    continue
                month = _absolute(value)
            else:
                month = _month_only(info[0], _tense(low, m.start(), m.end()))
        else:
            q = m["q"] or m["pq"] or ""
            shift = 0 if not q or q in ("this", "diesen", "en cours") else _qual_mode(q, 0) // 2
            month = _month_shift(1 if shift > 0 else -1 if shift < 0 else 0, False)
        add(m.start(), m.end(), 5, True, 0, _ordinal_in_month(ordinal, weekday, month))


def _scan_year_days(low: str, add: _Add) -> None:
    for m in _YEAR_DAY.finditer(low):
        q = (m["q"] or m["pq"] or "").strip()
        shift = 0 if not q or q in ("this", "en cours") else _qual_mode(q, 0) // 2
        step = 1 if shift > 0 else -1 if shift < 0 else 0
        last = m["o"] in ("dernier", "last")
        month = _month_of_year(12 if last else 1, step)
        add(m.start(), m.end(), 5, True, 0, _ordinal_in_month(-1 if last else 1, None, month))


_ORDINAL_NUMBERS = {
    **dict.fromkeys(("premier", "première", "1er", "first", "ersten", "primer", "primero", "primo", "primeiro"), 1),
    **dict.fromkeys(("deuxième", "second", "seconde", "zweiten", "segundo", "secondo"), 2),
    **dict.fromkeys(("troisième", "third", "dritten", "tercer", "tercero", "terzo", "terceiro"), 3),
    **dict.fromkeys(("quatrième", "fourth", "vierten", "cuarto", "quarto"), 4),
    **dict.fromkeys(("cinquième", "fifth"), 5),
}


def _scan_period_parts(low: str, add: _Add) -> None:
    for m in _PERIOD_PART.finditer(low):
        if m["noun"] == "an" and not m["q"] and not m["pq"]:
            continue  # `fin d'an` is rare, `mi-an` no word; `an` alone is too often another word
        q = (m["q"] or m["pq"] or "").strip()
        current = not q or q in ("this", "dieses", "este", "en cours", "corrente")
        shift = 0 if current else _qual_mode(q, 0) // 2
        step = 1 if shift > 0 else -1 if shift < 0 else 0
        add(m.start(), m.end(), 4, True, 0, _month_shift(step, False) if m["mnoun"] else _year_shift(step))


# A resolver's precision does not depend on its anchor: this one tells which candidates name a day.
_PROBE = PartialDate(2001, 6, 15)


def _add_around(low: str, found: list[_Candidate], add: _Add) -> None:
    """`la veille de Noël`, `le lendemain du 14 juillet`: the date after the phrase, shifted by a day or two."""
    if not found:
        return
    by_start: dict[int, _Candidate] = {}
    for c in found:
        if c.start not in by_start or c.end > by_start[c.start].end:
            by_start[c.start] = c
    for m in (*_AROUND.finditer(low), *_AROUND_N.finditer(low)):
        # The date may begin inside the link (`de la Toussaint`: the candidate is `la toussaint`).
        inner = next((by_start[i] for i in range(m.start("link"), m.end() + 1) if i in by_start), None)
        if inner is None:
            continue
        probe = inner.resolve(_PROBE)
        if probe is None or probe.day is None:
            continue
        if m.groupdict().get("w"):
            days = AROUND_DAYS[m["w"].replace("’", "'").split()[-1].split("'")[-1]]
        else:
            raw = m["n"]
            n = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw, 0)
            days = (n if m["day"] else 7 * n) * (-1 if m["back"] else 1)
        add(m.start(), inner.end, inner.priority + 1, True, 0, _around(days, inner.resolve))


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
            # Bare `31 10` only in the zero-padded form that forms and tickets use; with `le` any form.
            padded = len(m["a"]) == 2 and len(m["b"]) == 2 and m["b"][0] in "01"
            if not (m["art"] or padded) or _followed_by_unit(text, m.end(), True) or _valid(2000, b, a) is None:
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

    for m in _NUM_DM_DOT.finditer(low) if separated else nothing:
        a, b = int(m["a"]), int(m["b"])
        if not m["art"] and (len(m["a"]) < 2 or len(m["b"]) < 2):
            continue
        if _valid(2000, b, a) is None:
            continue
        add(m.start(), m.end(), 4, True, 0, _day_month(b, a, _tense(low, m.start(), m.end()), None))

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
        if _DECADE_BEFORE.search(low, max(0, m.start() - 20), m.start()) or low.startswith("s", m.end()):
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
        qual = _AFTER_DAY_QUAL.match(low, m.end())
        if qual is not None:
            # `le 15 prochain` is the next 15th, `le 3 dernier` the latest 3rd before the anchor.
            mode = 1 if qual["q"] == "prochain" else -1
            add(m.start(), qual.end(), 1, True, 0, _day_of_month(day, None, mode))
            continue
        add(m.start(), m.end(), 1, True, 0, _day_of_month(day, None, _tense(low, m.start(), m.end())))

    for m in _DAY_OF_MONTH.finditer(low):
        q = m["q"] or ""
        shift = 0 if not q or q == "en cours" else _qual_mode(q, 0) // 2
        which = _month_shift(1 if shift > 0 else -1 if shift < 0 else 0, False)
        add(m.start(), m.end(), 5, True, 0, _ordinal_in_month(_day_number(m["d"]), None, which))


def _scan_months(
    text: str, low: str, lang: str, months: list[re.Match[str]], anchor_year: int | None, has_digit: bool, add: _Add
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
        pre = _BEFORE_QUAL.search(low, max(0, start - 25), start)
        if pre is not None:
            start = pre.start()
        if not _allowed_month(word, m.start(), info, anchored=pre is not None):
            continue
        qual = _AFTER_QUAL.match(low, m.end())
        context = (before["ctx"] or "").strip().replace("’", "'")
        strong = before["mod"] or qual or pre or context.split(" ")[0] in _STRONG_CONTEXT
        # In its own Romance language a lower-case `mars` or `mayo` is the month; the planet and names are capitalised.
        own = lang in info[1] and lang in ("fr", "es") and word.islower()
        if m.group() in AMBIGUOUS_MONTHS and not strong and not own:
            continue
        if not strong and word[0].isupper() and info[1] <= {"fr", "es", "it", "pt"}:
            # Romance languages write months in lower case: a capitalised one is a name (Avril, Janeiro).
            continue
        end = qual.end() if qual else m.end()
        q = qual["q"] if qual else pre["pq"] if pre is not None and not pre["pq"].startswith("ce") else None
        mode = _qual_mode(q, _tense(low, start, end))
        add(start, end, 2, True, 0, _month_only(info[0], mode))


def _scan_weekdays(text: str, low: str, lang: str, has_digit: bool, add: _Add) -> None:
    if has_digit:
        for m in _WEEKDAY_DAY.finditer(low):
            after = _LOWER_WORD.match(low, m.end())
            if after is not None and low[m.end() : m.end() + 1] == " " and after.group(1) not in _FUNCTION_WORDS:
                continue  # `vendredi 3 blessés`: a count, not a day
            weekday = WEEKDAYS[m["wd"]][0]
            tense = _tense(low, m.start(), m.end())
            add(m.start(), m.end(), 2, True, 0, _day_of_month(_day_number(m["d"]), weekday, tense or 1))

    for m in _WEEKDAY_REL.finditer(low):
        if low.startswith(("-là", "-la"), m.end()):
            continue  # `ce lundi-là` is a Monday of the story, not one near the document date
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
        # A weekday called `dernier` or `last` is the latest one strictly before the anchor: on a Monday,
        # `lundi dernier` is a week ago, since that day itself is `aujourd'hui` or `ce lundi`.
        if (
            q.startswith(_BACKWARD)
            or pre in ("last", "past", "letzten", "vergangenen")
            or pre.endswith(("pasado", "passado", "passada", "scorso", "scorsa"))
        ):
            mode = -2
        elif q.startswith(
            ("proch", "next", "próx", "pross", "que", "qui", "suiv", "d'ap", "d’ap", "sigu", "succ", "segu")
        ):
            mode = 2
        elif pre in ("next", "coming", "kommenden", "nächsten") or pre.endswith(
            ("próximo", "próxima", "prossimo", "prossima")
        ):
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
        elif m["h"] or m["mh"] or m["nh"]:
            if m["h"] and low[max(0, m.start() - 5) : m.start()] == "père ":
                continue  # Father Christmas is no date
            name = text[m.start() : m.end()]
            if key.endswith("ascension") and not name.split("'")[-1].split("’")[-1][:1].isupper():
                continue  # `l'ascension du col` is a climb; the feast is written with a capital

            def feast(
                mode: int, key: str = key, fixed: bool = bool(m["h"]), movable: bool = bool(m["mh"])
            ) -> _Resolver:
                if fixed:
                    month, day = HOLIDAYS[key]
                    return _day_month(month, day, mode, None)
                if movable:
                    return _easter_relative(MOVABLE_HOLIDAYS[key], mode)
                nth, weekday, month = NTH_WEEKDAY_HOLIDAYS[key]
                return _ordinal_in_month(nth, weekday, _month_only(month, mode))

            year = _AFTER_FEAST_YEAR.match(low, m.end())
            if year is not None and MIN_YEAR <= int(year["y"]) <= MAX_YEAR:
                # `Noël 2012`, `Pâques 2024`: that year's feast.
                add(m.start(), year.end(), 3, False, 0, _in_year(int(year["y"]), feast(0)))
                continue
            # A feast is the next one, or today's on the day itself, unless the tense says otherwise.
            add(m.start(), m.end(), 2, True, 0, feast(_tense(low, m.start(), m.end()) or 3))
        else:
            shift_words = True
    if not shift_words:
        return

    for m in (*_SHIFT_BEFORE.finditer(low), *_SHIFT_AFTER.finditer(low)):
        raw = m["n"]
        n = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw)
        if n is None or n > 400 or _RANGE_AFTER.match(low, m.end()):
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
        text = paragraphs[c.paragraph_id]
        found.append(DateFinding(c.paragraph_id, c.start, c.end, text[c.start : c.end], value, c.relative))
    return tuple(found)
