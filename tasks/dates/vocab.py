"""Month, weekday and relative-word vocabulary for the date grammar, keyed by lower-case surface form."""

from __future__ import annotations

# surface -> (month, languages). Accented and unaccented spellings both, since news text drops accents.
_MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "fr": (
        "janvier",
        "février|fevrier",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août|aout",
        "septembre",
        "octobre",
        "novembre",
        "décembre|decembre",
    ),
    "en": (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ),
    "de": (
        "januar|jänner",
        "februar",
        "märz|maerz",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "dezember",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre|setiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    "it": (
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ),
    "pt": (
        "janeiro",
        "fevereiro",
        "março|marco",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ),
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
}

# Abbreviations are only trusted next to a day number or a year (see ABBREVIATIONS in dates.py).
_MONTH_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "fr": ("janv", "févr|fevr|fév|fev", "", "avr", "", "", "juil", "", "sept", "oct", "nov", "déc|dec"),
    "en": ("jan", "feb", "mar", "apr", "", "jun", "jul", "aug", "sep|sept", "oct", "nov", "dec"),
    "de": ("jan", "feb", "mär|mrz", "apr", "", "jun", "jul", "aug", "sep|sept", "okt", "nov", "dez"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep|sept", "oct", "nov", "dic"),
    "it": ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"),
    "pt": ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"),
}

_WEEKDAY_NAMES: dict[str, tuple[str, ...]] = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "de": ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag|sonnabend", "sonntag"),
    "es": ("lunes", "martes", "miércoles|miercoles", "jueves", "viernes", "sábado|sabado", "domingo"),
    "it": (
        "lunedì|lunedi",
        "martedì|martedi",
        "mercoledì|mercoledi",
        "giovedì|giovedi",
        "venerdì|venerdi",
        "sabato",
        "domenica",
    ),
    "pt": (
        "segunda-feira",
        "terça-feira|terca-feira",
        "quarta-feira",
        "quinta-feira",
        "sexta-feira",
        "sábado|sabado",
        "domingo",
    ),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
}


def _expand(table: dict[str, tuple[str, ...]]) -> dict[str, tuple[int, frozenset[str]]]:
    out: dict[str, tuple[int, set[str]]] = {}
    for lang, names in table.items():
        for index, alternatives in enumerate(names):
            for word in filter(None, alternatives.split("|")):
                number, langs = out.setdefault(word, (index + 1, set()))
                if number != index + 1:
                    raise ValueError(f"{word!r} names two different items")
                langs.add(lang)
    return {word: (number, frozenset(langs)) for word, (number, langs) in out.items()}


MONTHS: dict[str, tuple[int, frozenset[str]]] = _expand(_MONTH_NAMES)
MONTH_ABBREVIATIONS: dict[str, tuple[int, frozenset[str]]] = _expand(_MONTH_ABBREVIATIONS)
# Weekday numbers follow datetime.weekday(): Monday is 0.
WEEKDAYS: dict[str, tuple[int, frozenset[str]]] = {
    word: (number - 1, langs) for word, (number, langs) in _expand(_WEEKDAY_NAMES).items()
}

# Month words that are also common words or names: only trusted with a day, a year or a preposition
# before them, and in the case their language writes months in.
AMBIGUOUS_MONTHS = frozenset({"mars", "march", "may", "august", "april", "june", "mayo", "marco"})
# Weekday words that are also common first or family names: never a date on their own.
AMBIGUOUS_WEEKDAYS = frozenset({"domingo", "sabato", "sábado", "sabado", "martes"})

NUMBER_WORDS: dict[str, int] = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "quinze": 15,
    "vingt": 20,
    "trente": 30,
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "einem": 1,
    "einer": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "zehn": 10,
}

# surface -> days from the anchor day.
DAY_WORDS: dict[str, int] = {
    "avant-hier": -2,
    "avant hier": -2,
    "hier": -1,
    "aujourd'hui": 0,
    "aujourd’hui": 0,
    "demain": 1,
    "après-demain": 2,
    "après demain": 2,
    "la veille": -1,
    "le lendemain": 1,
    "le jour d'avant": -1,
    "le jour d’avant": -1,
    "le jour précédent": -1,
    "le jour d'après": 1,
    "le jour d’après": 1,
    "le jour suivant": 1,
    "jour suivant": 1,
    "un jour après": 1,
    "un jour plus tard": 1,
    "deux jours après": 2,
    "deux jours plus tard": 2,
    "yesterday": -1,
    "today": 0,
    "tomorrow": 1,
    "the day before yesterday": -2,
    "the day after tomorrow": 2,
    "vorgestern": -2,
    "gestern": -1,
    "heute": 0,
    "übermorgen": 2,
    "anteayer": -2,
    "antes de ayer": -2,
    "ayer": -1,
    "hoy": 0,
    "pasado mañana": 2,
    "l'altro ieri": -2,
    "ieri": -1,
    "oggi": 0,
    "domani": 1,
    "dopodomani": 2,
    "anteontem": -2,
    "ontem": -1,
    "hoje": 0,
    "amanhã": 1,
    "depois de amanhã": 2,
    "eergisteren": -2,
    "gisteren": -1,
    "vandaag": 0,
    "overmorgen": 2,
}

# surface -> (unit, shift): unit "year" or "month", shift from the anchor's year or month.
PERIOD_WORDS: dict[str, tuple[str, int]] = {
    "l'an dernier": ("year", -1),
    "l'an passé": ("year", -1),
    "l'année dernière": ("year", -1),
    "l'année passée": ("year", -1),
    "l'an prochain": ("year", 1),
    "l'année prochaine": ("year", 1),
    "cette année": ("year", 0),
    "l'année en cours": ("year", 0),
    "le mois dernier": ("month", -1),
    "le mois passé": ("month", -1),
    "le mois prochain": ("month", 1),
    "ce mois-ci": ("month", 0),
    "last year": ("year", -1),
    "next year": ("year", 1),
    "this year": ("year", 0),
    "last month": ("month", -1),
    "next month": ("month", 1),
    "this month": ("month", 0),
    "letztes jahr": ("year", -1),
    "letzten jahres": ("year", -1),
    "vergangenes jahr": ("year", -1),
    "vergangenen jahr": ("year", -1),
    "vorjahr": ("year", -1),
    "nächstes jahr": ("year", 1),
    "nächsten jahr": ("year", 1),
    "dieses jahr": ("year", 0),
    "diesem jahr": ("year", 0),
    "letzten monat": ("month", -1),
    "vergangenen monat": ("month", -1),
    "nächsten monat": ("month", 1),
    "el año pasado": ("year", -1),
    "el próximo año": ("year", 1),
    "el año que viene": ("year", 1),
    "este año": ("year", 0),
    "el mes pasado": ("month", -1),
    "el próximo mes": ("month", 1),
    "l'anno scorso": ("year", -1),
    "l'anno prossimo": ("year", 1),
    "quest'anno": ("year", 0),
    "il mese scorso": ("month", -1),
    "il mese prossimo": ("month", 1),
    "o ano passado": ("year", -1),
    "no ano passado": ("year", -1),
    "o próximo ano": ("year", 1),
    "este ano": ("year", 0),
    "o mês passado": ("month", -1),
    "no mês passado": ("month", -1),
    "vorig jaar": ("year", -1),
    "volgend jaar": ("year", 1),
    "dit jaar": ("year", 0),
    "vorige maand": ("month", -1),
    "volgende maand": ("month", 1),
}

# Holidays at a fixed day: surface -> (month, day).
HOLIDAYS: dict[str, tuple[int, int]] = {
    "noël": (12, 25),
    "noel": (12, 25),
    "jour de noël": (12, 25),
    "jour de noel": (12, 25),
    "jour de l'an": (1, 1),
    "jour de l’an": (1, 1),
    "nouvel an": (1, 1),
    "fête du travail": (5, 1),
    "fête nationale": (7, 14),
    "la toussaint": (11, 1),
    "christmas day": (12, 25),
    "new year's day": (1, 1),
    "heiligabend": (12, 24),
    "neujahr": (1, 1),
    "silvester": (12, 31),
}

# Day words that are ordinary words in another language (German and Dutch `hier` is "here"): not a date when
# the document is in that language.
FALSE_FRIENDS: dict[str, frozenset[str]] = {
    "hier": frozenset({"de", "nl"}),
}
