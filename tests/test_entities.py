"""Entity post-processing over hand-made raw spans, one run of the real model, and the span invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.entities import EntityFinding, EntityRules, Gazetteer, fold, place_key, refine_entities
from tasks.models import _pieces, place_gazetteer

# A small hand gazetteer keeps these tests pure and independent of the packages' contents.
GAZ = Gazetteer(
    countries={"mali": "Mali", "russie": "Russie", "allemagne": "Allemagne", "etats unis": "États-Unis"},
    places={"bamako": "Bamako", "berlin": "Berlin", "madrid": "Madrid"},
)
GAZ_ORGS = Gazetteer(countries={"france": "France"}, places={"paris": "Paris"})


def spans_of(paragraphs: list[str], *wanted: tuple[int, str, str]) -> list[list[tuple[int, int, str]]]:
    """Raw spans from (paragraph, substring, label), located at the substring's first occurrence."""
    out: list[list[tuple[int, int, str]]] = [[] for _ in paragraphs]
    for p, sub, label in wanted:
        start = paragraphs[p].index(sub)
        out[p].append((start, start + len(sub), label))
    return out


def found(findings: list[EntityFinding]) -> list[tuple[int, str, str, str]]:
    return [(f.paragraph_id, f.text, f.label, f.norm) for f in findings]


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
        refine_entities([text], [[(0, 5, "GPE"), (-4, 2, "LOC"), (10, 500, "ORG"), (9, 3, "PER")]], gazetteer=GAZ) == []
    )


def test_a_known_country_is_never_a_person_but_a_person_after_an_honorific_stays_one() -> None:
    paras = ["Le Mali et l'Allemagne ont signé.", "M. Berlin, maire de la ville, a signé aussi."]
    spans = spans_of(paras, (0, "Mali", "PER"), (0, "Allemagne", "ORG"), (1, "Berlin", "LOC"))
    assert found(refine_entities(paras, spans, gazetteer=GAZ)) == [
        (0, "Mali", "LOC", "Mali"),
        (0, "Allemagne", "LOC", "Allemagne"),
        (1, "Berlin", "PER", "Berlin"),
    ]


def test_rules_switch_off_one_at_a_time() -> None:
    text = "Selon M. Lavrov, la France attend."
    spans = spans_of([text], (0, "M. Lavrov", "PER"), (0, "la France", "LOC"))
    assert found(refine_entities([text], spans, GAZ)) == [
        (0, "Lavrov", "PER", "Lavrov"),
        (0, "France", "LOC", "France"),
    ]
    assert found(refine_entities([text], spans, GAZ, EntityRules(honorifics=False, articles=False))) == [
        (0, "M. Lavrov", "PER", "M. Lavrov"),
        (0, "la France", "LOC", "la France"),
    ]


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        # Both conjuncts name a body alone: a known place ends the first, an acronym is the second.
        (
            "Les travaux de Réseau Ferré de France et de CEMEX ont commencé.",
            "Réseau Ferré de France et de CEMEX",
            ["Réseau Ferré de France", "CEMEX"],
        ),
        ("Die Aktien von Siemens und BASF fielen.", "Siemens und BASF", ["Siemens", "BASF"]),
        ("El acuerdo entre Telefónica y BBVA se firmó.", "Telefónica y BBVA", ["Telefónica", "BBVA"]),
        ("Shares of Air France and KLM rose.", "Air France and KLM", ["Air France", "KLM"]),
        ("Le capital de Renault, PSA et Michelin.", "Renault, PSA et Michelin", ["Renault", "PSA", "Michelin"]),
        # No conjunct names anything alone: one name.
        ("Il a rejoint Procter & Gamble en 2001.", "Procter & Gamble", ["Procter & Gamble"]),
        ("Le Conservatoire des Arts et Métiers ouvre.", "Conservatoire des Arts et Métiers", None),
        (
            "El Ministerio de Asuntos Exteriores y de Cooperación informa.",
            "Ministerio de Asuntos Exteriores y de Cooperación",
            None,
        ),
        # An acronym in brackets names the whole as one body.
        (
            "L'Office de Tourisme de Paris et de France (OTPF) ouvre.",
            "Office de Tourisme de Paris et de France",
            None,
        ),
    ],
)
def test_an_organisation_never_spans_a_coordination_of_two_names(
    text: str, raw: str, expected: list[str] | None
) -> None:
    got = refine_entities([text], spans_of([text], (0, raw, "ORG")), GAZ_ORGS)
    assert [(f.text, f.label) for f in got] == [(name, "ORG") for name in expected or [raw]]
    assert all(text[f.start : f.end] == f.text for f in got)


def test_two_organisations_of_the_model_are_never_merged() -> None:
    text = "Les Forces de Défense et de Sécurité du Mali, puis Netscape et Microsoft."
    spans = spans_of(
        [text],
        (0, "Forces de Défense", "ORG"),
        (0, "Sécurité du Mali", "LOC"),
        (0, "Netscape", "ORG"),
        (0, "Microsoft", "ORG"),
    )
    assert [(f.text, f.label) for f in refine_entities([text], spans, GAZ)] == [
        ("Forces de Défense", "ORG"),
        ("Sécurité du Mali", "LOC"),
        ("Netscape", "ORG"),
        ("Microsoft", "ORG"),
    ]


@pytest.mark.parametrize(
    ("paras", "raw", "expected"),
    [
        # A headline capitalises the noun; the body writes it in lowercase.
        # (The body's `Higgs` is a repeat of the name found in the headline.)
        (
            ["Boson de Higgs", "Le boson de Higgs a été observé."],
            [(0, "Boson de Higgs")],
            [(0, "Higgs"), (1, "Higgs")],
        ),
        # A singular determiner before the noun.
        (["La Maladie de Parkinson progresse."], [(0, "Maladie de Parkinson")], [(0, "Parkinson")]),
        (["On démontre le Théorème de Pythagore."], [(0, "Théorème de Pythagore")], [(0, "Pythagore")]),
        # The model's span opens with the lowercase noun itself.
        (["Il cite le principe d'Archimède."], [(0, "principe d'Archimède")], [(0, "Archimède")]),
        # First names stay: no determiner, and the lowercase word elsewhere is not the same phrase.
        (["Charles de Gaulle parle."], [(0, "Charles de Gaulle")], [(0, "Charles de Gaulle")]),
        (
            ["Pierre de Coubertin pose la première pierre du stade."],
            [(0, "Pierre de Coubertin")],
            [(0, "Pierre de Coubertin")],
        ),
        # Plural determiners name families; titles belong to the honorific rules.
        (["Les Bourbons de Naples régnaient."], [(0, "Bourbons de Naples")], [(0, "Bourbons de Naples")]),
    ],
)
def test_a_person_is_never_a_common_noun_phrase(
    paras: list[str], raw: list[tuple[int, str]], expected: list[tuple[int, str]]
) -> None:
    got = refine_entities(paras, spans_of(paras, *((p, sub, "PER") for p, sub in raw)), GAZ)
    assert [(f.paragraph_id, f.text, f.label) for f in got] == [(p, name, "PER") for p, name in expected]


def test_a_surname_joins_the_one_full_name_it_ends_and_a_shared_surname_stays_itself() -> None:
    paras = ["Le boson de Higgs porte le nom de Peter Higgs.", "Higgs a reçu le prix Nobel."]
    spans = spans_of(paras, (0, "boson de Higgs", "PER"), (0, "Peter Higgs", "PER"), (1, "Higgs", "PER"))
    assert [(f.text, f.norm) for f in refine_entities(paras, spans, GAZ)] == [
        ("Higgs", "Peter Higgs"),
        ("Peter Higgs", "Peter Higgs"),
        ("Higgs", "Peter Higgs"),
    ]
    paras = ["Peter Higgs et Mary Higgs sont venus.", "Higgs a parlé."]
    spans = spans_of(paras, (0, "Peter Higgs", "PER"), (0, "Mary Higgs", "PER"), (1, "Higgs", "PER"))
    assert [f.norm for f in refine_entities(paras, spans, GAZ)] == ["Peter Higgs", "Mary Higgs", "Higgs"]


def test_norms_keep_the_documents_own_spelling_case_and_script() -> None:
    paras = [
        "TOMBOUCTOU SOUS TENSION",
        "L'ETA a frappé. Les Länder votent.",
        "Сергей Лавров прибыл в Бамако. Лавров заявил, что Bamako ждёт.",
        "À Tombouctou, 東京 et Zürich.",
    ]
    spans = spans_of(
        paras,
        (0, "TOMBOUCTOU", "LOC"),
        (1, "ETA", "ORG"),
        (1, "Länder", "MISC"),
        (2, "Сергей Лавров", "PER"),
        (2, "Бамако", "LOC"),
        (3, "Tombouctou", "LOC"),
        (3, "東京", "LOC"),
        (3, "Zürich", "LOC"),
    )
    spans[2].append((paras[2].rindex("Лавров"), paras[2].rindex("Лавров") + 6, "PER"))
    got = refine_entities(paras, spans, GAZ)
    assert [(f.text, f.norm) for f in got] == [
        ("TOMBOUCTOU", "Tombouctou"),  # a headline in capitals takes the document's mixed-case spelling
        ("ETA", "ETA"),
        ("Länder", "Länder"),
        ("Сергей Лавров", "Сергей Лавров"),
        ("Бамако", "Бамако"),
        ("Лавров", "Сергей Лавров"),
        ("Bamako", "Bamako"),  # found as a known place, in the Latin script of the gazetteer
        ("Tombouctou", "Tombouctou"),
        ("東京", "東京"),  # no capital in its script, and a name all the same
        ("Zürich", "Zürich"),
    ]


def test_a_single_name_after_a_preposition_of_place_is_a_place_but_not_after_one_of_relation() -> None:
    text = "Il a joué à Kloten et en Valais, puis face à Muguruza et grâce à Citroën."
    spans = spans_of(
        [text], (0, "Kloten", "ORG"), (0, "Valais", "MISC"), (0, "Muguruza", "MISC"), (0, "Citroën", "ORG")
    )
    assert [(f.text, f.label) for f in refine_entities([text], spans, GAZ)] == [
        ("Kloten", "LOC"),
        ("Valais", "LOC"),
        ("Muguruza", "MISC"),
        ("Citroën", "ORG"),
    ]


def test_a_name_in_apposition_to_an_organisation_noun_is_an_organisation_in_the_whole_document() -> None:
    paras = [
        "Des mercenaires du groupe Wagner sont arrivés, selon la firme américaine Maxar.",
        "Wagner dément. Il est venu en compagnie de Béraud et prend le parti de Milošević.",
        "Richard Wagner composait des opéras.",
    ]
    spans = spans_of(
        paras,
        (0, "Wagner", "PER"),
        (0, "Maxar", "LOC"),
        (1, "Wagner", "PER"),
        (1, "Béraud", "PER"),
        (1, "Milošević", "PER"),
        (2, "Richard Wagner", "PER"),
    )
    got = refine_entities(paras[:2], spans[:2], GAZ)
    assert [(f.text, f.label) for f in got] == [
        ("Wagner", "ORG"),
        ("Maxar", "ORG"),
        ("Wagner", "ORG"),  # the evidence carries to the name's other mentions
        ("Béraud", "PER"),  # after `de` a name is a complement, not an apposition
        ("Milošević", "PER"),
    ]
    # With the composer's full name in the document the surname alone is a person again.
    assert [f.label for f in refine_entities(paras[1:], spans[1:], GAZ)][0] == "PER"


def test_one_label_per_name_by_majority() -> None:
    paras = ["Diop a parlé.", "Diop a signé.", "Selon Diop, tout va bien."]
    spans = spans_of(paras, (0, "Diop", "PER"), (1, "Diop", "LOC"), (2, "Diop", "PER"))
    assert [f.label for f in refine_entities(paras, spans, gazetteer=GAZ)] == ["PER", "PER", "PER"]


def test_demonyms_after_a_determiner_are_not_places_but_plural_place_names_are() -> None:
    text = "Les Allemands, les Marseillais et des Italiennes ont voté dans les Alpes et les Apennins, la Russie non."
    spans = spans_of(
        [text],
        (0, "Allemands", "LOC"),
        (0, "Marseillais", "LOC"),
        (0, "Italiennes", "LOC"),
        (0, "Alpes", "LOC"),
        (0, "Apennins", "LOC"),
        (0, "Russie", "ORG"),
    )
    assert [(f.text, f.label) for f in refine_entities([text], spans, GAZ)] == [
        ("Allemands", "MISC"),
        ("Marseillais", "MISC"),
        ("Italiennes", "MISC"),
        ("Alpes", "LOC"),
        ("Apennins", "LOC"),
        ("Russie", "LOC"),
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
    assert [(f.paragraph_id, f.start, f.text, f.label, f.norm) for f in got] == [
        (0, 0, "Jean Paul", "PER", "Jean Paul"),
        (0, 13, "Jean", "PER", "Jean"),
        (1, 0, "Jean", "PER", "Jean"),  # `Jean Paul` does not fit in `Jean Paulette`, `Jean` does
        (1, 50, "Jean", "PER", "Jean"),  # not in `Jean-Paul` nor `Jean_Paul`
    ]


def test_known_places_stand_alone_and_are_not_glued_to_other_words() -> None:
    paras = ["Ouest-Berlin, aBerlin et Berlin.", "", "Bamako\nBerlin, à Madrid."]
    got = refine_entities(paras, [[], [], []], gazetteer=GAZ)
    assert [(f.paragraph_id, f.start, f.text, f.label) for f in got] == [
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


def test_package_gazetteer_confirms_labels_and_never_rewrites_the_name() -> None:
    text = "Les ETATS-UNIS et la Fédération de la Russie, puis Pékin, Alep, Séoul, Moscou, Genève et Toyota."
    spans = spans_of(
        [text],
        (0, "ETATS-UNIS", "ORG"),
        (0, "Fédération de la Russie", "ORG"),
        (0, "Pékin", "PER"),
        (0, "Alep", "MISC"),
        (0, "Séoul", "MISC"),
        (0, "Moscou", "MISC"),
        (0, "Genève", "LOC"),
        (0, "Toyota", "ORG"),
    )
    # The packages spell these `États-Unis`, `Russie`, `Pekîn`, `Alèp`, `Seoul`: the text keeps its own.
    assert found(refine_entities([text], spans, place_gazetteer())) == [
        (0, "ETATS-UNIS", "LOC", "ETATS-UNIS"),
        (0, "Fédération de la Russie", "LOC", "Fédération de la Russie"),
        (0, "Pékin", "PER", "Pékin"),  # a city's name over a model's person: the model stays (only countries win)
        (0, "Alep", "LOC", "Alep"),
        (0, "Séoul", "LOC", "Séoul"),
        (0, "Moscou", "LOC", "Moscou"),
        (0, "Genève", "LOC", "Genève"),
        (0, "Toyota", "ORG", "Toyota"),  # a company or a club named after its town: the model's ORG stays
    ]


def test_fold_ignores_case_accents_and_dashes() -> None:
    assert fold("ÉTATS-UNIS") == fold("Etats Unis") == "etats unis"
    assert fold("L’Haÿ") == "l hay"
    assert fold(" Jean–Paul\u00a0`Sartre`\t") == fold("jean paul sartre") == "jean paul sartre"
    assert place_key("République du Mali") == place_key("république de Mali") == "republique mali"


_LABEL = st.sampled_from(["PER", "LOC", "ORG", "MISC", "DATE"])
_TEXT = st.lists(
    st.sampled_from(
        [*"aAbBéÉ M.«» ,'’-xX1\n", "Mme ", "M. ", " de ", " et ", "les ", "Mali", "MALI", "Wagner", "groupe ", "Етатс"]
    ),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    paragraphs=st.lists(_TEXT, max_size=4),
    raw=st.lists(st.lists(st.tuples(st.integers(-3, 70), st.integers(-3, 70), _LABEL), max_size=6), max_size=5),
)
def test_every_finding_is_a_nonempty_exact_slice(paragraphs: list[str], raw: list) -> None:
    findings = refine_entities(paragraphs, raw, gazetteer=GAZ)
    document = " ".join(" ".join(paragraphs).split())
    for f in findings:
        assert 0 <= f.start < f.end <= len(paragraphs[f.paragraph_id])
        assert paragraphs[f.paragraph_id][f.start : f.end] == f.text
        assert f.label in ("PER", "LOC", "ORG", "MISC")
        # A norm is a spelling of the document itself, never one from elsewhere (a gazetteer, a folded key).
        assert f.norm and " ".join(f.norm.split()) in document
    positions = [(f.paragraph_id, f.start, f.end) for f in findings]
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
    got = refine_entities(paras, ner(paras), place_gazetteer())
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
