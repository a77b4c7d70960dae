"""Publication date of a document from its header and text, and its mentions resolved against that date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tasks.dates.scan import DateFinding, _Candidate, _candidates, _resolve_all
from tasks.records import DateSource, PartialDate


@dataclass(frozen=True, slots=True)
class DatedDocument:
    """Best publication date of a document and every date mention in it."""

    date: PartialDate | None
    source: DateSource | None
    mentions: tuple[DateFinding, ...]


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
