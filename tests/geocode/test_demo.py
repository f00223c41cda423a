"""The demo's address path: a synthetic BAN of Orléans and its incidents as an address export."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select

from gltd.demo.addresses import write_demo_address_files
from gltd.demo.scenario import build_demo
from gltd.geocode.batch import geocode_file
from gltd.geocode.index import build_index
from gltd.model import Incident
from gltd.store.engine import get_engine


def test_demo_incidents_geocode_back_near_their_points(sqlite_url: str, tmp_path: Path) -> None:
    engine = get_engine(sqlite_url)
    build_demo(engine, seed=2018, incident_scale=0.1)
    ban, export, n = write_demo_address_files(engine, tmp_path / "a")
    assert n > 100
    ban2, export2, _ = write_demo_address_files(engine, tmp_path / "b")
    assert export.read_bytes() == export2.read_bytes()  # deterministic
    with gzip.open(ban, "rb") as f1, gzip.open(ban2, "rb") as f2:
        assert f1.read() == f2.read()
    head = export.read_text(encoding="utf-8").splitlines()[0]
    assert head == "N_FAIT;DATE_FAITS;NATURE;ADRESSE;CP;COMMUNE"  # no coordinates
    build_index(engine, [ban])
    out = tmp_path / "geocodes.csv"
    r = geocode_file(
        engine,
        export,
        columns={"id": "N_FAIT", "address": "ADRESSE", "postcode": "CP", "city": "COMMUNE"},
        out=out,
    )
    assert r.rows == n
    assert r.by_precision["numéro"] / n >= 0.85 and r.refused / n <= 0.02
    got = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    with engine.connect() as conn:
        where = {
            f"DEMO-{ref}": (lon, lat)
            for ref, lon, lat in conn.execute(
                select(Incident.source_ref, Incident.lon, Incident.lat)
            )
        }
    numbered = got[got["geocode_precision"] == "numéro"]
    d = [
        np.hypot((float(lo) - where[i][0]) * 74_600, (float(la) - where[i][1]) * 111_200)
        for i, lo, la in zip(numbered["N_FAIT"], numbered["lon"], numbered["lat"], strict=True)
    ]
    # The export gave each fact its nearest address: geocoded back, it lands near the fact.
    assert float(np.median(d)) < 200
