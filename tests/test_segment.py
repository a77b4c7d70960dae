from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.clean import clean_text
from tasks.segment import split_paragraphs


def test_kinds_follow_the_example_layout() -> None:
    text = (
        'La lutte continue", a dit M. Lavrov.\n\n'
        "Lavrov promet au Mali la poursuite du soutien militaire\n\n"
        "Le ministre a parlé.\n\n"
        "Une coopération renforcée\n\n"
        "Fin de l'article."
    )
    segs = split_paragraphs(text)
    assert [s.kind for s in segs] == ["body", "title", "body", "heading", "body"]
    assert segs[1].text == "Lavrov promet au Mali la poursuite du soutien militaire"
    assert (segs[1].start, segs[1].end) == (38, 93)


def test_lowercase_or_punctuated_short_lines_are_body() -> None:
    segs = split_paragraphs("suite du texte\n\nIl a dit :\n\nBerlin, 3. März")
    assert [s.kind for s in segs] == ["body", "body", "title"]


def test_empty_text_has_no_paragraph() -> None:
    assert split_paragraphs("") == []


@given(st.text(max_size=500))
def test_offsets_slice_out_each_paragraph(raw: str) -> None:
    text = clean_text(raw)
    segs = split_paragraphs(text)
    assert [s.paragraph_id for s in segs] == list(range(len(segs)))
    for s in segs:
        assert text[s.start : s.end] == s.text
    assert "\n\n".join(s.text for s in segs) == text
    assert sum(s.kind == "title" for s in segs) <= 1


def kinds(*paragraphs: str) -> list[str]:
    return [s.kind for s in split_paragraphs("\n\n".join(paragraphs))]


BODY = "Le conseil municipal a voté mardi soir le budget de l'année prochaine, après trois heures de débat."


@pytest.mark.parametrize(
    "title",
    [
        "Qui paiera la facture du stade ?",
        "Is the party over?",
        "Chi pagherà il conto?",
        "¿Quién pagará la cuenta?",
        "Enfin la victoire !",
        "Ce que l'on sait déjà…",
        "Et maintenant...",
        "« Nous ne partirons pas »",
        "Le « oui » l’emporte, « enfin ! »",
        "“Never again”",
        '"Never again"',
        "Merkel: 'Wir schaffen das'",
        "「新しい時代が来た」",
        "«لن نغادر»",
        "Die Wahl (und was danach kommt)",
    ],
)
def test_titles_may_end_in_question_exclamation_ellipsis_or_closing_quote(title: str) -> None:
    assert kinds(title, BODY) == ["title", "body"]
    assert kinds(BODY, "Une première partie", BODY, title, BODY) == ["body", "title", "body", "heading", "body"]


@pytest.mark.parametrize(
    "line",
    [
        "北京市政府周二宣布扩大公共交通补贴。",
        "東京都は火曜日に発表した。",
        "他说：“我们不会离开。”",
        "「私たちは帰らない。」",
        "这是真的吗？",
        "太好了！",
        "یہ فیصلہ کل کیا گیا۔",
        "सरकार ने मंगलवार को घोषणा की।",
        "هل هذا صحيح؟",
        "Il a dit : « Nous partirons. »",
        'He said: "We will leave."',
        "Il est arrivé hier.",
        "Voici la liste :",
        "Ensuite ;",
    ],
)
def test_lines_ending_in_a_sentence_end_of_any_script_are_body(line: str) -> None:
    assert kinds(line, BODY) == ["body", "body"]


@pytest.mark.parametrize(
    "credit",
    [
        "Par Jean Dupont",
        "Par Jean-Marie Le Pen et Anne Dubois",
        "Par Marie DURAND, à Marseille",
        "By Jane Doe, BBC News",
        "By John Smith and Mary Jones for The Guardian",
        "Von Anna Schmidt | dpa",
        "Por Juan García, corresponsal en Lima",
        "De notre correspondant à Bamako",
        "De nos envoyés spéciaux",
        "From our correspondent",
        "PARIS (AFP) -",
        "Madrid, 1 jun (EFE).-",
        "LONDRES, 3 mars (Reuters) —",
        "NEW YORK -",
        "Rome (ANSA)",
    ],
)
def test_bylines_and_datelines_are_not_the_title(credit: str) -> None:
    title = "Le budget adopté de justesse"
    assert kinds(credit, title, BODY) == ["body", "title", "body"]
    assert kinds(title, credit, BODY) == ["title", "body", "body"]
    # A credit does not count among the first lines in which the title is looked for.
    assert kinds(credit, credit, "Un autre paragraphe", title, BODY)[3] == "heading"
    assert kinds(credit, BODY, credit, title, BODY)[3] == "title"


@pytest.mark.parametrize(
    "title",
    ["Par ici la sortie", "Von Berlin nach Paris", "By the numbers", "Paris - Berlin", "Di Maio attacca il governo"],
)
def test_titles_that_start_like_a_credit_stay_titles(title: str) -> None:
    assert kinds(title, BODY) == ["title", "body"]
