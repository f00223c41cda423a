"""Benchmark: the requisition register's status filters on 100,000 requisitions.

Data: 100,000 requisitions over five years, as a register reads after years of use:
those received more than 45 days ago are closed (80 % remise, 13 % hors délai, 7 % sans
objet), the recent ones half open (reçue, en cours); each has a deadline 5 to 30 days
after its receipt.

Measured, through the code the pages run (:func:`gltd.web.registers.listing.fetch_page`
on the register's :data:`~gltd.web.registers.lists_cctv.REQUISITIONS` listing, i.e. the
count of the filtered view and its first page of 50 rows), and the dashboard's
:func:`gltd.cctv.requisitions.deadline_alerts`:

- « Statut : reçue » (``?statut=recue``), sorted by reception date (the default);
- « Échéance dépassée » and « Toutes les réquisitions ouvertes » (``?echeance=…``);
- the list sorted by status (``?tri=status_label``);

first without an index on ``requisition.status`` (migration 0006), then with the
index of migration 0007 (``status, deadline``). Each figure is the median of 7 runs.

Run: ``.venv/bin/python benchmarks/bench_requisition_status.py [--n 100000] [--db-url URL]``
(by default a temporary SQLite file; ``--db-url`` an empty PostgreSQL database).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from alembic import command
from sqlalchemy import Engine, insert

from gltd.cctv.requisitions import deadline_alerts
from gltd.model import Requisition
from gltd.store.engine import make_engine
from gltd.store.migrate import alembic_config, upgrade
from gltd.web.registers.listing import fetch_page, parse_query
from gltd.web.registers.lists_cctv import REQUISITIONS

CLOSED, CLOSED_SHARES = ("remise", "hors_delai", "sans_objet"), (0.80, 0.13, 0.07)
RECENT, RECENT_SHARES = ("recue", "en_cours", "remise", "sans_objet"), (0.25, 0.25, 0.4, 0.1)
RECENT_DAYS = 45
NOW = datetime(2018, 9, 24, 12, 0, tzinfo=UTC)
VIEWS = {
    "statut=recue": {"statut": "recue"},
    "echeance=depasse": {"echeance": "depasse"},
    "echeance=ouverte": {"echeance": "ouverte"},
    "tri=status_label": {"tri": "status_label", "sens": "asc"},
}


def fill(engine: Engine, n: int, seed: int = 2018) -> None:
    """``n`` requisitions received over the five years before :data:`NOW`."""
    rng = np.random.default_rng(seed)
    minutes = rng.integers(0, 5 * 365 * 1440, n)
    closed = rng.choice(CLOSED, n, p=CLOSED_SHARES)
    recent = rng.choice(RECENT, n, p=RECENT_SHARES)
    delays = rng.integers(5, 31, n)
    first = NOW - timedelta(days=5 * 365)
    rows = []
    for i in range(n):
        received = first + timedelta(minutes=int(minutes[i]))
        status = recent[i] if NOW - received < timedelta(days=RECENT_DAYS) else closed[i]
        rows.append(
            {
                "received_at": received,
                "requesting_unit": f"Unité {i % 40}",
                "legal_basis": "77-1-1",
                "period_start": received - timedelta(days=1),
                "period_end": received - timedelta(hours=12),
                "deadline": received + timedelta(days=int(delays[i])),
                "status": str(status),
                "source": "bench",
                "source_ref": str(i),
            }
        )
    with engine.begin() as conn:
        for k in range(0, n, 10_000):
            conn.execute(insert(Requisition), rows[k : k + 10_000])


def median_ms(fn: Callable[[], object], runs: int = 7) -> float:
    """The median wall time of ``fn`` in milliseconds (after one warm-up run)."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure(engine: Engine) -> dict[str, float]:
    """Each view's count and first page, and the dashboard's alerts (ms)."""
    out = {}
    for name, params in VIEWS.items():
        query = parse_query(REQUISITIONS, params)
        out[name] = median_ms(lambda q=query: fetch_page(engine, REQUISITIONS, q, NOW))
    out["deadline_alerts (tableau de bord)"] = median_ms(
        lambda: deadline_alerts(engine, within=timedelta(days=7), now=NOW), runs=3
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--db-url", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url, "0006")
        engine = make_engine(url)
        t0 = time.perf_counter()
        fill(engine, args.n)
        print(
            f"{args.n} réquisitions insérées en {time.perf_counter() - t0:.1f} s ({url.split(':')[0]})"
        )
        before = measure(engine)
        engine.dispose()
        upgrade(url, "0007")
        engine = make_engine(url)
        after = measure(engine)
        engine.dispose()
        command.downgrade(alembic_config(url), "0006")  # a given database as it was
    print(f"{'vue':36} {'sans index':>12} {'avec index':>12}")
    for name in before:
        print(f"{name:36} {before[name]:10.1f} ms {after[name]:10.1f} ms")


if __name__ == "__main__":
    main()
