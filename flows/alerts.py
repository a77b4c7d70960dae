"""Failure alerts: a webhook block and two Prefect automations, created or updated in place by `make deploy`.

- `news-etl failed`: a `news-etl` flow run entered Failed or Crashed.
- `news-etl nightly overdue`: the nightly deployment has had no Completed run for 26 hours (a proactive trigger:
  its window opens when the automation loads and again at each Completed run; it fires again every window while
  no run completes).

Both call the webhook block `depeche-alerts` with a JSON body `{"text": ...}` (what a Slack incoming webhook takes).
Its URL comes from DEPECHE_ALERT_URL, else from the file named by DEPECHE_ALERT_URL_FILE. With DEPECHE_ALERT_BLOCK
(`<block type slug>/<name>` of a saved notification block, e.g. `sendgrid-email/ops-mail` for e-mail), they also
send a notification through that block. Needs PREFECT_API_URL.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import cast
from uuid import UUID

from prefect.automations import Automation, CallWebhook, EventTrigger, Posture, SendNotification
from prefect.events.actions import ActionTypesOrUnknown

FLOW_NAME = "news-etl"
BLOCK_NAME = "depeche-alerts"
FAILED_AUTOMATION = "news-etl failed"
OVERDUE_AUTOMATION = "news-etl nightly overdue"
NIGHTLY = f"{FLOW_NAME}/nightly"
# A night's run plus two hours of slack: a run that starts late or runs long does not page anyone.
OVERDUE_HOURS = 26.0

# Prefect renders this with Jinja against the triggering event's flow run; `tojson` keeps the body valid JSON
# whatever the state message holds (quotes, newlines).
FAILED_TEXT = (
    '"news-etl run " ~ flow_run.name ~ " entered " ~ flow_run.state.name ~ ": " ~ (flow_run.state.message or "")'
)
FAILED_PAYLOAD = (
    "{"
    f'"text": {{{{ ({FAILED_TEXT}) | tojson }}}}, '
    '"flow_run_id": {{ flow_run.id | string | tojson }}, '
    '"state": {{ flow_run.state.name | tojson }}'
    "}"
)


def overdue_payload(hours: float) -> str:
    """The overdue alert's body: no run detail, since no run happened."""
    return json.dumps({"text": f"news-etl/nightly has had no Completed run for {hours:g} hours", "state": "Overdue"})


def alert_url(env: dict[str, str]) -> str | None:
    """The webhook URL from DEPECHE_ALERT_URL, else the first line of the file DEPECHE_ALERT_URL_FILE, else None."""
    if env.get("DEPECHE_ALERT_URL", "").strip():
        return env["DEPECHE_ALERT_URL"].strip()
    if env.get("DEPECHE_ALERT_URL_FILE"):
        lines = Path(env["DEPECHE_ALERT_URL_FILE"]).read_text("utf-8").split()
        return lines[0] if lines else None
    return None


FAILED_SUBJECT = "news-etl run {{ flow_run.name }} {{ flow_run.state.name }}"
FAILED_BODY = (
    "The news-etl flow run {{ flow_run.name }} ({{ flow_run.id }}) entered {{ flow_run.state.name }}:\n"
    "{{ flow_run.state.message }}\n{{ flow_run|ui_url }}"
)


def _actions(
    webhook_id: UUID | None, notify_id: UUID | None, payload: str, subject: str, body: str
) -> list[ActionTypesOrUnknown]:
    """The webhook call and, when a notification block is given, a notification through it."""
    actions: list[ActionTypesOrUnknown] = []
    if webhook_id:
        actions.append(CallWebhook(block_document_id=webhook_id, payload=payload))
    if notify_id:
        actions.append(SendNotification(block_document_id=notify_id, subject=subject, body=body))
    return actions


def failed_automation(webhook_id: UUID | None, notify_id: UUID | None = None) -> Automation:
    """Calls the webhook (and notifies) once for every news-etl flow run that enters Failed or Crashed."""
    return Automation(
        name=FAILED_AUTOMATION,
        description="Calls the depeche-alerts webhook when a news-etl flow run fails or crashes.",
        trigger=EventTrigger(
            expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={"prefect.resource.role": "flow", "prefect.resource.name": FLOW_NAME},
            posture=Posture.Reactive,
            threshold=1,
            within=timedelta(0),
        ),
        actions=_actions(webhook_id, notify_id, FAILED_PAYLOAD, FAILED_SUBJECT, FAILED_BODY),
    )


def overdue_automation(
    webhook_id: UUID | None, deployment_id: UUID, hours: float = OVERDUE_HOURS, notify_id: UUID | None = None
) -> Automation:
    """Calls the webhook when `hours` pass after a Completed run of the deployment (or the load) without one."""
    completed = {"prefect.flow-run.Completed"}
    return Automation(
        name=OVERDUE_AUTOMATION,
        description=f"Calls the depeche-alerts webhook when {NIGHTLY} has had no Completed run for {hours:g} hours.",
        trigger=EventTrigger(
            # Each Completed run opens a window that the next Completed run must close (Prefect's `after`).
            after=completed,
            expect=completed,
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={"prefect.resource.id": f"prefect.deployment.{deployment_id}"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(hours=hours),
        ),
        actions=_actions(
            webhook_id,
            notify_id,
            overdue_payload(hours),
            "news-etl/nightly overdue",
            f"news-etl/nightly has had no Completed run for {hours:g} hours: see the Prefect UI and the worker's log.",
        ),
    )


def _save_block(url: str) -> UUID:
    from prefect.blocks.webhook import Webhook

    block = Webhook(method="POST", url=url, headers={"Content-Type": "application/json"})  # type: ignore[arg-type]
    return block.save(BLOCK_NAME, overwrite=True)  # type: ignore[return-value]


def _put(automation: Automation) -> UUID:
    """Create the automation, or update the one of the same name in place (and drop extra copies)."""
    from prefect.client.orchestration import get_client
    from prefect.events.schemas.automations import AutomationCore

    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(automation.name)
        # Only the fields set here: the server refuses an update that names `owner_resource`, even as null.
        core = AutomationCore(**automation.model_dump(exclude={"id"}, exclude_unset=True))
        if not existing:
            return client.create_automation(core)
        keep, *extra = sorted(existing, key=lambda a: str(a.id))
        client.update_automation(keep.id, core)
        for other in extra:
            client.delete_automation(other.id)
        return keep.id


def _deployment_id(name: str) -> UUID | None:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            return client.read_deployment_by_name(name).id
        except ObjectNotFound:
            return None


def _notification_block_id(ref: str) -> UUID:
    """The id of a saved notification block named `<block type slug>/<name>`."""
    from prefect.blocks.core import Block

    # Block.load is sync-compatible: called outside an event loop it returns the block, not a coroutine.
    block = cast(Block, Block.load(ref))
    if not hasattr(block, "notify"):
        raise ValueError(f"DEPECHE_ALERT_BLOCK: {ref} is a {type(block).__name__} block, not a notification block")
    return block._block_document_id  # type: ignore[return-value]


def install(
    url: str | None,
    *,
    notification_block: str | None = None,
    overdue_hours: float = OVERDUE_HOURS,
    deployment: str = NIGHTLY,
) -> list[str]:
    """Save the webhook block and put both automations on the server; returns what was done, line by line."""
    done = []
    webhook_id = notify_id = None
    if url:
        webhook_id = _save_block(url)
        done.append(f"webhook block {BLOCK_NAME} saved ({webhook_id})")
    if notification_block:
        notify_id = _notification_block_id(notification_block)
        done.append(f"notification block {notification_block} found ({notify_id})")
    done.append(f"automation {FAILED_AUTOMATION!r}: {_put(failed_automation(webhook_id, notify_id))}")
    deployment_id = _deployment_id(deployment)
    if deployment_id is None:
        done.append(f"deployment {deployment} not found: {OVERDUE_AUTOMATION!r} not created (run prefect deploy first)")
    else:
        overdue = overdue_automation(webhook_id, deployment_id, overdue_hours, notify_id)
        done.append(f"automation {OVERDUE_AUTOMATION!r}: {_put(overdue)}")
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.alerts", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--url", help="webhook URL (default: $DEPECHE_ALERT_URL, else the file $DEPECHE_ALERT_URL_FILE)"
    )
    parser.add_argument(
        "--notification-block", help="also notify through this saved block, `<type slug>/<name>` ($DEPECHE_ALERT_BLOCK)"
    )
    parser.add_argument("--overdue-hours", type=float, default=OVERDUE_HOURS, help="hours without a Completed run")
    parser.add_argument("--deployment", default=NIGHTLY, help="the deployment watched for overdue runs")
    args = parser.parse_args(argv)
    try:
        url = args.url or alert_url(dict(os.environ))
    except OSError as exc:
        print(f"error: DEPECHE_ALERT_URL_FILE: {exc}", file=sys.stderr)
        return 1
    block = args.notification_block or os.environ.get("DEPECHE_ALERT_BLOCK") or None
    if not url and not block:
        print(
            "alerts: no webhook URL (set DEPECHE_ALERT_URL or DEPECHE_ALERT_URL_FILE) and no DEPECHE_ALERT_BLOCK; "
            "no alert automation created",
            file=sys.stderr,
        )
        return 0
    if url and not url.startswith(("http://", "https://")):
        print(f"error: the alert URL must start with http:// or https://, got {url[:40]!r}", file=sys.stderr)
        return 1
    try:
        done = install(url, notification_block=block, overdue_hours=args.overdue_hours, deployment=args.deployment)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in done:
        print(f"alerts: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
