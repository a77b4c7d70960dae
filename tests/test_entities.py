"""Entity post-processing over hand-made raw spans, one run of the real model, and the span invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.entities import EntityFinding, Gazetteer, fold, place_key, refine_entities
from tasks.models import _pieces

# A small hand gazetteer keeps these tests pure and independent of the packages' contents.
GAZ = Gazetteer(
    countries={"mali": "Mali", "russie": "Russie", "allemagne": "Allemagne", "etats unis": "États-Unis"},
    places={"bamako": "Bamako", "berlin": "Berlin", "madrid": "Madrid"},
)


def spans_of(paragraphs: list[str], *wanted: tuple[int, str, str]) -> list[list[tuple[int, int, str]]]:
    """Raw spans from (paragraph, substring, label), located at the substring's first occurrence."""
    out: list[list[tuple[int, int, str]]] = [[] for _ in paragraphs]
    for p, sub, label in wanted:
        start = paragraphs[p].index(sub)
        out[p].append((start, start + len(sub), label))
    return out


def found(findings: list[EntityFinding]) -> list[tuple[int, str, str, str]]:
    return [(f.paragraph, f.text, f.label, f.norm) for f in findings]


def test_honorific_is_left_outside_and_surname_takes_the_full_name() -> None:
    paras = ["Sergueï Lavrov est arrivé.", "« Nous aiderons le Mali », a dit M. Lavrov à Bamako."]
    spans = spans_of(
        paras, (0, "Sergueï Lavrov", "PER"), (1, "M. Lavrov", "PER"), (1, "Mali", "LOC"), (1, "Bamako", "LOC")
    )
    got = refine_entities(paras, spans, gazetteer=GAZ)
    assert found(got) == [
        (0, "Sergueï Lavrov", "PER", "Sergueï Lavrov"),
        (1, "Mali", "LOC", "Mali"),
        (1, "Lavrov", "PER", "Sergueï Lavrov"),
        (1, "Bamako", "LOC", "Bamako"),
    ]
    lavrov = got[2]
    assert (lavrov.start, lavrov.end) == (paras[1].index("Lavrov"), paras[1].index("Lavrov") + 6)


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        ("Mme Merkel a reçu Herr Schmidt.", "Mme Merkel", "Merkel"),
        ("Yesterday Mrs. Thatcher spoke in Brighton.", "Mrs. Thatcher", "Thatcher"),
        ("El Sr. García llegó a Madrid.", "Sr. García", "García"),
        ("Le général Prim est entré à Madrid.", "général Prim", "Prim"),
        ("Le général de Gaulle parle.", "général de Gaulle", "de Gaulle"),
        ("Selon Mgr Lustiger, rien ne change.", "Mgr Lustiger", "Lustiger"),
    ],
)
def test_titles_stay_outside_person_spans_in_several_languages(text: str, raw: str, expected: str) -> None:
    got = refine_entities([text], spans_of([text], (0, raw, "PER")), gazetteer=GAZ)[0]
    assert (got.text, got.label) == (expected, "PER")
    assert text[got.start : got.end] == expected


def test_cleanup_strips_punctuation_and_drops_what_is_no_name() -> None:
    text = "« Bamako », dit-il : 1998 ; M. ; ici ; X ; II ; «Berlin»."
    spans = spans_of(
        [text],
        (0, "« Bamako »", "LOC"),
        (0, "1998", "MISC"),
        (0, "M.", "PER"),
        (0, "ici", "LOC"),
        (0, "X", "PER"),
        (0, "II", "LOC"),
        (0, "«Berlin».", "LOC"),
    )
    assert found(refine_entities([text], spans, gazetteer=GAZ)) == [
        (0, "Bamako", "LOC", "Bamako"),
        (0, "Berlin", "LOC", "Berlin"),
    ]


def test_unknown_labels_and_out_of_range_offsets_are_dropped_not_raised() -> None:
    text = "Paris est loin."
    assert (
        refine_entities(
            [text], [[(0, 5, "GPE"), (-4, 2, "LOC"), (10, 500, "ORG"), (9, 3, "PER")]], gazetteer=GAZ
        )
        == []
    )


def test_a_known_country_is_never_a_person_but_a_person_after_an_honorific_stays_one() -> None:
    paras = ["Le Mali et l'Allemagne ont signé.", "M. Berlin, maire de la ville, a signé aussi."]
    spans = spans_of(paras, (0, "Mali", "PER"), (0, "Allemagne", "ORG"), (1, "Berlin", "LOC"))
    assert found(refine_entities(paras, spans, gazetteer=GAZ)) == [
        (0, "Mali", "LOC", "Mali"),
        (0, "Allemagne", "LOC", "Allemagne"),
        (1, "Berlin", "PER", "Berlin"),
    ]


def test_wagner_after_an_organisation_noun_is_an_organisation_in_the_whole_document() -> None:
    paras = [
        "Des mercenaires de Wagner sont arrivés.",
        "Wagner dément.",
        "Richard Wagner composait des opéras.",
    ]
    spans = spans_of(paras, (0, "Wagner", "PER"), (1, "Wagner", "PER"), (2, "Richard Wagner", "PER"))
    assert found(refine_entities(paras[:2], spans[:2], gazetteer=GAZ)) == [
        (0, "Wagner", "ORG", "Wagner"),
        (1, "Wagner", "ORG", "Wagner"),
    ]
    # With the composer's full name in the document the surname alone is a person again.
    assert [f.label for f in refine_entities(paras[1:], spans[1:], gazetteer=GAZ)] == ["PER", "PER"]


def test_split_organisation_is_merged_across_et_de() -> None:
    text = "Il renforce les Forces de Défense et de Sécurité du Mali depuis 2021."
    spans = spans_of([text], (0, "Forces de Défense", "ORG"), (0, "Sécurité du Mali", "LOC"))
    assert found(refine_entities([text], spans, gazetteer=GAZ)) == [
        (0, "Forces de Défense et de Sécurité du Mali", "ORG", "Forces de Défense et de Sécurité du Mali")
    ]


def test_one_label_per_name_by_majority() -> None:
    paras = ["Diop a parlé.", "Diop a signé.", "Selon Diop, tout va bien."]
    spans = spans_of(paras, (0, "Diop", "PER"), (1, "Diop", "LOC"), (2, "Diop", "PER"))
    assert [f.label for f in refine_entities(paras, spans, gazetteer=GAZ)] == ["PER", "PER", "PER"]


def test_demonyms_after_a_determiner_are_not_places() -> None:
    text = "Les Allemands et les Suisses ont voté, la Russie non."
    spans = spans_of([text], (0, "Allemands", "LOC"), (0, "Suisses", "LOC"), (0, "Russie", "ORG"))
    assert found(refine_entities([text], spans, gazetteer=GAZ)) == [
        (0, "Allemands", "MISC", "Allemands"),
        (0, "Suisses", "MISC", "Suisses"),
        (0, "Russie", "LOC", "Russie"),
    ]


def test_missed_repeats_and_surnames_are_added_and_acronyms_kept() -> None:
    paras = ["Abdoulaye Diop dirige l'ONU locale.", "Diop a rencontré la presse, puis l'ONU a répondu."]
    spans = spans_of(paras, (0, "Abdoulaye Diop", "PER"), (0, "ONU", "ORG"))
    assert found(refine_entities(paras, spans, gazetteer=GAZ)) == [
        (0, "Abdoulaye Diop", "PER", "Abdoulaye Diop"),
        (0, "ONU", "ORG", "ONU"),
        (1, "Diop", "PER", "Abdoulaye Diop"),
        (1, "ONU", "ORG", "ONU"),
    ]


def test_paragraphs_without_model_spans_and_empty_documents() -> None:
    assert refine_entities([], [], gazetteer=GAZ) == []
    assert refine_entities(["Sin modelo, sin nombres.", "Rien ici."], [[], []], gazetteer=GAZ) == []
    # Known places and names after a courtesy title are found even where the model found nothing.
    paras = ["Berlin brûle-t-il ?", "Herr Schmidt wohnt in Madrid, sagt Mme Dupont."]
    assert found(refine_entities(paras, [[], []], gazetteer=GAZ)) == [
        (0, "Berlin", "LOC", "Berlin"),
        (1, "Madrid", "LOC", "Madrid"),
        (1, "Dupont", "PER", "Dupont"),
    ]


def test_repeats_are_whole_words_and_a_shorter_name_is_taken_where_the_longer_one_does_not_fit() -> None:
    paras = ["Jean Paul et Jean arrivent.", "Jean Paulette attend Jean-Paul, puis Jean_Paul et Jean.", ""]
    got = refine_entities(paras, [[(0, 9, "PER"), (13, 17, "PER")], [], []], gazetteer=GAZ)
    assert [(f.paragraph, f.start, f.text, f.label, f.norm) for f in got] == [
        (0, 0, "Jean Paul", "PER", "Jean Paul"),
        (0, 13, "Jean", "PER", "Jean"),
        (1, 0, "Jean", "PER", "Jean"),  # `Jean Paul` does not fit in `Jean Paulette`, `Jean` does
        (1, 50, "Jean", "PER", "Jean"),  # not in `Jean-Paul` nor `Jean_Paul`
    ]


def test_known_places_stand_alone_and_are_not_glued_to_other_words() -> None:
    paras = ["Ouest-Berlin, aBerlin et Berlin.", "", "Bamako\nBerlin, à Madrid."]
    got = refine_entities(paras, [[], [], []], gazetteer=GAZ)
    assert [(f.paragraph, f.start, f.text, f.label) for f in got] == [
        (0, 25, "Berlin", "LOC"),
        (2, 17, "Madrid", "LOC"),  # two capitalised words in a row read as one longer name
    ]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Selon MM. Dupont et Durand, rien ne change.", ["Dupont"]),
        ("Yesterday Mrs. Smith and Dr Watson met Pr Moriarty.", ["Smith", "Watson", "Moriarty"]),
        ("AMme Dupont, .Mr Smith et Mmes Durand.", ["Durand"]),
        ("Mgr Lustiger et Me Dupond-Moretti, M. de Gaulle.", ["Lustiger", "Dupond-Moretti", "de Gaulle"]),
    ],
)
def test_names_after_courtesy_titles_are_found_without_model_spans(text: str, names: list[str]) -> None:
    got = refine_entities([text], [[]], gazetteer=GAZ)
    assert [(f.text, f.label) for f in got] == [(name, "PER") for name in names]


def test_a_tie_leaves_the_model_labels_and_a_title_before_a_name_makes_a_person() -> None:
    paras = ["Diop a parlé.", "Diop a signé."]
    assert [f.label for f in refine_entities(paras, [[(0, 4, "PER")], [(0, 4, "LOC")]], gazetteer=GAZ)] == [
        "PER",
        "LOC",
    ]
    text = "Le général Prim et le capitaine\nHaddock, mais xgénéral Tintin."
    spans = spans_of([text], (0, "Prim", "LOC"), (0, "Haddock", "LOC"), (0, "Tintin", "LOC"))
    assert found(refine_entities([text], spans, gazetteer=GAZ)) == [
        (0, "Prim", "PER", "Prim"),
        (0, "Haddock", "PER", "Haddock"),
        (0, "Tintin", "LOC", "Tintin"),  # `xgénéral` is no title
    ]


def test_default_gazetteer_from_packages_normalises_places() -> None:
    text = "Les ETATS-UNIS et la Fédération de la Russie, puis Moscou et Genève."
    spans = spans_of(
        [text],
        (0, "ETATS-UNIS", "ORG"),
        (0, "Fédération de la Russie", "ORG"),
        (0, "Moscou", "MISC"),
        (0, "Genève", "ORG"),
    )
    assert found(refine_entities([text], spans)) == [
        (0, "ETATS-UNIS", "LOC", "États-Unis"),
        (0, "Fédération de la Russie", "LOC", "Russie"),
        (0, "Moscou", "LOC", "Moscou"),
        (0, "Genève", "LOC", "Genève"),
    ]


def test_fold_ignores_case_accents_and_dashes() -> None:
    assert fold("ÉTATS-UNIS") == fold("Etats Unis") == "etats unis"
    assert fold("L’Haÿ") == "l hay"
    assert fold(" Jean–Paul\u00a0`Sartre`\t") == fold("jean paul sartre") == "jean paul sartre"
    assert place_key("République du Mali") == place_key("république de Mali") == "republique mali"


_LABEL = st.sampled_from(["PER", "LOC", "ORG", "MISC", "DATE"])
_TEXT = st.lists(
    st.sampled_from([*"aAbBéÉ M.«» ,'’-xX1\n", "Mme ", "M. ", " de ", " et ", "les ", "Mali", "Wagner"]),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    paragraphs=st.lists(_TEXT, max_size=4),
    raw=st.lists(
        st.lists(st.tuples(st.integers(-3, 70), st.integers(-3, 70), _LABEL), max_size=6), max_size=5
    ),
)
def test_every_finding_is_a_nonempty_exact_slice(paragraphs: list[str], raw: list) -> None:
    findings = refine_entities(paragraphs, raw, gazetteer=GAZ)
    for f in findings:
        assert 0 <= f.start < f.end <= len(paragraphs[f.paragraph])
        assert paragraphs[f.paragraph][f.start : f.end] == f.text
        assert f.label in ("PER", "LOC", "ORG", "MISC") and f.norm
    positions = [(f.paragraph, f.start, f.end) for f in findings]
    assert positions == sorted(positions)
    assert all(a[0] != b[0] or a[2] <= b[1] for a, b in zip(positions, positions[1:], strict=False))


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab .!\n")), max_size=400), limit=st.integers(5, 80))
def test_long_texts_are_cut_into_pieces_that_rebuild_them(text: str, limit: int) -> None:
    pieces = list(_pieces(text, limit))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= limit and text[o : o + len(p)] == p for o, p in pieces)


@pytest.fixture(scope="module")
def ner():  # type: ignore[no-untyped-def]
    from tasks.models import french_ner

    return french_ner()


@pytest.mark.slow
def test_real_model_on_a_seed_like_article(ner) -> None:  # type: ignore[no-untyped-def]
    paras = [
        "Sergueï Lavrov a été reçu mardi à Bamako par son homologue Abdoulaye Diop.",
        "M. Lavrov a promis au Mali de nouvelles livraisons d'armes, selon l'agence Reuters.",
        "Des mercenaires du groupe Wagner sont déployés au Mali depuis 2021.",
    ]
    got = refine_entities(paras, ner(paras))
    triples = {(f.text, f.label, f.norm) for f in got}
    assert {
        ("Lavrov", "PER", "Sergueï Lavrov"),
        ("Abdoulaye Diop", "PER", "Abdoulaye Diop"),
        ("Bamako", "LOC", "Bamako"),
        ("Mali", "LOC", "Mali"),
    } <= triples
    assert ("Wagner", "ORG", "Wagner") in triples
    # A text longer than one model piece keeps offsets into the whole text.
    long = "Il pleut. " * 3000 + "Angela Merkel est à Berlin."
    (spans,) = ner([long])
    assert ("Berlin", "LOC") in {(long[s:e], label) for s, e, label in spans}
