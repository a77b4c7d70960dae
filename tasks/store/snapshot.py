"""Snapshots: staging a shard's parts, the lock, the manifest, recovery and the atomic commit.

A reader resolves `.current` once per path it opens, so it sees the previous snapshot or the new one, never a mix
within a table; earlier snapshots are kept for readers still listing them and for restores (retention.py).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tasks import __version__
from tasks.dedup import DocPrint
from tasks.records import Run
from tasks.store import index, manifest, parquet, retention
from tasks.store.paths import (
    CURRENT,
    EMPTY_FILE,
    INDEX,
    LOCK,
    MANIFEST_DIR,
    SNAPSHOTS,
    STAGING,
    STORE_INFO,
    StoreError,
    current_snapshot,
    next_sequence,
    staging_dir,
)
from tasks.store.schemas import DOCUMENT_TABLES, FLAG_COLUMNS, MANIFEST, RUNS, SCHEMA_VERSION, TABLES

MONTH = "month"  # the partition column of staged tables not yet split by month


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """What the tables hold for one source: its document id, the bytes it came from and the part it lives in."""

    source: str
    doc_id: str
    content_sha256: str
    status: str  # "ok" (rows in the tables) or "rejected" (a reason in rejects)
    part: str
    run_id: str
    size: int = -1  # bytes and mtime (ns) of the file when it was listed, set at commit; -1: unknown
    mtime_ns: int = -1


@dataclass(frozen=True, slots=True)
class StagedPart:
    """Parquet files one shard wrote under the run's staging folder, with their row counts per table."""

    part: str
    rows: dict[str, int]


def stage_part(
    out: Path,
    run_id: str,
    part: str,
    tables: dict[str, pa.Table],
    manifest: Sequence[ManifestEntry],
    partitions: dict[str, str],
    prints: Sequence[DocPrint] = (),
) -> StagedPart:
    """Stage a shard's tables (documents and paragraphs whole, the others by month), manifest rows and prints."""
    stage = staging_dir(out, run_id)
    if prints:
        index.stage_prints(out, run_id, part, prints)
    for name, table in tables.items():
        if name not in DOCUMENT_TABLES:
            if table.num_rows:
                parquet.write_atomic(table, stage / name / f"{part}.parquet")
            continue
        months = pa.array([partitions[d] for d in table["doc_id"].to_pylist()], pa.string())
        if name in FLAG_COLUMNS:
            # Its duplicate flags are only known at commit, which splits it by month as it sets them: one write.
            parquet.write_atomic(table.append_column(MONTH, months), stage / name / f"{part}.parquet")
            continue
        for month, rows in parquet.by_month(table, months):
            parquet.write_atomic(rows, stage / name / f"month={month}" / f"{part}.parquet")
    parquet.write_atomic(parquet.to_table(manifest, MANIFEST), stage / "_manifest" / f"{part}.parquet")
    return StagedPart(part, {name: t.num_rows for name, t in tables.items()})


@contextlib.contextmanager
def locked(out: Path, *, run_id: str, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the output folder's lock; the kernel drops a flock when its holder dies, so no lock is ever stale."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
                    raise StoreError(
                        f"{out} is in use by another run ({holder}); wait for it to finish or pass a longer lock wait"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"run {run_id}, pid {os.getpid()}".encode(), 0)
        yield
    finally:
        os.close(fd)


def check_compatible(out: Path, *, full_refresh: bool) -> None:
    """Refuse tables written with another schema version unless this run rebuilds them."""
    for name in TABLES:
        path = out / name
        if path.exists() and not path.is_symlink():
            raise StoreError(f"{path} exists and is not managed by depeche; choose an empty output folder")
    snap = current_snapshot(out)
    if snap is None or full_refresh:
        return
    info = json.loads((snap / STORE_INFO).read_text())
    if info.get("schema_version") != SCHEMA_VERSION:
        raise StoreError(
            f"{out} holds tables of schema version {info.get('schema_version')}"
            f" (pipeline {info.get('pipeline_version')}), this pipeline writes version {SCHEMA_VERSION}:"
            " run again with full refresh to rebuild them"
        )


def recover(out: Path, keep: int = retention.DEFAULT_KEEP_SNAPSHOTS) -> list[str]:
    """Remove what a killed run left behind (staging, snapshots never made current) and snapshots past retention."""
    removed = []
    staging = out / STAGING
    if staging.is_dir():
        for d in staging.iterdir():
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d.relative_to(out).as_posix())
    kept = _kept_snapshots(out, keep)
    for d in _snapshot_dirs(out):
        if d.name not in kept:
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d.relative_to(out).as_posix())
    for tmp in out.glob(f"{CURRENT}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return removed


def read_manifest(out: Path) -> dict[str, ManifestEntry]:
    """Every entry of the current manifest as records, for tests and tools; runs read Arrow columns instead."""
    return {row["source"]: ManifestEntry(**row) for row in manifest.read_all(current_snapshot(out)).to_pylist()}


def _snapshot_dirs(out: Path) -> list[Path]:
    root = out / SNAPSHOTS
    return sorted(d for d in root.iterdir() if d.is_dir()) if root.is_dir() else []


def _kept_snapshots(out: Path, keep: int) -> set[str]:
    """The current snapshot and its `keep` predecessors: readers may still list them, a restore goes back to them."""
    return retention.kept_snapshots(out, keep)


@dataclass(frozen=True, slots=True)
class _Replacement:
    """What a commit changes in earlier snapshots' rows: documents dropped, parts renamed, flags updated."""

    drop_ids: pa.Array
    renamed: dict[str, str]  # old part name -> the name of its rewritten copy
    updates: dict[str, dict[tuple, dict]]


def commit(
    out: Path,
    *,
    run: Run,
    staged: Iterable[StagedPart],
    remove_sources: Iterable[str],
    full_refresh: bool,
    rejects: pa.Table,
    keep_snapshots: int = retention.DEFAULT_KEEP_SNAPSHOTS,
    stats: Mapping[str, tuple[int, int]] | None = None,
) -> Path:
    """Make one new snapshot holding the previous rows minus replaced ones plus the staged parts, then swap it in."""
    staged = list(staged)
    stats = stats or {}
    prev = current_snapshot(out)
    seq = next_sequence(out)
    snap = out / SNAPSHOTS / f"{seq:08d}-{run.run_id}"
    snap.mkdir(parents=True)
    stage = staging_dir(out, run.run_id)

    new_manifest = manifest.with_stats(
        pa.concat_tables(
            [MANIFEST.empty_table()]
            + [pq.read_table(stage / "_manifest" / f"{p.part}.parquet").cast(MANIFEST) for p in staged]
        ),
        stats,
    )
    old_segments = [] if (prev is None or full_refresh) else manifest.segments(prev)
    gone = set(new_manifest["source"].to_pylist()) | set(remove_sources)
    replacement = _replacement(old_segments, gone, index.read_flag_updates(stage), seq)

    # Only a full refresh crosses a schema version (check_compatible), and it carries the logs over.
    upgrade = prev is not None and json.loads((prev / STORE_INFO).read_text()).get("schema_version") != SCHEMA_VERSION
    for name in TABLES:
        is_log = name not in DOCUMENT_TABLES  # runs and rejects keep every run's rows, even across a full refresh
        (snap / name).mkdir()
        if prev is not None and (is_log or not full_refresh):
            _carry_over(prev / name, snap / name, replacement, is_log=is_log, table=name, upgrade=upgrade, seq=seq)
        for p in staged:
            for src in sorted((stage / name).rglob(f"{p.part}.parquet")):
                _place_staged(src, stage / name, snap / name, replacement.updates, name=name, run_id=run.run_id)
    moved = compact(snap, seq)
    _link_index(prev if not full_refresh else None, stage, snap)
    if rejects.num_rows:
        parquet.write_atomic(rejects, snap / "rejects" / f"{run.run_id}-run.parquet")
    parquet.write_atomic(parquet.to_table([run], RUNS), snap / "runs" / f"{run.run_id}.parquet")
    _keep_tables_readable(snap)

    manifest.carry_over(old_segments, snap, gone=gone, renamed=replacement.renamed, stats=stats, moved=moved)
    if new_manifest.num_rows:
        new_manifest = manifest.with_parts(new_manifest, moved)
        parquet.write_atomic(new_manifest.sort_by("source"), snap / MANIFEST_DIR / f"{seq:08d}.parquet")
    compact_segments(snap, seq)
    _write_info(snap, run_id=run.run_id, previous=prev)
    # One sync puts every file and folder of the snapshot on disk before the swap: an fsync per file cost ~1 ms
    # each, and a shard of archive articles writes a file per table and month.
    os.sync()
    _publish(out, snap, run_id=run.run_id)

    shutil.rmtree(stage, ignore_errors=True)
    retention.remove_unkept(out, keep_snapshots)
    return snap


def _replacement(
    old_segments: Sequence[Path], gone: set[str], updates: dict[str, dict[tuple, dict]], seq: int
) -> _Replacement:
    """Which earlier rows go and which earlier parts must be rewritten (they lose rows or change flags)."""
    columns = ["source", "doc_id", "status", "part"]
    # Rejected sources have no rows, so only documents that were written make their parts be rewritten.
    dropped = manifest.matching(old_segments, "source", gone, columns)
    dropped = dropped.filter(pc.equal(dropped["status"], "ok"))
    updated = manifest.matching(old_segments, "doc_id", {key[0] for rows in updates.values() for key in rows}, columns)
    updated = updated.filter(pc.equal(updated["status"], "ok"))
    updated = updated.filter(pc.invert(pc.is_in(updated["source"], value_set=pa.array(sorted(gone), pa.string()))))
    rewritten = set(dropped["part"].to_pylist()) | set(updated["part"].to_pylist())
    # A part that loses rows is rewritten under a new name: a file name never changes content, so a reader that
    # listed the previous snapshot fails loudly on a missing file instead of silently mixing two states.
    return _Replacement(
        drop_ids=pa.array(sorted(set(dropped["doc_id"].to_pylist())), pa.string()),
        renamed={part: f"{part.split('~')[0]}~{seq:08d}" for part in rewritten},
        updates=updates,
    )


def _carry_over(
    prev: Path, snap: Path, replacement: _Replacement, *, is_log: bool, table: str, upgrade: bool, seq: int
) -> None:
    """Hard-link the previous snapshot's files of one table; rewrite those that lose rows, change flags or columns."""
    made: set[Path] = set()  # one mkdir per partition, not per file: each costs a system call or two
    for f in sorted(prev.rglob("*.parquet")):
        if f.name == EMPTY_FILE:
            continue  # recreated at the end only if the table is still empty
        target = snap / f.relative_to(prev)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if not is_log and f.stem in replacement.renamed:
            kept = pq.ParquetFile(f).read()
            kept = kept.filter(pc.invert(pc.is_in(kept["doc_id"], value_set=replacement.drop_ids)))
            kept = index.apply_flags(kept, table, replacement.updates)
            if kept.num_rows:
                parquet.write_atomic(kept, target.with_name(f"{replacement.renamed[f.stem]}.parquet"))
        elif upgrade and not pq.read_schema(f).equals(TABLES[table], check_metadata=False):
            # A log file of an older version lacks the new columns, and pandas takes a folder's columns from its
            # first file: an old run first would hide them for every run. The new name keeps names immutable.
            parquet.write_atomic(
                parquet.conform(pq.read_table(f), TABLES[table]), target.with_name(f"{f.stem}~{seq:08d}.parquet")
            )
        else:
            os.link(f, target)


def _place_staged(
    src: Path, stage: Path, snap: Path, updates: dict[str, dict[tuple, dict]], *, name: str, run_id: str
) -> None:
    """Put one staged file of a table into the snapshot: moved as it is, or split by month with its flags set."""
    if name in FLAG_COLUMNS:
        staged_rows = index.apply_flags(pq.ParquetFile(src).read(), name, updates)
        months = staged_rows[MONTH]
        for month, rows in parquet.by_month(staged_rows.drop_columns([MONTH]), months):
            _refuse_existing(target := snap / f"month={month}" / src.name)
            parquet.write_atomic(rows, target)
        src.unlink()
        return
    target = snap / src.relative_to(stage)
    if name not in DOCUMENT_TABLES:
        target = target.with_name(f"{run_id}-{src.stem}.parquet")
    target.parent.mkdir(parents=True, exist_ok=True)
    _move_new(src, target)


# Compaction bound, per month partition of each document table, size-tiered: files under COMPACT_BELOW_BYTES (of
# the partition's documents file) fall in tiers by size (under 1 MB, then each tier 8x the last); a tier holding
# more than MAX_SMALL_FILES files is merged into one file, which lands in a higher tier. A merge only ever rewrites
# files of one tier, so its cost is bounded by the tier's size, not by the partition's: a month that has grown to
# 100 MB is not rewritten because a night added 20 KB to it. Each commit adds at most one file per partition it
# touches; a partition holds at most MAX_SMALL_FILES files per tier (4 tiers), plus files of COMPACT_BELOW_BYTES or
# more, which are never merged again.
MAX_SMALL_FILES = 8
COMPACT_BELOW_BYTES = 128 * 1024 * 1024
TIER_BASE_BYTES = 1024 * 1024
TIER_FACTOR = 8


def size_tier(size: int) -> int:
    """0 under TIER_BASE_BYTES, then 1, 2, ... for each further factor of TIER_FACTOR."""
    tier, limit = 0, TIER_BASE_BYTES
    while size >= limit:
        tier, limit = tier + 1, limit * TIER_FACTOR
    return tier


def to_merge(sizes: Mapping[str, int], below: int) -> list[list[str]]:
    """The groups of names to merge: per size tier under `below`, its files once they are more than the bound."""
    tiers: dict[int, list[str]] = {}
    for name, size in sorted(sizes.items()):
        if size < below:
            tiers.setdefault(size_tier(size), []).append(name)
    return [names for _, names in sorted(tiers.items()) if len(names) > MAX_SMALL_FILES]


# Row order of a compacted file: a reader filtering on doc_id skips row groups by their statistics.
SORT_KEYS = {
    "documents": ["doc_id"],
    "paragraphs": ["doc_id", "paragraph_id"],
    "entities": ["doc_id", "paragraph_id", "start"],
    "date_mentions": ["doc_id", "paragraph_id", "start"],
}


def compact(snap: Path, seq: int) -> dict[str, str]:
    """Merge the small files of every month partition past the bound; doc_id -> part name of the merged files."""
    moved: dict[str, str] = {}
    for month_dir in sorted((snap / "documents").glob("month=*")):
        sizes = {f.stem: f.stat().st_size for f in month_dir.glob("*.parquet") if f.name != EMPTY_FILE}
        for i, group in enumerate(to_merge(sizes, COMPACT_BELOW_BYTES)):
            merged = f"c{seq:08d}{'' if i == 0 else f'.{i}'}-{month_dir.name[len('month=') :]}"
            moved |= _compact_partition(snap, month_dir.name, group, merged)
    return moved


def _compact_partition(snap: Path, month: str, parts: Sequence[str], merged: str) -> dict[str, str]:
    """One partition's parts merged into `merged` in every document table; the parts' names leave this snapshot.

    The previous snapshot keeps its own links to the merged files, so its readers never miss one.
    """
    doc_ids: list[str] = []
    for name in DOCUMENT_TABLES:
        files = [f for p in parts if (f := snap / name / month / f"{p}.parquet").exists()]
        if not files:
            continue
        table = pa.concat_tables(pq.read_table(f, partitioning=None).cast(TABLES[name]) for f in files)
        table = table.sort_by([(k, "ascending") for k in SORT_KEYS[name]])
        if name == "documents":
            doc_ids = table["doc_id"].to_pylist()
        _refuse_existing(target := snap / name / month / f"{merged}.parquet")
        parquet.write_atomic(table, target, row_group_size=COMPACT_ROW_GROUP_ROWS)
        for f in files:
            f.unlink()
    return dict.fromkeys(doc_ids, merged)


COMPACT_ROW_GROUP_ROWS = 64 * 1024

# The manifest and index segments (one per commit and kind) follow the same tiers with a smaller cap, since a run
# probes every segment: at most 8 per tier under 32 MB per folder, so a year of nightly commits leaves tens.
SEGMENT_COMPACT_BELOW_BYTES = 32 * 1024 * 1024
SEGMENT_SORT = {
    MANIFEST_DIR: ("source", None),
    f"{INDEX}/{index.DOCUMENTS}": ("order", index.ROW_GROUP_ROWS[index.DOCUMENTS]),
    f"{INDEX}/{index.BANDS}": ("band", index.ROW_GROUP_ROWS[index.BANDS]),
    f"{INDEX}/{index.PARAGRAPHS}": ("key", index.ROW_GROUP_ROWS[index.PARAGRAPHS]),
}


def compact_segments(snap: Path, seq: int) -> None:
    """Merge the small manifest and index segments of the new snapshot once a folder holds too many."""
    for folder, (key, row_group_size) in SEGMENT_SORT.items():
        files = {f.name: f for f in (snap / folder).glob("*.parquet")}
        sizes = {name: f.stat().st_size for name, f in files.items()}
        for i, group in enumerate(to_merge(sizes, SEGMENT_COMPACT_BELOW_BYTES)):
            target = snap / folder / f"{seq:08d}-merged{'' if i == 0 else f'.{i}'}.parquet"
            _compact_segment_files([files[name] for name in group], target, key, row_group_size)


def _compact_segment_files(files: Sequence[Path], target: Path, key: str, row_group_size: int | None) -> None:
    """Several segments of one kind as one, sorted by its lookup key; the previous snapshot keeps its own links."""
    tables = [pq.read_table(f) for f in files]
    merged = pa.concat_tables([t.cast(tables[0].schema) for t in tables]).sort_by(key)
    _refuse_existing(target)
    parquet.write_atomic(merged, target, row_group_size=row_group_size)
    for f in files:
        f.unlink()


def _keep_tables_readable(snap: Path) -> None:
    """pd.read_parquet fails on a folder with no file; an empty file keeps every table readable with its columns."""
    for name, schema in TABLES.items():
        if next((snap / name).rglob("*.parquet"), None) is None:
            where = snap / name / ("month=undated" if name in DOCUMENT_TABLES else "")
            parquet.write_atomic(schema.empty_table(), where / EMPTY_FILE)


def _write_info(snap: Path, *, run_id: str, previous: Path | None) -> None:
    info = {
        "schema_version": SCHEMA_VERSION,
        "pipeline_version": __version__,
        "run_id": run_id,
        "previous": previous.name if previous else None,
    }
    tmp_info = snap / f".{STORE_INFO}.tmp"
    tmp_info.write_text(json.dumps(info, indent=1))
    os.replace(tmp_info, snap / STORE_INFO)


def _publish(out: Path, snap: Path, *, run_id: str) -> None:
    """Swap `.current` to the new snapshot: every table appears at the same instant."""
    for name in TABLES:
        # Made before the first swap (dangling until then), so that every table appears at the same instant.
        link = out / name
        if not link.is_symlink():
            link.symlink_to(Path(CURRENT) / name)
    tmp = out / f"{CURRENT}.{run_id}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path(SNAPSHOTS) / snap.name)
    os.replace(tmp, out / CURRENT)
    _fsync_dir(out)


def _link_index(prev: Path | None, stage: Path, snap: Path) -> None:
    """The duplicate index of the new snapshot: the files this run restaged, and the previous snapshot's others."""
    staged = sorted((stage / INDEX).rglob("*.parquet")) if (stage / INDEX).is_dir() else []
    restaged = {f.relative_to(stage) for f in staged}
    if prev is not None and (prev / INDEX).is_dir():
        for f in sorted((prev / INDEX).rglob("*.parquet")):
            if (rel := f.relative_to(prev)) not in restaged:
                (snap / rel).parent.mkdir(parents=True, exist_ok=True)
                os.link(f, snap / rel)
    for src in staged:
        if pq.read_metadata(src).num_rows == 0:
            continue  # a bucket that lost all its rows
        (snap / src.relative_to(stage)).parent.mkdir(parents=True, exist_ok=True)
        _move_new(src, snap / src.relative_to(stage))


def _refuse_existing(dst: Path) -> None:
    # A name clash would silently replace rows, so it is an error.
    if dst.exists():
        raise StoreError(f"{dst} already exists in the new snapshot; refusing to overwrite it")


def _move_new(src: Path, dst: Path) -> None:
    """Move a staged file into a snapshot, never over an existing one."""
    _refuse_existing(dst)
    os.replace(src, dst)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
