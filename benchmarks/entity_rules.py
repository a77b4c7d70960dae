"""Ablation of the entity post-processing: bare model, every rule, and every rule but one, per gold set and half.

The model runs once per paragraph (spans cached under benchmarks/out/entity_rules/); each configuration then
re-runs only the pure post-processing over the cached spans. `--text gold` reads the gold paragraph texts;
`--text pipeline` reads the input files through the flow's own decoding, cleaning and segmentation and scores
the documents whose paragraphs keep the gold lengths (the others are counted and left out, for every system).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks import scoring
from benchmarks.halves import HALVES, half_of
from benchmarks.scoring import PRF, Span
from tasks.entities import ALL_RULES, EntityRules, Gazetteer, refine_entities
from tasks.records import RawSpan

REPO = Path(__file__).resolve().parent.parent
SETS = ("hipe_fr_no_header", "europeana_fr", "wikineural_fr")
# HIPE and Europeana annotate no MISC (a MISC prediction is neither right nor wrong there); WikiNEuRal does.
LABELS = {"wikineural_fr": ("PER", "LOC", "ORG", "MISC")}
MODES = (("relaxed", "overlap"), ("exact", "strict"))

Doc = tuple[list[str], list[Span], list[Span]]  # paragraphs, gold entities, ignored spans


def load_set(gold_dir: Path, name: str) -> dict[str, Doc]:
    """Per source: the gold paragraph texts (the spans' own reference), gold entities and `other_entities`."""
    docs: dict[str, Doc] = {}
    with open(gold_dir / name / "gold.jsonl", encoding="utf-8") as f:
        for rec in map(json.loads, f):
            src = rec["source"]

            def spans(key: str, src: str = src, rec: dict = rec) -> list[Span]:
                return [Span(src, s["paragraph"], s["start"], s["end"], s["label"]) for s in rec.get(key, ())]

            docs[src] = ([p["text"] for p in rec["paragraphs"]], spans("entities"), spans("other_entities"))
    return docs


def pipeline_texts(gold_dir: Path, name: str, docs: dict[str, Doc]) -> tuple[dict[str, Doc], int]:
    """The documents as the flow's pure steps cut them, keeping those whose paragraph lengths match the gold."""
    from tasks.clean import clean_text
    from tasks.read import decode, split_header
    from tasks.segment import split_paragraphs

    kept: dict[str, Doc] = {}
    for src, (paragraphs, gold, ignore) in docs.items():
        body = split_header(clean_text(decode((gold_dir / name / "input" / src).read_bytes()).text)).body
        texts = [s.text for s in split_paragraphs(body)]
        if [len(t) for t in texts] == [len(t) for t in paragraphs]:
            kept[src] = (texts, gold, ignore)
    return kept, len(docs) - len(kept)


def cached_spans(name: str, docs: dict[str, Doc], model: str, cache_dir: Path) -> dict[str, list[list[RawSpan]]]:
    """Raw model spans per source and paragraph, computed once per set, model and text."""
    digest = hashlib.blake2b(digest_size=8)
    for src in sorted(docs):
        digest.update(src.encode())
        for text in docs[src][0]:
            digest.update(b"\0" + text.encode())
    path = cache_dir / f"{name}.{model}.{digest.hexdigest()}.json"
    if path.exists():
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {src: [[(s, e, lab) for s, e, lab in par] for par in pars] for src, pars in raw.items()}
    from tasks.models import french_ner

    ner = french_ner(model)
    sources = sorted(docs)
    flat = [text for src in sources for text in docs[src][0]]
    found = ner(flat)
    out: dict[str, list[list[RawSpan]]] = {}
    i = 0
    for src in sources:
        n = len(docs[src][0])
        out[src] = found[i : i + n]
        i += n
    cache_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out), encoding="utf-8")
    return out


def predict(
    docs: dict[str, Doc], raw: dict[str, list[list[RawSpan]]], gazetteer: Gazetteer, rules: EntityRules | None
) -> dict[str, list[Span]]:
    """Predicted spans per source: the model's own (rules None) or after post-processing with `rules`."""
    out: dict[str, list[Span]] = {}
    for src, (paragraphs, _, _) in docs.items():
        if rules is None:
            out[src] = [Span(src, p, s, e, lab) for p, par in enumerate(raw[src]) for s, e, lab in par]
        else:
            found = refine_entities(paragraphs, raw[src], gazetteer, rules)
            out[src] = [Span(src, f.paragraph_id, f.start, f.end, f.label) for f in found]
    return out


def score(docs: dict[str, Doc], pred: dict[str, list[Span]], sources: Sequence[str], labels: Sequence[str]) -> dict:
    """{'relaxed'|'exact': PRF} over `sources`, with the gold README's conventions (labels, ignored spans)."""
    gold = [g for src in sources for g in docs[src][1]]
    ignore = [g for src in sources for g in docs[src][2]]
    got = [p for src in sources for p in pred[src]]
    res = scoring.score_entities(gold, got, labels=labels, ignore=ignore)
    return {mode: res[key]["micro"] for mode, key in MODES}


def rule_names() -> list[str]:
    return [f.name for f in dataclasses.fields(EntityRules)]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=REPO.parent / "shared" / "data" / "gold")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--model", default=None, help="spaCy package (default: FRENCH_NER_MODEL)")
    ap.add_argument("--cache", type=Path, default=REPO / "benchmarks" / "out" / "entity_rules")
    ap.add_argument("--json", type=Path, default=None, help="also write every score here")
    ap.add_argument("--text", choices=("gold", "pipeline"), default="gold", help="whose paragraph texts to read")
    args = ap.parse_args(argv)

    from tasks.models import FRENCH_NER_MODEL, place_gazetteer

    model = args.model or FRENCH_NER_MODEL
    gazetteer = place_gazetteer()
    names = args.sets.split(",")
    configs: dict[str, EntityRules | None] = {"bare": None, "depeche": ALL_RULES}
    for rule in rule_names():
        configs[f"-{rule}"] = dataclasses.replace(ALL_RULES, **{rule: False})
    # results[config][set][half][mode] = PRF
    results: dict[str, dict[str, dict[str, dict[str, PRF]]]] = {c: {} for c in configs}
    for name in names:
        docs = load_set(args.gold, name)
        if args.text == "pipeline":
            docs, dropped = pipeline_texts(args.gold, name, docs)
            print(f"{name}: {dropped} documents whose cleaned paragraphs changed length are left out")
        raw = cached_spans(name, docs, model, args.cache)
        labels = LABELS.get(name, scoring.ENTITY_LABELS)
        halves = {h: sorted(s for s in docs if half_of(s) == h) for h in HALVES}
        for config, rules in configs.items():
            pred = predict(docs, raw, gazetteer, rules)
            results[config][name] = {h: score(docs, pred, srcs, labels) for h, srcs in halves.items()}
    print(render(results, names))
    if args.json:
        flat = {
            config: {
                name: {half: {mode: 100 * prf.f1 for mode, prf in modes.items()} for half, modes in by_half.items()}
                for name, by_half in by_set.items()
            }
            for config, by_set in results.items()
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(flat, indent=1), encoding="utf-8")
    return 0


def render(results: dict[str, dict[str, dict[str, dict[str, PRF]]]], names: Sequence[str]) -> str:
    """One table per half: F1 per set and mode; for `-rule` rows, the rule's gain (full minus without it)."""
    lines: list[str] = []
    for half in HALVES:
        cols = [f"{name} {mode}" for name in names for mode, _ in MODES]
        header = ["config", *cols, "mean gain relaxed", "mean gain exact"]
        rows = [header]
        full = results["depeche"]
        for config, by_set in results.items():
            cells = [config]
            gains: dict[str, list[float]] = {mode: [] for mode, _ in MODES}
            for name in names:
                for mode, _ in MODES:
                    f1 = 100 * by_set[name][half][mode].f1
                    if config.startswith("-"):
                        gain = 100 * full[name][half][mode].f1 - f1
                        gains[mode].append(gain)
                        cells.append(f"{f1:.1f} ({gain:+.1f})")
                    else:
                        if config == "depeche":
                            gains[mode].append(f1 - 100 * results["bare"][name][half][mode].f1)
                        cells.append(f"{f1:.1f}")
            for mode, _ in MODES:
                cells.append(f"{sum(gains[mode]) / len(gains[mode]):+.2f}" if gains[mode] else "")
            rows.append(cells)
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        lines.append(f"## {half} half (F1 %; `-rule`: without it, and in brackets the rule's gain)")
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
