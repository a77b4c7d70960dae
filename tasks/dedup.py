"""Duplicates and boilerplate: exact keys (cc_net-style normalisation), MinHash near duplicates, recurring paragraphs.

Flags are a pure function of the whole corpus in the order documents were first seen, so a rerun, a crash or a
removed original always leads to the same flags. Nothing is ever dropped: rows only carry flags.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np
import regex
from datasketch import LeanMinHash, MinHash, MinHashLSH

# Word 5-grams: a changed title or sentence touches only the shingles around it, while two articles on the same
# event rarely share five words in a row beyond names and set phrases (measured by `python -m benchmarks.dedup`).
SHINGLE_WORDS = 5
NUM_PERM = 128
# 32 bands of 4 rows make a pair of Jaccard 0.6 a candidate with probability 0.98 (0.4: 0.56); candidates are then
# checked on their estimated Jaccard, so the bands only need to be generous.
LSH_BANDS, LSH_ROWS = 32, 4
# Estimated Jaccard of the word 5-gram sets at or above which a document is flagged as a near duplicate.
NEAR_DUPLICATE_THRESHOLD = 0.6
# Below this many words a text has too few shingles for a stable estimate; exact keys still apply to it.
NEAR_DUPLICATE_MIN_WORDS = 30
# A paragraph is boilerplate when it recurs in at least this many distinct texts of one source folder: a site's
# "Lire aussi" or cookie line recurs in dozens, while a quote reused by a follow-up article recurs in two or three.
BOILERPLATE_MIN_DOCUMENTS = 5
SEED = 1
# Pinned so that signatures stored by one datasketch release stay comparable with the next one's.
SCHEME = "affine32"
KEY_BYTES = 8

_WORDS = re.compile(r"[^\W\d_]+")
# Every nonspacing mark (Latin accents after NFKD, Arabic or Hebrew vowel points): optional in writing, so ignored.
_MARKS = regex.compile(r"\p{Mn}+")


def normalize(text: str) -> str:
    """Words of lower-case letters without marks, one space apart: case, digits and punctuation never count."""
    letters = _MARKS.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return " ".join(_WORDS.findall(letters))


def text_key(text: str) -> str | None:
    """Hex key of the normalised text; None for a text without letters, which says nothing to compare."""
    norm = normalize(text)
    return _hash(norm) if norm else None


@dataclass(frozen=True, slots=True)
class DocPrint:
    """What duplicate detection knows of one document: its keys and MinHash signature (empty if too short)."""

    doc_id: str
    source: str
    doc_key: str | None
    signature: bytes
    paragraph_keys: tuple[str | None, ...]


def fingerprint(doc_id: str, source: str, paragraphs: Sequence[str]) -> DocPrint:
    """Keys of the document and of each paragraph (same order), and the signature of its word 5-grams."""
    normalized = [normalize(p) for p in paragraphs]
    keys = tuple(_hash(n) if n else None for n in normalized)
    words = " ".join(normalized).split()
    doc_key = _hash(" ".join(words)) if words else None
    return DocPrint(doc_id, source, doc_key, _signature(words), keys)


def _hash(norm: str) -> str:
    return hashlib.blake2b(norm.encode(), digest_size=KEY_BYTES).hexdigest()


@functools.cache
def _permutations() -> MinHash:
    # Drawing the permutations is the costly part of a MinHash; every signature reuses these.
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)


def _signature(words: Sequence[str]) -> bytes:
    if len(words) < NEAR_DUPLICATE_MIN_WORDS:
        return b""
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    # CRC-32 (C, stable across processes) spreads distinct shingles well enough for the random permutations that
    # follow, at a tenth of the cost of datasketch's default SHA-1 called from Python.
    m = MinHash(
        num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32, permutations=_permutations().permutations, scheme=SCHEME
    )
    m.update_batch([s.encode() for s in sorted(shingles)])
    return m.hashvalues.astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal MinHash values)."""
    return float(np.mean(np.frombuffer(a, "<u4") == np.frombuffer(b, "<u4")))


# ---------------------------------------------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True)
class DocFlags:
    """`duplicate_of`: first document with the same key; else `near_duplicate_of`: most similar earlier one."""

    duplicate_of: str | None = None
    near_duplicate_of: str | None = None
    near_duplicate_score: float | None = None


NOT_DUPLICATE = DocFlags()


@dataclass(frozen=True, slots=True)
class IndexedDoc:
    """A document of the duplicate index: its print, its first-seen order and the flags the tables hold for it."""

    doc_id: str
    source: str
    doc_key: str | None
    signature: bytes
    paragraph_keys: tuple[str | None, ...]
    order: int
    duplicate_of: str | None = None
    near_duplicate_of: str | None = None
    near_duplicate_score: float | None = None

    @property
    def flags(self) -> DocFlags:
        return DocFlags(self.duplicate_of, self.near_duplicate_of, self.near_duplicate_score)


def flag_documents(docs: Iterable[DocPrint | IndexedDoc]) -> dict[str, DocFlags]:
    """Flags of every document given in the order they were first seen; an earlier one is never flagged by a later."""
    first_by_key: dict[str, str] = {}
    signatures: dict[str, bytes] = {}
    rank: dict[str, int] = {}
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(LSH_BANDS, LSH_ROWS))
    flags: dict[str, DocFlags] = {}
    for d in docs:
        if d.doc_key is not None and d.doc_key in first_by_key:
            flags[d.doc_id] = DocFlags(duplicate_of=first_by_key[d.doc_key])
            continue
        if d.doc_key is not None:
            first_by_key[d.doc_key] = d.doc_id
        flags[d.doc_id] = NOT_DUPLICATE
        if not d.signature:
            continue
        minhash = LeanMinHash(seed=SEED, hashvalues=np.frombuffer(d.signature, "<u4"), scheme=SCHEME)
        # The most similar earlier document; on a tie, the one seen first.
        scored = [(similarity(d.signature, signatures[o]), -rank[o], o) for o in lsh.query(minhash)]
        best = max(scored, default=None)
        if best is not None and best[0] >= NEAR_DUPLICATE_THRESHOLD:
            flags[d.doc_id] = DocFlags(near_duplicate_of=best[2], near_duplicate_score=round(best[0], 4))
        lsh.insert(d.doc_id, minhash)
        signatures[d.doc_id] = d.signature
        rank[d.doc_id] = len(rank)
    return flags


# ---------------------------------------------------------------------------------------------------- paragraphs


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One paragraph of the corpus under its key, with the flags the tables hold for it."""

    key: str
    folder: str
    doc_key: str
    doc_id: str
    paragraph_id: int
    order: int  # first-seen order of the document: earlier documents have smaller numbers
    duplicate_of: str | None = None
    duplicate_of_paragraph_id: int | None = None
    boilerplate: bool = False

    @property
    def flags(self) -> tuple[str | None, int | None, bool]:
        return (self.duplicate_of, self.duplicate_of_paragraph_id, self.boilerplate)


NOT_REPEATED: tuple[str | None, int | None, bool] = (None, None, False)


def bucket_of(key: str) -> str:
    """The index bucket of a paragraph key: its first two hex digits, so a run reads one bucket at a time."""
    return key[:2]


def folder_of(source: str) -> str:
    """The source folder a document came from ('' at the top of the input folder)."""
    return source.rpartition("/")[0]


def flag_paragraphs(occurrences: Iterable[Occurrence]) -> list[Occurrence]:
    """Every occurrence with its flags recomputed from all occurrences of its key, in first-seen order."""
    by_key: dict[str, list[Occurrence]] = defaultdict(list)
    for o in occurrences:
        by_key[o.key].append(o)
    flagged: list[Occurrence] = []
    for key in sorted(by_key):
        group = sorted(by_key[key], key=lambda o: (o.order, o.doc_id, o.paragraph_id))
        first = group[0]
        # Exact copies of one document count once: a page saved twice does not make its paragraphs boilerplate.
        texts_per_folder: dict[str, set[str]] = defaultdict(set)
        for o in group:
            texts_per_folder[o.folder].add(o.doc_key)
        for o in group:
            is_first = o is first
            flagged.append(
                replace(
                    o,
                    duplicate_of=None if is_first else first.doc_id,
                    duplicate_of_paragraph_id=None if is_first else first.paragraph_id,
                    boilerplate=len(texts_per_folder[o.folder]) >= BOILERPLATE_MIN_DOCUMENTS,
                )
            )
    return flagged


# ---------------------------------------------------------------------------------------------------- one run


@dataclass(frozen=True, slots=True)
class DuplicateStats:
    """Counts for the run report: flags on this run's rows, flags changed on earlier rows, corpus totals."""

    duplicates: int
    near_duplicates: int
    duplicate_paragraphs: int
    boilerplate_paragraphs: int
    earlier_documents_updated: int
    earlier_paragraphs_updated: int
    corpus_documents: int
    corpus_duplicates: int
    corpus_near_duplicates: int
    seconds: float


# ---------------------------------------------------------------------------------------------------- the index

# Odd 64-bit constants of splitmix64/murmur3's finalisers: any good mixer works, as every candidate is checked on
# its bands before it counts; a collision only costs one wasted lookup.
_MIX = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xFF51AFD7ED558CCD)


def band_hashes(signatures: np.ndarray) -> np.ndarray:
    """(n, LSH_BANDS) uint64 hashes of the bands of (n, NUM_PERM) uint32 signatures: equal bands, equal hashes."""
    v = signatures.reshape(len(signatures), LSH_BANDS, LSH_ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = np.arange(LSH_BANDS, dtype=np.uint64) * np.uint64(_MIX[0])
        for row in range(LSH_ROWS):
            h = (h ^ v[:, :, row]) * np.uint64(_MIX[1 + row % 3])
            h ^= h >> np.uint64(31)
    return h


def bands_of(signature: bytes) -> list[int]:
    """The band hashes of one signature (none for a document too short to have one)."""
    if not signature:
        return []
    return [int(h) for h in band_hashes(np.frombuffer(signature, "<u4").reshape(1, NUM_PERM))[0]]


def share_band(a: bytes, b: bytes) -> bool:
    """Whether two signatures agree on every row of at least one band: datasketch's LSH candidate rule."""
    x = np.frombuffer(a, "<u4").reshape(LSH_BANDS, LSH_ROWS)
    y = np.frombuffer(b, "<u4").reshape(LSH_BANDS, LSH_ROWS)
    return bool((x == y).all(axis=1).any())


@dataclass(frozen=True, slots=True)
class IndexLookups:
    """Queries of the stored duplicate index; each returns stored documents with the flags the tables hold."""

    by_doc_id: Callable[[Collection[str]], list[IndexedDoc]]
    by_key: Callable[[Collection[str]], list[IndexedDoc]]  # every stored document with one of these keys
    # Stored documents registered under one of these band hashes; it may return more (stale entries), never less.
    by_band: Callable[[Collection[int]], list[IndexedDoc]]
    near_copies: Callable[[Collection[str]], list[IndexedDoc]]  # stored documents whose near_duplicate_of is one
    occurrences: Callable[[Collection[str]], list[Occurrence]]  # every stored paragraph with one of these keys


NO_INDEX = IndexLookups(
    by_doc_id=lambda ids: [],
    by_key=lambda keys: [],
    by_band=lambda bands: [],
    near_copies=lambda ids: [],
    occurrences=lambda keys: [],
)


@dataclass(frozen=True, slots=True)
class DocumentResolution:
    """What a run changes in the document index, and the flags that differ from what the tables hold."""

    new: list[IndexedDoc]  # this run's documents, with their flags
    changed: list[IndexedDoc]  # stored documents whose flags change, with the new flags
    gone: list[IndexedDoc]  # stored documents that leave the corpus (removed, or seen again with new text)
    promoted: list[IndexedDoc]  # stored documents that are now the first of their text: their bands are registered
    updates: list[tuple[str, DocFlags]]  # doc_id -> flags to set on rows (new rows are staged unflagged)
    gone_ids: frozenset[str]
    corpus_delta: tuple[int, int, int]  # change of (documents, exact duplicates, near duplicates) in the corpus

    def stats(
        self,
        paragraph_updates: Sequence[Occurrence],
        new_duplicates: int,
        new_boilerplate: int,
        *,
        corpus: tuple[int, int, int],
        seconds: float,
    ) -> DuplicateStats:
        """The run's counts, given what the paragraphs' resolution found and the corpus totals after the run."""
        new_ids = {d.doc_id for d in self.new}
        return DuplicateStats(
            duplicates=sum(d.duplicate_of is not None for d in self.new),
            near_duplicates=sum(d.near_duplicate_of is not None for d in self.new),
            duplicate_paragraphs=new_duplicates,
            boilerplate_paragraphs=new_boilerplate,
            earlier_documents_updated=sum(doc_id not in new_ids for doc_id, _ in self.updates),
            earlier_paragraphs_updated=sum(o.doc_id not in new_ids for o in paragraph_updates),
            corpus_documents=corpus[0],
            corpus_duplicates=corpus[1],
            corpus_near_duplicates=corpus[2],
            seconds=seconds,
        )


def _counts(docs: Iterable[IndexedDoc]) -> tuple[int, int, int]:
    docs = list(docs)
    return len(docs), sum(d.duplicate_of is not None for d in docs), sum(d.near_duplicate_of is not None for d in docs)


def resolve_documents(
    prints: Sequence[DocPrint], removed: Iterable[str], index: IndexLookups, *, first_order: int
) -> DocumentResolution:
    """The flags `flag_documents` gives the whole corpus, found by querying the index for what this run touches.

    The run's prints are ordered after every stored document. A document is first of its text when no earlier one
    has its key; near-duplicate candidates are the earlier firsts sharing a band. So a run changes: the documents
    that share a key with a new or gone one (the first of the key may move), the copies pointing at a gone one,
    the later firsts sharing a band with a document that became first, and its own documents.
    """
    prints = sorted(prints, key=lambda p: p.source)
    gone_ids = frozenset(removed) | {p.doc_id for p in prints}
    new = [
        IndexedDoc(p.doc_id, p.source, p.doc_key, p.signature, p.paragraph_keys, first_order + i)
        for i, p in enumerate(prints)
    ]
    gone = index.by_doc_id(sorted(gone_ids))
    live: dict[int, IndexedDoc] = {}  # order -> document of the corpus after the run, as far as it was read

    def keep(docs: Iterable[IndexedDoc]) -> list[IndexedDoc]:
        kept = [live.setdefault(d.order, d) for d in docs if d.doc_id not in gone_ids or d.order >= first_order]
        return sorted(kept, key=lambda d: d.order)

    keep(new)
    flags: dict[int, DocFlags] = {}  # order -> flags after the run, for every document that may change
    first_now: set[int] = set()
    keys = sorted({d.doc_key for d in [*gone, *new] if d.doc_key is not None})
    by_key: dict[str, list[IndexedDoc]] = defaultdict(list)
    for d in keep([*index.by_key(keys), *new]):
        if d.doc_key is not None:
            by_key[d.doc_key].append(d)
    for group in by_key.values():
        first = group[0]
        first_now.add(first.order)
        for d in group[1:]:
            flags[d.order] = DocFlags(duplicate_of=first.doc_id)
    promoted = [d for d in (live[o] for o in first_now) if d.order < first_order and d.duplicate_of is not None]
    # Documents with no key are never exact copies; the first of a key may already carry a near flag.
    recompute = {d.order for d in new if d.order not in flags and d.signature}
    recompute |= {d.order for d in promoted if d.signature}
    recompute |= {d.order for d in keep(index.near_copies(sorted(gone_ids)))}
    for d in [d for d in new if d.order not in flags]:
        flags[d.order] = NOT_DUPLICATE
    for d in promoted:
        flags[d.order] = NOT_DUPLICATE
    # A document that became first is a new candidate for every later first sharing one of its bands.
    entering = [d for d in promoted if d.signature]
    if entering:
        for d in keep(index.by_band(sorted({b for p in entering for b in bands_of(p.signature)}))):
            if any(p.order < d.order and share_band(p.signature, d.signature) for p in entering):
                recompute.add(d.order)
    todo = sorted(recompute)
    stored_candidates = keep(index.by_band(sorted({b for o in todo for b in bands_of(live[o].signature)})))
    # Candidates not in the stored bands yet: the documents that became first in this run, and the new ones.
    pool = sorted({d.order: d for d in [*stored_candidates, *entering, *new] if d.signature}.values(), key=_order)

    def is_first(d: IndexedDoc) -> bool:
        return flags.get(d.order, d.flags).duplicate_of is None

    # The pool by band hash: a document meets only the candidates that share one of its band hashes (then checked
    # band by band), not every candidate of the run, which made this step quadratic in the run's size.
    by_band: dict[int, list[IndexedDoc]] = defaultdict(list)
    for c in pool:
        for b in dict.fromkeys(bands_of(c.signature)):
            by_band[b].append(c)
    for order in todo:
        d = live[order]
        if not is_first(d):
            continue  # only the first of a text is compared by signature
        met = {c.order: c for b in bands_of(d.signature) for c in by_band.get(b, ())}
        # The most similar earlier first; on a tie, the one seen first.
        scored = [
            (similarity(d.signature, c.signature), -c.order, c.doc_id)
            for c in met.values()
            if c.order < order and is_first(c) and share_band(c.signature, d.signature)
        ]
        best = max(scored, default=None)
        if best is not None and best[0] >= NEAR_DUPLICATE_THRESHOLD:
            flags[order] = DocFlags(near_duplicate_of=best[2], near_duplicate_score=round(best[0], 4))
        else:
            flags[order] = NOT_DUPLICATE
    new_orders = {d.order for d in new}
    resolved = [replace(live[o], **asdict(f)) for o, f in sorted(flags.items())]
    changed = [d for d in resolved if d.order not in new_orders and d.flags != live[d.order].flags]
    flagged_new = [d for d in resolved if d.order in new_orders]
    updates = [
        (d.doc_id, d.flags)
        for d in resolved
        if d.flags != (NOT_DUPLICATE if d.order in new_orders else live[d.order].flags)
    ]
    after, before = _counts([*flagged_new, *changed]), _counts([*gone, *(live[d.order] for d in changed)])
    promoted_orders = {p.order for p in promoted}
    return DocumentResolution(
        new=flagged_new,
        changed=changed,
        gone=gone,
        promoted=[d for d in resolved if d.order in promoted_orders],
        updates=updates,
        gone_ids=gone_ids,
        corpus_delta=(after[0] - before[0], after[1] - before[1], after[2] - before[2]),
    )


def _order(d: IndexedDoc) -> int:
    return d.order


def occurrences_of(docs: Iterable[IndexedDoc]) -> list[Occurrence]:
    """The paragraph occurrences of these documents, unflagged."""
    return [
        Occurrence(key, folder_of(d.source), d.doc_key or "", d.doc_id, paragraph_id, d.order)
        for d in docs
        for paragraph_id, key in enumerate(d.paragraph_keys)
        if key is not None
    ]


def paragraph_keys_touched(resolution: DocumentResolution) -> list[str]:
    """Keys of the paragraphs of new documents and of documents that left: only their groups can change."""
    return sorted({k for d in [*resolution.new, *resolution.gone] for k in d.paragraph_keys if k})


@dataclass(frozen=True, slots=True)
class BucketResolution:
    """A bucket's occurrences after a run, those whose flags changed, and the new rows' flag counts."""

    flagged: list[Occurrence]
    updates: list[Occurrence]
    new_duplicates: int
    new_boilerplate: int


def resolve_bucket(stored: Sequence[Occurrence], fresh: Sequence[Occurrence], gone: frozenset[str]) -> BucketResolution:
    """Flags of one bucket: stored occurrences of documents still in the corpus, plus this run's."""
    kept = [o for o in stored if o.doc_id not in gone]
    before = {(o.doc_id, o.paragraph_id): o.flags for o in kept}
    new_ids = {o.doc_id for o in fresh}
    flagged = flag_paragraphs([*kept, *fresh])
    updates = [o for o in flagged if o.flags != before.get((o.doc_id, o.paragraph_id), NOT_REPEATED)]
    mine = [o for o in flagged if o.doc_id in new_ids]
    return BucketResolution(
        flagged,
        updates,
        new_duplicates=sum(o.duplicate_of is not None for o in mine),
        new_boilerplate=sum(o.boilerplate for o in mine),
    )
