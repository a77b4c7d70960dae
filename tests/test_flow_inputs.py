"""The flow on input that is not plain UTF-8 `.txt`: legacy encodings, gzip, other files, an empty folder."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pandas as pd
import pytest
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from flows.news_etl import news_etl

pytestmark = pytest.mark.slow

RUSSIAN = "Заседание правительства прошло во вторник в Москве. Министр финансов представил новый бюджет."
CHINESE = "台北市政府週二宣布，將在明年擴大公共運輸補助。市長表示，這項政策將幫助上班族減輕交通負擔。"
FRENCH = "date 2023-03 Le maire de Lyon a inauguré la passerelle le 3 mars 2023, devant les élus."
GREEK = "Η κυβέρνηση ανακοίνωσε την Τρίτη νέα μέτρα για τη στήριξη των νοικοκυριών και των επιχειρήσεων."


def latest_report() -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["news-etl-run"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    text = artifacts[0].data
    assert isinstance(text, str)
    return text


@pytest.fixture(scope="module")
def run(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame], str]:
    inp = tmp_path_factory.mktemp("in")
    out = tmp_path_factory.mktemp("out") / "data"
    (inp / "ru").mkdir()
    (inp / "ru" / "cp1251.txt").write_bytes(RUSSIAN.encode("cp1251"))
    (inp / "big5.txt").write_bytes(CHINESE.encode("big5"))
    (inp / "a" / "b").mkdir(parents=True)
    (inp / "a" / "b" / "lyon.txt.gz").write_bytes(gzip.compress(FRENCH.encode(), mtime=0))
    (inp / "two_encodings.txt").write_bytes(RUSSIAN.encode("cp1251") + b"\n\n" + GREEK.encode("iso-8859-7"))
    (inp / "report.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (inp / "a" / "page.html").write_text("<p>pas un article</p>")
    (inp / ".hidden.txt").write_text("Un fichier caché n'est pas lu.")
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        first = news_etl(input_dir=inp, output_dir=out, shard_size=2)
        report = latest_report()
        again = news_etl(input_dir=inp, output_dir=out, shard_size=2)
    assert first == {"files_seen": 4, "files_processed": 3, "files_failed": 1, "documents": 3, "entities": 1}
    # The .gz is hashed as a file: unchanged on the second run, like the others.
    assert again == {"files_seen": 4, "files_processed": 0, "files_failed": 0, "documents": 0, "entities": 0}
    tables = {t: pd.read_parquet(out / t) for t in ("documents", "rejects", "runs")}
    return inp, tables, report


def test_documents_are_read_in_their_own_encoding(run: tuple[Path, dict[str, pd.DataFrame], str]) -> None:
    inp, tables, _ = run
    docs = tables["documents"].set_index("source")
    assert sorted(docs.index) == ["a/b/lyon.txt.gz", "big5.txt", "ru/cp1251.txt"]
    rows = {s: (docs.loc[s, "encoding"], docs.loc[s, "language"], docs.loc[s, "text"]) for s in docs.index}
    assert rows == {
        "ru/cp1251.txt": ("cp1251", "ru", RUSSIAN),
        "big5.txt": ("big5", "zh", CHINESE),
        "a/b/lyon.txt.gz": ("utf-8", "fr", FRENCH.removeprefix("date 2023-03 ")),
    }
    gz = docs.loc["a/b/lyon.txt.gz"]
    assert gz["content_sha256"] == hashlib.sha256((inp / "a" / "b" / "lyon.txt.gz").read_bytes()).hexdigest()
    # A date in the running text never refines the header (only a byline, dateline or sign-off does).
    assert (gz["date"], gz["date_source"]) == ("2023-03", "header")


def test_rejects_and_ignored_files(run: tuple[Path, dict[str, pd.DataFrame], str]) -> None:
    _, tables, report = run
    rejects = tables["rejects"]
    assert list(zip(rejects["source"], rejects["reason"], rejects["action"], strict=True)) == [
        ("two_encodings.txt", "undecodable", "skipped")
    ]
    assert "paragraph 1 is CYRILLIC in cp1251 (`ru`), GREEK in cp1253" in rejects["message"].iloc[0]
    runs = tables["runs"].sort_values("started_at")
    assert list(runs["files_ignored"]) == [3, 3]
    assert "Files ignored (not `*.txt` or `*.txt.gz`, hidden, or symlinked folders): 3" in report
    assert "((hidden) 1, .html 1, .pdf 1)" in report
    assert "| two_encodings.txt | undecodable | skipped |" in report
    assert "Warning" not in report


def test_an_empty_input_is_a_warning(prefect_server: None, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.md").write_text("pas un article")
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        summary = news_etl(input_dir=tmp_path / "in", output_dir=tmp_path / "out")
    assert summary["files_seen"] == 0 and summary["documents"] == 0
    warning = f"no article (*.txt, *.txt.gz) in {tmp_path / 'in'}"
    assert any(r.levelname == "WARNING" and warning in r.getMessage() for r in caplog.records)
    report = latest_report()
    assert f"**Warning: {warning}.**" in report and "(.md 1)" in report
