"""One-process alternative to prefect.yaml + worker: `python -m flows.serve` serves both deployments until stopped.

It needs a Prefect API (PREFECT_API_URL, e.g. the server of `make server`); runs execute in this process.
"""

from __future__ import annotations

import argparse

from prefect import serve
from prefect.schedules import Cron

from flows.news_etl import news_etl


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m flows.serve", description=__doc__)
    parser.add_argument("--cron", default="0 2 * * *", help="nightly schedule (default: every day at 02:00)")
    parser.add_argument("--timezone", default="Europe/Paris")
    parser.add_argument("--input", default="seeds")
    parser.add_argument("--output", default="data")
    a = parser.parse_args()
    nightly = news_etl.to_deployment(
        name="nightly",
        schedules=[Cron(a.cron, timezone=a.timezone)],
        parameters={"input_dir": a.input, "output_dir": a.output},
        concurrency_limit=1,
    )
    adhoc = news_etl.to_deployment(name="adhoc")
    serve(nightly, adhoc)


if __name__ == "__main__":
    main()
