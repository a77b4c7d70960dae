"""Near-duplicate flag: precision and recall on real articles with controlled edits, threshold sweep, cost.

`python -m benchmarks.dedup [--gold ../shared/data/gold] [--seeds seeds] [--seed 0]
[--out benchmarks/out/dedup] [--shingles 3,4,5,6,7]`: about a minute, plus one per --shingles size.

Originals are the distinct real news articles of the gold inputs (news pages, HIPE, Europeana, TimeBank)
and seeds/. Every original gets one copy per edit kind (a near duplicate) and one heavy rewrite (not one).
Originals, then copies, then heavy rewrites go through `fingerprint` + `flag_documents`, so LSH candidate
recall is measured too. A copy is found when flagged against its original or another copy of it; every
other flag is a false positive. Pairs of originals (each one's most similar other original, random pairs)
give the false positive rate on different articles. Prints markdown tables; writes numbers and file
names, never text, to --out/dedup.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.dedup.dataset import load_originals
from benchmarks.dedup.measure import patched, roots, run, settings
from benchmarks.dedup.report import report, variant_table
from tasks import dedup

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dedup", description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "data" / "gold")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "dedup")
    parser.add_argument("--repeats", type=int, default=1, help="timing runs; the best is reported")
    parser.add_argument(
        "--shingles", default="", help="also compare these shingle sizes, e.g. 3,4,5,6,7 (summary rows only)"
    )
    parser.add_argument("--min-precision", type=float, help="exit 1 when precision (%%) is lower")
    parser.add_argument("--min-recall", type=float, help="exit 1 when recall (%%) is lower")
    a = parser.parse_args(argv)
    if not a.gold.is_dir():
        parser.error(f"--gold {a.gold} is not a folder")
    originals, merged, short = load_originals(roots(a.gold, a.seeds))
    print(
        f"{len(originals)} originals ({merged} files with the text of an earlier one merged, "
        f"{short} shorter than {dedup.NEAR_DUPLICATE_MIN_WORDS} words skipped)\n"
    )
    result = run(originals, a.seed, a.repeats)
    result.update(settings=settings(), merged=merged, skipped_short=short, seed=a.seed)
    print(report(result, settings()))
    variants = []
    for n in [int(x) for x in a.shingles.split(",") if x.strip()]:
        with patched(SHINGLE_WORDS=n):
            v = run(originals, a.seed, 1)
        best = max(v["sweep"], key=lambda s: (s["f1"], -abs(s["threshold"] - dedup.NEAR_DUPLICATE_THRESHOLD)))
        here = next(s for s in v["sweep"] if s["threshold"] == dedup.NEAR_DUPLICATE_THRESHOLD)
        variants.append(
            {
                "shingle_words": n,
                "at_module_threshold": here,
                "best_f1": best,
                "estimated_jaccard": v["estimated_jaccard"],
                "recall_by_original_words": v["recall_by_original_words"],
                "hardest_pairs_top": v["hardest_pairs_top"][:3],
            }
        )
    if variants:
        print("\n" + variant_table(variants))
    result["shingle_variants"] = variants
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "dedup.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {(a.out / 'dedup.json').as_posix()}")
    below = [
        f"{name} {100 * result[name]:.2f} % < floor {floor} %"
        for name, floor in (("precision", a.min_precision), ("recall", a.min_recall))
        if floor is not None and 100 * result[name] < floor
    ]
    for line in below:
        print(f"FLOOR: {line}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
