"""The manifest: which source produced which doc_id, from which bytes (hash, size, mtime) and in which part.

It is kept in segments, `<snapshot>/_manifest/<seq>.parquet`, one per commit that added entries. A run reads only
the columns it needs as Arrow arrays (never a Python object per entry): the source column to find its files, then
the rows that match. A commit writes its new entries as one new segment, rewrites only the segments that hold a
replaced, removed or re-stat'ed source or a renamed part, and hard-links the others.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tasks.store import parquet
from tasks.store.paths import MANIFEST_DIR, current_snapshot
from tasks.store.schemas import MANIFEST

Stat = tuple[int, int]  # (size in bytes, mtime in ns); (-1, -1) for unknown


def segments(snap: Path | None) -> list[Path]:
    folder = snap / MANIFEST_DIR if snap is not None else None
    return sorted(folder.glob("*.parquet")) if folder is not None and folder.is_dir() else []


def _strings(values: Collection[str]) -> pa.Array:
    return pa.array(sorted(values), pa.string())


def matching(paths: Sequence[Path], column: str, values: Collection[str], columns: Sequence[str]) -> pa.Table:
    """The rows of these segments whose `column` is one of `values`, reading `column` first and then the matches."""
    found = [MANIFEST.empty_table().select(list(columns))]
    if values:
        value_set = _strings(values)
        for path in paths:
            probe = pq.read_table(path, columns=[column])[column]
            mask = pc.is_in(probe, value_set=value_set)
            if pc.any(mask).as_py():
                found.append(pq.read_table(path, columns=list(columns)).filter(mask))
    return pa.concat_tables(found)


def known(out: Path, sources: Collection[str]) -> dict[str, tuple[str, Stat]]:
    """source -> (content hash, stat) for the listed sources the current manifest holds."""
    rows = matching(
        segments(current_snapshot(out)), "source", sources, ["source", "content_sha256", "size", "mtime_ns"]
    )
    return {
        s: (h, (size, mtime))
        for s, h, size, mtime in zip(
            *(rows[c].to_pylist() for c in ("source", "content_sha256", "size", "mtime_ns")), strict=True
        )
    }


def unlisted(out: Path, sources: Collection[str]) -> pa.Array:
    """The manifest's sources that are not among `sources` (files gone from the input), as one Arrow array."""
    value_set = _strings(sources)
    chunks = [pa.array([], pa.string())]
    for path in segments(current_snapshot(out)):
        column = pq.read_table(path, columns=["source"])["source"]
        chunks.extend(column.filter(pc.invert(pc.is_in(column, value_set=value_set))).chunks)
    return pa.concat_arrays(chunks)


def gone_statuses(out: Path, sources: Collection[str], *, statuses: bool = True) -> tuple[dict[str, str], int, int]:
    """(status of each manifest source not among `sources`, how many there are, how many sources have rows).

    Without `statuses` only the counts: a run that neither prunes nor refreshes needs no per-file answer, and an
    input folder that holds only the night's files leaves every committed source unlisted.
    """
    value_set = _strings(sources)
    found: dict[str, str] = {}
    gone_count = committed = 0
    for path in segments(current_snapshot(out)):
        table = pq.read_table(path, columns=["source", "status"])
        committed += pc.sum(pc.equal(table["status"], "ok")).as_py() or 0
        gone = table.filter(pc.invert(pc.is_in(table["source"], value_set=value_set)))
        gone_count += gone.num_rows
        if statuses:
            found.update(zip(gone["source"].to_pylist(), gone["status"].to_pylist(), strict=True))
    return found, gone_count, committed


def read_all(snap: Path | None) -> pa.Table:
    return pa.concat_tables([MANIFEST.empty_table(), *(pq.read_table(p).cast(MANIFEST) for p in segments(snap))])


def _replace_values(
    keys: pa.ChunkedArray, mapping: Mapping, values: pa.ChunkedArray, kind: pa.DataType
) -> pa.ChunkedArray | pa.Array:
    """`values`, with mapping[key] wherever the row's key is one of mapping's keys."""
    if not mapping:
        return values
    names = list(mapping)
    index = pc.index_in(keys, value_set=pa.array(names, keys.type))
    return pc.if_else(pc.is_null(index), values, pc.take(pa.array([mapping[k] for k in names], kind), index))


def with_stats(table: pa.Table, stats: Mapping[str, Stat]) -> pa.Table:
    """The entries with size and mtime_ns set from `stats` for the sources it names."""
    if not stats or not table.num_rows:
        return table
    sizes = _replace_values(table["source"], {s: st[0] for s, st in stats.items()}, table["size"], pa.int64())
    table = table.set_column(table.schema.get_field_index("size"), MANIFEST.field("size"), sizes)
    mtimes = _replace_values(table["source"], {s: st[1] for s, st in stats.items()}, table["mtime_ns"], pa.int64())
    return table.set_column(table.schema.get_field_index("mtime_ns"), MANIFEST.field("mtime_ns"), mtimes)


def with_parts(table: pa.Table, moved: Mapping[str, str]) -> pa.Table:
    """The entries with the part of every document in `moved` (doc_id -> part) set to its compacted part."""
    ok = {d: p for d, p in moved.items()}
    if not ok or not table.num_rows:
        return table
    parts = _replace_values(table["doc_id"], ok, table["part"], pa.string())
    # Rejected entries share no doc_id with a written document, so only rows of written documents move.
    return table.set_column(table.schema.get_field_index("part"), MANIFEST.field("part"), parts)


def carry_over(
    prev: Sequence[Path],
    snap: Path,
    *,
    gone: Collection[str],
    renamed: Mapping[str, str],
    stats: Mapping[str, Stat],
    moved: Mapping[str, str],
) -> None:
    """Link or rewrite the previous segments into `snap`: gone sources dropped, parts renamed, stats refreshed."""
    folder = snap / MANIFEST_DIR
    folder.mkdir(parents=True, exist_ok=True)
    gone_set, restat, parts, ids = _strings(gone), _strings(stats), _strings(renamed), _strings(moved)
    for path in prev:
        probe = pq.read_table(path, columns=["source", "part", "doc_id"])
        touched = pc.or_(pc.is_in(probe["source"], value_set=gone_set), pc.is_in(probe["source"], value_set=restat))
        touched = pc.or_(touched, pc.is_in(probe["doc_id"], value_set=ids))
        if not pc.any(pc.or_(touched, pc.is_in(probe["part"], value_set=parts))).as_py():
            os.link(path, folder / path.name)
            continue
        table = pq.read_table(path).cast(MANIFEST)
        table = table.filter(pc.invert(pc.is_in(table["source"], value_set=gone_set)))
        table = table.set_column(
            table.schema.get_field_index("part"),
            MANIFEST.field("part"),
            _replace_values(table["part"], renamed, table["part"], pa.string()),
        )
        table = with_parts(with_stats(table, stats), moved)
        if table.num_rows:
            parquet.write_atomic(table, folder / path.name)
