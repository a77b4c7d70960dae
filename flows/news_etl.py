"""The `news-etl` flow: list -> plan -> shards -> duplicates -> commit -> report.

Run it on Prefect's embedded server with `python -m flows.news_etl --input DIR --output DIR`.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture, as_completed
from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.states import Failed, State
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from pydantic import ValidationError

from flows import interrupt
from flows.embedded import embedded_server
from flows.errors import EXPECTED, one_line, quiet_console_tracebacks
from flows.params import (
    DEFAULT_MAX_PRUNE_SHARE,
    DaskAddress,
    EtlParams,
    KeepSnapshots,
    Languages,
    LockWait,
    MaxFileBytes,
    MaxPruneShare,
    NerModels,
    ShardSize,
    Workers,
    cli_parser,
    from_cli,
)
from flows.prefect_tasks import (
    Listing,
    ModelSpec,
    ShardResult,
    commit_run,
    list_inputs,
    process_shard,
    resolve_duplicates,
    warm_up,
)
from flows.progress import RunProgress
from flows.report import ignored_summary, report
from flows.workers import PreloadedProcessPoolTaskRunner, start_fork_server
from tasks import __version__, store
from tasks.dedup import DuplicateStats
from tasks.models import DEFAULT_NER_MODELS, DetectorName
from tasks.pipeline import doc_id_for
from tasks.plan import Plan, Shard, make_shards, plan_run
from tasks.read import DEFAULT_MAX_BYTES
from tasks.records import Reject, Run
from tasks.removal import Removal, planned_removal, refusal

__all__ = ["EtlParams", "main", "news_etl"]


# The signature repeats EtlParams field by field so that deployments take flat `--param input_dir=...`;
# tests/test_params.py fails when the two drift apart.
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
    language_detector: DetectorName = "lingua",
    max_prune_share: MaxPruneShare = DEFAULT_MAX_PRUNE_SHARE,
    force_prune: bool = False,
    keep_snapshots: KeepSnapshots = store.DEFAULT_KEEP_SNAPSHOTS,
    verify: bool = False,
    ner_models: NerModels = DEFAULT_NER_MODELS,
    languages: Languages = None,
) -> dict[str, int] | State:
    """Turn every new or changed article under input_dir into rows of the tables under output_dir."""
    params = EtlParams(**locals())
    try:
        return _run(params)
    except EXPECTED as exc:
        # The one-line reason becomes the flow run's state message (the UI, `prefect flow-run inspect`); a direct
        # call still raises the exception itself, and the CLI prints it as its one `error:` line.
        reason = one_line(exc, params.output_dir)
        if not interrupt.direct_run():
            get_run_logger().error("%s", reason)  # the deployed run's log, beside its state
        return Failed(message=reason, data=exc)


def _run(params: EtlParams) -> dict[str, int]:
    interrupt.reclaim_sigterm()
    spec = start_models(params)
    log = get_run_logger()
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    started = datetime.now(UTC)
    out = params.output_dir
    with store.locked(out, run_id=run_id, wait_seconds=params.lock_wait_seconds):
        for leftover in store.recover(out, keep=params.keep_snapshots):
            log.warning("removed %s left by an interrupted run", leftover)
        store.check_compatible(out, full_refresh=params.full_refresh)

        listing = list_inputs(params.input_dir, out, verify=params.verify, full_refresh=params.full_refresh)
        listed = listing.hashes
        # Counted in Arrow, and named one by one only when the run may remove them: the manifest may hold millions.
        gone, gone_count, committed = store.gone_statuses(out, listed, statuses=params.prune or params.full_refresh)
        plan = plan_run(
            listed,
            listing.known,
            full_refresh=params.full_refresh,
            unlisted=sorted(gone) if params.prune and not params.full_refresh else (),
        )
        removal = guard_removal(params, listed, gone, committed, listing.problems)
        shards = make_shards(plan.todo, params.shard_size)
        log.info(
            "%d files: %d new, %d changed, %d unchanged, %d gone; %d shards; %d files read to hash them",
            len(listed),
            plan.new,
            plan.changed,
            plan.unchanged,
            gone_count,
            len(shards),
            listing.hashed,
        )
        if listing.ignored:
            log.info("files ignored: %s", ignored_summary(listing.ignored))
        warnings = []
        if not listed:
            warnings.append(f"no article (*.txt, *.txt.gz) in {params.input_dir}")
            log.warning("%s", warnings[-1])
        if removal.count:
            log.warning(
                "removing %d of %d documents whose files are gone from the input (%s)",
                removal.count,
                removal.committed,
                "full refresh" if params.full_refresh else "prune",
            )

        results = run_shards(params, run_id, shards, spec)
        replaced = [p.source for p in plan.todo] + list(plan.deleted if params.prune else ())
        parts = [r.part for r in results]
        removed = {doc_id_for(s) for s in replaced}
        duplicates = resolve_duplicates(out, run_id, parts, removed, full_refresh=params.full_refresh)

        rejects = [Reject(run_id, src, reason, msg, "skipped") for src, reason, msg in listing.problems]
        run = summarize(run_id, started, params, listing, plan, results, rejects, duplicates, removal)
        t_commit = time.perf_counter()
        snapshot = commit_run(out, run, results, plan, params.prune, rejects, params.keep_snapshots, listing.stats)
        commit_seconds = time.perf_counter() - t_commit
    report(run, results, plan, snapshot, rejects, duplicates, commit_seconds, listing.ignored, warnings, output_dir=out)
    return {k: getattr(run, k) for k in ("files_seen", "files_processed", "files_failed", "documents", "entities")}


def guard_removal(
    params: EtlParams,
    listed: dict[str, str],
    gone: dict[str, str],
    committed: int,
    unlisted: list[tuple[str, str, str]],
) -> Removal:
    """The documents this run would remove; raises StoreError, before anything is written, when that is refused."""
    removal = planned_removal(listed, gone, prune=params.prune, full_refresh=params.full_refresh, committed=committed)
    reason = refusal(
        removal,
        files_listed=len(listed),
        unlisted_folders=[src for src, _, _ in unlisted],
        prune=params.prune,
        max_share=params.max_prune_share,
        force=params.force_prune,
        input_dir=str(params.input_dir),
    )
    if reason:
        raise store.StoreError(f"refused, nothing was changed: {reason}")
    return removal


def summarize(
    run_id: str,
    started: datetime,
    params: EtlParams,
    listing: Listing,
    plan: Plan,
    results: list[ShardResult],
    rejects: list[Reject],
    duplicates: DuplicateStats,
    removal: Removal,
) -> Run:
    """The run's row in `runs`: what it saw, did and wrote."""
    return Run(
        run_id=run_id,
        started_at=started,
        finished_at=datetime.now(UTC),
        files_seen=len(listing.hashes),
        files_ignored=listing.files_ignored,
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
        language_detector=params.language_detector,
        documents_removed=removal.count,
    )


def model_spec(params: EtlParams) -> ModelSpec:
    """The run's models; preloaded where worker processes will share them, else loaded as its texts need them."""
    preload = params.workers > 1 or params.dask_address is not None
    return ModelSpec.of(params.ner_models, params.language_detector, params.languages, preload=preload)


def start_models(params: EtlParams) -> ModelSpec:
    """Begin loading the run's models where its shards will run, so that the load overlaps everything before them."""
    # One worker: shards run in a thread of this process, so a background thread here. More: the fork server the
    # workers will fork from. Dask workers are the cluster's own processes, each loading on its first shard.
    spec = model_spec(params)
    if params.dask_address is None:
        if params.workers == 1:
            warm_up(spec)
        else:
            start_fork_server(spec)
    return spec


def task_runner(workers: int, dask_address: str | None, spec: ModelSpec) -> TaskRunner:
    """One process per worker: the NLP steps hold the GIL, so threads would not run shards in parallel."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    if workers == 1:
        return ThreadPoolTaskRunner(max_workers=1)
    return PreloadedProcessPoolTaskRunner(spec, max_workers=workers)


def run_shards(params: EtlParams, run_id: str, shards: list[Shard], spec: ModelSpec) -> list[ShardResult]:
    """Submit one task per shard and report progress (artifact, log, terminal bar) as they finish."""
    results: list[ShardResult] = []
    context = FlowRunContext.get()
    deployed = bool(context and context.flow_run and context.flow_run.deployment_id)
    with RunProgress(len(shards), sum(len(s) for s in shards), deployed=deployed) as progress:
        if not shards:
            return results
        # Worker processes get the settings in force at submit time; without this address each would start its own
        # embedded server.
        api_url = str(context.client.api_url)  # type: ignore[union-attr]
        with (
            temporary_settings({PREFECT_API_URL: api_url}),
            task_runner(params.workers, params.dask_address, spec) as runner,
        ):
            kwargs = {
                "input_dir": params.input_dir,
                "output_dir": params.output_dir,
                "run_id": run_id,
                "models": spec,
            }
            futures: list[PrefectFuture[ShardResult]] = [
                runner.submit(process_shard, kwargs | {"shard": shard, "max_bytes": params.max_file_bytes})
                for shard in shards
            ]
            for fut in as_completed(futures):
                result = fut.result()
                results.append(result)
                progress.shard_done(result.files, result.documents)
    return sorted(results, key=lambda r: r.part)


def main(argv: list[str] | None = None) -> int:
    """The CLI: exit 0 after a commit, 2 on bad parameters, 1 with one `error:` line, 130 when interrupted."""
    # Run last at exit: the interpreter's final collections then skip the models and modules, ~0.7 s a run.
    atexit.register(gc.freeze)
    args = cli_parser("python -m flows.news_etl", news_etl.description).parse_args(argv)
    try:
        params = from_cli(args)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(x) for x in err["loc"]) or "parameters"
            print(f"error: {where}: {err['msg']}", file=sys.stderr)
        return 2
    server = embedded_server()
    if not args.debug:
        quiet_console_tracebacks()
    try:
        with interrupt.handled(server), contextlib.ExitStack() as stack:
            # Before Prefect starts: a locked or unwritable output is reported in well under a second.
            store.check_output(params.output_dir)
            store.check_unlocked(params.output_dir, params.lock_wait_seconds)
            # The server, then the models: both come up together, on the two cores, while the flow waits for both.
            if server is not None:
                server.spawn()
                stack.enter_context(server.advertised())
            start_models(params)
            if server is not None:
                server.wait_ready()
            # The heartbeat thread would add ~1 s at teardown of every direct run, for no benefit on an embedded server.
            with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
                summary = news_etl(**params.model_dump())
    except EXPECTED as exc:
        if args.debug:
            raise
        print(f"error: {one_line(exc, params.output_dir)}", file=sys.stderr)
        return 1
    print(" ".join(f"{k}={v}" for k, v in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
