"""One explicit pyarrow schema per table; each mirrors the record of the same name in tasks/records.py."""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "5"

_STR = pa.string()
_INT = pa.int32()
_SCORE = pa.float32()

DOCUMENTS = pa.schema(
    [
        pa.field("doc_id", _STR, nullable=False),
        pa.field("source", _STR, nullable=False),
        pa.field("content_sha256", _STR, nullable=False),
        pa.field("language", _STR, nullable=False),
        pa.field("language_score", _SCORE, nullable=False),
        pa.field("title", _STR),
        pa.field("date", _STR),
        pa.field("date_precision", _STR),
        pa.field("date_source", _STR),
        pa.field("header_date", _STR),
        pa.field("n_paragraphs", _INT, nullable=False),
        pa.field("n_chars", pa.int64(), nullable=False),
        pa.field("encoding", _STR, nullable=False),
        pa.field("text", pa.large_string(), nullable=False),
        pa.field("duplicate_of", _STR),
        pa.field("near_duplicate_of", _STR),
        pa.field("near_duplicate_score", _SCORE),
    ]
)

PARAGRAPHS = pa.schema(
    [
        pa.field("doc_id", _STR, nullable=False),
        pa.field("paragraph_id", _INT, nullable=False),
        pa.field("kind", _STR, nullable=False),
        pa.field("start", _INT, nullable=False),
        pa.field("end", _INT, nullable=False),
        pa.field("text", pa.large_string(), nullable=False),
        pa.field("language", _STR, nullable=False),
        pa.field("language_score", _SCORE, nullable=False),
        pa.field("duplicate_of", _STR),
        pa.field("duplicate_of_paragraph_id", _INT),
        pa.field("boilerplate", pa.bool_(), nullable=False),
    ]
)

ENTITIES = pa.schema(
    [
        pa.field("doc_id", _STR, nullable=False),
        pa.field("paragraph_id", _INT, nullable=False),
        pa.field("start", _INT, nullable=False),
        pa.field("end", _INT, nullable=False),
        pa.field("text", _STR, nullable=False),
        pa.field("label", _STR, nullable=False),
        pa.field("norm", _STR, nullable=False),
    ]
)

DATE_MENTIONS = pa.schema(
    [
        pa.field("doc_id", _STR, nullable=False),
        pa.field("paragraph_id", _INT, nullable=False),
        pa.field("start", _INT, nullable=False),
        pa.field("end", _INT, nullable=False),
        pa.field("text", _STR, nullable=False),
        pa.field("value", _STR, nullable=False),
        pa.field("precision", _STR, nullable=False),
        pa.field("relative", pa.bool_(), nullable=False),
    ]
)

RUNS = pa.schema(
    [
        pa.field("run_id", _STR, nullable=False),
        pa.field("started_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("finished_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("files_seen", pa.int64(), nullable=False),
        pa.field("files_ignored", pa.int64(), nullable=False),
        pa.field("files_processed", pa.int64(), nullable=False),
        pa.field("files_failed", pa.int64(), nullable=False),
        pa.field("files_new", pa.int64(), nullable=False),
        pa.field("files_changed", pa.int64(), nullable=False),
        pa.field("files_unchanged", pa.int64(), nullable=False),
        pa.field("files_deleted", pa.int64(), nullable=False),
        pa.field("documents", pa.int64(), nullable=False),
        pa.field("paragraphs", pa.int64(), nullable=False),
        pa.field("entities", pa.int64(), nullable=False),
        pa.field("date_mentions", pa.int64(), nullable=False),
        pa.field("ner_skipped_paragraphs", pa.int64(), nullable=False),
        pa.field("duplicates", pa.int64(), nullable=False),
        pa.field("near_duplicates", pa.int64(), nullable=False),
        pa.field("duplicate_paragraphs", pa.int64(), nullable=False),
        pa.field("boilerplate_paragraphs", pa.int64(), nullable=False),
        pa.field("full_refresh", pa.bool_(), nullable=False),
        pa.field("pipeline_version", _STR, nullable=False),
        pa.field("language_detector", _STR, nullable=False),
        pa.field("documents_removed", pa.int64(), nullable=False),
    ]
)

REJECTS = pa.schema(
    [
        pa.field("run_id", _STR, nullable=False),
        pa.field("source", _STR, nullable=False),
        pa.field("reason", _STR, nullable=False),
        pa.field("message", _STR, nullable=False),
        pa.field("action", _STR, nullable=False),
    ]
)

# The manifest is the store's own bookkeeping: which source produced which doc_id, from which bytes, in which part.
MANIFEST = pa.schema(
    [
        pa.field("source", _STR, nullable=False),
        pa.field("doc_id", _STR, nullable=False),
        pa.field("content_sha256", _STR, nullable=False),
        pa.field("status", _STR, nullable=False),
        pa.field("part", _STR, nullable=False),
        pa.field("run_id", _STR, nullable=False),
        pa.field("size", pa.int64(), nullable=False),  # -1 when unknown: the next run reads and hashes the file
        pa.field("mtime_ns", pa.int64(), nullable=False),
    ]
)

# The duplicate index, kept inside each snapshot beside the manifest: what a document or paragraph was compared with.
DOC_PRINTS = pa.schema(
    [
        pa.field("doc_id", _STR, nullable=False),
        pa.field("source", _STR, nullable=False),
        pa.field("doc_key", _STR),
        pa.field("signature", pa.binary(), nullable=False),
        pa.field("paragraph_keys", pa.list_(_STR), nullable=False),
    ]
)
DOC_INDEX = pa.schema(
    [
        *DOC_PRINTS,
        pa.field("order", pa.int64(), nullable=False),
        pa.field("duplicate_of", _STR),
        pa.field("near_duplicate_of", _STR),
        pa.field("near_duplicate_score", _SCORE),
    ]
)
PARAGRAPH_INDEX = pa.schema(
    [
        pa.field("key", _STR, nullable=False),
        pa.field("folder", _STR, nullable=False),
        pa.field("doc_key", _STR, nullable=False),
        pa.field("doc_id", _STR, nullable=False),
        pa.field("paragraph_id", _INT, nullable=False),
        pa.field("order", pa.int64(), nullable=False),
        pa.field("duplicate_of", _STR),
        pa.field("duplicate_of_paragraph_id", _INT),
        pa.field("boilerplate", pa.bool_(), nullable=False),
    ]
)
BAND_INDEX = pa.schema([pa.field("band", pa.uint64(), nullable=False), pa.field("order", pa.int64(), nullable=False)])
INDEX_TOTALS = pa.schema(
    [
        pa.field("documents", pa.int64(), nullable=False),
        pa.field("duplicates", pa.int64(), nullable=False),
        pa.field("near_duplicates", pa.int64(), nullable=False),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "paragraphs": PARAGRAPHS,
    "entities": ENTITIES,
    "date_mentions": DATE_MENTIONS,
    "runs": RUNS,
    "rejects": REJECTS,
}
# Tables whose rows belong to one document and are replaced with it; runs and rejects are append-only logs.
DOCUMENT_TABLES = ("documents", "paragraphs", "entities", "date_mentions")

# Flags that later runs may change on rows already committed: (key columns, flag columns) per table. The duplicate
# step's records (`DocFlags`, `Occurrence.flags`) hold the flag columns in this order.
FLAG_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "documents": (("doc_id",), ("duplicate_of", "near_duplicate_of", "near_duplicate_score")),
    "paragraphs": (("doc_id", "paragraph_id"), ("duplicate_of", "duplicate_of_paragraph_id", "boilerplate")),
}
