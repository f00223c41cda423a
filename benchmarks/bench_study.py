"""Relevance study benchmark: a study PDF on 1,000,000 incidents (target ≤ 10 s).

The incidents (three years and a half, clustered, 6 categories) are written straight into
a SQLite file with SQLAlchemy Core bulk inserts, with 200 cameras and 500 requisitions.
Then ``relevance_study`` runs (load, counts, trend tests, city percentile, Gi*, coverage,
requisitions) and the French PDF is printed by WeasyPrint. The peer is a plain pandas
reading of the same rows (``pd.read_sql``), to show what the loading alone costs.

Run: ``.venv/bin/python benchmarks/bench_study.py [N]``
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from gltd.cctv._common import to_lonlat, to_metric
from sqlalchemy import insert

from gltd.cctv.study import relevance_study
from gltd.cctv.study_render import write_study
from gltd.model import Camera, Incident, Requisition, Zone, requisition_camera
from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade

CATS = ("trafic_stupefiants", "usage_stupefiants", "cambriolages", "vols_dans_vehicules",
        "destructions_degradations", "vols_sans_violence")  # fmt: skip
CITY = "POLYGON((1.85 47.81, 1.97 47.81, 1.97 47.94, 1.85 47.94, 1.85 47.81))"


def populate(url: str, n: int) -> None:
    engine = make_engine(url)
    rng = np.random.default_rng(2018)
    x0, y0 = to_metric(1.86, 47.82)
    x1, y1 = to_metric(1.96, 47.93)
    centres = np.column_stack([rng.uniform(x0, x1, 60), rng.uniform(y0, y1, 60)])
    k = int(0.6 * n)
    xy = np.vstack([
        centres[rng.integers(0, 60, k)] + rng.normal(0, 150, (k, 2)),
        np.column_stack([rng.uniform(x0, x1, n - k), rng.uniform(y0, y1, n - k)]),
    ])  # fmt: skip
    t0 = datetime(2015, 3, 1, tzinfo=UTC).timestamp()
    t1 = datetime(2018, 9, 24, tzinfo=UTC).timestamp()
    ts = rng.uniform(t0, t1, n)
    cats = rng.choice(CATS, n)
    with engine.begin() as conn:
        conn.execute(insert(Zone), [{"name": "Ville", "kind": "commune", "geometry_wkt": CITY}])
        chunk = 100_000
        for a in range(0, n, chunk):
            rows = [
                {"occurred_at": datetime.fromtimestamp(float(ts[i]), tz=UTC),
                 "category": str(cats[i]), "x": float(xy[i, 0]), "y": float(xy[i, 1]),
                 "source": "bench", "source_ref": str(i), "date_only": False}
                for i in range(a, min(n, a + chunk))
            ]  # fmt: skip
            conn.execute(insert(Incident), rows)
        cams = []
        for j in range(200):
            cx, cy = centres[j % 60] + rng.normal(0, 200, 2)
            lon, lat = to_lonlat(cx, cy)
            cams.append({"code": f"C{j:03d}", "lon": lon, "lat": lat, "x": cx, "y": cy,
                         "heading_deg": None, "field_angle_deg": 360.0, "range_m": 60.0,
                         "hd": bool(j % 2), "annual_cost_eur": 750.0, "retention_days": 15})  # fmt: skip
        conn.execute(insert(Camera), cams)
        reqs = []
        for r in range(500):
            rec = datetime(2016, 1, 1, tzinfo=UTC) + timedelta(days=float(rng.uniform(0, 990)))
            reqs.append({"received_at": rec, "requesting_unit": "SD", "legal_basis": "60-1",
                         "period_start": rec - timedelta(days=2), "period_end": rec - timedelta(days=1),
                         "deadline": rec + timedelta(days=13), "status": "remise",
                         "source": "bench", "source_ref": str(r), "outcome": "utile"})  # fmt: skip
        conn.execute(insert(Requisition), reqs)
        conn.execute(
            insert(requisition_camera),
            [{"requisition_id": r + 1, "camera_id": int(rng.integers(1, 201))} for r in range(500)],
        )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        t0 = time.perf_counter()
        populate(url, n)
        print(f"generated {n:,} incidents in SQLite in {time.perf_counter() - t0:.1f} s")
        engine = make_engine(url)
        lon, lat = 1.905, 47.902
        t0 = time.perf_counter()
        res = relevance_study(engine, lat=lat, lon=lon, radius=100, as_of=date(2018, 9, 24))
        t_study = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_study(res, "pdf", Path(tmp) / "etude.pdf")
        t_pdf = time.perf_counter() - t0
        print(
            f"study {t_study:.2f} s + PDF {t_pdf:.2f} s = {t_study + t_pdf:.2f} s "
            f"(target ≤ 10 s); {res['incidents']['total']} facts at the site, "
            f"percentile {res['rank']['percentile']}, {res['conclusion']['label']}"
        )
        import pandas as pd
        from sqlalchemy import text

        t0 = time.perf_counter()
        with engine.connect() as conn:
            df = pd.read_sql(text("SELECT x, y, occurred_at, category FROM incident "
                                  "WHERE occurred_at >= '2015-09-24'"), conn)  # fmt: skip
        t_peer = time.perf_counter() - t0
        print(
            f"  peer: pandas read_sql of the same three years ({len(df):,} rows) {t_peer:.2f} s; "
            f"whole study / plain load = {(t_study + t_pdf) / t_peer:.1f}×"
        )


if __name__ == "__main__":
    main()
