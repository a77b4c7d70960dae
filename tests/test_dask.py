"""A real Dask cluster on loopback (one scheduler, two worker processes) runs the flow; tables equal one process's."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from flows.news_etl import news_etl
from tests.servers import free_port
from tests.tables import assert_same_tables, read_tables
from tests.test_deployment import REPO
from tests.test_reliability import write_corpus

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    bin_dir = Path(sys.executable).parent
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask")
    procs = [
        subprocess.Popen(
            [str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=open(logs / "scheduler.log", "wb"),  # noqa: SIM115 - the process owns it
            stderr=subprocess.STDOUT,
        )
    ]
    time.sleep(3)
    for i in range(2):
        procs.append(
            subprocess.Popen(
                [
                    str(bin_dir / "dask"),
                    "worker",
                    address,
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "1",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                    "--name",
                    f"w{i}",
                ],
                cwd=REPO,
                stdout=open(logs / f"worker{i}.log", "wb"),  # noqa: SIM115 - the process owns it
                stderr=subprocess.STDOUT,
            )
        )
    try:
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            assert len(client.scheduler_info()["workers"]) == 2
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(timeout=60)


def test_flow_on_a_dask_cluster_equals_a_single_process_run(prefect_server: None, cluster: str, tmp_path: Path) -> None:
    inp = tmp_path / "in"
    write_corpus(inp, 2)
    shutil.copy(REPO / "seeds" / "000_9dec0c0bc538f5de.txt", inp / "seed.txt")
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        single = news_etl(input_dir=inp, output_dir=tmp_path / "single", shard_size=2)
        spread = news_etl(input_dir=inp, output_dir=tmp_path / "dask", shard_size=2, dask_address=cluster)
    assert single == spread
    assert single["documents"] == 8
    assert_same_tables(read_tables(tmp_path / "single"), read_tables(tmp_path / "dask"))
