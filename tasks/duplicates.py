"""The duplicate step of a run: flag its documents and paragraphs against the corpus index, stage the new index.

Runs once per run, after the shards and before the commit, in the flow's process: documents are flagged in their
first-seen order over the whole index (one row of ~0.6 KB each), paragraphs one index bucket at a time.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks import store
from tasks.dedup import NOT_DUPLICATE, NOT_REPEATED, IndexedDoc, Occurrence, flag_documents, flag_paragraphs, folder_of


@dataclass(frozen=True, slots=True)
class DuplicateStats:
    """Counts for the run report: flags on this run's rows, flags changed on earlier rows, corpus totals."""

    duplicates: int
    near_duplicates: int
    duplicate_paragraphs: int
    boilerplate_paragraphs: int
    earlier_documents_updated: int
    earlier_paragraphs_updated: int
    corpus_documents: int
    corpus_duplicates: int
    corpus_near_duplicates: int
    seconds: float


def resolve(out: Path, run_id: str, parts: Iterable[str], removed: set[str], *, full_refresh: bool) -> DuplicateStats:
    """Stage the index after this run and the flags that change: none for an untouched row, all for new ones."""
    t0 = time.perf_counter()
    prints = sorted(store.read_prints(out, run_id, parts), key=lambda p: p.source)
    old = [] if full_refresh else store.read_doc_index(out)
    # A changed file is seen again now: its new text is ordered after everything already in the corpus.
    gone = removed | {p.doc_id for p in prints}
    base = store.next_sequence(out) << 32
    new = [
        IndexedDoc(p.doc_id, p.source, p.doc_key, p.signature, p.paragraph_keys, base + i) for i, p in enumerate(prints)
    ]
    docs = [d for d in old if d.doc_id not in gone] + new
    flags = flag_documents(docs)
    new_ids = {d.doc_id for d in new}
    doc_updates = [
        {"doc_id": d.doc_id, **dataclasses.asdict(flags[d.doc_id])}
        for d in docs
        if flags[d.doc_id] != (NOT_DUPLICATE if d.doc_id in new_ids else d.flags)
    ]
    indexed = [dataclasses.replace(d, **dataclasses.asdict(flags[d.doc_id])) for d in docs]
    store.stage_doc_index(out, run_id, indexed)
    store.stage_flag_updates(out, run_id, "documents", doc_updates)

    fresh: dict[str, list[Occurrence]] = defaultdict(list)
    for d in new:
        for paragraph_id, key in enumerate(d.paragraph_keys):
            if key is not None:
                occurrence = Occurrence(key, folder_of(d.source), d.doc_key or "", d.doc_id, paragraph_id, d.order)
                fresh[store.bucket_of(key)].append(occurrence)
    touched = set(fresh) | {store.bucket_of(k) for d in old if d.doc_id in gone for k in d.paragraph_keys if k}
    paragraph_updates = []
    new_duplicates = new_boilerplate = 0
    for bucket in sorted(touched):
        kept = [] if full_refresh else [o for o in store.read_paragraph_bucket(out, bucket) if o.doc_id not in gone]
        stored = {(o.doc_id, o.paragraph_id): o for o in kept}
        flagged = flag_paragraphs(kept + fresh[bucket])
        for o in flagged:
            before = stored.get((o.doc_id, o.paragraph_id))
            if o.flags != (before.flags if before else NOT_REPEATED):
                flag_values = dict(zip(store.FLAG_COLUMNS["paragraphs"][1], o.flags, strict=True))
                paragraph_updates.append({"doc_id": o.doc_id, "paragraph_id": o.paragraph_id, **flag_values})
            if o.doc_id in new_ids:
                new_duplicates += o.duplicate_of is not None
                new_boilerplate += o.boilerplate
        store.stage_paragraph_bucket(out, run_id, bucket, flagged)
    store.stage_flag_updates(out, run_id, "paragraphs", paragraph_updates)

    return DuplicateStats(
        duplicates=sum(flags[i].duplicate_of is not None for i in new_ids),
        near_duplicates=sum(flags[i].near_duplicate_of is not None for i in new_ids),
        duplicate_paragraphs=new_duplicates,
        boilerplate_paragraphs=new_boilerplate,
        earlier_documents_updated=sum(u["doc_id"] not in new_ids for u in doc_updates),
        earlier_paragraphs_updated=sum(u["doc_id"] not in new_ids for u in paragraph_updates),
        corpus_documents=len(docs),
        corpus_duplicates=sum(f.duplicate_of is not None for f in flags.values()),
        corpus_near_duplicates=sum(f.near_duplicate_of is not None for f in flags.values()),
        seconds=time.perf_counter() - t0,
    )


# No retries: it only reads the committed snapshot and writes staging, and the commit after it is not retried either.
resolve_duplicates = task(name="resolve-duplicates", persist_result=False, cache_policy=NO_CACHE)(resolve)
