"""Headless Chromium (from Debian) and a loopback HTTP server that records every request, for the report tests."""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

# No network of its own: no QUIC, no component updates, no sync, no background fetches, a fresh profile.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
]


def chromium() -> str:
    """The browser binary; CI installs it (.ci/run), elsewhere the test is skipped with a hint."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run installs it with apt-get install -y chromium")
    pytest.skip("chromium is not installed (apt-get install -y chromium)")


def run_chromium(url: str, profile: Path, *extra: str, timeout: float = 120) -> str:
    """Load `url`, let its scripts run (virtual time), and return what Chromium printed on stdout."""
    done = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=10000", *extra, url],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class _Recorder(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, requests: list[str], **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.requests = requests
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def recording_server(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve `folder` on 127.0.0.1; yields the base URL and the list of paths requested so far."""
    requests: list[str] = []
    handler = partial(_Recorder, directory=str(folder), requests=requests)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


class _Proxy(_Recorder):
    """Any request for another host reaches this proxy: it is recorded and refused."""

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_error(403, "no network in the report tests")

    def do_CONNECT(self) -> None:
        self.requests.append(f"CONNECT {self.path}")
        self.send_error(403, "no network in the report tests")


@contextlib.contextmanager
def recording_proxy() -> Iterator[tuple[str, list[str]]]:
    """An HTTP proxy on 127.0.0.1 that records and refuses every request; yields its address and the list."""
    requests: list[str] = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Proxy, requests=requests))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
