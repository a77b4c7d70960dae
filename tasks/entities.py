"""Post-processing of raw NER spans over one document: cleanup, honorifics, gazetteer, one label per name."""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import cast

from tasks.records import EntityLabel, RawSpan

_LABELS: frozenset[str] = frozenset(("PER", "LOC", "ORG", "MISC"))

# Courtesy titles and abbreviations that precede a name (French first, then a few other languages); kept
# OUTSIDE PER spans so that `M. Lavrov` and `Lavrov` are the same name; evidence that a person follows.
HONORIFICS: frozenset[str] = frozenset(
    "M. M MM. MM Mme Mmes Mlle Mlles Mme. Mlle. Mgr Mgr. Me Me. Dr Dr. Pr Pr. Prof. "
    "Mr Mr. Mrs Mrs. Ms Ms. Sr. Sra. "
    "Sir Dame Herr Frau Hr. Fr. Dott. Sig. Sig.ra Don Doña".split()
)
# Titles and functions written in lowercase before a name: also kept outside, they are not part of the name.
_TITLES = (
    "président|présidente|général|générale|colonel|commandant|capitaine|lieutenant|maréchal|amiral|ministre|"
    "roi|reine|prince|princesse|duc|duchesse|comte|comtesse|baron|baronne|marquis|marquise|empereur|impératrice|"
    "pape|cardinal|abbé|abbesse|père|mère|frère|sœur|soeur|saint|sainte|docteur|professeur|maître|sénateur|"
    "député|maire|préfet|juge|procureur|chancelier|premier ministre|sultan|émir|cheikh|chef|"
    "secrétaire général"
)
_LEADING_TITLE = re.compile(rf"(?:(?:le|la|l'|l’|du|de la|au|à la)\s+)?(?:{_TITLES})\s+(?=\S)")
_TITLE_BEFORE = re.compile(rf"(?:^|[\s'’])(?:{_TITLES})\s+$")
# _TITLE_BEFORE can match only where a title ends the text before its trailing spaces: str.endswith tells that
# faster than the search, which tries every position of its window.
_TITLE_ENDINGS = tuple(_TITLES.split("|"))
_ARTICLE = re.compile(r"(?:(?:le|la|les|du|de|des|au|aux)\s+|[ld]['’]\s*)(?=[^\W\d_])")
# Characters that never start or end a name (quotes, brackets, dashes, separators); `.` is handled apart,
# for initials.
_EDGE = "\"'«»“”‘’„‚‹›()[]{}<>—–-_,;:!?/\\|*#~^`=+·•…§¶°%&@ \t\n\r\u00a0\u202f"
_EDGE_OR_DOT = _EDGE + "."
_ROMAN = re.compile(r"^[IVXLCDM]+\.?$")
# A word with a demonym suffix after a determiner names a people (`les Marseillais`, `un Allemand`, `des
# Italiennes`), not a place; the suffix families, masculine and feminine, singular and plural. Bare `-es` and
# `-ins` are left out: they end plural place names (`les Alpes`, `les Pyrénées`, `les Apennins`).
_DEMONYM = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ]+(?:ais|ois|ain|ien|éen|and|ol|ard|ote|ite)(?:e|ne)?s?$")
_DETERMINER_BEFORE = re.compile(
    r"(?:^|\s)(?:les|des|aux|ces|un|une|deux|trois|quelques|plusieurs|nos|vos|leurs)\s+$", re.I
)
# Inside a span, `et`/`&` between two capitalised words joins two names, and `à`/`au` starts a place after a
# person's name (`Siegfried au Havre`).
_GLUE_INSIDE = re.compile(r"(?<=[^\W\d_])\s+(?:(?:et|&)|(à|au|aux))\s+(?=[A-ZÀ-ÖØ-ÝŒ])")
# A noun and the particle after it at the start of a person's span; the rest must start with a capital.
_NOUN_HEAD = re.compile(r"([^\W\d_]+)\s+(?:de|du|des|d['’])\s*(?=[A-ZÀ-ÖØ-ÝŒ])")
_DETERMINER_RIGHT_BEFORE = re.compile(
    r"(?:^|[\s(«\"])(?:le|la|l['’]|un|une|du|au|ce|cet|cette|son|sa|leur|notre|votre)\s*$", re.I
)
# Courtesy words written out and titles: HONORIFICS and _TITLES handle them before a name.
_COURTESY_WORD = re.compile(
    rf"(?i:monsieur|madame|mademoiselle|messieurs|mesdames|monseigneur|sir|lord|lady|{_TITLES})"
)
# `face à`, `grâce à`, `quant à`, `suite à`, `référence à` are prepositions of relation, not of place.
_LOCATIVE_BEFORE = re.compile(
    r"(?:^|\s)(?:(?<!face )(?<!grâce )(?<!quant )(?<!suite )(?<!référence )à|en|vers|près de|jusqu'à|jusqu’à)\s+$"
)
# An organisation noun in apposition right before a single name, after its determiner (`le groupe Wagner`,
# `la firme Avon`, `le constructeur italien Tatuus`). Not after `de`: there the name is a complement, as often a
# person's or a place's (`en compagnie de Béraud`, `le parti de Milošević`, `un club d'Eredivisie`).
_ORG_BEFORE = re.compile(
    r"(?:^|\s)(?:le|la|l['’]|les|du|des|au|aux|un|une|ce|cette|son|sa|ses|leur)\s*"
    r"(?:groupe|groupes|société|sociétés|compagnie|entreprise|firme|milice|organisation|parti|mouvement|agence|"
    r"banque|journal|quotidien|hebdomadaire|club|équipe|syndicat|constructeur|laboratoire|fabricant|marque|"
    r"fondation|association|ONG|label|cabinet|consortium|holding|groupement|fédération)"
    r"(?:\s+(?!(?:de|du|des|en|sur|à|au|aux|pour|par|avec|dans)\s)[a-zà-ÿ]+)?\s+$"  # an adjective, no preposition
)
# A coordination inside an organisation's span (French, German, English, Spanish, Italian, Portuguese), and the
# preposition or article that may repeat after it (`Réseau Ferré de France et de CEMEX`).
_ORG_COORDINATION = re.compile(
    r"(?:\s*,|\s+(?:et|ou|und|oder|and|or|y|o|e|&))\s+"
    r"(?:(?:de\s+la|de\s+l['’]|du|des|de|d['’]|la|le|les|l['’]|der|die|das|den|the|el|los|las|del|di|da|do|dos)\s*)?"
    r"(?=[A-ZÀ-ÖØ-ÝŒ])"
)
_ACRONYM = re.compile(r"[A-ZÀ-ÖØ-ÝŒ]{2,}(?:[&-]?[A-ZÀ-ÖØ-ÝŒ0-9])*")
_ACRONYM_AFTER = re.compile(r"\s*\(\s*[A-ZÀ-ÖØ-ÝŒ][A-ZÀ-ÖØ-ÝŒa-z&.-]*[A-ZÀ-ÖØ-ÝŒ]\s*\)")
_LAST_WORD = re.compile(r"[^\W_]+$")
_FIRST_WORD = re.compile(r"[^\W_]+")


_UPPER = "A-ZÀ-ÖØ-ÝŒ"
_NAME_WORD_REST = r"[^\W\d_]*(?:[-'’][^\W\d_]+)*"
_NAME_WORD = rf"[{_UPPER}]{_NAME_WORD_REST}"
# The two scans over every paragraph below open with a letter and test what precedes it only after it
# (`M(?<![\w.]M)`, not `(?<![\w.])M`), for the same matches: the regex engine then skips to candidate letters
# instead of trying the whole pattern at every position (each scan ~1.7 times faster on the benchmark corpus).
# A person's name after a courtesy title (M. MM. Mme Mmes Mlle Mlles Mgr Me Mr Mrs Dr Pr), with its particles:
# `M. de Gaulle`, `Mme Van der Berg`.
_AFTER_HONORIFIC = re.compile(
    r"(?:M(?<![\w.]M)(?:\.|M\.|me|mes|lle|lles|gr|e|r\.?|rs\.?)|[DP](?<![\w.][DP])r)\s+"
    rf"((?:(?:de|du|des|d'|d’|van|von|der|den|ter|di|da|del|de la)\s*)?{_NAME_WORD}"
    rf"(?:\s+(?:(?:de|du|d'|d’|van|von|der|di|da|del)\s*)?{_NAME_WORD})*)"
)
_NAME_START = re.compile(rf"(?:(?:de|du|des|d'|d’|van|von|der|di|da|del|de la)\s*)?[{_UPPER}]")
_WORD_AT = re.compile(r"[^\W_]+")
_CAPITALISED = re.compile(rf"[{_UPPER}](?<![\w-][{_UPPER}]){_NAME_WORD_REST}(?:-{_NAME_WORD})*(?![\w-])")
_NAME_NEXT = re.compile(rf"\s+{_NAME_WORD}")
_CAPITALISED_BEFORE = re.compile(rf"{_NAME_WORD}\s+$")


_DASHES_TO_SPACE = str.maketrans(dict.fromkeys("-‐‑‒–—’'`", " "))


def fold(text: str) -> str:
    """Case-, accent-, dash- and space-insensitive key; equal keys name the same string."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if not decomposed.isascii():  # ASCII has no combining marks
        decomposed = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(decomposed.translate(_DASHES_TO_SPACE).split())


def place_key(text: str) -> str:
    """fold() without articles and `de`: `Fédération de la Russie` and `Fédération de Russie` share a key."""
    return " ".join(w for w in fold(text).split() if w not in _PLACE_FILLERS)


# Cached copies for refine_entities: a document folds the same names again and again (votes, norms) and looks
# up every capitalised word in the gazetteer, and words recur across documents (the 2,000-article benchmark
# asks 8k distinct texts of _fold and 22k of _place_key, for 5.5 MB). Apart from the public functions, so that
# building the gazetteer does not fill the caches with its aliases; the bound caps them near 12 MB together.
_fold = functools.lru_cache(maxsize=1 << 15)(fold)
_place_key = functools.lru_cache(maxsize=1 << 15)(place_key)


_PLACE_FILLERS = frozenset("le la les l de du des d".split())


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """place_key(name) -> canonical name; `countries` may override a PER label, `places` only others."""

    countries: Mapping[str, str] = field(default_factory=dict)
    places: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EntityRules:
    """Which post-processing rules run (all by default); `benchmarks.entity_rules` measures each one off."""

    trim_edges: bool = True  # quotes, brackets, dashes and a sentence's final `.` are no part of a name
    honorifics: bool = True  # `M.`, `Mme`, `Dr` kept outside a span; evidence that a person follows
    titles: bool = True  # `général Prim` -> `Prim` (PER); a span that is a function alone is dropped
    noun_heads: bool = True  # `le boson de Higgs` -> `Higgs`: a common noun before `de` is no part of a name
    articles: bool = True  # `la France` -> `France` outside persons
    drop_non_names: bool = True  # lowercase spans, one letter, roman numerals, stray capitals
    split_coordinations: bool = True  # `Siemens und BASF` -> two ORGs; `Marie et Paul` -> two PERs
    honorific_person: bool = True  # a name after a courtesy title is a person
    org_context: bool = True  # `le groupe Wagner` -> ORG
    gazetteer_labels: bool = True  # a known country is a place over any label, a known town over MISC
    demonyms: bool = True  # `les Marseillais` -> MISC
    locatives: bool = True  # `à Kloten` -> LOC
    repeats: bool = True  # uncovered repeats of the document's names and of its persons' surnames
    honorific_names: bool = True  # capitalised words after a courtesy title, found without the model
    gazetteer_names: bool = True  # known places found without the model
    vote: bool = True  # one label per name in a document, by weighted majority


ALL_RULES = EntityRules()


@dataclass(frozen=True, slots=True)
class EntityFinding:
    """A named entity; paragraphs[paragraph_id][start:end] == text."""

    paragraph_id: int
    start: int
    end: int
    text: str
    label: EntityLabel
    norm: str


@dataclass(slots=True)
class _Mention:
    paragraph_id: int
    start: int
    end: int
    label: str
    text: str = ""
    after_honorific: bool = False
    org_context: bool = False
    place: str | None = None  # gazetteer name
    country: bool = False


def refine_entities(
    paragraphs: Sequence[str],
    spans: Sequence[Sequence[RawSpan]],
    gazetteer: Gazetteer,
    rules: EntityRules = ALL_RULES,
) -> list[EntityFinding]:
    """Sorted, non-overlapping findings, each with paragraphs[p][start:end] == text and start < end."""
    mentions: list[_Mention] = []
    for p, raw in enumerate(spans[: len(paragraphs)]):
        text = paragraphs[p]
        for start, end, label in raw:
            m = _clean(p, text, int(start), int(end), str(label), rules)
            if m is not None:
                mentions.append(m)
    mentions = _drop_overlaps(mentions)
    if rules.noun_heads:
        mentions = _cut_noun_heads(paragraphs, mentions, rules)
    if rules.split_coordinations:
        mentions = _drop_overlaps(_split_coordinations(paragraphs, mentions, gazetteer, rules))
    for m in mentions:
        _relabel(paragraphs[m.paragraph_id], m, gazetteer, rules)
    if rules.repeats:
        mentions = _drop_overlaps(mentions + _missed_mentions(paragraphs, mentions, gazetteer, rules))
    if rules.honorific_names or rules.gazetteer_names:
        mentions = _drop_overlaps(mentions + _unlabelled_names(paragraphs, mentions, gazetteer, rules))
    if rules.vote:
        _vote(mentions)
    norms = _norms(mentions)
    return [
        EntityFinding(
            m.paragraph_id,
            m.start,
            m.end,
            m.text,
            cast(EntityLabel, m.label),
            norms[id(m)],
        )
        for m in mentions
    ]


def _clean(paragraph: int, text: str, start: int, end: int, label: str, rules: EntityRules) -> _Mention | None:
    """The span trimmed to its name, or None when nothing name-like is left (each None below says why)."""
    if label not in _LABELS:
        return None  # a label outside the schema
    if not 0 <= start < end <= len(text):
        return None  # offsets outside the paragraph: the span cannot be trusted to point at anything
    after_honorific = False
    while True:
        before = (start, end)
        if rules.trim_edges:
            while start < end and text[start] in _EDGE_OR_DOT:
                start += 1
            while start < end and text[end - 1] in _EDGE:
                end -= 1
            # A final `.` belongs to an initial (`J.`, `D.C.`) and ends a sentence after anything else.
            size = end - start
            if (
                size > 0
                and text[end - 1] == "."
                and not (size >= 2 and text[end - 2].isalpha() and (size == 2 or not text[end - 3].isalpha()))
            ):
                end -= 1
        head = text[start:end].split(maxsplit=1)
        if rules.honorifics and len(head) == 2 and head[0] in HONORIFICS:
            start = text.index(head[1], start + len(head[0]), end)
            after_honorific = True
        if start < end and text[start].islower():  # every title and article starts with a lowercase letter
            # A lowercase title before a capital opens a person's span (`général Prim`), whatever the model
            # said; before a lowercase word it opens a function, which is no name.
            m = _LEADING_TITLE.match(text, start, end) if rules.titles else None
            if m and m.end() < end and (label == "PER" or _NAME_START.match(text, m.end(), end)):
                start, label, after_honorific = m.end(), "PER", True
            elif m and m.end() < end:
                return None  # a function (`ministre russe des Affaires étrangères`), not a name
            elif rules.articles and label != "PER" and (m := _ARTICLE.match(text, start, end)) and m.end() < end:
                # `la France`, `l'Europe`; a person's particle stays (`de Gaulle`, `d'Estaing`)
                start = m.end()
        if (start, end) == before:
            break
    span = text[start:end]
    if not span.strip():
        return None  # nothing left to point at
    if rules.drop_non_names and _no_name(span):
        return None
    if not after_honorific and rules.honorifics:
        prefix = text[max(0, start - 8) : start].split()
        after_honorific = bool(prefix) and prefix[-1] in HONORIFICS
    if not after_honorific and rules.titles and span[0].isupper():
        window = text[max(0, start - 30) : start]
        title = window.rstrip()
        if len(title) < len(window) and title.endswith(_TITLE_ENDINGS):
            after_honorific = bool(_TITLE_BEFORE.search(text, max(0, start - 30), start))
    return _Mention(paragraph, start, end, label, span, after_honorific)


def _no_name(span: str) -> bool:
    """True for what cannot be a name: one letter, no capital, a bare title, a roman numeral, stray capitals."""
    letters = sum(map(str.isalpha, span))
    return (
        letters < 2  # digits and punctuation
        or span.islower()  # lowercase spans are OCR debris or common nouns; scripts without case pass
        or span in HONORIFICS
        or bool(_ROMAN.match(span))
        or (span.isupper() and letters <= 2 and " " not in span)  # OCR debris or initials alone
    )


def _cut_noun_heads(paragraphs: Sequence[str], mentions: list[_Mention], rules: EntityRules) -> list[_Mention]:
    """A person's span `Noun de Name` is cut to `Name` when the document shows the noun to be a common one."""
    # A given name comes before a particle (`Charles de Gaulle`); a common noun does too in an eponym (`le boson
    # de Higgs`, `la maladie de Parkinson`), which a model reads as a person when a headline capitalises it. The
    # noun shows itself by a lowercase spelling of the same phrase (in the span or elsewhere in the document) or
    # by a singular determiner right before it, which French puts before a common noun and not before a first
    # name. Plural determiners name families (`les Bourbons de Naples`); titles are the honorifics' business.
    out: list[_Mention] = []
    document: str | None = None
    for m in mentions:
        head = _NOUN_HEAD.match(m.text) if m.label == "PER" else None
        if head is None or _COURTESY_WORD.fullmatch(head.group(1)):
            out.append(m)
            continue
        text, noun = paragraphs[m.paragraph_id], head.group(1)
        if noun[0].isupper() and not _DETERMINER_RIGHT_BEFORE.search(text, max(0, m.start - 12), m.start):
            if document is None:
                document = "\n".join(paragraphs)
            phrase = noun[0].lower() + m.text[1:]
            if not re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", document):
                out.append(m)
                continue
        name = _clean(m.paragraph_id, text, m.start + head.end(), m.end, "PER", rules)
        if name is not None:
            out.append(name)
    return out


def _drop_overlaps(mentions: list[_Mention]) -> list[_Mention]:
    """Sorted by position; of overlapping mentions the first and then longest one is kept."""
    kept: list[_Mention] = []
    for m in sorted(mentions, key=lambda m: (m.paragraph_id, m.start, m.start - m.end)):
        if kept and kept[-1].paragraph_id == m.paragraph_id and m.start < kept[-1].end:
            continue  # overlaps a mention already kept
        kept.append(m)
    return kept


def _split_coordinations(
    paragraphs: Sequence[str], mentions: list[_Mention], gazetteer: Gazetteer, rules: EntityRules
) -> list[_Mention]:
    """Names glued at a coordination or a place preposition become separate mentions; titles of works stay whole."""
    out: list[_Mention] = []
    for m in mentions:
        text = paragraphs[m.paragraph_id]
        if m.label == "ORG":
            out.extend(_split_organisation(text, m, gazetteer, rules))
            continue
        cut = _GLUE_INSIDE.search(text, m.start, m.end) if m.label != "MISC" else None
        if cut is None or cut.end() >= m.end:
            out.append(m)
            continue
        second = "LOC" if cut.group(1) is not None and m.label == "PER" else m.label
        head = _clean(m.paragraph_id, text, m.start, cut.start(), m.label, rules)
        tail = _clean(m.paragraph_id, text, cut.end(), m.end, second, rules)
        if head is not None:
            head.after_honorific |= m.after_honorific
        out.extend(x for x in (head, tail) if x is not None)
    return out


def _split_organisation(text: str, m: _Mention, gazetteer: Gazetteer, rules: EntityRules) -> list[_Mention]:
    """An ORG cut at each coordination that has a name of its own on one side (an acronym, a known place)."""
    # `Réseau Ferré de France et de CEMEX` is two bodies; `Procter & Gamble`, `Arts et Métiers`,
    # `Académie des sciences et des lettres` have no conjunct that names something alone, and an acronym
    # in brackets after the span (`... arts et métiers (CNAM)`) or a place name for the whole keeps it whole.
    if _ACRONYM_AFTER.match(text, m.end) or _known_place(m.text, gazetteer):
        return [m]
    pieces: list[tuple[int, int]] = []
    start = m.start
    for cut in _ORG_COORDINATION.finditer(text, m.start, m.end):
        nxt = _FIRST_WORD.match(text, cut.end(), m.end)
        before = _LAST_WORD.search(text, start, cut.start())
        if nxt is None or before is None:
            continue
        following = text[cut.end() : _next_cut(text, cut.end(), m.end)]
        if _is_own_name(before.group(), text[start : cut.start()], gazetteer) or _is_own_name(
            nxt.group(), following, gazetteer
        ):
            pieces.append((start, cut.start()))
            start = cut.end()
    if not pieces:
        return [m]
    pieces.append((start, m.end))
    found = [_clean(m.paragraph_id, text, s, e, "ORG", rules) for s, e in pieces]
    return [x for x in found if x is not None]


def _next_cut(text: str, start: int, end: int) -> int:
    """Where the conjunct starting at `start` ends: the next coordination of the span, or its end."""
    nxt = _ORG_COORDINATION.search(text, start, end)
    return nxt.start() if nxt else end


def _is_own_name(word: str, conjunct: str, gazetteer: Gazetteer) -> bool:
    """True when a conjunct ends or starts with a name that stands alone: an acronym, or a known place."""
    acronym = bool(_ACRONYM.fullmatch(word)) and not _ROMAN.match(word)
    return acronym or _known_place(word, gazetteer) or _known_place(conjunct, gazetteer)


def _known_place(name: str, gazetteer: Gazetteer) -> bool:
    """True when the gazetteer knows the name as a country or another place."""
    key = _place_key(name)
    return key in gazetteer.countries or key in gazetteer.places


def _relabel(text: str, m: _Mention, gazetteer: Gazetteer, rules: EntityRules) -> None:
    """Evidence over the model's label: honorific -> PER, known place -> LOC, demonym -> MISC, locative -> LOC."""
    if rules.gazetteer_labels:
        key = _place_key(m.text)
        country = gazetteer.countries.get(key)
        m.country = country is not None
        m.place = country or gazetteer.places.get(key)
    before = text[max(0, m.start - 60) : m.start]
    single = " " not in m.text
    if rules.honorific_person and m.after_honorific and not m.country:
        m.label = "PER"
    elif rules.org_context and single and m.place is None and _ORG_BEFORE.search(before):
        m.label, m.org_context = "ORG", True
    elif m.place is not None and (m.country or m.label == "MISC"):
        # A town's name that a model reads as an organisation is mostly a club or a firm named after it.
        m.label = "LOC"
    elif rules.demonyms and single and m.place is None and _DEMONYM.match(m.text) and _DETERMINER_BEFORE.search(before):
        m.label = "MISC"
    elif rules.locatives and single and m.label in ("MISC", "ORG") and _LOCATIVE_BEFORE.search(before):
        m.label = "LOC"  # `à Kloten`, `en Valais`: a name after a preposition of place is a place


def _missed_mentions(
    paragraphs: Sequence[str],
    mentions: list[_Mention],
    gazetteer: Gazetteer,
    rules: EntityRules,
) -> list[_Mention]:
    """Uncovered repeats of names found elsewhere in the document and of surnames of full PER names."""
    known: dict[str, str] = {}
    for m in mentions:
        if m.label == "MISC" or sum(map(str.isalpha, m.text)) < 3:
            continue
        known.setdefault(m.text, m.label)
        words = m.text.split()
        if m.label == "PER" and len(words) > 1 and len(words[-1]) > 2 and words[-1][0].isupper():
            known.setdefault(words[-1], "PER")
    # Candidates by first word, longest first: the first that fits at a position is the one taken.
    by_first: dict[str, list[str]] = defaultdict(list)
    for name in sorted(known, key=len, reverse=True):
        first = _WORD_AT.match(name)
        if first is not None:
            by_first[first.group()].append(name)
    if not by_first:
        return []
    # One str.find pass per first word over the whole document rather than a look-up per word of text: a
    # document knows a few dozen names and has hundreds of words. A first word is letters and digits only, so
    # no hit straddles the `\n` between two paragraphs.
    document = "\n".join(paragraphs)
    offsets = list(accumulate((len(text) + 1 for text in paragraphs[:-1]), initial=0))
    covered = _Coverage(mentions)
    found: list[tuple[int, _Mention]] = []
    for word, names in by_first.items():
        at = document.find(word)
        while at >= 0:
            p = bisect_right(offsets, at) - 1
            text, s = paragraphs[p], at - offsets[p]
            hit = _whole_name_at(text, s, word, names)
            if hit is not None and not covered.overlaps(p, s, s + len(hit)):
                prefix = text[max(0, s - 8) : s].split()
                after_honorific = rules.honorifics and bool(prefix) and prefix[-1] in HONORIFICS
                m = _Mention(p, s, s + len(hit), known[hit], hit, after_honorific)
                _relabel(text, m, gazetteer, rules)
                found.append((at, m))
            at = document.find(word, at + 1)
    found.sort(key=lambda hit: hit[0])  # text order, as the mentions of a scan word by word would come
    return [m for _, m in found]


def _whole_name_at(text: str, s: int, first: str, names: Sequence[str]) -> str | None:
    """The first of `names` that is whole words at text[s:], where `first` must be a whole word too."""
    if s and (text[s - 1].isalnum() or text[s - 1] in "-_"):
        return None
    after = s + len(first)
    if after < len(text) and text[after].isalnum():
        return None  # `first` is only the beginning of a longer word
    for name in names:
        e = s + len(name)
        if text.startswith(name, s) and not (e < len(text) and (text[e].isalnum() or text[e] in "-_")):
            return name
    return None


def _unlabelled_names(
    paragraphs: Sequence[str],
    mentions: list[_Mention],
    gazetteer: Gazetteer,
    rules: EntityRules,
) -> list[_Mention]:
    """Uncovered capitalised words after an honorific (PER) or naming a known place on their own (LOC)."""
    covered = _Coverage(mentions)
    countries, places = gazetteer.countries, gazetteer.places
    found: list[_Mention] = []
    for p, text in enumerate(paragraphs):
        for hit in _AFTER_HONORIFIC.finditer(text) if rules.honorific_names else ():
            s, e = hit.span(1)
            if not covered.overlaps(p, s, e):
                found.append(_Mention(p, s, e, "PER", hit.group(1), after_honorific=True))
        # The gazetteer test comes first: it is the cheapest and it rules out nine capitalised words in ten.
        for hit in _CAPITALISED.finditer(text) if rules.gazetteer_names else ():
            key = _place_key(hit.group())
            place = countries.get(key) or (places.get(key) if len(key) > 3 else None)
            if place is None:
                continue
            s, e = hit.span()
            if covered.overlaps(p, s, e) or _NAME_NEXT.match(text, e):
                continue  # already found, or a word of a longer name (`Florence Arthaud`)
            if _CAPITALISED_BEFORE.search(text, max(0, s - 40), s):
                continue
            found.append(_Mention(p, s, e, "LOC", hit.group(), place=place, country=key in countries))
    return found


class _Coverage:
    """Overlap tests against sorted, non-overlapping mentions in O(log n) each."""

    def __init__(self, mentions: Sequence[_Mention]) -> None:
        self._starts: dict[int, list[int]] = defaultdict(list)
        self._ends: dict[int, list[int]] = defaultdict(list)
        for m in mentions:
            self._starts[m.paragraph_id].append(m.start)
            self._ends[m.paragraph_id].append(m.end)

    def overlaps(self, paragraph: int, start: int, end: int) -> bool:
        starts, ends = self._starts.get(paragraph, []), self._ends.get(paragraph, [])
        i = bisect_left(starts, end) - 1  # the last mention starting before `end`
        return i >= 0 and ends[i] > start


def _vote(mentions: list[_Mention]) -> None:
    """One label per name: majority over mentions of one folded text; a surname votes with its full name."""
    keys = [_fold(m.text) for m in mentions]
    surname_of: dict[str, str] = {}
    for m, key in zip(mentions, keys, strict=True):
        words = key.split()
        if m.label == "PER" and len(words) > 1:
            surname_of.setdefault(words[-1], m.text)
    votes: dict[str, dict[str, int]] = defaultdict(dict)  # folded text -> label -> weight
    for m, key in zip(mentions, keys, strict=True):
        weight = 2 if m.after_honorific or m.org_context or m.country else 1
        if key in surname_of and m.label == "PER":
            weight += 1
        votes[key][m.label] = votes[key].get(m.label, 0) + weight
    for key in surname_of:
        votes[key]["PER"] = votes[key].get("PER", 0) + 1
    winners: dict[str, str | None] = {}  # folded text -> the label with the most weight, None on a tie
    for m, key in zip(mentions, keys, strict=True):
        if (m.after_honorific and not m.country) or m.org_context:
            continue  # direct evidence beats the majority
        if key not in winners:
            top = max(votes[key].values())
            leaders = [label for label, n in votes[key].items() if n == top]
            winners[key] = leaders[0] if len(leaders) == 1 else None
        if (label := winners[key]) is not None:
            m.label = label


def _norms(mentions: list[_Mention]) -> dict[int, str]:
    """Per mention a name in the document's own spelling: its text, or the one full name of a person it ends."""
    # Never a spelling from outside the document (a gazetteer's exonym, a folded key): `Pékin` stays `Pékin`,
    # `ETA` stays `ETA`. A surname joins the longest person's name of the document that ends with it, when only
    # one name is that long (`Lavrov` -> `Sergueï Lavrov`; with `Peter Higgs` and `Mary Higgs`, `Higgs` stays);
    # a name in capitals takes the mixed-case spelling of the same name when the document has one (headlines).
    longest: dict[tuple[str, ...], tuple[int, set[str]]] = {}  # last words -> (word count, folded full names)
    spellings: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)  # (label, folded) -> spelling -> count
    for m in mentions:
        text = " ".join(m.text.split())
        key = _fold(text)
        forms = spellings[(m.label, key)]
        forms[text] = forms.get(text, 0) + 1
        if m.label == "PER":
            words = tuple(key.split())
            for k in range(1, len(words) + 1):
                size, names = longest.get(words[-k:], (0, set()))
                if size < len(words):
                    longest[words[-k:]] = (len(words), {key})
                elif size == len(words):
                    names.add(key)
    usual: dict[tuple[str, str], str] = {}  # (label, folded) -> the spelling used most, mixed case first
    norms: dict[int, str] = {}
    for m in mentions:
        text = " ".join(m.text.split())
        key = _fold(text)
        if m.label == "PER":
            _, names = longest.get(tuple(key.split()), (0, set()))
            if len(names) == 1:
                key = next(iter(names))
        elif not text.isupper() or (" " not in text and len(text) <= 6):
            norms[id(m)] = text  # its own spelling; an acronym is its own name
            continue
        if (m.label, key) not in usual:
            forms = spellings[(m.label, key)]
            usual[(m.label, key)] = max(forms, key=lambda f: (not f.isupper(), forms[f], len(f)))
        norms[id(m)] = usual[(m.label, key)]
    return norms
