"""Frozen records that flow one way: file -> Document -> rows per table.

Each record mirrors one table schema in `tasks/schemas.py` (same name, same fields, same order).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Precision = Literal["year", "month", "day"]
ParagraphKind = Literal["title", "heading", "body"]
EntityLabel = Literal["PER", "LOC", "ORG", "MISC"]
DateSource = Literal["header", "header+byline", "header+dateline", "header+signoff", "byline", "dateline", "signoff"]
RawSpan = tuple[int, int, str]  # a model's (start, end, label): char offsets into the text it read

UNDETERMINED = "und"  # ISO 639-3 code for "language not determined"

_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A calendar date known to year, month or day; every present field is valid."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} out of range 1-9999")
        if self.month is None:
            if self.day is not None:
                raise ValueError("a day needs a month")
            return
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} out of range 1-12")
        if self.day is not None and not 1 <= self.day <= calendar.monthrange(self.year, self.month)[1]:
            raise ValueError(f"day {self.day} out of range for {self.year}-{self.month:02d}")

    @property
    def precision(self) -> Precision:
        return "year" if self.month is None else "month" if self.day is None else "day"

    @property
    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
        if self.day is not None:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    @classmethod
    def parse(cls, value: str) -> PartialDate:
        """`YYYY`, `YYYY-MM` or `YYYY-MM-DD`; raises ValueError naming what is wrong."""
        m = _ISO.fullmatch(value.strip())
        if m is None:
            raise ValueError(f"{value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        y, mo, d = m.groups()
        return cls(int(y), int(mo) if mo else None, int(d) if d else None)

    def covers(self, other: PartialDate) -> bool:
        """True when `other` falls inside the period this date names."""
        return (
            self.year == other.year
            and (self.month is None or self.month == other.month)
            and (self.day is None or self.day == other.day)
        )


@dataclass(frozen=True, slots=True)
class Document:
    """One article; `text` is the cleaned body, paragraphs joined by one blank line; flags name an earlier document."""

    doc_id: str
    source: str
    content_sha256: str
    language: str
    language_score: float
    title: str | None
    date: str | None
    date_precision: Precision | None
    date_source: DateSource | None
    header_date: str | None
    n_paragraphs: int
    n_chars: int
    encoding: str
    text: str
    duplicate_of: str | None = None
    near_duplicate_of: str | None = None
    near_duplicate_score: float | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph; document.text[start:end] == text; duplicate flags name its first occurrence in the corpus."""

    doc_id: str
    paragraph_id: int
    kind: ParagraphKind
    start: int
    end: int
    text: str
    language: str
    language_score: float
    duplicate_of: str | None = None
    duplicate_of_paragraph_id: int | None = None
    boilerplate: bool = False


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity; paragraph.text[start:end] == text."""

    doc_id: str
    paragraph_id: int
    start: int
    end: int
    text: str
    label: EntityLabel
    norm: str


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date in the text at its own precision; paragraph.text[start:end] == text."""

    doc_id: str
    paragraph_id: int
    start: int
    end: int
    text: str
    value: str
    precision: Precision
    relative: bool


@dataclass(frozen=True, slots=True)
class Reject:
    """A file, or part of one, that did not make it into the tables as it was, and why."""

    run_id: str
    source: str
    reason: str
    message: str
    action: Literal["skipped", "kept"]


@dataclass(frozen=True, slots=True)
class Run:
    """One committed run: what it saw, what it did and what it wrote."""

    run_id: str
    started_at: datetime
    finished_at: datetime
    files_seen: int
    files_ignored: int
    files_processed: int
    files_failed: int
    files_new: int
    files_changed: int
    files_unchanged: int
    files_deleted: int
    documents: int
    paragraphs: int
    entities: int
    date_mentions: int
    ner_skipped_paragraphs: int
    duplicates: int
    near_duplicates: int
    duplicate_paragraphs: int
    boilerplate_paragraphs: int
    full_refresh: bool
    pipeline_version: str
    language_detector: str
    documents_removed: int  # committed documents whose file left the input, dropped by prune or full refresh
