"""Benchmark: offline geocoding on a Loiret-sized synthetic BAN index (~330,000 addresses).

Builds the index from a synthetic ``adresses-45.csv.gz`` in the real BAN layout
(:func:`gltd.geocode.synthetic.departement_extract`: 325 communes, homonymous streets
across them, postcodes shared by about five communes), then geocodes police-style
queries (:func:`gltd.geocode.synthetic.police_queries`) on one process. Seed 1 is the
set the matcher was tuned on; seeds 2 and 3 were held out and are the reported figures.

Targets (issue 16): build ≤ 30 s; ≥ 500 addresses/s; correct street ≥ 97 %; a point on
a wrong street ≤ 1 %; exact house number ≥ 95 % where the number exists.

addok (the engine of the national address API) is printed side by side when the
``addok`` package and a Redis server are available; otherwise the script says so.

Run: ``.venv/bin/python benchmarks/bench_geocode.py [--n 330000] [--queries 3000] [--db URL]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from gltd.geocode.addok_engine import available as addok_available
from gltd.geocode.index import build_index
from gltd.geocode.match import Geocoder
from gltd.geocode.synthetic import (
    answer_queries,
    departement_extract,
    police_queries,
    score_answers,
    write_ban_csv,
)
from gltd.store.engine import get_engine
from gltd.store.migrate import upgrade


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=330_000, help="addresses in the extract")
    ap.add_argument("--queries", type=int, default=3_000, help="queries per seed")
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--addok-queries", type=int, default=1_000, help="queries per seed for addok")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        rows = departement_extract(n_addresses=args.n)
        path = write_ban_csv(rows, Path(tmp) / "adresses-45.csv.gz")
        print(
            f"extract: {len(rows):,} addresses, {path.stat().st_size / 1e6:.1f} MB gzip "
            f"(generated in {time.perf_counter() - t:.1f} s)"
        )
        url = args.db or f"sqlite:///{Path(tmp) / 'gltd.db'}"
        upgrade(url)
        engine = get_engine(url)
        built = build_index(engine, [path])
        print(f"build: {built.seconds:.1f} s (target ≤ 30 s), {engine.dialect.name}")
        again = build_index(engine, [path])
        print(
            f"rebuild of the same file: {again.seconds:.2f} s, unchanged={again.files[0].unchanged}"
        )
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:  # fold the write-ahead log into the file
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            size = (Path(tmp) / "gltd.db").stat().st_size
            print(f"database file: {size / 1e6:.0f} MB ({size / len(rows):.0f} bytes/address)")
        print()
        print(
            f"{'set':<22} {'n':>5} {'addr/s':>7} {'street ok':>10} {'wrong':>7} {'number':>7} {'refusals kept':>14}"
        )
        for seed, name in (
            (1, "tuning (seed 1)"),
            (2, "held out (seed 2)"),
            (3, "held out (seed 3)"),
        ):
            with Geocoder(engine) as g:
                print_scores(name, g, police_queries(rows, n=args.queries, seed=seed))
        if not addok_available():
            print(
                "\naddok: not installed (pip install 'gltd[addok]' and a Redis server to compare)"
            )
            return
        bench_addok(path, rows, tmp, args.addok_queries)


def print_scores(name: str, geocoder: Any, queries: list) -> None:
    """One row of the table: the queries answered by ``geocoder`` (timed), then scored."""
    t = time.perf_counter()
    res = answer_queries(geocoder, queries)
    dt = time.perf_counter() - t
    s = score_answers(queries, res)
    print(
        f"{name:<22} {s.n:>5} {s.n / dt:>7.0f} {s.correct_street:>10.1%} "
        f"{s.wrong_street:>7.2%} {s.exact_number:>7.1%} {s.refused_ok:>14.1%}"
    )


def bench_addok(path: Path, rows: list, tmp: str, n_queries: int) -> None:
    """The same extract and queries through addok, on a private redis-server."""
    server = shutil.which("redis-server")
    if server is None:
        print("\naddok: redis-server not found")
        return
    sock = str(Path(tmp) / "redis.sock")
    proc = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", sock, "--save", "", "--dir", tmp],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if Path(sock).exists():
                break
            time.sleep(0.05)
        os.environ["REDIS_SOCKET"] = sock
        from gltd.geocode.addok_engine import AddokGeocoder, index_files

        t = time.perf_counter()
        n = index_files([path])
        print(f"\naddok build: {time.perf_counter() - t:.1f} s ({n:,} streets, one process)")
        g = AddokGeocoder()
        for seed, name in ((2, "addok held out (2)"), (3, "addok held out (3)")):
            print_scores(name, g, police_queries(rows, n=n_queries, seed=seed))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
