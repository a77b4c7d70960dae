"""Precision and recall of the flags against what each copy was made from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from benchmarks.dedup.dataset import Doc
from tasks import dedup

PERCENTILES = (0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 100)

# ---------------------------------------------------------------------------------------------------- scoring


Target = tuple[str, float]  # (flagged against, score: 1.0 for an exact duplicate)


def targets(flags: Mapping[str, dedup.DocFlags]) -> dict[str, Target]:
    """Documents that carry a flag, with the document they are flagged against and the score."""
    out: dict[str, Target] = {}
    for doc_id, f in flags.items():
        if f.duplicate_of is not None:
            out[doc_id] = (f.duplicate_of, 1.0)
        elif f.near_duplicate_of is not None:
            out[doc_id] = (f.near_duplicate_of, f.near_duplicate_score or 0.0)
    return out


def at_threshold(found: Mapping[str, Target], threshold: float) -> dict[str, str]:
    """The flags that stand at `threshold` (exact duplicates always do)."""
    return {d: t for d, (t, score) in found.items() if score >= threshold}


@dataclass(frozen=True, slots=True)
class Score:
    """Counts over one run: positives found per edit kind, flags per document kind, right flags."""

    positives: dict[str, int]
    found: dict[str, int]
    flagged: dict[str, int]
    right: int

    @property
    def recall(self) -> float:
        return ratio(sum(self.found.values()), sum(self.positives.values()))

    @property
    def precision(self) -> float:
        return ratio(self.right, sum(self.flagged.values()))

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def ratio(a: float, b: float) -> float:
    # An empty denominator means nothing to get wrong: 1.0, as in the usual precision convention.
    return a / b if b else 1.0


def is_right(d: Doc, target: Doc) -> bool:
    """A flag is right when a positive copy points at its original or at another positive copy of it."""
    return d.positive and target.origin == d.origin and (target.positive or target.kind == "original")


def score(docs: Sequence[Doc], flags: Mapping[str, str]) -> Score:
    """A positive copy is right when flagged against its original or another positive copy of the same one."""
    by_id = {d.doc_id: d for d in docs}
    positives: Counter[str] = Counter(d.kind for d in docs if d.positive)
    found: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    for doc_id, target in flags.items():
        d = by_id[doc_id]
        flagged[d.kind] += 1
        if is_right(d, by_id[target]):
            found[d.kind] += 1
    return Score(dict(positives), dict(found), dict(flagged), sum(found.values()))


def pair_flagged(a: str, b: str, flags: Mapping[str, str]) -> bool:
    """True when either document of the pair is flagged against the other."""
    return flags.get(a) == b or flags.get(b) == a


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """PERCENTILES of values by the nearest-rank rule (an empty list gives an empty dict)."""
    s = sorted(values)
    if not s:
        return {}
    return {f"p{q}": round(s[min(len(s) - 1, max(0, -(-q * len(s) // 100) - 1))], 3) for q in PERCENTILES}
