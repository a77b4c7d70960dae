"""What a run has to do: which files are new, changed, unchanged or gone, and how they are sharded."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Planned:
    """One input file to process: its source path and the hash of the bytes that were listed."""

    source: str
    content_sha256: str


# The files of one shard task, in source order.
Shard = tuple[Planned, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """Files to process (new or changed, sorted by source) and the counts a run reports."""

    todo: tuple[Planned, ...]
    new: int
    changed: int
    unchanged: int
    deleted: tuple[str, ...]


def plan_run(
    listed: Mapping[str, str], known: Mapping[str, str], *, full_refresh: bool = False, unlisted: Sequence[str] = ()
) -> Plan:
    """Compare listed source -> hash with the manifest's; with full_refresh everything listed is new.

    `known` may hold only the listed sources, with the manifest's other sources passed as `unlisted`, so that a run
    over a corpus of millions never holds the whole manifest as Python objects.
    """
    if full_refresh:
        known, unlisted = {}, ()
    todo = tuple(Planned(s, h) for s, h in sorted(listed.items()) if known.get(s) != h)
    changed = sum(1 for p in todo if p.source in known)
    return Plan(
        todo=todo,
        new=len(todo) - changed,
        changed=changed,
        unchanged=len(listed) - len(todo),
        deleted=tuple(sorted((set(known) - set(listed)) | set(unlisted))),
    )


def make_shards(todo: Sequence[Planned], shard_size: int) -> list[Shard]:
    """Consecutive runs of at most shard_size files; every file is in exactly one shard."""
    if shard_size < 1:
        raise ValueError("shard_size must be at least 1")
    return [tuple(todo[i : i + shard_size]) for i in range(0, len(todo), shard_size)]


def part_name(shard: Sequence[Planned]) -> str:
    """A name that depends only on the shard's sources and hashes, so a rerun writes the same part names."""
    h = hashlib.sha256()
    for p in shard:
        h.update(f"{p.source}\0{p.content_sha256}\n".encode("utf-8", "surrogatepass"))
    return f"part-{h.hexdigest()[:20]}"
