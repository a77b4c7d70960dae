"""Language identification: real lingua detector on hand-written sentences, decision rules on a fake one."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.language import (
    CHECK_AMONG,
    HEAD_LETTERS,
    MIN_OVERRIDE_CONFIDENCE,
    SAMPLE_CHARS,
    LanguageGuess,
    NarrowingDetector,
    _head,
    assign_languages,
    detect_language,
)
from tasks.models import language_detector
from tasks.records import UNDETERMINED

CODE = re.compile(r"[a-z]{2}")

FRENCH = [
    "Le conseil municipal a voté hier soir le budget de la commune pour l'année prochaine.",
    "Les travaux de la nouvelle médiathèque commenceront au printemps, selon le maire.",
    "Plusieurs associations ont demandé que la piscine reste ouverte pendant tout l'été.",
]
ENGLISH = "The regional council said on Tuesday that the bridge would stay closed until further notice."


def fake(table: dict[str, list[tuple[str, float]]]):
    """A detector that answers from a table and records what it was asked."""
    calls: list[str] = []

    def detect(text: str) -> list[tuple[str, float]]:
        calls.append(text)
        return table.get(text, [])

    detect.calls = calls  # type: ignore[attr-defined]
    return detect


def refuse(text: str) -> list[tuple[str, float]]:
    raise AssertionError(f"detector called on {text!r}")


# --- decision rules, on a fake detector (fast) ---


def test_no_words_gives_und_without_asking_the_detector():
    for text in ["", "   ", "2023-02-07", "--- ... !!!", "12 345,67 €", "(1) [2] {3}"]:
        assert detect_language(text, refuse) == LanguageGuess(UNDETERMINED, 0.0)


def test_short_text_needs_the_top_language_to_outweigh_the_rest():
    detector = fake({"Paris": [("fr", 0.49), ("en", 0.2)], "Bonjour": [("fr", 0.5)]})
    assert detect_language("Paris", detector) == LanguageGuess(UNDETERMINED, 0.0)
    assert detect_language("Bonjour", detector) == LanguageGuess("fr", 0.5)


def test_longer_text_is_answered_on_weaker_evidence():
    detector = fake({"uno dos tres": [("es", 0.45), ("pt", 0.3)], "a b c": [("it", 0.19)]})
    assert detect_language("uno dos tres", detector) == LanguageGuess("es", 0.45)
    assert detect_language("a b c", detector) == LanguageGuess(UNDETERMINED, 0.0)


def test_unspaced_scripts_count_each_character_as_a_word():
    # Three Han characters are three words' worth of evidence: the lower bar applies.
    detector = fake({"新预算": [("zh", 0.3)], "预算": [("zh", 0.3)]})
    assert detect_language("新预算", detector) == LanguageGuess("zh", 0.3)
    assert detect_language("预算", detector) == LanguageGuess(UNDETERMINED, 0.0)


def test_long_paragraph_is_judged_on_its_head_only():
    text = "mot " * 200
    detector = fake({})
    detect_language(text, detector)
    # An inconclusive head (here: no answer) sends the detector back to the whole sample.
    head, sample = detector.calls
    assert head == "mot " * (HEAD_LETTERS // 3) + "mot"
    assert len(sample) <= SAMPLE_CHARS
    assert text.startswith(sample)
    assert sample.endswith("mot")


def test_a_conclusive_head_is_enough():
    text = "mot " * 200
    head = "mot " * (HEAD_LETTERS // 3) + "mot"
    detector = fake({head: [("fr", 1.0)]})
    assert detect_language(text, detector) == LanguageGuess("fr", 1.0)
    assert detector.calls == [head]


def test_document_language_is_weighted_by_paragraph_length():
    long_fr, short_it = "a" * 90 + " b c", "x y z"
    detector = fake({long_fr: [("fr", 0.6), ("it", 0.4)], short_it: [("it", 0.7), ("fr", 0.3)]})
    document, paragraphs = assign_languages([short_it, long_fr], detector)
    # fr: (92 * 0.6 + 3 * 0.3) / 95, it: (92 * 0.4 + 3 * 0.7) / 95
    assert document.language == "fr"
    assert document.score == pytest.approx((92 * 0.6 + 3 * 0.3) / 95)
    assert paragraphs == [document, LanguageGuess("fr", 0.6)]


def test_paragraph_keeps_its_own_language_only_when_confident():
    fr, en_sure, en_unsure = "un deux trois", "one two three", "four five six"
    detector = fake(
        {
            fr * 10: [("fr", 0.99)],
            en_sure: [("en", MIN_OVERRIDE_CONFIDENCE)],
            en_unsure: [("en", MIN_OVERRIDE_CONFIDENCE - 0.01)],
        }
    )
    document, paragraphs = assign_languages([fr * 10, en_sure, en_unsure], detector)
    assert document.language == "fr"
    assert [p.language for p in paragraphs] == ["fr", "en", "fr"]
    assert paragraphs[2] == document


def test_han_only_paragraph_in_a_japanese_document_stays_japanese():
    detector = fake({"昨夜、長い議論の末に新しい予算を承認した。": [("ja", 1.0)], "落札価格": [("zh", 1.0)]})
    document, paragraphs = assign_languages(
        ["昨夜、長い議論の末に新しい予算を承認した。", "落札価格"], detector
    )
    assert [document.language] + [p.language for p in paragraphs] == ["ja", "ja", "ja"]


def test_empty_document_and_document_without_words():
    assert assign_languages([], refuse) == (LanguageGuess(UNDETERMINED, 0.0), [])
    document, paragraphs = assign_languages(["2023", "* * *"], refuse)
    assert document.language == UNDETERMINED
    assert [p.language for p in paragraphs] == [UNDETERMINED, UNDETERMINED]


def test_each_paragraph_is_read_once():
    detector = fake({})
    assign_languages(["Un.", "Deux mots.", "Trois mots ici."], detector)
    assert detector.calls == ["Un.", "Deux mots.", "Trois mots ici."]


def narrowing(full: dict[str, list[tuple[str, float]]], short: dict[str, list[tuple[str, float]]]):
    """A narrowing detector answering from two tables: every language, and the short list."""
    detector = fake(full)
    check = fake(short)
    asked: list[frozenset[str]] = []

    def among(codes: frozenset[str]):
        asked.append(codes)
        return check

    return NarrowingDetector(detect=detector, among=among), detector.calls, check.calls, asked


# Over HEAD_LETTERS letters: these are read on their heads.
LONG_FR = " ".join(FRENCH[:2])
LONG_FR_2 = " ".join(FRENCH[1:])
LONG_EN = ENGLISH + " Drivers were told to use the ferry or the northern road while the repairs go on."
SHORT_FR = "Le maire a parlé."
HEAD = {text: _head(text) for text in (LONG_FR, LONG_FR_2, LONG_EN)}


def test_once_settled_the_other_paragraphs_are_only_checked():
    assert all(len(head) < len(text) for text, head in HEAD.items())
    detector, full_calls, check_calls, asked = narrowing(
        {HEAD[LONG_FR]: [("fr", 1.0)]},
        {SHORT_FR: [("fr", 0.95), ("it", 0.05)], HEAD[LONG_FR_2]: [("fr", 1.0)]},
    )
    document, guesses = assign_languages([SHORT_FR, LONG_FR, LONG_FR_2], detector)
    # The long paragraphs go first: the first one settles French, the short title is checked after them.
    assert full_calls == [HEAD[LONG_FR]]
    assert check_calls == [HEAD[LONG_FR_2], SHORT_FR]
    assert asked == [CHECK_AMONG]
    assert document.language == "fr"
    assert guesses == [LanguageGuess("fr", 0.95), LanguageGuess("fr", 1.0), LanguageGuess("fr", 1.0)]


def test_a_paragraph_the_check_does_not_place_in_the_document_language_is_read_again():
    detector, full_calls, check_calls, _ = narrowing(
        {
            HEAD[LONG_FR]: [("fr", 1.0)],
            HEAD[LONG_EN]: [("en", 0.97)],
            LONG_EN: [("en", 0.97)],
            SHORT_FR: [("fr", 0.6)],
        },
        {HEAD[LONG_EN]: [("en", 1.0)], SHORT_FR: [("fr", 0.85), ("ca", 0.15)]},
    )
    document, guesses = assign_languages([LONG_FR, LONG_EN, SHORT_FR], detector)
    assert check_calls == [HEAD[LONG_EN], SHORT_FR]
    # English on top of the short list, and French below MIN_CHECK_CONFIDENCE: both are read against every
    # language, the English paragraph on its whole sample too, since its head was not conclusive.
    assert full_calls == [HEAD[LONG_FR], HEAD[LONG_EN], LONG_EN, SHORT_FR]
    assert [g.language for g in guesses] == ["fr", "en", "fr"]
    assert guesses[1] == LanguageGuess("en", 0.97)
    assert guesses[2] == LanguageGuess("fr", 0.6)


def test_letters_outside_the_short_list_alphabets_skip_the_check():
    polish = "Rada miasta przyjęła wczoraj budżet."
    czech = "Městská rada včera schválila rozpočet."
    detector, full_calls, check_calls, _ = narrowing(
        {HEAD[LONG_FR]: [("fr", 1.0)], polish: [("pl", 0.99)], czech: [("cs", 0.99)]}, {}
    )
    document, guesses = assign_languages([LONG_FR, polish, czech], detector)
    assert check_calls == []
    assert full_calls == [HEAD[LONG_FR], polish, czech]
    assert [g.language for g in guesses] == ["fr", "pl", "cs"]


def test_no_check_before_a_confident_paragraph_in_a_listed_language():
    # Japanese is not on the short list, and French below MIN_CHECK_CONFIDENCE does not settle the document.
    japanese = "市議会は昨夜、長い議論の末に新しい予算を承認した。"
    detector, full_calls, check_calls, asked = narrowing(
        {japanese: [("ja", 1.0)], SHORT_FR: [("fr", 0.8)], "Merci.": [("fr", 0.89)]}, {}
    )
    assign_languages([japanese, SHORT_FR, "Merci."], detector)
    assert full_calls == [japanese, SHORT_FR, "Merci."]
    assert check_calls == asked == []


def varied(text: str) -> list[tuple[str, float]]:
    """A detector whose answer depends on the text, to exercise every threshold."""
    p = (len(text) % 11) / 10
    return [("fr", p), ("de", round(1 - p, 1))] if p >= 0.5 else [("de", round(1 - p, 1)), ("fr", p)]


@given(st.lists(st.text(max_size=60), max_size=6), st.booleans())
def test_one_guess_per_paragraph_and_single_paragraph_matches_detect(paragraphs, narrow):
    detector = NarrowingDetector(detect=varied, among=lambda codes: varied) if narrow else varied
    document, guesses = assign_languages(paragraphs, detector)
    assert len(guesses) == len(paragraphs)
    if len(paragraphs) == 1:
        assert document == guesses[0] == detect_language(paragraphs[0], detector)


# --- the real detector (lingua, loaded once per process) ---


@pytest.fixture(scope="module")
def detector():
    return language_detector()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "code"),
    [
        (FRENCH[0], "fr"),
        (ENGLISH, "en"),
        ("Der Stadtrat hat am Dienstagabend nach langer Debatte den neuen Haushalt beschlossen.", "de"),
        ("El ayuntamiento aprobó anoche el nuevo presupuesto tras un largo debate.", "es"),
        ("Il consiglio comunale ha approvato ieri sera il nuovo bilancio dopo un lungo dibattito.", "it"),
        ("Городской совет вчера вечером утвердил новый бюджет после долгих споров.", "ru"),
        ("وافق المجلس البلدي مساء أمس على الميزانية الجديدة بعد نقاش طويل.", "ar"),
        ("O conselho municipal aprovou ontem à noite o novo orçamento da cidade.", "pt"),
        ("市議会は昨夜、長い議論の末に新しい予算を承認した。", "ja"),
        ("Bundesverfassungsgericht", "de"),
        ("anticonstitutionnellement", "fr"),
    ],
)
def test_real_detector_names_the_language(detector, text, code):
    guess = detect_language(text, detector)
    assert guess.language == code
    assert 0.9 <= guess.score <= 1.0


@pytest.mark.slow
@pytest.mark.parametrize("text", ["OK", "Paris", "taxi", "hotel radio", "Marie Dupont", "Le point", "Kevin"])
def test_real_detector_abstains_on_short_ambiguous_text(detector, text):
    assert detect_language(text, detector) == LanguageGuess(UNDETERMINED, 0.0)


@pytest.mark.slow
def test_english_paragraph_in_a_french_document(detector):
    paragraphs = [FRENCH[0], FRENCH[1], ENGLISH, FRENCH[2]]
    document, guesses = assign_languages(paragraphs, detector)
    assert document.language == "fr"
    assert [g.language for g in guesses] == ["fr", "fr", "en", "fr"]
    assert guesses[2].score >= MIN_OVERRIDE_CONFIDENCE


GERMAN = "Der Stadtrat hat am Dienstagabend nach langer Debatte den neuen Haushalt der Stadt beschlossen."
ITALIAN = "Il consiglio comunale ha approvato ieri sera il nuovo bilancio dopo un lungo dibattito."
SPANISH = [
    "El ayuntamiento aprobó anoche el nuevo presupuesto de la ciudad tras un largo debate entre los grupos.",
    "Las obras de la nueva biblioteca empezarán en primavera, según explicó el alcalde a la prensa local.",
]
# Under HEAD_LETTERS letters: read with 1- to 5-grams, by the short list first.
SHORT_ENGLISH = "The council said the old bridge would stay closed until the end of the month."
# No letter of Hungarian's own (ő, ű): the check reads it, and must not take it for Spanish.
HUNGARIAN = "A városi tanács tegnap este elfogadta a költségvetést, a munkák tavasszal indulnak."


@pytest.mark.slow
@pytest.mark.parametrize(("foreign", "code"), [(GERMAN, "de"), (ITALIAN, "it"), (SHORT_ENGLISH, "en")])
def test_one_foreign_paragraph_in_a_long_french_document(detector, foreign, code):
    paragraphs = [*FRENCH, foreign, *FRENCH]
    document, guesses = assign_languages(paragraphs, detector)
    assert document.language == "fr"
    assert [g.language for g in guesses] == ["fr"] * 3 + [code] + ["fr"] * 3
    assert guesses[3].score >= MIN_OVERRIDE_CONFIDENCE


@pytest.mark.slow
def test_hungarian_paragraph_in_a_spanish_document(detector):
    document, guesses = assign_languages([*SPANISH, HUNGARIAN], detector)
    assert document.language == "es"
    assert [g.language for g in guesses] == ["es", "es", "hu"]


@pytest.mark.slow
def test_short_list_ranks_on_the_same_scale(detector):
    check = detector.among(CHECK_AMONG)
    assert check(FRENCH[0])[0] == ("fr", pytest.approx(detector(FRENCH[0])[0][1], abs=0.01))
    assert check(ENGLISH)[0][0] == "en"
    # Languages outside the short list are not candidates.
    assert {code for code, _ in check("Rada miasta przyjęła wczoraj budżet miasta.")} <= CHECK_AMONG


@pytest.mark.slow
def test_short_french_paragraph_inherits_the_document_language(detector):
    assert detect_language("Le point", detector).language == UNDETERMINED
    document, guesses = assign_languages([FRENCH[0], "Le point", FRENCH[1], "2023"], detector)
    assert document.language == "fr"
    assert [g.language for g in guesses] == ["fr", "fr", "fr", "fr"]
    assert guesses[1] == guesses[3] == document


@pytest.mark.slow
def test_same_output_twice(detector):
    texts = [*FRENCH, ENGLISH, "Marie Dupont", "Städtische Bücherei", "Voilà."]
    first = [detector(t) for t in texts], assign_languages(texts, detector)
    second = [detector(t) for t in texts], assign_languages(texts, detector)
    assert first == second


@pytest.mark.slow
def test_lone_surrogate_does_not_raise(detector):
    assert detect_language("caf\ud800 au lait et croissants", detector).language in {"fr", UNDETERMINED}


# Letters from several scripts (Latin, Cyrillic, Arabic and Hebrew right-to-left, Han, kana), digits,
# punctuation, spaces and combining marks.
_MIXED = st.text(
    alphabet=st.sampled_from(list("aéßœzЖжي عשׁ中語かナ0٣9 .,!?-«»\u200f\u0301\n")) | st.characters(),
    max_size=80,
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(text=_MIXED)
def test_never_raises_and_answers_a_code_and_a_probability(detector, text):
    guess = detect_language(text, detector)
    assert guess.language == UNDETERMINED or CODE.fullmatch(guess.language)
    assert 0.0 <= guess.score <= 1.0
    assert (guess.language == UNDETERMINED) == (guess.score == 0.0)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(paragraphs=st.lists(_MIXED, max_size=5))
def test_documents_never_raise(detector, paragraphs):
    document, guesses = assign_languages(paragraphs, detector)
    for guess in [document, *guesses]:
        assert guess.language == UNDETERMINED or CODE.fullmatch(guess.language)
        assert 0.0 <= guess.score <= 1.0
