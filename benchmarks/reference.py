"""Bare-library reference: langdetect, dateparser and spaCy fr_core_news_md used plainly; same tables out."""

from __future__ import annotations

import functools
import re
import shutil
from collections.abc import Collection
from datetime import datetime
from pathlib import Path

import pandas as pd

# The gold README's header rule; the rest of the file is the body, split at blank lines.
HEADER = re.compile(r"\A\s*date (\d{4}(?:-\d{2}(?:-\d{2})?)?) ")
BLANK_LINE = re.compile(r"\n\s*\n")

# language: document and each paragraph; doc_language: document only; dates: every paragraph's mentions;
# doc_date: header, else the first date of the text (scans paragraphs only until one is found); entities: NER.
STAGES = ("language", "doc_language", "dates", "doc_date", "entities")
SPACY_LABELS = {"PER": "PER", "PERSON": "PER", "LOC": "LOC", "GPE": "LOC", "ORG": "ORG", "MISC": "MISC"}

COLUMNS = {
    "documents": [
        "doc_id",
        "source",
        "language",
        "language_score",
        "date",
        "date_precision",
        "date_source",
        "header_date",
        "n_paragraphs",
    ],
    "paragraphs": ["doc_id", "paragraph_id", "text", "language", "language_score"],
    "entities": ["doc_id", "paragraph_id", "start", "end", "text", "label", "norm"],
    "date_mentions": ["doc_id", "paragraph_id", "start", "end", "text", "value", "precision", "relative"],
}


def read_article(raw: str) -> tuple[str | None, list[str]]:
    """(header date or None, paragraphs): the header regex, then blank-line split, each piece stripped."""
    m = HEADER.match(raw)
    header = m.group(1) if m else None
    body = raw[m.end() :] if m else raw
    return header, [p.strip() for p in BLANK_LINE.split(body) if p.strip()]


def detect_language(text: str) -> tuple[str, float]:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return "und", 0.0
    return best.lang, float(best.prob)


def _header_base(header: str) -> datetime:
    parts = [int(x) for x in header.split("-")] + [1, 1]
    return datetime(parts[0], parts[1], parts[2])


@functools.cache
def _parser(languages: tuple[str, ...] | None):
    from dateparser.date import DateDataParser

    return DateDataParser(languages=list(languages) if languages else None)


def _period(text: str, languages: list[str]) -> str:
    """dateparser's own period for the found text; search_dates alone returns a full datetime (its trap)."""
    try:
        data = _parser(tuple(languages)).get_date_data(text)
    except ValueError:
        data = _parser(None).get_date_data(text)
    return data.period if data and data.period in ("year", "month") else "day"


def find_dates(text: str, header: str | None, languages: list[str]) -> list[dict]:
    """search_dates over one paragraph; offsets by finding each returned substring left to right."""
    from dateparser.search import search_dates

    settings: dict = {"PREFER_DATES_FROM": "past"}
    if header:
        settings["RELATIVE_BASE"] = _header_base(header)
    try:
        found = search_dates(text, languages=languages, settings=settings)
    except ValueError:  # a langdetect code that dateparser does not know
        found = search_dates(text, settings=settings)
    out, pos = [], 0
    for sub, when in found or ():
        start = text.find(sub, pos)
        if start < 0:
            start = text.find(sub)
        if start < 0:
            continue
        pos = start + len(sub)
        precision = _period(sub, languages)
        value = when.strftime({"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}[precision])
        out.append(
            {
                "start": start,
                "end": pos,
                "text": sub,
                "value": value,
                "precision": precision,
                "relative": not any(c.isdigit() for c in sub),
            }
        )
    return out


def _dateparser_languages(code: str) -> list[str]:
    """The detected language, with French behind it: this is a French news pipeline, and langdetect often
    mistakes one or two French words (`hier`) for another language."""
    code = code.split("-")[0]
    return ["fr"] if code in ("und", "fr") else [code, "fr"]


def run_reference(
    input_dir: Path, output_dir: Path, *, stages: Collection[str] = STAGES, limit: int | None = None
) -> None:
    """Write documents, paragraphs, entities and date_mentions under output_dir, one row set per file read."""
    unknown = set(stages) - set(STAGES)
    if unknown:
        raise ValueError(f"unknown stages {sorted(unknown)}")
    files = sorted(p for p in input_dir.rglob("*.txt") if p.is_file())[:limit]
    nlp = None
    if "entities" in stages:
        import spacy

        nlp = spacy.load("fr_core_news_md")
    rows: dict[str, list[dict]] = {name: [] for name in COLUMNS}
    for path in files:
        source = path.relative_to(input_dir).as_posix()
        header, paragraphs = read_article(path.read_text(encoding="utf-8"))
        lang, score = "und", 0.0
        if "language" in stages or "doc_language" in stages:
            lang, score = detect_language("\n\n".join(paragraphs))
        for i, text in enumerate(paragraphs):
            p_lang, p_score = "und", 0.0
            if "language" in stages:
                # A one-paragraph document has already been judged on exactly these words.
                p_lang, p_score = (lang, score) if len(paragraphs) == 1 else detect_language(text)
            rows["paragraphs"].append(
                {
                    "doc_id": source,
                    "paragraph_id": i,
                    "text": text,
                    "language": p_lang,
                    "language_score": p_score,
                }
            )
        mentions: list[dict] = []
        if "dates" in stages:
            for i, text in enumerate(paragraphs):
                mentions += [
                    {"doc_id": source, "paragraph_id": i, **m}
                    for m in find_dates(text, header, _dateparser_languages(lang))
                ]
        date, precision, date_source = None, None, None
        if "doc_date" in stages or "dates" in stages:
            if header:
                date, date_source = header, "header"
                precision = ("year", "month", "day")[header.count("-")]
            else:
                first = mentions[:1]
                for i, text in enumerate(paragraphs if "dates" not in stages else ()):
                    first = [{"paragraph_id": i, **m} for m in find_dates(text, None, _dateparser_languages(lang))]
                    if first:
                        break
                if first:
                    date, precision, date_source = first[0]["value"], first[0]["precision"], "text"
        rows["date_mentions"] += mentions
        if nlp is not None:
            for i, doc in enumerate(nlp.pipe(paragraphs)):
                rows["entities"] += [
                    {
                        "doc_id": source,
                        "paragraph_id": i,
                        "start": e.start_char,
                        "end": e.end_char,
                        "text": e.text,
                        "label": SPACY_LABELS.get(e.label_, "MISC"),
                        "norm": e.text.casefold(),
                    }
                    for e in doc.ents
                ]
        rows["documents"].append(
            {
                "doc_id": source,
                "source": source,
                "language": lang,
                "language_score": score,
                "date": date,
                "date_precision": precision,
                "date_source": date_source,
                "header_date": header,
                "n_paragraphs": len(paragraphs),
            }
        )
    for name, cols in COLUMNS.items():
        target = output_dir / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        pd.DataFrame(rows[name], columns=cols).to_parquet(target / "part-0.parquet", index=False)
