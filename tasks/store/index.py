"""The duplicate index inside each snapshot: document prints, paragraph keys by bucket, staged flag changes.

_index/documents.parquet            keys, MinHash signature and first-seen order of every document
_index/paragraphs/<bucket>.parquet  paragraph keys, bucketed by their first two hex digits so that a run reads
                                    one bucket at a time, never all of them
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from tasks.dedup import DocFlags, DocPrint, IndexedDoc, Occurrence
from tasks.store import parquet
from tasks.store.paths import INDEX, PRINTS, UPDATES, current_snapshot, staging_dir
from tasks.store.schemas import DOC_INDEX, DOC_PRINTS, FLAG_COLUMNS, PARAGRAPH_INDEX, TABLES

P = TypeVar("P", DocPrint, IndexedDoc)


def stage_prints(out: Path, run_id: str, part: str, prints: Sequence[DocPrint]) -> None:
    parquet.write_atomic(parquet.to_table(prints, DOC_PRINTS), staging_dir(out, run_id) / PRINTS / f"{part}.parquet")


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


def read_paragraph_bucket(out: Path, bucket: str) -> list[Occurrence]:
    """The paragraph occurrences of one index bucket in the current snapshot."""
    path = _index_file(out, f"paragraphs/{bucket}.parquet")
    return [] if path is None else parquet.read_rows(path, Occurrence)


def stage_doc_index(out: Path, run_id: str, docs: Sequence[IndexedDoc]) -> None:
    parquet.write_atomic(parquet.to_table(docs, DOC_INDEX), staging_dir(out, run_id) / INDEX / "documents.parquet")


def stage_paragraph_bucket(out: Path, run_id: str, bucket: str, rows: Sequence[Occurrence]) -> None:
    """Stage a bucket's new content; an empty file stands for a bucket that lost all its rows."""
    parquet.write_atomic(
        parquet.to_table(rows, PARAGRAPH_INDEX), staging_dir(out, run_id) / INDEX / "paragraphs" / f"{bucket}.parquet"
    )


def stage_document_flags(out: Path, run_id: str, updates: Sequence[tuple[str, DocFlags]]) -> None:
    """Stage new flag values of documents, to apply at commit."""
    _stage_flag_updates(out, run_id, "documents", [{"doc_id": doc_id, **asdict(f)} for doc_id, f in updates])


def stage_paragraph_flags(out: Path, run_id: str, updates: Sequence[Occurrence]) -> None:
    """Stage new flag values of paragraphs, to apply at commit."""
    _, flags = FLAG_COLUMNS["paragraphs"]
    rows = [
        {"doc_id": o.doc_id, "paragraph_id": o.paragraph_id, **dict(zip(flags, o.flags, strict=True))} for o in updates
    ]
    _stage_flag_updates(out, run_id, "paragraphs", rows)


def _stage_flag_updates(out: Path, run_id: str, table: str, rows: Sequence[dict]) -> None:
    keys, flags = FLAG_COLUMNS[table]
    schema = pa.schema([TABLES[table].field(c) for c in (*keys, *flags)])
    parquet.write_atomic(
        pa.Table.from_pylist(list(rows), schema=schema), staging_dir(out, run_id) / UPDATES / f"{table}.parquet"
    )


def read_flag_updates(stage: Path) -> dict[str, dict[tuple, dict]]:
    updates: dict[str, dict[tuple, dict]] = {}
    for table, (keys, _) in FLAG_COLUMNS.items():
        path = stage / UPDATES / f"{table}.parquet"
        rows = pq.read_table(path).to_pylist() if path.exists() else []
        updates[table] = {tuple(row.pop(k) for k in keys): row for row in rows}
    return updates


def apply_flags(table: pa.Table, name: str, updates: dict[str, dict[tuple, dict]]) -> pa.Table:
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
