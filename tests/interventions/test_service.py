"""The interventions register through its public face, on a real store."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from shapely.geometry import box

from gltd.errors import InputError
from gltd.geo import geometry_to_lonlat, to_metric
from gltd.interventions import (
    add_from_options,
    add_intervention,
    circle,
    get_intervention,
    list_interventions,
    parse_geometry_text,
)
from gltd.model import Zone
from gltd.store.engine import make_engine, session_scope

LAT, LON = 47.903, 1.909  # Orléans city hall


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    eng = make_engine(db_url)
    x, y = to_metric(LON, LAT)
    with session_scope(eng) as s:
        square = geometry_to_lonlat(box(x - 100, y - 100, x + 100, y + 100))
        s.add(Zone(name="Place carrée", kind="quartier", geometry_wkt=square.wkt))
    yield eng
    eng.dispose()


def test_add_list_and_get_in_the_analysis_crs(engine) -> None:  # type: ignore[no-untyped-def]
    disc = add_intervention(
        engine,
        name="Fermeture",
        kind="fermeture",
        geometry=circle(LAT, LON, 50),
        started_on=datetime(2018, 6, 1, tzinfo=UTC),
    )
    square = add_from_options(
        engine, name="Opérations", kind="operations", start="2018-07-01", zone="place carrée"
    )
    info = get_intervention(engine, square)
    assert info.zone_id is not None and info.camera_id is None
    assert info.geometry.area == pytest.approx(200 * 200, rel=1e-6)  # metres, not degrees
    assert get_intervention(engine, disc).geometry.area == pytest.approx(math.pi * 50**2, rel=1e-3)
    assert {i.name for i in list_interventions(engine)} == {"Fermeture", "Opérations"}
    assert info.as_dict()["kind_label"] == "série d'opérations"


def test_user_mistakes_are_french_messages(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="intervention inconnue : 99"):
        get_intervention(engine, 99)
    with pytest.raises(InputError, match="zone inconnue : « Ailleurs » .*Place carrée"):
        add_from_options(engine, name="x", kind="autre", start="2018-01-01", zone="Ailleurs")
    with pytest.raises(InputError, match="un polygone est attendu, pas « Point »"):
        parse_geometry_text("POINT (1.9 47.9)")
    with pytest.raises(InputError, match="rayon invalide"):
        circle(LAT, LON, 0)
