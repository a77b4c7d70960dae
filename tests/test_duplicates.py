"""Duplicate and boilerplate flags through the flow, across runs, without losing a row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from flows.news_etl import news_etl
from tasks.dedup import BOILERPLATE_MIN_DOCUMENTS, NEAR_DUPLICATE_THRESHOLD
from tasks.pipeline import doc_id_for
from tests.test_dedup import SAME_EVENT, WIRE

pytestmark = pytest.mark.slow

LIRE = "Lire aussi : toutes nos informations sur la vie de la commune"
LOCAL_NEWS = [
    "Le conseil municipal a voté le budget de la commune pour l'année prochaine après un long débat.",
    "La médiathèque rouvre ses portes samedi après six mois de travaux de rénovation énergétique.",
    "Un nouveau marché de producteurs locaux s'installe chaque jeudi sur la place de la mairie.",
    "Le club de football local a remporté son match de coupe face à une équipe de division supérieure.",
    "Les inscriptions pour le centre de loisirs des vacances d'hiver ouvrent lundi prochain en ligne.",
]
EDITED_WIRE = [
    "SNCF : un train sur trois mardi, selon la direction",
    WIRE[1],
    WIRE[2].replace("communiqué", "texte"),
    WIRE[3],
]
ID = {name: doc_id_for(name) for name in ("a.txt", "b.txt", "copy.txt", "b_again.txt", "quote.txt")}


def article(date: str, paragraphs: list[str]) -> str:
    return f"date {date} " + "\n\n".join(paragraphs)


def run(inp: Path, out: Path) -> dict[str, pd.DataFrame]:
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        news_etl(input_dir=inp, output_dir=out, shard_size=3)
    tables = {t: pd.read_parquet(out / t) for t in ("documents", "paragraphs", "entities", "runs")}
    # Nothing is ever dropped: every file is one document, every paragraph one row.
    assert len(tables["documents"]) == len(list(inp.rglob("*.txt")))
    assert len(tables["paragraphs"]) == tables["documents"]["n_paragraphs"].sum()
    index = pd.concat(pd.read_parquet(f) for f in (out / ".current" / "_index" / "paragraphs").glob("*.parquet"))
    # The index and the tables never disagree on a flag.
    flags = ["doc_id", "paragraph_id", "duplicate_of", "duplicate_of_paragraph_id", "boilerplate"]
    merged = tables["paragraphs"][flags].merge(index[flags], on=["doc_id", "paragraph_id"], suffixes=("", "_index"))
    assert len(merged) == len(tables["paragraphs"])
    for column in flags[2:]:
        assert merged[column].equals(merged[f"{column}_index"]), column
    return tables


def flags_of(docs: pd.DataFrame, source: str) -> tuple:
    row = docs.set_index("source").loc[source]
    return (
        None if pd.isna(row.duplicate_of) else row.duplicate_of,
        None if pd.isna(row.near_duplicate_of) else row.near_duplicate_of,
    )


def paragraph(tables: dict[str, pd.DataFrame], source: str, paragraph_id: int) -> pd.Series:
    p = tables["paragraphs"]
    return p[(p.doc_id == doc_id_for(source)) & (p.paragraph_id == paragraph_id)].iloc[0]


def test_duplicates_across_runs(prefect_server: None, tmp_path: Path) -> None:
    inp, out = tmp_path / "in", tmp_path / "out"
    (inp / "site").mkdir(parents=True)
    (inp / "a.txt").write_text(article("2024-03-05", WIRE))
    (inp / "b.txt").write_text(article("2024-03-05", SAME_EVENT))
    for i, body in enumerate(LOCAL_NEWS[: BOILERPLATE_MIN_DOCUMENTS - 1]):
        (inp / "site" / f"s{i}.txt").write_text(article("2024-03", [body, LIRE]))
    first = run(inp, out)
    assert first["documents"].duplicate_of.isna().all() and first["documents"].near_duplicate_of.isna().all()
    assert not first["paragraphs"].boilerplate.any()

    # Second run: a retitled copy, an exact copy in other case and spacing, the local line once more, a quote.
    (inp / "copy.txt").write_text(article("2024-03-06", EDITED_WIRE))
    (inp / "b_again.txt").write_text(article("2024-03-06", [p.upper().replace(",", " ,") for p in SAME_EVENT]))
    (inp / "site" / "s9.txt").write_text(article("2024-03", [LOCAL_NEWS[-1], LIRE]))
    (inp / "quote.txt").write_text(article("2024-03-07", ["Une autre histoire commence ici, sans rapport.", WIRE[1]]))
    second = run(inp, out)
    docs = second["documents"]
    assert flags_of(docs, "copy.txt") == (None, ID["a.txt"])
    assert NEAR_DUPLICATE_THRESHOLD <= docs.set_index("source").loc["copy.txt"].near_duplicate_score < 1.0
    assert flags_of(docs, "b_again.txt") == (ID["b.txt"], None)
    # Two articles on the same event, and a quote of one paragraph, are not duplicate documents.
    for source in ("a.txt", "b.txt", "quote.txt", "site/s9.txt"):
        assert flags_of(docs, source) == (None, None), source
    quoted = paragraph(second, "quote.txt", 1)
    assert (quoted.duplicate_of, quoted.duplicate_of_paragraph_id) == (ID["a.txt"], 1)
    # The line became boilerplate with the fifth text: the earlier run's rows carry the flag now too.
    lire = second["paragraphs"][second["paragraphs"].text == LIRE]
    assert len(lire) == BOILERPLATE_MIN_DOCUMENTS and lire.boilerplate.all()
    assert second["paragraphs"][second["paragraphs"].text != LIRE].boilerplate.sum() == 0
    # Entities carry the flags through the join on (doc_id, paragraph_id).
    joined = second["entities"].merge(second["paragraphs"], on=["doc_id", "paragraph_id"], suffixes=("", "_p"))
    in_quote = joined[joined.doc_id == ID["quote.txt"]]
    assert len(in_quote) > 0 and (in_quote.duplicate_of == ID["a.txt"]).all()
    runs = second["runs"].sort_values("started_at")
    last = runs.iloc[-1]
    # copy: 2 unchanged paragraphs; b_again: 3; quote: 1; s9: the line.
    assert (last.duplicates, last.near_duplicates, last.duplicate_paragraphs, last.boilerplate_paragraphs) == (
        1,
        1,
        7,
        1,
    )
    deduplicated = docs[docs.duplicate_of.isna() & docs.near_duplicate_of.isna()]
    assert sorted(deduplicated.source) == sorted(
        [
            "a.txt",
            "b.txt",
            "quote.txt",
            *(f"site/s{i}.txt" for i in range(BOILERPLATE_MIN_DOCUMENTS - 1)),
            "site/s9.txt",
        ]
    )

    # Third run: the original is rewritten, so the copy is first of its kind now, and so is the quoted paragraph.
    (inp / "a.txt").write_text(
        article("2024-03-05", ["Texte entièrement réécrit par la rédaction sur un autre sujet."])
    )
    third = run(inp, out)
    assert flags_of(third["documents"], "copy.txt") == (None, None)
    assert pd.isna(paragraph(third, "copy.txt", 1).duplicate_of)
    quoted = paragraph(third, "quote.txt", 1)
    assert (quoted.duplicate_of, quoted.duplicate_of_paragraph_id) == (ID["copy.txt"], 1)

    # Pruning the first of two exact copies makes the other one the original, rows of earlier runs included.
    (inp / "b.txt").unlink()
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        news_etl(input_dir=inp, output_dir=out, prune=True)
    pruned = {t: pd.read_parquet(out / t) for t in ("documents", "paragraphs")}
    assert flags_of(pruned["documents"], "b_again.txt") == (None, None)
    assert pd.isna(paragraph(pruned, "b_again.txt", 0).duplicate_of)

    # A full refresh sees everything at once, in source order, and here reaches the same flags as the runs did.
    (out_full := tmp_path / "full").mkdir()
    rebuilt = run(inp, out_full)
    columns = {
        "documents": ["source", "duplicate_of", "near_duplicate_of"],
        "paragraphs": ["doc_id", "paragraph_id", "duplicate_of", "duplicate_of_paragraph_id", "boilerplate"],
    }
    for table, cols in columns.items():
        incremental = pruned[table][cols].sort_values(cols[:2]).reset_index(drop=True)
        assert incremental.equals(rebuilt[table][cols].sort_values(cols[:2]).reset_index(drop=True)), table
