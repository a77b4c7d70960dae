"""The near-duplicate benchmark (`python -m benchmarks.dedup`): edits, dataset, scoring, measure and report."""
