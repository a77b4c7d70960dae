"""Undo commits: `python -m flows.restore --output DIR [--snapshot NAME | --steps N] [--list]`.

It re-points `OUTPUT/.current` at a kept snapshot in one rename, under the output's lock, so it refuses while a run
is going; no Prefect server is involved. docs/recovery.md says when to use it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tasks import store


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m flows.restore", description=__doc__.splitlines()[0])
    p.add_argument("--output", "--output-dir", dest="output", type=Path, required=True, help="folder of the tables")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--snapshot", help="name of the snapshot to make current (see --list)")
    which.add_argument("--steps", type=int, default=1, help="commits to undo (default: 1)")
    which.add_argument("--list", action="store_true", help="list the kept snapshots, newest first, and change nothing")
    p.add_argument("--debug", action="store_true", help="show the traceback of an error")
    return p


def main(argv: list[str] | None = None) -> int:
    """Exit 0 after the restore (or the listing), 1 with one `error:` line."""
    args = parser().parse_args(argv)
    out: Path = args.output
    try:
        if not (out / ".current").is_symlink():
            raise store.StoreError(f"{out} holds no depeche tables (no .current); check --output")
        if args.list:
            for s in store.lineage(out):
                print(f"{s.steps_back}\t{s.name}\trun {s.run_id}\tschema {s.schema_version}")
            return 0
        holder = store.lock_holder(out)
        if holder is not None:
            raise store.StoreError(f"{out} is in use by a run ({holder}); restore once it has finished")
        with store.locked(out, run_id="restore"):
            before = store.current_snapshot(out)
            target = store.restore(out, snapshot=args.snapshot, steps=args.steps)
    except store.StoreError as exc:
        if args.debug:
            raise
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    print(f"restored {target.name} (run {target.run_id}); was {before.name if before else 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
