"""The run report's file access: corpus-wide counts read cheaply from a snapshot, and the HTML page written atomically.

OUTPUT/reports/<run_id>.html   one page per run, never rewritten
OUTPUT/reports/latest.html     the page of the last run, replaced by rename
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.dataset as ds

REPORTS = "reports"
LATEST = "latest.html"
# Pages kept, newest first by run id (which starts with the UTC start time): three months of nightly runs, ~450 MB.
REPORTS_KEPT = 90


@dataclass(frozen=True, slots=True)
class CorpusCounts:
    """Documents of one snapshot by month partition, language and date precision (`none`: undated)."""

    documents: int = 0
    months: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    precisions: dict[str, int] = field(default_factory=dict)


def corpus_counts(snapshot: Path) -> CorpusCounts:
    """Counts over the documents table of `snapshot`, reading only its language and precision columns."""
    where = snapshot / "documents"
    if not where.is_dir():
        return CorpusCounts()
    dataset = ds.dataset(where, format="parquet", partitioning="hive", exclude_invalid_files=False)
    table = dataset.to_table(columns=["month", "language", "date_precision"])

    def count(column: str, missing: str) -> dict[str, int]:
        values = pc.fill_null(table[column].cast("string"), missing)
        counts = pc.value_counts(values)
        return dict(Counter({str(v["values"]): int(v["counts"]) for v in counts.to_pylist()}))

    return CorpusCounts(
        documents=table.num_rows,
        months=count("month", "undated"),
        languages=count("language", "und"),
        precisions=count("date_precision", "none"),
    )


def report_path(out: Path, run_id: str) -> Path:
    """Where the page of run `run_id` is written."""
    return out / REPORTS / f"{run_id}.html"


def write_report(out: Path, run_id: str, html: str) -> Path:
    """Write the run's page and make it latest.html, each by temp file + rename (a reader sees whole pages only)."""
    folder = out / REPORTS
    folder.mkdir(parents=True, exist_ok=True)
    page = report_path(out, run_id)
    tmp = folder / f".{page.name}.{os.getpid()}.tmp"
    tmp.write_bytes(html.encode("utf-8"))
    os.replace(tmp, page)
    # A hard link, not a copy: the page is ~5 MB (plotly.js inline) and never rewritten under its run's name.
    tmp = folder / f".{LATEST}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    os.link(page, tmp)
    os.replace(tmp, folder / LATEST)
    for old in sorted(p for p in folder.glob("*.html") if p.name != LATEST)[:-REPORTS_KEPT]:
        old.unlink(missing_ok=True)
    return page
