"""The pure pipeline over a batch of raw files: decode, clean, segment, language, dates, entities."""

from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from tasks.clean import clean_text
from tasks.dates import DatedDocument, date_document
from tasks.dedup import DocPrint, fingerprint
from tasks.entities import Gazetteer, refine_entities
from tasks.language import Detector, LanguageGuess, assign_languages
from tasks.models import Ner
from tasks.read import Rejected, decode, split_header
from tasks.records import UNDETERMINED, DateMention, Document, Entity, Paragraph, PartialDate, RawSpan, Reject
from tasks.segment import Segment, split_paragraphs

NerFor = Callable[[str], Ner | None]
MAX_ENTITIES_PER_DOCUMENT = 10_000
MAX_DATE_MENTIONS_PER_DOCUMENT = 10_000
# NER is the slowest step (~50k chars/s): past this many characters of one document, paragraphs get no entities,
# which bounds the time one huge file can hold its shard. A work cap, not a clock, keeps the output reproducible.
MAX_NER_CHARS_PER_DOCUMENT = 200_000


@dataclass(frozen=True, slots=True)
class SourceFile:
    """An article's bytes and its path relative to the input folder, with `/` separators.

    `sha256` is the hash of the file's own bytes when `data` is not them (a decompressed `.gz`), else empty.
    """

    source: str
    data: bytes
    sha256: str = ""

    @property
    def content_sha256(self) -> str:
        """The hash that tells a changed file from an unchanged one: of the file's bytes, as listing computes it."""
        return self.sha256 or content_sha256(self.data)


@dataclass(frozen=True, slots=True)
class Models:
    """What the steps need: a language detector, per language a NER model or None, and a place gazetteer."""

    detector: Detector
    ner_for: NerFor
    gazetteer: Gazetteer


@dataclass(slots=True)
class Batch:
    """Rows for every table from one batch of files, with what was skipped and where time went."""

    run_id: str
    documents: list[Document] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    date_mentions: list[DateMention] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    prints: list[DocPrint] = field(default_factory=list)
    ner_skipped: Counter[str] = field(default_factory=Counter)
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def reject(self, source: str, reason: str, message: str, action: Literal["skipped", "kept"]) -> None:
        self.rejects.append(Reject(self.run_id, source, reason, message, action))

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] += time.perf_counter() - t0


@dataclass(frozen=True, slots=True)
class _Parsed:
    file: SourceFile
    encoding: str
    header_raw: str | None
    header_date: PartialDate | None
    text: str
    segments: list[Segment]


def doc_id_for(source: str) -> str:
    """Stable id of the document read from `source`: the same path always gives the same id."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def content_sha256(data: bytes) -> str:
    """Hex SHA-256 of the raw bytes, the key that tells a changed file from an unchanged one."""
    return hashlib.sha256(data).hexdigest()


def process_batch(files: Sequence[SourceFile], models: Models, *, run_id: str) -> Batch:
    """Every file becomes one document with its rows, or a reject with a reason; none is lost."""
    batch = Batch(run_id)
    parsed: list[_Parsed] = []
    with batch.timed("read"):
        for f in files:
            p = _parse(f, batch)
            if p is not None:
                parsed.append(p)
    with batch.timed("language"):
        languages = [assign_languages([s.text for s in p.segments], models.detector) for p in parsed]
    with batch.timed("dates"):
        dated = [
            date_document([s.text for s in p.segments], p.header_date, language=doc.language)
            for p, (doc, _) in zip(parsed, languages, strict=True)
        ]
    with batch.timed("entities"):
        raw_spans = _run_ner(parsed, languages, models.ner_for, batch)
    with batch.timed("assemble"):
        for p, (doc_lang, para_langs), d, spans in zip(parsed, languages, dated, raw_spans, strict=True):
            _assemble(p, doc_lang, para_langs, d, spans, models.gazetteer, batch)
    with batch.timed("dedup"):
        # Keys and signatures only: flags need the whole corpus and are resolved once per run, at commit.
        batch.prints = [
            fingerprint(doc_id_for(p.file.source), p.file.source, [s.text for s in p.segments]) for p in parsed
        ]
    return batch


def _parse(f: SourceFile, batch: Batch) -> _Parsed | None:
    try:
        decoded = decode(f.data)
    except Rejected as r:
        batch.reject(f.source, r.reason, r.message, "skipped")
        return None
    if decoded.note is not None:
        batch.reject(f.source, "mixed_encoding", decoded.note, "kept")
    header = split_header(clean_text(decoded.text))
    if header.problem is not None:
        batch.reject(f.source, "invalid_header_date", f"{header.problem}; kept without a header date", "kept")
    if not header.body:
        reason, message = (
            ("header_only", f"nothing after the header `date {header.raw}`")
            if header.raw is not None
            else ("no_text", "no text left after decoding and cleaning")
        )
        batch.reject(f.source, reason, message, "skipped")
        return None
    return _Parsed(f, decoded.encoding, header.raw, header.date, header.body, split_paragraphs(header.body))


def _run_ner(
    parsed: Sequence[_Parsed],
    languages: Sequence[tuple[LanguageGuess, list[LanguageGuess]]],
    ner_for: NerFor,
    batch: Batch,
) -> list[list[list[RawSpan] | None]]:
    """Raw spans per document per paragraph (None: no model for its language); one model call per language."""
    spans: list[list[list[RawSpan] | None]] = [[None for _ in p.segments] for p in parsed]
    by_language: dict[str, list[tuple[int, int]]] = {}
    for i, (doc_lang, para_langs) in enumerate(languages):
        for j, guess in enumerate(para_langs):
            if parsed[i].segments[j].start >= MAX_NER_CHARS_PER_DOCUMENT:
                left = len(para_langs) - j
                message = f"over {MAX_NER_CHARS_PER_DOCUMENT} characters: the last {left} paragraphs got no entities"
                batch.reject(parsed[i].file.source, "ner_truncated", message, "kept")
                break
            lang = guess.language if guess.language != UNDETERMINED else doc_lang.language
            by_language.setdefault(lang, []).append((i, j))
    for lang, where in by_language.items():
        ner = ner_for(lang)
        if ner is None:
            batch.ner_skipped[lang] += len(where)
            continue
        for (i, j), found in zip(where, ner([parsed[i].segments[j].text for i, j in where]), strict=True):
            spans[i][j] = found
    return spans


def _assemble(
    p: _Parsed,
    doc_lang: LanguageGuess,
    para_langs: Sequence[LanguageGuess],
    dated: DatedDocument,
    spans: Sequence[Sequence[RawSpan] | None],
    gazetteer: Gazetteer,
    batch: Batch,
) -> None:
    doc_id = doc_id_for(p.file.source)
    texts = [s.text for s in p.segments]
    title = next((s.text for s in p.segments if s.kind == "title"), None)
    date = dated.date
    batch.documents.append(
        Document(
            doc_id=doc_id,
            source=p.file.source,
            content_sha256=p.file.content_sha256,
            language=doc_lang.language,
            language_score=doc_lang.score,
            title=title,
            date=date.iso if date else None,
            date_precision=date.precision if date else None,
            date_source=dated.source,
            header_date=p.header_raw,
            n_paragraphs=len(p.segments),
            n_chars=len(p.text),
            encoding=p.encoding,
            text=p.text,
        )
    )
    batch.paragraphs.extend(
        Paragraph(doc_id, s.paragraph_id, s.kind, s.start, s.end, s.text, g.language, g.score)
        for s, g in zip(p.segments, para_langs, strict=True)
    )
    # Post-processing may add gazetteer names, but only where a model read the paragraph: a language without a
    # model gets no entities at all rather than a partial, biased set.
    covered = {j for j, found in enumerate(spans) if found is not None}
    refined = refine_entities(texts, [found or [] for found in spans], gazetteer=gazetteer) if covered else []
    entities = [e for e in refined if e.paragraph_id in covered]
    mentions = dated.mentions
    for what, found, cap in (
        ("entities", entities, MAX_ENTITIES_PER_DOCUMENT),
        ("date_mentions", mentions, MAX_DATE_MENTIONS_PER_DOCUMENT),
    ):
        if len(found) > cap:
            batch.reject(p.file.source, f"too_many_{what}", f"{len(found)} {what}, kept the first {cap}", "kept")
    batch.entities.extend(
        Entity(doc_id, e.paragraph_id, e.start, e.end, e.text, e.label, e.norm)
        for e in entities[:MAX_ENTITIES_PER_DOCUMENT]
    )
    batch.date_mentions.extend(
        DateMention(doc_id, m.paragraph_id, m.start, m.end, m.text, m.value.iso, m.value.precision, m.relative)
        for m in mentions[:MAX_DATE_MENTIONS_PER_DOCUMENT]
    )
