"""An import killed with SIGKILL half-way through writing leaves the database unchanged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.store.engine import make_engine

ROWS = 250_000
GLTD = str(Path(sys.executable).parent / "gltd")


def _big_csv(path: Path) -> None:
    rng = np.random.default_rng(1)
    t = pd.Timestamp("2017-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 3 * 365 * 1440, ROWS), "min"
    )
    t = t.tz_convert("Europe/Paris")  # real local times (none in the spring DST gap)
    pd.DataFrame(
        {
            "id": np.char.add("K", np.arange(ROWS).astype(str)),
            "date": t.strftime("%d/%m/%Y %H:%M"),
            "category": rng.choice(
                ["trafic_stupefiants", "usage_stupefiants", "cambriolages"], ROWS
            ),
            "x": rng.uniform(610000, 625000, ROWS).round(1),
            "y": rng.uniform(6745000, 6760000, ROWS).round(1),
        }
    ).to_csv(path, sep=";", index=False)


def _counts(db_url: str) -> tuple[int, int]:
    with make_engine(db_url).connect() as conn:
        inc = conn.execute(text("SELECT COUNT(*) FROM incident")).scalar_one()
        bat = conn.execute(text("SELECT COUNT(*) FROM import_batch")).scalar_one()
    return int(inc), int(bat)


def _writing_started(db_url: str) -> bool:
    """True once the import is inside its write transaction."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        wal = Path(f"{url.database}-wal")
        return wal.exists() and wal.stat().st_size > 8 * 1024 * 1024
    with make_engine(db_url).connect() as conn:
        n = conn.execute(
            text(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND query LIKE 'COPY \"incident\"%'"
            )
        ).scalar_one()
    return bool(n)


@pytest.mark.slow
def test_sigkill_half_way_leaves_the_database_unchanged(db_url: str, tmp_path: Path) -> None:
    data = Path(__file__).parent.parent / "data" / "ingest"
    small = data / "faits_police_fr.csv"
    for kind, f in (("zones", data / "zones_orleans.geojson"), ("incidents", small)):
        r = CliRunner().invoke(app, ["import", kind, str(f), "--db", db_url])
        assert r.exit_code == 0, r.output
    before = _counts(db_url)
    assert before == (5, 2)
    big = tmp_path / "gros.csv"
    _big_csv(big)
    proc = subprocess.Popen(
        [GLTD, "import", "incidents", str(big), "--db", db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "200"},
    )
    deadline = time.monotonic() + 240
    try:
        while not _writing_started(db_url):
            assert proc.poll() is None, (
                "the import ended before it could be killed: " + proc.stdout.read().decode()  # type: ignore[union-attr]
            )
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.05)
        if make_url(db_url).get_backend_name() == "postgresql":
            time.sleep(0.5)  # well inside the COPY
        assert proc.poll() is None, "the import finished before the kill"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    if make_url(db_url).get_backend_name() == "postgresql":
        time.sleep(1.0)  # let the server notice the dead client and roll back
    assert _counts(db_url) == before
    from sqlalchemy import inspect

    # The import drops and rebuilds plain indexes inside its transaction on SQLite:
    # after the kill they must all be back.
    names = {ix["name"] for ix in inspect(make_engine(db_url)).get_indexes("incident")}
    assert {"ix_incident_time", "ix_incident_cat_time", "ix_incident_zone"} <= names
    with make_engine(db_url).connect() as conn:
        if make_url(db_url).get_backend_name() == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        else:
            rows = conn.execute(
                text("SELECT COUNT(*) FROM incident WHERE source = 'gros'")
            ).scalar_one()
            assert rows == 0
    # The store still works: the same small file re-imports as "already there".
    r = CliRunner().invoke(app, ["import", "incidents", str(small), "--db", db_url])
    assert r.exit_code == 0 and "5 déjà présente(s)" in " ".join(r.output.split())
