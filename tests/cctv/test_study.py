"""Relevance study: its numbers equal an independent SQL + pandas query; JSON and PDF."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select, text

from gltd.cctv import inventory as inv
from gltd.cctv import requisitions as req
from gltd.cctv.study import relevance_study
from gltd.cctv.study_render import write_study
from gltd.errors import InputError
from gltd.model import CameraRequest, Incident, RelevanceStudy, Zone
from gltd.store.engine import make_engine, session_scope

PARIS = ZoneInfo("Europe/Paris")
CITY = "POLYGON((1.87 47.87, 1.95 47.87, 1.95 47.93, 1.87 47.93, 1.87 47.87))"
SITE = (47.902, 1.901)
AS_OF = date(2018, 9, 24)
CATS = ("trafic_stupefiants", "usage_stupefiants", "cambriolages", "vols_dans_vehicules")


def _populate(url: str) -> object:
    from gltd.geo import to_metric

    engine = make_engine(url)
    with session_scope(engine) as s:
        s.add(Zone(name="Ville (test)", kind="commune", geometry_wkt=CITY))
    sx, sy = to_metric(SITE[1], SITE[0])
    xmin, ymin = to_metric(1.875, 47.875)
    xmax, ymax = to_metric(1.945, 47.925)
    rng = np.random.default_rng(42)
    n_bg, n_cl = 1500, 260
    x = np.concatenate([rng.uniform(xmin, xmax, n_bg), sx + rng.normal(0, 60, n_cl)])
    y = np.concatenate([rng.uniform(ymin, ymax, n_bg), sy + rng.normal(0, 60, n_cl)])
    t0 = datetime(2015, 6, 1, tzinfo=PARIS).timestamp()
    t1 = datetime(2018, 10, 31, tzinfo=PARIS).timestamp()
    # more facts in the cluster in the last year (a rising trend)
    tt = np.concatenate(
        [rng.uniform(t0, t1, n_bg), t1 - rng.exponential(300 * 86400, n_cl).clip(0, t1 - t0)]
    )
    cat = rng.choice(CATS, n_bg + n_cl)
    rows = [
        {
            "occurred_at": datetime.fromtimestamp(float(tt[i]), tz=PARIS),
            "category": str(cat[i]),
            "x": float(x[i]),
            "y": float(y[i]),
            "source": "test",
            "source_ref": str(i),
            "date_only": False,
        }
        for i in range(len(x))
    ]
    with engine.begin() as conn:
        conn.execute(insert(Incident), rows)
    return engine


def _independent_counts(url: str) -> pd.DataFrame:
    """Counts per category and study year, straight from SQL with pandas geometry."""
    from gltd.geo import to_metric

    engine = make_engine(url)
    with engine.connect() as conn:
        df = pd.read_sql(text("SELECT x, y, occurred_at, category FROM incident"), conn)
    sx, sy = to_metric(SITE[1], SITE[0])
    df = df[np.hypot(df.x - sx, df.y - sy) <= 100.0].copy()
    ts = pd.to_datetime(df.occurred_at).dt.tz_localize("UTC")
    edges = [pd.Timestamp(f"{y}-09-24", tz="Europe/Paris") for y in (2015, 2016, 2017, 2018)]
    df["k"] = -1
    for k in range(3):
        df.loc[(ts >= edges[k]) & (ts < edges[k + 1]), "k"] = k
    df = df[df.k >= 0]
    return (
        df.groupby(["category", "k"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=[0, 1, 2], fill_value=0)
    )


def test_study_numbers_equal_an_independent_query(db_url: str, tmp_path: Path) -> None:
    engine = _populate(db_url)
    inv.add_camera(
        engine,
        inv.CameraData(code="N1", lat=SITE[0] + 0.0008, lon=SITE[1], retention_days=15,
                       heading_deg=180.0, field_angle_deg=60.0, range_m=120.0),
    )  # fmt: skip
    inv.add_camera(engine, inv.CameraData(code="FAR", lat=47.88, lon=1.94, retention_days=15))
    now = datetime(2018, 9, 24, 12, tzinfo=PARIS)
    for k in range(3):
        rec = datetime(2018, 5, 1 + k, 10, tzinfo=PARIS)
        req.register_requisition(
            engine,
            req.RequisitionData(
                received_at=rec, requesting_unit="BSU", legal_basis="60-1",
                procedure_number=f"P{k}", camera_codes=["N1" if k < 2 else "FAR"],
                period_start=rec - timedelta(days=1), period_end=rec - timedelta(hours=20),
            ),
            now=now,
        )  # fmt: skip
    res = relevance_study(engine, lat=SITE[0], lon=SITE[1], radius=100, as_of=AS_OF)

    expected = _independent_counts(db_url)
    got = {c["code"]: c["counts"] for c in res["incidents"]["by_category"]}
    assert got == {cat: expected.loc[cat].tolist() for cat in expected.index}
    assert res["incidents"]["totals"] == expected.sum(axis=0).tolist()
    assert res["incidents"]["total"] == int(expected.values.sum())
    assert sum(res["incidents"]["monthly"]) == res["incidents"]["total"]
    assert res["periods"][0] == {"start": "2015-09-24", "end": "2016-09-23"}
    # trend test = the lead's Poisson test on the same two counts
    t = res["trend"]["last_vs_previous"]
    assert (t["count"], t["count_ref"]) == tuple(expected.sum(axis=0).tolist()[2:0:-1])
    # requisitions on nearby cameras: the two on N1, not the one on FAR
    assert res["requisitions"]["count"] == 2 and res["requisitions"]["all_city"] == 3
    assert res["requisitions"]["cameras"] == ["N1"]
    # N1 looks south over the site: partial overlap, listed
    cov = res["coverage"]
    assert [c["code"] for c in cov["overlapping_cameras"]] == ["N1"]
    from shapely.geometry import Point

    from gltd.cctv.fov import fov_polygon
    from gltd.geo import to_metric

    n1 = inv.get_camera(engine, "N1")
    disc = Point(*to_metric(SITE[1], SITE[0])).buffer(100.0, quad_segs=256)
    fov = fov_polygon(n1.x, n1.y, 180.0, 60.0, 120.0, segments=1024)
    assert cov["area_share"] == pytest.approx(fov.intersection(disc).area / disc.area, rel=2e-3)
    assert 0.05 < cov["area_share"] < 0.5
    # the cluster makes the site one of the densest places of the city
    assert res["rank"]["percentile"] >= 90
    assert res["hotspot"]["available"] and res["hotspot"]["class"] >= 2
    assert res["conclusion"]["verdict"] == "favorable"
    assert res["conclusion"]["reasons"]
    # stored
    with session_scope(engine) as s:
        row = s.execute(select(RelevanceStudy)).scalar_one()
        assert row.conclusion == "favorable" and row.id == res["study_id"]
        assert json.loads(row.result_json)["incidents"]["total"] == res["incidents"]["total"]
    # outputs
    pdf = write_study(res, "pdf", tmp_path / "etude.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    out = write_study(res, "json", tmp_path / "etude.json")
    assert json.loads(out.read_text(encoding="utf-8"))["conclusion"]["label"] == "Avis favorable"


def test_study_rank_matches_brute_force_and_unfavourable_sites(db_url: str) -> None:
    engine = _populate(db_url)
    # A quiet corner of the city: few facts, low percentile → défavorable.
    res = relevance_study(engine, lat=47.926, lon=1.944, radius=50, as_of=AS_OF, store=False)
    assert res["conclusion"]["verdict"] == "defavorable"
    assert res["rank"]["percentile"] < 50
    # Brute force: percentile of the site's disc count among all probe counts, by numpy.
    from gltd.cctv.study.data import city_probes
    from gltd.geo import to_metric
    from gltd.store.queries import load_events
    from gltd.timeutil import local_midnight

    ev = load_events(engine, start=local_midnight(date(2015, 9, 24)), end=local_midnight(AS_OF))
    probes = city_probes(engine, 50.0, ev)
    d = np.hypot(probes[:, None, 0] - ev.x[None, :], probes[:, None, 1] - ev.y[None, :])
    counts = (d <= 50.0).sum(axis=1)
    sx, sy = to_metric(1.944, 47.926)
    site_n = int((np.hypot(ev.x - sx, ev.y - sy) <= 50.0).sum())
    pct = 100 * ((counts < site_n).sum() + 0.5 * (counts == site_n).sum()) / len(counts)
    assert res["rank"]["percentile"] == pytest.approx(round(pct, 1))
    assert res["rank"]["site_count_disc"] == site_n


def test_study_rank_method_states_the_probe_spacing(db_url: str) -> None:
    """Probes are spaced by the radius but never closer than 50 m: the block says so."""
    from gltd.cctv.study.data import city_probes
    from gltd.store.queries import load_events
    from gltd.timeutil import local_midnight

    engine = _populate(db_url)
    res = relevance_study(engine, lat=47.926, lon=1.944, radius=30, as_of=AS_OF, store=False)
    ev = load_events(engine, start=local_midnight(date(2015, 9, 24)), end=local_midnight(AS_OF))
    assert res["rank"]["n_probes"] == len(city_probes(engine, 50.0, ev))
    assert res["rank"]["n_probes"] != len(city_probes(engine, 30.0, ev))
    assert "pas = rayon, au moins 50 m : 50 m" in res["rank"]["method"]


def test_study_from_a_request_and_bad_sites(db_url: str) -> None:
    engine = _populate(db_url)
    from gltd.geo import to_metric

    x, y = to_metric(SITE[1], SITE[0])
    with session_scope(engine) as s:
        r = CameraRequest(received_on=date(2018, 6, 1), origin="riverains", lat=SITE[0],
                          lon=SITE[1], x=x, y=y, radius_m=80.0)  # fmt: skip
        s.add(r)
        s.flush()
        rid = r.id
    # an existing dome over the whole site: already covered → défavorable
    inv.add_camera(engine, inv.CameraData(code="D1", lat=SITE[0], lon=SITE[1], range_m=120))
    res = relevance_study(engine, request_id=rid, as_of=AS_OF)
    assert res["site"]["camera_request_id"] == rid and res["site"]["radius_m"] == 80.0
    assert res["coverage"]["area_share"] == pytest.approx(1.0)
    assert res["conclusion"]["verdict"] == "defavorable"
    assert "déjà couvert" in res["conclusion"]["reasons"][0]
    with pytest.raises(InputError, match="hors de la commune"):
        relevance_study(engine, lat=1.901, lon=47.902, as_of=AS_OF)
    with pytest.raises(InputError, match="introuvable"):
        relevance_study(engine, request_id=999, as_of=AS_OF)


def test_past_interventions_count_target_buffer_and_control(db_url: str) -> None:
    """Hand-placed facts: 3 → 1 in the target, 2 → 4 in the 250 m ring, 5 → 5 elsewhere."""
    from shapely import wkt
    from shapely.ops import transform

    from gltd.cctv.study.data import StudySite
    from gltd.cctv.study.surroundings import past_interventions
    from gltd.geo import to_lonlat, to_metric
    from gltd.model import Intervention

    engine = make_engine(db_url)
    sx, sy = to_metric(SITE[1], SITE[0])
    # A 100 m square target around the site (WGS84 WKT, as stored).
    sq = wkt.loads(f"POLYGON(({sx - 50} {sy - 50}, {sx + 50} {sy - 50}, {sx + 50} {sy + 50}, "
                   f"{sx - 50} {sy + 50}, {sx - 50} {sy - 50}))")  # fmt: skip
    start = datetime(2017, 3, 1, tzinfo=PARIS)
    spots = {"a": (sx, sy), "b": (sx + 200.0, sy), "c": (sx + 2000.0, sy + 500.0)}
    plan = {("a", -1): 3, ("a", 1): 1, ("b", -1): 2, ("b", 1): 4, ("c", -1): 5, ("c", 1): 5}
    with session_scope(engine) as s:
        s.add(Zone(name="Ville (test)", kind="commune", geometry_wkt=CITY))
        s.add(Intervention(name="Fermeture du bar", kind="fermeture", started_on=start,
                           geometry_wkt=transform(lambda x, y: to_lonlat(x, y), sq).wkt))  # fmt: skip
        k = 0
        for (where, sign), n in plan.items():
            for i in range(n):
                x, y = spots[where]
                s.add(Incident(occurred_at=start + sign * timedelta(days=30 + i), x=x + i, y=y,
                               category="trafic_stupefiants", source="t", source_ref=str(k)))  # fmt: skip
                k += 1
        # Outside the year before / after: not counted.
        s.add(Incident(occurred_at=start - timedelta(days=400), x=sx, y=sy,
                       category="trafic_stupefiants", source="t", source_ref="old"))  # fmt: skip
    site = StudySite(SITE[0], SITE[1], sx, sy, 100.0)
    out = past_interventions(engine, site, datetime(2018, 9, 24, tzinfo=PARIS))
    assert out["available"] and len(out["items"]) == 1
    item = out["items"][0]
    got = tuple(item[f] for f in ("a0", "a1", "b0", "b1", "c0", "c1"))
    assert got == (3, 1, 2, 4, 5, 5)
    assert item["distance_m"] == 0 and item["started_on"] == "2017-03-01"
    # The study names the kind in French, never by its code.
    assert item["kind_label"] == "fermeture (débit de boissons, commerce)"
    from gltd.cctv.study_render import render_html

    html = render_html(relevance_study(engine, lat=SITE[0], lon=SITE[1], as_of=AS_OF, store=False))
    assert "Fermeture du bar (fermeture (débit de boissons, commerce))" in html
    assert "(fermeture)" not in html
