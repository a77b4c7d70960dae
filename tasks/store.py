"""All file access: listing and reading inputs, staging Parquet parts, the manifest, the lock and the atomic commit.

Output layout (every name starting with `.` or `_` is invisible to `pd.read_parquet`):

    OUTPUT/<table>           -> .current/<table>        fixed relative symlinks, one per table
    OUTPUT/.current          -> .snapshots/<snapshot>   swapped atomically by os.replace at commit
    OUTPUT/.snapshots/<snapshot>/<table>/month=<YYYY-MM>/<part>.parquet
                                                        immutable files, hard-linked from one snapshot to the next;
                                                        document tables are partitioned by the document's month
    OUTPUT/.snapshots/<snapshot>/_manifest.parquet      source -> doc_id, content hash, part
    OUTPUT/.snapshots/<snapshot>/_index/documents.parquet
                                                        duplicate index: keys, MinHash signature, first-seen order
    OUTPUT/.snapshots/<snapshot>/_index/paragraphs/<bucket>.parquet
                                                        paragraph keys, bucketed by their first two hex digits so
                                                        that a run reads one bucket at a time, never all of them
    OUTPUT/.staging/<run_id>/...                        parts written by shard tasks, moved in at commit
    OUTPUT/.lock                                        flock held by the running flow

A reader resolves `.current` once per path it opens, so it sees the previous snapshot or the new one, never a mix
within a table; the previous snapshot is kept until the next commit for readers still listing it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import hashlib
import itertools
import json
import os
import shutil
import stat
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from typing import BinaryIO, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tasks import __version__
from tasks.dedup import DocPrint, IndexedDoc, Occurrence
from tasks.read import Rejected, check_size
from tasks.records import Run
from tasks.schemas import (
    DOC_INDEX,
    DOC_PRINTS,
    DOCUMENT_TABLES,
    MANIFEST,
    PARAGRAPH_INDEX,
    RUNS,
    SCHEMA_VERSION,
    TABLES,
)

CURRENT = ".current"
SNAPSHOTS = ".snapshots"
STAGING = ".staging"
LOCK = ".lock"
MANIFEST_FILE = "_manifest.parquet"
STORE_INFO = "_depeche.json"
INPUT_SUFFIX = ".txt"
EMPTY_FILE = "empty.parquet"
INDEX = "_index"
PRINTS = "_prints"
UPDATES = "_updates"
MONTH = "month"  # the partition column of staged tables not yet split by month
# Flags that later runs may change on rows already committed: (key columns, flag columns) per table.
FLAG_COLUMNS = {
    "documents": (("doc_id",), ("duplicate_of", "near_duplicate_of", "near_duplicate_score")),
    "paragraphs": (("doc_id", "paragraph_id"), ("duplicate_of", "duplicate_of_paragraph_id", "boilerplate")),
}


P = TypeVar("P", DocPrint, IndexedDoc)


class StoreError(RuntimeError):
    """The output folder cannot be used as it is; the message says what to do."""


@dataclass(frozen=True, slots=True)
class InputFile:
    """An input file: its path relative to the input folder (`/` separators) and the hash of its bytes."""

    source: str
    content_sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """What the tables hold for one source: its document id, the bytes it came from and the part it lives in."""

    source: str
    doc_id: str
    content_sha256: str
    status: str  # "ok" (rows in the tables) or "rejected" (a reason in rejects)
    part: str
    run_id: str


@dataclass(frozen=True, slots=True)
class StagedPart:
    """Parquet files one shard wrote under the run's staging folder, with their row counts per table."""

    part: str
    rows: dict[str, int]


# ---------------------------------------------------------------------------------------------------- inputs


def list_sources(root: Path) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Sorted `*.txt` paths under root, relative with `/`; plus (source, reason, message) for folders not listed.

    Symlinked folders are not followed, so a symlink loop cannot make the walk endless.
    """
    problems: list[tuple[str, str, str]] = []

    def onerror(exc: OSError) -> None:
        where = Path(exc.filename).relative_to(root).as_posix() if exc.filename else "."
        problems.append((where, "unreadable_folder", f"{type(exc).__name__}: {exc.strerror}"))

    if not root.is_dir():
        raise StoreError(f"input folder {root} does not exist or is not a folder")
    sources: list[str] = []
    for folder, dirs, files in os.walk(root, onerror=onerror, followlinks=False):
        dirs.sort()
        rel = Path(folder).relative_to(root)
        sources.extend((rel / name).as_posix() for name in files if name.lower().endswith(INPUT_SUFFIX))
    return sorted(sources), problems


def open_source(root: Path, source: str) -> BinaryIO:
    """An input file opened for reading; Rejected unless it is a regular file inside the input folder.

    A FIFO named like an article would block a plain open() forever, and a symlink could lead anywhere on the machine.
    """
    path = root / source
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise Rejected("vanished", "file was deleted or moved after it was listed") from None
    except (OSError, RuntimeError) as exc:
        raise Rejected("unreadable", f"{type(exc).__name__}: {exc}") from None
    if not real.is_relative_to(root.resolve()):
        raise Rejected("outside_input", "a symlink that leads outside the input folder")
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise Rejected("unreadable", f"{type(exc).__name__}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Rejected("not_a_file", "not a regular file (a folder, FIFO, socket or device)")
    return os.fdopen(fd, "rb")


def read_source(root: Path, source: str, *, max_bytes: int) -> bytes:
    """The bytes of one input file; raises Rejected with a reason for files that cannot be read."""
    with open_source(root, source) as fh:
        check_size(os.fstat(fh.fileno()).st_size, max_bytes=max_bytes)
        try:
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise Rejected("unreadable", f"{type(exc).__name__}: {exc.strerror or exc}") from None
    # The size is checked again on the bytes: a file can grow between fstat and read.
    check_size(len(data), max_bytes=max_bytes)
    return data


def hash_sources(root: Path, sources: Sequence[str]) -> dict[str, str]:
    """source -> SHA-256 of its bytes ('' when it cannot be read, so that its shard reports why)."""

    def one(source: str) -> str:
        h = hashlib.sha256()
        try:
            with open_source(root, source) as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
        except (Rejected, OSError):
            return ""
        return h.hexdigest()

    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 1) * 2)) as pool:
        return dict(zip(sources, pool.map(one, sources), strict=True))


# ---------------------------------------------------------------------------------------------------- tables


def to_table(rows: Sequence[object], schema: pa.Schema) -> pa.Table:
    """Records (dataclasses mirroring `schema`) to an Arrow table, one column at a time."""
    names = schema.names
    if rows:
        record_fields = [f.name for f in fields(rows[0])]  # type: ignore[arg-type]
        if record_fields != names:
            raise TypeError(f"record fields {record_fields} do not match schema {names}")
    columns = {name: [getattr(r, name) for r in rows] for name in names}
    return pa.Table.from_pydict(columns, schema=schema)


def _with_versions(schema: pa.Schema) -> pa.Schema:
    return schema.with_metadata(
        {b"depeche.schema_version": SCHEMA_VERSION.encode(), b"depeche.pipeline_version": __version__.encode()}
    )


def _write_atomic(table: pa.Table, path: Path) -> None:
    """Write to a hidden temporary name, then rename: a reader never sees a half-written file."""
    # No fsync here: the commit's one `os.sync()` comes before the swap that makes any of these files visible.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table.cast(_with_versions(table.schema)), tmp, compression=_codec(table))
    os.replace(tmp, path)


# zstd compresses text best, but sets up a context per column chunk (~1 ms a file of 11 columns against ~0.1 ms for
# snappy); a shard of archive articles writes hundreds of small per-month files, where that set-up dominates.
ZSTD_FROM_BYTES = 256 * 1024


def _codec(table: pa.Table) -> str:
    return "zstd" if table.nbytes >= ZSTD_FROM_BYTES else "snappy"


def staging_dir(out: Path, run_id: str) -> Path:
    return out / STAGING / run_id


def partition_of(date: str | None) -> str:
    """The `month=` partition of a document date: `YYYY-MM`, `YYYY` for a year alone, `undated` for none."""
    return "undated" if date is None else date[:7]


def _by_month(table: pa.Table, months: pa.Array) -> Iterator[tuple[str, pa.Table]]:
    """The table's rows per month partition: one sort and a slice per month (archives span a hundred months)."""
    order = pc.sort_indices(months)
    table, sorted_months = table.take(order), months.take(order).to_pylist()
    start = 0
    for month, rows in itertools.groupby(sorted_months):
        length = sum(1 for _ in rows)
        yield month, table.slice(start, length)
        start += length


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
        _write_atomic(to_table(prints, DOC_PRINTS), stage / PRINTS / f"{part}.parquet")
    for name, table in tables.items():
        if name not in DOCUMENT_TABLES:
            if table.num_rows:
                _write_atomic(table, stage / name / f"{part}.parquet")
            continue
        months = pa.array([partitions[d] for d in table["doc_id"].to_pylist()], pa.string())
        if name in FLAG_COLUMNS:
            # Its duplicate flags are only known at commit, which splits it by month as it sets them: one write.
            _write_atomic(table.append_column(MONTH, months), stage / name / f"{part}.parquet")
            continue
        for month, rows in _by_month(table, months):
            _write_atomic(rows, stage / name / f"month={month}" / f"{part}.parquet")
    _write_atomic(to_table(manifest, MANIFEST), stage / "_manifest" / f"{part}.parquet")
    return StagedPart(part, {name: t.num_rows for name, t in tables.items()})


# ---------------------------------------------------------------------------------------------------- duplicate index


def read_prints(out: Path, run_id: str, parts: Iterable[str]) -> list[DocPrint]:
    """The prints the run's shards staged, in no particular order."""
    stage = staging_dir(out, run_id) / PRINTS
    paths = [stage / f"{p}.parquet" for p in parts]
    return [_print_row(DocPrint, row) for path in paths if path.exists() for row in pq.read_table(path).to_pylist()]


def _index_file(out: Path, name: str) -> Path | None:
    """A file of the current snapshot's duplicate index, if there is one."""
    snap = current_snapshot(out)
    path = snap / INDEX / name if snap else None
    return path if path is not None and path.exists() else None


def read_doc_index(out: Path) -> list[IndexedDoc]:
    """Every document of the current snapshot's duplicate index, in first-seen order."""
    path = _index_file(out, "documents.parquet")
    if path is None:
        return []
    return sorted((_print_row(IndexedDoc, row) for row in pq.read_table(path).to_pylist()), key=lambda d: d.order)


def _print_row(record: type[P], row: dict) -> P:
    return record(**(row | {"paragraph_keys": tuple(row["paragraph_keys"])}))


def bucket_of(key: str) -> str:
    return key[:2]


def read_paragraph_bucket(out: Path, bucket: str) -> list[Occurrence]:
    """The paragraph occurrences of one index bucket in the current snapshot."""
    path = _index_file(out, f"paragraphs/{bucket}.parquet")
    return [] if path is None else _read_rows(path, Occurrence)


def stage_doc_index(out: Path, run_id: str, docs: Sequence[IndexedDoc]) -> None:
    _write_atomic(to_table(docs, DOC_INDEX), staging_dir(out, run_id) / INDEX / "documents.parquet")


def stage_paragraph_bucket(out: Path, run_id: str, bucket: str, rows: Sequence[Occurrence]) -> None:
    """Stage a bucket's new content; an empty file stands for a bucket that lost all its rows."""
    _write_atomic(
        to_table(rows, PARAGRAPH_INDEX), staging_dir(out, run_id) / INDEX / "paragraphs" / f"{bucket}.parquet"
    )


def stage_flag_updates(out: Path, run_id: str, table: str, rows: Sequence[dict]) -> None:
    """Stage new flag values for rows of `table` (key and flag columns of FLAG_COLUMNS) to apply at commit."""
    keys, flags = FLAG_COLUMNS[table]
    schema = pa.schema([TABLES[table].field(c) for c in (*keys, *flags)])
    _write_atomic(
        pa.Table.from_pylist(list(rows), schema=schema), staging_dir(out, run_id) / UPDATES / f"{table}.parquet"
    )


def _read_flag_updates(stage: Path) -> dict[str, dict[tuple, dict]]:
    updates: dict[str, dict[tuple, dict]] = {}
    for table, (keys, _) in FLAG_COLUMNS.items():
        path = stage / UPDATES / f"{table}.parquet"
        rows = pq.read_table(path).to_pylist() if path.exists() else []
        updates[table] = {tuple(row.pop(k) for k in keys): row for row in rows}
    return updates


def _apply_flags(table: pa.Table, name: str, updates: dict[str, dict[tuple, dict]]) -> pa.Table:
    """The table with the staged flag values set on the rows they name."""
    if name not in FLAG_COLUMNS or not updates[name]:
        return table
    keys, flags = FLAG_COLUMNS[name]
    changes = updates[name]
    row_keys = list(zip(*(table[k].to_pylist() for k in keys), strict=True))
    for column in flags:
        values = table[column].to_pylist()
        for i, key in enumerate(row_keys):
            if key in changes:
                values[i] = changes[key][column]
        index = table.schema.get_field_index(column)
        table = table.set_column(index, table.schema.field(column), pa.array(values, table.schema.field(column).type))
    return table


# ---------------------------------------------------------------------------------------------------- the store


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


def current_snapshot(out: Path) -> Path | None:
    link = out / CURRENT
    return (out / os.readlink(link)) if link.is_symlink() else None


def next_sequence(out: Path) -> int:
    """The number the next snapshot gets; it also orders documents by the run that first saw them."""
    snap = current_snapshot(out)
    return int(snap.name.split("-")[0]) + 1 if snap else 1


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


def recover(out: Path) -> list[str]:
    """Remove what a killed run left behind: staging folders and snapshots that never became current."""
    removed = []
    staging = out / STAGING
    if staging.is_dir():
        for d in staging.iterdir():
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d.relative_to(out).as_posix())
    keep = _kept_snapshots(out)
    for d in _snapshot_dirs(out):
        if d.name not in keep:
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d.relative_to(out).as_posix())
    for tmp in out.glob(f"{CURRENT}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return removed


def read_manifest(out: Path) -> dict[str, ManifestEntry]:
    snap = current_snapshot(out)
    if snap is None:
        return {}
    return {e.source: e for e in _read_rows(snap / MANIFEST_FILE, ManifestEntry)}


def _read_rows(path: Path, record: type) -> list:
    table = pq.read_table(path)
    return [record(**row) for row in table.to_pylist()]


def _snapshot_dirs(out: Path) -> list[Path]:
    root = out / SNAPSHOTS
    return sorted(d for d in root.iterdir() if d.is_dir()) if root.is_dir() else []


def _kept_snapshots(out: Path) -> set[str]:
    """The current snapshot and the one before it, which readers may still be listing."""
    snap = current_snapshot(out)
    if snap is None:
        return set()
    info = json.loads((snap / STORE_INFO).read_text())
    return {snap.name, *([info["previous"]] if info.get("previous") else [])}


def commit(
    out: Path,
    *,
    run: Run,
    staged: Iterable[StagedPart],
    remove_sources: Iterable[str],
    full_refresh: bool,
    rejects: pa.Table,
) -> Path:
    """Make one new snapshot holding the previous rows minus replaced ones plus the staged parts, then swap it in."""
    staged = list(staged)
    prev = current_snapshot(out)
    seq = next_sequence(out)
    snap = out / SNAPSHOTS / f"{seq:08d}-{run.run_id}"
    snap.mkdir(parents=True)
    stage = staging_dir(out, run.run_id)

    new_manifest = [e for p in staged for e in _read_rows(stage / "_manifest" / f"{p.part}.parquet", ManifestEntry)]
    old_manifest = {} if (prev is None or full_refresh) else read_manifest(out)
    gone = {e.source for e in new_manifest} | set(remove_sources)
    # Rejected sources have no rows, so only documents that were written make their parts be rewritten.
    dropped = [old_manifest[s] for s in gone if s in old_manifest and old_manifest[s].status == "ok"]
    drop_ids = pa.array(sorted({e.doc_id for e in dropped}), pa.string())
    # A part that loses rows is rewritten under a new name: a file name never changes content, so a reader that
    # listed the previous snapshot fails loudly on a missing file instead of silently mixing two states.
    # Rows of earlier runs whose duplicate flags changed (their first occurrence went, a line became boilerplate).
    updates = _read_flag_updates(stage)
    updated = {key[0] for rows in updates.values() for key in rows}
    kept_parts = {e.doc_id: e.part for e in old_manifest.values() if e.status == "ok" and e.source not in gone}
    rewritten = {e.part for e in dropped} | {kept_parts[d] for d in updated if d in kept_parts}
    renamed = {part: f"{part.split('~')[0]}~{seq:08d}" for part in rewritten}

    for name in TABLES:
        is_log = name not in DOCUMENT_TABLES  # runs and rejects keep every run's rows, even across a full refresh
        (snap / name).mkdir()
        if prev is not None and (is_log or not full_refresh):
            for f in sorted((prev / name).rglob("*.parquet")):
                if f.name == EMPTY_FILE:
                    continue  # recreated below only if the table is still empty
                target = snap / name / f.relative_to(prev / name)
                target.parent.mkdir(parents=True, exist_ok=True)
                if not is_log and f.stem in renamed:
                    kept = pq.ParquetFile(f).read()
                    kept = kept.filter(pc.invert(pc.is_in(kept["doc_id"], value_set=drop_ids)))
                    kept = _apply_flags(kept, name, updates)
                    if kept.num_rows:
                        _write_atomic(kept, target.with_name(f"{renamed[f.stem]}.parquet"))
                else:
                    os.link(f, target)
        for p in staged:
            for src in sorted((stage / name).rglob(f"{p.part}.parquet")):
                if name in FLAG_COLUMNS:
                    staged_rows = _apply_flags(pq.ParquetFile(src).read(), name, updates)
                    months = staged_rows[MONTH]
                    for month, rows in _by_month(staged_rows.drop_columns([MONTH]), months):
                        _refuse_existing(target := snap / name / f"month={month}" / src.name)
                        _write_atomic(rows, target)
                    src.unlink()
                    continue
                target = snap / name / src.relative_to(stage / name)
                if is_log:
                    target = target.with_name(f"{run.run_id}-{p.part}.parquet")
                target.parent.mkdir(parents=True, exist_ok=True)
                _move_new(src, target)
    _link_index(prev if not full_refresh else None, stage, snap)
    if rejects.num_rows:
        _write_atomic(rejects, snap / "rejects" / f"{run.run_id}-run.parquet")
    _write_atomic(to_table([run], RUNS), snap / "runs" / f"{run.run_id}.parquet")
    for name, schema in TABLES.items():
        # pd.read_parquet fails on a folder with no file; an empty file keeps every table readable with its columns.
        if next((snap / name).rglob("*.parquet"), None) is None:
            where = snap / name / ("month=undated" if name in DOCUMENT_TABLES else "")
            _write_atomic(schema.empty_table(), where / EMPTY_FILE)

    kept_entries = [e for s, e in sorted(old_manifest.items()) if s not in gone]
    manifest = [dataclasses.replace(e, part=renamed.get(e.part, e.part)) for e in kept_entries] + new_manifest
    manifest.sort(key=lambda e: e.source)
    _write_atomic(to_table(manifest, MANIFEST), snap / MANIFEST_FILE)
    info = {
        "schema_version": SCHEMA_VERSION,
        "pipeline_version": __version__,
        "run_id": run.run_id,
        "previous": prev.name if prev else None,
    }
    tmp_info = snap / f".{STORE_INFO}.tmp"
    tmp_info.write_text(json.dumps(info, indent=1))
    os.replace(tmp_info, snap / STORE_INFO)
    # One sync puts every file and folder of the snapshot on disk before the swap: an fsync per file cost ~1 ms
    # each, and a shard of archive articles writes a file per table and month.
    os.sync()

    for name in TABLES:
        # Made before the first swap (dangling until then), so that every table appears at the same instant.
        link = out / name
        if not link.is_symlink():
            link.symlink_to(Path(CURRENT) / name)
    tmp = out / f"{CURRENT}.{run.run_id}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path(SNAPSHOTS) / snap.name)
    os.replace(tmp, out / CURRENT)
    _fsync_dir(out)

    shutil.rmtree(stage, ignore_errors=True)
    keep = {snap.name, prev.name if prev else ""}
    for d in _snapshot_dirs(out):
        if d.name not in keep:
            shutil.rmtree(d, ignore_errors=True)
    return snap


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
