"""The flow with a second language mapped to an NER model, its live progress and its HTML report, end to end."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import pytest
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from flows.news_etl import main, news_etl
from flows.progress import PROGRESS_KEY

pytestmark = pytest.mark.slow

# Articles written for this test: French, German (mapped to the French model below), English (no model).
ARTICLES = {
    "fr/a.txt": "date 2024-01-15 Le maire de Lyon, Grégory Doucet, a reçu Emmanuel Macron à l'hôtel de ville.",
    "fr/b.txt": "date 2024-02-03 À Marseille, la ministre Rachida Dati a visité le musée du Louvre.",
    "de/c.txt": "date 2024-02-10 Bundeskanzler Olaf Scholz traf Emmanuel Macron in Berlin.\n\n"
    "Danach reiste Olaf Scholz nach Hamburg weiter.",
    "en/d.txt": "date 2024-02-11 The delegation met Kamala Harris in Washington on Tuesday for talks on trade.",
    "empty.txt": "",
}
MODELS = {"fr": "fr_core_news_md", "de": "fr_core_news_md"}


@pytest.fixture(scope="module")
def run(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> dict:
    inp = tmp_path_factory.mktemp("in")
    out = tmp_path_factory.mktemp("out") / "data"
    for name, text in ARTICLES.items():
        (inp / name).parent.mkdir(parents=True, exist_ok=True)
        (inp / name).write_text(text)
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        state = news_etl(input_dir=inp, output_dir=out, shard_size=2, ner_models=MODELS, return_state=True)
    assert state.is_completed()
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, LogFilter, LogFilterFlowRunId

    flow_run_id = state.state_details.flow_run_id
    # Log lines reach the server in batches from a background worker: read until the last one is there.
    deadline = time.monotonic() + 30
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
        while True:
            logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
            if any(log.message.startswith("shard 3/3 done") for log in logs) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    tables = {t: pd.read_parquet(out / t) for t in ("documents", "paragraphs", "entities", "runs")}
    return {"out": out, "artifacts": artifacts, "logs": [log.message for log in logs], "tables": tables}


def test_a_second_language_mapped_to_a_model_gets_entities(run: dict) -> None:
    t = run["tables"]
    docs = t["documents"].set_index("source")
    assert docs.loc["de/c.txt", "language"] == "de" and docs.loc["en/d.txt", "language"] == "en"
    ents = t["entities"].merge(docs.reset_index()[["doc_id", "source"]], on="doc_id")
    german = ents.loc[ents["source"] == "de/c.txt"]
    # Both German paragraphs went through the (French) model; what it finds in German is its own business.
    assert german["paragraph_id"].nunique() == 2, german
    assert "Olaf Scholz" in set(german["norm"]) | set(german["text"]), german
    assert ents.loc[ents["source"] == "en/d.txt"].empty
    english = t["paragraphs"].merge(docs.reset_index()[["doc_id", "source"]], on="doc_id")
    assert t["runs"]["ner_skipped_paragraphs"].tolist() == [int((english["source"] == "en/d.txt").sum())]


def test_progress_artifact_reaches_100_and_logs_carry_an_eta(run: dict) -> None:
    progress = [a for a in run["artifacts"] if a.key == PROGRESS_KEY]
    assert len(progress) == 1 and progress[0].type == "progress" and progress[0].data == 100.0
    shard_lines = [m for m in run["logs"] if m.startswith("shard ")]
    assert [line.split(":")[0] for line in shard_lines] == ["shard 1/3 done", "shard 2/3 done", "shard 3/3 done"]
    assert all(" documents/s, ETA " in line for line in shard_lines), shard_lines
    assert shard_lines[-1].startswith("shard 3/3 done: 4 documents, 5/5 files, ") and shard_lines[-1].endswith("ETA 0s")


def test_report_page_and_the_artifact_linking_to_it(run: dict) -> None:
    out: Path = run["out"]
    run_id = run["tables"]["runs"]["run_id"].iloc[0]
    page = out / "reports" / f"{run_id}.html"
    assert page.is_file() and os.path.samefile(page, out / "reports" / "latest.html")
    text = page.read_text("utf-8")
    for chart in ("months", "languages", "entities", "precision", "duplicates", "rejects"):
        assert f'id="chart-{chart}"' in text
    [markdown] = [a.data for a in run["artifacts"] if a.key == "news-etl-run"]
    assert f"({page.resolve().as_uri()})" in markdown
    assert "| documents | 4 | 4 |" in markdown
    assert "### Documents with such paragraphs, by language" in markdown and "| en | 1 |" in markdown


def test_a_missing_ner_package_is_refused_before_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    argv = [
        "--input",
        str(tmp_path / "in"),
        "--output",
        str(tmp_path / "out"),
        "--ner-models",
        '{"de": "de_core_news_md"}',
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "ner_models: de: spaCy pipeline package 'de_core_news_md' is not installed" in err
    assert not (tmp_path / "out").exists()
