"""Progress: the bar's on/off decision, percentages and ETAs as pure functions."""

from __future__ import annotations

import pytest

from flows.progress import eta_seconds, format_eta, percent, wants_bar


@pytest.mark.parametrize(
    ("is_tty", "term", "deployed", "setting", "expected"),
    [
        (True, "xterm-256color", False, None, True),  # a person at a terminal, direct run
        (False, "xterm-256color", False, None, False),  # piped or redirected to a file
        (True, "dumb", False, None, False),  # a terminal that cannot redraw a line
        (True, None, False, None, False),  # no TERM at all (cron, systemd)
        (True, "xterm", True, None, False),  # a worker's run: its output goes to logs
        (True, "xterm", False, "0", False),  # switched off
        (True, "dumb", True, "on", True),  # switched on where it can be drawn
        (False, "xterm", False, "1", False),  # switched on, but not a terminal: still off
    ],
)
def test_bar_only_for_a_terminal_on_direct_runs(
    is_tty: bool, term: str | None, deployed: bool, setting: str | None, expected: bool
) -> None:
    assert wants_bar(is_tty=is_tty, term=term, deployed=deployed, setting=setting) is expected


def test_percent_and_eta() -> None:
    assert percent(0, 8) == 0.0
    assert percent(3, 8) == 37.5
    assert percent(8, 8) == 100.0
    assert percent(9, 8) == 100.0
    assert percent(0, 0) == 100.0
    assert eta_seconds(0, 10, 5.0) is None
    assert eta_seconds(2, 10, 5.0) == 20.0
    assert eta_seconds(10, 10, 7.0) == 0.0


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "ETA unknown"), (0.4, "ETA 0s"), (42.6, "ETA 43s"), (185, "ETA 3m05s"), (3725, "ETA 1h02m")],
)
def test_eta_text(seconds: float | None, text: str) -> None:
    assert format_eta(seconds) == text
