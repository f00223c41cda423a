"""Basemap tiles under load: 20 concurrent map users on a real uvicorn, on loopback.

Run: ``.venv/bin/python benchmarks/bench_tiles.py [--users 20] [--views 12] [--parallel 6]``

1. Builds a migrated SQLite base with one account, and the demo's illustrative basemap
   (raster MBTiles, zooms 12 to 16, about 1,100 PNG tiles) — or ``--mbtiles FILE``.
2. Starts ``gltd serve`` (uvicorn) with ``GLTD_BASEMAP`` on a free loopback port.
3. Logs the users in (not measured), then each user looks at ``--views`` map views: a
   view is the 5 × 4 tiles of a 1,280 × 1,024 px window at a zoom of 13 to 16 around the
   commune, fetched ``--parallel`` at a time like a browser; then the user comes back to
   its first views with ``If-None-Match`` (the browser revalidating its cache: 304).
4. Prints p50/p95/max latency for the tiles (200), the revalidations (304) and the
   missing tiles (404), the error count, and, as the floor, the time of one raw SQLite
   tile read (``SELECT tile_data … WHERE zoom_level, tile_column, tile_row``).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from http_load import Client, gltd_server, session_cookie  # noqa: E402

PASSWORD = "Bench-Password-2018"

CENTRE = (1.915, 47.885)  # the demo commune


def build_db(path: Path, users: int) -> None:
    """A migrated base with one account per simulated user (the login throttle counts
    concurrent attempts on one account)."""
    from argon2 import PasswordHasher

    from gltd.store.migrate import upgrade

    upgrade(f"sqlite:///{path}")
    con = sqlite3.connect(path)
    con.execute("INSERT INTO agency (id, name, kind) VALUES (1, 'DDSP du Loiret', 'police')")
    hashed = PasswordHasher().hash(PASSWORD)
    for u in range(users):
        con.execute(
            "INSERT INTO user_account (username, password_hash, agency_id, role, active, "
            "created_at) VALUES (?, ?, 1, 'analyste', 1, '2018-01-01 00:00:00.000000')",
            (f"bench{u}", hashed),
        )
    con.commit()
    con.close()


async def login(client: httpx.AsyncClient, user: int) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert token
    r = await client.post(
        "/login",
        data={"username": f"bench{user}", "password": PASSWORD, "csrf_token": token.group(1),
              "next": "/"},
    )  # fmt: skip
    assert r.status_code == 303, r.text[-800:]


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def views(user: int, k: int) -> list[list[tuple[int, int, int]]]:
    """``k`` views of 5 × 4 tiles for one user (zoom 13 to 16, panned around the commune)."""
    rng = np.random.default_rng(user)
    out = []
    for _ in range(k):
        z = int(rng.integers(13, 17))
        lon = CENTRE[0] + float(rng.uniform(-0.03, 0.03))
        lat = CENTRE[1] + float(rng.uniform(-0.04, 0.04))
        x0, y0 = tile_of(lon, lat, z)
        out.append([(z, x0 + i - 2, y0 + j - 2) for j in range(4) for i in range(5)])
    return out


async def run_load(
    base: str, key: str, users: int, k: int, parallel: int, logged_in: Any
) -> tuple[dict[str, list[float]], int]:
    lat: dict[str, list[float]] = {"200": [], "304": [], "404": []}
    view_times: list[float] = []
    errors = 0
    logins = [httpx.AsyncClient(base_url=base, timeout=60) for _ in range(users)]
    try:
        await asyncio.gather(*(login(c, u) for u, c in enumerate(logins)))
    finally:
        await asyncio.gather(*(c.aclose() for c in logins))
    # The measured requests go through the light client (see http_load): httpx cost
    # twice the server's CPU and made the load generator the bottleneck.
    host, port = base.removeprefix("http://").rsplit(":", 1)
    clients = [Client(host, int(port), session_cookie(c), connections=parallel) for c in logins]
    try:
        logged_in()

        async def fetch(c: Client, url: str, etag: str | None) -> str | None:
            nonlocal errors
            headers = {"If-None-Match": etag} if etag else {}
            t = time.perf_counter()
            r = await c.get(url, headers=headers)
            dt = time.perf_counter() - t
            code = str(r.status)
            if code not in lat:
                errors += 1
                return None
            lat[code].append(dt)
            return r.headers.get("etag")

        async def one(u: int, c: Client) -> None:
            sem = asyncio.Semaphore(parallel)
            seen: dict[str, str] = {}

            async def get(url: str, etag: str | None = None) -> None:
                async with sem:
                    tag = await fetch(c, url, etag)
                if tag and etag is None:
                    seen[url] = tag

            plan = views(u, k)
            for view in plan:
                urls = [f"/tiles/{key}/{z}/{x}/{y}.png" for z, x, y in view]
                t = time.perf_counter()
                await asyncio.gather(*(get(url) for url in urls))
                view_times.append(time.perf_counter() - t)
            for view in plan[: max(1, k // 3)]:  # back to the first views: revalidation
                urls = [f"/tiles/{key}/{z}/{x}/{y}.png" for z, x, y in view]
                await asyncio.gather(*(get(url, seen[url]) for url in urls if url in seen))

        await asyncio.gather(*(one(u, c) for u, c in enumerate(clients)))
    finally:
        for c in clients:
            c.close()
    lat["vue"] = view_times
    return lat, errors


def sql_floor(path: Path, repeats: int = 2000) -> float:
    """Median seconds of one raw tile read from the MBTiles (the floor of any server)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = con.execute("SELECT zoom_level, tile_column, tile_row FROM tiles").fetchall()
    times = []
    for i in range(repeats):
        z, x, y = rows[i % len(rows)]
        t = time.perf_counter()
        con.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, y),
        ).fetchone()
        times.append(time.perf_counter() - t)
    con.close()
    return statistics.median(times)


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server process (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(v: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(v) * 1000, q)) if v else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--views", type=int, default=12)
    ap.add_argument("--parallel", type=int, default=1, help="requêtes simultanées par utilisateur")
    ap.add_argument("--mbtiles", type=Path, default=None)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gltd-bench-tiles-"))
    db = tmp / "bench.db"
    build_db(db, args.users)
    mbtiles = args.mbtiles
    if mbtiles is None:
        from gltd.demo.basemap import write_demo_basemap

        t = time.perf_counter()
        mbtiles = write_demo_basemap(tmp / "fond.mbtiles")
        print(f"fond illustratif écrit en {time.perf_counter() - t:.1f} s ({mbtiles})")
    from gltd.basemap import open_basemap

    bm = open_basemap(mbtiles)
    print(f"fond : {bm.n_tiles} tuiles {bm.format}, zooms {bm.minzoom}–{bm.maxzoom}, "
          f"{mbtiles.stat().st_size / 1e6:.1f} Mo")  # fmt: skip
    with gltd_server(db, tmp, env={"GLTD_BASEMAP": str(mbtiles)}) as (proc, base):
        start: list[float] = []

        def logged_in() -> None:  # the measure starts once every user is logged in
            start[:] = [time.perf_counter(), server_cpu(proc.pid), time.process_time()]

        lat, errors = asyncio.run(
            run_load(base, bm.key, args.users, args.views, args.parallel, logged_in)
        )
        wall = time.perf_counter() - start[0]
        cpu = server_cpu(proc.pid) - start[1]
        client_cpu = time.process_time() - start[2]
    views_s = lat.pop("vue")
    n_req = sum(len(v) for v in lat.values())
    print(
        f"{args.users} utilisateurs simultanés ({args.parallel} requêtes à la fois chacun), "
        f"{n_req} requêtes en {wall:.1f} s ({n_req / wall:.0f} req/s), erreurs : {errors}"
    )
    for name, v in lat.items():
        print(f"  {name}  n={len(v):5d}  p50={pct(v, 50):6.1f} ms  p95={pct(v, 95):6.1f} ms  "
              f"max={pct(v, 100):6.1f} ms")  # fmt: skip
    print(f"  CPU du serveur par requête : {cpu / n_req * 1000:.2f} ms "
          f"({cpu:.1f} s sur {wall:.1f} s) ; CPU des {args.users} clients : {client_cpu:.1f} s ; "
          f"charge moyenne de la machine : {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"  vue entière (20 tuiles)  n={len(views_s):4d}  p50={pct(views_s, 50):6.1f} ms  "
          f"p95={pct(views_s, 95):6.1f} ms")  # fmt: skip
    everything = [x for v in lat.values() for x in v]
    p95 = pct(everything, 95)
    print(f"  toutes n={len(everything):5d}  p95={p95:6.1f} ms")
    floor = sql_floor(mbtiles)
    print(f"plancher : une lecture SQLite brute d'une tuile : {floor * 1000:.3f} ms")
    print(f"ratio CPU du serveur par tuile / lecture SQLite brute : {cpu / n_req / floor:.0f}")
    print("objectif p95 <= 50 ms et 0 erreur :",
          "atteint" if p95 <= 50 and errors == 0 else "NON atteint")  # fmt: skip


if __name__ == "__main__":
    main()
