"""Paragraph segmentation and paragraph kinds (title, heading, body)."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from tasks.records import ParagraphKind

PARAGRAPH_SEPARATOR = "\n\n"
MAX_HEADING_CHARS = 150
MAX_HEADING_WORDS = 20
# Headings are the first lines a reader would see as such; a title further down is more likely a quote or a caption.
TITLE_WITHIN = 3

# A line is running text when, past its closing quotes and brackets, it ends in terminal punctuation (Unicode's
# Terminal_Punctuation: `.` `,` `:` `;` and the sentence ends of other scripts, `。` `？` `！` `،` `؟` `۔` `।`...),
# except an ASCII `?` or `!`, which end titles as often as sentences (`Qui paiera ?`). `…` is not terminal.
_TRAILING_CLOSERS = regex.compile(r"[\p{Pf}\p{Pe}\"'\s]+$")
_TERMINAL = regex.compile(r"\p{Term}$")
_MAY_END_TITLE = ("?", "!", "…", "...")
_STARTS_LIKE_HEADING = regex.compile(r"^[\p{Ps}\p{Pi}\"'¿¡\s]*[\p{Lu}\p{Lt}\p{Lo}\p{N}]")
# A byline: a byline word and a name (capitalised words, with their particles), then nothing, or a separator and
# whatever follows it (`Par Jean Dupont`, `By Jane Doe, BBC News`, `Von Anna Schmidt | dpa`); or a correspondent
# formula (`De notre envoyé spécial à Kiev`, `From our correspondent`).
_PARTICLE = r"(?:de|du|des|da|di|del|dos|van|von|der|le|la|bin|ibn|al)\s+"
_NAME = rf"\p{{Lu}}[\p{{L}}\p{{M}}.'’-]*(?:\s+(?:{_PARTICLE})?\p{{Lu}}[\p{{L}}\p{{M}}.'’-]*){{0,4}}"
_OUR = r"(?:notre|nos|our|unserer?|unseren|nuestr[oa]s?|nostr[oa]|nossa|nosso)"
_BYLINE = regex.compile(
    rf"^(?:(?:Par|By|Por|Von|Di|Door|Av|Af)\s+{_NAME}(?:\s+(?:et|and|y|e|und|en|og)\s+{_NAME})?"
    r"(?:\s*(?:[,;|/–—-]|\bpour\b|\bfor\b|\bpara\b|\bfür\b|\bper\b).*)?"
    rf"|(?:De|Par|By|From|Von|Di|Da)\s+{_OUR}\s.*)$"
)
# A dateline: a place, maybe a date, maybe a news agency in brackets, then a dash (`PARIS (AFP) -`,
# `Madrid, 1 jun (EFE).-`, `LONDRES, 3 mars (Reuters) —`, `NAIROBI -`); with no agency, a place in capitals and
# the dash are needed.
_PLACE = r"\p{L}[\p{L}\p{M}'’.-]*(?:\s+\p{L}[\p{L}\p{M}'’.-]*){0,3}"
_AGENCY = r"\([\p{L}&./-]+(?:[ /-][\p{L}&.]+){0,2}\)"
_DATELINE = regex.compile(
    rf"^(?P<place>{_PLACE})(?:\s*,\s*[\p{{L}}\p{{N}}. ]{{1,25}}?)?\s*(?P<agency>{_AGENCY})?"
    r"\s*\.?\s*(?P<dash>[-–—]+)?\s*\.?\s*$"
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A paragraph of a cleaned text; text[start:end] is the paragraph."""

    paragraph_id: int
    start: int
    end: int
    text: str
    kind: ParagraphKind


def split_paragraphs(text: str) -> list[Segment]:
    """Paragraphs of a cleaned text in order, with kinds; text[s.start:s.end] == s.text."""
    segments: list[Segment] = []
    title_seen = False
    start = 0
    seen = 0  # paragraphs before this one that are not a byline or a dateline
    for i, part in enumerate(text.split(PARAGRAPH_SEPARATOR) if text else []):
        kind: ParagraphKind = "body"
        credit = is_byline_or_dateline(part)
        if not credit and looks_like_heading(part):
            kind = "title" if not title_seen and seen < TITLE_WITHIN else "heading"
            title_seen = True
        seen += not credit
        segments.append(Segment(i, start, start + len(part), part, kind))
        start += len(part) + len(PARAGRAPH_SEPARATOR)
    return segments


def looks_like_heading(paragraph: str) -> bool:
    """Short, one line, not ending as running text does, starts with a capital, a caseless letter or a digit."""
    return (
        len(paragraph) <= MAX_HEADING_CHARS
        and "\n" not in paragraph
        and len(paragraph.split()) <= MAX_HEADING_WORDS
        and not ends_as_running_text(paragraph)
        and _STARTS_LIKE_HEADING.match(paragraph) is not None
    )


def ends_as_running_text(paragraph: str) -> bool:
    """Past its closing quotes and brackets, the line ends in terminal punctuation other than `?`, `!`, `…`."""
    core = _TRAILING_CLOSERS.sub("", paragraph)
    return not core.endswith(_MAY_END_TITLE) and _TERMINAL.search(core) is not None


def is_byline_or_dateline(paragraph: str) -> bool:
    """A short line that credits the author (`Par Jean Dupont`) or places the story (`PARIS (AFP) -`)."""
    if len(paragraph) > MAX_HEADING_CHARS or "\n" in paragraph:
        return False
    if _BYLINE.match(paragraph):
        return True
    m = _DATELINE.match(paragraph)
    return m is not None and (m["agency"] is not None or (m["place"].isupper() and m["dash"] is not None))
