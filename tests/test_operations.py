"""A real Prefect server, worker and `flows.serve` on loopback: failure alerts reach a webhook, serving beside
`prefect deploy` leaves the deployed runs working."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from flows.alerts import BLOCK_NAME, FAILED_AUTOMATION, OVERDUE_AUTOMATION
from tests.servers import PREFECT, prefect_server

REPO = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


class _Hook(http.server.BaseHTTPRequestHandler):
    calls: list[dict] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.calls.append(
            {"path": self.path, "type": self.headers.get("Content-Type"), "body": json.loads(body), "at": time.time()}
        )
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[str, list[dict]]]:
    """A webhook receiver on a free loopback port; yields its URL and the calls it got."""
    calls: list[dict] = []
    handler = type("Hook", (_Hook,), {"calls": calls})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/depeche", calls
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, receiver: tuple[str, list[dict]]) -> Iterator[dict[str, str]]:
    with prefect_server(
        tmp_path_factory.mktemp("prefect-home"),
        PREFECT_WORKER_QUERY_SECONDS="1",
        PREFECT_WORKER_PREFETCH_SECONDS="1",
        DEPECHE_HOME=str(REPO),
        DEPECHE_TIMEZONE="Europe/Paris",
        DEPECHE_ALERT_URL=receiver[0],
    ) as env:
        yield env


def run(env: dict[str, str], *args: str, timeout: float = 300, ok: bool = True) -> str:
    done = subprocess.run(list(args), env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    if ok:
        assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def api(env: dict[str, str], method: str, path: str, **kwargs: object) -> object:
    response = httpx.request(method, env["PREFECT_API_URL"] + path, timeout=30, **kwargs)  # type: ignore[arg-type]
    response.raise_for_status()
    return response.json()


def wait_for(what: str, check, timeout: float = 120):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(1)
    return found


@pytest.fixture(scope="module")
def deployed(env: dict[str, str]) -> dict[str, str]:
    """`make deploy` by hand: the work pool, prefect.yaml's deployments, then the alerts, twice (idempotent)."""
    run(env, PREFECT, "work-pool", "create", "depeche", "--type", "process", "--overwrite")
    run(env, PREFECT, "--no-prompt", "deploy", "--all")
    first = run(env, sys.executable, "-m", "flows.alerts")
    again = run(env, sys.executable, "-m", "flows.alerts")
    assert f"automation '{FAILED_AUTOMATION}'" in first and f"automation '{OVERDUE_AUTOMATION}'" in first
    assert first.replace("saved", "").split() == again.replace("saved", "").split()
    return env


def test_make_deploy_puts_one_block_and_two_automations(deployed: dict[str, str], receiver: tuple[str, list]) -> None:
    automations = api(deployed, "POST", "/automations/filter", json={})
    names = sorted(a["name"] for a in automations)  # type: ignore[union-attr]
    assert names == sorted([FAILED_AUTOMATION, OVERDUE_AUTOMATION])
    by_name = {a["name"]: a for a in automations}  # type: ignore[union-attr]
    failed = by_name[FAILED_AUTOMATION]["trigger"]
    assert set(failed["expect"]) == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}
    assert failed["posture"] == "Reactive"
    overdue = by_name[OVERDUE_AUTOMATION]["trigger"]
    nightly = api(deployed, "GET", "/deployments/name/news-etl/nightly")
    assert overdue["posture"] == "Proactive" and overdue["within"] == 26 * 3600
    assert overdue["match_related"] == {"prefect.resource.id": f"prefect.deployment.{nightly['id']}"}  # type: ignore[index]
    blocks = api(deployed, "POST", "/block_documents/filter", json={"block_types": {"slug": {"any_": ["webhook"]}}})
    assert [b["name"] for b in blocks] == [BLOCK_NAME]  # type: ignore[union-attr]
    block_ids = {a["actions"][0]["block_document_id"] for a in automations}  # type: ignore[union-attr]
    assert block_ids == {blocks[0]["id"]}  # type: ignore[index]


def test_serve_beside_deploy_then_alert_on_failure_only(
    deployed: dict[str, str], receiver: tuple[str, list[dict]], tmp_path: Path
) -> None:
    env = deployed
    _, calls = receiver
    adhoc_before = api(env, "GET", "/deployments/name/news-etl/adhoc")
    serve_log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    worker_log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "flows.serve"], env=env, cwd=REPO, stdout=serve_log, stderr=serve_log
    )
    worker = subprocess.Popen(
        [PREFECT, "worker", "start", "--pool", "depeche", "--type", "process"],
        env=env,
        cwd=REPO,
        stdout=worker_log,
        stderr=worker_log,
    )
    try:

        def served() -> dict | None:
            r = httpx.get(env["PREFECT_API_URL"] + "/deployments/name/news-etl/adhoc-served", timeout=10)
            return r.json() if r.status_code == 200 else None

        wait_for("the served deployments", served)
        nightly_served = api(env, "GET", "/deployments/name/news-etl/nightly-served")
        assert nightly_served["schedules"] == []  # type: ignore[index]
        adhoc_after = api(env, "GET", "/deployments/name/news-etl/adhoc")
        for key in ("id", "work_pool_name", "entrypoint", "path", "pull_steps", "parameters"):
            assert adhoc_after[key] == adhoc_before[key], key  # type: ignore[index]
        nightly = api(env, "GET", "/deployments/name/news-etl/nightly")
        assert [s["schedule"]["cron"] for s in nightly["schedules"]] == ["0 2 * * *"]  # type: ignore[index]

        # A healthy run of the deployed adhoc (through the worker): Completed, and no call.
        inp, out = tmp_path / "in", tmp_path / "out"
        inp.mkdir()
        (inp / "a.txt").write_text("date 2024-02-03 La maire de Nantes a reçu le ministre à Paris.\n\nFin.")
        said = run(
            env,
            PREFECT,
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
        time.sleep(10)
        assert calls == []

        # A failing run (a missing input folder, refused inside the flow), here through the served copy.
        said = run(
            env,
            PREFECT,
            "deployment",
            "run",
            "news-etl/adhoc-served",
            "--param",
            f"input_dir={tmp_path / 'missing'}",
            "--param",
            f"output_dir={out}",
            "--watch",
            "--watch-timeout",
            "300",
            timeout=360,
            ok=False,
        )
        assert "Failed" in said, said
        wait_for("the webhook call", lambda: calls, timeout=120)
        time.sleep(5)
        assert len(calls) == 1, calls
        call = calls[0]
        assert call["path"] == "/hooks/depeche" and call["type"] == "application/json"
        runs = api(env, "POST", "/flow_runs/filter", json={"flow_runs": {"state": {"type": {"any_": ["FAILED"]}}}})
        assert [r["id"] for r in runs] == [call["body"]["flow_run_id"]]  # type: ignore[union-attr]
        assert call["body"]["state"] == "Failed"
        assert call["body"]["text"].startswith(f"news-etl run {runs[0]['name']} entered Failed: ")  # type: ignore[index]
        assert "is not a folder" in call["body"]["text"]
    finally:
        for proc in (server, worker):
            proc.terminate()
        for proc in (server, worker):
            proc.wait(timeout=60)
        serve_log.close()
        worker_log.close()


def test_overdue_alert_after_a_completed_nightly_run(
    deployed: dict[str, str], receiver: tuple[str, list[dict]], tmp_path: Path
) -> None:
    env = deployed
    _, calls = receiver
    # The same automation with a 20 s window instead of 26 h (Prefect's minimum for a proactive trigger is 10 s).
    said = run(env, sys.executable, "-m", "flows.alerts", "--overdue-hours", str(20 / 3600))
    assert f"automation '{OVERDUE_AUTOMATION}'" in said
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    (inp / "a.txt").write_text("date 2024-02-03 Le conseil régional de Bretagne a voté son budget à Rennes.")
    worker_log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [PREFECT, "worker", "start", "--pool", "depeche", "--type", "process"],
        env=env,
        cwd=REPO,
        stdout=worker_log,
        stderr=worker_log,
    )
    try:
        said = run(
            env,
            PREFECT,
            "deployment",
            "run",
            "news-etl/nightly",
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
        nightly = api(env, "GET", "/deployments/name/news-etl/nightly")
        [completed] = api(  # type: ignore[misc]
            env,
            "POST",
            "/flow_runs/filter",
            json={
                "deployments": {"id": {"any_": [nightly["id"]]}},  # type: ignore[index]
                "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}},
            },
        )
        ended = datetime.fromisoformat(completed["end_time"]).timestamp()

        # Without a Completed run the trigger fires once per window from the automation's (re)load on; the Completed
        # run restarts the window, so the next call comes 20 s after it and not before.
        def overdue() -> list[dict]:
            return [c for c in calls if c["body"].get("state") == "Overdue" and c["at"] > ended]

        wait_for("the overdue call after the Completed run", lambda: [c for c in overdue() if c["at"] >= ended + 19])
        # A window opened before the run may close within a moment of its end (the run itself takes ~20 s): a call in
        # the first 2 s after the Completed run is that window's, not one the Completed run failed to hold back.
        early = [round(c["at"] - ended, 1) for c in overdue() if ended + 2 <= c["at"] < ended + 19]
        assert early == [], early
        assert overdue()[0]["body"]["text"] == f"news-etl/nightly has had no Completed run for {20 / 3600:g} hours"
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        worker_log.close()
