"""Web app under load: 1,000,000 incidents, 20 concurrent users, real uvicorn on loopback.

Run: ``.venv/bin/python benchmarks/bench_web.py [--n 1000000] [--users 20] [--requests 30]``

1. Builds a SQLite base with N incidents (3 years, 6 categories, 5 zones), one account.
2. Starts ``gltd serve`` (uvicorn) on a free loopback port in a subprocess.
3. Logs the 20 clients in (not measured: argon2 is slow on purpose), then the 20
   concurrent httpx clients each make a bounded number of requests,
   alternating the dashboard page and the map density API over varied periods (the
   26 weeks of the time slider, 6 months, whole periods) and categories.
4. Prints p50/p95/max latency per endpoint, the error count, and, as the peer baseline,
   the time of the raw SQL aggregation the dashboard would need for one period without
   gltd's in-memory cube (``SELECT zone_id, count(*) ... GROUP BY zone_id``, twice: the
   period and its reference).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ZONES = [  # (name, lon0, lat0) squares of about 1 km in Orléans
    ("Les Carmes", 1.895, 47.898),
    ("La Source", 1.925, 47.828),
    ("L'Argonne", 1.928, 47.910),
    ("Centre", 1.905, 47.900),
    ("Saint-Marceau", 1.905, 47.885),
]
CATS = [
    "trafic_stupefiants",
    "usage_stupefiants",
    "cambriolages",
    "vols_sans_violence",
    "destructions_degradations",
    "violences_hors_famille",
]


def build(url_path: Path, n: int, seed: int = 0) -> None:
    """A migrated SQLite base with n incidents, zones, one agency and one account."""
    from argon2 import PasswordHasher
    from pyproj import Transformer

    from gltd.store.migrate import upgrade

    upgrade(f"sqlite:///{url_path}")
    rng = np.random.default_rng(seed)
    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    con = sqlite3.connect(url_path)
    cur = con.cursor()
    for i, (name, lon, lat) in enumerate(ZONES, start=1):
        wkt = f"POLYGON(({lon} {lat}, {lon + 0.013} {lat}, {lon + 0.013} {lat + 0.009}, {lon} {lat + 0.009}, {lon} {lat}))"
        cur.execute(
            "INSERT INTO zone (id, name, kind, geometry_wkt, illustrative) VALUES (?,?,?,?,1)",
            (i, name, "quartier", wkt),
        )
    cur.execute("INSERT INTO agency (id, name, kind) VALUES (1, 'DDSP du Loiret', 'police')")
    cur.execute(
        "INSERT INTO user_account (username, password_hash, agency_id, role, active, created_at) "
        "VALUES ('bench', ?, 1, 'analyste', 1, '2018-01-01 00:00:00.000000')",
        (PasswordHasher().hash("Bench-Password-2018"),),
    )
    zone = rng.integers(0, len(ZONES), n)
    lon = np.array([ZONES[z][1] for z in zone]) + rng.uniform(0, 0.013, n)
    lat = np.array([ZONES[z][2] for z in zone]) + rng.uniform(0, 0.009, n)
    x, y = to_l93.transform(lon, lat)
    t0 = datetime(2016, 1, 1, tzinfo=UTC).timestamp()
    secs = rng.uniform(0, 3 * 365.25 * 86400, n)
    cat = rng.integers(0, len(CATS), n)
    rows = (
        (
            datetime.fromtimestamp(t0 + float(secs[i]), UTC).strftime("%Y-%m-%d %H:%M:%S.000000"),
            CATS[int(cat[i])],
            float(lon[i]),
            float(lat[i]),
            float(x[i]),
            float(y[i]),
            int(zone[i]) + 1,
            "bench",
            str(i),
        )
        for i in range(n)
    )
    cur.executemany(
        "INSERT INTO incident (occurred_at, date_only, category, lon, lat, x, y, zone_id, source, source_ref) "
        "VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    con.commit()
    con.close()


def sql_baseline(db: Path, repeats: int = 5) -> float:
    """Median seconds of the raw SQL aggregation for one dashboard (period + reference)."""
    con = sqlite3.connect(db)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for a, b in (("2018-03-24", "2018-09-24"), ("2017-03-24", "2017-09-24")):
            con.execute(
                "SELECT zone_id, count(*) FROM incident WHERE occurred_at >= ? AND occurred_at < ? "
                "GROUP BY zone_id",
                (a, b),
            ).fetchall()
        times.append(time.perf_counter() - t)
    con.close()
    return statistics.median(times)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def requests_for(user: int, k: int) -> list[str]:
    """The bounded list of requests of one simulated user (varied periods and filters)."""
    weeks = [date(2018, 3, 26) + timedelta(days=7 * i) for i in range(26)]
    out = []
    for i in range(k):
        j = (user * 7 + i) % 26
        if i % 2 == 0:
            cats = "" if i % 4 == 0 else f"&categorie={CATS[(user + i) % 2]}"
            start = date(2018, 3, 24) - timedelta(days=7 * ((user + i) % 8))
            out.append(f"/?du={start}&au={start + timedelta(days=183)}{cats}")
        else:
            w = weeks[j]
            cats = "" if i % 3 else f"&categorie={CATS[user % len(CATS)]}"
            out.append(f"/api/map/density?du={w}&au={w + timedelta(days=6)}&cell=250{cats}")
    return out


async def login(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert token
    r = await client.post(
        "/login",
        data={
            "username": "bench",
            "password": "Bench-Password-2018",
            "csrf_token": token.group(1),
            "next": "/",
        },
    )
    assert r.status_code == 303, r.text[:300]


async def run_load(base: str, users: int, k: int) -> tuple[dict[str, list[float]], int]:
    """All users log in first (argon2 hashing is deliberately slow), then the measured load."""
    lat: dict[str, list[float]] = {"dashboard": [], "map": []}
    errors = 0
    clients = [httpx.AsyncClient(base_url=base, timeout=60) for _ in range(users)]
    try:
        await asyncio.gather(*(login(c) for c in clients))

        async def one(u: int, c: httpx.AsyncClient) -> None:
            nonlocal errors
            for path in requests_for(u, k):
                t = time.perf_counter()
                r = await c.get(path)
                dt = time.perf_counter() - t
                if r.status_code != 200:
                    errors += 1
                lat["map" if path.startswith("/api/map") else "dashboard"].append(dt)

        await asyncio.gather(*(one(u, c) for u, c in enumerate(clients)))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return lat, errors


def pct(v: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(v) * 1000, q))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--requests", type=int, default=30)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gltd-bench-web-"))
    db = tmp / "bench.db"
    t = time.perf_counter()
    build(db, args.n)
    print(f"base: {args.n:,} faits en {time.perf_counter() - t:.1f} s ({db})")
    port = free_port()
    env = {**os.environ, "GLTD_RESULTS_DIR": str(tmp / "results"), "GLTD_ENV": "development"}
    gltd = str(Path(sys.executable).parent / "gltd")
    proc = subprocess.Popen(
        [gltd, "serve", "--db", f"sqlite:///{db}", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)

        async def warm() -> float:
            async with httpx.AsyncClient(base_url=base, timeout=120) as c:
                await login(c)
                t0 = time.perf_counter()
                r = await c.get("/?du=2018-03-24&au=2018-09-23")
                assert r.status_code == 200
                return time.perf_counter() - t0

        cold = asyncio.run(warm())
        print(f"premier affichage (construction du cube de {args.n:,} faits) : {cold:.2f} s")
        t = time.perf_counter()
        lat, errors = asyncio.run(run_load(base, args.users, args.requests))
        wall = time.perf_counter() - t
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    n_req = sum(len(v) for v in lat.values())
    print(
        f"{args.users} utilisateurs simultanés, {n_req} requêtes en {wall:.1f} s "
        f"({n_req / wall:.0f} req/s), erreurs : {errors}"
    )
    for name, v in lat.items():
        print(
            f"  {name:9s} n={len(v):4d}  p50={pct(v, 50):6.1f} ms  p95={pct(v, 95):6.1f} ms  max={pct(v, 100):6.1f} ms"
        )
    base_sql = sql_baseline(db)
    p95 = max(pct(v, 95) for v in lat.values())
    print(
        f"pair : SQL brut (GROUP BY zone, période + référence, SQLite, 1 requête à la fois) : "
        f"{base_sql * 1000:.0f} ms"
    )
    print(
        f"rapport SQL brut / p95 gltd sous charge (20 utilisateurs) : {base_sql * 1000 / p95:.1f}"
    )
    print(
        "objectif p95 <= 300 ms et 0 erreur :",
        "atteint" if p95 <= 300 and errors == 0 else "NON atteint",
    )


if __name__ == "__main__":
    main()
