"""Prefect's embedded server for direct runs, spawned by the CLI before the models load, so that both come up at once.

Prefect would start its ephemeral server at the run's first API call, after every import, and would import its
server module (FastAPI, SQLAlchemy, the ORM) into this process to do so: ~1.5 s at start and ~1 s at exit, for a
process that only talks HTTP to it. Here the same app runs the way Prefect runs it (`uvicorn --factory
prefect.server.api.server:create_app` with Prefect's ephemeral settings), in a child process of its own session,
out of reach of the terminal's Ctrl-C, that dies with its parent; the run reaches it through PREFECT_API_URL.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import httpx
import prefect
import prefect.context
from prefect.context import refresh_global_settings_context
from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, get_current_settings

from flows.errors import ServerError
from flows.interrupt import die_with_parent

# uvicorn's exit code when its startup fails, a port taken since it was chosen among them; it then gets another one.
STARTUP_FAILURE = 3
PORT_ATTEMPTS = 5
POLL_SECONDS = 0.05
# The environment Prefect gives its own ephemeral server: no UI, and the ephemeral profile of background services.
EPHEMERAL_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sqlite_database(url: str) -> Path | None:
    """The file of a SQLite connection URL; None for any other database or an in-memory one."""
    for prefix in ("sqlite+aiosqlite:///", "sqlite:///"):
        if url.startswith(prefix) and ":memory:" not in url:
            return Path(url.removeprefix(prefix).split("?")[0])
    return None


def _revision(database: Path) -> str | None:
    """The Alembic revision the database is at, read-only; None when it has none or cannot be read."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)) as db:
            row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def _head_mark(database: Path) -> Path:
    return database.with_name(database.name + ".depeche-head.json")


# Prefect migrates its database at every server start (`alembic upgrade head`): ~1 s of loading migration scripts,
# for nothing once the database is at the head of this Prefect version. After a start that migrated, the revision
# reached is noted beside the database; a later start of the same Prefect version on a database still at that
# revision skips the step. Another version, another revision, or no note: Prefect migrates as it always does.
def _at_known_head(database: Path) -> bool:
    try:
        mark = json.loads(_head_mark(database).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    revision = _revision(database)
    return revision is not None and mark == {"prefect": prefect.__version__, "revision": revision}


def _mark_head(database: Path) -> None:
    revision = _revision(database)
    if revision is None:
        return
    with contextlib.suppress(OSError):
        tmp = _head_mark(database).with_suffix(".tmp")
        tmp.write_text(json.dumps({"prefect": prefect.__version__, "revision": revision}), encoding="utf-8")
        os.replace(tmp, _head_mark(database))


def _detach() -> None:
    os.setsid()
    die_with_parent()


class EmbeddedServer:
    """One uvicorn process serving Prefect's API on a free local port: spawn, wait until ready, stop."""

    def __init__(self) -> None:
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.migrating: Path | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def spawn(self) -> None:
        """Start the server process and return at once; `wait_ready` waits for its health check."""
        self.port = _free_port()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(Path(prefect.__file__).parent.parent),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ]
        settings = get_current_settings()
        env = {**os.environ, **EPHEMERAL_ENV, **settings.to_environment_variables(exclude_unset=True)}
        url = settings.server.database.connection_url
        database = None if url is None else _sqlite_database(url.get_secret_value())
        if database is not None and _at_known_head(database):
            env["PREFECT_SERVER_DATABASE_MIGRATE_ON_START"] = "false"
            database = None
        self.migrating = database  # the database to note the head of, once this start migrated it
        # preexec_fn runs between fork and exec: only setsid and prctl, and the first spawn precedes the run's threads.
        self.process = subprocess.Popen(command, env=env, preexec_fn=_detach)  # noqa: PLW1509
        # At exit, and after Prefect's own exit handlers (registered later, so run earlier) sent the run's last logs.
        atexit.register(self.stop)

    def wait_ready(self, timeout: float | None = None) -> str:
        """The API URL, once /health answers; a port taken meanwhile gets another spawn; ServerError otherwise."""
        limit = timeout if timeout is not None else float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
        if self.process is None:
            self.spawn()
        deadline = time.monotonic() + limit
        attempts = 1
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                code = self.process.poll()
                if code == STARTUP_FAILURE and attempts < PORT_ATTEMPTS:
                    attempts += 1
                    advertised = os.environ.get(PREFECT_API_URL.name) == self.api_url
                    self.spawn()
                    if advertised:
                        os.environ[PREFECT_API_URL.name] = self.api_url
                        refresh_global_settings_context()
                    continue
                if code is not None:
                    raise ServerError(f"Prefect's embedded server exited with code {code} before it answered")
                with contextlib.suppress(httpx.TransportError):
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        if self.migrating is not None:
                            _mark_head(self.migrating)
                        return self.api_url
                time.sleep(POLL_SECONDS)
        self.stop()
        raise ServerError(f"Prefect's embedded server did not answer within {limit:g} s")

    @contextlib.contextmanager
    def advertised(self) -> Iterator[None]:
        """Within the block PREFECT_API_URL names this server for every thread here and every child process."""
        # Prefect's own threads (the process pool's message forwarder, the events and log workers it starts) read
        # the process-global settings, not the run's context, and children inherit the environment: without the
        # address in both, they would each start an embedded server of their own.
        previous = prefect.context.GLOBAL_SETTINGS_CONTEXT
        try:
            with mock.patch.dict(os.environ, {PREFECT_API_URL.name: self.api_url}):
                refresh_global_settings_context()
                yield
        finally:
            prefect.context.GLOBAL_SETTINGS_CONTEXT = previous

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the server and reap it; killed if it outlasts `timeout`."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def embedded_server() -> EmbeddedServer | None:
    """The server a direct run starts for itself; None when PREFECT_API_URL names one already."""
    return None if PREFECT_API_URL.value() else EmbeddedServer()
