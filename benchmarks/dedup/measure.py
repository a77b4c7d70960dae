"""One measurement: originals, copies and negatives through fingerprint + flag_documents, timed."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from benchmarks.dedup.dataset import ARTICLE_SETS, Doc, hardest_pairs, make_copies, random_pairs
from benchmarks.dedup.edits import NEGATIVE_EDITS, POSITIVE_EDITS, word_count
from benchmarks.dedup.scoring import at_threshold, is_right, pair_flagged, percentiles, ratio, score, targets
from tasks import dedup

LENGTH_BUCKETS = (30, 60, 100, 200, 500, 1000)

THRESHOLDS = tuple(round(0.3 + 0.05 * i, 2) for i in range(13))

# ---------------------------------------------------------------------------------------------------- running


@contextmanager
def patched(**values: object) -> Iterator[None]:
    """tasks.dedup constants set to values inside the block, restored after."""
    old = {k: getattr(dedup, k) for k in values}
    try:
        for k, v in values.items():
            setattr(dedup, k, v)
        yield
    finally:
        for k, v in old.items():
            setattr(dedup, k, v)


def roots(gold: Path | None, seeds: Path | None) -> list[Path]:
    """Input folders of the article sets, then seeds/."""
    found = sorted(p / "input" for p in gold.iterdir() if p.name.startswith(ARTICLE_SETS)) if gold else []
    return [p for p in found if p.is_dir()] + ([seeds] if seeds and seeds.is_dir() else [])


def measure(
    originals: Sequence[Doc], copies: Sequence[Doc], heavy: Sequence[Doc], negatives: Mapping[str, list]
) -> dict:
    """Fingerprint and flag everything once at the module's settings and once unthresholded for the sweep."""
    docs = [*originals, *copies, *heavy]
    # CPU time: the machine may be shared, and wall time would charge other processes to dedup.
    t0 = time.process_time()
    prints = [dedup.fingerprint(d.doc_id, d.doc_id, d.paragraphs) for d in docs]
    t_print = time.process_time() - t0
    t0 = time.process_time()
    flags = at_threshold(targets(dedup.flag_documents(prints)), -1.0)
    t_flag = time.process_time() - t0
    with patched(NEAR_DUPLICATE_THRESHOLD=0.0):
        best = targets(dedup.flag_documents(prints))
    if at_threshold(best, dedup.NEAR_DUPLICATE_THRESHOLD) != flags:
        raise AssertionError("a flag depends on more than the best earlier candidate's score")

    sig = {p.doc_id: p.signature for p in prints}

    def sim(a: str, b: str) -> float:
        return dedup.similarity(sig[a], sig[b]) if sig[a] and sig[b] else 0.0

    result = score(docs, flags)
    by_id = {d.doc_id: d for d in docs}

    def right(d: Doc) -> bool:
        return d.doc_id in flags and is_right(d, by_id[flags[d.doc_id]])

    by_kind = {k: [sim(d.doc_id, d.origin) for d in copies if d.kind == k] for k in POSITIVE_EDITS}
    pos_sims = [s for v in by_kind.values() for s in v]
    neg_sims = {kind: [sim(a, b) for a, b, *_ in pairs] for kind, pairs in negatives.items()}
    neg_sims["half_swap"] = [sim(d.doc_id, d.origin) for d in heavy]

    sweep = []
    for t in THRESHOLDS:
        f = at_threshold(best, t)
        s = score(docs, f)
        pairwise = sum(x >= t for x in pos_sims) / max(1, len(pos_sims))
        fpr = {k: sum(pair_flagged(a, b, f) for a, b, *_ in v) / max(1, len(v)) for k, v in negatives.items()}
        fpr["half_swap"] = s.flagged.get("half_swap", 0) / max(1, len(heavy))
        sweep.append(
            {
                "threshold": t,
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
                "recall_without_lsh": round(pairwise, 4),
                "false_positive_rate": {k: round(v, 4) for k, v in fpr.items()},
                "recall_per_edit": {k: round(ratio(s.found.get(k, 0), n), 4) for k, n in s.positives.items()},
            }
        )

    fpr_now = {k: sum(pair_flagged(a, b, flags) for a, b, *_ in v) for k, v in negatives.items()}
    fpr_now["half_swap"] = result.flagged.get("half_swap", 0)
    counts = {**{k: len(v) for k, v in negatives.items()}, "half_swap": len(heavy)}
    words = {o.doc_id: len(dedup.normalize(" ".join(o.paragraphs)).split()) for o in originals}
    by_length: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in copies:
        bucket = _bucket(words[d.origin])
        by_length[bucket][0] += 1
        by_length[bucket][1] += right(d)
    missed = [
        {
            "doc": d.doc_id,
            "estimated_jaccard": round(sim(d.doc_id, d.origin), 3),
            "flagged_against": flags.get(d.doc_id),
        }
        for d in copies
        if not right(d)
    ]
    wrong = [
        {"doc": d, "flagged_against": t, "score": best[d][1]}
        for d, t in sorted(flags.items())
        if not is_right(by_id[d], by_id[t])
    ]
    return {
        "documents": len(docs),
        "precision": round(result.precision, 4),
        "recall": round(result.recall, 4),
        "f1": round(result.f1, 4),
        "positives": result.positives,
        "found": result.found,
        "flagged_by_kind": result.flagged,
        "negatives": counts,
        "false_positives": fpr_now,
        "recall_by_original_words": {k: {"copies": n, "found": f} for k, (n, f) in sorted(by_length.items())},
        "estimated_jaccard": {
            "positives": percentiles(pos_sims),
            **{f"positive:{k}": percentiles(v) for k, v in by_kind.items()},
            **{f"negative:{k}": percentiles(v) for k, v in neg_sims.items()},
        },
        "sweep": sweep,
        "missed_positives": missed,
        "wrong_flags": wrong,
        "seconds": {"fingerprint": t_print, "flag_documents": t_flag},
        "mean_words_per_document": round(statistics.fmean(word_count(d.paragraphs) for d in docs), 1),
    }


def _bucket(n: int) -> str:
    lows = [b for b in LENGTH_BUCKETS if b <= n]
    low = lows[-1] if lows else 0
    higher = [b for b in LENGTH_BUCKETS if b > n]
    return f"{low:>4}-{higher[0] - 1}" if higher else f"{low:>4}+"


def run(originals: Sequence[Doc], seed: int, repeats: int) -> dict:
    """Build copies and negatives at the current module settings and measure them (best time of `repeats`)."""
    copies = make_copies(originals, seed, POSITIVE_EDITS, True)
    heavy = make_copies(originals, seed, NEGATIVE_EDITS, False)
    hardest = hardest_pairs(originals)
    negatives: dict[str, list] = {"hardest": hardest, "random": random_pairs(originals, len(originals), seed)}
    runs = [measure(originals, copies, heavy, negatives) for _ in range(repeats)]
    r = runs[0]
    r["seconds"] = {k: min(x["seconds"][k] for x in runs) for k in r["seconds"]}
    r["seconds"]["repeats"] = repeats
    r["originals"] = len(originals)
    r["hardest_pairs_top"] = sorted(hardest, key=lambda p: -p[2])[:10]
    return r


def settings() -> dict:
    """The tasks.dedup constants a measurement depends on."""
    return {
        "threshold": dedup.NEAR_DUPLICATE_THRESHOLD,
        "shingle_words": dedup.SHINGLE_WORDS,
        "min_words": dedup.NEAR_DUPLICATE_MIN_WORDS,
        "lsh_bands_rows": [dedup.LSH_BANDS, dedup.LSH_ROWS],
        "num_perm": dedup.NUM_PERM,
    }
