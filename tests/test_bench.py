"""The benchmark's pure arithmetic: PSS summed per sample with and without the server, peaks, verdicts, ratios."""

from __future__ import annotations

import pytest

from benchmarks import bench
from benchmarks.startup import TreeMemory, parse_summary, peak_memory, tree_memory

MB = 1024 * 1024
CLI, WORKER, SERVER = 100, 101, 102


def test_tree_memory_sums_pss_and_rss_with_and_without_the_server() -> None:
    readings = {CLI: (300, 400), WORKER: (200, 350), SERVER: (50, 120)}
    assert tree_memory(readings, {SERVER}) == TreeMemory(pss=550, pss_no_server=500, rss=870, rss_no_server=750)
    assert tree_memory(readings, {SERVER}).server_pss == 50


def test_tree_memory_without_a_server_or_processes() -> None:
    assert tree_memory({CLI: (300, 400)}, set()) == TreeMemory(300, 300, 400, 400)
    # A server pid that was not read in this sample (not started yet, or ended) takes nothing off.
    assert tree_memory({CLI: (300, 400)}, {SERVER}) == TreeMemory(300, 300, 400, 400)
    assert tree_memory({}, {SERVER}) == TreeMemory(0, 0, 0, 0)


def test_peak_memory_keeps_each_sum_at_its_own_peak() -> None:
    samples = [
        TreeMemory(pss=500, pss_no_server=480, rss=900, rss_no_server=800),
        TreeMemory(pss=700, pss_no_server=450, rss=850, rss_no_server=780),
        TreeMemory(pss=600, pss_no_server=590, rss=950, rss_no_server=700),
    ]
    assert peak_memory(samples) == TreeMemory(pss=700, pss_no_server=590, rss=950, rss_no_server=800)
    assert peak_memory([]) == TreeMemory(0, 0, 0, 0)


def test_parse_summary_takes_the_last_summary_line() -> None:
    output = (
        "03:42:28 | INFO | Flow run 'x' - files_seen is logged here too\n"
        "files_seen=3 files_processed=3 files_failed=0 documents=3 entities=12\n"
        "03:42:28 | INFO | prefect - Stopping temporary server\n"
    )
    assert parse_summary(output) == {
        "files_seen": 3,
        "files_processed": 3,
        "files_failed": 0,
        "documents": 3,
        "entities": 12,
    }
    assert parse_summary("error: output is locked\n") is None


@pytest.mark.parametrize(
    ("value", "goal", "higher", "expected"),
    [
        (1.7, 1.7, True, "PASS"),
        (1.69, 1.7, True, "FAIL"),
        (1.4, 1.4, False, "PASS"),
        (1.41, 1.4, False, "FAIL"),
        (None, 1.4, False, "n/a"),
        (1.58, None, False, "info"),
        (None, None, False, "n/a"),
    ],
)
def test_verdict(value: float | None, goal: float | None, higher: bool, expected: str) -> None:
    assert bench.verdict(value, goal, higher) == expected


def test_the_retired_flow_vs_ner_ratio_is_information_only() -> None:
    row = bench.ratio_row("flow_1w_wall_vs_ner_wall", 1.58, "2000 articles")
    assert (row["goal"], row["verdict"], row["value"]) == ("-", "info", 1.58)


def _run(wall_s: float, pss_mb: float, pss_no_server_mb: float) -> dict:
    return {"wall_s": wall_s, "peak_pss_mb": pss_mb, "peak_pss_no_server_mb": pss_no_server_mb}


def test_e2e_ratios_compare_two_workers_with_one() -> None:
    e2e = {
        "articles": 1500,
        "runs": {"cli_1w": _run(120.0, 2000.0, 1800.0), "cli_2w": _run(75.0, 3000.0, 2520.0)},
        "one_article": {"timed": {"wall_s": 9.5}},
    }
    rows = {r["ratio"]: r for r in bench.e2e_ratios(e2e)}
    assert list(rows) == ["e2e_2w_vs_1w_speed", "e2e_pss_2w_vs_1w", "one_article_wall_s"]
    assert rows["e2e_2w_vs_1w_speed"]["value"] == pytest.approx(1.6)
    assert (rows["e2e_2w_vs_1w_speed"]["goal"], rows["e2e_2w_vs_1w_speed"]["verdict"]) == (">= 1.7", "FAIL")
    assert rows["e2e_pss_2w_vs_1w"]["value"] == pytest.approx(1.5)
    assert rows["e2e_pss_2w_vs_1w"]["verdict"] == "FAIL"
    assert "without it 1.400" in rows["e2e_pss_2w_vs_1w"]["where"]
    assert (rows["one_article_wall_s"]["value"], rows["one_article_wall_s"]["verdict"]) == (9.5, "PASS")
    assert rows["one_article_wall_s"]["goal"] == "<= 10"


def test_e2e_ratios_without_runs_are_not_available() -> None:
    rows = bench.e2e_ratios({"articles": 1500, "runs": {"cli_1w": _run(120.0, 2000.0, 1800.0)}})
    assert [(r["value"], r["verdict"]) for r in rows] == [(None, "n/a")] * 3
