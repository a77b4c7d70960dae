"""The flow end to end on a few small files, with the real models, on one Prefect test server."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pandas as pd
import pytest
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from flows.news_etl import EtlParams, main, news_etl
from tests.conftest import SEED

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def write_inputs(inp: Path) -> None:
    (inp / "deep" / "er").mkdir(parents=True)
    shutil.copy(REPO / "seeds" / SEED, inp / SEED)
    (inp / "deep" / "er" / "latin1.txt").write_bytes(
        " date 2023-03 Le maire de Lyon a inauguré la passerelle le 3 mars 2023.".encode("cp1252")
    )
    (inp / "deep" / "crlf.txt").write_bytes(
        codecs.BOM_UTF8 + "date 2022\r\n\r\nLa réunion s\u2019est tenue à Genève.\r\n\r\nSuite\u00a0du texte.".encode()
    )
    (inp / "english.txt").write_text(
        "WASHINGTON, March 7, 2023 (Reuters) - The delegation arrived on Tuesday for talks on trade and security."
    )
    (inp / "bad_header.txt").write_text("date 2023-13 Le conseil municipal s'est réuni hier soir à Nantes.")
    (inp / "empty.txt").write_bytes(b"")
    (inp / "header_only.txt").write_text(" date 2023-02 ")
    (inp / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 10)
    (inp / "notes.md").write_text("not an article")


@pytest.fixture(scope="module")
def tables(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    inp = tmp_path_factory.mktemp("in")
    out = tmp_path_factory.mktemp("out") / "data"
    write_inputs(inp)
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        first = news_etl(input_dir=inp, output_dir=out, shard_size=2)
        again = news_etl(input_dir=inp, output_dir=out, shard_size=2)
    read = {
        t: pd.read_parquet(out / t) for t in ("documents", "paragraphs", "entities", "date_mentions", "runs", "rejects")
    }
    # The summary counts what the first run wrote: every entity row of the table, and at least the seed's four.
    assert first == {
        "files_seen": 8,
        "files_processed": 5,
        "files_failed": 3,
        "documents": 5,
        "entities": len(read["entities"]),
    }
    assert first["entities"] >= 4
    assert again == {"files_seen": 8, "files_processed": 0, "files_failed": 0, "documents": 0, "entities": 0}
    return read


def test_seed_article(tables: dict[str, pd.DataFrame]) -> None:
    docs = tables["documents"].set_index("source")
    seed = docs.loc[SEED]
    assert (seed["language"], seed["date"], seed["date_precision"], seed["date_source"]) == (
        "fr",
        "2023-02",
        "month",
        "header",
    )
    assert seed["title"] == "Lavrov promet au Mali la poursuite du soutien militaire"
    assert seed["header_date"] == "2023-02" and seed["n_paragraphs"] == 9
    ents = tables["entities"][tables["entities"]["doc_id"] == seed["doc_id"]]
    found = set(zip(ents["text"], ents["label"], strict=True))
    assert {("Lavrov", "PER"), ("Abdoulaye Diop", "PER"), ("Bamako", "LOC"), ("Mali", "LOC")} <= found
    assert set(ents[ents["text"] == "Lavrov"]["norm"]) == {"Sergueï Lavrov"}
    dates = tables["date_mentions"][tables["date_mentions"]["doc_id"] == seed["doc_id"]]
    assert sorted(zip(dates["value"], dates["precision"], strict=True)) == [("2021", "year"), ("2023-02-07", "day")]


def test_other_documents(tables: dict[str, pd.DataFrame]) -> None:
    docs = tables["documents"].set_index("source")
    assert sorted(docs.index) == [SEED, "bad_header.txt", "deep/crlf.txt", "deep/er/latin1.txt", "english.txt"]
    latin1 = docs.loc["deep/er/latin1.txt"]
    assert (latin1["encoding"], latin1["date"], latin1["text"]) == (
        "cp1252",
        "2023-03",
        "Le maire de Lyon a inauguré la passerelle le 3 mars 2023.",
    )
    crlf = docs.loc["deep/crlf.txt"]
    assert (crlf["encoding"], crlf["date"], crlf["date_precision"], crlf["n_paragraphs"]) == (
        "utf-8-sig",
        "2022",
        "year",
        2,
    )
    # The source's curly apostrophe stays; the NBSP is a space of the paragraph layout.
    assert crlf["text"] == "La réunion s\u2019est tenue à Genève.\n\nSuite du texte."
    bad = docs.loc["bad_header.txt"]
    assert bad["header_date"] == "2023-13" and pd.isna(bad["date"])
    english = docs.loc["english.txt"]
    assert english["language"] == "en"
    assert english["date"] == "2023-03-07" and english["date_source"] == "dateline"
    # No French model reads English: the paragraph gets no entities rather than wrong ones.
    assert (tables["entities"]["doc_id"] == english["doc_id"]).sum() == 0


def test_rejects_have_reasons(tables: dict[str, pd.DataFrame]) -> None:
    rejects = tables["rejects"].sort_values("source")
    assert list(zip(rejects["source"], rejects["reason"], rejects["action"], strict=True)) == [
        ("bad_header.txt", "invalid_header_date", "kept"),
        ("binary.txt", "binary", "skipped"),
        ("empty.txt", "empty", "skipped"),
        ("header_only.txt", "header_only", "skipped"),
    ]
    assert "month 13" in rejects.set_index("source").loc["bad_header.txt", "message"]


def test_join_keys_and_offsets(tables: dict[str, pd.DataFrame]) -> None:
    paragraphs = tables["paragraphs"].set_index(["doc_id", "paragraph_id"])
    docs = tables["documents"].set_index("doc_id")
    for (doc_id, _), p in paragraphs.iterrows():
        assert docs.loc[doc_id, "text"][p["start"] : p["end"]] == p["text"]
    for table in ("entities", "date_mentions"):
        for row in tables[table].itertuples():
            assert paragraphs.loc[(row.doc_id, row.paragraph_id), "text"][row.start : row.end] == row.text
    assert set(tables["paragraphs"]["doc_id"]) == set(docs.index)


def test_runs_table(tables: dict[str, pd.DataFrame]) -> None:
    runs = tables["runs"].sort_values("started_at")
    assert list(runs["files_seen"]) == [8, 8]
    assert list(runs["files_ignored"]) == [1, 1]  # notes.md
    assert list(runs["files_new"]) == [8, 0] and list(runs["files_unchanged"]) == [0, 8]
    assert list(runs["documents"]) == [5, 0]
    assert (runs["finished_at"] >= runs["started_at"]).all()


def test_bad_parameters_are_refused_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--input", str(tmp_path / "missing"), "--output", str(tmp_path / "out")]) == 2
    assert "input_dir" in capsys.readouterr().err
    assert main(["--input", str(tmp_path), "--output", str(tmp_path / "o"), "--shard-size", "0"]) == 2
    assert "shard_size" in capsys.readouterr().err
    with pytest.raises(ValueError, match="output_dir"):
        EtlParams(input_dir=tmp_path, output_dir=tmp_path / "inside")


def test_run_report_artifact(tables: dict[str, pd.DataFrame]) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["news-etl-run"])),
            sort=ArtifactSort.CREATED_DESC,
        )
    first, again = artifacts[1].data, artifacts[0].data
    assert isinstance(first, str)
    assert "| 8 | 8 | 0 | 0 | 5 | 3 | 5 |" in first
    assert "| fr | 4 |" in first and "| en | 1 |" in first
    assert "| 2023-02 | 1 |" in first
    assert "| Sergueï Lavrov (PER) | 5 |" in first
    assert "| binary.txt | binary | skipped |" in first and "| bad_header.txt | invalid_header_date | kept |" in first
    assert "| documents | 5 | 5 |" in first and "| exact duplicate documents | 0 | 0 |" in first
    assert isinstance(again, str) and "| 8 | 0 | 0 | 8 | 0 | 0 | 0 |" in again
    # The second run found nothing new, and the corpus it reports on is still the first run's five documents.
    assert "| documents | 0 | 5 |" in again


def test_langdetect_is_a_supported_detector(prefect_server: None, tmp_path: Path) -> None:
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    (inp / "en.txt").write_text("The delegation arrived in Washington on Tuesday for talks on trade and security.")
    (inp / "de.txt").write_text("Die Regierung hat am Dienstag in Berlin ein neues Gesetz vorgestellt.")
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        news_etl(input_dir=inp, output_dir=out, language_detector="langdetect")
    docs = pd.read_parquet(out / "documents").set_index("source")
    assert docs["language"].to_dict() == {"de.txt": "de", "en.txt": "en"}
    assert list(pd.read_parquet(out / "runs")["language_detector"]) == ["langdetect"]
