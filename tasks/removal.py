"""Which committed documents a run would remove, and whether that is too many to do without being told so."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Removal:
    """Documents whose file left the input and whose rows this run drops, out of the documents committed."""

    sources: tuple[str, ...]
    committed: int

    @property
    def count(self) -> int:
        return len(self.sources)

    @property
    def share(self) -> float:
        return self.count / self.committed if self.committed else 0.0


def planned_removal(
    listed: Collection[str],
    statuses: Mapping[str, str],
    *,
    prune: bool,
    full_refresh: bool,
    committed: int | None = None,
) -> Removal:
    """A file gone from the input loses its rows with prune, and with full_refresh (it rebuilds from the input).

    `statuses` may hold only the manifest's sources gone from the input, with `committed` counting all that have rows.
    """
    ok = sorted(s for s, status in statuses.items() if status == "ok")
    gone = tuple(s for s in ok if s not in listed) if (prune or full_refresh) else ()
    return Removal(gone, len(ok) if committed is None else committed)


def refusal(
    removal: Removal,
    *,
    files_listed: int,
    unlisted_folders: Sequence[str],
    prune: bool,
    max_share: float,
    force: bool,
    input_dir: str,
) -> str | None:
    """Why the run must stop before it removes anything, or None; force overrides every reason."""
    if force:
        return None
    if prune and files_listed == 0:
        return (
            f"input {input_dir} holds no *.txt file, so prune would remove all {removal.count} documents: check that"
            " the input is mounted and the path is right, or pass --force-prune to empty the tables"
        )
    if removal.count and unlisted_folders:
        return (
            f"{len(unlisted_folders)} folders of {input_dir} could not be listed (first: {unlisted_folders[0]}), so"
            f" their files look gone and {removal.count} documents would be removed: fix their permissions, or pass"
            " --force-prune to remove them"
        )
    if removal.count and removal.share > max_share:
        return (
            f"this run would remove {removal.count} of {removal.committed} documents ({removal.share:.0%}) whose files"
            f" are gone from {input_dir}, more than max_prune_share {max_share:.0%}: check the input, or pass"
            " --force-prune (or a higher --max-prune-share) to remove them"
        )
    return None
