"""The names of the output folder's layout, and where the current snapshot and a run's staging folder are.

    OUTPUT/<table>           -> .current/<table>        fixed relative symlinks, one per table
    OUTPUT/.current          -> .snapshots/<snapshot>   swapped atomically by os.replace at commit
    OUTPUT/.snapshots/<snapshot>/<table>/month=<YYYY-MM>/<part>.parquet
                                                        immutable files, hard-linked from one snapshot to the next;
                                                        document tables are partitioned by the document's month
    OUTPUT/.snapshots/<snapshot>/_manifest/<seq>.parquet source -> doc_id, content hash, size, mtime, part
                                                        (tasks/store/manifest.py)
    OUTPUT/.snapshots/<snapshot>/_index/...             the duplicate index (tasks/store/index.py)
    OUTPUT/.staging/<run_id>/...                        parts written by shard tasks, moved in at commit
    OUTPUT/.lock                                        flock held by the running flow

Every name starting with `.` or `_` is invisible to `pd.read_parquet`.
"""

from __future__ import annotations

import os
from pathlib import Path

CURRENT = ".current"
SNAPSHOTS = ".snapshots"
STAGING = ".staging"
LOCK = ".lock"
MANIFEST_DIR = "_manifest"
STORE_INFO = "_depeche.json"
EMPTY_FILE = "empty.parquet"
INDEX = "_index"
PRINTS = "_prints"
UPDATES = "_updates"


class StoreError(RuntimeError):
    """The output folder cannot be used as it is; the message says what to do."""


def current_snapshot(out: Path) -> Path | None:
    link = out / CURRENT
    return (out / os.readlink(link)) if link.is_symlink() else None


def staging_dir(out: Path, run_id: str) -> Path:
    return out / STAGING / run_id


def next_sequence(out: Path) -> int:
    """The number the next snapshot gets; it also orders documents by the run that first saw them."""
    snap = current_snapshot(out)
    return int(snap.name.split("-")[0]) + 1 if snap else 1
