"""One-process alternative to prefect.yaml + worker: `python -m flows.serve` serves its deployments until stopped.

The deployments, their parameters and schedules are read from prefect.yaml, so the two ways never disagree. It
needs a Prefect API (PREFECT_API_URL, e.g. the server of `make server`); runs execute in this process.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import yaml
from prefect import serve
from prefect.schedules import Cron

from flows.news_etl import news_etl

PREFECT_YAML = Path(__file__).resolve().parent.parent / "prefect.yaml"


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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m flows.serve", description=__doc__)
    parser.add_argument("--timezone", default=None, help="timezone of the schedules (default: $DEPECHE_TIMEZONE)")
    a = parser.parse_args()
    serve(*(news_etl.to_deployment(**d) for d in deployments(timezone=a.timezone)))


if __name__ == "__main__":
    main()
