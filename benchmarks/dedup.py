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
import itertools
import json
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpus import parse
from tasks import dedup

ROOT = Path(__file__).resolve().parents[1]
# Sets of real news articles; the other gold sets hold single sentences, words or date expressions.
ARTICLE_SETS = ("news_pages_", "hipe_", "europeana_", "timebank_")
THRESHOLDS = tuple(round(0.3 + 0.05 * i, 2) for i in range(13))
PERCENTILES = (0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 100)
# An edit that drops, replaces or adds one unit is small only if that unit is a small share of the article.
MAX_UNIT_SHARE = 0.25
# A title or a lead sentence; OCR text without sentence ends would otherwise make a whole page its first line.
FIRST_LINE_WORDS = 40
TITLE_WORDS = 15
TRUNCATE_SHARE = 0.8
TYPOS = 3
DONOR_TRIES = 20
LENGTH_BUCKETS = (30, 60, 100, 200, 500, 1000)
SHORT_WORDS = 100

Paragraphs = tuple[str, ...]
Edit = Callable[[Paragraphs, random.Random, Paragraphs], Paragraphs | None]

_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][»\"”)])|(?<=[.!?…][ \u00a0]»))\s+(?=[^\s»”)])")
_LETTER_WORD = re.compile(r"[^\W\d_]{4,}")


# --------------------------------------------------------------------------------------------------- edits


def sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph, split after . ! ? … (and a closing quote); joined by spaces: the text."""
    return [s for s in _SENTENCE_END.split(paragraph) if s]


def word_count(paragraphs: Sequence[str]) -> int:
    """Whitespace-separated tokens, the unit of edit sizes."""
    return sum(len(p.split()) for p in paragraphs)


def _clip(text: str, words: int) -> str:
    return " ".join(text.split()[: max(1, words)])


def change_first_line(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """The first line (first sentence, at most FIRST_LINE_WORDS words) replaced by the donor's; None when
    it holds over MAX_UNIT_SHARE of the words (the article is little more than its first line)."""
    words = paras[0].split()
    cut = min(len(sentences(paras[0])[0].split()), FIRST_LINE_WORDS)
    if cut > MAX_UNIT_SHARE * word_count(paras):
        return None
    new = _clip(sentences(donor[0])[0], FIRST_LINE_WORDS)
    return (" ".join([new, *words[cut:]]), *paras[1:])


def replace_sentence(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """One sentence but the first, of at most MAX_UNIT_SHARE of the words, replaced by a donor's."""
    total = word_count(paras)
    spots = [
        (i, j)
        for i, p in enumerate(paras)
        for j, s in enumerate(sentences(p))
        if (i, j) != (0, 0) and len(s.split()) <= MAX_UNIT_SHARE * total
    ]
    pool = [s for p in donor for s in sentences(p) if len(s.split()) <= MAX_UNIT_SHARE * total]
    if not spots or not pool:
        return None
    i, j = rng.choice(spots)
    parts = sentences(paras[i])
    parts[j] = rng.choice(pool)
    return (*paras[:i], " ".join(parts), *paras[i + 1 :])


def drop_paragraph(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """One paragraph of at most MAX_UNIT_SHARE of the words removed; needs three paragraphs or more."""
    total = word_count(paras)
    spots = [i for i, p in enumerate(paras) if len(p.split()) <= MAX_UNIT_SHARE * total]
    if len(paras) < 3 or not spots:
        return None
    i = rng.choice(spots)
    return (*paras[:i], *paras[i + 1 :])


def add_paragraph(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """A donor paragraph, clipped to MAX_UNIT_SHARE of the article's words, inserted after the first."""
    extra = _clip(rng.choice(donor), int(MAX_UNIT_SHARE * word_count(paras)))
    i = rng.randint(1, len(paras))
    return (*paras[:i], extra, *paras[i:])


BOILERPLATE = (
    "Lire aussi : {title}",
    "À lire aussi - {title}",
    "© {agency} {year}. Tous droits réservés. Reproduction interdite sans autorisation.",
    "(Avec {agency})",
    "Cet article a été mis à jour le {day} {month} {year} à {hour} h {minute}.",
    "Source : {agency}. Vous pouvez retrouver tous nos articles sur notre site et nos réseaux sociaux.",
)
_AGENCIES = ("AFP", "Reuters", "AP", "Belga", "ATS", "dpa")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre")


def append_boilerplate(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """A "Lire aussi" (with the donor's title), copyright, agency or update line appended as a paragraph."""
    line = rng.choice(BOILERPLATE).format(
        title=_clip(sentences(donor[0])[0], TITLE_WORDS),
        agency=rng.choice(_AGENCIES),
        year=rng.randint(1995, 2025),
        day=rng.randint(1, 28),
        month=rng.choice(_MONTHS),
        hour=rng.randint(0, 23),
        minute=f"{rng.randint(0, 59):02d}",
    )
    return (*paras, line)


_QUOTES = (("«\u00a0", "\u00a0»"), ("“", "”"), ('"', '"'))


def _retype(paragraph: str, rng: random.Random) -> str:
    open_q, close_q = rng.choice(_QUOTES)
    quotes = itertools.cycle((open_q, close_q))
    text = re.sub(r"«\s*|\s*»|[“”\"]", lambda m: next(quotes), paragraph)
    text = text.replace("'", "\u2019") if "'" in text else text.replace("\u2019", "'")
    text = text.replace(", ", " ; ", 1).replace("...", "…").replace(" - ", " – ")
    return text.replace(" :", ":") if " :" in text else text.replace(":", " :")


def _typo(word: str, rng: random.Random) -> str:
    """One letter swapped with its neighbour, dropped or doubled, so that the normalised word changes."""
    swaps = [i for i in range(1, len(word) - 2) if dedup.normalize(word[i]) != dedup.normalize(word[i + 1])]
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap" and swaps:
        i = rng.choice(swaps)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :] if kind == "drop" else word[: i + 1] + word[i:]


def typography(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """Quotes, apostrophes, some punctuation and the title's case changed; TYPOS typos in distinct words."""
    out = [_retype(p, rng) for p in paras]
    out[0] = out[0].upper() if rng.random() < 0.5 else out[0].lower()
    spots = [(i, m.start(), m.end()) for i, p in enumerate(out) for m in _LETTER_WORD.finditer(p)]
    if len(spots) < TYPOS:
        return None
    # Right to left within a paragraph, so that earlier offsets stay valid after a drop or a double.
    for i, start, end in sorted(rng.sample(spots, TYPOS), key=lambda s: (s[0], -s[1])):
        out[i] = out[i][:start] + _typo(out[i][start:end], rng) + out[i][end:]
    return tuple(out)


def split_at_words(paras: Paragraphs, keep: int) -> tuple[Paragraphs, Paragraphs]:
    """(the first `keep` words, the rest), both as paragraphs; a paragraph cut in two stays in both halves."""
    head: list[str] = []
    tail: list[str] = []
    left = keep
    for p in paras:
        words = p.split()
        if left >= len(words):
            head.append(p)
        elif left <= 0:
            tail.append(p)
        else:
            head.append(" ".join(words[:left]))
            tail.append(" ".join(words[left:]))
        left -= len(words)
    return tuple(head), tuple(tail)


def truncate(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """The first TRUNCATE_SHARE of the words, cut at a word boundary (a page cut short by the extractor)."""
    return split_at_words(paras, round(TRUNCATE_SHARE * word_count(paras)))[0]


EDITS: dict[str, Edit] = {
    "first_line": change_first_line,
    "sentence": replace_sentence,
    "drop_paragraph": drop_paragraph,
    "add_paragraph": add_paragraph,
    "boilerplate": append_boilerplate,
    "typography": typography,
    "truncate": truncate,
}


def combined(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """Two distinct single edits, one after the other; None when no two apply."""
    names = rng.sample(sorted(EDITS), len(EDITS))
    done = 0
    for name in names:
        edited = EDITS[name](paras, rng, donor)
        if edited is not None:
            paras, done = edited, done + 1
            if done == 2:
                return paras
    return None


POSITIVE_EDITS: dict[str, Edit] = {**EDITS, "combined": combined}


def half_swap(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """Heavy rewrite: the first half of the article's words, then as many from the donor's second half on.

    The replaced half is as long as the kept one, so the copy is half the original whatever the donor's
    length; None when the donor is too short to fill it."""
    total = word_count(paras)
    keep = total // 2
    rest = [w for p in donor for w in p.split()]
    if len(rest) < total - keep or keep == 0:
        return None
    start = min(len(rest) // 2, len(rest) - (total - keep))
    return (*split_at_words(paras, keep)[0], " ".join(rest[start : start + total - keep]))


NEGATIVE_EDITS: dict[str, Edit] = {"half_swap": half_swap}


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
        return _ratio(sum(self.found.values()), sum(self.positives.values()))

    @property
    def precision(self) -> float:
        return _ratio(self.right, sum(self.flagged.values()))

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _ratio(a: float, b: float) -> float:
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
                "recall_per_edit": {
                    k: round(_ratio(s.found.get(k, 0), n), 4) for k, n in s.positives.items()
                },
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


# ---------------------------------------------------------------------------------------------------- report


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f} %"


def report(r: dict, settings: dict) -> str:
    """The markdown tables of one measurement at the module's settings."""
    lines = [
        f"Settings: {settings}. {r['documents']} documents ({r['originals']} originals), "
        f"mean {r['mean_words_per_document']} words.",
        "",
        "| near duplicates (edit of one original) | copies | found | recall | est. Jaccard p5 / p50 |",
        "|---|---:|---:|---:|---:|",
    ]
    for k, n in r["positives"].items():
        found = r["found"].get(k, 0)
        p = r["estimated_jaccard"][f"positive:{k}"]
        lines.append(f"| {k} | {n} | {found} | {_pct(_ratio(found, n))} | {p['p5']:.2f} / {p['p50']:.2f} |")
    total = sum(r["positives"].values())
    found = sum(r["found"].values())
    p = r["estimated_jaccard"]["positives"]
    lines.append(
        f"| **all** | {total} | {found} | **{_pct(r['recall'])}** | {p['p5']:.2f} / {p['p50']:.2f} |"
    )
    lines += [
        "",
        "| not near duplicates | pairs or copies | flagged | false positive rate | est. Jaccard p99 / max |",
        "|---|---:|---:|---:|---:|",
    ]
    names = {
        "hardest": "each original's most similar other original",
        "random": "random pairs of originals",
        "half_swap": "heavy rewrite: first half + another article's second half",
    }
    for k, n in r["negatives"].items():
        fp = r["false_positives"][k]
        p = r["estimated_jaccard"][f"negative:{k}"]
        lines.append(
            f"| {names.get(k, k)} | {n} | {fp} | {_pct(_ratio(fp, n) if n else 0)} | "
            f"{p.get('p99', 0):.2f} / {p.get('p100', 0):.2f} |"
        )
    flags = sum(r["flagged_by_kind"].values())
    lines += [
        "",
        f"**Precision {_pct(r['precision'], 2)}** ({flags} flags, {flags - found} wrong), "
        f"**recall {_pct(r['recall'])}**, F1 {r['f1']:.3f}.",
        "",
        "| threshold | precision | recall | F1 | recall without LSH | FPR hardest / random / half_swap |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for s in r["sweep"]:
        mark = " ←" if s["threshold"] == settings["threshold"] else ""
        f = s["false_positive_rate"]
        cells = [
            f"{s['threshold']:.2f}{mark}",
            _pct(s["precision"], 2),
            _pct(s["recall"]),
            f"{s['f1']:.3f}",
            _pct(s["recall_without_lsh"]),
            " / ".join(_pct(f[k]) for k in ("hardest", "random", "half_swap")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    kinds = list(r["positives"])
    lines += ["", "| threshold | " + " | ".join(kinds) + " |", "|---:|" + "---:|" * len(kinds)]
    for s in r["sweep"]:
        lines.append(
            f"| {s['threshold']:.2f} | " + " | ".join(_pct(s["recall_per_edit"][k]) for k in kinds) + " |"
        )
    lines += [
        "",
        "| estimated Jaccard | " + " | ".join(f"p{q}" for q in PERCENTILES) + " |",
        "|---|" + "---:|" * len(PERCENTILES),
    ]
    for k, p in r["estimated_jaccard"].items():
        lines.append(f"| {k} | " + " | ".join(f"{p.get(f'p{q}', 0):.2f}" for q in PERCENTILES) + " |")
    lines += ["", "| original's words | copies | recall |", "|---|---:|---:|"]
    for k, v in r["recall_by_original_words"].items():
        lines.append(f"| {k.strip()} | {v['copies']} | {_pct(_ratio(v['found'], v['copies']))} |")
    sec = r["seconds"]
    n = r["documents"]
    lines += [
        "",
        f"Cost (CPU time): `fingerprint` {1e3 * sec['fingerprint'] / n:.2f} ms per article, "
        f"`flag_documents` {1e3 * sec['flag_documents'] / n:.3f} ms per document at {n} documents "
        f"(mean {r['mean_words_per_document']} words; best of {sec['repeats']} runs).",
    ]
    return "\n".join(lines)


def _short_recall(by_length: Mapping[str, Mapping[str, int]]) -> float:
    short = [v for k, v in by_length.items() if int(k.split("-")[0].rstrip("+")) < SHORT_WORDS]
    return _ratio(sum(v["found"] for v in short), sum(v["copies"] for v in short))


def variant_table(variants: Sequence[dict]) -> str:
    """One markdown row per shingle size: scores at the module's threshold, best F1, the Jaccard margins."""
    lines = [
        "| shingle words | P / R / F1 at module threshold | recall, originals < 100 words "
        "| best F1 (threshold) | positives p5 | hardest max | half_swap p99 |",
        "|---:|---|---:|---|---:|---:|---:|",
    ]
    for v in variants:
        h, b, j = v["at_module_threshold"], v["best_f1"], v["estimated_jaccard"]
        lines.append(
            f"| {v['shingle_words']} | {_pct(h['precision'], 2)} / {_pct(h['recall'])} / {h['f1']:.3f} | "
            f"{_pct(_short_recall(v['recall_by_original_words']))} | {b['f1']:.3f} ({b['threshold']:.2f}) | "
            f"{j['positives']['p5']:.2f} | {j['negative:hardest'].get('p100', 0):.2f} | "
            f"{j['negative:half_swap']['p99']:.2f} |"
        )
    return "\n".join(lines)


def run(originals: Sequence[Doc], seed: int, repeats: int) -> dict:
    """Build copies and negatives at the current module settings and measure them (best time of `repeats`)."""
    copies = make_copies(originals, seed, POSITIVE_EDITS, True)
    heavy = make_copies(originals, seed, NEGATIVE_EDITS, False)
    hardest = hardest_pairs(originals)
    negatives = {"hardest": hardest, "random": random_pairs(originals, len(originals), seed)}
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
    (a.out / "dedup.json").write_text(
        json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
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
