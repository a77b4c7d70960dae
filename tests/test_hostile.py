"""Hostile input: every file becomes a document or a reject with a reason, and nothing raises.

The pure pipeline runs with the real language detector, date grammar and entity post-processing, and a stand-in NER
(capitalised words) so that thousands of cases stay fast; `make reliability` raises the case count.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.models import language_detector, place_gazetteer
from tasks.pipeline import Models, SourceFile, process_batch
from tasks.read import DEFAULT_MAX_BYTES, Rejected
from tasks.store import read_source

CASES = int(os.environ.get("DEPECHE_FUZZ_CASES", "300"))
_CAPITALISED = re.compile(r"\b[A-ZÀ-Ý][a-zà-ÿ]{2,}(?: [A-ZÀ-Ý][a-zà-ÿ]{2,})*")


def capitalised_words(texts):  # type: ignore[no-untyped-def]
    return [[(m.start(), m.end(), "PER") for m in _CAPITALISED.finditer(t)] for t in texts]


MODELS = Models(
    detector=language_detector(),
    ner_for=lambda lang: capitalised_words if lang == "fr" else None,
    gazetteer=place_gazetteer(),
)

headers = st.sampled_from(
    [
        "",
        " date 2023-02 ",
        "date 2023-13 ",
        "date 0000-00 ",
        "date 99999 ",
        "date 2023-02-07\n",
        "  date 2021 ",
        "date ",
        "date 2023-02-30 ",
    ]
)
words = st.sampled_from(
    [
        "Bamako",
        "mardi",
        "7",
        "février",
        "2023",
        "M.",
        "Lavrov",
        "3-2",
        "1 500 €",
        "hier",
        "le",
        "\u202e",
        "مرحبا",
        "Москва",
        "東京",
        "\u00a0",
        "Ã©",
        "\x00",
        "\r\n",
        "\n\n",
        "«",
        "»",
        ".",
        " ",
    ]
)
texts = st.builds(lambda h, ws: h + " ".join(ws), headers, st.lists(words, max_size=80))
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "cp1251", "big5", "koi8-r", "cp1256"])


def encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


def check(files: list[SourceFile]) -> None:
    batch = process_batch(files, MODELS, run_id="fuzz")
    skipped = {r.source for r in batch.rejects if r.action == "skipped"}
    documented = {d.source for d in batch.documents}
    assert skipped.isdisjoint(documented)
    assert skipped | documented == {f.source for f in files}
    assert all(r.reason and r.message for r in batch.rejects)
    by_doc = {d.doc_id: d for d in batch.documents}
    paragraphs = {(p.doc_id, p.paragraph_id): p for p in batch.paragraphs}
    for p in batch.paragraphs:
        assert by_doc[p.doc_id].text[p.start : p.end] == p.text
    for row in (*batch.entities, *batch.date_mentions):
        assert paragraphs[(row.doc_id, row.paragraph_id)].text[row.start : row.end] == row.text


@settings(max_examples=CASES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(texts, encodings), min_size=1, max_size=4))
def test_generated_articles_in_any_encoding(cases: list[tuple[str, str]]) -> None:
    check([SourceFile(f"f{i}.txt", encode(t, e)) for i, (t, e) in enumerate(cases)])


@settings(max_examples=CASES, deadline=None)
@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=4))
def test_random_bytes(blobs: list[bytes]) -> None:
    check([SourceFile(f"b{i}.txt", b) for i, b in enumerate(blobs)])


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\n  ",
        b" date 2023-02 ",
        b"date 2023-02\n\n\n",
        codecs.BOM_UTF16_LE + "Bonjour à tous, ceci est un texte en UTF-16.".encode("utf-16-le"),
        b"\xff\xfe\x00",
        ("1" * 200_000).encode(),
        ("mars " * 40_000).encode(),
        ("a" * 300_000).encode(),
        ("(" * 50_000 + "2023" + ")" * 50_000).encode(),
        ("le 7 " * 30_000).encode(),
        ("M. " * 50_000 + "Lavrov").encode(),
        ("\u05e9\u05dc\u05d5\u05dd " * 20_000).encode(),
        ("Ã©" * 50_000).encode(),
        ("x" * 100 + "\n\n").encode() * 5_000,
    ],
    ids=lambda d: f"{len(d)}B",
)
def test_pathological_files_finish_with_a_row_or_a_reason(data: bytes) -> None:
    check([SourceFile("hostile.txt", data)])


def test_a_50_mb_single_line_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    with open(tmp_path / "huge.txt", "wb") as fh:
        fh.write(b"date 2023-02 " + b"mot " * (50 * 1024 * 1024 // 4))
    with pytest.raises(Rejected) as exc:
        read_source(tmp_path, "huge.txt", max_bytes=DEFAULT_MAX_BYTES)
    assert exc.value.reason == "too_large" and "52428813 bytes" in exc.value.message
