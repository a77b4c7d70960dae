"""The run report: a markdown artifact and log lines from the run's row and its shards' counts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact

from flows.prefect_tasks import ShardResult
from tasks.dedup import DuplicateStats
from tasks.plan import Plan
from tasks.records import Reject, Run


def _table(title: str, counter: Counter, limit: int | None = None) -> list[str]:
    rows = [f"| {key} | {n} |" for key, n in (counter.most_common(limit) if limit else sorted(counter.items()))]
    return [f"### {title}", "", "| | count |", "|---|---|", *(rows or ["| none | 0 |"]), ""]


def markdown(
    run: Run,
    totals: dict[str, Counter],
    plan: Plan,
    snapshot: Path,
    rejects: list[tuple[str, str, str]],
    duplicates: DuplicateStats,
    commit_seconds: float,
) -> str:
    """The artifact's text: counts, duplicates, languages, months, top entities, rejects and stage seconds."""
    lines = [
        f"# news-etl run `{run.run_id}`",
        "",
        "| files seen | new | changed | unchanged | processed | failed | documents | paragraphs | entities | dates |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {run.files_seen} | {plan.new} | {plan.changed} | {plan.unchanged} | {run.files_processed} | "
        f"{run.files_failed} | {run.documents} | {run.paragraphs} | {run.entities} | {run.date_mentions} |",
        "",
        "### Duplicates",
        "",
        "| | this run | whole corpus |",
        "|---|---|---|",
        f"| documents | {run.documents} | {duplicates.corpus_documents} |",
        f"| exact duplicate documents | {run.duplicates} | {duplicates.corpus_duplicates} |",
        f"| near-duplicate documents | {run.near_duplicates} | {duplicates.corpus_near_duplicates} |",
        f"| duplicate paragraphs | {run.duplicate_paragraphs} | |",
        f"| boilerplate paragraphs | {run.boilerplate_paragraphs} | |",
        "",
        f"Flags changed on earlier rows: {duplicates.earlier_documents_updated} documents, "
        f"{duplicates.earlier_paragraphs_updated} paragraphs (their first occurrence went, or a paragraph became "
        "boilerplate).",
        "",
        *_table("Documents by language", totals["languages"]),
        *_table("Documents by month", totals["months"]),
        *_table("Top entities", totals["top_entities"], 15),
        *_table("Paragraphs with no NER model, by language", totals["ner_skipped"]),
        *_table("Documents with such paragraphs, by language", totals["ner_skipped_documents"]),
        "### Rejects",
        "",
        "| source | reason | action |",
        "|---|---|---|",
        *([f"| {src} | {reason} | {action} |" for src, reason, action in rejects] or ["| none | | |"]),
        "",
        "Stage seconds (summed over shards): "
        + ", ".join(f"{stage} {s:.2f}" for stage, s in sorted(totals["seconds"].items()))
        + f", resolve_duplicates {duplicates.seconds:.2f}, commit {commit_seconds:.2f} (these two once per run)",
        "",
        f"Snapshot: `{snapshot.name}`",
    ]
    return "\n".join(lines)


def report(
    run: Run,
    results: list[ShardResult],
    plan: Plan,
    snapshot: Path,
    rejects: list[Reject],
    duplicates: DuplicateStats,
    commit_seconds: float,
) -> None:
    """Log the run summary and leave it as a markdown artifact."""
    log = get_run_logger()
    totals: dict[str, Counter] = {
        k: Counter() for k in ("ner_skipped", "ner_skipped_documents", "seconds", "languages", "months", "top_entities")
    }
    for r in results:
        for key, counter in totals.items():
            counter.update(getattr(r, key))
    listed = [(x.source, x.reason, x.action) for x in rejects] + [x for r in results for x in r.rejects]
    skipped = totals["ner_skipped"]
    if skipped:
        log.warning(
            "no NER model for %s: %d paragraphs got no entities",
            ", ".join(f"{lang} ({n})" for lang, n in skipped.most_common()),
            sum(skipped.values()),
        )
        documents = totals["ner_skipped_documents"]
        log.warning(
            "documents with paragraphs that got no entities, by language: %s",
            ", ".join(f"{lang} ({n})" for lang, n in documents.most_common()),
        )
    text = markdown(run, totals, plan, snapshot, listed, duplicates, commit_seconds)
    create_markdown_artifact(text, key="news-etl-run", description=f"news-etl run {run.run_id}")
    log.info("stage seconds: %s", ", ".join(f"{k} {v:.2f}" for k, v in sorted(totals["seconds"].items())))
    log.info(
        "run %s committed: %d documents, %d failed, %d entities, %d date mentions; duplicates: %d exact, %d near",
        run.run_id,
        run.documents,
        run.files_failed,
        run.entities,
        run.date_mentions,
        run.duplicates,
        run.near_duplicates,
    )
