"""Reading the document tables in one canonical order, so that two outputs compare frame by frame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tasks.store.schemas import DOCUMENT_TABLES

_ORDER = ("doc_id", "paragraph_id", "start")


def read_tables(out: Path) -> dict[str, pd.DataFrame]:
    """Every document table, sorted by its keys, with the month partition as plain text."""
    frames = {}
    for name in DOCUMENT_TABLES:
        df = pd.read_parquet(out / name)
        keys = [c for c in _ORDER if c in df.columns]
        frames[name] = df.sort_values(keys, kind="stable").reset_index(drop=True).astype({"month": str})
    return frames


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in DOCUMENT_TABLES:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)
