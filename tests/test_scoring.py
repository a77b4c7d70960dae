from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks import scoring
from benchmarks.reference import read_article
from benchmarks.scoring import PRF, DocDate, Span


def ent(p: int, start: int, end: int, label: str, doc: str = "a.txt") -> Span:
    return Span(doc, p, start, end, label)


# "Jean Dupont vit à Lyon et travaille chez Renault."
GOLD = [ent(0, 0, 11, "PER"), ent(0, 18, 22, "LOC"), ent(0, 41, 48, "ORG")]


def test_entities_strict_and_overlap_differ_on_boundaries():
    pred = [ent(0, 5, 11, "PER"), ent(0, 18, 22, "LOC"), ent(0, 41, 48, "LOC")]
    res = scoring.score_entities(GOLD, pred)
    assert res["strict"]["micro"] == PRF(1, 3, 1, 3)
    assert res["overlap"]["micro"] == PRF(2, 3, 2, 3)
    assert res["overlap"]["PER"] == PRF(1, 1, 1, 1)
    assert res["overlap"]["ORG"] == PRF(0, 0, 0, 1)
    assert res["overlap"]["LOC"] == PRF(1, 2, 1, 1)
    assert res["strict"]["micro"].f1 == pytest.approx(1 / 3)


def test_entities_need_same_paragraph_and_document():
    pred = [ent(1, 0, 11, "PER"), ent(0, 0, 11, "PER", doc="b.txt")]
    assert scoring.score_entities(GOLD, pred)["overlap"]["micro"] == PRF(0, 2, 0, 3)


def test_misc_predictions_are_neither_right_nor_wrong():
    pred = [*GOLD, ent(0, 30, 36, "MISC")]
    res = scoring.score_entities(GOLD, pred)
    assert res["strict"]["micro"] == PRF(3, 3, 3, 3)
    assert "MISC" not in res["strict"]


def test_prediction_over_other_entity_is_ignored_unless_it_hits_gold():
    # "Le Figaro" is an `other_entities` (prod) span: an ORG prediction there is not a false positive.
    other = [Span("a.txt", 1, 0, 9, "prod")]
    pred = [ent(1, 3, 9, "ORG"), ent(1, 20, 25, "PER")]
    res = scoring.score_entities(GOLD, pred, ignore=other)
    assert res["strict"]["micro"] == PRF(0, 1, 0, 3)
    kept = scoring.drop_ignored([ent(1, 0, 9, "ORG")], pred, other)
    assert kept == pred


def test_date_modes():
    # "Il est arrivé le 3 mars 2021, soit hier."
    gold = [Span("d", 0, 14, 28, "2021-03-03", "day"), Span("d", 0, 35, 39, "2021-03-09", "day")]
    pred = [Span("d", 0, 17, 28, "2021-03-03", "day"), Span("d", 0, 35, 39, "2021-03-10", "day")]
    res = scoring.score_date_mentions(gold, pred)
    assert res["strict"] == PRF(1, 2, 1, 2)
    assert res["relaxed"] == PRF(2, 2, 2, 2)
    assert res["value"] == PRF(1, 2, 1, 2)
    assert res["value"].f1 == pytest.approx(0.5)


def test_other_timex_predictions_are_dropped():
    gold = [Span("d", 0, 0, 4, "2020", "year")]
    other = [Span("d", 0, 10, 20, "P1W")]  # "la semaine" style span
    pred = [Span("d", 0, 0, 4, "2020", "year"), Span("d", 0, 12, 20, "2020-01-06", "day")]
    assert scoring.score_date_mentions(gold, pred, ignore=other)["strict"] == PRF(1, 1, 1, 1)
    assert scoring.score_date_mentions(gold, pred)["strict"] == PRF(1, 2, 1, 1)


def test_duckling_positives_need_value_and_precision():
    gold = {
        "p1": [Span("p1", 0, 0, 4, "2013-02-11", "day")],
        "p2": [Span("p2", 0, 0, 9, "2014-02", "month")],
        "n1": [],
        "n2": [],
    }
    pred = {
        "p1": [Span("p1", 0, 0, 4, "2013-02-11", "day")],
        "p2": [Span("p2", 0, 0, 9, "2014-02-12", "day")],
        "n2": [Span("n2", 0, 0, 3, "2013", "year")],
    }
    res = scoring.score_duckling(gold, pred)
    assert (res["positives_at_grain"].hits, res["positives_at_grain"].total) == (1, 2)
    assert res["negatives_clean"].pct == 50.0


def test_doc_dates_accuracy_by_source_and_recoverable():
    items = [
        DocDate("2023-02-07", "2023-02-07", "header+text", True),
        DocDate("2023-02-08", "2023-02", "header", True),
        DocDate("2023-02-09", None, None, False),
        DocDate("2023-02-10", "2023-02-10", "text", False),
    ]
    res = scoring.score_doc_dates(items)
    assert res["accuracy"].pct == 50.0
    assert res["coverage"].pct == 75.0
    assert res["accuracy[header]"].pct == 0.0
    assert res["accuracy[header+text]"].pct == 100.0
    assert res["accuracy[none]"].total == 1
    assert (res["recoverable"].hits, res["recoverable"].total) == (1, 2)
    # Two documents got a day, both right; the month-precision one is not counted among them.
    assert (res["day_right"].hits, res["day_right"].total) == (2, 2)


@pytest.mark.parametrize(
    "text",
    [
        "Publié le 7 février 2023 à 10h",
        "Posted on February 7, 2023 by staff",
        "Stand: 7. Februar 2023",
        "Madrid, 7 de febrero de 2023.",
        "Aggiornato il 07 febbraio 2023",
        "mis à jour 07/02/2023",
        "(07.02.2023)",
        "2023-02-07T10:00",
        "PUBLIÉ LE 7 FÉVRIER 2023",
    ],
)
def test_states_day_finds_written_forms(text):
    assert scoring.states_day(text, date(2023, 2, 7))


@pytest.mark.parametrize("text", ["le 17 février 2023", "27/02/2023", "7 février 2024", "Le 7 mars 2023"])
def test_states_day_rejects_other_days(text):
    assert not scoring.states_day(text, date(2023, 2, 7))


def test_states_day_accepts_a_mention_value():
    assert scoring.states_day("Hier, mardi, la séance a repris.", date(2023, 2, 7), {"2023-02-07"})
    assert not scoring.states_day("Hier, mardi, la séance a repris.", date(2023, 2, 7), {"2023-02"})


def test_language_scores_by_bucket():
    items = [
        ("fr", "fr", 10),
        ("de", "und", 12),
        ("es", "pt", 30),
        ("ru", "ru", 300),
        ("en", "en-US", 60),
    ]
    res = scoring.score_language(items)
    assert res["all"] == scoring.LanguageScore(correct=3, answered=4, wrong=1, total=5)
    assert res["all"].accuracy == 60.0
    assert res["all"].answered_accuracy == 75.0
    assert res["all"].coverage == 80.0
    assert res["all"].wrong_rate == 20.0
    assert res["<20"].total == 2 and res["<20"].coverage == 50.0
    assert res["20-50"].wrong_rate == 100.0
    assert set(res) == {"all", "<20", "20-50", "50-200", ">=200"}


@pytest.mark.parametrize(
    ("n", "bucket"),
    [(0, "<20"), (19, "<20"), (20, "20-50"), (49, "20-50"), (50, "50-200"), (199, "50-200"), (200, ">=200")],
)
def test_length_bucket_edges(n, bucket):
    assert scoring.length_bucket(n) == bucket


def test_paragraph_alignment():
    assert not scoring.paragraphs_differ(["Titre", "Corps du texte."], ["Titre", "Corps du texte."])
    assert scoring.paragraphs_differ(["Titre", "Corps du texte."], ["Titre Corps du texte."])
    assert not scoring.paragraphs_differ(["L’homme"], ["L'homme"])
    assert scoring.paragraphs_differ(["Café"], ["Café"])


def test_read_article_splits_header_and_paragraphs():
    header, pars = read_article(" date 2021-04 Erster Absatz.\n\nZweiter  Absatz.\n\n\n  Dritter. ")
    assert header == "2021-04"
    assert pars == ["Erster Absatz.", "Zweiter  Absatz.", "Dritter."]
    assert read_article("Sin cabecera.") == (None, ["Sin cabecera."])


spans = st.builds(
    Span,
    doc=st.sampled_from(["a", "b"]),
    paragraph=st.integers(0, 2),
    start=st.integers(0, 30),
    end=st.integers(31, 60),
    label=st.sampled_from(["PER", "LOC", "ORG", "MISC"]),
)


@given(st.lists(spans, max_size=12), st.lists(spans, max_size=12))
def test_entity_scores_are_bounded_and_strict_below_overlap(gold, pred):
    res = scoring.score_entities(gold, pred)
    for mode in ("strict", "overlap"):
        m = res[mode]["micro"]
        assert 0 <= m.pred_matched <= m.pred and 0 <= m.gold_matched <= m.gold
        assert 0.0 <= m.f1 <= 1.0
    assert res["strict"]["micro"].pred_matched <= res["overlap"]["micro"].pred_matched
    assert res["strict"]["micro"].gold_matched <= res["overlap"]["micro"].gold_matched


@given(st.lists(spans, max_size=12))
def test_perfect_prediction_scores_one(gold):
    kept = [g for g in gold if g.label != "MISC"]
    res = scoring.score_entities(gold, gold)
    assert res["strict"]["micro"].f1 == (1.0 if kept else 0.0)


@given(st.dates(min_value=date(1800, 1, 1), max_value=date(2100, 12, 31)))
def test_every_written_form_is_found(day):
    for form in scoring.written_forms(day):
        assert scoring.states_day(f"Texte: {form}.", day)


def test_duckling_values_count_every_mention_on_negatives_as_wrong():
    # "hier" -> 2013-02-11 (day), "en février 2014" -> 2014-02 (month); n1 "3 euros", n2 "deux heures".
    gold = {
        "p1": [Span("p1", 0, 0, 4, "2013-02-11", "day")],
        "p2": [Span("p2", 0, 3, 15, "2014-02", "month")],
        "n1": [],
        "n2": [],
    }
    pred = {
        "p1": [Span("p1", 0, 0, 4, "2013-02-11", "day"), Span("p1", 0, 6, 9, "2013", "year")],
        "p2": [Span("p2", 0, 6, 15, "2014-02", "day")],  # right value string, wrong precision
        "n1": [Span("n1", 0, 0, 1, "2003", "year")],
        "other": [Span("other", 0, 0, 4, "2013-02-11", "day")],  # not a gold document: not scored
    }
    res = scoring.score_duckling_values(gold, pred)
    assert res == PRF(pred_matched=1, pred=4, gold_matched=1, gold=2)
    assert res.precision == pytest.approx(0.25)
    assert res.recall == pytest.approx(0.5)
    assert res.f1 == pytest.approx(2 * 0.25 * 0.5 / 0.75)


def test_duckling_values_perfect_and_silent():
    gold = {"p": [Span("p", 0, 0, 4, "2013-02-11", "day")], "n": []}
    assert scoring.score_duckling_values(gold, {"p": gold["p"]}).f1 == 1.0
    assert scoring.score_duckling_values(gold, {}) == PRF(0, 0, 0, 1)


def test_floors_apply_to_each_half_unless_given_per_half():
    floors = scoring.parse_floors(
        {
            "floors": [
                {"set": "duckling_fr", "metric": "duckling.negatives_clean", "min": 95},
                {
                    "set": "europeana_fr",
                    "metric": "entities.overlap_f1",
                    "min": {"tune": 66, "check": 64},
                    "why": "check half measured 64.9",
                },
                {"set": "europeana_fr", "metric": "entities.overlap_f1", "over_reference": 3},
            ]
        }
    )
    assert floors[0].minimum == {"tune": 95.0, "check": 95.0} and floors[0].over_reference is None
    assert floors[1].minimum == {"tune": 66, "check": 64} and floors[1].why == "check half measured 64.9"
    assert floors[2].minimum is None and floors[2].over_reference == 3


@pytest.mark.parametrize(
    "entry",
    [
        {"set": "s", "metric": "m"},
        {"set": "s", "metric": "m", "min": {"tune": 1}},
        {"set": "s", "metric": "m", "min": 1, "max": 2},
    ],
)
def test_malformed_floor_is_refused(entry):
    with pytest.raises(ValueError):
        scoring.parse_floors({"floors": [entry]})


def test_check_floors_absolute_relative_and_missing():
    scores = {
        "hipe": {
            "ours": {"tune": {"f1": 70.0, "p": 80.0}, "check": {"f1": 68.0}},
            "reference": {"tune": {"f1": 66.0}, "check": {"f1": 66.0}},
        }
    }
    floors = [
        scoring.Floor("hipe", "f1", minimum={"tune": 69.0, "check": 69.0}),
        scoring.Floor("hipe", "f1", over_reference=3.0),
        scoring.Floor("hipe", "p", minimum={"tune": 50.0, "check": 50.0}),
        scoring.Floor("absent_set", "f1", minimum={"tune": 1.0, "check": 1.0}),  # set not evaluated
    ]
    checks = scoring.check_floors(scores, floors)
    assert [(c.floor.metric, c.half, c.kind, c.value, c.bar, c.ok) for c in checks] == [
        ("f1", "tune", "min", 70.0, 69.0, True),
        ("f1", "check", "min", 68.0, 69.0, False),
        ("f1", "tune", "over_reference", 70.0, 69.0, True),
        ("f1", "check", "over_reference", 68.0, 69.0, False),
        ("p", "tune", "min", 80.0, 50.0, True),
        ("p", "check", "min", None, 50.0, False),
    ]
    assert checks[3].describe() == "hipe.f1 [check]: ours 68.00 - reference 66.00 = +2.00 vs floor +3.00"
    assert checks[1].describe() == "hipe.f1 [check]: 68.00 vs floor 69.00"
    assert checks[5].describe() == "hipe.p [check]: not measured"


def test_relative_floor_without_a_reference_fails():
    scores = {"s": {"ours": {"tune": {"f1": 90.0}, "check": {"f1": 90.0}}}}
    checks = scoring.check_floors(scores, [scoring.Floor("s", "f1", over_reference=0.0)])
    assert [c.ok for c in checks] == [False, False]


def test_half_gaps_report_tune_minus_check_beyond_the_limit():
    by_half = {
        "tune": {"a": 90.0, "b": 80.0, "c": 70.0, "only_tune": 1.0},
        "check": {"a": 84.9, "b": 85.5, "c": 75.0},
    }
    assert scoring.half_gaps(by_half, ["a", "b", "c", "only_tune"], 5.0) == [
        ("a", pytest.approx(5.1)),
        ("b", pytest.approx(-5.5)),
    ]
    assert scoring.half_gaps(by_half, ["c"], 5.0) == []


def test_reference_dates_keep_dateparser_period():
    from benchmarks.reference import find_dates

    found = find_dates("Signé le 3 mars 2021, publié en avril 2021.", "2021-05", ["fr"])
    assert [(m["text"], m["value"], m["precision"]) for m in found][:1] == [("le 3 mars 2021", "2021-03-03", "day")]
    assert ("en avril 2021", "2021-04", "month") in [(m["text"], m["value"], m["precision"]) for m in found]
    for m in found:
        assert "Signé le 3 mars 2021, publié en avril 2021."[m["start"] : m["end"]] == m["text"]


def test_reference_writes_the_scored_tables(tmp_path):
    import pandas as pd

    from benchmarks.reference import run_reference

    src = tmp_path / "in"
    src.mkdir()
    (src / "001_a.txt").write_text(" date 2019-03 Le conseil municipal s'est réuni hier soir.\n\nIl a voté le budget.")
    (src / "002_b.txt").write_text("The committee met on Tuesday and approved the annual budget for the city.")
    run_reference(src, tmp_path / "out", stages=("language",))
    docs = pd.read_parquet(tmp_path / "out" / "documents").set_index("source")
    assert docs.loc["001_a.txt", "header_date"] == "2019-03"
    assert docs.loc["001_a.txt", "language"] == "fr"
    assert docs.loc["002_b.txt", "language"] == "en"
    pars = pd.read_parquet(tmp_path / "out" / "paragraphs")
    assert list(pars["text"]) == [
        "Le conseil municipal s'est réuni hier soir.",
        "Il a voté le budget.",
        "The committee met on Tuesday and approved the annual budget for the city.",
    ]
    assert pd.read_parquet(tmp_path / "out" / "entities").empty


def test_each_half_is_scored_on_its_own_documents():
    import pandas as pd

    from benchmarks.evaluate import score_halves
    from benchmarks.halves import half_of

    names = [f"{i:03d}_x.txt" for i in range(40)]
    tune = [n for n in names if half_of(n) == "tune"][:2]
    check = [n for n in names if half_of(n) == "check"][:3]
    lines = {
        tune[0]: ("fr", "Le conseil a voté.", "fr"),
        tune[1]: ("de", "Der Rat hat abgestimmt.", "de"),
        check[0]: ("nl", "De raad heeft gestemd.", "de"),
        check[1]: ("es", "El consejo votó.", "es"),
        check[2]: ("ru", "Совет проголосовал.", "und"),
    }
    gold = {src: {"source": src, "paragraphs": [{"text": t, "language": g}]} for src, (g, t, _) in lines.items()}
    paragraphs = pd.DataFrame(
        {"doc": list(lines), "paragraph_id": [0] * 5, "language": [p for _, _, p in lines.values()]}
    )
    res = score_halves("lingua_sentences", gold, {"paragraphs": paragraphs}, {})
    assert res["tune"]["language.accuracy"] == 100.0 and res["tune"]["language.n"] == 2
    assert res["check"]["language.accuracy"] == pytest.approx(100 / 3)
    assert res["check"]["language.coverage"] == pytest.approx(200 / 3)
    assert res["all"]["language.accuracy"] == 60.0 and res["all"]["language.n"] == 5
