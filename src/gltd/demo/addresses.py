"""Addresses for the Orléans demo: a synthetic BAN file and the incidents as an address export.

:func:`demo_extract` covers the demo's commune with streets (the named streets of the
test extract, plus a grid of generated ones, every ~300 m inside the illustrative
outline) and keeps the three neighbours with their homonymous streets.
:func:`write_demo_address_files` writes it as ``adresses-45-demo.csv.gz`` and writes the
demo's 2018 incidents (already in the demo database) as a police export **without
coordinates**: each fact gets the address nearest its point, spelt as police software
spells it. ``make demo`` then builds the index and geocodes that export, so the whole
path is shown. Nothing here changes the demo database; every draw comes from
``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from scipy.spatial import cKDTree
from sqlalchemy import Engine, select

from gltd.demo.geography import M_PER_DEG_LAT, M_PER_DEG_LON, inside_commune
from gltd.geocode.normalise import street_key
from gltd.geocode.synthetic import (
    ORLEANS_COMMUNES,
    SynthAddress,
    orleans_extract,
    write_ban_csv,
)
from gltd.geocode.synthetic.ban import street_addresses, street_names
from gltd.geocode.synthetic.queries import police_spelling
from gltd.model import Incident

__all__ = ["demo_extract", "write_demo_address_files", "BAN_FILE", "EXPORT_FILE"]

PARIS = ZoneInfo("Europe/Paris")
BAN_FILE = "adresses-45-demo.csv.gz"
EXPORT_FILE = "faits-demo-adresses.csv"
#: Grid step of the generated streets (degrees): about 300 m × 330 m.
STEP_LON, STEP_LAT = 0.004, 0.003


def demo_extract(*, seed: int = 2018) -> list[SynthAddress]:
    """Orléans covered by streets, and its three neighbours (see the module docstring)."""
    rng = np.random.default_rng(seed)
    rows = orleans_extract(per_street=30, seed=seed)
    orleans = ORLEANS_COMMUNES[0]
    taken = {street_key(r.nom_voie) for r in rows if r.code_insee == orleans.code_insee}
    lons = np.arange(1.872, 1.962, STEP_LON)
    lats = np.arange(47.815, 47.937, STEP_LAT)
    grid = [(lo, la) for la in lats for lo in lons]
    inside = inside_commune(np.asarray([g[0] for g in grid]), np.asarray([g[1] for g in grid]))
    nodes = [g for g, ok in zip(grid, inside, strict=True) if ok]
    names = [n for n in street_names(rng, len(nodes) * 2) if street_key(n) not in taken]
    k0 = 1000
    for k, ((lon, lat), name) in enumerate(zip(nodes, names, strict=False), start=k0):
        pc = "45000" if lat > 47.895 else "45100"
        rows += street_addresses(orleans, name, k, float(lon), float(lat), 14, rng, pc)
    return rows


def write_demo_address_files(
    engine: Engine, out_dir: str | Path, *, seed: int = 2018, year: int = 2018
) -> tuple[Path, Path, int]:
    """Write the demo's BAN file and its ``year`` incidents as an address export.

    Returns the two paths and the number of incidents written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = demo_extract(seed=seed)
    ban = write_ban_csv(rows, out / BAN_FILE)
    orleans = [r for r in rows if r.code_insee == ORLEANS_COMMUNES[0].code_insee and not r.rep]
    pts = np.asarray([(r.lon * M_PER_DEG_LON, r.lat * M_PER_DEG_LAT) for r in orleans])
    tree = cKDTree(pts)
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    with engine.connect() as conn:
        facts = conn.execute(
            select(
                Incident.source_ref, Incident.occurred_at, Incident.category, Incident.lon,
                Incident.lat,
            )
            .where(Incident.occurred_at >= start, Incident.occurred_at < end)
            .where(Incident.lon.is_not(None))
            .order_by(Incident.occurred_at, Incident.id)
        ).all()  # fmt: skip
    rng = np.random.default_rng(seed + 1)
    lines = ["N_FAIT;DATE_FAITS;NATURE;ADRESSE;CP;COMMUNE"]
    if facts:
        lonlat = np.asarray([(f[3], f[4]) for f in facts], dtype="float64")
        q = lonlat * np.asarray([M_PER_DEG_LON, M_PER_DEG_LAT])
        _, nearest = tree.query(q)
        for f, j in zip(facts, nearest, strict=True):
            a = orleans[int(j)]
            street = police_spelling(a.nom_voie, rng)
            number = "" if rng.random() < 0.1 else f"{a.numero} "
            noise = " BAT B" if rng.random() < 0.05 else ""
            when = f[1].astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
            lines.append(
                f"DEMO-{f[0]};{when};{f[2]};{number}{street}{noise};{a.code_postal};ORLEANS"
            )
    export = out / EXPORT_FILE
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ban, export, len(facts)
