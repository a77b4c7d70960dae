"""Paragraph segmentation and paragraph kinds (title, heading, body)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.records import ParagraphKind

PARAGRAPH_SEPARATOR = "\n\n"
MAX_HEADING_CHARS = 150
MAX_HEADING_WORDS = 20
# Headings are the first lines a reader would see as such; a title further down is more likely a quote or a caption.
TITLE_WITHIN = 3

# Sentence-final punctuation, and the closing quotes/brackets that usually follow it, mark running text.
_SENTENCE_END = re.compile(r"[.!?…:;,\"'»”’)\]]\s*$")
_STARTS_LIKE_HEADING = re.compile(r"^[\"'«“]?[^\W_a-z]", re.UNICODE)


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
    for i, part in enumerate(text.split(PARAGRAPH_SEPARATOR) if text else []):
        kind: ParagraphKind = "body"
        if looks_like_heading(part):
            kind = "title" if not title_seen and i < TITLE_WITHIN else "heading"
            title_seen = True
        segments.append(Segment(i, start, start + len(part), part, kind))
        start += len(part) + len(PARAGRAPH_SEPARATOR)
    return segments


def looks_like_heading(paragraph: str) -> bool:
    """Short, one line, no sentence-final punctuation, starts with a capital or digit."""
    return (
        len(paragraph) <= MAX_HEADING_CHARS
        and "\n" not in paragraph
        and len(paragraph.split()) <= MAX_HEADING_WORDS
        and _SENTENCE_END.search(paragraph) is None
        and _STARTS_LIKE_HEADING.match(paragraph) is not None
    )
