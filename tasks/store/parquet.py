"""Parquet conversion: records to Arrow tables, atomic file writes with the versions in their metadata."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence
from dataclasses import fields
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tasks import __version__
from tasks.store.schemas import SCHEMA_VERSION


def to_table(rows: Sequence[object], schema: pa.Schema) -> pa.Table:
    """Records (dataclasses mirroring `schema`) to an Arrow table, one column at a time."""
    names = schema.names
    if rows:
        record_fields = [f.name for f in fields(rows[0])]  # type: ignore[arg-type]
        if record_fields != names:
            raise TypeError(f"record fields {record_fields} do not match schema {names}")
    columns = {name: [getattr(r, name) for r in rows] for name in names}
    return pa.Table.from_pydict(columns, schema=schema)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`schema`'s columns first, null where the writer's version had none; the table's other columns kept after."""
    columns, conformed = [], []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table[field.name].cast(field.type))
            conformed.append(field)
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
            conformed.append(field.with_nullable(True))
    extra = [f for f in table.schema if f.name not in schema.names]
    return pa.Table.from_arrays(columns + [table[f.name] for f in extra], schema=pa.schema(conformed + extra))


def _with_versions(schema: pa.Schema) -> pa.Schema:
    return schema.with_metadata(
        {b"depeche.schema_version": SCHEMA_VERSION.encode(), b"depeche.pipeline_version": __version__.encode()}
    )


def write_atomic(table: pa.Table, path: Path, *, row_group_size: int | None = None) -> None:
    """Write to a hidden temporary name, then rename: a reader never sees a half-written file."""
    # No fsync here: the commit's one `os.sync()` comes before the swap that makes any of these files visible.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(
        table.cast(_with_versions(table.schema)), tmp, compression=_codec(table), row_group_size=row_group_size
    )
    os.replace(tmp, path)


# zstd compresses text best, but sets up a context per column chunk (~1 ms a file of 11 columns against ~0.1 ms for
# snappy); a shard of archive articles writes hundreds of small per-month files, where that set-up dominates.
ZSTD_FROM_BYTES = 256 * 1024


def _codec(table: pa.Table) -> str:
    return "zstd" if table.nbytes >= ZSTD_FROM_BYTES else "snappy"


def partition_of(date: str | None) -> str:
    """The `month=` partition of a document date: `YYYY-MM`, `YYYY` for a year alone, `undated` for none."""
    return "undated" if date is None else date[:7]


def by_month(table: pa.Table, months: pa.Array) -> Iterator[tuple[str, pa.Table]]:
    """The table's rows per month partition: one sort and a slice per month (archives span a hundred months)."""
    order = pc.sort_indices(months)
    table, sorted_months = table.take(order), months.take(order).to_pylist()
    start = 0
    for month, rows in itertools.groupby(sorted_months):
        length = sum(1 for _ in rows)
        yield month, table.slice(start, length)
        start += length


def read_rows(path: Path, record: type) -> list:
    """The rows of a Parquet file as records of the dataclass that mirrors its schema."""
    return [record(**row) for row in pq.read_table(path).to_pylist()]
