"""One-process alternative to prefect.yaml + worker: `python -m flows.serve` serves its deployments until stopped.

The deployments, their parameters and schedules are read from prefect.yaml, so the two ways never disagree. It
needs a Prefect API (PREFECT_API_URL, e.g. the server of `make server`); runs execute in this process.

Served deployments are named `<name>-served` (news-etl/adhoc-served, news-etl/nightly-served), so that serving on a
server that also has the `prefect deploy` ones never overwrites them (the worker's runs of a deployment that serve
had taken over failed with `FileNotFoundError: .../None`). A served copy of a deployment that `prefect deploy`
created too gets no schedule: the deployed one keeps it, so a night never runs twice.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, cast

import yaml
from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.news_etl import news_etl

PREFECT_YAML = Path(__file__).resolve().parent.parent / "prefect.yaml"
SERVED_SUFFIX = "-served"
FLOW_NAME = "news-etl"


def deployments(path: Path = PREFECT_YAML, timezone: str | None = None) -> list[dict[str, Any]]:
    """The deployments of prefect.yaml: name, parameters and cron schedules, with the timezone filled in."""
    timezone = timezone or os.environ.get("DEPECHE_TIMEZONE", "Europe/Paris")
    found = []
    for d in yaml.safe_load(path.read_text())["deployments"]:
        schedules = [Cron(s["cron"], timezone=timezone) for s in d.get("schedules") or [] if s.get("active", True)]
        found.append(
            {
                "name": d["name"],
                "description": d.get("description"),
                "parameters": d.get("parameters") or {},
                "schedules": schedules,
                "concurrency_limit": d.get("concurrency_limit"),
            }
        )
    return found


def served(declared: list[dict[str, Any]], deployed: set[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The served copies of `declared` under their own names, unscheduled where `deployed` holds the same name."""
    copies, notes = [], []
    for d in declared:
        copy = d | {"name": d["name"] + SERVED_SUFFIX}
        if d["name"] in deployed and d["schedules"]:
            copy["schedules"] = []
            notes.append(
                f"{FLOW_NAME}/{d['name']} is deployed from prefect.yaml and keeps its schedule; "
                f"{FLOW_NAME}/{copy['name']} runs only when asked"
            )
        copies.append(copy)
    return copies, notes


def _deployed_names() -> set[str]:
    """Names of the news-etl deployments on the server that are not served ones (those of `prefect deploy`)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with get_client(sync_client=True) as client:
        found = client.read_deployments(flow_filter=FlowFilter(name=FlowFilterName(any_=[FLOW_NAME])))
    return {d.name for d in found if not d.name.endswith(SERVED_SUFFIX)}


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m flows.serve", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--timezone", default=None, help="timezone of the schedules (default: $DEPECHE_TIMEZONE)")
    a = parser.parse_args()
    copies, notes = served(deployments(timezone=a.timezone), _deployed_names())
    for note in notes:
        print(f"serve: {note}", file=sys.stderr, flush=True)
    # to_deployment is sync-compatible: outside an event loop it returns the deployment, not a coroutine.
    serve(*(cast(RunnerDeployment, news_etl.to_deployment(**d)) for d in copies))


if __name__ == "__main__":
    main()
