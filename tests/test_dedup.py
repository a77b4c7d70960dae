"""Keys, signatures and flags of tasks/dedup.py on inline texts."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from tasks.dedup import (
    BOILERPLATE_MIN_DOCUMENTS,
    NEAR_DUPLICATE_MIN_WORDS,
    NOT_DUPLICATE,
    DocFlags,
    IndexedDoc,
    Occurrence,
    bucket_of,
    fingerprint,
    flag_documents,
    flag_paragraphs,
    folder_of,
    normalize,
    paragraphs_by_bucket,
    resolve_bucket,
    resolve_documents,
    similarity,
    text_key,
    touched_buckets,
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


def test_resolve_documents_flags_new_copies_and_repoints_when_the_original_goes() -> None:
    original = indexed("a", WIRE, 1)
    copy = replace(indexed("b", [w.upper() for w in WIRE], 2), duplicate_of="a")
    # The original is removed: the earlier copy becomes the first of its text, a new copy now points at it.
    third = fingerprint("c", "site/c.txt", [" ".join(WIRE)])
    resolution = resolve_documents([original, copy], [third], {"a"}, first_order=10)
    assert [d.doc_id for d in resolution.indexed] == ["b", "c"]
    assert resolution.updates == [("b", NOT_DUPLICATE), ("c", DocFlags(duplicate_of="b"))]
    assert resolution.gone == frozenset({"a", "c"})
    assert [d.order for d in resolution.new] == [10]
    stats = resolution.stats([], 0, 0, seconds=0.0)
    assert (stats.duplicates, stats.earlier_documents_updated, stats.corpus_documents) == (1, 1, 2)


def test_resolve_documents_leaves_untouched_rows_without_updates() -> None:
    a = indexed("a", WIRE, 1)
    resolution = resolve_documents([a], [fingerprint("x", "site/x.txt", SAME_EVENT)], set(), first_order=5)
    assert resolution.updates == []
    assert [d.flags for d in resolution.indexed] == [NOT_DUPLICATE, NOT_DUPLICATE]


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


def test_paragraph_buckets_follow_key_prefixes() -> None:
    doc = indexed("a", ["Une ligne.", "", "Une autre ligne."], 3)
    buckets = paragraphs_by_bucket([doc])
    assert sorted(buckets) == sorted({bucket_of(k) for k in doc.paragraph_keys if k})
    assert sorted(o.paragraph_id for group in buckets.values() for o in group) == [0, 2]
    assert touched_buckets(resolve_documents([], [], {"a"}, first_order=0), [doc]) == sorted(buckets)
