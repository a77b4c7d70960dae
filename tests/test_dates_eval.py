"""The date benchmark's arithmetic on tiny inline data."""

from __future__ import annotations

import pytest

from benchmarks.dates_eval import Dated, day_outcome, mention_scores, negatives_clean
from tasks.dates import DatedDocument, DateFinding
from tasks.records import PartialDate


def test_day_outcome_counts_right_wrong_coarse_and_null() -> None:
    o = day_outcome(
        [
            ("2021-03-04", "2021-03-04"),
            ("2021-03-04", "2021-03-05"),
            ("2021-03-04", "2021-03"),
            ("2021-03-04", None),
            ("2020-01-01", "2020-01-01"),
        ]
    )
    assert (o.right, o.wrong, o.coarse, o.null, o.total) == (2, 1, 1, 1, 5)
    assert o.wrong_share == pytest.approx(100 / 3)
    assert day_outcome([("2021-03-04", None)]).wrong_share == 0.0


def _doc(source: str, *found: tuple[int, int, PartialDate]) -> Dated:
    text = "le 4 mars 2021 et hier"
    mentions = tuple(DateFinding(0, s, e, text[s:e], v, False) for s, e, v in found)
    return Dated(source, (text,), DatedDocument(None, None, mentions))


def test_duckling_value_needs_overlap_and_same_value_and_negatives_cost_precision() -> None:
    gold = {
        "a": {"dates": [{"paragraph": 0, "start": 0, "end": 14, "value": "2021-03-04", "precision": "day"}]},
        "b": {"dates": [{"paragraph": 0, "start": 18, "end": 22, "value": "2021-03-03", "precision": "day"}]},
        "n": {"dates": []},
    }
    docs = [
        _doc("a", (3, 9, PartialDate(2021, 3, 4))),  # overlaps, same value: right
        _doc("b", (18, 22, PartialDate(2021, 3))),  # same span, another precision: wrong
        _doc("n", (0, 2, PartialDate(2021))),  # a mention in a negative: a false positive
    ]
    value = mention_scores("duckling_fr", gold, docs)["value"]
    assert (value.pred_matched, value.pred, value.gold_matched, value.gold) == (1, 3, 1, 2)
    assert value.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))
    assert negatives_clean(gold, docs) == (0, 1)


def test_timebank_ignores_predictions_on_other_timex_only() -> None:
    gold = {
        "t": {
            "dates": [{"paragraph": 0, "start": 3, "end": 14, "value": "2021-03-04", "precision": "day"}],
            "other_timex": [{"paragraph": 0, "start": 18, "end": 22, "value": "P1D"}],
        }
    }
    docs = [_doc("t", (3, 14, PartialDate(2021, 3, 5)), (18, 22, PartialDate(2021, 3, 3)))]
    res = mention_scores("timebank_fr_day_header", gold, docs)
    assert (res["relaxed"].pred_matched, res["relaxed"].pred) == (1, 1)
    assert (res["value"].pred_matched, res["value"].gold_matched) == (0, 0)
