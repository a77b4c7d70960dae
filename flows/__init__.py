"""The Prefect layer: parameters, thin tasks, the flow, its report and its deployments."""

import os

# Set before any module of this package imports Prefect: a cold ephemeral server migrates SQLite for ~26 s, past the
# 20 s default, and its telemetry writes only add `database is locked` noise.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
