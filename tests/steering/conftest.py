"""A migrated database with two agencies (parquet, police, ville) and one zone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from gltd.accounts import Member
from gltd.model import Agency, Zone
from gltd.store.engine import make_engine


@pytest.fixture
def steering_db(db_url: str) -> dict[str, Any]:
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        agencies = {k: Agency(name=f"Agence {k}", kind=k) for k in ("parquet", "police", "ville")}
        s.add_all(agencies.values())
        zone = Zone(name="Argonne", geometry_wkt="POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))")
        s.add(zone)
        s.flush()
        ids = {k: a.id for k, a in agencies.items()}
        zone_id = zone.id
    members = {
        k: Member(
            user_id=100 + i,
            username=f"{k}.coord",
            role="coordinateur",
            agency_id=ids[k],
            agency_name=f"Agence {k}",
            agency_kind=k,
            ip="10.0.0.1",
        )
        for i, k in enumerate(ids)
    }
    return {"engine": engine, "agencies": ids, "zone_id": zone_id, "members": members}
