"""Fast date benchmark: the pure date steps on the gold inputs, per set and per tune/check half (no flow, no NER)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks import scoring
from benchmarks.halves import HALVES, half_of
from benchmarks.scoring import PRF, Span
from tasks.clean import clean_text
from tasks.dates import DatedDocument, date_document
from tasks.read import decode, split_header
from tasks.segment import split_paragraphs

REPO = Path(__file__).resolve().parent.parent
# Run: `python -m benchmarks.dates_eval --gold ../shared/data/gold`. The date step gets the gold document language
# where the set has one (TimeBank, HIPE, most news pages), else none; the flow uses its language detector.

MENTION_SETS = ("duckling_fr", "timebank_fr_day_header", "timebank_fr_month_header")
DOC_DATE_SETS = (
    "news_pages_month_header",
    "news_pages_no_header",
    "timebank_fr_month_header",
    "timebank_fr_no_header",
    "hipe_fr_no_header",
)


@dataclass(frozen=True, slots=True)
class Dated:
    """One gold document after the pipeline's pure steps: its paragraphs and what the date step found."""

    source: str
    paragraphs: tuple[str, ...]
    result: DatedDocument


@dataclass(frozen=True, slots=True)
class DayOutcome:
    """Of `total` documents: `right` and `wrong` day-precision dates, `coarse` month/year dates, `null` none."""

    right: int
    wrong: int
    coarse: int
    null: int
    total: int

    @property
    def wrong_share(self) -> float:
        """Wrong days among the documents given a day, in percent (0 when none is given a day)."""
        given = self.right + self.wrong
        return 100.0 * self.wrong / given if given else 0.0


def day_outcome(pairs: Iterable[tuple[str, str | None]]) -> DayOutcome:
    """(gold day, predicted ISO date or None) pairs counted into right/wrong days, coarser dates and nulls."""
    right = wrong = coarse = null = total = 0
    for gold, pred in pairs:
        total += 1
        if pred is None:
            null += 1
        elif len(pred) < 10:
            coarse += 1
        elif pred == gold:
            right += 1
        else:
            wrong += 1
    return DayOutcome(right, wrong, coarse, null, total)


def mention_spans(docs: Sequence[Dated]) -> list[Span]:
    """Predicted date mentions as scoring spans labelled with their value and precision."""
    return [
        Span(d.source, m.paragraph_id, m.start, m.end, m.value.iso, m.value.precision)
        for d in docs
        for m in d.result.mentions
    ]


def gold_spans(gold: dict[str, dict], key: str, docs: Iterable[str]) -> list[Span]:
    return [
        Span(src, s["paragraph"], s["start"], s["end"], s.get("value", ""), s.get("precision", ""))
        for src in docs
        for s in gold[src].get(key, ())
    ]


def run_set(set_dir: Path) -> tuple[dict[str, dict], list[Dated], int]:
    """Gold records, the documents whose paragraphs align with the gold ones, and how many did not align."""
    with open(set_dir / "gold.jsonl", encoding="utf-8") as f:
        gold = {rec["source"]: rec for rec in map(json.loads, f)}
    out: list[Dated] = []
    misaligned = 0
    for src, rec in sorted(gold.items()):
        header = split_header(clean_text(decode((set_dir / "input" / src).read_bytes()).text))
        paragraphs = tuple(s.text for s in split_paragraphs(header.body))
        if scoring.paragraphs_differ([p["text"] for p in rec["paragraphs"]], paragraphs):
            misaligned += 1
        result = date_document(paragraphs, header.date, language=rec.get("language"))
        out.append(Dated(src, paragraphs, result))
    return gold, out, misaligned


def _prf(prf: PRF) -> str:
    return f"P {100 * prf.precision:5.1f}  R {100 * prf.recall:5.1f}  F1 {100 * prf.f1:5.1f}"


def mention_scores(name: str, gold: dict[str, dict], docs: Sequence[Dated]) -> dict[str, PRF]:
    """duckling: value PRF (negatives add their predictions); TimeBank: value and relaxed PRF, other_timex ignored."""
    sources = [d.source for d in docs]
    g, p = gold_spans(gold, "dates", sources), mention_spans(docs)
    if name == "duckling_fr":
        res = scoring.score_date_mentions(g, p)
        return {"value": res["value"]}
    res = scoring.score_date_mentions(g, p, ignore=gold_spans(gold, "other_timex", sources))
    return {"value": res["value"], "relaxed": res["relaxed"]}


def negatives_clean(gold: dict[str, dict], docs: Sequence[Dated]) -> tuple[int, int]:
    """(negative documents without any mention, negative documents)."""
    negatives = [d for d in docs if not gold[d.source].get("dates")]
    return sum(not d.result.mentions for d in negatives), len(negatives)


def report(gold_dir: Path, sets: Sequence[str]) -> str:
    lines: list[str] = []
    for name in sets:
        set_dir = gold_dir / name
        if not set_dir.is_dir():
            lines.append(f"{name}: missing")
            continue
        gold, docs, misaligned = run_set(set_dir)
        halves = {h: [d for d in docs if half_of(d.source) == h] for h in HALVES}
        note = f" ({misaligned} misaligned docs)" if misaligned else ""
        lines.append(f"{name}{note}")
        if name in MENTION_SETS:
            aligned = {h: [d for d in ds if not _misaligned(gold, d)] for h, ds in halves.items()}
            scores = {h: mention_scores(name, gold, ds) for h, ds in aligned.items()}
            for metric in scores["tune"]:
                tune, check = scores["tune"][metric], scores["check"][metric]
                gap = 100 * (tune.f1 - check.f1)
                lines.append(
                    f"  {metric + ' F1':<11} tune {100 * tune.f1:5.1f} | check {100 * check.f1:5.1f} | gap {gap:+5.1f}"
                    f"    tune {_prf(tune)} | check {_prf(check)}"
                )
            if name == "duckling_fr":
                clean = {h: negatives_clean(gold, ds) for h, ds in aligned.items()}
                lines.append("  negatives  " + " | ".join(f"{h} {ok}/{n} clean" for h, (ok, n) in clean.items()))
        if name in DOC_DATE_SETS:
            for h, ds in halves.items():
                ds = [d for d in ds if gold[d.source].get("date")]
                o = day_outcome((gold[d.source]["date"], d.result.date.iso if d.result.date else None) for d in ds)
                sources: dict[str, int] = defaultdict(int)
                for d in ds:
                    sources[d.result.source or "none"] += 1
                by_source = " ".join(f"{k}:{v}" for k, v in sorted(sources.items()))
                stated = [d for d in ds if _states_day(gold[d.source], d)]
                right_stated = sum(bool(d.result.date and d.result.date.iso == gold[d.source]["date"]) for d in stated)
                lines.append(
                    f"  doc date {h:<5} wrong {o.wrong_share:5.1f}% of {o.right + o.wrong:3d} days  right {o.right:3d}"
                    f"  wrong {o.wrong:3d}  coarse {o.coarse:3d}  null {o.null:3d}  of {o.total:3d}"
                    f"  recoverable {right_stated}/{len(stated)}   [{by_source}]"
                )
    return "\n".join(lines)


def _states_day(rec: dict, d: Dated) -> bool:
    """Whether the text states the gold day (evaluate.py's `recoverable` denominator, with our mentions only)."""
    text = "\n\n".join(p["text"] for p in rec["paragraphs"])
    days = {m.value.iso for m in d.result.mentions if m.value.precision == "day"}
    return scoring.states_day(text, date.fromisoformat(rec["date"]), days)


def _misaligned(gold: dict[str, dict], d: Dated) -> bool:
    return scoring.paragraphs_differ([p["text"] for p in gold[d.source]["paragraphs"]], d.paragraphs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", type=Path, default=REPO.parent / "shared" / "data" / "gold")
    parser.add_argument("--sets", default=",".join(dict.fromkeys((*MENTION_SETS, *DOC_DATE_SETS))))
    args = parser.parse_args(argv)
    print(report(args.gold, [s for s in args.sets.split(",") if s]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
