"""The benchmark's pure arithmetic: PSS summed per sample with and without the server, peaks, verdicts, ratios."""

from __future__ import annotations

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
