"""Alert configuration and the two automations as data (the server-side behaviour is in test_operations.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from jinja2 import Template

from flows.alerts import FAILED_PAYLOAD, alert_url, failed_automation, main, overdue_automation

BLOCK = UUID("00000000-0000-0000-0000-00000000b10c")
DEPLOYMENT = UUID("00000000-0000-0000-0000-0000000000d1")


def test_url_from_env_then_file(tmp_path: Path) -> None:
    f = tmp_path / "alert-url"
    f.write_text("\n  https://hooks.example.org/T0/B0/x  \n")
    assert alert_url({"DEPECHE_ALERT_URL": " https://a.example/h ", "DEPECHE_ALERT_URL_FILE": str(f)}) == (
        "https://a.example/h"
    )
    assert alert_url({"DEPECHE_ALERT_URL": "", "DEPECHE_ALERT_URL_FILE": str(f)}) == "https://hooks.example.org/T0/B0/x"
    assert alert_url({}) is None
    (tmp_path / "empty").write_text("")
    assert alert_url({"DEPECHE_ALERT_URL_FILE": str(tmp_path / "empty")}) is None


def test_no_url_creates_nothing_and_a_bad_one_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DEPECHE_ALERT_URL", raising=False)
    monkeypatch.delenv("DEPECHE_ALERT_URL_FILE", raising=False)
    assert main([]) == 0
    assert "no alert automation created" in capsys.readouterr().err
    assert main(["--url", "hooks.example.org/x"]) == 1
    assert "must start with http:// or https://" in capsys.readouterr().err


def test_failed_automation_watches_failed_and_crashed_news_etl_runs() -> None:
    a = failed_automation(BLOCK)
    assert a.trigger.expect == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}  # type: ignore[union-attr]
    assert a.trigger.posture == "Reactive" and a.trigger.threshold == 1  # type: ignore[union-attr]
    related = a.trigger.match_related  # type: ignore[union-attr]
    assert related.model_dump() == {"prefect.resource.role": "flow", "prefect.resource.name": "news-etl"}  # type: ignore[union-attr]
    assert a.actions[0].block_document_id == BLOCK  # type: ignore[union-attr]


def test_failed_payload_renders_to_json_with_slack_text() -> None:
    run = {"id": "r-1", "name": "brave-otter", "state": {"name": "Crashed", "message": "Flow run process exited."}}
    body = json.loads(Template(FAILED_PAYLOAD).render(flow_run=run))
    assert body == {
        "text": "news-etl run brave-otter entered Crashed: Flow run process exited.",
        "flow_run_id": "r-1",
        "state": "Crashed",
    }
    # A state message with quotes, newlines and markup stays inside one JSON string.
    run["state"] = {"name": "Failed", "message": 'ValueError: "input_dir"\n  <x> is not a folder'}
    body = json.loads(Template(FAILED_PAYLOAD).render(flow_run=run))
    assert body["text"] == 'news-etl run brave-otter entered Failed: ValueError: "input_dir"\n  <x> is not a folder'


def test_overdue_automation_is_proactive_on_the_nightly_deployment() -> None:
    a = overdue_automation(BLOCK, DEPLOYMENT, hours=26)
    t = a.trigger
    assert t.posture == "Proactive" and t.within == timedelta(hours=26)  # type: ignore[union-attr]
    assert t.after == {"prefect.flow-run.Completed"} and t.expect == {"prefect.flow-run.Completed"}  # type: ignore[union-attr]
    assert t.match_related.model_dump() == {"prefect.resource.id": f"prefect.deployment.{DEPLOYMENT}"}  # type: ignore[union-attr]
    body = json.loads(a.actions[0].payload)  # type: ignore[union-attr]
    assert body["text"] == "news-etl/nightly has had no Completed run for 26 hours"


def test_a_notification_block_adds_a_notification_to_both_automations() -> None:
    notify = UUID("00000000-0000-0000-0000-00000000e4a1")
    failed = failed_automation(BLOCK, notify)
    assert [a.type for a in failed.actions] == ["call-webhook", "send-notification"]
    run = {"id": "r-2", "name": "calm-heron", "state": {"name": "Failed", "message": "input_dir: /x is not a folder"}}
    assert Template(failed.actions[1].subject).render(flow_run=run) == "news-etl run calm-heron Failed"  # type: ignore[union-attr]
    only_mail = overdue_automation(None, DEPLOYMENT, notify_id=notify)
    assert [a.type for a in only_mail.actions] == ["send-notification"]
    assert "no Completed run for 26 hours" in only_mail.actions[0].body  # type: ignore[union-attr]
