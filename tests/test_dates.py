"""The date grammar: values at their own precision, relative resolution, publication date, nothing made up."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.dates import DatedDocument, date_document, find_dates
from tasks.records import PartialDate

THURSDAY = PartialDate(2023, 2, 9)


def found(text: str, anchor: PartialDate | None = THURSDAY, language: str | None = "fr") -> list[tuple[str, str]]:
    return [(m.text, m.value.iso) for m in find_dates([text], anchor, language=language)]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "fr",
            "Le congrès s'est ouvert le mardi 7 février 2023 à Lyon.",
            [("mardi 7 février 2023", "2023-02-07")],
        ),
        (
            "fr",
            "Signé le 3/02/2021, publié le 2023-02-07.",
            [("le 3/02/2021", "2021-02-03"), ("2023-02-07", "2023-02-07")],
        ),
        ("fr", "Les travaux seront finis fin 2021.", [("fin 2021", "2021")]),
        ("fr", "Il reviendra en mars 2022.", [("mars 2022", "2022-03")]),
        ("fr", "Un accident survenu le 10 novembre 93, sur la route.", [("le 10 novembre 93", "1993-11-10")]),
        ("fr", "La fête aura lieu le 1er mai 1962.", [("le 1er mai 1962", "1962-05-01")]),
        ("en", "The deal was signed on February 7, 2023.", [("February 7, 2023", "2023-02-07")]),
        ("en", "It happened on 7 February 2023.", [("7 February 2023", "2023-02-07")]),
        (
            "en",
            "Signed 02/03/2021, then 13/02/2021.",
            [("02/03/2021", "2021-02-03"), ("13/02/2021", "2021-02-13")],
        ),
        ("de", "Die Sitzung fand am 7. Februar 2023 statt.", [("am 7. Februar 2023", "2023-02-07")]),
        ("de", "Veröffentlicht am 08.05.2012 um 10 Uhr.", [("am 08.05.2012", "2012-05-08")]),
        ("es", "La reunión se celebró el 7 de febrero de 2023.", [("el 7 de febrero de 2023", "2023-02-07")]),
        ("it", "La riunione si è tenuta il 7 febbraio 2023.", [("il 7 febbraio 2023", "2023-02-07")]),
        ("pt", "A reunião aconteceu em 7 de fevereiro de 2023.", [("7 de fevereiro de 2023", "2023-02-07")]),
        (
            "nl",
            "Vrijdag 9 oktober 2020 is de ambulance uitgereden.",
            [("Vrijdag 9 oktober 2020", "2020-10-09")],
        ),
    ],
)
def test_absolute_dates_at_their_own_precision(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, None, language) == expected


def test_day_first_unless_the_language_is_english() -> None:
    assert found("Le 02/03/2021.", None, "fr") == [("Le 02/03/2021", "2021-03-02")]
    assert found("On 02/03/2021.", None, "en") == [("02/03/2021", "2021-02-03")]
    assert found("On 02/13/2021.", None, "fr") == [("02/13/2021", "2021-02-13")]


@pytest.mark.parametrize(
    "text",
    [
        "Score final 3-2 après prolongation.",
        "Le billet coûte 1 500 euros.",
        "La commune compte 2000 habitants.",
        "Il a couru 10 km pendant 3 jours.",
        "Rendez-vous à 18 h 30, appelez le 06 12 34 56 78.",
        "Ajoutez 1/2 litre de lait et 2 tasses de café.",
        "The band will march on and you may go.",
        "Il a terminé 2e sur 25 et gagné 2019 points.",
        "Avril Lavigne chante. Le Père Noël arrive.",
    ],
)
def test_numbers_prices_scores_and_names_are_not_dates(text: str) -> None:
    assert found(text) == []


def test_ambiguous_month_words_need_context() -> None:
    assert found("La sonde a atteint Mars en 2021.") == [("2021", "2021")]
    assert found("Le vote aura lieu en mars.") == [("mars", "2023-03")]
    assert found("We met in May 2019.", None, "en") == [("May 2019", "2019-05")]


def test_bare_year_needs_context_or_a_plausible_range_without_unit() -> None:
    assert found("Il est né en 1954 et emploie 2000 salariés depuis 2019.") == [
        ("1954", "1954"),
        ("2019", "2019"),
    ]
    assert found("Le record de 1875 mètres tient.") == []


def test_relative_words_resolved_against_a_day_anchor() -> None:
    text = "hier, avant-hier, demain, l'an dernier, l'année prochaine, le mois dernier, dans 1 an, il y a 3 jours"
    assert found(text) == [
        ("hier", "2023-02-08"),
        ("avant-hier", "2023-02-07"),
        ("demain", "2023-02-10"),
        ("l'an dernier", "2022"),
        ("l'année prochaine", "2024"),
        ("le mois dernier", "2023-01"),
        ("dans 1 an", "2024-02"),
        ("il y a 3 jours", "2023-02-06"),
    ]


def test_weekdays_follow_tense_and_qualifiers() -> None:
    assert found("Il a été élu mardi. Il partira mardi prochain. Revenu mardi dernier.") == [
        ("mardi", "2023-02-07"),
        ("mardi prochain", "2023-02-14"),
        ("mardi dernier", "2023-02-07"),
    ]
    # Without any tense cue the nearest such day wins: Saturday is two days ahead of a Thursday.
    assert found("Samedi, grand marché.") == [("Samedi", "2023-02-11")]


def test_day_and_month_take_the_year_of_the_anchor() -> None:
    assert found("La réunion est fixée le 7 mars.") == [("le 7 mars", "2023-03-07")]
    assert found("Le colis est arrivé le 7.") == [("le 7", "2023-02-07")]
    assert found("Le texte a été voté le 20 décembre dernier.") == [("le 20 décembre dernier", "2022-12-20")]
    assert found("Les attentats du 11 septembre ont choqué.") == [("11 septembre", "2022-09-11")]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "en",
            "yesterday, last Tuesday, three days ago, last year",
            [
                ("yesterday", "2023-02-08"),
                ("last Tuesday", "2023-02-07"),
                ("three days ago", "2023-02-06"),
                ("last year", "2022"),
            ],
        ),
        (
            "de",
            "gestern, letzten Montag, vor 3 Tagen",
            [
                ("gestern", "2023-02-08"),
                ("letzten Montag", "2023-02-06"),
                ("vor 3 Tagen", "2023-02-06"),
            ],
        ),
        (
            "es",
            "ayer, el lunes pasado, hace 3 días",
            [
                ("ayer", "2023-02-08"),
                ("lunes pasado", "2023-02-06"),
                ("hace 3 días", "2023-02-06"),
            ],
        ),
        (
            "it",
            "ieri, lunedì scorso, 3 giorni fa",
            [
                ("ieri", "2023-02-08"),
                ("lunedì scorso", "2023-02-06"),
                ("3 giorni fa", "2023-02-06"),
            ],
        ),
        (
            "pt",
            "ontem, segunda-feira passada, há 3 dias",
            [
                ("ontem", "2023-02-08"),
                ("segunda-feira passada", "2023-02-06"),
                ("há 3 dias", "2023-02-06"),
            ],
        ),
    ],
)
def test_relative_expressions_in_other_languages(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, THURSDAY, language) == expected


def test_coarse_or_missing_anchor_drops_what_it_cannot_resolve() -> None:
    text = "hier, le 7, le 7 mars, l'an dernier, mardi, dans 1 an, en 2020"
    assert found(text, PartialDate(2023, 2)) == [
        ("le 7", "2023-02-07"),
        ("le 7 mars", "2023-03-07"),
        ("l'an dernier", "2022"),
        ("dans 1 an", "2024-02"),
        ("2020", "2020"),
    ]
    assert found(text, PartialDate(2023)) == [
        ("le 7 mars", "2023-03-07"),
        ("l'an dernier", "2022"),
        ("2020", "2020"),
    ]
    assert found(text, None) == [("2020", "2020")]


def test_relative_flag() -> None:
    mentions = find_dates(["Le 7 février 2023, puis hier et le 8 février."], THURSDAY, language="fr")
    assert [m.relative for m in mentions] == [False, True, True]


def test_publication_day_from_header_at_day_precision() -> None:
    doc = date_document(["Le 7 février 2023, hier."], THURSDAY, language="fr")
    assert (doc.date, doc.source) == (THURSDAY, "header")
    assert [(m.text, m.value.iso) for m in doc.mentions] == [
        ("Le 7 février 2023", "2023-02-07"),
        ("hier", "2023-02-08"),
    ]


def test_publication_day_from_month_header_plus_byline() -> None:
    doc = date_document(["Mardi 7 février 2023", "Hier, le maire a parlé."], PartialDate(2023, 2), language="fr")
    assert doc == DatedDocument(PartialDate(2023, 2, 7), "header+byline", doc.mentions)
    assert [(m.paragraph_id, m.text, m.value.iso) for m in doc.mentions] == [
        (0, "Mardi 7 février 2023", "2023-02-07"),
        (1, "Hier", "2023-02-06"),
    ]


def test_a_day_outside_the_header_month_does_not_date_the_document() -> None:
    doc = date_document(["Né le 3 mars 1950, il a parlé hier."], PartialDate(2023, 2), language="fr")
    assert (doc.date, doc.source) == (PartialDate(2023, 2), "header")
    assert [(m.text, m.value.iso) for m in doc.mentions] == [("le 3 mars 1950", "1950-03-03")]


def test_publication_day_from_a_byline_without_header() -> None:
    doc = date_document(["Published 8 May 2012", "Yesterday the vote took place."], None, language="en")
    assert (doc.date, doc.source) == (PartialDate(2012, 5, 8), "byline")
    assert [(m.text, m.value.iso) for m in doc.mentions] == [
        ("8 May 2012", "2012-05-08"),
        ("Yesterday", "2012-05-07"),
    ]


TITLE = "Le conseil vote le budget"
BODY = "Les élus ont adopté le texte après un long débat sur les finances de la ville et ses projets."


@pytest.mark.parametrize(
    ("language", "paragraphs", "expected", "source"),
    [
        # Datelines: place, date, agency, then the dash or colon that opens the story.
        ("fr", [TITLE, "Rome, 12 mars 2021 — Le gouvernement a démissionné hier soir."], "2021-03-12", "dateline"),
        ("fr", [TITLE, "PARIS, le 3 avril 2022 (AFP) - Le président a parlé."], "2022-04-03", "dateline"),
        (
            "en",
            ["Talks resume", "LONDON, March 4, 2021 (Reuters) - Talks resumed on Thursday."],
            "2021-03-04",
            "dateline",
        ),
        (
            "de",
            ["Neue Regeln", "BERLIN, 3. März 2021 (Reuters) - Die Regierung hat beschlossen."],
            "2021-03-03",
            "dateline",
        ),
        (
            "es",
            ["Acuerdo", "Madrid, 1 de junio de 2000 (EFE).- El Gobierno aprobó ayer la ley."],
            "2000-06-01",
            "dateline",
        ),
        ("it", ["Accordo", "Milano, 5 maggio 2019 - Il sindaco ha firmato l'accordo."], "2019-05-05", "dateline"),
        ("pt", ["Acordo", "Lisboa, 2 de maio de 2018 (Lusa) - O Governo aprovou o plano."], "2018-05-02", "dateline"),
        ("de", ["Titel", "31. Oktober 2023. Die Stadt feiert ihr Jubiläum mit einem Fest."], "2023-10-31", "dateline"),
        # Bylines: a publication keyword before the date, or a short line that is the date and an author.
        ("fr", [TITLE, "Publié le 3 février 2021 à 10h05", BODY], "2021-02-03", "byline"),
        ("fr", [TITLE, "Par Jeanne Martin, le 3 février 2021", BODY], "2021-02-03", "byline"),
        ("en", [TITLE, "By Ann Lee | Published: 10:18 PM, February 14, 2020", BODY], "2020-02-14", "byline"),
        ("de", [TITLE, "Stand: 08.05.2012 11:12 Uhr", BODY], "2012-05-08", "byline"),
        ("it", [TITLE, "Pubblicato il 14/01/2020", BODY], "2020-01-14", "byline"),
        ("es", [TITLE, "Publicado el 5 de diciembre de 2020", BODY], "2020-12-05", "byline"),
        ("pt", [TITLE, "Publicado em 7 de julho de 2020, 10:45", BODY], "2020-07-07", "byline"),
        # A publication keyword wins over an update keyword, whatever their order.
        ("fr", [TITLE, "Mis à jour le 4 février 2021", "Publié le 3 février 2021", BODY], "2021-02-03", "byline"),
        ("en", [TITLE, "Updated: Jan 23, 2020, 10.45 AM IST", BODY], "2020-01-23", "byline"),
        # A later day in the future tense is an announcement, and one day later is within the slack.
        ("fr", [TITLE, "3 février 2021", "Le sommet aura lieu le 10 février 2021 à Rome."], "2021-02-03", "byline"),
        ("fr", [TITLE, "3 février 2021", "Le sommet a eu lieu le 4 février 2021 à Rome."], "2021-02-03", "byline"),
        # A publication keyword is trusted even when an unkeyed place disagrees with it.
        ("fr", [TITLE, "Publié le 3 février 2021", BODY, BODY, BODY, BODY, "4 mars 2021"], "2021-02-03", "byline"),
        # Sign-offs: a short last paragraph holding only a date, maybe a place or an agency.
        ("fr", [TITLE, BODY, BODY, BODY, BODY, BODY, "Nantes, le 4 mars 2021"], "2021-03-04", "signoff"),
        ("en", [TITLE, BODY, BODY, BODY, BODY, BODY, "(AP) June 2, 2019"], "2019-06-02", "signoff"),
        ("de", [TITLE, BODY, BODY, BODY, BODY, BODY, "Berlin, den 4. März 2021"], "2021-03-04", "signoff"),
        ("es", [TITLE, BODY, BODY, BODY, BODY, BODY, "Madrid, 4 de marzo de 2021"], "2021-03-04", "signoff"),
        ("it", [TITLE, BODY, BODY, BODY, BODY, BODY, "Roma, 4 marzo 2021"], "2021-03-04", "signoff"),
        ("pt", [TITLE, BODY, BODY, BODY, BODY, BODY, "Lisboa, 4 de março de 2021"], "2021-03-04", "signoff"),
    ],
)
def test_publication_date_from_where_news_states_it(
    language: str, paragraphs: list[str], expected: str, source: str
) -> None:
    doc = date_document(paragraphs, None, language=language)
    assert (doc.date.iso if doc.date else None, doc.source) == (expected, source)


@pytest.mark.parametrize(
    ("language", "paragraphs"),
    [
        # A date inside a sentence dates an event, not the article, wherever it is.
        ("fr", [TITLE, "Le maire a inauguré la passerelle le 3 mars 2023 devant les habitants."]),
        ("en", ["The delegation arrived in Washington on Tuesday, March 7, 2023, for talks."]),
        ("de", [TITLE, "Dieser Artikel ist ursprünglich am 27. Februar 2017 erschienen."]),
        ("es", [TITLE, BODY, "El acuerdo se firmó el 5 de diciembre de 2020 en Madrid."]),
        # A sign-off holds only a date: a last sentence with a date in it is no sign-off.
        ("fr", [TITLE, BODY, BODY, BODY, BODY, BODY, "Le vote aura lieu le 4 mars 2021."]),
        # Date lines that disagree open a list of dated items; a chronology is no dateline.
        ("es", ["05/12/2020 - 15:10", "Noticia uno", "05/09/2020 - 15:17", "Noticia dos"]),
        ("en", [TITLE, "8 August 2009: the first post.", "9 December 2009: The court rules."]),
        # A date line and a sign-off that disagree: neither is trusted.
        ("fr", [TITLE, "3 février 2021", BODY, BODY, BODY, BODY, BODY, "Nantes, le 4 mars 2021"]),
        # A page cannot report as done a day after its own date: that date line dates something else.
        ("fr", [TITLE, "3 février 2021", "Le sommet a eu lieu le 10 février 2021 à Rome."]),
        # An embedded post carries its own date.
        ("en", [TITLE, "— Ann Lee (@annlee) January 1, 2020", BODY]),
        # Too deep in the page for a byline, too early for a sign-off.
        ("fr", [TITLE, BODY, BODY, BODY, BODY, BODY, "3 février 2021", BODY]),
        # A yearless dateline cannot date an undated article.
        ("es", [TITLE, "Madrid, 1 jun (EFE).- El Gobierno aprobó ayer la ley."]),
    ],
)
def test_no_publication_date_from_the_body(language: str, paragraphs: list[str]) -> None:
    assert date_document(paragraphs, None, language=language).date is None


def test_dateline_refines_a_month_header_only_within_its_month() -> None:
    text = ["Madrid, 1 jun (EFE).- El Gobierno aprobó ayer la ley."]
    doc = date_document(text, PartialDate(2000, 6), language="es")
    assert (doc.date, doc.source) == (PartialDate(2000, 6, 1), "header+dateline")
    assert [(m.text, m.value.iso) for m in doc.mentions] == [("1 jun", "2000-06-01"), ("ayer", "2000-05-31")]
    doc = date_document(["Rome, 12 mars 2021 — Le gouvernement a démissionné."], PartialDate(2021, 4), language="fr")
    assert (doc.date, doc.source) == (PartialDate(2021, 4), "header")
    doc = date_document(["Le maire a parlé le 3 avril 2021 à Lyon."], PartialDate(2021, 4), language="fr")
    assert (doc.date, doc.source) == (PartialDate(2021, 4), "header")


def test_relative_mentions_need_a_day_from_header_or_a_date_place() -> None:
    body_only = date_document(["Il a parlé hier, après le vote du 3 mars 2021."], None, language="fr")
    assert (body_only.date, [m.text for m in body_only.mentions]) == (None, ["3 mars 2021"])
    dated = date_document(["PARIS, 4 mars 2021 (AFP) - Il a parlé hier."], None, language="fr")
    assert [(m.text, m.value.iso) for m in dated.mentions] == [("4 mars 2021", "2021-03-04"), ("hier", "2021-03-03")]


def test_no_header_and_no_full_date_gives_no_date() -> None:
    doc = date_document(["Hier, le 7 mars, il pleuvait."], None, language="fr")
    assert doc == DatedDocument(None, None, ())


def test_header_year_only_is_kept_at_its_precision() -> None:
    doc = date_document(["Rien de daté ici."], PartialDate(2021), language=None)
    assert (doc.date, doc.source, doc.mentions) == (PartialDate(2021), "header", ())


_TEXT = st.lists(
    st.sampled_from(list("0123456789 /.-,'lemarsdijuvnoébtyhèùMTJ") + ["mars ", "le ", "2021", "hier", "mai", " 1er "]),
    max_size=60,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(_TEXT, st.text(max_size=60)), min_size=1, max_size=3),
    st.sampled_from(["fr", "en", None]),
)
def test_mentions_slice_their_text_never_overlap_and_never_raise(paragraphs: list[str], language: str | None) -> None:
    for anchor in (THURSDAY, PartialDate(2023, 2), None):
        doc = date_document(paragraphs, anchor, language=language)
        previous = (-1, 0)
        for m in doc.mentions:
            assert paragraphs[m.paragraph_id][m.start : m.end] == m.text
            assert (m.paragraph_id, m.start) >= previous
            previous = (m.paragraph_id, m.end)
        if anchor is not None and anchor.day is not None:
            assert (doc.date, doc.source) == (anchor, "header")


def _every(step: int, count: int, text: str, value: str, first: int = 0) -> list[tuple[int, str, str]]:
    return [(first + i * step, text, value) for i in range(count)]


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1" * 50000, []),
        # In French a lower-case `mars` is the month, each of them: linear work, one mention per word.
        ("mars " * 20000, _every(5, 20000, "mars", "2023-03")),
        ("a" * 100000, []),
        ("1 " * 30000, []),
        ("le 1er janvier " * 2000, _every(15, 2000, "le 1er janvier", "2023-01-01")),
        ("1/2/" * 20000, []),
        ("日本 mars 2020 " * 2000, _every(13, 2000, "mars 2020", "2020-03", first=3)),
    ],
)
def test_pathological_inputs_finish(text: str, expected: list[tuple[int, str, str]]) -> None:
    doc = date_document([text], THURSDAY, language="fr")
    assert (doc.date, doc.source) == (THURSDAY, "header")
    assert [(m.start, m.text, m.value.iso) for m in doc.mentions] == expected


def test_this_weekday_and_weekday_with_day_number() -> None:
    sunday = PartialDate(2023, 2, 12)
    assert found("Ce dimanche, marché aux puces.", sunday) == [("Ce dimanche", "2023-02-12")]
    assert found("Rendez-vous ce lundi.", THURSDAY) == [("ce lundi", "2023-02-13")]
    # The weekday decides the month when only the month is known, and rejects a day that does not fit it.
    assert found("La fête aura lieu jeudi 16.", PartialDate(2023, 2)) == [("jeudi 16", "2023-02-16")]
    assert found("La fête aura lieu jeudi 15.", PartialDate(2023, 2)) == []


def test_year_pairs_decades_and_false_friends() -> None:
    assert found("Pour cette saison 2002/2003, tout change.") == [("2002", "2002"), ("2003", "2003")]
    assert found("In the 1970s, growth was slow.", None, "en") == []
    assert found("Und hier findet ihr das Video.", THURSDAY, "de") == []
    assert found("October 20: a vehicle crashed.", THURSDAY, "en") == [("October 20", "2022-10-20")]


def test_undetermined_language_is_no_hint() -> None:
    assert found("Il est parti mardi.", THURSDAY, "und") == [("mardi", "2023-02-07")]
    assert found("Il est parti mardi.", THURSDAY, None) == [("mardi", "2023-02-07")]
    assert found("Er ging mardi.", THURSDAY, "de") == []


# Thursday 9 February 2023 is the anchor of every family below; each expectation is worked out by hand.
@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # Anchors after a weekday: strictly after or strictly before the anchor.
        ("fr", "Il reviendra mardi suivant.", [("mardi suivant", "2023-02-14")]),
        ("fr", "Rendez-vous le jeudi d'après.", [("jeudi d'après", "2023-02-16")]),
        ("fr", "Il était venu vendredi précédent.", [("vendredi précédent", "2023-02-03")]),
        ("fr", "Ce lundi-là, il pleuvait.", []),
        # Anchors after a month or a year: a shift of one from the reference (here the document date).
        ("fr", "Le chantier reprendra le mois suivant.", [("le mois suivant", "2023-03")]),
        ("fr", "La loi sera votée l'année d'après.", [("l'année d'après", "2024")]),
        ("fr", "Le budget de l'année précédente était lourd.", [("l'année précédente", "2022")]),
        ("fr", "Les prix du mois d'avant étaient bas.", [("mois d'avant", "2023-01")]),
        # Around a date: la veille, le lendemain, l'avant-veille, le surlendemain.
        ("fr", "Il arrivera la veille de Noël.", [("la veille de Noël", "2023-12-24")]),
        ("fr", "Le défilé a eu lieu le lendemain du 14 juillet.", [("le lendemain du 14 juillet", "2022-07-15")]),
        ("fr", "L'avant-veille, tout était calme.", [("L'avant-veille", "2023-02-07")]),
        ("fr", "Le surlendemain, il est parti.", [("Le surlendemain", "2023-02-11")]),
        ("fr", "Il arrivera la veille de la Toussaint.", [("la veille de la Toussaint", "2023-10-31")]),
        ("fr", "Il arrivera trois jours avant Noël.", [("trois jours avant Noël", "2023-12-22")]),
        ("en", "The vote is two weeks after May 3.", [("two weeks after May 3", "2023-05-17")]),
        # The nth or last weekday (or day) of a month.
        ("fr", "Rendez-vous le premier lundi de mars.", [("le premier lundi de mars", "2023-03-06")]),
        ("fr", "Rendez-vous le 3e lundi de mars.", [("le 3e lundi de mars", "2023-03-20")]),
        ("fr", "Paiement le dernier jour du mois.", [("le dernier jour du mois", "2023-02-28")]),
        ("fr", "Vote le dernier vendredi de janvier 2024.", [("le dernier vendredi de janvier 2024", "2024-01-26")]),
        ("fr", "Réunion le premier mardi du mois prochain.", [("le premier mardi du mois prochain", "2023-03-07")]),
        ("fr", "Paiement le 3 du mois prochain.", [("le 3 du mois prochain", "2023-03-03")]),
        # Parts of a month are the month, parts of a year the year.
        ("fr", "Les travaux commencent début mars.", [("début mars", "2023-03")]),
        ("fr", "Livraison à la mi-mars.", [("à la mi-mars", "2023-03")]),
        ("fr", "Le rapport paraîtra fin de l'année prochaine.", [("fin de l'année prochaine", "2024")]),
        ("fr", "Le loyer est dû à la fin du mois.", [("à la fin du mois", "2023-02")]),
        ("en", "Shipping resumes early next month.", [("early next month", "2023-03")]),
        ("de", "Die Frist endet Ende des Jahres.", [("Ende des Jahres", "2023")]),
        ("fr", "Il reviendra lundi qui vient.", [("lundi qui vient", "2023-02-13")]),
        # Bare months take the document's year (the tense may move it); `Mars` capitalised is the planet.
        ("fr", "Les travaux commencent en mars.", [("mars", "2023-03")]),
        ("fr", "Les travaux commencent au mois de mars.", [("mars", "2023-03")]),
        ("fr", "Mars brille dans le ciel.", []),
        # Fixed and movable feasts (Easter 2023 is 9 April), the next one unless the tense says otherwise.
        ("fr", "Nous partirons à Pâques.", [("Pâques", "2023-04-09")]),
        ("fr", "Le marché ouvrira le lundi de Pâques.", [("lundi de Pâques", "2023-04-10")]),
        ("fr", "Le pont de l'Ascension sera long.", [("l'Ascension", "2023-05-18")]),
        ("fr", "Le week-end de la Pentecôte sera chargé.", [("la Pentecôte", "2023-05-28")]),
        ("fr", "La fête de la Saint-Sylvestre sera animée.", [("la Saint-Sylvestre", "2023-12-31")]),
        ("fr", "Le défilé aura lieu le 11 novembre.", [("le 11 novembre", "2023-11-11")]),
        ("fr", "L'ascension du col fut rude.", []),
        ("fr", "Les magasins ouvriront le lundi de pentecôte.", [("lundi de pentecôte", "2023-05-29")]),
        ("fr", "Un bouquet pour la fête des mères.", [("fête des mères", "2023-05-28")]),
        ("fr", "Un cadeau pour la fête des pères.", [("fête des pères", "2023-06-18")]),
        ("en", "Flights are full before Thanksgiving.", [("Thanksgiving", "2023-11-23")]),
        ("fr", "Dîner à la saint valentin.", [("saint valentin", "2023-02-14")]),
        ("fr", "Souvenir de Noël 2012.", [("Noël 2012", "2012-12-25")]),
        ("fr", "Les vacances de Pâques 2024 seront longues.", [("Pâques 2024", "2024-03-31")]),
        ("fr", "Le bilan tombera le dernier jour de l'année.", [("le dernier jour de l'année", "2023-12-31")]),
        ("en", "It starts the first day of next year.", [("the first day of next year", "2024-01-01")]),
        # Numeric and written-out days; decades have no precision of their own and are left out.
        ("fr", "Clôture le 31/10.", [("le 31/10", "2023-10-31")]),
        ("fr", "Clôture le 31 10.", [("le 31 10", "2023-10-31")]),
        ("de", "Am 31.10. beginnt die Messe.", [("Am 31.10.", "2023-10-31")]),
        ("fr", "Rendez-vous le vingt-deux mars.", [("le vingt-deux mars", "2023-03-22")]),
        ("fr", "La musique des années 1990 revient.", []),
        ("fr", "La musique des années 90 revient.", []),
        # Other languages: the same families.
        ("en", "We meet next Tuesday.", [("next Tuesday", "2023-02-14")]),
        ("en", "Sales fell last month.", [("last month", "2023-01")]),
        ("en", "Prices rose the following year.", [("the following year", "2024")]),
        ("en", "It opened last December.", [("last December", "2022-12")]),
        ("en", "They left the day before Christmas.", [("the day before Christmas", "2023-12-24")]),
        ("en", "Vote on the first Monday of next month.", [("the first Monday of next month", "2023-03-06")]),
        ("de", "Die Preise stiegen letzten Monat.", [("letzten Monat", "2023-01")]),
        ("de", "Wir treffen uns nächsten Dienstag.", [("nächsten Dienstag", "2023-02-14")]),
        ("de", "Das war im letzten Dezember.", [("letzten Dezember", "2022-12")]),
        ("de", "Er kam am nächsten Tag.", [("am nächsten Tag", "2023-02-10")]),
        ("es", "Nos vemos el próximo martes.", [("el próximo martes", "2023-02-14")]),
        ("es", "Ocurrió en diciembre pasado.", [("diciembre pasado", "2022-12")]),
        ("es", "Volverá el mes que viene.", [("el mes que viene", "2023-03")]),
        ("es", "Llega el lunes que viene.", [("lunes que viene", "2023-02-13")]),
        ("it", "È partito martedì scorso.", [("martedì scorso", "2023-02-07")]),
        ("it", "Ci vediamo il prossimo martedì.", [("il prossimo martedì", "2023-02-14")]),
        ("it", "Era successo lo scorso maggio.", [("scorso maggio", "2022-05")]),
        ("it", "Tornerà il mese successivo.", [("il mese successivo", "2023-03")]),
        ("pt", "Volta na próxima terça-feira.", [("na próxima terça-feira", "2023-02-14")]),
        ("pt", "Aconteceu em dezembro passado.", [("dezembro passado", "2022-12")]),
        ("pt", "Começa no próximo mês.", [("no próximo mês", "2023-03")]),
        ("pt", "Ele voltou no dia seguinte.", [("no dia seguinte", "2023-02-10")]),
        # Weeks and seasons have no precision in the table: `la settimana scorsa` is no date mention.
        ("it", "È successo la settimana scorsa.", []),
    ],
)
def test_relative_families(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, THURSDAY, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "anchor", "expected"),
    [
        # A backward qualifier gives the latest such month NOT AFTER the document date.
        ("es", "El acuerdo de diciembre pasado sigue vigente.", PartialDate(2000, 6, 10), "1999-12"),
        ("it", "A giugno scorso i prezzi salivano.", PartialDate(2000, 6, 10), "2000-06"),
        ("fr", "Le texte voté en février dernier entre en vigueur.", THURSDAY, "2023-02"),
        ("en", "Since last June, prices rose.", PartialDate(2000, 6, 10), "2000-06"),
        ("de", "Seit letzten Juli steigen die Preise.", PartialDate(2000, 6, 10), "1999-07"),
        ("pt", "Em julho passado, os preços subiram.", PartialDate(2000, 6, 10), "1999-07"),
    ],
)
def test_backward_qualifiers_name_the_latest_month_not_after_the_document(
    language: str, text: str, anchor: PartialDate, expected: str
) -> None:
    assert [v for _, v in found(text, anchor, language)] == [expected]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("it", "Il trattamento dura tra 6 mesi e 2 anni."),
        ("fr", "La peine va de 3 à 5 ans."),
        ("fr", "Le chantier sera fini dans 3 à 5 ans."),
        ("de", "Die Behandlung dauert zwischen 2 und 3 Jahren."),
        ("es", "El tratamiento dura entre 6 meses y 2 años."),
        ("pt", "O tratamento dura entre 6 meses e 2 anos."),
        ("en", "The loan runs between 2 and 3 years."),
    ],
)
def test_ranges_durations_and_ages_are_not_dates(language: str, text: str) -> None:
    assert found(text, THURSDAY, language) == []


def test_a_feast_on_its_own_day_is_that_day() -> None:
    assert found("Le défilé de mardi gras part à midi.", PartialDate(2013, 2, 12)) == [("mardi gras", "2013-02-12")]
    assert found("Joyeux Noël à tous !", PartialDate(2022, 12, 25)) == [("Noël", "2022-12-25")]
    assert found("Joyeux Noël à tous !", PartialDate(2022, 12, 26)) == [("Noël", "2023-12-25")]
