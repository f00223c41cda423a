"""Benchmark: importing 1,000,000 incident rows from a French police CSV into SQLite.

Data: a generated export as police software writes it — ``;`` separator, decimal
comma, local times ``dd/mm/yyyy hh:mm`` (Europe/Paris), Lambert-93 x/y, an id column.

Peer: plain pandas on the same file — ``pandas.read_csv(sep=";", decimal=",")``, the
dates parsed with ``pandas.to_datetime(format=...)``, then ``DataFrame.to_sql`` into an
SQLite table (no validation, no time zones, no CRS, no zones, no de-duplication).

gltd: ``gltd.ingest.pipeline.import_file(engine, "incidents", path)`` — the full import
(encoding and delimiter sniffing, per-row validation, Europe/Paris → UTC with DST
checks, Lambert-93 → WGS84, point-in-polygon zones against 3 stored zones, category
mapping, duplicate-id check, one transaction with the unique (source, source_ref) index).
Then :func:`gltd.store.queries.load_events` on the stored rows.

Targets (issue #2): import ≤ 60 s, ``load_events`` ≤ 3 s on this 2-core machine.

Run: ``.venv/bin/python benchmarks/bench_import.py [--n 1000000]``
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from gltd.ingest.pipeline import import_file
from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade
from gltd.store.queries import load_events

ZONES = (
    Path(__file__).resolve().parent.parent / "tests" / "data" / "ingest" / "zones_orleans.geojson"
)


def make_csv(path: Path, n: int, seed: int = 2018) -> None:
    """A French police export of ``n`` incidents around Orléans."""
    rng = np.random.default_rng(seed)
    utc = pd.Timestamp("2016-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 3 * 365 * 1440, n), "min"
    )
    local = utc.tz_convert("Europe/Paris")
    cats = np.array(
        [
            "Trafic de stupéfiants",
            "Usage de stupéfiants",
            "Cambriolages de logement",
            "Point de deal",
        ]
    )
    frame = pd.DataFrame(
        {
            "N° FAIT": np.char.add("DDSP45-", np.arange(n).astype(str)),
            "DATE FAITS": local.strftime("%d/%m/%Y %H:%M"),
            "NATURE": cats[rng.integers(0, len(cats), n)],
            "X": np.char.replace(rng.uniform(612000, 626000, n).round(2).astype(str), ".", ","),
            "Y": np.char.replace(rng.uniform(6745000, 6760000, n).round(2).astype(str), ".", ","),
        }
    )
    frame.to_csv(path, sep=";", index=False, encoding="utf-8")


def peer(path: Path, db: Path) -> float:
    """Plain pandas: read_csv + to_datetime + to_sql."""
    t0 = time.perf_counter()
    df = pd.read_csv(path, sep=";", decimal=",")
    df["DATE FAITS"] = pd.to_datetime(df["DATE FAITS"], format="%d/%m/%Y %H:%M")
    with sqlite3.connect(db) as conn:
        df.to_sql("incident", conn, index=False, chunksize=50_000)
    return time.perf_counter() - t0


def main() -> None:
    """Run both on the same generated file and print the times and their ratio."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        csv = d / "faits.csv"
        t0 = time.perf_counter()
        make_csv(csv, args.n)
        print(
            f"fichier : {args.n:,} lignes, {csv.stat().st_size / 1e6:.0f} Mo "
            f"(généré en {time.perf_counter() - t0:.1f} s)"
        )

        t_peer = peer(csv, d / "peer.db")
        print(f"pandas read_csv + to_sql     : {t_peer:6.1f} s")

        url = f"sqlite:///{d / 'gltd.db'}"
        upgrade(url)
        engine = make_engine(url)
        import_file(engine, "zones", ZONES)
        t0 = time.perf_counter()
        res = import_file(engine, "incidents", csv)
        t_gltd = time.perf_counter() - t0
        assert res.rows_written == args.n, res
        print(
            f"gltd import incidents        : {t_gltd:6.1f} s  "
            f"({res.rows_written:,} lignes écrites ; cible ≤ 60 s)"
        )
        print(f"rapport gltd / pandas        : {t_gltd / t_peer:6.2f}")

        t0 = time.perf_counter()
        again = import_file(engine, "incidents", csv)
        t_again = time.perf_counter() - t0
        assert again.rows_written == 0 and again.rows_existing == args.n
        print(f"réimport (aucun doublon)     : {t_again:6.1f} s")

        t0 = time.perf_counter()
        ev = load_events(engine)
        t_load = time.perf_counter() - t0
        assert ev.n == args.n
        print(f"load_events ({ev.n:,} faits) : {t_load:6.2f} s  (cible ≤ 3 s)")


if __name__ == "__main__":
    main()
