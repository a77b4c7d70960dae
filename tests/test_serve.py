"""flows.serve beside `prefect deploy`: its own deployment names, and no second schedule for a deployed one."""

from __future__ import annotations

from flows.serve import deployments, served


def test_served_copies_have_their_own_names() -> None:
    copies, notes = served(deployments(timezone="UTC"), deployed=set())
    assert [c["name"] for c in copies] == ["nightly-served", "weekly-verify-served", "adhoc-served"]
    assert [str(s.cron) for s in copies[0]["schedules"]] == ["0 2 * * *"]
    assert notes == []


def test_a_deployed_name_keeps_the_schedule_and_the_copy_runs_on_demand() -> None:
    declared = deployments(timezone="UTC")
    copies, notes = served(declared, deployed={"nightly", "adhoc"})
    assert [c["name"] for c in copies] == ["nightly-served", "weekly-verify-served", "adhoc-served"]
    assert copies[0]["schedules"] == [] and declared[0]["schedules"]  # the declared list is left as it was
    assert copies[0]["parameters"] == declared[0]["parameters"] == {"input_dir": "seeds", "output_dir": "data"}
    assert notes == [
        "news-etl/nightly is deployed from prefect.yaml and keeps its schedule; "
        "news-etl/nightly-served runs only when asked"
    ]
