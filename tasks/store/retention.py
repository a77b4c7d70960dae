"""Snapshot retention and restore: the current snapshot and its N predecessors stay, so N commits can be undone.

Each snapshot's `_depeche.json` names the snapshot it was built on (`previous`); following that chain from
`.current` gives the commits that can be undone, newest first. Files are hard links shared between snapshots, so a kept
snapshot costs only the files its successors rewrote.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from tasks.store.paths import CURRENT, SNAPSHOTS, STORE_INFO, StoreError, current_snapshot

DEFAULT_KEEP_SNAPSHOTS = 3


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """One committed snapshot in the chain from `.current`: its folder name, the run that made it, its schema."""

    name: str
    run_id: str
    schema_version: str
    steps_back: int  # 0 for the current snapshot


def _info(snap: Path) -> dict | None:
    """The snapshot's `_depeche.json`, written last before the sync: None for a snapshot that was never finished."""
    try:
        return json.loads((snap / STORE_INFO).read_text())
    except (OSError, ValueError):
        return None


def lineage(out: Path) -> list[SnapshotInfo]:
    """The current snapshot, then the one it was built on, and so on while they are still on disk."""
    chain: list[SnapshotInfo] = []
    snap = current_snapshot(out)
    seen: set[str] = set()
    while snap is not None and snap.name not in seen and (info := _info(snap)) is not None:
        seen.add(snap.name)
        chain.append(SnapshotInfo(snap.name, info.get("run_id", ""), str(info.get("schema_version")), len(chain)))
        snap = out / SNAPSHOTS / info["previous"] if info.get("previous") else None
    return chain


def kept_snapshots(out: Path, keep: int = DEFAULT_KEEP_SNAPSHOTS) -> set[str]:
    """The current snapshot and its `keep` predecessors (at least one, for readers still listing it)."""
    return {s.name for s in lineage(out)[: max(keep, 1) + 1]}


def remove_unkept(out: Path, keep: int = DEFAULT_KEEP_SNAPSHOTS) -> list[str]:
    """Delete every snapshot folder outside the kept chain; returns their paths relative to out."""
    root = out / SNAPSHOTS
    if not root.is_dir():
        return []
    kept = kept_snapshots(out, keep)
    removed = []
    for d in sorted(root.iterdir()):
        if d.is_dir() and d.name not in kept:
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d.relative_to(out).as_posix())
    return removed


def restore(out: Path, *, snapshot: str | None = None, steps: int = 1) -> SnapshotInfo:
    """Point `.current` at a kept snapshot (by name, or `steps` commits back) in one rename; caller holds the lock."""
    chain = lineage(out)
    if not chain:
        raise StoreError(f"{out} holds no committed snapshot to restore")
    available = ", ".join(f"{s.name} (--steps {s.steps_back})" for s in chain)
    if snapshot is not None:
        if "/" in snapshot or snapshot.startswith("."):
            raise StoreError(f"{snapshot} is not a snapshot name; kept: {available}")
        target = next((s for s in chain if s.name == snapshot), None)
        if target is None and _info(out / SNAPSHOTS / snapshot) is not None:
            # A snapshot undone by an earlier restore is off the chain but still complete until the next run.
            info = _info(out / SNAPSHOTS / snapshot) or {}
            target = SnapshotInfo(snapshot, info.get("run_id", ""), str(info.get("schema_version")), -1)
        if target is None:
            raise StoreError(f"no complete snapshot {snapshot} in {out / SNAPSHOTS}; kept: {available}")
    else:
        if steps < 1 or steps >= len(chain):
            raise StoreError(f"cannot go {steps} commits back in {out}: kept snapshots are {available}")
        target = chain[steps]
    _point_current(out, target.name)
    return target


def _point_current(out: Path, name: str) -> None:
    """Swap `.current` with one rename, as a commit does: readers see the old or the restored tables, never a mix."""
    tmp = out / f"{CURRENT}.restore.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path(SNAPSHOTS) / name)
    os.replace(tmp, out / CURRENT)
    fd = os.open(out, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
