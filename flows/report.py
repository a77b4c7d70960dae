"""The run report: a markdown artifact and log lines from the run's row and its shards' counts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact

from flows.html_report import ReportData, render
from flows.prefect_tasks import ShardResult
from tasks.dedup import DuplicateStats
from tasks.plan import Plan
from tasks.records import Reject, Run
from tasks.store.reports import CorpusCounts, corpus_counts, write_report


def _table(title: str, counter: Counter, limit: int | None = None) -> list[str]:
    rows = [f"| {key} | {n} |" for key, n in (counter.most_common(limit) if limit else sorted(counter.items()))]
    return [f"### {title}", "", "| | count |", "|---|---|", *(rows or ["| none | 0 |"]), ""]


def ignored_summary(ignored: dict[str, int]) -> str:
    """`.html 3, .pdf 1, (none) 2`: files left out of a run by kind, most frequent first."""
    return ", ".join(f"{kind} {n}" for kind, n in Counter(ignored).most_common()) or "none"


def markdown(
    run: Run,
    totals: dict[str, Counter],
    plan: Plan,
    snapshot: Path,
    rejects: list[tuple[str, str, str]],
    duplicates: DuplicateStats,
    commit_seconds: float,
    ignored: dict[str, int] | None = None,
    warnings: list[str] | None = None,
    page: Path | None = None,
) -> str:
    """The artifact's text: warnings, counts, files ignored, duplicates, languages, months, rejects, stage seconds."""
    lines = [
        f"# news-etl run `{run.run_id}`",
        "",
        *[f"**Warning: {w}.**" for w in warnings or []],
        *([""] if warnings else []),
        *([f"Charts: [{page.name}]({page.resolve().as_uri()}) (`{page}`)", ""] if page else []),
        "| files seen | new | changed | unchanged | processed | failed | documents | paragraphs | entities | dates |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {run.files_seen} | {plan.new} | {plan.changed} | {plan.unchanged} | {run.files_processed} | "
        f"{run.files_failed} | {run.documents} | {run.paragraphs} | {run.entities} | {run.date_mentions} |",
        "",
        f"Files ignored (not `*.txt` or `*.txt.gz`, hidden, or symlinked folders): {run.files_ignored}"
        + (f" ({ignored_summary(ignored)})" if ignored else ""),
        "",
        f"Documents removed (their files left the input; prune or full refresh): {run.documents_removed}\n",
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
    ignored: dict[str, int] | None = None,
    warnings: list[str] | None = None,
    *,
    output_dir: Path,
) -> None:
    """Log the run summary, write the HTML page and leave a markdown artifact linking to it."""
    log = get_run_logger()
    keys = ("ner_skipped", "ner_skipped_documents", "seconds", "languages", "months", "top_entities", "reject_reasons")
    totals: dict[str, Counter] = {k: Counter() for k in keys}
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
    totals["reject_reasons"].update(Counter(x.reason for x in rejects))
    # The run is committed by now: a page that cannot be written is worth a warning, not a failed run.
    page: Path | None = None
    try:
        data = page_data(run, totals, duplicates, commit_seconds, corpus_counts(snapshot))
        page = write_report(output_dir, run.run_id, render(data))
        log.info("run report: %s", page)
    except (OSError, ValueError) as exc:  # a full disk, a folder we may not write, an unreadable corpus file
        log.warning("run report not written: %s", exc)
    text = markdown(run, totals, plan, snapshot, listed, duplicates, commit_seconds, ignored, warnings, page)
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


def page_data(
    run: Run, totals: dict[str, Counter], duplicates: DuplicateStats, commit_seconds: float, corpus: CorpusCounts
) -> ReportData:
    """The HTML page's numbers: this run's totals over its shards beside the committed corpus."""
    skipped = totals["ner_skipped"]
    notes = (
        [
            "No NER model for "
            + ", ".join(f"{lang} ({n} paragraphs)" for lang, n in skipped.most_common())
            + ": those paragraphs got no entities."
        ]
        if skipped
        else []
    )
    return ReportData(
        run_id=run.run_id,
        started_at=run.started_at.isoformat(timespec="seconds"),
        summary={
            "files seen": run.files_seen,
            "processed": run.files_processed,
            "failed": run.files_failed,
            "new": run.files_new,
            "changed": run.files_changed,
            "unchanged": run.files_unchanged,
            "documents": run.documents,
            "paragraphs": run.paragraphs,
            "entities": run.entities,
            "date mentions": run.date_mentions,
            "corpus documents": corpus.documents,
        },
        months=dict(totals["months"]),
        corpus_months=corpus.months,
        languages=dict(totals["languages"]),
        corpus_languages=corpus.languages,
        corpus_precisions=corpus.precisions,
        top_entities=dict(totals["top_entities"]),
        duplicates={
            "exact duplicate documents": (run.duplicates, duplicates.corpus_duplicates),
            "near-duplicate documents": (run.near_duplicates, duplicates.corpus_near_duplicates),
            "duplicate paragraphs": (run.duplicate_paragraphs, None),
            "boilerplate paragraphs": (run.boilerplate_paragraphs, None),
        },
        rejects=dict(totals["reject_reasons"]),
        seconds=dict(totals["seconds"]) | {"resolve_duplicates": duplicates.seconds, "commit": commit_seconds},
        notes=notes,
    )
