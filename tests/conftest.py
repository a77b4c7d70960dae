"""Shared fixtures: no network outside loopback, one Prefect test server per session."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest
from hypothesis import settings

# The same examples on every run: CI and developers see the same failures, and timing noise fails nothing.
settings.register_profile("depeche", derandomize=True, deadline=None)
settings.load_profile("depeche")

SEED = "000_9dec0c0bc538f5de.txt"

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address, *args, **kwargs):  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            ok = ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = host == "localhost"
        if not ok:
            raise RuntimeError(f"network access to {address!r} attempted during tests; only loopback is allowed")
    return _real_connect(self, address, *args, **kwargs)


@pytest.fixture(autouse=True, scope="session")
def no_network() -> Iterator[None]:
    """Any socket connection outside loopback fails the test that makes it."""
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One Prefect test server for the whole session: it takes 20-30 s to start."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield
