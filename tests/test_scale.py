"""The store at scale through the real flow: unchanged files are not read, incremental flags equal a full refresh."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from flows.news_etl import news_etl
from tasks import store
from tasks.store import inputs
from tests.test_dedup import SAME_EVENT, WIRE

pytestmark = pytest.mark.slow


def run(inp: Path, out: Path, **params: object) -> dict[str, int]:
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return news_etl(input_dir=inp, output_dir=out, shard_size=2, **params)


def article(paragraphs: list[str]) -> str:
    return "date 2024-03-05 " + "\n\n".join(paragraphs)


class CountingOpens:
    """Counts the input files opened for reading (to hash or to process them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened: list[str] = []
        real = inputs.open_source

        def counting(root: Path, source: str):  # type: ignore[no-untyped-def]
            self.opened.append(source)
            return real(root, source)

        monkeypatch.setattr(inputs, "open_source", counting)


def test_unchanged_size_and_mtime_are_not_read_unless_verify(
    prefect_server: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    for i in range(3):
        (inp / f"a{i}.txt").write_text(article([WIRE[i], SAME_EVENT[i]]))
    counter = CountingOpens(monkeypatch)
    run(inp, out)
    assert sorted(counter.opened) == sorted(["a0.txt", "a1.txt", "a2.txt"] * 2)  # hashed, then read to process

    counter.opened.clear()
    assert run(inp, out)["files_processed"] == 0
    assert counter.opened == []  # nothing new: no input file's bytes were read

    # A touched file is hashed again (its mtime changed) but not processed; its new mtime is remembered.
    os.utime(inp / "a1.txt", ns=(1_000_000_000, 1_000_000_000))
    assert run(inp, out)["files_processed"] == 0
    assert counter.opened == ["a1.txt"]
    assert store.read_manifest(out)["a1.txt"].mtime_ns == 1_000_000_000
    counter.opened.clear()
    run(inp, out)
    assert counter.opened == []

    # The case a size+mtime check misses: an in-place edit that keeps both. Only verify reads every file.
    stat = os.stat(inp / "a2.txt")
    edited = (inp / "a2.txt").read_text().replace("régionaux", "régionales"[:9], 1)
    assert len(edited.encode()) == stat.st_size
    (inp / "a2.txt").write_text(edited)
    os.utime(inp / "a2.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert run(inp, out)["files_processed"] == 0 and counter.opened == []
    assert run(inp, out, verify=True)["files_processed"] == 1
    assert sorted(counter.opened) == ["a0.txt", "a1.txt", "a2.txt", "a2.txt"]
    docs = pd.read_parquet(out / "documents").set_index("source")
    assert "trains régionale," in docs.loc["a2.txt", "text"]


RETITLED = ["SNCF : un train sur trois mardi, selon la direction", *WIRE[1:]]
SHORTENED = [*WIRE[:3], WIRE[3][:150]]
EVENT_RETITLED = ["Les voyageurs s'organisent face à la grève", *SAME_EVENT[1:]]


def test_incremental_runs_reach_the_flags_of_a_full_refresh(prefect_server: None, tmp_path: Path) -> None:
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    # Names sort in the order the runs add them, so a full refresh (source order) sees them in the same order.
    nights = [
        {"a_wire.txt": WIRE, "b_event.txt": SAME_EVENT},
        {"c_exact.txt": [w.upper() for w in WIRE], "d_near.txt": RETITLED, "e_event_near.txt": EVENT_RETITLED},
        {"f_copy_of_copy.txt": [w.lower() for w in RETITLED], "g_shortened.txt": SHORTENED},
    ]
    for files in nights:
        for name, paragraphs in files.items():
            (inp / name).write_text(article(paragraphs))
        run(inp, out)
    flags = flag_table(out)
    assert flags.loc["c_exact.txt", "duplicate_of"] == flags.loc["a_wire.txt", "doc_id"]
    assert flags.loc["d_near.txt", "near_duplicate_of"] == flags.loc["a_wire.txt", "doc_id"]
    assert flags.loc["f_copy_of_copy.txt", "duplicate_of"] == flags.loc["d_near.txt", "doc_id"]
    # The original changes: its copies are re-pointed; then the first of the other story is pruned.
    (inp / "a_wire.txt").write_text(article(["Un tout autre texte, écrit depuis par la rédaction."]))
    run(inp, out)
    changed = flag_table(out)
    assert pd.isna(changed.loc["c_exact.txt", "duplicate_of"])  # the first of its text now
    # The near copy of the original now points at the exact copy, the first of the original's text.
    assert changed.loc["d_near.txt", "near_duplicate_of"] == changed.loc["c_exact.txt", "doc_id"]
    assert changed.loc["f_copy_of_copy.txt", "duplicate_of"] == changed.loc["d_near.txt", "doc_id"]
    (inp / "b_event.txt").unlink()
    run(inp, out, prune=True, force_prune=True)  # one of seven documents goes: above the 10 % guard
    pruned = flag_table(out)
    assert pd.isna(pruned.loc["e_event_near.txt", "near_duplicate_of"])
    # a_wire.txt was seen again after the others; so is it in the full refresh, when named last.
    full_in, full_out = tmp_path / "full_in", tmp_path / "full_out"
    full_in.mkdir()
    for f in inp.iterdir():
        name = "z_rewritten.txt" if f.name == "a_wire.txt" else f.name
        (full_in / name).write_bytes(f.read_bytes())
    run(full_in, full_out, full_refresh=True)
    incremental, rebuilt = named(pruned, {}), named(flag_table(full_out), {"z_rewritten.txt": "a_wire.txt"})
    pd.testing.assert_frame_equal(incremental, rebuilt)
    assert incremental["near_duplicate_of"].notna().sum() >= 1 and incremental["duplicate_of"].notna().sum() >= 1


def named(flags: pd.DataFrame, rename: dict[str, str]) -> pd.DataFrame:
    """Flags with documents named by source (renamed as given), so two stores compare across doc_ids."""
    source_of = {i: rename.get(s, s) for s, i in zip(flags.index, flags["doc_id"], strict=True)}
    out = flags[FLAGS].copy()
    for column in FLAGS[:2]:
        out[column] = out[column].map(lambda v: None if pd.isna(v) else source_of[v])
    out.index = [rename.get(s, s) for s in out.index]
    return out.sort_index()


def flag_table(out: Path) -> pd.DataFrame:
    docs = pd.read_parquet(out / "documents", columns=["source", "doc_id", *FLAGS])
    return docs.set_index("source").sort_index()


FLAGS = ["duplicate_of", "near_duplicate_of", "near_duplicate_score"]
