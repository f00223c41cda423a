"""Displacement analysis on a real store: hand-placed events, warnings and bad input."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pyproj import Transformer
from shapely.geometry import Point, box
from sqlalchemy import select

from gltd.displacement import run_displacement
from gltd.geo import geometry_to_lonlat
from gltd.interventions import add_intervention
from gltd.model import AnalysisRun, Incident, Zone
from gltd.store.engine import make_engine, session_scope

PARIS = ZoneInfo("Europe/Paris")
LAT, LON = 47.903, 1.909  # Orléans city hall (DOMAIN.md §3)
X0, Y0 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True).transform(LON, LAT)
NOW = datetime(2019, 1, 1, tzinfo=UTC)
START = "2018-06-01"

# (distance from the centre in m, count before, count after)
# target = disc of 100 m; ring 1 = 100–200 m; ring 2 = 200–300 m; control beyond.
LAYOUT = [(50.0, 20, 10), (150.0, 10, 15), (250.0, 10, 10), (1000.0, 100, 100)]


def _events(engine, layout=LAYOUT, offset=(0.0, 0.0), prefix="e") -> None:  # type: ignore[no-untyped-def]
    before0 = datetime(2018, 5, 2, 12, tzinfo=PARIS)
    after0 = datetime(2018, 6, 1, 12, tzinfo=PARIS)
    rows = []
    for r, nb, na in layout:
        for period, n, t0 in (("b", nb, before0), ("a", na, after0)):
            for i in range(n):
                ang = 2 * math.pi * (i + 0.5) / n
                x = X0 + offset[0] + r * math.sin(ang)
                y = Y0 + offset[1] + r * math.cos(ang)
                rows.append(
                    Incident(
                        occurred_at=t0 + timedelta(days=i % 29),
                        category="trafic_stupefiants",
                        x=x,
                        y=y,
                        source="test",
                        source_ref=f"{prefix}-{r}-{period}-{i}",
                    )
                )
    with session_scope(engine) as s:
        s.add_all(rows)


def _city(engine) -> None:  # type: ignore[no-untyped-def]
    city = geometry_to_lonlat(box(X0 - 2000, Y0 - 2000, X0 + 2000, Y0 + 2000))
    with session_scope(engine) as s:
        s.add(Zone(name="Ville test", kind="commune", geometry_wkt=city.wkt))
        s.add(
            Zone(
                name="Petite zone", kind="quartier",
                geometry_wkt=geometry_to_lonlat(Point(X0 + 150, Y0).buffer(30)).wkt,
            )
        )  # fmt: skip


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    eng = make_engine(db_url)
    _city(eng)
    _events(eng)
    yield eng
    eng.dispose()


def _run(engine, **kw):  # type: ignore[no-untyped-def]
    args: dict = {
        "around": (LAT, LON),
        "radius": 100.0,
        "start": START,
        "before": "30d",
        "rings": [100, 200],
        "now": NOW,
    }
    args.update(kw)
    return run_displacement(engine, **args)


def test_hand_placed_counts_and_measures(engine) -> None:  # type: ignore[no-untyped-def]
    r = _run(engine)
    assert (r.a0, r.a1, r.c0, r.c1) == (20, 10, 100, 100)
    assert [(g.b0, g.b1) for g in r.rings] == [(10, 15), (10, 10)]
    assert (r.b0, r.b1) == (20, 25)
    # SM = 10/100 − 20/100 = −0.1 ; BDM = 25/100 − 20/100 = 0.05 ; WDQ = −0.5
    # TNE = (20 − 10) + (20 − 25) = 5
    m = r.overall
    assert m.sm == pytest.approx(-0.1) and m.bdm == pytest.approx(0.05)
    assert m.wdq == pytest.approx(-0.5) and m.tne == pytest.approx(5.0)
    assert m.verdict == "deplacement_partiel"
    # ring 1: BDM = 15/100 − 10/100 = 0.05 (displacement); ring 2: BDM = 0
    assert [g.measures.verdict for g in r.rings] == ["deplacement_partiel", "neutre"]
    # WDD with the control scaled to the before counts: estimate = −TNE = −5,
    # var = 20+10+20+25 + (40/100)²·(100+100) = 107
    assert r.wdd is not None
    assert r.wdd.estimate == pytest.approx(-5.0)
    assert r.wdd.se == pytest.approx(math.sqrt(107))
    # ring 1 alone: 15 − 10·100/100 = 5 ; var = 10 + 15 + (10/100)²·200 = 27
    assert r.rings[0].wdd is not None
    assert r.rings[0].wdd.estimate == pytest.approx(5.0)
    assert r.rings[0].wdd.se == pytest.approx(math.sqrt(27))
    # SPPT between the before and after patterns, events of the study area only
    assert r.sppt is not None
    assert (r.sppt.n_base, r.sppt.n_test) == (140, 135)
    assert any("même durée (30 jours)" in c for c in r.caveats)
    assert any("saisonnalité" in c for c in r.caveats)
    assert any("stupéfiants" in c for c in r.caveats)
    assert r.warnings == ()
    # stored as an AnalysisRun
    with engine.connect() as conn:
        kind, params, result = conn.execute(
            select(AnalysisRun.kind, AnalysisRun.params_json, AnalysisRun.result_json)
        ).one()
    assert kind == "displacement" and json.loads(params)["rings_m"] == [100, 200]
    d = json.loads(result)
    assert d["counts"]["buffer"] == {"before": 20, "after": 25}
    assert d["run_id"] is None or d["run_id"] == r.run_id


def test_same_seed_same_sppt(engine) -> None:  # type: ignore[no-untyped-def]
    a = _run(engine, store=False, seed=3)
    b = _run(engine, store=False, seed=3)
    assert a.sppt is not None and b.sppt is not None
    assert (a.sppt.test_low == b.sppt.test_low).all()
    assert a.sppt.s_index == b.sppt.s_index


def test_intervention_as_target_and_overlaps_warn(engine) -> None:  # type: ignore[no-untyped-def]
    start = datetime(2018, 6, 1, tzinfo=PARIS)
    iid = add_intervention(
        engine, name="Fermeture du bar", kind="fermeture",
        geometry=Point(X0, Y0).buffer(100, quad_segs=32), started_on=start,
    )  # fmt: skip
    add_intervention(
        engine, name="Caméra voisine", kind="camera",
        geometry=Point(X0 + 150, Y0).buffer(20), started_on=datetime(2018, 5, 15, tzinfo=PARIS),
    )  # fmt: skip
    add_intervention(
        engine, name="Opérations au sud", kind="operations",
        geometry=Point(X0, Y0 - 1000).buffer(50), started_on=datetime(2018, 4, 1, tzinfo=PARIS),
    )  # fmt: skip
    add_intervention(
        engine, name="Ancienne opération", kind="operations",
        geometry=Point(X0 + 250, Y0).buffer(20), started_on=datetime(2010, 1, 1, tzinfo=PARIS),
        ended_on=datetime(2010, 6, 1, tzinfo=PARIS),
    )  # fmt: skip
    r = run_displacement(
        engine, intervention_id=iid, before="30d", rings=[100, 200], now=NOW, store=False
    )
    assert r.target_label.startswith("Fermeture du bar")
    assert (r.a0, r.a1) == (20, 10)
    text = " | ".join(r.warnings)
    assert "les anneaux 1 recouvrent l'intervention « Caméra voisine »" in text
    assert "la zone témoin contient l'intervention « Opérations au sud »" in text
    assert "témoin contaminé" in text
    assert "Ancienne opération" not in text  # ended long before


def test_target_worsened_report(engine) -> None:  # type: ignore[no-untyped-def]
    # swap the periods: the target goes 10 → 20 relative to a flat control
    _events(engine, [(50.0, 0, 30)], prefix="extra")  # 30 more after in the target: 20 → 40
    r = _run(engine, store=False)
    assert (r.a0, r.a1) == (20, 40)
    assert r.overall.verdict == "cible_non_amelioree"
    assert "non significatif/non interprétable" in r.overall.interpretation_fr


def test_unequal_periods_are_normalised_in_the_wdd(engine) -> None:  # type: ignore[no-untyped-def]
    r = _run(engine, after="15d", store=False)
    assert r.after.days == 15 and r.before.days == 30
    assert any("durées inégales" in c for c in r.caveats)
    assert r.wdd is not None and r.wdd.params["time_weights"] == [2.0, 1.0]


def test_control_zone_given(engine) -> None:  # type: ignore[no-untyped-def]
    r = _run(engine, control="Ville test", store=False)
    assert (r.c0, r.c1) == (100, 100)
    assert any("zone témoin recouvre la cible" in w for w in r.warnings)


def test_bad_input_messages(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Exception, match="hors de l'étendue des données"):
        _run(engine, around=(43.296, 5.37))
    with pytest.raises(Exception, match="commence avant les données"):
        _run(engine, start="2018-03-01")
    with pytest.raises(Exception, match="dépasse les données"):
        _run(engine, start="2018-06-25")
    with pytest.raises(Exception, match="est dans le futur"):
        _run(engine, start="2018-07-01", now=datetime(2018, 6, 15, tzinfo=UTC))
    with pytest.raises(Exception, match="n'est pas terminée"):
        _run(engine, now=datetime(2018, 6, 15, tzinfo=UTC))
    with pytest.raises(Exception, match="recouvre entièrement la zone témoin"):
        _run(engine, rings=[100, 5000])
    with pytest.raises(Exception, match="recouvre entièrement la zone témoin"):
        _run(engine, control="Petite zone")
    with pytest.raises(Exception, match="une seule cible"):
        run_displacement(engine, start=START, now=NOW)
    with pytest.raises(Exception, match="s'excluent"):
        _run(engine, buffer=300)
    with pytest.raises(Exception, match="aucun fait localisé des catégories vols"):
        _run(engine, categories=["vols"])
    with pytest.raises(Exception, match="anneaux invalides"):
        _run(engine, rings=[200, 100])
    with engine.connect() as conn:
        assert conn.execute(select(AnalysisRun.id)).first() is None  # nothing half-written


def test_params_block_says_what_was_computed(engine) -> None:  # type: ignore[no-untyped-def]
    """The stored parameters are those of the computation: the SPPT cell only for a grid
    SPPT, the periods' lengths, the rings, the WDD weights (before/after length)."""
    r = _run(engine, after="15d", sppt_by="zones", store=False)
    d = r.as_dict()
    assert d["params"]["sppt_by"] == "zones" and d["params"]["sppt_cell"] is None
    assert d["sppt"] is None or d["sppt"]["units"] == "zones enregistrées"
    assert (d["params"]["before_days"], d["params"]["after_days"]) == (r.before.days, r.after.days)
    assert d["params"]["rings_m"] == [ring["outer_m"] for ring in d["rings"]]
    b, a = d["params"]["before_days"], d["params"]["after_days"]
    assert d["wdd"]["params"]["time_weights"] == [b / a, 1.0]
    g = _run(engine, sppt_cell=125.0, store=False).as_dict()
    assert g["params"]["sppt_cell"] == 125.0 and g["sppt"]["units"] == "grille de 125 m"
