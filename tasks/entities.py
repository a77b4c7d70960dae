"""Post-processing of raw NER spans over one document: cleanup, honorifics, gazetteer, one label per name."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from tasks.models import RawSpan
from tasks.records import EntityLabel

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
_ARTICLE = re.compile(r"(?:(?:le|la|les|du|de|des|au|aux)\s+|[ld]['’]\s*)(?=[^\W\d_])")
# Characters that never start or end a name (quotes, brackets, dashes, separators); `.` is handled apart,
# for initials.
_EDGE = "\"'«»“”‘’„‚‹›()[]{}<>—–-_,;:!?/\\|*#~^`=+·•…§¶°%&@ \t\n\r\u00a0\u202f"
_ROMAN = re.compile(r"^[IVXLCDM]+\.?$")
# A capitalised plural or demonym after a determiner is a people (`les Suisses`, `un Allemand`), not a place.
_DEMONYM = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ]+(?:e|i|ais|ois|ain|ien|éen|and|ol|in|on|ard)s?$")
_DETERMINER_BEFORE = re.compile(
    r"(?:^|\s)(?:les|des|aux|ces|un|une|deux|trois|quelques|plusieurs|nos|vos|leurs)\s+$", re.I
)
# Inside a span, `et`/`&` between two capitalised words joins two names, and `à`/`au` starts a place after a
# person's name (`Siegfried au Havre`).
_GLUE_INSIDE = re.compile(r"(?<=[^\W\d_])\s+(?:(?:et|&)|(à|au|aux))\s+(?=[A-ZÀ-ÖØ-ÝŒ])")
_LOCATIVE_BEFORE = re.compile(r"(?:^|\s)(?:à|en|vers|près de|jusqu'à|jusqu’à)\s+$")
# Nouns that introduce an organisation name right before it (`le groupe Wagner`, `mercenaires de Wagner`).
_ORG_BEFORE = re.compile(
    r"(?:^|\s)(?:groupe|groupes|société|sociétés|compagnie|entreprise|firme|milice|milices|mercenaires|organisation|"
    r"parti|mouvement|agence|banque|journal|quotidien|hebdomadaire|club|équipe|syndicat|constructeur|laboratoire|"
    r"fabricant|chaîne|marque|fondation|association|ONG|label|cabinet|consortium|holding|groupement|fédération)"
    r"(?:\s+[a-zà-ÿ]+)?\s+(?:de\s+|d'|d’)?$"
)
_ORG_AFTER = re.compile(
    r"^\s*,?\s*(?:un|une|le|la|l'|l’)\s+(?:\w+\s+)?(?:groupe|société|compagnie|entreprise|firme|milice|organisation|"
    r"parti|mouvement|agence|banque|journal|quotidien|club|équipe|syndicat|constructeur|fondation|association|ONG)\b"
)
# Two organisation fragments the model split at a coordination or a `de`
# (`Forces de Défense` + `Sécurité du Mali`).
_ORG_GLUE = re.compile(
    r"^\s+(?:et\s+(?:de\s+la\s+|de\s+l['’]|de\s+|du\s+|des\s+|d['’])?|de\s+la\s+|de\s+l['’]|de\s+|du\s+|des\s+|d['’])$"
)


_UPPER = "A-ZÀ-ÖØ-ÝŒ"
_NAME_WORD = rf"[{_UPPER}][^\W\d_]*(?:[-'’][^\W\d_]+)*"
# A person's name after a courtesy title, with its particles: `M. de Gaulle`, `Mme Van der Berg`.
_AFTER_HONORIFIC = re.compile(
    r"(?<![\w.])(?:M\.|MM\.|Mme|Mmes|Mlle|Mlles|Mgr|Dr|Me|Pr|Mr\.?|Mrs\.?)\s+"
    rf"((?:(?:de|du|des|d'|d’|van|von|der|den|ter|di|da|del|de la)\s*)?{_NAME_WORD}"
    rf"(?:\s+(?:(?:de|du|d'|d’|van|von|der|di|da|del)\s*)?{_NAME_WORD})*)"
)
_NAME_START = re.compile(rf"(?:(?:de|du|des|d'|d’|van|von|der|di|da|del|de la)\s*)?[{_UPPER}]")
_WORD_AT = re.compile(r"[^\W_]+")
_CAPITALISED = re.compile(rf"(?<![\w-]){_NAME_WORD}(?:-{_NAME_WORD})*(?![\w-])")
_NAME_NEXT = re.compile(rf"\s+{_NAME_WORD}")
_CAPITALISED_BEFORE = re.compile(rf"{_NAME_WORD}\s+$")


def fold(text: str) -> str:
    """Case-, accent-, dash- and space-insensitive key; equal keys name the same string."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[-‐‑‒–—’'`]", " ", plain).split())


def place_key(text: str) -> str:
    """fold() without articles and `de`: `Fédération de la Russie` and `Fédération de Russie` share a key."""
    return " ".join(w for w in fold(text).split() if w not in _PLACE_FILLERS)


_PLACE_FILLERS = frozenset("le la les l de du des d".split())


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """place_key(name) -> canonical name; `countries` may override a PER label, `places` only others."""

    countries: Mapping[str, str] = field(default_factory=dict)
    places: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EntityFinding:
    """A named entity; paragraphs[paragraph][start:end] == text."""

    paragraph: int
    start: int
    end: int
    text: str
    label: EntityLabel
    norm: str


@dataclass(slots=True)
class _Mention:
    paragraph: int
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
    *,
    gazetteer: Gazetteer | None = None,
) -> list[EntityFinding]:
    """Sorted, non-overlapping findings, each with paragraphs[p][start:end] == text and start < end."""
    # `gazetteer` is for tests; by default the place names come from the packages, loaded once per process.
    if gazetteer is None:
        from tasks.models import place_gazetteer

        gazetteer = place_gazetteer()
    mentions: list[_Mention] = []
    for p, raw in enumerate(spans[: len(paragraphs)]):
        text = paragraphs[p]
        for start, end, label in raw:
            m = _clean(p, text, int(start), int(end), str(label))
            if m is not None:
                mentions.append(m)
    mentions = _merge_org_fragments(paragraphs, _drop_overlaps(_split_coordinations(paragraphs, mentions)))
    for m in mentions:
        _relabel(paragraphs[m.paragraph], m, gazetteer)
    mentions = _drop_overlaps(mentions + _missed_mentions(paragraphs, mentions, gazetteer))
    mentions = _drop_overlaps(mentions + _unlabelled_names(paragraphs, mentions, gazetteer))
    _vote(mentions)
    norms = _norms(mentions)
    return [
        EntityFinding(m.paragraph, m.start, m.end, m.text, cast(EntityLabel, m.label), norms[id(m)]) for m in mentions
    ]


def _clean(paragraph: int, text: str, start: int, end: int, label: str) -> _Mention | None:
    """The span trimmed to its name, or None when nothing name-like is left (each None below says why)."""
    if label not in _LABELS:
        return None  # a label outside the schema
    if not 0 <= start < end <= len(text):
        return None  # offsets outside the paragraph: the span cannot be trusted to point at anything
    after_honorific = False
    while True:
        before = (start, end)
        while start < end and text[start] in _EDGE + ".":
            start += 1
        while start < end and text[end - 1] in _EDGE:
            end -= 1
        # A final `.` belongs to an initial (`J.`, `D.C.`) and ends a sentence after anything else.
        if (
            end > start
            and text[end - 1] == "."
            and not (end - start >= 2 and text[end - 2].isalpha() and (end - start == 2 or not text[end - 3].isalpha()))
        ):
            end -= 1
        head = text[start:end].split(maxsplit=1)
        if len(head) == 2 and head[0] in HONORIFICS:
            start = text.index(head[1], start + len(head[0]), end)
            after_honorific = True
        # A lowercase title before a capital opens a person's span (`général Prim`), whatever the model said;
        # before a lowercase word it opens a function, which is no name.
        m = _LEADING_TITLE.match(text, start, end)
        if m and m.end() < end and (label == "PER" or _NAME_START.match(text, m.end(), end)):
            start, label, after_honorific = m.end(), "PER", True
        elif m and m.end() < end:
            return None  # a function (`ministre russe des Affaires étrangères`), not a name
        elif label != "PER" and (m := _ARTICLE.match(text, start, end)) and m.end() < end:
            start = m.end()  # `la France`, `l'Europe`; a person's particle stays (`de Gaulle`, `d'Estaing`)
        if (start, end) == before:
            break
    span = text[start:end]
    letters = sum(c.isalpha() for c in span)
    if letters < 2:
        return None  # no name in one letter or in digits and punctuation
    if not any(c.isupper() for c in span):
        return None  # a name has a capital; lowercase spans are OCR debris or common nouns
    if span in HONORIFICS or _ROMAN.match(span):
        return None  # a bare title or a roman numeral
    if span.isupper() and letters <= 2 and " " not in span:
        return None  # stray capitals from OCR or initials alone
    if not after_honorific:
        prefix = text[max(0, start - 8) : start].split()
        after_honorific = bool(prefix) and prefix[-1] in HONORIFICS
        after_honorific |= span[0].isupper() and bool(_TITLE_BEFORE.search(text, max(0, start - 30), start))
    return _Mention(paragraph, start, end, label, span, after_honorific)


def _drop_overlaps(mentions: list[_Mention]) -> list[_Mention]:
    """Sorted by position; of overlapping mentions the first and then longest one is kept."""
    kept: list[_Mention] = []
    for m in sorted(mentions, key=lambda m: (m.paragraph, m.start, m.start - m.end)):
        if kept and kept[-1].paragraph == m.paragraph and m.start < kept[-1].end:
            continue  # overlaps a mention already kept
        kept.append(m)
    return kept


def _split_coordinations(paragraphs: Sequence[str], mentions: list[_Mention]) -> list[_Mention]:
    """Names glued at `et`/`&` or at a place preposition become separate mentions; ORG stays whole."""
    out: list[_Mention] = []
    for m in mentions:
        text = paragraphs[m.paragraph]
        cut = None if m.label == "ORG" else _GLUE_INSIDE.search(text, m.start, m.end)
        if cut is None or cut.end() >= m.end:
            out.append(m)
            continue
        second = "LOC" if cut.group(1) is not None and m.label == "PER" else m.label
        head = _clean(m.paragraph, text, m.start, cut.start(), m.label)
        tail = _clean(m.paragraph, text, cut.end(), m.end, second)
        if head is not None:
            head.after_honorific |= m.after_honorific
        out.extend(x for x in (head, tail) if x is not None)
    return out


def _merge_org_fragments(paragraphs: Sequence[str], mentions: list[_Mention]) -> list[_Mention]:
    """Fragments joined by `et`/`de` after an ORG become one ORG; a lone place name after `de` stays apart."""
    merged: list[_Mention] = []
    for m in mentions:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.paragraph == m.paragraph
            and last.label == "ORG"
            and (m.label == "ORG" or " " in m.text)
            and _ORG_GLUE.match(paragraphs[m.paragraph][last.end : m.start])
        ):
            last.end = m.end
            last.text = paragraphs[m.paragraph][last.start : last.end]
            continue
        merged.append(m)
    return merged


def _relabel(text: str, m: _Mention, gazetteer: Gazetteer) -> None:
    """Evidence over the model's label: honorific -> PER, organisation noun -> ORG, known place -> LOC."""
    key = place_key(m.text)
    country = gazetteer.countries.get(key)
    m.country = country is not None
    m.place = country or gazetteer.places.get(key)
    before, after = text[max(0, m.start - 60) : m.start], text[m.end : m.end + 60]
    single = " " not in m.text
    if m.after_honorific and not m.country:
        m.label = "PER"
    elif single and m.place is None and (_ORG_BEFORE.search(before) or _ORG_AFTER.match(after)):
        m.label, m.org_context = "ORG", True
    elif m.place is not None and (m.label != "PER" or m.country):
        m.label = "LOC"
    elif single and m.place is None and _DEMONYM.match(m.text) and _DETERMINER_BEFORE.search(before):
        m.label = "MISC"
    elif single and m.label in ("MISC", "ORG") and _LOCATIVE_BEFORE.search(before):
        m.label = "LOC"  # `à Kloten`, `en Valais`: a name after a preposition of place is a place


def _missed_mentions(paragraphs: Sequence[str], mentions: list[_Mention], gazetteer: Gazetteer) -> list[_Mention]:
    """Uncovered repeats of names found elsewhere in the document and of surnames of full PER names."""
    known: dict[str, str] = {}
    for m in mentions:
        if m.label == "MISC" or sum(c.isalpha() for c in m.text) < 3:
            continue
        known.setdefault(m.text, m.label)
        words = m.text.split()
        if m.label == "PER" and len(words) > 1 and len(words[-1]) > 2 and words[-1][0].isupper():
            known.setdefault(words[-1], "PER")
    # Candidates by first word, longest first, so that one dictionary look-up per word of text finds them.
    by_first: dict[str, list[str]] = defaultdict(list)
    for name in sorted(known, key=len, reverse=True):
        first = _WORD_AT.match(name)
        if first is not None:
            by_first[first.group()].append(name)
    covered = _Coverage(mentions)
    found: list[_Mention] = []
    for p, text in enumerate(paragraphs):
        for word in _WORD_AT.finditer(text):
            s = word.start()
            if s and (text[s - 1].isalnum() or text[s - 1] in "-_"):
                continue
            for name in by_first.get(word.group(), ()):
                e = s + len(name)
                if text.startswith(name, s) and not (e < len(text) and (text[e].isalnum() or text[e] in "-_")):
                    if not covered.overlaps(p, s, e):
                        prefix = text[max(0, s - 8) : s].split()
                        m = _Mention(p, s, e, known[name], name, bool(prefix) and prefix[-1] in HONORIFICS)
                        _relabel(text, m, gazetteer)
                        found.append(m)
                    break
    return found


def _unlabelled_names(paragraphs: Sequence[str], mentions: list[_Mention], gazetteer: Gazetteer) -> list[_Mention]:
    """Uncovered capitalised words after an honorific (PER) or naming a known place on their own (LOC)."""
    covered = _Coverage(mentions)
    found: list[_Mention] = []
    for p, text in enumerate(paragraphs):
        for hit in _AFTER_HONORIFIC.finditer(text):
            s, e = hit.span(1)
            if not covered.overlaps(p, s, e):
                found.append(_Mention(p, s, e, "PER", hit.group(1), after_honorific=True))
        for hit in _CAPITALISED.finditer(text):
            s, e = hit.span()
            if covered.overlaps(p, s, e) or _NAME_NEXT.match(text, e):
                continue  # already found, or a word of a longer name (`Florence Arthaud`)
            if _CAPITALISED_BEFORE.search(text, max(0, s - 40), s):
                continue
            key = place_key(hit.group())
            place = gazetteer.countries.get(key) or (gazetteer.places.get(key) if len(key) > 3 else None)
            if place is not None:
                m = _Mention(p, s, e, "LOC", hit.group(), place=place, country=key in gazetteer.countries)
                found.append(m)
    return found


class _Coverage:
    """Overlap tests against sorted, non-overlapping mentions in O(log n) each."""

    def __init__(self, mentions: Sequence[_Mention]) -> None:
        self._starts: dict[int, list[int]] = defaultdict(list)
        self._ends: dict[int, list[int]] = defaultdict(list)
        for m in mentions:
            self._starts[m.paragraph].append(m.start)
            self._ends[m.paragraph].append(m.end)

    def overlaps(self, paragraph: int, start: int, end: int) -> bool:
        starts, ends = self._starts.get(paragraph, []), self._ends.get(paragraph, [])
        i = bisect_left(starts, end) - 1  # the last mention starting before `end`
        return i >= 0 and ends[i] > start


def _vote(mentions: list[_Mention]) -> None:
    """One label per name: majority over mentions of one folded text; a surname votes with its full name."""
    surname_of: dict[str, str] = {}
    for m in mentions:
        words = fold(m.text).split()
        if m.label == "PER" and len(words) > 1:
            surname_of.setdefault(words[-1], m.text)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for m in mentions:
        key = fold(m.text)
        weight = 2 if m.after_honorific or m.org_context or m.country else 1
        votes[key][m.label] += weight
        if key in surname_of and m.label == "PER":
            votes[key]["PER"] += 1
    for key in surname_of:
        votes[key]["PER"] += 1
    for m in mentions:
        if (m.after_honorific and not m.country) or m.org_context:
            continue  # direct evidence beats the majority
        ranked = votes[fold(m.text)].most_common()
        if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            m.label = ranked[0][0]


def _norms(mentions: list[_Mention]) -> dict[int, str]:
    """Canonical name per mention: longest PER name ending with it, gazetteer name, else usual spelling."""
    longest_ending: dict[tuple[str, ...], tuple[int, str]] = {}  # last words -> (word count, full name)
    spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for m in mentions:
        text = " ".join(m.text.split())
        spellings[(m.label, fold(text))][text] += 1
        if m.label == "PER":
            words = tuple(fold(text).split())
            for k in range(1, len(words) + 1):
                if longest_ending.get(words[-k:], (0, ""))[0] < len(words):
                    longest_ending[words[-k:]] = (len(words), text)
    norms: dict[int, str] = {}
    for m in mentions:
        key = fold(m.text)
        if m.label == "PER":
            norms[id(m)] = longest_ending.get(tuple(key.split()), (0, m.text))[1]
        elif m.label == "LOC" and m.place is not None:
            norms[id(m)] = m.place
        elif m.text.isupper() and " " not in m.text and len(m.text) <= 6:
            norms[id(m)] = m.text  # an acronym is its own name
        else:
            forms = spellings[(m.label, key)]
            norms[id(m)] = max(forms, key=lambda f: (not f.isupper(), forms[f], len(f)))
    return norms
