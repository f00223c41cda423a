"""Web app under load: 1,000,000 incidents, 20 concurrent users, real uvicorn on loopback.

Run: ``.venv/bin/python benchmarks/bench_web.py [--n 1000000] [--users 20] [--requests 40]``

1. Builds a SQLite base: the Orléans demo (its registers: cameras, requisitions,
   viewings, operations, actions, camera requests, zones, interventions) topped up to N
   incidents (3 years, 6 categories, in the demo's zones), and one account of the parquet
   (it reads every register).
2. Starts ``gltd serve`` (uvicorn) on a free loopback port in a subprocess.
3. Measures the cold emerging hot-spot layer (cube already built, nothing cached), then
   warms each map layer once (what the first user of the day pays), logs the 20 clients in
   (not measured: argon2 is slow on purpose), and the 20 concurrent clients each make
   a bounded number of requests: the dashboard (varied periods, categories, zones), every
   map layer (density over the 26 weeks of the time slider, Gi*, emerging, zones, cameras,
   interventions) and the register list pages (page 1 and further pages, sorted,
   searched). The load runs twice: a first pass, where each view is computed when a
   user first asks for it, then the same load once warm (the target).
4. Prints p50/p95/max latency per endpoint and pass, the error count, and, as the peer baseline,
   the time of the raw SQL aggregation the dashboard would need for one period without
   gltd's in-memory cube (``SELECT zone_id, count(*) ... GROUP BY zone_id``, twice: the
   period and its reference).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_load import Client, gltd_server, session_cookie  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CATS = [
    "trafic_stupefiants",
    "usage_stupefiants",
    "cambriolages",
    "vols_sans_violence",
    "destructions_degradations",
    "violences_hors_famille",
]


def build(url_path: Path, n: int, seed: int = 0) -> None:
    """The demo base (registers and zones) topped up to n incidents, and one account."""
    import shapely
    from argon2 import PasswordHasher
    from pyproj import Transformer

    from gltd.demo.scenario import build_demo
    from gltd.geo import WGS84
    from gltd.store.engine import make_engine
    from gltd.store.migrate import upgrade
    from gltd.store.zones import load_zones

    url = f"sqlite:///{url_path}"
    upgrade(url)
    engine = make_engine(url)
    build_demo(engine, seed=2018)
    zones = load_zones(engine, crs=WGS84)
    engine.dispose()
    rng = np.random.default_rng(seed)
    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    con = sqlite3.connect(url_path)
    cur = con.cursor()
    cur.execute("INSERT INTO agency (name, kind) VALUES ('Parquet (banc d''essai)', 'parquet')")
    parquet = cur.lastrowid
    cur.execute(
        "INSERT INTO user_account (username, password_hash, agency_id, role, active, created_at) "
        "VALUES ('bench', ?, ?, 'analyste', 1, '2018-01-01 00:00:00.000000')",
        (PasswordHasher().hash("Bench-Password-2018"), parquet),
    )
    (have,) = cur.execute("SELECT count(*) FROM incident").fetchone()
    n = max(0, n - int(have))
    # Points drawn in the bounding boxes of the demo's zones, filed under the zone that
    # contains them (the smallest one when zones overlap), as the importer would.
    geoms = list(zones.geometry)
    ids = [int(i) for i in zones["id"]]
    pick = rng.integers(0, len(geoms), n)
    bounds = np.array([g.bounds for g in geoms])[pick]
    lon = rng.uniform(bounds[:, 0], bounds[:, 2])
    lat = rng.uniform(bounds[:, 1], bounds[:, 3])
    zone = np.full(n, -1)
    for k in np.argsort([-g.area for g in geoms]):
        zone[shapely.contains_xy(geoms[k], lon, lat)] = k
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
            ids[int(zone[i])] if zone[i] >= 0 else None,
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


#: Register list pages (the first page, further pages, sorted, searched).
REGISTERS = [
    "/requisitions",
    "/requisitions?page=3",
    "/requisitions?tri=id&sens=desc&page=2",
    "/requisitions?q=brigade",
    "/cameras",
    "/cameras?page=2",
    "/operations",
    "/operations?page=2",
    "/visionnages",
    "/visionnages?page=2",
    "/demandes",
    "/actions",
]
#: Map layers besides density (varied below): Gi*, emerging, and the fixed layers.
EMERGING_PERIODS = [("2018-03-24", "2018-09-23"), ("2017-09-24", "2018-09-23")]


def kind_of(path: str) -> str:
    """The endpoint a request measures."""
    if path.startswith("/api/map/"):
        return "carte " + path.split("?")[0].rsplit("/", 1)[1]
    if path == "/" or path.startswith("/?"):
        return "tableau de bord"
    return "registres"


def requests_for(user: int, k: int) -> list[str]:
    """The bounded list of requests of one simulated user (varied periods and filters)."""
    weeks = [date(2018, 3, 26) + timedelta(days=7 * i) for i in range(26)]
    out = []
    for i in range(k):
        j = (user * 7 + i) % 26
        slot = i % 5
        if slot == 0:
            cats = "" if i % 4 == 0 else f"&categorie={CATS[(user + i) % 2]}"
            zone = f"&zone={1 + (user + i) % 5}" if i % 3 == 0 else ""
            start = date(2018, 3, 24) - timedelta(days=7 * ((user + i) % 8))
            out.append(f"/?du={start}&au={start + timedelta(days=183)}{cats}{zone}")
        elif slot == 1:
            w = weeks[j]
            cats = "" if i % 3 else f"&categorie={CATS[user % len(CATS)]}"
            out.append(f"/api/map/density?du={w}&au={w + timedelta(days=6)}&cell=250{cats}")
        elif slot == 2:
            out.append(REGISTERS[(user + i) % len(REGISTERS)])
        elif slot == 3:
            a, b = EMERGING_PERIODS[(user + i) % 2]
            layer = ("hotspots", "emerging")[(user + i // 5) % 2]
            out.append(f"/api/map/{layer}?du={a}&au={b}&cell=250")
        else:
            fixed = ("zones", "cameras?du=2018-03-24&au=2018-09-23", "interventions")
            out.append(f"/api/map/{fixed[(user + i) % 3]}")
    return out


def warm_paths() -> list[str]:
    """Each map layer and view the load asks for, once (the first user of the day)."""
    paths = {p for u in range(20) for p in requests_for(u, 40) if p.startswith("/api/map/")}
    return sorted(p for p in paths if "density" not in p)


async def login(client: httpx.AsyncClient) -> None:
    """Log in through the form (retried once or twice if the base is busy)."""
    for attempt in range(5):
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
        if r.status_code == 303:
            return
        why = re.search(r'class="notice[^"]*"[^>]*>([^<]+)<', r.text)
        print(f"connexion refusée ({r.status_code}) : {why.group(1) if why else r.text[:200]}")
        await asyncio.sleep(1 + attempt)
    raise AssertionError("connexion impossible")


async def run_load(base: str, users: int, k: int) -> tuple[dict[str, list[float]], int, float]:
    """All users log in first (argon2 hashing is deliberately slow), then the measured load
    through the light client (:mod:`http_load`: httpx would take as much CPU as the server
    on the same two cores)."""
    lat: dict[str, list[float]] = {}
    errors = 0
    failed: list[str] = []
    logins = [httpx.AsyncClient(base_url=base, timeout=60) for _ in range(users)]
    try:
        # One after the other: logins in progress count against the per-address limit
        # (a parallel brute force is refused), so 20 at once would be throttled.
        for c in logins:
            await login(c)
    finally:
        await asyncio.gather(*(c.aclose() for c in logins))
    host, port = base.removeprefix("http://").rsplit(":", 1)
    clients = [Client(host, int(port), session_cookie(c)) for c in logins]

    async def one(u: int, c: Client) -> None:
        nonlocal errors
        for path in requests_for(u, k):
            t = time.perf_counter()
            r = await c.get(path)
            dt = time.perf_counter() - t
            if r.status != 200:
                errors += 1
                if len(failed) < 5:
                    failed.append(f"{r.status} {path} {r.body[:160]!r}")
            lat.setdefault(kind_of(path), []).append(dt)

    t0 = time.perf_counter()  # the load proper, once every user is logged in
    try:
        await asyncio.gather(*(one(u, c) for u, c in enumerate(clients)))
    finally:
        for c in clients:
            c.close()
    wall = time.perf_counter() - t0
    for line in failed:
        print("  erreur :", line)
    return lat, errors, wall


def pct(v: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(v) * 1000, q))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--db", type=Path, help="base déjà construite par ce script (réutilisée)")
    ap.add_argument(
        "--workers", type=int, default=1, help="processus serveurs (gltd serve --workers)"
    )
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gltd-bench-web-"))
    db = args.db or tmp / "bench.db"
    if args.db is None:
        t = time.perf_counter()
        build(db, args.n)
        print(f"base: {args.n:,} faits en {time.perf_counter() - t:.1f} s ({db})")
    with gltd_server(db, tmp, args=("--workers", str(args.workers))) as (_proc, base):

        async def warm() -> tuple[float, float, float, int]:
            async with httpx.AsyncClient(base_url=base, timeout=300) as c:
                await login(c)
                t0 = time.perf_counter()
                r = await c.get("/?du=2018-03-24&au=2018-09-23")
                assert r.status_code == 200
                cube = time.perf_counter() - t0
                t0 = time.perf_counter()
                a, b = EMERGING_PERIODS[0]
                r = await c.get(f"/api/map/emerging?du={a}&au={b}&cell=250")
                assert r.status_code == 200, r.text[:300]
                cold = time.perf_counter() - t0
                t0 = time.perf_counter()
                bad = 0
                for path in warm_paths():
                    bad += (await c.get(path)).status_code != 200
                return cube, cold, time.perf_counter() - t0, bad

        cube_s, cold_s, warm_s, warm_bad = asyncio.run(warm())
        print(f"premier affichage (construction du cube de {args.n:,} faits) : {cube_s:.2f} s")
        print(f"couche des points chauds émergents à froid (rien en cache) : {cold_s:.2f} s")
        print(
            f"préchauffage des couches ({len(warm_paths())} vues) : {warm_s:.1f} s, erreurs : {warm_bad}"
        )
        # First pass: each view (period × categories × zone, week of the slider, register
        # page) is computed when a user first asks for it, under the load of the others.
        first, first_errors, first_wall = asyncio.run(run_load(base, args.users, args.requests))
        # The same load once warm (every view computed once: the target of the issue).
        lat, errors, wall = asyncio.run(run_load(base, args.users, args.requests))
    errors += warm_bad + first_errors

    def report(title: str, lat: dict[str, list[float]], wall: float) -> None:
        n_req = sum(len(v) for v in lat.values())
        print(f"{title} : {args.users} utilisateurs simultanés, {n_req} requêtes en {wall:.1f} s "
              f"({n_req / wall:.0f} req/s)")  # fmt: skip
        for name, v in sorted(lat.items()):
            print(f"  {name:22s} n={len(v):4d}  p50={pct(v, 50):6.1f} ms  "
                  f"p95={pct(v, 95):6.1f} ms  max={pct(v, 100):6.1f} ms")  # fmt: skip

    report("premier passage (chaque vue calculée à sa première demande)", first, first_wall)
    report("une fois chaud (chaque vue déjà calculée une fois)", lat, wall)
    print(f"erreurs : {errors}")
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
        "objectif p95 <= 300 ms (chaque point d'accès), émergents à froid <= 5 s, 0 erreur :",
        "atteint" if p95 <= 300 and cold_s <= 5 and errors == 0 else "NON atteint",
    )


if __name__ == "__main__":
    main()
