"""Markdown tables of a measurement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from benchmarks.dedup.scoring import PERCENTILES, ratio

SHORT_WORDS = 100

# ---------------------------------------------------------------------------------------------------- report


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f} %"


def report(r: dict, settings: dict) -> str:
    """The markdown tables of one measurement at the module's settings."""
    lines = [
        f"Settings: {settings}. {r['documents']} documents ({r['originals']} originals), "
        f"mean {r['mean_words_per_document']} words.",
        "",
        "| near duplicates (edit of one original) | copies | found | recall | est. Jaccard p5 / p50 |",
        "|---|---:|---:|---:|---:|",
    ]
    for k, n in r["positives"].items():
        found = r["found"].get(k, 0)
        p = r["estimated_jaccard"][f"positive:{k}"]
        lines.append(f"| {k} | {n} | {found} | {_pct(ratio(found, n))} | {p['p5']:.2f} / {p['p50']:.2f} |")
    total = sum(r["positives"].values())
    found = sum(r["found"].values())
    p = r["estimated_jaccard"]["positives"]
    lines.append(f"| **all** | {total} | {found} | **{_pct(r['recall'])}** | {p['p5']:.2f} / {p['p50']:.2f} |")
    lines += [
        "",
        "| not near duplicates | pairs or copies | flagged | false positive rate | est. Jaccard p99 / max |",
        "|---|---:|---:|---:|---:|",
    ]
    names = {
        "hardest": "each original's most similar other original",
        "random": "random pairs of originals",
        "half_swap": "heavy rewrite: first half + another article's second half",
    }
    for k, n in r["negatives"].items():
        fp = r["false_positives"][k]
        p = r["estimated_jaccard"][f"negative:{k}"]
        lines.append(
            f"| {names.get(k, k)} | {n} | {fp} | {_pct(ratio(fp, n) if n else 0)} | "
            f"{p.get('p99', 0):.2f} / {p.get('p100', 0):.2f} |"
        )
    flags = sum(r["flagged_by_kind"].values())
    lines += [
        "",
        f"**Precision {_pct(r['precision'], 2)}** ({flags} flags, {flags - found} wrong), "
        f"**recall {_pct(r['recall'])}**, F1 {r['f1']:.3f}.",
        "",
        "| threshold | precision | recall | F1 | recall without LSH | FPR hardest / random / half_swap |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for s in r["sweep"]:
        mark = " ←" if s["threshold"] == settings["threshold"] else ""
        f = s["false_positive_rate"]
        cells = [
            f"{s['threshold']:.2f}{mark}",
            _pct(s["precision"], 2),
            _pct(s["recall"]),
            f"{s['f1']:.3f}",
            _pct(s["recall_without_lsh"]),
            " / ".join(_pct(f[k]) for k in ("hardest", "random", "half_swap")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    kinds = list(r["positives"])
    lines += ["", "| threshold | " + " | ".join(kinds) + " |", "|---:|" + "---:|" * len(kinds)]
    for s in r["sweep"]:
        lines.append(f"| {s['threshold']:.2f} | " + " | ".join(_pct(s["recall_per_edit"][k]) for k in kinds) + " |")
    lines += [
        "",
        "| estimated Jaccard | " + " | ".join(f"p{q}" for q in PERCENTILES) + " |",
        "|---|" + "---:|" * len(PERCENTILES),
    ]
    for k, p in r["estimated_jaccard"].items():
        lines.append(f"| {k} | " + " | ".join(f"{p.get(f'p{q}', 0):.2f}" for q in PERCENTILES) + " |")
    lines += ["", "| original's words | copies | recall |", "|---|---:|---:|"]
    for k, v in r["recall_by_original_words"].items():
        lines.append(f"| {k.strip()} | {v['copies']} | {_pct(ratio(v['found'], v['copies']))} |")
    sec = r["seconds"]
    n = r["documents"]
    lines += [
        "",
        f"Cost (CPU time): `fingerprint` {1e3 * sec['fingerprint'] / n:.2f} ms per article, "
        f"`flag_documents` {1e3 * sec['flag_documents'] / n:.3f} ms per document at {n} documents "
        f"(mean {r['mean_words_per_document']} words; best of {sec['repeats']} runs).",
    ]
    return "\n".join(lines)


def _short_recall(by_length: Mapping[str, Mapping[str, int]]) -> float:
    short = [v for k, v in by_length.items() if int(k.split("-")[0].rstrip("+")) < SHORT_WORDS]
    return ratio(sum(v["found"] for v in short), sum(v["copies"] for v in short))


def variant_table(variants: Sequence[dict]) -> str:
    """One markdown row per shingle size: scores at the module's threshold, best F1, the Jaccard margins."""
    lines = [
        "| shingle words | P / R / F1 at module threshold | recall, originals < 100 words "
        "| best F1 (threshold) | positives p5 | hardest max | half_swap p99 |",
        "|---:|---|---:|---|---:|---:|---:|",
    ]
    for v in variants:
        h, b, j = v["at_module_threshold"], v["best_f1"], v["estimated_jaccard"]
        lines.append(
            f"| {v['shingle_words']} | {_pct(h['precision'], 2)} / {_pct(h['recall'])} / {h['f1']:.3f} | "
            f"{_pct(_short_recall(v['recall_by_original_words']))} | {b['f1']:.3f} ({b['threshold']:.2f}) | "
            f"{j['positives']['p5']:.2f} | {j['negative:hardest'].get('p100', 0):.2f} | "
            f"{j['negative:half_swap']['p99']:.2f} |"
        )
    return "\n".join(lines)
