"""Score the flow and the bare-library reference on the gold sets, side by side; optionally check floors."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import pandas as pd

from benchmarks import scoring
from benchmarks.reference import run_reference
from benchmarks.scoring import DocDate, Span

REPO = Path(__file__).resolve().parent.parent

# One variant per family so that no entity or date mention is counted twice.
DEFAULT_SETS = (
    "timebank_fr_month_header",
    # The same documents with the publication day given, as in HeidelTime's published French TimeBank setting.
    "timebank_fr_day_header",
    "timebank_fr_no_header",
    "duckling_fr",
    "hipe_fr_no_header",
    "europeana_fr",
    "lingua_sentences",
    "lingua_word_pairs",
    "lingua_single_words",
    "news_pages_month_header",
    "news_pages_no_header",
)

# What is scored per set: date spans, duckling, entities, document date, language per paragraph/document.
SCOPES: dict[str, tuple[str, ...]] = {
    "timebank_fr_month_header": ("dates", "doc_date"),
    "timebank_fr_day_header": ("dates", "doc_date"),
    "timebank_fr_no_header": ("doc_date",),
    "duckling_fr": ("duckling",),
    "hipe_fr_month_header": ("entities", "doc_date"),
    "hipe_fr_no_header": ("entities", "doc_date"),
    "europeana_fr": ("entities",),
    "lingua_sentences": ("paragraph_language",),
    "lingua_word_pairs": ("paragraph_language",),
    "lingua_single_words": ("paragraph_language",),
    "news_pages_month_header": ("doc_date", "doc_language"),
    "news_pages_no_header": ("doc_date",),
}

# The reference runs only the stages its scores need (langdetect and dateparser are slow on 12k paragraphs),
# and a plain script finds a document date by scanning paragraphs until the first date.
REFERENCE_STAGES: dict[str, tuple[str, ...]] = {
    "dates": ("doc_language", "dates", "doc_date"),
    "duckling": ("doc_language", "dates"),
    "entities": ("entities",),
    "doc_date": ("doc_language", "doc_date"),
    "paragraph_language": ("language",),
    "doc_language": ("doc_language",),
}

# Published numbers, for orientation only: other corpora or settings than ours.
ANCHORS = {
    ("timebank_fr_month_header", "dates.strict_f1"): "HeidelTime FR-TimeBank 86.0",
    ("timebank_fr_month_header", "dates.relaxed_f1"): "HeidelTime FR-TimeBank 91.0",
    ("timebank_fr_month_header", "dates.value_f1"): "HeidelTime FR-TimeBank 73.6",
    ("hipe_fr_no_header", "entities.overlap_f1"): "fr_core_news_md WikiNER 83.2 (_lg 84.2)",
    ("europeana_fr", "entities.overlap_f1"): "fr_core_news_md WikiNER 83.2 (_lg 84.2)",
    ("lingua_sentences", "language.accuracy"): "lingua 99 / langdetect 99",
    ("lingua_word_pairs", "language.accuracy"): "lingua 94 / langdetect 78",
}

TARGETS = {
    ("timebank_fr_month_header", "dates.value_f1"): ">= 80",
    ("timebank_fr_month_header", "dates.relaxed_f1"): ">= 90",
    ("duckling_fr", "duckling.positives_at_grain"): ">= 90",
    ("duckling_fr", "duckling.negatives_clean"): ">= 95",
    ("hipe_fr_no_header", "entities.overlap_f1"): ">= ref + 3",
    ("europeana_fr", "entities.overlap_f1"): ">= ref + 3",
    ("lingua_sentences", "language.accuracy"): ">= 99",
    ("lingua_word_pairs", "language.answered_accuracy"): ">= 92",
    ("lingua_single_words", "language.wrong_rate"): "<= 10",
    ("news_pages_month_header", "doc_date.recoverable"): ">= 60",
}

TABLES = ("documents", "paragraphs", "entities", "date_mentions")


def load_gold(set_dir: Path) -> dict[str, dict]:
    with open(set_dir / "gold.jsonl", encoding="utf-8") as f:
        return {rec["source"]: rec for rec in map(json.loads, f)}


def load_tables(out: Path) -> dict[str, pd.DataFrame]:
    """The four document tables, each with a `doc` column (the source file name) to join the gold on."""
    tables = {name: pd.read_parquet(out / name) for name in TABLES}
    to_source = dict(zip(tables["documents"]["doc_id"], tables["documents"]["source"], strict=True))
    for df in tables.values():
        df["doc"] = df["doc_id"].map(to_source)
    return tables


def gold_spans(gold: dict[str, dict], key: str, docs: set[str]) -> list[Span]:
    return [
        Span(
            src,
            s["paragraph"],
            s["start"],
            s["end"],
            s.get("label") or s.get("value") or "",
            s.get("precision", ""),
        )
        for src, rec in gold.items()
        if src in docs
        for s in rec.get(key, ())
    ]


def pred_spans(df: pd.DataFrame, docs: set[str], *, value: bool) -> list[Span]:
    df = df[df["doc"].isin(docs)]
    labels = df["value"] if value else df["label"]
    precisions = df["precision"] if value else [""] * len(df)
    return [
        Span(d, int(p), int(s), int(e), str(lab), str(pr))
        for d, p, s, e, lab, pr in zip(
            df["doc"], df["paragraph_id"], df["start"], df["end"], labels, precisions, strict=True
        )
    ]


def misaligned_docs(gold: dict[str, dict], tables: dict[str, pd.DataFrame]) -> dict[str, bool]:
    """Sources whose predicted paragraph texts differ from the gold ones -> whether every length still matches
    (a character substitution such as ’ -> ', which leaves offsets usable but is skipped all the same)."""
    pars = tables["paragraphs"].sort_values(["doc", "paragraph_id"])
    texts: dict[str, list[str]] = defaultdict(list)
    for doc, text in zip(pars["doc"], pars["text"], strict=True):
        texts[doc].append(text)
    out = {}
    for src, rec in gold.items():
        want, got = [p["text"] for p in rec["paragraphs"]], texts.get(src, [])
        if scoring.paragraphs_differ(want, got):
            out[src] = [len(t) for t in want] == [len(t) for t in got]
    return out


def day_mentions(tables: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    dm = tables["date_mentions"]
    dm = dm[dm["precision"] == "day"]
    out: dict[str, set[str]] = defaultdict(set)
    for doc, value in zip(dm["doc"], dm["value"], strict=True):
        out[doc].add(value)
    return out


def states_day(gold: dict[str, dict], runs: list[dict[str, pd.DataFrame]]) -> dict[str, bool]:
    """Per source: does the text state the gold day? Mentions of every run count, so both sides share one
    denominator."""
    mentions = [day_mentions(t) for t in runs]
    return {
        src: scoring.states_day(
            "\n\n".join(p["text"] for p in rec["paragraphs"]),
            date.fromisoformat(rec["date"]),
            set().union(*(m.get(src, set()) for m in mentions)),
        )
        for src, rec in gold.items()
        if rec.get("date")
    }


def score_set(
    name: str,
    gold: dict[str, dict],
    tables: dict[str, pd.DataFrame],
    stated: dict[str, bool],
    skip: set[str] = frozenset(),
) -> dict:
    """Flat {metric: number} for one run on one set, in percent; the `skip` sources' spans are not scored."""
    scores: dict[str, float] = {}
    scopes = SCOPES[name]
    docs = set(gold) - skip
    if {"dates", "entities", "duckling"} & set(scopes):
        misaligned = misaligned_docs(gold, tables)
        scores["alignment.misaligned_docs"] = len(misaligned)
        scores["alignment.misaligned_same_lengths"] = sum(misaligned.values())
        scores["alignment.span_scored_docs"] = len(docs - set(misaligned))
        docs -= set(misaligned)
    if "dates" in scopes:
        res = scoring.score_date_mentions(
            gold_spans(gold, "dates", docs),
            pred_spans(tables["date_mentions"], docs, value=True),
            ignore=gold_spans(gold, "other_timex", docs),
        )
        for mode, prf in res.items():
            scores |= {
                f"dates.{mode}_p": 100 * prf.precision,
                f"dates.{mode}_r": 100 * prf.recall,
                f"dates.{mode}_f1": 100 * prf.f1,
            }
    if "duckling" in scopes:
        pred_by_doc: dict[str, list[Span]] = defaultdict(list)
        for s in pred_spans(tables["date_mentions"], docs, value=True):
            pred_by_doc[s.doc].append(s)
        gold_by_doc = {src: gold_spans({src: gold[src]}, "dates", {src}) for src in docs}
        for metric, rate in scoring.score_duckling(gold_by_doc, pred_by_doc).items():
            scores[f"duckling.{metric}"] = rate.pct
    if "entities" in scopes:
        res = scoring.score_entities(
            gold_spans(gold, "entities", docs),
            pred_spans(tables["entities"], docs, value=False),
            ignore=gold_spans(gold, "other_entities", docs),
        )
        for mode, per in res.items():
            for label, prf in per.items():
                suffix = "" if label == "micro" else f".{label}"
                scores[f"entities.{mode}_f1{suffix}"] = 100 * prf.f1
            scores[f"entities.{mode}_p"] = 100 * per["micro"].precision
            scores[f"entities.{mode}_r"] = 100 * per["micro"].recall
    if "doc_date" in scopes:
        d = tables["documents"].set_index("doc")
        items = []
        for src, rec in gold.items():
            if not rec.get("date"):
                continue
            row = d.loc[src] if src in d.index else None
            pred = None if row is None or pd.isna(row["date"]) else str(row["date"])
            source = None if row is None or pd.isna(row["date_source"]) else str(row["date_source"])
            items.append(DocDate(rec["date"], pred, source, stated.get(src, False)))
        for metric, rate in scoring.score_doc_dates(items).items():
            scores[f"doc_date.{metric}"] = rate.pct
        scores["doc_date.recoverable_n"] = scoring.score_doc_dates(items)["recoverable"].total
    if "paragraph_language" in scopes or "doc_language" in scopes:
        if "paragraph_language" in scopes:
            pars = tables["paragraphs"].set_index(["doc", "paragraph_id"])["language"].to_dict()
            items = [
                (p["language"], pars.get((src, i)), len(p["text"]))
                for src, rec in gold.items()
                for i, p in enumerate(rec["paragraphs"])
                if p.get("language")
            ]
        else:
            langs = tables["documents"].set_index("doc")["language"].to_dict()
            items = [
                (rec["language"], langs.get(src), sum(len(p["text"]) for p in rec["paragraphs"]))
                for src, rec in gold.items()
                if rec.get("language")
            ]
        by_bucket = scoring.score_language(items)
        if len(by_bucket) == 2:  # one bucket only: it repeats 'all'
            by_bucket = {"all": by_bucket["all"]}
        for bucket, ls in by_bucket.items():
            prefix = "language" if bucket == "all" else f"language[{bucket}]"
            scores |= {
                f"{prefix}.accuracy": ls.accuracy,
                f"{prefix}.answered_accuracy": ls.answered_accuracy,
                f"{prefix}.coverage": ls.coverage,
                f"{prefix}.wrong_rate": ls.wrong_rate,
                # Floors bound from below only: the wrong-answer ceiling is checked through its complement.
                f"{prefix}.not_wrong": 100.0 - ls.wrong_rate,
                f"{prefix}.n": ls.total,
            }
    return scores


def run_flow(input_dir: Path, output_dir: Path) -> None:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.news_etl import news_etl

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        news_etl(input_dir=input_dir, output_dir=output_dir, full_refresh=True)


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


# The printed table's rows; every metric is in scores.json (and printed with --verbose).
HEADLINE = {
    "dates": ("dates.strict_f1", "dates.relaxed_f1", "dates.value_f1"),
    "duckling": ("duckling.positives_at_grain", "duckling.negatives_clean"),
    "entities": ("entities.strict_f1", "entities.overlap_f1"),
    "doc_date": ("doc_date.accuracy", "doc_date.coverage", "doc_date.recoverable"),
    "paragraph_language": ("language.accuracy", "language.answered_accuracy", "language.coverage"),
    "doc_language": ("language.accuracy",),
}
HEADLINE_BY_SET = {
    "timebank_fr_month_header": (*HEADLINE["dates"], "doc_date.accuracy", "doc_date.recoverable"),
    "timebank_fr_no_header": ("doc_date.accuracy", "doc_date.coverage"),
    "hipe_fr_no_header": (*HEADLINE["entities"], "doc_date.accuracy", "doc_date.coverage"),
    "lingua_sentences": ("language.accuracy",),
    "lingua_word_pairs": ("language.answered_accuracy", "language.coverage", "language.accuracy"),
    "lingua_single_words": ("language.wrong_rate", "language.coverage"),
    "news_pages_month_header": ("doc_date.recoverable", "doc_date.accuracy", "language.accuracy"),
    "news_pages_no_header": ("doc_date.recoverable", "doc_date.accuracy", "doc_date.coverage"),
}


def _note(name: str, metric: str, ours: dict, limits: dict[str, str]) -> str:
    notes = [ANCHORS.get((name, metric), "")]
    first_span_metric = metric in ("entities.strict_f1", "dates.strict_f1", "duckling.positives_at_grain")
    if first_span_metric and ours.get("alignment.misaligned_docs"):
        notes.append(
            f"spans on {ours['alignment.span_scored_docs']:.0f} docs "
            f"({ours['alignment.misaligned_docs']:.0f} misaligned)"
        )
    if name in limits:
        notes.append(limits[name])
    return "; ".join(n for n in notes if n)


def render(
    results: dict[str, dict],
    times: dict[str, dict[str, float]],
    limits: dict[str, str],
    verbose: bool = False,
) -> str:
    rows = [("set", "metric", "ours", "ref", "target", "wall s ours/ref", "anchor / note")]
    for name, res in results.items():
        ours, ref = res["ours"], res["reference"]
        default = tuple(m for scope in SCOPES[name] for m in HEADLINE[scope])
        metrics = list(ours) if verbose else [m for m in HEADLINE_BY_SET.get(name, default) if m in ours]
        t = times[name]
        wall = f"{t['ours']:.0f}/{t['reference']:.0f}"
        for i, metric in enumerate(metrics):
            label = metric
            if metric == "doc_date.recoverable":
                label += f" (n={ours.get('doc_date.recoverable_n', 0):.0f})"
            rows.append(
                (
                    name if i == 0 else "",
                    label,
                    fmt(ours.get(metric)),
                    fmt(ref.get(metric)),
                    TARGETS.get((name, metric), ""),
                    wall if i == 0 else "",
                    _note(name, metric, ours, limits),
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def check(results: dict[str, dict], floors: dict[str, float]) -> list[str]:
    """Every floor of an evaluated set whose metric is missing or below it."""
    failures = []
    for key, floor in sorted(floors.items()):
        name, metric = key.split(".", 1)
        if name not in results:
            continue
        value = results[name]["ours"].get(metric)
        if value is None:
            failures.append(f"{key}: not measured (floor {floor})")
        elif value < floor:
            failures.append(f"{key}: {value:.2f} < floor {floor}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", type=Path, default=REPO.parent / "shared" / "data" / "gold")
    parser.add_argument("--sets", default=",".join(DEFAULT_SETS), help="comma-separated set names")
    parser.add_argument("--check", type=Path, help="floors.json: exit 1 when a metric falls below its floor")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "eval")
    parser.add_argument(
        "--reference-limit",
        type=int,
        default=None,
        help="score the reference on the first N files of each set only",
    )
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument(
        "--verbose", action="store_true", help="print every metric, not only the headline ones"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    names = [s for s in args.sets.split(",") if s]
    unknown = [s for s in names if s not in SCOPES]
    if unknown:
        parser.error(f"unknown sets {unknown}; known: {sorted(SCOPES)}")
    results: dict[str, dict] = {}
    times: dict[str, dict[str, float]] = {}
    limits: dict[str, str] = {}
    started = time.perf_counter()
    for name in names:
        set_dir = args.gold / name
        gold = load_gold(set_dir)
        out_ours, out_ref = args.out / name / "ours", args.out / name / "reference"
        t0 = time.perf_counter()
        run_flow(set_dir / "input", out_ours)
        t1 = time.perf_counter()
        runs = [load_tables(out_ours)]
        if not args.no_reference:
            stages = sorted({st for scope in SCOPES[name] for st in REFERENCE_STAGES[scope]})
            run_reference(set_dir / "input", out_ref, stages=stages, limit=args.reference_limit)
            runs.append(load_tables(out_ref))
            if args.reference_limit and args.reference_limit < len(gold):
                limits[name] = f"reference on first {args.reference_limit} of {len(gold)} files"
        t2 = time.perf_counter()
        stated = states_day(gold, runs)
        # Both sides score spans on the same documents: those whose paragraphs align in every run.
        skip = set().union(*(misaligned_docs(gold, t) for t in runs))
        results[name] = {"ours": score_set(name, gold, runs[0], stated, skip), "reference": {}}
        if len(runs) > 1:
            ref_gold = {src: gold[src] for src in sorted(gold)[: args.reference_limit]}
            results[name]["reference"] = score_set(name, ref_gold, runs[1], stated, skip)
        t3 = time.perf_counter()
        times[name] = {"ours": t1 - t0, "reference": t2 - t1, "scoring": t3 - t2}
        print(
            f"[{name}] flow {t1 - t0:.1f}s, reference {t2 - t1:.1f}s, scoring {t3 - t2:.1f}s", file=sys.stderr
        )
    total = time.perf_counter() - started
    print(render(results, times, limits, args.verbose))
    parts = {part: sum(t[part] for t in times.values()) for part in ("ours", "reference", "scoring")}
    print(
        f"total wall time {total:.0f}s (flow {parts['ours']:.0f}s, reference {parts['reference']:.0f}s, "
        f"scoring {parts['scoring']:.0f}s)"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {"sets": results, "wall_seconds": times, "total_wall_seconds": total, "notes": limits}
    (args.out / "scores.json").write_text(
        json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    if args.check:
        failures = check(results, json.loads(args.check.read_text(encoding="utf-8")))
        for line in failures:
            print(f"BELOW FLOOR {line}", file=sys.stderr)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
