"""The benchmark set: real originals from the gold inputs, their edited copies, and pairs of different articles."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpus import parse
from benchmarks.dedup.edits import DONOR_TRIES, Edit, Paragraphs
from tasks import dedup

# Sets of real news articles; the other gold sets hold single sentences, words or date expressions.
ARTICLE_SETS = ("news_pages_", "hipe_", "europeana_", "timebank_")

# ---------------------------------------------------------------------------------------------------- the set


@dataclass(frozen=True, slots=True)
class Doc:
    """One benchmark document: an original (origin == doc_id), a near-duplicate copy, or a heavy rewrite."""

    doc_id: str
    paragraphs: Paragraphs
    kind: str  # "original", a POSITIVE_EDITS name or a NEGATIVE_EDITS name
    origin: str
    positive: bool  # True for near-duplicate copies only


def _group(doc_id: str) -> str:
    return doc_id.split("_", 1)[0]


def load_originals(roots: Sequence[Path]) -> tuple[list[Doc], int, int]:
    """(distinct originals of NEAR_DUPLICATE_MIN_WORDS words or more, same-text files merged, short ones)."""
    seen: set[str | None] = set()
    out: list[Doc] = []
    merged = short = 0
    for root in roots:
        name = root.parent.name if root.name == "input" else root.name
        for path in sorted(root.glob("*.txt")):
            paragraphs = tuple(parse(path.read_text(encoding="utf-8"))[1])
            key = dedup.text_key(" ".join(paragraphs))
            if key in seen:
                merged += 1
                continue
            seen.add(key)
            if len(dedup.normalize(" ".join(paragraphs)).split()) < dedup.NEAR_DUPLICATE_MIN_WORDS:
                short += 1
                continue
            doc_id = f"{name}/{path.name}"
            out.append(Doc(doc_id, paragraphs, "original", doc_id, False))
    return out, merged, short


def make_copies(originals: Sequence[Doc], seed: int, edits: Mapping[str, Edit], positive: bool) -> list[Doc]:
    """One copy per original and edit, original-major; the donor is another original of its collection
    (the first of a seeded shuffle with which the edit applies; if none, the original gets no such copy)."""
    by_group: dict[str, list[Doc]] = defaultdict(list)
    for o in originals:
        by_group[_group(o.doc_id)].append(o)
    copies: list[Doc] = []
    for o in originals:
        others = [d for d in by_group[_group(o.doc_id)] if d is not o] or [d for d in originals if d is not o]
        for name, edit in edits.items():
            # Seeded per original and edit: adding an edit or an original leaves every other copy unchanged.
            rng = random.Random(f"{seed}:{o.doc_id}:{name}")
            for donor in rng.sample(others, min(len(others), DONOR_TRIES)):
                edited = edit(o.paragraphs, rng, donor.paragraphs)
                if edited is not None and edited != o.paragraphs:
                    copies.append(Doc(f"{o.doc_id}#{name}", edited, name, o.doc_id, positive))
                    break
    return copies


def shingles(paragraphs: Sequence[str]) -> frozenset[str]:
    """The word shingles `fingerprint` hashes (SHINGLE_WORDS words of the normalised text)."""
    words = dedup.normalize(" ".join(paragraphs)).split()
    n = dedup.SHINGLE_WORDS
    return frozenset(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def hardest_pairs(originals: Sequence[Doc]) -> list[tuple[str, str, float]]:
    """For each original, the other with the highest exact shingle Jaccard (pairs sharing none left out)."""
    sets = [shingles(o.paragraphs) for o in originals]
    index: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for g in s:
            index[g].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for ids in index.values():
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                shared[ids[x], ids[y]] += 1
    best: dict[int, tuple[float, int]] = {}
    for (a, b), n in sorted(shared.items()):
        j = n / (len(sets[a]) + len(sets[b]) - n)
        for x, y in ((a, b), (b, a)):
            if j > best.get(x, (0.0, -1))[0]:
                best[x] = (j, y)
    pairs = {tuple(sorted((x, y))): j for x, (j, y) in best.items()}
    return [(originals[a].doc_id, originals[b].doc_id, round(j, 4)) for (a, b), j in sorted(pairs.items())]


def random_pairs(originals: Sequence[Doc], n: int, seed: int) -> list[tuple[str, str]]:
    """n distinct unordered pairs of distinct originals."""
    rng = random.Random(f"{seed}:random-pairs")
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < min(n, len(originals) * (len(originals) - 1) // 2):
        a, b = rng.sample(range(len(originals)), 2)
        pairs.add((originals[min(a, b)].doc_id, originals[max(a, b)].doc_id))
    return sorted(pairs)
