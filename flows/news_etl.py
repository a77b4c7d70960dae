"""The `news-etl` flow: list -> plan -> shard -> process_shard per shard -> resolve duplicates -> commit -> report.

Run it on Prefect's embedded server with `python -m flows.news_etl --input DIR --output DIR`.
"""

from __future__ import annotations

import os

# Set before Prefect is imported: a cold ephemeral server migrates SQLite for ~26 s, past the 20 s default, and its
# telemetry writes only add `database is locked` noise.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Annotated  # noqa: E402

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.context import FlowRunContext  # noqa: E402
from prefect.futures import as_completed  # noqa: E402
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings  # noqa: E402
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator  # noqa: E402

from tasks import __version__, store  # noqa: E402
from tasks.duplicates import DuplicateStats, resolve_duplicates  # noqa: E402
from tasks.pipeline import doc_id_for  # noqa: E402
from tasks.plan import Plan, make_shards, plan_run  # noqa: E402
from tasks.read import DEFAULT_MAX_BYTES  # noqa: E402
from tasks.records import Reject, Run  # noqa: E402
from tasks.schemas import REJECTS  # noqa: E402
from tasks.shard import ShardResult, process_shard  # noqa: E402

ShardSize = Annotated[int, Field(ge=1, le=100_000, description="files per shard task")]
Workers = Annotated[int, Field(ge=1, le=256, description="shard tasks run at once, each in its own process")]
MaxFileBytes = Annotated[int, Field(ge=1, le=2_000_000_000, description="larger input files are rejected")]
LockWait = Annotated[float, Field(ge=0, le=86_400, description="seconds to wait for another run on the same output")]
DaskAddress = Annotated[
    str | None,
    Field(
        pattern=r"^(tcp|tls)://[^\s/]+:\d+$", description="scheduler of an existing Dask cluster, e.g. tcp://host:8786"
    ),
]


class EtlParams(BaseModel):
    """Everything a run may be told; validated before any file is touched."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input_dir: Path = Field(description="folder of raw *.txt articles, read recursively")
    output_dir: Path = Field(description="folder of the Parquet tables")
    shard_size: ShardSize = 100
    workers: Workers = 1
    full_refresh: bool = Field(False, description="rebuild every table from the input instead of updating it")
    prune: bool = Field(False, description="remove the rows of files no longer in the input")
    max_file_bytes: MaxFileBytes = DEFAULT_MAX_BYTES
    lock_wait_seconds: LockWait = 0.0
    dask_address: DaskAddress = None

    @model_validator(mode="after")
    def _folders(self) -> EtlParams:
        if not self.input_dir.is_dir():
            raise ValueError(f"input_dir: {self.input_dir} is not a folder")
        inp, out = self.input_dir.resolve(), self.output_dir.resolve()
        if out == inp or out.is_relative_to(inp) or inp.is_relative_to(out):
            raise ValueError(f"output_dir: {self.output_dir} must not contain or lie inside input_dir {self.input_dir}")
        return self


@task(retries=2, retry_delay_seconds=2, persist_result=False)
def list_inputs(input_dir: Path) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """source -> content hash of every input file, and the folders that could not be listed."""
    sources, problems = store.list_sources(input_dir)
    return store.hash_sources(input_dir, sources), problems


# No retries: a commit that failed half-way may have moved staged parts into its unfinished snapshot. The previous
# snapshot stays current and the manifest unchanged, so the next run redoes this run's files.
@task(persist_result=False)
def commit_run(out: Path, run: Run, results: list[ShardResult], plan: Plan, prune: bool, rejects: list[Reject]) -> Path:
    """Swap in one snapshot holding this run's rows in every table at once."""
    return store.commit(
        out,
        run=run,
        staged=[store.StagedPart(r.part, r.rows) for r in results],
        remove_sources=plan.deleted if prune else (),
        full_refresh=run.full_refresh,
        rejects=store.to_table(rejects, REJECTS),
    )


def task_runner(workers: int, dask_address: str | None) -> TaskRunner:
    """One process per worker: the NLP steps hold the GIL, so threads would not run shards in parallel."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    return ThreadPoolTaskRunner(max_workers=1) if workers == 1 else ProcessPoolTaskRunner(max_workers=workers)


@flow(name="news-etl", log_prints=False, persist_result=False, validate_parameters=True)
def news_etl(
    input_dir: Path,
    output_dir: Path,
    shard_size: ShardSize = 100,
    workers: Workers = 1,
    full_refresh: bool = False,
    prune: bool = False,
    max_file_bytes: MaxFileBytes = DEFAULT_MAX_BYTES,
    lock_wait_seconds: LockWait = 0.0,
    dask_address: DaskAddress = None,
) -> dict[str, int]:
    """Turn every new or changed article under input_dir into rows of the tables under output_dir."""
    params = EtlParams(**locals())
    log = get_run_logger()
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    started = datetime.now(UTC)
    out = params.output_dir
    with store.locked(out, run_id=run_id, wait_seconds=params.lock_wait_seconds):
        for leftover in store.recover(out):
            log.warning("removed %s left by an interrupted run", leftover)
        store.check_compatible(out, full_refresh=params.full_refresh)

        listed, unlisted = list_inputs(params.input_dir)
        known = {s: e.content_sha256 for s, e in store.read_manifest(out).items()}
        plan = plan_run(listed, known, full_refresh=params.full_refresh)
        shards = make_shards(plan.todo, params.shard_size)
        log.info(
            "%d files: %d new, %d changed, %d unchanged, %d gone; %d shards",
            len(listed),
            plan.new,
            plan.changed,
            plan.unchanged,
            len(plan.deleted),
            len(shards),
        )

        results = run_shards(params, run_id, shards)
        replaced = [p.source for p in plan.todo] + list(plan.deleted if params.prune else ())
        duplicates = resolve_duplicates(
            out,
            run_id,
            [r.part for r in results],
            {doc_id_for(s) for s in replaced},
            full_refresh=params.full_refresh,
        )

        rejects = [Reject(run_id, src, reason, msg, "skipped") for src, reason, msg in unlisted]
        run = summarize(run_id, started, params, len(listed), plan, results, rejects, duplicates)
        t_commit = time.perf_counter()
        snapshot = commit_run(out, run, results, plan, params.prune, rejects)
        commit_seconds = time.perf_counter() - t_commit
    report(run, results, plan, snapshot, rejects, duplicates, commit_seconds)
    return {k: getattr(run, k) for k in ("files_seen", "files_processed", "files_failed", "documents", "entities")}


def summarize(
    run_id: str,
    started: datetime,
    params: EtlParams,
    files_seen: int,
    plan: Plan,
    results: list[ShardResult],
    rejects: list[Reject],
    duplicates: DuplicateStats,
) -> Run:
    """The run's row in `runs`: what it saw, did and wrote."""
    return Run(
        run_id=run_id,
        started_at=started,
        finished_at=datetime.now(UTC),
        files_seen=files_seen,
        files_processed=sum(r.documents for r in results),
        files_failed=sum(r.rejected for r in results) + len(rejects),
        files_new=plan.new,
        files_changed=plan.changed,
        files_unchanged=plan.unchanged,
        files_deleted=len(plan.deleted) if params.prune else 0,
        documents=sum(r.documents for r in results),
        paragraphs=sum(r.rows["paragraphs"] for r in results),
        entities=sum(r.rows["entities"] for r in results),
        date_mentions=sum(r.rows["date_mentions"] for r in results),
        ner_skipped_paragraphs=sum(sum(r.ner_skipped.values()) for r in results),
        duplicates=duplicates.duplicates,
        near_duplicates=duplicates.near_duplicates,
        duplicate_paragraphs=duplicates.duplicate_paragraphs,
        boilerplate_paragraphs=duplicates.boilerplate_paragraphs,
        full_refresh=params.full_refresh,
        pipeline_version=__version__,
    )


def run_shards(params: EtlParams, run_id: str, shards: list) -> list[ShardResult]:
    """Submit one task per shard and log progress as they finish."""
    log = get_run_logger()
    results: list[ShardResult] = []
    if not shards:
        return results
    t0 = time.perf_counter()
    if params.workers > 1 and not os.environ.get("PREFECT_API_URL"):
        # Worker processes inherit the environment; without this address each would start an embedded server.
        os.environ["PREFECT_API_URL"] = str(FlowRunContext.get().client.api_url)  # type: ignore[union-attr]
    with task_runner(params.workers, params.dask_address) as runner:
        futures = [
            runner.submit(
                process_shard,
                {
                    "input_dir": params.input_dir,
                    "output_dir": params.output_dir,
                    "run_id": run_id,
                    "shard": shard,
                    "max_bytes": params.max_file_bytes,
                },
            )
            for shard in shards
        ]
        for fut in as_completed(futures):
            results.append(fut.result())
            docs = sum(r.documents for r in results)
            log.info(
                "shard %d/%d done: %d documents, %.1f documents/s",
                len(results),
                len(shards),
                docs,
                docs / max(time.perf_counter() - t0, 1e-9),
            )
    return sorted(results, key=lambda r: r.part)


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
        k: Counter() for k in ("ner_skipped", "seconds", "languages", "months", "top_entities")
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

    def table(title: str, counter: Counter, limit: int | None = None) -> list[str]:
        rows = [f"| {key} | {n} |" for key, n in (counter.most_common(limit) if limit else sorted(counter.items()))]
        return [f"### {title}", "", "| | count |", "|---|---|", *(rows or ["| none | 0 |"]), ""]

    lines = [
        f"# news-etl run `{run.run_id}`",
        "",
        "| files seen | new | changed | unchanged | processed | rejected | documents | paragraphs | entities | dates |",
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
        *table("Documents by language", totals["languages"]),
        *table("Documents by month", totals["months"]),
        *table("Top entities", totals["top_entities"], 15),
        *table("Paragraphs with no NER model, by language", skipped),
        "### Rejects",
        "",
        "| source | reason | action |",
        "|---|---|---|",
        *([f"| {src} | {reason} | {action} |" for src, reason, action in listed] or ["| none | | |"]),
        "",
        "Stage seconds (summed over shards): "
        + ", ".join(f"{stage} {s:.2f}" for stage, s in sorted(totals["seconds"].items()))
        + f", resolve_duplicates {duplicates.seconds:.2f}, commit {commit_seconds:.2f} (these two once per run)",
        "",
        f"Snapshot: `{snapshot.name}`",
    ]
    create_markdown_artifact("\n".join(lines), key="news-etl-run", description=f"news-etl run {run.run_id}")
    log.info("stage seconds: %s", ", ".join(f"{k} {v:.2f}" for k, v in sorted(totals["seconds"].items())))
    log.info(
        "run %s committed: %d documents, %d rejected, %d entities, %d date mentions; duplicates: %d exact, %d near",
        run.run_id,
        run.documents,
        run.files_failed,
        run.entities,
        run.date_mentions,
        run.duplicates,
        run.near_duplicates,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.news_etl", description=news_etl.description)
    parser.add_argument("--input", required=True, type=Path, help="folder of raw *.txt articles")
    parser.add_argument("--output", required=True, type=Path, help="folder of the Parquet tables")
    parser.add_argument("--shard-size", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--full-refresh", action="store_true")
    parser.add_argument("--prune", action="store_true")
    parser.add_argument("--max-file-bytes", type=int, default=DEFAULT_MAX_BYTES)
    parser.add_argument("--lock-wait-seconds", type=float, default=0.0)
    parser.add_argument("--dask-address", default=None, help="run shards on an existing Dask cluster (tcp://host:port)")
    a = parser.parse_args(argv)
    try:
        params = EtlParams(
            input_dir=a.input,
            output_dir=a.output,
            shard_size=a.shard_size,
            workers=a.workers,
            full_refresh=a.full_refresh,
            prune=a.prune,
            max_file_bytes=a.max_file_bytes,
            lock_wait_seconds=a.lock_wait_seconds,
            dask_address=a.dask_address,
        )
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(x) for x in err["loc"]) or "parameters"
            print(f"error: {where}: {err['msg']}", file=sys.stderr)
        return 2
    # The heartbeat thread would add ~1 s at teardown of every direct run, for no benefit on an embedded server.
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        try:
            summary = news_etl(**params.model_dump())
        except store.StoreError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(" ".join(f"{k}={v}" for k, v in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
