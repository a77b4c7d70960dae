"""All file access: input files, Parquet conversion, the duplicate index, and snapshots with their atomic commit.

Callers use `from tasks import store` and the names below; the modules say which job each one does.
"""

from tasks.read import Rejected
from tasks.store.index import (
    SnapshotIndex,
    read_prints,
    stage_document_flags,
    stage_index,
    stage_paragraph_flags,
)
from tasks.store.inputs import Listing, hash_sources, list_sources, open_source, read_source, stat_sources
from tasks.store.manifest import gone_statuses
from tasks.store.manifest import known as known_sources
from tasks.store.manifest import unlisted as unlisted_sources
from tasks.store.parquet import partition_of, to_table
from tasks.store.paths import StoreError, current_snapshot, next_sequence, staging_dir
from tasks.store.preflight import check_output, check_unlocked, lock_holder
from tasks.store.retention import DEFAULT_KEEP_SNAPSHOTS, SnapshotInfo, lineage, restore
from tasks.store.snapshot import (
    ManifestEntry,
    StagedPart,
    check_compatible,
    commit,
    locked,
    read_manifest,
    recover,
    stage_part,
)

__all__ = [
    "Listing",
    "DEFAULT_KEEP_SNAPSHOTS",
    "ManifestEntry",
    "Rejected",
    "SnapshotInfo",
    "SnapshotIndex",
    "StagedPart",
    "StoreError",
    "check_compatible",
    "check_output",
    "check_unlocked",
    "commit",
    "current_snapshot",
    "hash_sources",
    "lineage",
    "gone_statuses",
    "known_sources",
    "list_sources",
    "lock_holder",
    "locked",
    "next_sequence",
    "open_source",
    "partition_of",
    "read_manifest",
    "read_prints",
    "read_source",
    "recover",
    "restore",
    "stage_doc_index",
    "stage_document_flags",
    "stage_index",
    "stage_paragraph_flags",
    "stage_part",
    "staging_dir",
    "stat_sources",
    "to_table",
    "unlisted_sources",
]
