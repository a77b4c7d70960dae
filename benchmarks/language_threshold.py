"""The short-text threshold's trade-off on the lingua gold sets, and the detector's cost against langdetect.

`python -m benchmarks.language_threshold [--gold ../shared/data/gold]` prints, for each candidate value of
`tasks.language.MIN_SHORT_CONFIDENCE`, the coverage and accuracy on word pairs and single words, then CPU ms
per paragraph on the French TimeBank articles: lingua as the pipeline calls it (one `assign_languages` per
document, which checks most paragraphs against a short list), lingua on each paragraph alone, and seeded
langdetect.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from tasks import language
from tasks.models import language_detector
from tasks.records import UNDETERMINED

REPO = Path(__file__).resolve().parent.parent
THRESHOLDS = (0.3, 0.4, 0.5, 0.6)


def lines(gold: Path, name: str) -> list[tuple[str, str]]:
    """(text, gold language) of every one-paragraph file of a lingua set."""
    with open(gold / name / "gold.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return [(r["paragraphs"][0]["text"], r["language"]) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", type=Path, default=REPO.parent / "shared" / "data" / "gold")
    gold = parser.parse_args().gold
    detector = language_detector()
    sets = {name: lines(gold, name) for name in ("lingua_word_pairs", "lingua_single_words")}
    chosen = language.MIN_SHORT_CONFIDENCE
    print("threshold | word pairs answered / right when answered | single words answered / wrong of all")
    try:
        for threshold in THRESHOLDS:
            language.MIN_SHORT_CONFIDENCE = threshold
            cells = []
            for name, rows in sets.items():
                guesses = [(language.detect_language(text, detector).language, want) for text, want in rows]
                answered = [(got, want) for got, want in guesses if got != UNDETERMINED]
                right = sum(got == want for got, want in answered)
                if name == "lingua_word_pairs":
                    cells.append(f"{len(answered) / len(rows):.0%} / {right / max(1, len(answered)):.1%}")
                else:
                    cells.append(f"{len(answered) / len(rows):.0%} / {(len(answered) - right) / len(rows):.1%}")
            mark = " (chosen)" if threshold == chosen else ""
            print(f"{threshold}{mark} | " + " | ".join(cells))
    finally:
        language.MIN_SHORT_CONFIDENCE = chosen

    with open(gold / "timebank_fr_no_header" / "gold.jsonl", encoding="utf-8") as fh:
        documents = [[p["text"] for p in json.loads(line)["paragraphs"]] for line in fh]
    # langdetect raises on text without letters; the per-paragraph comparison keeps paragraphs both can read.
    paragraphs = [text for document in documents for text in document if len(text) >= 20]
    from langdetect import DetectorFactory, detect_langs

    DetectorFactory.seed = 0
    language.assign_languages(documents[0], detector)
    t0 = time.process_time()
    for document in documents:
        language.assign_languages(document, detector)
    per_paragraph = (time.process_time() - t0) / sum(len(document) for document in documents)
    print(f"lingua (pipeline, per document): {per_paragraph * 1000:.2f} ms CPU per paragraph")
    for label, detect in (
        ("lingua, each paragraph alone", lambda t: language.detect_language(t, detector)),
        ("langdetect, seeded", detect_langs),
    ):
        detect(paragraphs[0])
        t0 = time.process_time()
        for text in paragraphs:
            detect(text)
        print(f"{label}: {(time.process_time() - t0) / len(paragraphs) * 1000:.2f} ms CPU per paragraph")


if __name__ == "__main__":
    main()
