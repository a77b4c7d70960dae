"""The duplicate index inside each snapshot, in segments written by the run that first saw their documents.

_index/documents/<seq>.parquet   keys, MinHash signature, paragraph keys, order and flags of the documents first
                                 seen by snapshot <seq>, sorted by order
_index/bands/<seq>.parquet       (band hash, order) of the documents that became first of their text in <seq>,
                                 sorted by band hash: the LSH tables on disk
_index/paragraphs/<seq>.parquet  the paragraph occurrences of those documents, sorted by key
_index/totals.parquet            the corpus counts of the run report

A run probes the lookup columns of every segment (a few bytes a document: doc_id, doc_key, near_duplicate_of,
order, band, key), reads only the row groups that hold a match, writes one new segment per kind, and rewrites only
the segments whose documents leave the corpus or change flags. Unchanged segments are hard-linked into the next
snapshot, so their cost is a link.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from operator import attrgetter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tasks.dedup import (
    LSH_BANDS,
    NUM_PERM,
    DocFlags,
    DocPrint,
    DocumentResolution,
    IndexedDoc,
    IndexLookups,
    Occurrence,
    band_hashes,
)
from tasks.store import parquet
from tasks.store.paths import INDEX, PRINTS, UPDATES, current_snapshot, staging_dir
from tasks.store.schemas import (
    BAND_INDEX,
    DOC_INDEX,
    DOC_PRINTS,
    FLAG_COLUMNS,
    INDEX_TOTALS,
    PARAGRAPH_INDEX,
    TABLES,
)

DOCUMENTS, BANDS, PARAGRAPHS = "documents", "bands", "paragraphs"
TOTALS_FILE = "totals.parquet"
# Row groups small enough that a probe reads little beyond its matches, large enough to keep footers small.
ROW_GROUP_ROWS = {DOCUMENTS: 2048, BANDS: 65536, PARAGRAPHS: 16384}


def stage_prints(out: Path, run_id: str, part: str, prints: Sequence[DocPrint]) -> None:
    parquet.write_atomic(parquet.to_table(prints, DOC_PRINTS), staging_dir(out, run_id) / PRINTS / f"{part}.parquet")


def read_prints(out: Path, run_id: str, parts: Iterable[str]) -> list[DocPrint]:
    """The prints the run's shards staged, in no particular order."""
    stage = staging_dir(out, run_id) / PRINTS
    paths = [stage / f"{p}.parquet" for p in parts]
    return [_record(DocPrint, row) for path in paths if path.exists() for row in pq.read_table(path).to_pylist()]


def _record(record: type, row: dict):  # type: ignore[no-untyped-def]
    return record(**(row | {"paragraph_keys": tuple(row["paragraph_keys"])}))


def segment_name(seq: int) -> str:
    return f"{seq:08d}.parquet"


def _matching(path: Path, column: str, values: pa.Array) -> pa.Table | None:
    """The rows of a segment whose `column` is one of the sorted `values`, one row group at a time."""
    # Memory stays at one row group whatever the segment's size. A row group whose min/max range holds no probed
    # value is skipped unread: segments are sorted by their probed column (bands, paragraph keys, order), so
    # sparse probes skip most of a segment.
    f = pq.ParquetFile(path)
    meta = f.metadata
    leaf = next(j for j in range(meta.num_columns) if meta.schema.column(j).path == column)
    probes = values.to_pylist()
    found = []
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(leaf).statistics
        if stats is not None and stats.has_min_max:
            first = bisect.bisect_left(probes, stats.min)
            if first == len(probes) or probes[first] > stats.max:
                continue
        mask = pc.is_in(f.read_row_group(i, columns=[column])[column], value_set=values)
        if pc.any(mask).as_py():
            found.append(f.read_row_group(i).filter(mask))
    return pa.concat_tables(found) if found else None


@dataclass
class SnapshotIndex:
    """Reads of one snapshot's index; remembers which segment each row it returned came from."""

    root: Path | None
    doc_home: dict[int, str] = field(default_factory=dict)  # order -> documents segment name
    occurrence_home: dict[tuple[str, int, int], str] = field(default_factory=dict)

    @classmethod
    def of(cls, out: Path, *, full_refresh: bool = False) -> SnapshotIndex:
        snap = current_snapshot(out)
        return cls(None if snap is None or full_refresh else snap / INDEX)

    def segments(self, kind: str) -> list[Path]:
        folder = self.root / kind if self.root is not None else None
        return sorted(folder.glob("*.parquet")) if folder is not None and folder.is_dir() else []

    def _docs(self, column: str, values: pa.Array) -> list[IndexedDoc]:
        if not len(values):
            return []
        docs = []
        for path in self.segments(DOCUMENTS):
            rows = _matching(path, column, values)
            for row in rows.to_pylist() if rows is not None else []:
                docs.append(_record(IndexedDoc, row))
                self.doc_home[row["order"]] = path.name
        return docs

    def by_doc_id(self, ids: Collection[str]) -> list[IndexedDoc]:
        return self._docs("doc_id", pa.array(sorted(ids), pa.string()))

    def by_key(self, keys: Collection[str]) -> list[IndexedDoc]:
        return self._docs("doc_key", pa.array(sorted(keys), pa.string()))

    def near_copies(self, ids: Collection[str]) -> list[IndexedDoc]:
        return self._docs("near_duplicate_of", pa.array(sorted(ids), pa.string()))

    def by_band(self, bands: Collection[int]) -> list[IndexedDoc]:
        if not bands:
            return []
        values = pa.array(sorted(bands), pa.uint64())
        orders: set[int] = set()
        for path in self.segments(BANDS):
            rows = _matching(path, "band", values)
            if rows is not None:
                orders.update(rows["order"].to_pylist())
        # A band row may outlive its document (changed or pruned since): only documents still indexed count.
        return self._docs("order", pa.array(sorted(orders), pa.int64()))

    def occurrences(self, keys: Collection[str]) -> list[Occurrence]:
        if not keys:
            return []
        values = pa.array(sorted(keys), pa.string())
        found = []
        for path in self.segments(PARAGRAPHS):
            rows = _matching(path, "key", values)
            for row in rows.to_pylist() if rows is not None else []:
                o = Occurrence(**row)
                found.append(o)
                self.occurrence_home[(o.doc_id, o.paragraph_id, o.order)] = path.name
        return found

    def lookups(self) -> IndexLookups:
        return IndexLookups(self.by_doc_id, self.by_key, self.by_band, self.near_copies, self.occurrences)

    def totals(self) -> tuple[int, int, int]:
        path = self.root / TOTALS_FILE if self.root is not None else None
        if path is None or not path.exists():
            return (0, 0, 0)
        row = pq.read_table(path).to_pylist()[0]
        return (row["documents"], row["duplicates"], row["near_duplicates"])


def band_table(docs: Sequence[IndexedDoc]) -> pa.Table:
    """(band, order) rows of these documents' signatures, sorted by band hash."""
    signed = [d for d in docs if d.signature]
    if not signed:
        return BAND_INDEX.empty_table()
    sigs = np.frombuffer(b"".join(d.signature for d in signed), "<u4").reshape(len(signed), NUM_PERM)
    bands = band_hashes(sigs).ravel()
    orders = np.repeat(np.array([d.order for d in signed], np.int64), LSH_BANDS)
    order = np.argsort(bands, kind="stable")
    return pa.table({"band": bands[order], "order": orders[order]}, schema=BAND_INDEX)


def _write_segment(table: pa.Table, path: Path, kind: str) -> None:
    parquet.write_atomic(table, path, row_group_size=ROW_GROUP_ROWS[kind])


def stage_index(
    out: Path,
    run_id: str,
    seq: int,
    index: SnapshotIndex,
    docs: DocumentResolution,
    paragraphs: Sequence[Occurrence],
    paragraph_updates: Sequence[Occurrence],
    totals: tuple[int, int, int],
) -> None:
    """Stage this run's segments and the rewritten segments of documents that left or changed flags."""
    stage = staging_dir(out, run_id) / INDEX
    new_orders = {d.order for d in docs.new}
    name = segment_name(seq)
    _write_segment(_docs_table(docs.new), stage / DOCUMENTS / name, DOCUMENTS)
    firsts = [d for d in docs.new if d.duplicate_of is None] + [d for d in docs.promoted]
    _write_segment(band_table(sorted(firsts, key=lambda d: d.order)), stage / BANDS / name, BANDS)
    mine = sorted((o for o in paragraphs if o.order in new_orders), key=lambda o: (o.key, o.order, o.paragraph_id))
    _write_segment(parquet.to_table(mine, PARAGRAPH_INDEX), stage / PARAGRAPHS / name, PARAGRAPHS)

    gone_orders = {d.order for d in docs.gone}
    changed = {d.order: d for d in docs.changed}
    for home in sorted({index.doc_home[o] for o in gone_orders | set(changed)}):
        orders = {o for o in gone_orders | set(changed) if index.doc_home[o] == home}
        table = pq.read_table(index.root / DOCUMENTS / home) if index.root is not None else DOC_INDEX.empty_table()
        kept = table.filter(pc.invert(pc.is_in(table["order"], value_set=pa.array(sorted(orders), pa.int64()))))
        rewritten = _docs_table([changed[o] for o in sorted(orders) if o in changed])
        merged = pa.concat_tables([kept.cast(DOC_INDEX), rewritten]).sort_by("order")
        _write_segment(merged, stage / DOCUMENTS / home, DOCUMENTS)
        bands_path = index.root / BANDS / home if index.root is not None else None
        if bands_path is not None and bands_path.exists() and gone_orders & orders:
            bands = pq.read_table(bands_path)
            drop = pa.array(sorted(gone_orders & orders), pa.int64())
            _write_segment(
                bands.filter(pc.invert(pc.is_in(bands["order"], value_set=drop))), stage / BANDS / home, BANDS
            )

    updated = {(o.doc_id, o.paragraph_id, o.order): o for o in paragraph_updates if o.order not in new_orders}
    gone_ids = pa.array(sorted({d.doc_id for d in docs.gone}), pa.string())
    homes = {index.occurrence_home[k] for k in updated} | {
        h for (doc_id, _, order), h in index.occurrence_home.items() if order in gone_orders
    }
    for home in sorted(homes):
        path = index.root / PARAGRAPHS / home  # type: ignore[operator]
        table = pq.read_table(path)
        mine_updated = [o for k, o in updated.items() if index.occurrence_home[k] == home]
        ids = pc.binary_join_element_wise(table["doc_id"], pc.cast(table["paragraph_id"], pa.string()), ":")
        replaced = pa.array(sorted({f"{o.doc_id}:{o.paragraph_id}" for o in mine_updated}), pa.string())
        drop = pc.or_(pc.is_in(table["doc_id"], value_set=gone_ids), pc.is_in(ids, value_set=replaced))
        kept = table.filter(pc.invert(drop)).cast(PARAGRAPH_INDEX)
        merged = pa.concat_tables([kept, parquet.to_table(mine_updated, PARAGRAPH_INDEX)])
        _write_segment(
            merged.sort_by([("key", "ascending"), ("order", "ascending")]), stage / PARAGRAPHS / home, PARAGRAPHS
        )
    parquet.write_atomic(
        pa.table(
            {"documents": [totals[0]], "duplicates": [totals[1]], "near_duplicates": [totals[2]]}, schema=INDEX_TOTALS
        ),
        stage / TOTALS_FILE,
    )


def _docs_table(docs: Sequence[IndexedDoc]) -> pa.Table:
    return parquet.to_table(sorted(docs, key=attrgetter("order")), DOC_INDEX)


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
