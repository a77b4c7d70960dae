"""A real Prefect server and worker on loopback: deploy from prefect.yaml, run `adhoc` from the CLI, rerun, modify."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest

from tasks.store.schemas import DOCUMENT_TABLES
from tests.conftest import SEED
from tests.servers import PREFECT, prefect_server
from tests.tables import assert_same_tables, read_tables

REPO = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with prefect_server(
        tmp_path_factory.mktemp("prefect-home"),
        PREFECT_WORKER_QUERY_SECONDS="1",
        PREFECT_WORKER_PREFETCH_SECONDS="1",
        DEPECHE_HOME=str(REPO),
        DEPECHE_TIMEZONE="Europe/Paris",
    ) as env:
        yield env


def prefect(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run([PREFECT, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_deploy_schedule_adhoc_rerun_and_modify(server: dict[str, str], tmp_path: Path) -> None:
    env = server
    prefect(env, "work-pool", "create", "depeche", "--type", "process", "--overwrite")
    deployed = prefect(env, "--no-prompt", "deploy", "--all")
    assert "news-etl/nightly" in deployed and "news-etl/adhoc" in deployed

    api = env["PREFECT_API_URL"]
    nightly = httpx.get(f"{api}/deployments/name/news-etl/nightly").json()
    assert nightly["schedules"][0]["schedule"]["cron"] == "0 2 * * *"
    assert nightly["schedules"][0]["schedule"]["timezone"] == "Europe/Paris"
    deadline = time.monotonic() + 90
    while True:
        upcoming = httpx.post(
            f"{api}/flow_runs/filter",
            json={
                "deployments": {"id": {"any_": [nightly["id"]]}},
                "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
            },
        ).json()
        if upcoming or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert len(upcoming) >= 1
    assert all(r["expected_start_time"] > time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) for r in upcoming)

    # Bad parameters are refused by the server before any run starts, naming the field.
    bad = subprocess.run(
        [
            PREFECT,
            "deployment",
            "run",
            "news-etl/adhoc",
            "--param",
            "input_dir=/x",
            "--param",
            "output_dir=/y",
            "--param",
            "shard_size=0",
        ],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "shard_size" in bad.stdout + bad.stderr

    inp, out = tmp_path / "in", tmp_path / "out"
    (inp / "sub").mkdir(parents=True)
    shutil.copy(REPO / "seeds" / SEED, inp / SEED)
    (inp / "sub" / "a.txt").write_text(" date 2023-03 Le président a visité Lyon le 3 mars 2023.\n\nFin.")
    (inp / "sub" / "b.txt").write_text("Berlin, 4. März 2023. Die Regierung hat heute beschlossen.")

    worker_log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [PREFECT, "worker", "start", "--pool", "depeche", "--type", "process"],
        env=env,
        cwd=REPO,
        stdout=worker_log,
        stderr=worker_log,
    )
    try:

        def adhoc() -> None:
            said = prefect(
                env,
                "deployment",
                "run",
                "news-etl/adhoc",
                "--param",
                f"input_dir={inp}",
                "--param",
                f"output_dir={out}",
                "--watch",
                "--watch-timeout",
                "600",
                timeout=660,
            )
            assert "Completed" in said, said

        adhoc()
        first = read_tables(out)
        assert sorted(first["documents"]["source"]) == [SEED, "sub/a.txt", "sub/b.txt"]

        adhoc()
        second = read_tables(out)
        assert_same_tables(first, second)
        runs = pd.read_parquet(out / "runs").sort_values("started_at")
        assert list(runs["files_new"]) == [3, 0] and list(runs["files_unchanged"]) == [0, 3]

        (inp / "sub" / "a.txt").write_text(" date 2023-03 La ministre a visité Nantes le 5 mars 2023.\n\nFin.")
        adhoc()
        third = read_tables(out)
        docs1, docs3 = first["documents"].set_index("source"), third["documents"].set_index("source")
        assert list(docs3.index.sort_values()) == list(docs1.index.sort_values())
        assert docs3.loc["sub/a.txt", "doc_id"] == docs1.loc["sub/a.txt", "doc_id"]
        assert docs3.loc["sub/a.txt", "text"].startswith("La ministre a visité Nantes")
        pd.testing.assert_series_equal(docs1.drop(index="sub/a.txt")["text"], docs3.drop(index="sub/a.txt")["text"])
        a_id = docs1.loc["sub/a.txt", "doc_id"]
        for t in DOCUMENT_TABLES:
            others1 = first[t][first[t]["doc_id"] != a_id].reset_index(drop=True)
            others3 = third[t][third[t]["doc_id"] != a_id].reset_index(drop=True)
            pd.testing.assert_frame_equal(others1, others3)
            assert third[t]["doc_id"].value_counts().get(a_id, 0) >= (1 if t != "entities" else 0)
        assert list(pd.read_parquet(out / "runs").sort_values("started_at")["files_changed"]) == [0, 0, 1]

        # A refused run fails with its one-line reason as the state message and in its log; `--watch` (Prefect
        # 3.9.1) prints only the state's name.
        (empty := tmp_path / "unmounted").mkdir()
        refused = subprocess.run(
            [PREFECT, "deployment", "run", "news-etl/adhoc", "--param", f"input_dir={empty}"]
            + ["--param", f"output_dir={out}", "--param", "prune=true", "--watch", "--watch-timeout", "600"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=660,
        )
        said = " ".join((refused.stdout + refused.stderr).split())
        assert refused.returncode != 0 and "Flow run finished in state 'Failed'" in said, said
        failed = httpx.post(
            f"{api}/flow_runs/filter", json={"flow_runs": {"state": {"type": {"any_": ["FAILED"]}}}}
        ).json()
        assert len(failed) == 1
        message = failed[0]["state"]["message"]
        assert message.startswith(f"refused, nothing was changed: input {empty} holds no *.txt file, so prune")
        assert "\n" not in message
        deadline = time.monotonic() + 60  # the run's logs reach the server in batches, possibly after its state
        while True:
            query = {"logs": {"flow_run_id": {"any_": [failed[0]["id"]]}}}
            logged = [entry["message"] for entry in httpx.post(f"{api}/logs/filter", json=query).json()]
            if message in logged or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert message in logged
        assert_same_tables(read_tables(out), third)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        worker_log.close()
