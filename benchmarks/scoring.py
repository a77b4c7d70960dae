"""Pure scoring of pipeline tables against gold annotations: spans, document dates and languages (no I/O)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

ENTITY_LABELS = ("PER", "LOC", "ORG")
UNDETERMINED = "und"
LENGTH_BUCKETS = ("<20", "20-50", "50-200", ">=200")


@dataclass(frozen=True, slots=True)
class Span:
    """A span of one paragraph of one document; `label` is an entity label or a date value."""

    doc: str
    paragraph: int
    start: int
    end: int
    label: str = ""
    precision: str = ""

    def overlaps(self, other: Span) -> bool:
        return (
            self.doc == other.doc
            and self.paragraph == other.paragraph
            and self.start < other.end
            and other.start < self.end
        )

    def same_offsets(self, other: Span) -> bool:
        return (self.doc, self.paragraph, self.start, self.end) == (
            other.doc,
            other.paragraph,
            other.start,
            other.end,
        )


@dataclass(frozen=True, slots=True)
class PRF:
    """Matched predictions out of predictions (precision), matched gold out of gold (recall)."""

    pred_matched: int
    pred: int
    gold_matched: int
    gold: int

    @property
    def precision(self) -> float:
        return self.pred_matched / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.gold_matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: PRF) -> PRF:
        return PRF(
            self.pred_matched + other.pred_matched,
            self.pred + other.pred,
            self.gold_matched + other.gold_matched,
            self.gold + other.gold,
        )


def _index(spans: Iterable[Span]) -> dict[tuple[str, int], list[Span]]:
    by_par: dict[tuple[str, int], list[Span]] = defaultdict(list)
    for s in spans:
        by_par[s.doc, s.paragraph].append(s)
    return by_par


def _match(gold: Sequence[Span], pred: Sequence[Span], same) -> PRF:
    """Each side counts its own matched spans: one prediction covering two gold spans helps recall twice."""
    g_idx, p_idx = _index(gold), _index(pred)
    pred_matched = sum(any(same(p, g) for g in g_idx.get((p.doc, p.paragraph), ())) for p in pred)
    gold_matched = sum(any(same(p, g) for p in p_idx.get((g.doc, g.paragraph), ())) for g in gold)
    return PRF(pred_matched, len(pred), gold_matched, len(gold))


def drop_ignored(gold: Sequence[Span], pred: Sequence[Span], ignore: Sequence[Span]) -> list[Span]:
    """Predictions overlapping an `ignore` span are dropped unless they also overlap a gold span."""
    if not ignore:
        return list(pred)
    g_idx, i_idx = _index(gold), _index(ignore)
    return [
        p
        for p in pred
        if any(p.overlaps(g) for g in g_idx.get((p.doc, p.paragraph), ()))
        or not any(p.overlaps(i) for i in i_idx.get((p.doc, p.paragraph), ()))
    ]


def score_entities(
    gold: Sequence[Span],
    pred: Sequence[Span],
    *,
    labels: Sequence[str] = ENTITY_LABELS,
    ignore: Sequence[Span] = (),
) -> dict[str, dict[str, PRF]]:
    """{'strict'|'overlap': {label|'micro': PRF}}; labels outside `labels` (MISC) are not scored."""
    gold = [g for g in gold if g.label in labels]
    pred = drop_ignored(gold, [p for p in pred if p.label in labels], ignore)
    modes = {
        "strict": lambda p, g: p.same_offsets(g) and p.label == g.label,
        "overlap": lambda p, g: p.overlaps(g) and p.label == g.label,
    }
    out: dict[str, dict[str, PRF]] = {}
    for mode, same in modes.items():
        per = {
            label: _match([g for g in gold if g.label == label], [p for p in pred if p.label == label], same)
            for label in labels
        }
        micro = PRF(0, 0, 0, 0)
        for label in labels:
            micro = micro + per[label]
        out[mode] = {**per, "micro": micro}
    return out


def score_date_mentions(gold: Sequence[Span], pred: Sequence[Span], *, ignore: Sequence[Span] = ()) -> dict[str, PRF]:
    """strict: same offsets; relaxed: overlap; value: overlap and same value (`label`)."""
    pred = drop_ignored(gold, pred, ignore)
    return {
        "strict": _match(gold, pred, Span.same_offsets),
        "relaxed": _match(gold, pred, Span.overlaps),
        "value": _match(gold, pred, lambda p, g: p.overlaps(g) and p.label == g.label),
    }


@dataclass(frozen=True, slots=True)
class Rate:
    """hits out of total."""

    hits: int
    total: int

    @property
    def pct(self) -> float:
        return 100.0 * self.hits / self.total if self.total else 0.0


def score_duckling(gold: Mapping[str, Sequence[Span]], pred: Mapping[str, Sequence[Span]]) -> dict[str, Rate]:
    """positives: a prediction overlaps the gold span with its value and precision; negatives: none."""
    pos = neg = pos_ok = neg_ok = 0
    for doc, spans in gold.items():
        found = pred.get(doc, ())
        if not spans:
            neg += 1
            neg_ok += not found
            continue
        for g in spans:
            pos += 1
            pos_ok += any(p.overlaps(g) and p.label == g.label and p.precision == g.precision for p in found)
    return {"positives_at_grain": Rate(pos_ok, pos), "negatives_clean": Rate(neg_ok, neg)}


def score_duckling_values(gold: Mapping[str, Sequence[Span]], pred: Mapping[str, Sequence[Span]]) -> PRF:
    """A prediction is right when it overlaps a gold span of its document with the same value and precision;
    every prediction on a negative (a document without gold spans) is wrong."""
    return _match(
        [g for spans in gold.values() for g in spans],
        [p for doc in gold for p in pred.get(doc, ())],
        lambda p, g: p.overlaps(g) and p.label == g.label and p.precision == g.precision,
    )


_MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
}


def written_forms(day: date) -> list[str]:
    """Common written forms of a day: numeric (ISO, d/m/y, d.m.y) and long forms in fr/en/de/es/it/pt."""
    d, m, y = day.day, day.month, day.year
    forms = {f"{y:04d}-{m:02d}-{d:02d}"}
    for dd in {f"{d}", f"{d:02d}"}:
        for mm in {f"{m}", f"{m:02d}"}:
            forms |= {f"{dd}/{mm}/{y}", f"{dd}.{mm}.{y}"}
    for lang, names in _MONTHS.items():
        month = names.split()[m - 1]
        forms |= {f"{d} {month} {y}", f"{d:02d} {month} {y}"}
        if lang == "fr" and d == 1:
            forms.add(f"1er {month} {y}")
        if lang == "en":
            forms |= {f"{month} {d}, {y}", f"{month} {d} {y}"}
        if lang == "de":
            forms |= {f"{d}. {month} {y}", f"{d:02d}. {month} {y}"}
        if lang in ("es", "pt"):
            forms |= {f"{d} de {month} de {y}", f"{d:02d} de {month} de {y}"}
    return sorted(forms)


def states_day(text: str, day: date, mention_values: Iterable[str] = ()) -> bool:
    """True when a day-precision mention of the text has the value `day`, or a form from `written_forms(day)`
    occurs in the text, case-insensitively and not glued to a neighbouring digit."""
    if day.isoformat() in set(mention_values):
        return True
    low = text.casefold()
    return any(re.search(rf"(?<!\d){re.escape(form.casefold())}(?!\d)", low) for form in written_forms(day))


@dataclass(frozen=True, slots=True)
class DocDate:
    """Gold day of one document, its predicted date (None when undated) and date_source."""

    gold: str
    pred: str | None
    source: str | None
    states_day: bool = False


def score_doc_dates(items: Sequence[DocDate]) -> dict[str, Rate]:
    """accuracy: prediction equals the gold day (so month or year precision is wrong), overall and per source;
    coverage: any date; recoverable: accuracy over the documents whose text states the gold day;
    day_right: of the documents given a day, the share whose day is the gold day (a null beats a wrong day)."""
    out = {
        "accuracy": Rate(sum(i.pred == i.gold for i in items), len(items)),
        "coverage": Rate(sum(i.pred is not None for i in items), len(items)),
    }
    for source in sorted({i.source or "none" for i in items}):
        group = [i for i in items if (i.source or "none") == source]
        out[f"accuracy[{source}]"] = Rate(sum(i.pred == i.gold for i in group), len(group))
    stated = [i for i in items if i.states_day]
    out["recoverable"] = Rate(sum(i.pred == i.gold for i in stated), len(stated))
    days = [i for i in items if i.pred is not None and len(i.pred) == len("YYYY-MM-DD")]
    out["day_right"] = Rate(sum(i.pred == i.gold for i in days), len(days))
    return out


def length_bucket(n_chars: int) -> str:
    return LENGTH_BUCKETS[0 if n_chars < 20 else 1 if n_chars < 50 else 2 if n_chars < 200 else 3]


def norm_language(code: str | None) -> str:
    """Lower-case primary subtag ('en-US' -> 'en', 'zh-cn' -> 'zh'); missing or empty -> 'und'."""
    if not code:
        return UNDETERMINED
    return code.strip().lower().replace("_", "-").split("-")[0] or UNDETERMINED


@dataclass(frozen=True, slots=True)
class LanguageScore:
    """correct, answered (not 'und') and wrong-and-answered counts out of total."""

    correct: int
    answered: int
    wrong: int
    total: int

    @property
    def accuracy(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0

    @property
    def answered_accuracy(self) -> float:
        return 100.0 * self.correct / self.answered if self.answered else 0.0

    @property
    def coverage(self) -> float:
        return 100.0 * self.answered / self.total if self.total else 0.0

    @property
    def wrong_rate(self) -> float:
        return 100.0 * self.wrong / self.total if self.total else 0.0


def score_language(items: Sequence[tuple[str, str | None, int]]) -> dict[str, LanguageScore]:
    """items are (gold, predicted, n_chars); keys 'all' and each non-empty length bucket."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for gold, pred, n in items:
        pair = (norm_language(gold), norm_language(pred))
        groups["all"].append(pair)
        groups[length_bucket(n)].append(pair)
    out = {}
    for key in ("all", *LENGTH_BUCKETS):
        pairs = groups.get(key)
        if not pairs:
            continue
        answered = [(g, p) for g, p in pairs if p != UNDETERMINED]
        correct = sum(g == p for g, p in answered)
        out[key] = LanguageScore(correct, len(answered), len(answered) - correct, len(pairs))
    return out


def paragraphs_differ(gold: Sequence[str], pred: Sequence[str]) -> bool:
    """True when gold offsets do not fit the pipeline's paragraphs: another count or another length.

    Repairs that keep lengths (curly to straight quotes) leave every offset valid, so they are scored.
    """
    return len(gold) != len(pred) or any(len(g) != len(p) for g, p in zip(gold, pred, strict=True))


# A metric of the evaluation is `<set>.<metric>` per system ('ours', 'reference', ...) and half.
Scores = dict[str, dict[str, dict[str, dict[str, float]]]]  # set -> system -> half -> metric -> value
HALVES = ("tune", "check")


@dataclass(frozen=True, slots=True)
class Floor:
    """Ours on `set`.`metric` is at least `minimum` (per half), or the reference's plus `over_reference`."""

    set: str
    metric: str
    minimum: dict[str, float] | None = None
    over_reference: float | None = None
    why: str = ""


def parse_floors(data: dict) -> list[Floor]:
    """Floors from floors.json: `min` is one number for both halves or {"tune": x, "check": y}."""
    floors = []
    for entry in data["floors"]:
        unknown = set(entry) - {"set", "metric", "min", "over_reference", "why"}
        if unknown or not ({"min", "over_reference"} & set(entry)):
            raise ValueError(f"floor {entry}: needs `min` and/or `over_reference`, unknown keys {sorted(unknown)}")
        minimum = entry.get("min")
        if minimum is not None and not isinstance(minimum, dict):
            minimum = dict.fromkeys(HALVES, float(minimum))
        if minimum is not None and set(minimum) != set(HALVES):
            raise ValueError(f"floor {entry}: `min` must name both halves {HALVES}")
        floors.append(Floor(entry["set"], entry["metric"], minimum, entry.get("over_reference"), entry.get("why", "")))
    return floors


@dataclass(frozen=True, slots=True)
class FloorCheck:
    """One floor on one half: the value measured, the bar it had to clear (None when it was not measured)."""

    floor: Floor
    half: str
    kind: str  # 'min' or 'over_reference'
    value: float | None
    bar: float | None

    @property
    def ok(self) -> bool:
        return self.value is not None and self.bar is not None and self.value >= self.bar

    def describe(self) -> str:
        name = f"{self.floor.set}.{self.floor.metric} [{self.half}]"
        if self.value is None or self.bar is None:
            return f"{name}: not measured"
        if self.kind == "min":
            return f"{name}: {self.value:.2f} vs floor {self.bar:.2f}"
        reference = self.bar - (self.floor.over_reference or 0.0)
        return (
            f"{name}: ours {self.value:.2f} - reference {reference:.2f} = {self.value - reference:+.2f}"
            f" vs floor {self.floor.over_reference:+.2f}"
        )


def check_floors(scores: Scores, floors: Sequence[Floor]) -> list[FloorCheck]:
    """Every floor of an evaluated set, checked on each half; a missing metric fails its floor."""
    out = []
    for floor in floors:
        if floor.set not in scores:
            continue
        systems = scores[floor.set]
        for half in HALVES:
            ours = systems.get("ours", {}).get(half, {}).get(floor.metric)
            if floor.minimum is not None:
                out.append(FloorCheck(floor, half, "min", ours, floor.minimum[half]))
            if floor.over_reference is not None:
                ref = systems.get("reference", {}).get(half, {}).get(floor.metric)
                bar = None if ref is None else ref + floor.over_reference
                out.append(FloorCheck(floor, half, "over_reference", ours, bar))
    return out


def half_gaps(by_half: dict[str, dict[str, float]], metrics: Iterable[str], limit: float) -> list[tuple[str, float]]:
    """(metric, tune - check) for each given metric measured on both halves whose gap exceeds `limit` points."""
    tune, check = by_half.get("tune", {}), by_half.get("check", {})
    gaps = [(m, tune[m] - check[m]) for m in metrics if m in tune and m in check]
    return [(m, gap) for m, gap in gaps if abs(gap) > limit]
