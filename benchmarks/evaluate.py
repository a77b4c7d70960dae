"""Score the flow and the bare-library reference on the gold sets, tune and check halves side by side; check floors.

Every set is split by document with `benchmarks.halves.half_of`; each number is printed for the tune half (rules
are written looking at it) and the check half (never looked at), with the gap between them. The paragraph-language
sets and the news pages' document language are also scored with each supported language detector through the
pure steps, with its speed and its memory cost.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from pathlib import Path

import pandas as pd

from benchmarks import scoring
from benchmarks.halves import HALVES, half_of
from benchmarks.reference import run_reference
from benchmarks.scoring import DocDate, Span
from tasks.models import DETECTORS

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
    "wikineural_fr",
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
    "wikineural_fr": ("entities",),
    "lingua_sentences": ("paragraph_language",),
    "lingua_word_pairs": ("paragraph_language",),
    "lingua_single_words": ("paragraph_language",),
    "news_pages_month_header": ("doc_date", "doc_language"),
    "news_pages_no_header": ("doc_date",),
}

# HIPE and Europeana annotate no MISC (a MISC prediction there is neither right nor wrong); WikiNEuRal does.
ENTITY_LABELS = {"wikineural_fr": ("PER", "LOC", "ORG", "MISC")}

# Scored with every detector through the pure steps, beside the flow: (set, scope).
DETECTOR_SETS = {
    "lingua_sentences": "paragraph_language",
    "lingua_word_pairs": "paragraph_language",
    "lingua_single_words": "paragraph_language",
    "news_pages_month_header": "doc_language",
}
# A tune/check gap wider than this many points is printed as a warning.
GAP_WARNING = 5.0

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
    ("wikineural_fr", "entities.overlap_f1"): "PER/LOC/ORG/MISC",
    ("lingua_sentences", "language.accuracy"): "lingua 99 / langdetect 99",
    ("lingua_word_pairs", "language.accuracy"): "lingua 94 / langdetect 78",
}

TARGETS = {
    ("timebank_fr_month_header", "dates.value_f1"): ">= 80",
    ("timebank_fr_month_header", "dates.relaxed_f1"): ">= 90",
    ("duckling_fr", "duckling.positives_at_grain"): ">= 90",
    ("duckling_fr", "duckling.negatives_clean"): ">= 95",
    ("wikineural_fr", "entities.overlap_f1"): ">= ref",
    ("wikineural_fr", "entities.strict_f1"): ">= ref",
    ("hipe_fr_no_header", "entities.overlap_f1"): ">= ref + 3",
    ("europeana_fr", "entities.overlap_f1"): ">= ref + 3",
    ("lingua_sentences", "language.accuracy"): ">= 99.5",
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
    skip: AbstractSet[str] = frozenset(),
    scopes: tuple[str, ...] | None = None,
) -> dict:
    """Flat {metric: number} for one run on one set, in percent; the `skip` sources' spans are not scored."""
    scores: dict[str, float] = {}
    scopes = scopes or SCOPES[name]
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
        values = scoring.score_duckling_values(gold_by_doc, pred_by_doc)
        scores |= {
            "duckling.value_p": 100 * values.precision,
            "duckling.value_r": 100 * values.recall,
            "duckling.value_f1": 100 * values.f1,
        }
    if "entities" in scopes:
        by_label = scoring.score_entities(
            gold_spans(gold, "entities", docs),
            pred_spans(tables["entities"], docs, value=False),
            labels=ENTITY_LABELS.get(name, scoring.ENTITY_LABELS),
            ignore=gold_spans(gold, "other_entities", docs),
        )
        for mode, per in by_label.items():
            for label, prf in per.items():
                suffix = "" if label == "micro" else f".{label}"
                scores[f"entities.{mode}_f1{suffix}"] = 100 * prf.f1
            scores[f"entities.{mode}_p"] = 100 * per["micro"].precision
            scores[f"entities.{mode}_r"] = 100 * per["micro"].recall
    if "doc_date" in scopes:
        d = tables["documents"].set_index("doc")
        items: list[DocDate] = []
        for src, rec in gold.items():
            if not rec.get("date"):
                continue
            row = d.loc[src] if src in d.index else None
            pred = None if row is None or pd.isna(row["date"]) else str(row["date"])
            source = None if row is None or pd.isna(row["date_source"]) else str(row["date_source"])
            items.append(DocDate(rec["date"], pred, source, stated.get(src, False)))
        doc_dates = scoring.score_doc_dates(items)
        for metric, rate in doc_dates.items():
            scores[f"doc_date.{metric}"] = rate.pct
        for metric in ("recoverable", "day_right"):
            scores[f"doc_date.{metric}_n"] = doc_dates[metric].total
    if "paragraph_language" in scopes or "doc_language" in scopes:
        if "paragraph_language" in scopes:
            pars = tables["paragraphs"].set_index(["doc", "paragraph_id"])["language"].to_dict()
            languages = [
                (p["language"], pars.get((src, i)), len(p["text"]))
                for src, rec in gold.items()
                for i, p in enumerate(rec["paragraphs"])
                if p.get("language")
            ]
        else:
            langs = tables["documents"].set_index("doc")["language"].to_dict()
            languages = [
                (rec["language"], langs.get(src), sum(len(p["text"]) for p in rec["paragraphs"]))
                for src, rec in gold.items()
                if rec.get("language")
            ]
        by_bucket = scoring.score_language(languages)
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


def score_halves(
    name: str,
    gold: dict[str, dict],
    tables: dict[str, pd.DataFrame],
    stated: dict[str, bool],
    skip: AbstractSet[str] = frozenset(),
    scopes: tuple[str, ...] | None = None,
) -> dict[str, dict]:
    """{'tune' | 'check' | 'all': scores}: each half is scored on its own documents only."""
    out: dict[str, dict] = {
        half: score_set(name, {s: r for s, r in gold.items() if half_of(s) == half}, tables, stated, skip, scopes)
        for half in HALVES
    }
    out["all"] = score_set(name, gold, tables, stated, skip, scopes)
    return out


def run_flow(input_dir: Path, output_dir: Path) -> None:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.news_etl import news_etl

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        news_etl(input_dir=input_dir, output_dir=output_dir, full_refresh=True)


def timed_reference(input_dir: Path, output_dir: Path, stages: list[str], limit: int | None) -> float:
    """run_reference, returning its wall seconds (it runs in a worker process)."""
    t0 = time.perf_counter()
    run_reference(input_dir, output_dir, stages=stages, limit=limit)
    return time.perf_counter() - t0


def run_pure(input_dir: Path, detector) -> tuple[dict[str, pd.DataFrame], float, int]:
    """The documents and paragraphs of the pure steps over every input file with this detector and no NER,
    the language stage's wall seconds and the number of paragraphs it read."""
    from tasks.entities import Gazetteer
    from tasks.pipeline import Models, SourceFile, process_batch

    files = [
        SourceFile(path.relative_to(input_dir).as_posix(), path.read_bytes())
        for path in sorted(input_dir.rglob("*.txt"))
        if path.is_file()
    ]
    models = Models(detector=detector, ner_for=lambda _language: None, gazetteer=Gazetteer())
    batch = process_batch(files, models, run_id="evaluate")
    source = {d.doc_id: d.source for d in batch.documents}
    documents = pd.DataFrame(
        {
            "doc": [d.source for d in batch.documents],
            "language": [d.language for d in batch.documents],
            "date": [d.date for d in batch.documents],
            "date_source": [d.date_source for d in batch.documents],
        }
    )
    paragraphs = pd.DataFrame(
        {
            "doc": [source[p.doc_id] for p in batch.paragraphs],
            "paragraph_id": [p.paragraph_id for p in batch.paragraphs],
            "language": [p.language for p in batch.paragraphs],
        }
    )
    return {"documents": documents, "paragraphs": paragraphs}, batch.seconds["language"], len(paragraphs)


def language_differences(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> dict[str, tuple[int, int]]:
    """Per table (documents, paragraphs): rows whose language differs between two runs, out of all rows."""
    out = {}
    for table, key in (("documents", ["doc"]), ("paragraphs", ["doc", "paragraph_id"])):
        left, right = a[table].set_index(key)["language"], b[table].set_index(key)["language"]
        joined = pd.concat([left.rename("a"), right.rename("b")], axis=1)
        out[table] = (int((joined["a"] != joined["b"]).sum()), len(joined))
    return out


# Run in a fresh interpreter, so that the RSS growth is the detector's alone.
_LOAD_COST = """
import json, sys, time
import psutil
process = psutil.Process()
before, t0 = process.memory_info().rss, time.perf_counter()
from tasks.models import language_detector
language_detector(sys.argv[1])("Le conseil municipal a voté hier soir le budget de la commune.")
print(json.dumps({"seconds": time.perf_counter() - t0, "rss_mb": (process.memory_info().rss - before) / 2**20}))
"""


def load_cost(detector: str) -> dict[str, float]:
    """Seconds and RSS growth (MB) of loading one detector and reading one sentence, in a new process."""
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_COST, detector], capture_output=True, text=True, check=True, cwd=REPO, env=env
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def fmt_gap(tune: float | None, check: float | None) -> str:
    return "-" if tune is None or check is None else f"{tune - check:+.1f}"


# The printed table's rows; every metric is in scores.json (and printed with --verbose).
HEADLINE = {
    "dates": ("dates.strict_f1", "dates.relaxed_f1", "dates.value_f1"),
    "duckling": (
        "duckling.positives_at_grain",
        "duckling.negatives_clean",
        "duckling.value_p",
        "duckling.value_r",
        "duckling.value_f1",
    ),
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
    "lingua_single_words": ("language.not_wrong", "language.wrong_rate", "language.coverage"),
    "news_pages_month_header": ("doc_date.day_right", "doc_date.recoverable", "doc_date.accuracy", "language.accuracy"),
    "news_pages_no_header": ("doc_date.day_right", "doc_date.recoverable", "doc_date.accuracy", "doc_date.coverage"),
}
DETECTOR_HEADLINE = {
    "paragraph_language": (
        "language.accuracy",
        "language.answered_accuracy",
        "language.coverage",
        "language.not_wrong",
    ),
    "doc_language": ("language.accuracy",),
}


def is_count(metric: str) -> bool:
    """Counts (sizes, alignment tallies) are not percentages: no gap, no floor in points."""
    return metric.startswith("alignment.") or metric.endswith((".n", "_n"))


def headline(name: str, scores: dict[str, float], verbose: bool) -> list[str]:
    if verbose:
        return [m for m in scores if not is_count(m)]
    default = tuple(m for scope in SCOPES[name] for m in HEADLINE[scope])
    return [m for m in HEADLINE_BY_SET.get(name, default) if m in scores]


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


def _label(metric: str, by_half: dict[str, dict[str, float]]) -> str:
    if metric in ("doc_date.recoverable", "doc_date.day_right"):
        counts = ", ".join(f"{half} {by_half.get(half, {}).get(f'{metric}_n', 0):.0f}" for half in HALVES)
        return f"{metric} (n {counts})"
    return metric


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render(
    results: dict[str, dict],
    times: dict[str, dict[str, float]],
    limits: dict[str, str],
    verbose: bool = False,
) -> str:
    """The main table: ours and the reference on the tune and check halves, the gap, target and wall time."""
    rows = [
        (
            "set",
            "metric",
            "ours tune",
            "ours check",
            "gap",
            "ref tune",
            "ref check",
            "target",
            "wall s ours/ref",
            "anchor / note",
        )
    ]
    for name, res in results.items():
        ours, ref = res["ours"], res.get("reference", {})
        t = times[name]
        wall = f"{t['ours']:.0f}/{t['reference']:.0f}"
        for i, metric in enumerate(headline(name, ours["all"], verbose)):
            tune, check = ours["tune"].get(metric), ours["check"].get(metric)
            rows.append(
                (
                    name if i == 0 else "",
                    _label(metric, ours),
                    fmt(tune),
                    fmt(check),
                    fmt_gap(tune, check),
                    fmt(ref.get("tune", {}).get(metric)),
                    fmt(ref.get("check", {}).get(metric)),
                    TARGETS.get((name, metric), ""),
                    wall if i == 0 else "",
                    _note(name, metric, ours["all"], limits),
                )
            )
    return _table(rows)


def render_detectors(results: dict[str, dict]) -> str:
    """Each detector through our pipeline, and bare seeded langdetect, on the tune and check halves."""
    systems = [*DETECTORS, "reference"]
    header = ["set", "metric"]
    for system in systems:
        label = "bare langdetect" if system == "reference" else system
        header += [f"{label} tune", f"{label} check"]
    rows = [tuple(header)]
    for name, scope in DETECTOR_SETS.items():
        if name not in results or "langdetect" not in results[name]:
            continue
        res = results[name]
        for i, metric in enumerate(DETECTOR_HEADLINE[scope]):
            row = [name if i == 0 else "", metric]
            for system in systems:
                scores = res.get("ours" if system == "lingua" else system, {})
                row += [fmt(scores.get(half, {}).get(metric)) for half in HALVES]
            rows.append(tuple(row))
    return _table(rows)


def render_speed(speed: dict[str, dict[str, tuple[float, int]]]) -> str:
    """Paragraphs per second of each detector in the language stage (wall time), per set and the ratio."""
    names = [name for name in DETECTOR_SETS if all(name in speed[d] for d in DETECTORS)]
    rows = [("set", "paragraphs", *(f"{d} par/s" for d in DETECTORS), f"{DETECTORS[0]} / {DETECTORS[1]}")]
    for name in names:
        rates = [speed[d][name][1] / speed[d][name][0] if speed[d][name][0] else 0.0 for d in DETECTORS]
        ratio = rates[0] / rates[1] if rates[1] else 0.0
        rows.append((name, str(speed[DETECTORS[0]][name][1]), *(f"{r:.0f}" for r in rates), f"{ratio:.2f}"))
    return _table(rows)


def render_markdown(results: dict[str, dict]) -> str:
    """The README's quality table: check half first (never looked at while writing rules), tune half beside it."""
    lines = [
        "Numbers are from the check half of each set (tune half in brackets).",
        "",
        "| set | metric | depeche check (tune) | bare reference check (tune) | target |",
        "|---|---|---|---|---|",
    ]
    for name, res in results.items():
        ours, ref = res["ours"], res.get("reference", {})
        for i, metric in enumerate(headline(name, ours["all"], False)):

            def cell(scores: dict, metric: str = metric) -> str:
                check, tune = scores.get("check", {}).get(metric), scores.get("tune", {}).get(metric)
                return "-" if check is None else f"{fmt(check)} ({fmt(tune)})"

            first = f"`{name}`" if i == 0 else ""
            lines.append(
                f"| {first} | {_label(metric, ours)} | {cell(ours)} | {cell(ref)} | {TARGETS.get((name, metric), '')} |"
            )
    return "\n".join(lines) + "\n"


def gap_warnings(results: dict[str, dict], verbose: bool) -> list[str]:
    """A line per printed measure of our pipeline (either detector) whose halves differ by more than GAP_WARNING."""
    out = []
    for name, res in results.items():
        for system in ("ours", "langdetect"):
            if system not in res:
                continue
            metrics = headline(name, res[system]["all"], verbose)
            if system == "langdetect":
                metrics = [m for m in DETECTOR_HEADLINE[DETECTOR_SETS[name]] if m in res[system]["all"]]
            for metric, gap in scoring.half_gaps(res[system], metrics, GAP_WARNING):
                out.append(
                    f"WARNING tune/check gap {gap:+.1f} points: {name} {metric} ({system}: tune "
                    f"{res[system]['tune'][metric]:.1f}, check {res[system]['check'][metric]:.1f})"
                )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
        "--no-detectors", action="store_true", help="skip scoring each language detector through the pure steps"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="score the tables an earlier run left under --out instead of running the flow and the reference again",
    )
    parser.add_argument("--verbose", action="store_true", help="print every metric, not only the headline ones")
    args = parser.parse_args(argv)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    names = [s for s in args.sets.split(",") if s]
    unknown = [s for s in names if s not in SCOPES]
    if unknown:
        parser.error(f"unknown sets {unknown}; known: {sorted(SCOPES)}")
    results: dict[str, dict] = {}
    times: dict[str, dict[str, float]] = {}
    limits: dict[str, str] = {}
    identical: dict[str, dict[str, tuple[int, int]]] = {}
    speed: dict[str, dict[str, tuple[float, int]]] = {d: {} for d in DETECTORS}  # -> set -> (seconds, paragraphs)
    detectors: dict = {}
    started = time.perf_counter()
    # The reference of every set runs in one other process while the flows run here: both are mostly one core.
    pending: dict[str, Future[float]] = {}
    pool = None
    if not args.no_reference:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        for name in names:
            out_ref = args.out / name / "reference"
            if not (args.reuse and (out_ref / "documents").exists()):
                stages = sorted({st for scope in SCOPES[name] for st in REFERENCE_STAGES[scope]})
                input_dir = args.gold / name / "input"
                pending[name] = pool.submit(timed_reference, input_dir, out_ref, stages, args.reference_limit)
    reference_seconds: dict[str, float] = {}
    try:
        for name in names:
            set_dir = args.gold / name
            gold = load_gold(set_dir)
            out_ours, out_ref = args.out / name / "ours", args.out / name / "reference"
            t0 = time.perf_counter()
            if not (args.reuse and (out_ours / "documents").exists()):
                run_flow(set_dir / "input", out_ours)
            t1 = time.perf_counter()
            runs = [load_tables(out_ours)]
            if not args.no_reference:
                if name in pending:
                    reference_seconds[name] = pending.pop(name).result()
                runs.append(load_tables(out_ref))
                if args.reference_limit and args.reference_limit < len(gold):
                    limits[name] = f"reference on first {args.reference_limit} of {len(gold)} files"
            t2 = time.perf_counter()
            stated = states_day(gold, runs)
            # Both sides score spans on the same documents: those whose paragraphs align in every run.
            skip = set().union(*(misaligned_docs(gold, t) for t in runs))
            results[name] = {"ours": score_halves(name, gold, runs[0], stated, skip)}
            if len(runs) > 1:
                ref_gold = {src: gold[src] for src in sorted(gold)[: args.reference_limit]}
                results[name]["reference"] = score_halves(name, ref_gold, runs[1], stated, skip)
            t3 = time.perf_counter()
            if name in DETECTOR_SETS and not args.no_detectors:
                from tasks.models import language_detector

                scope = (DETECTOR_SETS[name],)
                for detector in DETECTORS:
                    if detector not in detectors:
                        detectors[detector] = language_detector(detector)
                    tables, seconds, n = run_pure(set_dir / "input", detectors[detector])
                    speed[detector][name] = (seconds, n)
                    if detector == "lingua":
                        identical[name] = language_differences(runs[0], tables)
                    else:
                        results[name][detector] = score_halves(name, gold, tables, stated, skip, scope)
            t4 = time.perf_counter()
            ref_s = reference_seconds.get(name, 0.0)
            times[name] = {"ours": t1 - t0, "reference": ref_s, "scoring": t3 - t2, "detectors": t4 - t3}
            print(
                f"[{name}] wall {t4 - t0:.1f}s: flow {t1 - t0:.1f}s, waiting for the reference {t2 - t1:.1f}s"
                f" (it ran {ref_s:.1f}s in parallel), scoring {t3 - t2:.1f}s, detectors {t4 - t3:.1f}s",
                file=sys.stderr,
            )
    finally:
        if pool is not None:
            # A failed set stops the run: references not started yet are not run.
            pool.shutdown(cancel_futures=True)
    total = time.perf_counter() - started
    print("Every number is given for the tune half (rules are tuned on it) and the check half (never looked at).")
    print(render(results, times, limits, args.verbose))
    parts = {part: sum(t[part] for t in times.values()) for part in ("ours", "reference", "scoring", "detectors")}
    print(
        f"total wall time {total:.0f}s (flow {parts['ours']:.0f}s, reference {parts['reference']:.0f}s in parallel, "
        f"scoring {parts['scoring']:.0f}s, detectors through the pure steps {parts['detectors']:.0f}s)"
    )
    load: dict[str, dict[str, float]] = {}
    if identical:
        print()
        print("Language detectors through our pipeline (pure steps, no NER) and bare seeded langdetect:")
        print(render_detectors(results))
        for name, diff in identical.items():
            (dd, dn), (pd_, pn) = diff["documents"], diff["paragraphs"]
            verdict = "identical" if dd == pd_ == 0 else "DIFFERENT"
            print(
                f"lingua through the flow and through the pure steps on {name}: {verdict} "
                f"({dn - dd} of {dn} documents, {pn - pd_} of {pn} paragraphs the same)"
            )
        print(render_speed(speed))
        for detector in DETECTORS:
            load[detector] = cost = load_cost(detector)
            print(
                f"{detector}: loading takes {cost['seconds']:.1f} s and RSS +{cost['rss_mb']:.0f} MB"
                " in each worker process"
            )
    warnings = gap_warnings(results, args.verbose)
    for line in warnings:
        print(line)
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {
        "sets": results,
        "wall_seconds": times,
        "total_wall_seconds": total,
        "notes": limits,
        "detectors": {
            "speed": {
                d: {name: {"seconds": s, "paragraphs": n} for name, (s, n) in by_set.items()}
                for d, by_set in speed.items()
            },
            "load": load,
            "lingua_flow_vs_pure_differences": identical,
        },
        "gap_warnings": warnings,
    }
    (args.out / "scores.json").write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (args.out / "table.md").write_text(render_markdown(results), encoding="utf-8")
    if args.check:
        floors = scoring.parse_floors(json.loads(args.check.read_text(encoding="utf-8")))
        checks = scoring.check_floors(results, floors)
        failed = [c for c in checks if not c.ok]
        for c in failed:
            why = f" ({c.floor.why})" if c.floor.why else ""
            print(f"BELOW FLOOR {c.describe()}{why}")
        print(f"floors: {len(checks) - len(failed)} of {len(checks)} checks pass ({args.check})")
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
