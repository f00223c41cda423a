"""What operations and actions share: zone checks, the audit detail of a change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gltd.errors import InputError
from gltd.model import Zone
from gltd.store.zones import list_zones

__all__ = ["changed_fields", "check_zone", "zone_names"]


def changed_fields(obj: Any, values: Mapping[str, Any]) -> str:
    """The audit detail of an update: the names of the fields that change."""
    changed = [k for k, v in values.items() if getattr(obj, k, None) != v]
    return ", ".join(changed) or "aucun champ modifié"


def check_zone(session: Session, zone_id: int | None) -> None:
    """Refuse a zone that is not in the database."""
    if zone_id is not None and session.get(Zone, zone_id) is None:
        raise InputError(f"zone n° {zone_id} inconnue", field="zone_id")


def zone_names(engine: Engine) -> dict[int, str]:
    """Zone names by id."""
    return {z.id: z.name for z in list_zones(engine)}
