"""`spec-audit dashboard`: serve the auditor dashboards over the published snapshot."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from spec_audit import config
from spec_audit.cli.options import DbOption
from spec_audit.errors import UserError
from spec_audit.snapshot import snapshot_path

APP = Path(__file__).resolve().parent.parent.parent / "dashboards" / "app.py"


def dashboard(
    db: DbOption = None,
    port: Annotated[
        int, typer.Option("--port", help="Port to serve the dashboards on.", min=1, max=65535)
    ] = 8501,
) -> None:
    """Serve the Streamlit dashboards over the snapshot `spec-audit run` published.

    Example: spec-audit dashboard --db data/audit.duckdb --port 8501
    """
    path = config.db_path(db).resolve()
    snapshot = snapshot_path(path)
    if not snapshot.exists():
        raise UserError(f"{snapshot}: no published snapshot yet; run `spec-audit run` first")
    print(f"spec-audit dashboard: {snapshot} at http://localhost:{port}", flush=True)
    env = {**os.environ, "SPEC_AUDIT_DB": str(path), "SPEC_AUDIT_SNAPSHOT": str(snapshot)}
    argv = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    # Replace this process with Streamlit's, so stopping the command stops the server.
    os.execve(sys.executable, argv, env)
