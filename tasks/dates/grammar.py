"""The date grammar's patterns: every repetition bounded, every alternative led by a fixed word or a digit."""

from __future__ import annotations

import re
from collections.abc import Iterable

from tasks.dates.vocab import (
    DAY_NUMBER_WORDS,
    DAY_WORDS,
    HOLIDAYS,
    MONTH_ABBREVIATIONS,
    MONTHS,
    MOVABLE_HOLIDAYS,
    NTH_WEEKDAY_HOLIDAYS,
    NUMBER_WORDS,
    PERIOD_WORDS,
    WEEKDAYS,
)

# Oldest and newest years a date mention may name; beyond them a 4-digit number is more likely a quantity.
MIN_YEAR = 1000
MAX_YEAR = 2100
# A bare 4-digit number (no preposition, no month) is only read as a year inside this window.
BARE_YEAR_MIN = 1900
BARE_YEAR_AHEAD = 10

# Without a document year, a 2-digit year is read as the one nearest this year (not more than 10 years after).
TWO_DIGIT_REFERENCE = 2025

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
    r"|suivant|suivante|précédent|précédente|last|next|pasad[oa]|próxim[oa]|scors[oa]|prossim[oa]|passad[oa])"
)
# A qualifier before a month: `last December`, `el pasado diciembre`, `im letzten Dezember`, `lo scorso maggio`.
_BEFORE_QUAL = re.compile(
    rf"(?<!\w)(?P<pq>last|next|this{_SP}past|past|coming|letzten|vergangenen|nächsten|kommenden|pasado|próximo"
    rf"|scorso|prossimo|passado|ce{_SP}mois{_SP}de){_SP}\Z"
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
    nach ab desde hasta durante nel dal em até sinds tot im au mois""".split()
)

_DMY = re.compile(
    rf"(?:(?P<wd>{_WEEKDAY}),?{_SP})?(?:(?P<art>le|les|the|am|el|il|den|op|ce){_SP})?"
    rf"(?<![\d.,/:-])(?P<d>{_DAY}|1er|premier|first|(?<![\w-])(?:{_alternation(DAY_NUMBER_WORDS)}))(?!\d){_ORDINAL}"
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
_AFTER_FEAST_YEAR = re.compile(rf"{_SP}(?P<y>\d{{4}})(?![\d.,]\d|\d)")
_AFTER_DAY_QUAL = re.compile(rf"{_SP}(?P<q>prochain|dernier)(?!\w)")
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
    rf"(?P<wd>{_WEEKDAY}){_SP}(?:le{_SP})?(?P<d>{_DAY}|1er)(?!\d)(?!{_SP0}(?:h\b|heures?\b)|[:.,]\d|%|\w)",
)
# `le 3 du mois`, `le 1er du mois prochain`: a day of the anchor's month or of the one before or after it.
_DAY_OF_MONTH = re.compile(
    rf"(?<!\w)(?:le{_SP})?(?P<d>{_DAY}|1er|premier)(?!\d){_SP}du{_SP}mois(?:{_SP}(?P<q>prochain|dernier|suivant"
    rf"|précédent|passé|en{_SP}cours))?(?!\w)"
)
_WEEKDAY_REL = re.compile(
    rf"(?:(?P<pre>ce|cette|this|on|last|next|coming|past|letzten|vergangenen|kommenden|nächsten|diesen"
    rf"|el{_SP}pasado|el{_SP}próximo|il{_SP}prossimo|la{_SP}prossima|lo{_SP}scorso|la{_SP}scorsa"
    rf"|(?:o|no){_SP}próximo|(?:a|na){_SP}próxima|(?:o|no){_SP}passado|(?:a|na){_SP}passada"
    rf"|el|il|lo|la|o|a|am|op|aujourd{_APOS}hui|today|heute|hoy|oggi|hoje){_SP0},?{_SP})?"
    rf"(?P<wd>{_WEEKDAY})(?:{_SP}(?P<q>dernier|prochain|passé|en{_SP}(?:huit|8|quinze|15)"
    rf"|(?:de{_SP})?(?:cette|la)"
    rf"{_SP}semaine(?:{_SP}(?:prochaine|dernière))?|last|next|pasad[oa]|próxim[oa]|scors[oa]|prossim[oa]"
    rf"|passad[oa]|suivant|d{_APOS}après|précédent|d{_APOS}avant|siguiente|anterior|successivo|seguinte"
    rf"|que{_SP}viene|que{_SP}vem|qui{_SP}vient))?",
)
# `le premier lundi de mars`, `le dernier jour du mois`, `the last Friday of next month`, `el último día de enero`.
_NTH = (
    r"(?P<o>[1-5](?:er|re|ère|e|ème|eme|nd|rd|th|st|\.)|premier|première|1er|deuxième|second|seconde|troisième|quatrième|cinquième|dernier|dernière|first"
    r"|third|fourth|fifth|last|ersten|zweiten|dritten|vierten|letzten|primer|primero|segundo|tercer|tercero"
    r"|cuarto|último|primo|secondo|terzo|quarto|ultimo|primeiro|terceiro)"
)
_ORDINAL_IN_MONTH = re.compile(
    rf"(?<!\w)(?:(?:le|la|the|am|el|il|l{_APOS}|o|a){_SP0})?{_NTH}{_SP}(?:(?P<wd>{_WEEKDAY})|(?P<jour>jour|day|tag"
    rf"|día|giorno|dia)){_SP}(?:de{_SP}l{_APOS}|de{_SP}|du{_SP}|d{_APOS}|of{_SP}(?:the{_SP})?|des{_SP}|del{_SP}|di{_SP}"
    rf"|do{_SP}|da{_SP}|im{_SP}|in{_SP}|dello{_SP}|des{_SP})?(?:(?P<m>{_MONTH})(?:{_SP}(?P<y>\d{{4}}))?"
    rf"|(?P<rel>(?:(?P<pq>next|last|this|nächsten|letzten|kommenden|diesen){_SP})?(?:mois|month|monats|mes|mese|mês)"
    rf"(?:{_SP}(?P<q>prochain|suivant|dernier|précédent|en{_SP}cours|próximo|pasado|prossimo|scorso|passado"
    rf"|que{_SP}viene|que{_SP}vem))?))(?!\w)"
)
# `le premier jour de l'année`, `the last day of the year`.
_YEAR_DAY = re.compile(
    rf"(?<!\w)(?:(?:le|the){_SP})?(?P<o>premier|1er|dernier|first|last){_SP}(?:jour|day){_SP}(?:de{_SP}l{_APOS}|of{_SP}"
    rf"(?:the{_SP})?)(?P<pq>next{_SP}|last{_SP}|this{_SP})?(?:année|an|year)(?:{_SP}(?P<q>prochaine|dernière|passée"
    rf"|suivante|précédente|en{_SP}cours))?(?!\w)"
)
# `la veille de`, `le lendemain du`: the date that follows is shifted by a day or two.
_LINK = (
    rf"(?P<link>{_SP}(?:de{_SP}la{_SP}|de{_SP}l{_APOS}|du{_SP}|de{_SP}|d{_APOS}|of{_SP}|di{_SP}|del{_SP}|della{_SP}|do{_SP}"
    rf"|da{_SP}|dem{_SP}|der{_SP})?)"
)
_AROUND = re.compile(
    rf"(?<!\w)(?P<w>la{_SP}veille|l{_APOS}avant-veille|le{_SP}lendemain|le{_SP}surlendemain|the{_SP}day{_SP}before"
    rf"|the{_SP}day{_SP}after|la{_SP}víspera|la{_SP}vigilia|a{_SP}véspera|am{_SP}tag{_SP}vor|am{_SP}tag{_SP}nach)"
    rf"{_LINK}"
)
# `trois jours avant Noël`, `two weeks after 3 May`: a count of days or weeks before or after a date.
_AROUND_N = re.compile(
    rf"(?<!\w)(?P<n>\d{{1,3}}|{_alternation(NUMBER_WORDS)}){_SP}(?:(?P<day>jours?|days?|tage|tagen|días?|giorni"
    rf"|giorno|dias?)|(?P<week>semaines?|weeks?|wochen|semanas?|settimane|settimana)){_SP}(?:(?P<back>avant|before"
    rf"|vor|antes|prima)|(?P<fwd>après|after|nach|después|dopo|depois))(?=[\s\u00a0\u202f])(?:{_SP}(?:de|di))?{_LINK}"
)
AROUND_DAYS = {
    "veille": -1,
    "avant-veille": -2,
    "lendemain": 1,
    "surlendemain": 2,
    "before": -1,
    "after": 1,
    "víspera": -1,
    "vigilia": -1,
    "véspera": -1,
    "vor": -1,
    "nach": 1,
}
# `début de l'année`, `fin de l'année prochaine`, `late next year`, `Ende des Jahres`: a part of a year, read as
# that year (the table has no finer precision for it).
_PERIOD_PART = re.compile(
    rf"(?<!\w)(?:(?:au|à{_SP}la|la|en|the|a|al|alla|no|na|ao){_SP})?(?P<mod>début|fin|mi-?|milieu|courant|end|beginning"
    rf"|start|middle|early|late|mid-|ende|anfang|mitte|finales|principios|mediados|fines|final|fim|fine|inizio"
    rf"|metà|início|meados|começo){_SP0}(?:de{_SP}l{_APOS}|d{_APOS}|of{_SP}(?:the{_SP})?|des{_SP}|du{_SP}|de{_SP}"
    rf"|del{_SP}|dell{_APOS}|do{_SP}|dello{_SP})?(?P<pq>this{_SP}|next{_SP}|last{_SP}|nächsten{_SP}|kommenden{_SP}"
    rf"|letzten{_SP}|vergangenen{_SP}|dieses{_SP}|este{_SP}|próximo{_SP})?(?:(?P<noun>année|an|year|jahres|año|anno"
    rf"|ano)|(?P<mnoun>mois|month|monats|mes|mese|mês))(?:{_SP}(?P<q>prochaine?|dernière|dernier|passée?|suivante?"
    rf"|précédente?|en{_SP}cours|qui{_SP}vient|que{_SP}viene|que{_SP}vem|pasado|passado|próximo|prossimo|scorso"
    rf"|corrente))?(?!\w)"
)
# `les années 1990`, `die 1990er`: a decade, which the table cannot hold (no decade precision).
_DECADE_BEFORE = re.compile(rf"(?<!\w)(?:années|anni|años|anos|decade{_SP}of(?:{_SP}the)?){_SP}(?:{_APOS})?\Z")
# `31.10.`: day and month with the German (and French administrative) closing dot.
_NUM_DM_DOT = re.compile(
    rf"(?:(?P<art>le|du|au|am|vom|zum|ab|seit|bis){_SP})?(?<![\d.,/:-])(?P<a>\d{{1,2}})\.(?P<b>\d{{1,2}})\."
    rf"(?![\d]|[.,]\d)"
)
# A shift followed by a second amount is a range (`tra 6 mesi e 2 anni`, `in 3 to 5 days`), not a date.
_RANGE_AFTER = re.compile(
    rf"{_SP0}(?:e|et|y|und|and|à|a|-|–|to|bis|ou|o|or|oder|ed){_SP0}(?:\d|{_alternation(NUMBER_WORDS)})(?!\w)"
)
_SHIFT_WORDS = (
    "dans|d'ici|dentro de|tra|fra|daqui a|il y a|vor|hace|há|ago|fa|atrás|earlier|plus tôt|auparavant|geleden"
    "|later|plus tard|après|después|dopo|depois"
)
# One pass finds every fixed word or phrase; the costlier shift patterns run only where a shift word was seen.
_WORDS = re.compile(
    rf"(?<![\w-])(?:(?P<dw>{_alternation(DAY_WORDS)})|(?P<p>{_alternation(PERIOD_WORDS)})"
    rf"|(?P<h>{_alternation(HOLIDAYS)})|(?P<mh>{_alternation(MOVABLE_HOLIDAYS)})"
    rf"|(?P<nh>{_alternation(NTH_WEEKDAY_HOLIDAYS)})|(?P<sh>{_alternation(_SHIFT_WORDS.split('|'))}))(?![\w-])"
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
_SPACES = re.compile(r"[ \u00a0\u202f]+")
