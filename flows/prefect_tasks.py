"""Thin Prefect tasks: paths in, staged Parquet parts and small counts out; the work is in tasks/ and tasks/store/."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks import store
from tasks.dedup import (
    DuplicateStats,
    occurrences_of,
    paragraph_keys_touched,
    resolve_bucket,
    resolve_documents,
)
from tasks.models import (
    ALL_LANGUAGES,
    DEFAULT_NER_MODELS,
    DetectorName,
    Ner,
    candidate_languages,
    language_detector,
    load_latin_lingua_models,
    once,
    place_gazetteer,
    spacy_ner,
)
from tasks.pipeline import Models, SourceFile, doc_id_for, process_batch
from tasks.plan import Plan, Shard, part_name
from tasks.read import Rejected
from tasks.records import UNDETERMINED, Document, Paragraph, Reject, Run
from tasks.store.schemas import DOCUMENT_TABLES, REJECTS, TABLES

# Languages with an NER model by default (the `ner_models` parameter changes it); any other language is counted in
# `ner_skipped`, never guessed at.
NER_LANGUAGES = tuple(DEFAULT_NER_MODELS)
# A run report lists this many rejects per shard and this many entities per shard, to stay small.
REPORTED_REJECTS = 20
REPORTED_ENTITIES = 50


@dataclass(frozen=True, slots=True)
class ShardResult:
    """What one shard staged: its part name and counts, small enough to pass back through Prefect."""

    part: str
    files: int
    documents: int
    rejected: int
    chars: int
    rows: dict[str, int]
    ner_skipped: dict[str, int]
    seconds: dict[str, float]
    languages: dict[str, int]
    months: dict[str, int]
    top_entities: dict[str, int]  # "norm (LABEL)" -> mentions, this shard's most frequent only
    rejects: list[tuple[str, str, str]]  # (source, reason, action), at most REPORTED_REJECTS
    ner_skipped_documents: dict[str, int] = field(default_factory=dict)  # language -> documents with such paragraphs
    reject_reasons: dict[str, int] = field(default_factory=dict)  # reason -> files, every reject of the shard


@dataclass(frozen=True, slots=True)
class Listing:
    """The input folder against the manifest: every file's hash, what the manifest knew, which files were read."""

    hashes: dict[str, str]  # source -> content hash, of every listed file
    known: dict[str, str]  # source -> the hash the manifest holds, for the listed files it knows
    stats: dict[str, tuple[int, int]]  # source -> (size, mtime_ns), where the manifest's differ or are missing
    problems: list[tuple[str, str, str]]  # folders that could not be listed: (source, reason, message)
    hashed: int  # files read and hashed; the others had the size and mtime the manifest holds
    ignored: dict[str, int]  # files not read, by extension or kind: `.pdf`, `(none)`, `(hidden)`...

    @property
    def files_ignored(self) -> int:
        return sum(self.ignored.values())


@task(retries=2, retry_delay_seconds=2, persist_result=False)
def list_inputs(input_dir: Path, output_dir: Path, *, verify: bool = False, full_refresh: bool = False) -> Listing:
    """Every input file's hash; one with its manifest entry's size and mtime is not read, unless verify."""
    inputs = store.list_sources(input_dir)
    sources = inputs.sources
    stats = store.stat_sources(input_dir, sources)
    known = {} if full_refresh else store.known_sources(output_dir, sources)

    def trusted(source: str) -> bool:
        h, stat = known.get(source, ("", (-1, -1)))
        return not verify and bool(h) and stat[0] >= 0 and stat == stats[source]

    hashes = {s: known[s][0] for s in sources if trusted(s)}
    read = store.hash_sources(input_dir, [s for s in sources if s not in hashes])
    hashes |= read
    changed_stats = {s: st for s, st in stats.items() if s not in known or known[s] != (hashes[s], st)}
    return Listing(
        hashes={s: hashes[s] for s in sources},
        known={s: h for s, (h, _) in known.items()},
        stats=changed_stats,
        problems=inputs.problems,
        ignored=inputs.ignored,
        hashed=len(read),
    )


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Which models a run's shards use; hashable, so that a process loads each spec once."""

    ner_models: tuple[tuple[str, str], ...] = tuple(sorted(DEFAULT_NER_MODELS.items()))
    detector: DetectorName = "lingua"
    languages: tuple[str, ...] = ALL_LANGUAGES
    preload: bool = True  # every language model now, not on first use: the answers are the same either way

    @classmethod
    def of(
        cls, ner_models: Mapping[str, str], detector: DetectorName, languages: Iterable[str] | None, *, preload: bool
    ) -> ModelSpec:
        return cls(tuple(sorted(ner_models.items())), detector, candidate_languages(languages), preload)


DEFAULT_MODELS = ModelSpec()


@once
def load_models(spec: ModelSpec) -> Models:
    """The models of this process for `spec`, every mapped NER model included, loaded once and kept."""
    # Eager, not on a language's first paragraph: loaded before worker processes fork, the models are shared by
    # all of them, and the background warm-up of a 1-worker run has them ready when the first shard starts.
    ner = {language: spacy_ner(package) for language, package in spec.ner_models}
    return Models(
        detector=language_detector(spec.detector, spec.languages, preload=spec.preload),
        ner_for=ner.get,
        gazetteer=place_gazetteer(),
    )


_WARMING: dict[ModelSpec, threading.Thread] = {}


def warm_up(spec: ModelSpec) -> threading.Thread:
    """Start loading `spec` in a daemon thread of this process, once per spec; a shard that needs it waits for it."""
    # The load overlaps Prefect's server start and the listing; a direct run asks twice (the CLI, then the flow).
    # A failure is left for the shard's own call, which raises it where the run reports it.

    def load() -> None:
        # Apart, so that a failed preload of lingua's Latin-script models still leaves the models loaded.
        if spec.detector == "lingua" and not spec.preload:
            with contextlib.suppress(Exception):
                load_latin_lingua_models(spec.languages)
        with contextlib.suppress(Exception):
            load_models(spec)

    thread = _WARMING.get(spec)
    if thread is None:
        thread = _WARMING[spec] = threading.Thread(target=load, name="depeche-model-warm-up", daemon=True)
        thread.start()
    return thread


def run_shard(
    input_dir: Path,
    output_dir: Path,
    run_id: str,
    shard: Shard,
    *,
    max_bytes: int,
    models: ModelSpec = DEFAULT_MODELS,
) -> ShardResult:
    """Read, process and stage one shard; every file ends as rows or as a reject with a reason."""
    part = part_name(shard)
    t0 = time.perf_counter()
    files: list[SourceFile] = []
    unread: list[Reject] = []
    for p in shard:
        try:
            files.append(store.read_source(input_dir, p.source, max_bytes=max_bytes))
        except Rejected as r:
            unread.append(Reject(run_id, p.source, r.reason, r.message, "skipped"))
    t1 = time.perf_counter()
    loaded = load_models(models)
    t2 = time.perf_counter()
    batch = process_batch(files, loaded, run_id=run_id)
    t3 = time.perf_counter()
    rejects = unread + batch.rejects
    skipped = {r.source for r in rejects if r.action == "skipped"}
    # A rejected file is remembered by the hash of the bytes read (they may differ from the listed ones), if any.
    read = {f.source: f.content_sha256 for f in files}
    listed = {p.source: p.content_sha256 for p in shard}
    manifest = [
        store.ManifestEntry(d.source, d.doc_id, d.content_sha256, "ok", part, run_id) for d in batch.documents
    ] + [
        store.ManifestEntry(s, doc_id_for(s), read.get(s, listed[s]), "rejected", part, run_id) for s in sorted(skipped)
    ]
    tables = {name: store.to_table(getattr(batch, name), TABLES[name]) for name in DOCUMENT_TABLES}
    tables["rejects"] = store.to_table(rejects, TABLES["rejects"])
    partitions = {d.doc_id: store.partition_of(d.date) for d in batch.documents}
    staged = store.stage_part(output_dir, run_id, part, tables, manifest, partitions, batch.prints)
    # File I/O, model loading (first shard of a process only) and Parquet staging, beside the pure steps' stages.
    seconds = dict(batch.seconds) | {"io_read": t1 - t0, "models": t2 - t1, "io_write": time.perf_counter() - t3}
    return ShardResult(
        part=part,
        files=len(shard),
        documents=len(batch.documents),
        rejected=len(skipped),
        chars=sum(d.n_chars for d in batch.documents),
        rows=staged.rows,
        ner_skipped=dict(batch.ner_skipped),
        seconds=seconds,
        languages=dict(Counter(d.language for d in batch.documents)),
        months=dict(Counter(partitions.values())),
        top_entities=dict(Counter(f"{e.norm} ({e.label})" for e in batch.entities).most_common(REPORTED_ENTITIES)),
        rejects=[(r.source, r.reason, r.action) for r in rejects[:REPORTED_REJECTS]],
        ner_skipped_documents=_ner_skipped_documents(batch.documents, batch.paragraphs, loaded.ner_for),
        reject_reasons=dict(Counter(r.reason for r in rejects)),
    )


def _ner_skipped_documents(
    documents: list[Document], paragraphs: list[Paragraph], ner_for: Callable[[str], Ner | None]
) -> dict[str, int]:
    """language -> documents holding a paragraph of that language (its own, else its document's) with no model."""
    doc_language = {d.doc_id: d.language for d in documents}
    seen = set()
    for p in paragraphs:
        language = p.language if p.language != UNDETERMINED else doc_language.get(p.doc_id, UNDETERMINED)
        if ner_for(language) is None:
            seen.add((p.doc_id, language))
    return dict(Counter(language for _, language in seen))


def _retry_on_io(task, task_run, state) -> bool:  # type: ignore[no-untyped-def]
    """Retry a shard only when it failed on file I/O; a bug would fail the same way again."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:
        return False
    return False


process_shard = task(
    name="process-shard",
    retries=2,
    retry_delay_seconds=2,
    retry_condition_fn=_retry_on_io,
    persist_result=False,
    cache_policy=NO_CACHE,
)(run_shard)


# No retries: it only reads the committed snapshot and writes staging, and the commit after it is not retried either.
@task(name="resolve-duplicates", persist_result=False, cache_policy=NO_CACHE)
def resolve_duplicates(
    out: Path, run_id: str, parts: list[str], removed: set[str], *, full_refresh: bool
) -> DuplicateStats:
    """Stage the duplicate index after this run and the flags that change on rows already committed."""
    t0 = time.perf_counter()
    index = store.SnapshotIndex.of(out, full_refresh=full_refresh)
    seq = store.next_sequence(out)
    docs = resolve_documents(store.read_prints(out, run_id, parts), removed, index.lookups(), first_order=seq << 32)
    store.stage_document_flags(out, run_id, docs.updates)
    stored = index.occurrences(paragraph_keys_touched(docs))
    paragraphs = resolve_bucket(stored, occurrences_of(docs.new), docs.gone_ids)
    store.stage_paragraph_flags(out, run_id, paragraphs.updates)
    before = index.totals()
    totals = (before[0] + docs.corpus_delta[0], before[1] + docs.corpus_delta[1], before[2] + docs.corpus_delta[2])
    store.stage_index(out, run_id, seq, index, docs, paragraphs.flagged, paragraphs.updates, totals)
    return docs.stats(
        paragraphs.updates,
        paragraphs.new_duplicates,
        paragraphs.new_boilerplate,
        corpus=totals,
        seconds=time.perf_counter() - t0,
    )


# No retries: a commit that failed half-way may have moved staged parts into its unfinished snapshot. The previous
# snapshot stays current and the manifest unchanged, so the next run redoes this run's files.
@task(persist_result=False)
def commit_run(
    out: Path,
    run: Run,
    results: list[ShardResult],
    plan: Plan,
    prune: bool,
    rejects: list[Reject],
    keep: int,
    stats: dict[str, tuple[int, int]] | None = None,
) -> Path:
    """Swap in one snapshot holding this run's rows in every table at once; `keep` earlier snapshots stay."""
    return store.commit(
        out,
        run=run,
        staged=[store.StagedPart(r.part, r.rows) for r in results],
        remove_sources=plan.deleted if prune else (),
        full_refresh=run.full_refresh,
        rejects=store.to_table(rejects, REJECTS),
        keep_snapshots=keep,
        stats=stats,
    )
