"""Keys, signatures and flags of tasks/dedup.py on inline texts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tasks.dedup import (
    BOILERPLATE_MIN_DOCUMENTS,
    LSH_BANDS,
    LSH_ROWS,
    NEAR_DUPLICATE_MIN_WORDS,
    NOT_DUPLICATE,
    DocFlags,
    DocPrint,
    DocumentResolution,
    IndexedDoc,
    IndexLookups,
    Occurrence,
    bands_of,
    fingerprint,
    flag_documents,
    flag_paragraphs,
    folder_of,
    normalize,
    occurrences_of,
    paragraph_keys_touched,
    resolve_bucket,
    resolve_documents,
    share_band,
    similarity,
    text_key,
)

WIRE = [
    "Grève à la SNCF : le trafic fortement perturbé mardi",
    "La direction de la SNCF prévoit un train sur trois en moyenne sur les lignes à grande vitesse mardi, au premier "
    "jour d'un mouvement social lancé par quatre syndicats de cheminots contre la réforme du statut.",
    "Dans les trains régionaux, la circulation sera très variable selon les régions, avec des suppressions massives en "
    "Île-de-France où le RER B et le RER D seront les plus touchés, a précisé la compagnie dans un communiqué.",
    "Les syndicats réclament l'ouverture de négociations sur les salaires et dénoncent un projet qui, selon eux, "
    "menace l'avenir du service public ferroviaire. Une assemblée générale doit se tenir mercredi matin à la gare "
    "de Lyon.",
]
# The same event, told by another newsroom in its own words.
SAME_EVENT = [
    "Cheminots en grève : les voyageurs s'organisent",
    "Sur le quai de la gare Montparnasse, des centaines de voyageurs attendaient mardi matin un départ, les yeux rivés "
    "sur les panneaux qui égrenaient les suppressions de trains à grande vitesse, au premier jour de la grève.",
    "Beaucoup avaient réservé un covoiturage ou décalé leur voyage, mais d'autres découvraient la mauvaise nouvelle au "
    "dernier moment. La SNCF prévoit un train sur trois, et les syndicats de cheminots réclament des négociations.",
]


def test_normalize_ignores_case_accents_whitespace_punctuation_and_digits() -> None:
    assert normalize("  L'Élysée a RÉPONDU, le 3 mars 2024 :\n« non » !") == "l elysee a repondu le mars non"
    assert text_key("Le 12 mars, à Paris.") == text_key("le mars A   PARIS")
    assert text_key("Le 12 mars, à Paris.") != text_key("Le 12 mai, à Paris.")
    assert text_key("2024 — 12/03 ***") is None
    assert text_key("Wir sind hier.") == text_key("wir sind hier")


@given(st.text(alphabet="abcdeéèàçôùœABCDÉÈÀÇ ,.;:!?'«»-–0123456789\n\t", max_size=200))
def test_key_ignores_case_whitespace_punctuation_and_digits(text: str) -> None:
    key = text_key(text)
    assert text_key(text.upper()) == key
    assert text_key(" ".join(text.split()) + " !") == key
    assert text_key("".join("7" if ch.isdigit() else ch for ch in text)) == key
    assert (key is None) == (normalize(text) == "")


def test_fingerprint_keys_follow_paragraphs() -> None:
    p = fingerprint("d1", "site/a.txt", ["Titre", "*** 2024 ***", "Le texte."])
    assert p.paragraph_keys == (text_key("Titre"), None, text_key("Le texte."))
    assert p.doc_key == text_key("Titre Le texte.")
    # Too few words for a stable MinHash estimate: exact keys only.
    assert p.signature == b""
    assert len(fingerprint("d2", "b.txt", WIRE).signature) == 4 * 128
    assert folder_of("site/2024/a.txt") == "site/2024" and folder_of("a.txt") == ""


def test_signature_similarity_tracks_edits() -> None:
    original = fingerprint("a", "a.txt", WIRE)
    retitled = fingerprint("b", "b.txt", ["SNCF : un train sur trois mardi, selon la direction", *WIRE[1:]])
    other = fingerprint("c", "c.txt", SAME_EVENT)
    assert similarity(original.signature, original.signature) == 1.0
    assert 0.7 <= similarity(original.signature, retitled.signature) < 1.0
    assert similarity(original.signature, other.signature) < 0.1


def test_flag_documents_exact_near_and_same_event() -> None:
    docs = [
        fingerprint("a", "a.txt", WIRE),
        fingerprint("b", "b.txt", SAME_EVENT),
        fingerprint("c", "c.txt", [p.upper().replace(",", " ,") for p in WIRE]),
        fingerprint("d", "d.txt", ["SNCF : un train sur trois mardi, selon la direction", *WIRE[1:]]),
        fingerprint("e", "e.txt", [*WIRE[:3], "Lire aussi : toutes nos informations sur la grève"]),
    ]
    flags = flag_documents(docs)
    assert flags["a"] == NOT_DUPLICATE and flags["b"] == NOT_DUPLICATE
    assert flags["c"] == DocFlags(duplicate_of="a")
    assert flags["d"].near_duplicate_of == "a" and flags["d"].duplicate_of is None
    assert 0.7 <= (flags["d"].near_duplicate_score or 0) < 1.0
    assert flags["e"].near_duplicate_of in ("a", "d")
    # Order decides who is first: the same texts in the other order flag the other document.
    reversed_flags = flag_documents(reversed(docs[:3]))
    assert reversed_flags["a"] == DocFlags(duplicate_of="c") and reversed_flags["c"] == NOT_DUPLICATE


def test_short_documents_are_only_compared_exactly() -> None:
    short = " ".join(["mot"] * (NEAR_DUPLICATE_MIN_WORDS - 1))
    flags = flag_documents([fingerprint("a", "a.txt", [short]), fingerprint("b", "b.txt", [short + " fin"])])
    assert flags == {"a": NOT_DUPLICATE, "b": NOT_DUPLICATE}


def occurrence(key: str, doc: str, paragraph: int, order: int, folder: str = "site", doc_key: str = "") -> Occurrence:
    return Occurrence(key, folder, doc_key or f"text-{doc}", doc, paragraph, order)


def test_flag_paragraphs_points_at_first_occurrence() -> None:
    flagged = flag_paragraphs(
        [
            occurrence("k1", "b", 0, 2),
            occurrence("k1", "a", 3, 1),
            occurrence("k1", "a", 5, 1),
            occurrence("k2", "b", 1, 2),
        ]
    )
    by_place = {(o.doc_id, o.paragraph_id): (o.duplicate_of, o.duplicate_of_paragraph_id) for o in flagged}
    assert by_place == {("a", 3): (None, None), ("a", 5): ("a", 3), ("b", 0): ("a", 3), ("b", 1): (None, None)}
    assert not any(o.boilerplate for o in flagged)


def test_boilerplate_needs_enough_distinct_texts_in_one_folder() -> None:
    n = BOILERPLATE_MIN_DOCUMENTS
    in_site = [occurrence("lire", f"d{i}", 1, i) for i in range(n)]
    assert [o.boilerplate for o in flag_paragraphs(in_site)] == [True] * n
    # One fewer, spread over another folder, or exact copies of one text: not boilerplate.
    assert n > 1 and [o.boilerplate for o in flag_paragraphs(in_site[:-1])] == [False] * (n - 1)
    spread = in_site[:-1] + [occurrence("lire", "x", 1, 99, folder="other")]
    assert [o.boilerplate for o in flag_paragraphs(spread)] == [False] * n
    copies = [occurrence("lire", f"d{i}", 1, i, doc_key="same") for i in range(n)]
    assert [o.boilerplate for o in flag_paragraphs(copies)] == [False] * n


# ---------------------------------------------------------------------------------------------- one run, no folder


def indexed(doc_id: str, paragraphs: list[str], order: int, source: str | None = None) -> IndexedDoc:
    p = fingerprint(doc_id, source or f"site/{doc_id}.txt", paragraphs)
    return IndexedDoc(p.doc_id, p.source, p.doc_key, p.signature, p.paragraph_keys, order)


class MemoryIndex:
    """The stored index as the store keeps it, in memory: documents with flags, band rows that may go stale."""

    def __init__(self) -> None:
        self.docs: dict[int, IndexedDoc] = {}
        self.bands: list[tuple[int, int]] = []  # (band, order), never cleaned: stale rows must not matter
        self.occurrences: dict[tuple[str, int], Occurrence] = {}
        self.runs = 0

    def lookups(self) -> IndexLookups:
        docs = lambda pred: [d for d in self.docs.values() if pred(d)]  # noqa: E731
        return IndexLookups(
            by_doc_id=lambda ids: docs(lambda d: d.doc_id in ids),
            by_key=lambda keys: docs(lambda d: d.doc_key in keys),
            by_band=lambda bands: [self.docs[o] for b, o in self.bands if b in bands and o in self.docs],
            near_copies=lambda ids: docs(lambda d: d.near_duplicate_of in ids),
            occurrences=lambda keys: [o for o in self.occurrences.values() if o.key in keys],
        )

    def run(self, prints: list[DocPrint], removed: set[str]) -> DocumentResolution:
        self.runs += 1
        docs = resolve_documents(prints, removed, self.lookups(), first_order=self.runs << 32)
        stored = self.lookups().occurrences(paragraph_keys_touched(docs))
        paragraphs = resolve_bucket(stored, occurrences_of(docs.new), docs.gone_ids)
        for d in docs.gone:
            del self.docs[d.order]
        self.occurrences = {k: o for k, o in self.occurrences.items() if o.doc_id not in docs.gone_ids}
        for d in [*docs.changed, *docs.new]:
            self.docs[d.order] = d
        for d in [*[d for d in docs.new if d.duplicate_of is None], *docs.promoted]:
            self.bands += [(b, d.order) for b in bands_of(d.signature)]
        for o in paragraphs.flagged:
            self.occurrences[(o.doc_id, o.paragraph_id)] = o
        return docs

    def corpus(self) -> list[IndexedDoc]:
        return [self.docs[o] for o in sorted(self.docs)]


def test_resolve_documents_flags_new_copies_and_repoints_when_the_original_goes() -> None:
    index = MemoryIndex()
    index.run([fingerprint("a", "site/a.txt", WIRE), fingerprint("b", "site/b.txt", [w.upper() for w in WIRE])], set())
    assert [d.flags for d in index.corpus()] == [NOT_DUPLICATE, DocFlags(duplicate_of="a")]
    # The original is removed: the earlier copy becomes the first of its text, a new copy now points at it.
    resolution = index.run([fingerprint("c", "site/c.txt", [" ".join(WIRE)])], {"a"})
    assert [d.doc_id for d in index.corpus()] == ["b", "c"]
    assert resolution.updates == [("b", NOT_DUPLICATE), ("c", DocFlags(duplicate_of="b"))]
    assert resolution.gone_ids == frozenset({"a", "c"}) and [d.doc_id for d in resolution.gone] == ["a"]
    assert [d.order for d in resolution.new] == [2 << 32]
    assert [d.doc_id for d in resolution.promoted] == ["b"]
    assert resolution.corpus_delta == (0, 0, 0)  # one in, one out; one copy less (b), one more (c)
    stats = resolution.stats([], 0, 0, corpus=(2, 1, 0), seconds=0.0)
    assert (stats.duplicates, stats.earlier_documents_updated, stats.corpus_documents) == (1, 1, 2)


def test_resolve_documents_leaves_untouched_rows_without_updates() -> None:
    index = MemoryIndex()
    index.run([fingerprint("a", "site/a.txt", WIRE)], set())
    resolution = index.run([fingerprint("x", "site/x.txt", SAME_EVENT)], set())
    assert resolution.updates == [] and resolution.changed == []
    assert [d.flags for d in index.corpus()] == [NOT_DUPLICATE, NOT_DUPLICATE]


def test_a_changed_original_repoints_its_near_copies_and_copies_of_copies() -> None:
    index = MemoryIndex()
    retitled = ["SNCF : un train sur trois mardi, selon la direction", *WIRE[1:]]
    index.run([fingerprint("a", "a.txt", WIRE), fingerprint("b", "b.txt", retitled)], set())
    index.run(
        [
            fingerprint("c", "c.txt", [w.lower() for w in retitled]),
            fingerprint("d", "d.txt", [*WIRE[:3], WIRE[3][:150]]),
        ],
        set(),
    )
    flags = {d.doc_id: d.flags for d in index.corpus()}
    assert flags["b"].near_duplicate_of == "a" and flags["c"] == DocFlags(duplicate_of="b")
    # a is rewritten: b is compared again and finds nothing earlier; d, a near copy of a, now has b as best match.
    resolution = index.run([fingerprint("a", "a.txt", SAME_EVENT)], set())
    flags = {d.doc_id: d.flags for d in index.corpus()}
    assert flags["b"] == NOT_DUPLICATE and flags["c"] == DocFlags(duplicate_of="b")
    assert flags["d"].near_duplicate_of == "b"
    assert {doc_id for doc_id, _ in resolution.updates} == {"b", "d"}
    assert flags == flag_documents(index.corpus())


def test_a_promoted_copy_becomes_a_candidate_for_later_documents() -> None:
    index = MemoryIndex()
    shortened = [*WIRE[:3]]
    index.run([fingerprint("a", "a.txt", WIRE)], set())
    index.run([fingerprint("b", "b.txt", [w.upper() for w in WIRE])], set())
    index.run([fingerprint("c", "c.txt", shortened)], set())
    assert {d.doc_id: d.flags for d in index.corpus()}["c"].near_duplicate_of == "a"
    # a goes: b (an exact copy, never a candidate so far) is first now, and c must point at it.
    index.run([], {"a"})
    flags = {d.doc_id: d.flags for d in index.corpus()}
    assert flags["b"] == NOT_DUPLICATE and flags["c"].near_duplicate_of == "b"
    assert flags == flag_documents(index.corpus())


PARAGRAPH_POOL = [*WIRE, *SAME_EVENT, *(f"{w} Ajout numéro {n} de la rédaction." for n in range(3) for w in WIRE[1:])]


@st.composite
def run_sequences(draw: st.DrawFn) -> list[tuple[list[tuple[str, tuple[int, ...]]], list[str]]]:
    """Runs of (file name, paragraph picks) to write and names to prune: copies, near copies, changes, removals."""
    names = [f"f{i}" for i in range(8)]
    picks = st.lists(st.integers(0, len(PARAGRAPH_POOL) - 1), min_size=1, max_size=5).map(tuple)
    runs = []
    for _ in range(draw(st.integers(2, 5))):
        writes = draw(st.lists(st.tuples(st.sampled_from(names), picks), max_size=4, unique_by=lambda w: w[0]))
        prunes = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
        runs.append((writes, [p for p in prunes if p not in {w[0] for w in writes}]))
    return runs


def text_of(picks: tuple[int, ...], variant: int) -> list[str]:
    paragraphs = [PARAGRAPH_POOL[i] for i in picks]
    return [p.upper() for p in paragraphs] if variant else paragraphs


@given(run_sequences(), st.lists(st.integers(0, 1), min_size=40, max_size=40))
def test_incremental_flags_equal_flags_of_the_whole_corpus_in_first_seen_order(
    runs: list[tuple[list[tuple[str, tuple[int, ...]]], list[str]]], variants: list[int]
) -> None:
    index = MemoryIndex()
    present: set[str] = set()
    for i, (writes, prunes) in enumerate(runs):
        prints = [
            fingerprint(name, f"{name}.txt", text_of(p, variants[(i * 5 + j) % 40]))
            for j, (name, p) in enumerate(writes)
        ]
        index.run(prints, {p for p in prunes if p in present})
        present = (present | {w[0] for w in writes}) - set(prunes)
        corpus = index.corpus()
        assert sorted(d.doc_id for d in corpus) == sorted(present)
        assert {d.doc_id: d.flags for d in corpus} == flag_documents(corpus)
        expected = {(o.doc_id, o.paragraph_id): o.flags for o in flag_paragraphs(occurrences_of(corpus))}
        assert {k: o.flags for k, o in index.occurrences.items()} == expected


def test_band_hashes_are_equal_exactly_for_equal_bands() -> None:
    a = fingerprint("a", "a.txt", WIRE).signature
    b = fingerprint("b", "b.txt", ["SNCF : un train sur trois mardi, selon la direction", *WIRE[1:]]).signature
    rows_a = np.frombuffer(a, "<u4").reshape(LSH_BANDS, LSH_ROWS)
    rows_b = np.frombuffer(b, "<u4").reshape(LSH_BANDS, LSH_ROWS)
    same = (rows_a == rows_b).all(axis=1)
    assert 0 < same.sum() < LSH_BANDS and share_band(a, b)
    assert [x == y for x, y in zip(bands_of(a), bands_of(b), strict=True)] == same.tolist()
    assert len(set(bands_of(a))) == LSH_BANDS  # the band index is mixed in: equal rows in two bands differ
    assert not share_band(a, fingerprint("c", "c.txt", SAME_EVENT).signature) and bands_of(b"") == []


def test_resolve_bucket_counts_this_runs_flags_and_changes_on_stored_rows() -> None:
    n = BOILERPLATE_MIN_DOCUMENTS
    stored = [occurrence("lire", f"d{i}", 1, i) for i in range(n - 1)]
    stored = [
        replace(o, duplicate_of=None if i == 0 else "d0", duplicate_of_paragraph_id=None if i == 0 else 1)
        for i, o in enumerate(stored)
    ]
    fresh = [occurrence("lire", "new", 2, 100)]
    resolved = resolve_bucket(stored, fresh, frozenset({"new"}))
    # The fifth text makes the line boilerplate everywhere: every stored row changes, and the new one is a duplicate.
    assert [(o.doc_id, o.boilerplate) for o in resolved.updates] == [(f"d{i}", True) for i in range(n - 1)] + [
        ("new", True)
    ]
    assert (resolved.new_duplicates, resolved.new_boilerplate) == (1, 1)


def test_touched_paragraph_keys_are_those_of_new_and_gone_documents() -> None:
    index = MemoryIndex()
    index.run([fingerprint("a", "a.txt", ["Une ligne.", "", "Une autre ligne."])], set())
    resolution = resolve_documents(
        [fingerprint("b", "b.txt", ["Une troisième."])], {"a"}, index.lookups(), first_order=9 << 32
    )
    assert paragraph_keys_touched(resolution) == sorted(
        {text_key("Une ligne."), text_key("Une autre ligne."), text_key("Une troisième.")}
    )
    assert [(o.doc_id, o.paragraph_id) for o in occurrences_of(index.corpus())] == [("a", 0), ("a", 2)]


def test_a_document_that_becomes_first_is_compared_with_later_ones_even_under_a_key_collision() -> None:
    # Equal keys normally mean equal words and so equal signatures; records with one key and two signatures (a
    # 64-bit key collision) check that a promoted document is offered to later documents as a candidate.
    index = MemoryIndex()
    wire, event = fingerprint("a", "a.txt", WIRE), fingerprint("b", "b.txt", SAME_EVENT)
    index.run([replace(wire, doc_key="k")], set())
    index.run([replace(event, doc_key="k")], set())
    index.run([fingerprint("c", "c.txt", ["Les voyageurs s'organisent face à la grève", *SAME_EVENT[1:]])], set())
    assert {d.doc_id: d.flags for d in index.corpus()}["c"] == NOT_DUPLICATE
    index.run([], {"a"})
    flags = {d.doc_id: d.flags for d in index.corpus()}
    assert flags["b"] == NOT_DUPLICATE and flags["c"].near_duplicate_of == "b"
    assert flags == flag_documents(index.corpus())
