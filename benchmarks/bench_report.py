"""Bilan on a database of 1,000,000 incidents: JSON and PDF times, next to pandas.

The database is the Orléans demo plus extra incidents written with Core bulk inserts
(uniform over the commune, 2011–2018, drug and other categories). The peer is a plain
pandas group-by of the same per-zone, per-category counts for the two periods (read
with ``pandas.read_sql``) — the part of the bilan a hand-made script would do.

Run: ``.venv/bin/python benchmarks/bench_report.py [--n 1000000] [--db PATH]``.
Targets (issue #3): JSON ≤ 15 s, PDF ≤ 30 s; issue #14: the press edition (two pages, the
same computation, its own template) ≤ 15 s from the database to the PDF.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, insert, select

from gltd.demo.geography import REST_NAME, ZONES, assign_zones, inside_commune, to_metric
from gltd.demo.scenario import build_demo
from gltd.model import Incident, Zone
from gltd.report.builder import build_bilan, resolve_compare
from gltd.report.render import write_report
from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade
from gltd.timeutil import parse_period

CATS = np.array(
    [
        "trafic_stupefiants",
        "usage_stupefiants",
        "point_de_deal",
        "cambriolages",
        "vols_dans_vehicules",
        "destructions_degradations",
        "violences_hors_famille",
        "vols_sans_violence",
    ],
    dtype=object,
)


def fill(url: str, n_total: int, seed: int = 1) -> None:
    """Demo + uniform extra incidents up to ``n_total`` rows."""
    upgrade(url)
    engine = make_engine(url)
    build_demo(engine, seed=2018)
    with engine.connect() as conn:
        have = int(conn.execute(select(func.count()).select_from(Incident)).scalar_one())
        ids = dict(conn.execute(select(Zone.name, Zone.id)).all())
    names = [z.name for z in ZONES] + [REST_NAME]
    rng = np.random.default_rng(seed)
    t0 = datetime(2011, 1, 1, tzinfo=UTC).timestamp()
    t1 = datetime(2018, 9, 24, 22, tzinfo=UTC).timestamp()
    todo = n_total - have
    chunk = 100_000
    k = 0
    while todo > 0:
        m = min(chunk, todo)
        lon = rng.uniform(1.872, 1.962, m * 2)
        lat = rng.uniform(47.815, 47.937, m * 2)
        keep = inside_commune(lon, lat)
        lon, lat = lon[keep][:m], lat[keep][:m]
        m = len(lon)
        x, y = to_metric(lon, lat)
        zid = [ids[names[i]] for i in assign_zones(lon, lat)]
        ts = rng.uniform(t0, t1, m)
        cat = CATS[rng.integers(0, len(CATS), m)]
        rows = [
            {
                "occurred_at": datetime.fromtimestamp(float(ts[i]), tz=UTC),
                "category": str(cat[i]),
                "lon": float(lon[i]),
                "lat": float(lat[i]),
                "x": float(x[i]),
                "y": float(y[i]),
                "zone_id": zid[i],
                "source": "bench",
                "source_ref": f"B{k + i}",
                "date_only": False,
            }
            for i in range(m)
        ]
        with engine.begin() as conn:
            conn.execute(insert(Incident), rows)
        k += m
        todo -= m
    engine.dispose()


def pandas_peer(url: str, period: object, ref: object) -> tuple[float, pd.Series]:
    """Per-zone, per-category counts of both periods with pandas (the peer)."""
    engine = make_engine(url)
    t = time.perf_counter()
    out = []
    for p in (period, ref):
        frame = pd.read_sql(
            select(Incident.zone_id, Incident.category).where(
                Incident.occurred_at >= p.start,  # type: ignore[attr-defined]
                Incident.occurred_at < p.end,  # type: ignore[attr-defined]
            ),
            engine,
        )
        out.append(frame.groupby(["zone_id", "category"]).size())
    return time.perf_counter() - t, out[0]


def open_database() -> tuple[str, Engine, int]:
    """The benchmark database of ``--db`` (built with ``--n`` incidents when absent, by
    :func:`fill`): its URL, an engine and its number of incidents. Shared by the bilan and
    the printable map benchmarks."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "gltd_bench_report.db"))
    args = ap.parse_args()
    url = f"sqlite:///{args.db}"
    if not Path(args.db).exists():
        t = time.perf_counter()
        fill(url, args.n)
        print(f"base générée ({args.n:,} faits) en {time.perf_counter() - t:.1f} s : {args.db}")
    engine = make_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(select(func.count()).select_from(Incident)).scalar_one())
    return url, engine, n


def main() -> None:
    """Build the database if needed, then time the bilan and the peer."""
    url, engine, n = open_database()
    period = parse_period("2018-03-24..2018-09-24")
    ref, kind = resolve_compare(period, "previous-year")
    out = Path(tempfile.gettempdir())
    t = time.perf_counter()
    bilan = build_bilan(engine, period, ref, compare_kind=kind)
    write_report(bilan, "json", out / "bench_bilan.json")
    t_json = time.perf_counter() - t
    t = time.perf_counter()
    bilan = build_bilan(engine, period, ref, compare_kind=kind)
    write_report(bilan, "pdf", out / "bench_bilan.pdf")
    t_pdf = time.perf_counter() - t
    t, cpu = time.perf_counter(), time.process_time()
    bilan = build_bilan(engine, period, ref, compare_kind=kind)
    t_press_build = time.perf_counter() - t
    write_report(bilan, "pdf", out / "bench_bilan_presse.pdf", edition="presse")
    t_press = time.perf_counter() - t
    cpu_press = time.process_time() - cpu
    t_peer, counts = pandas_peer(url, period, ref)
    got = sum(r["test"]["count"] for r in bilan["incidents"]["by_zone"])
    want = int(
        counts[counts.index.get_level_values(1).isin(bilan["incidents"]["categories"])].sum()
    )
    print(f"faits dans la base : {n:,}")
    print(f"{'tâche':<48}{'gltd (s)':>10}{'pandas (s)':>12}")
    print(f"{'comptes par zone et catégorie (2 périodes)':<48}{'—':>10}{t_peer:>12.2f}")
    print(f"{'bilan complet JSON (cible ≤ 15 s)':<48}{t_json:>10.2f}{'':>12}")
    print(f"{'bilan complet PDF (cible ≤ 30 s)':<48}{t_pdf:>10.2f}{'':>12}")
    print(f"{'édition presse PDF (cible ≤ 15 s)':<48}{t_press:>10.2f}{'':>12}")
    print(f"{'  dont calcul du bilan':<48}{t_press_build:>10.2f}{'':>12}")
    print(f"{'  temps processeur (machine chargée : repère)':<48}{cpu_press:>10.2f}{'':>12}")
    print(f"charge moyenne (1 min) : {os.getloadavg()[0]:.1f} sur {os.cpu_count()} cœurs")
    print(f"ratio bilan JSON / comptes pandas seuls : {t_json / t_peer:.1f}")
    print(f"mêmes comptes (zones × catégories drogue) : {got == want} ({got} / {want})")


if __name__ == "__main__":
    main()
