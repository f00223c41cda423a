"""The rules of a camera, checked whether it is added, edited or imported from a file.

A refused camera raises :class:`CameraRuleError` (an :class:`~gltd.errors.InputError`)
naming the field, what is expected and, for the legal limits, the article of law:

- retention between 1 day and ``GLTD_MAX_RETENTION_DAYS`` (30 by default, CSI L252-5:
  footage is kept at most one month outside a judicial procedure);
- prefectoral authorisation expiry = authorisation date + ``GLTD_AUTHORISATION_YEARS``
  (5 by default, CSI L252-4) unless given; a later expiry is refused;
- the camera lies inside the city (:func:`gltd.store.zones.city_extent`, the union of the zones on record;
  not checked while no zone is recorded);
- field angle in ]0, 360], range > 0, heading in [0, 360) (none for a dome, required
  below 360°), removal not before installation.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from gltd.cctv.dates import add_years
from gltd.config import get_settings
from gltd.errors import InputError

__all__ = ["CameraData", "CameraRuleError", "validate_camera", "in_city"]


@dataclass(frozen=True)
class CameraData:
    """What a user gives for a camera (WGS84 position)."""

    code: str
    lat: float
    lon: float
    heading_deg: float | None = None
    field_angle_deg: float = 360.0
    range_m: float = 50.0
    hd: bool = False
    installed_on: date | None = None
    removed_on: date | None = None
    annual_cost_eur: float = 0.0
    authorisation_number: str | None = None
    authorisation_date: date | None = None
    authorisation_expiry: date | None = None
    retention_days: int = 15
    notes: str | None = None


def in_city(extent: Any | None, lon: float, lat: float) -> bool:
    """Whether a WGS84 point lies in the city extent (always true without an extent)."""
    if extent is None:
        return True
    from shapely.geometry import Point

    return bool(extent.covers(Point(lon, lat)))


class CameraRuleError(InputError):
    """A camera breaking a rule: :class:`InputError` with the bare reason and what is expected.

    ``reason`` and ``expected`` let the file importer (:mod:`gltd.cctv.inventory.importer`) report
    the problem in its per-row report (row, column, value, expected, problem).
    """

    def __init__(
        self,
        reason: str,
        *,
        expected: str,
        field: str,
        file: str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(reason, file=file, row=row, field=field)
        self.reason, self.expected = reason, expected


def validate_camera(
    data: CameraData,
    *,
    extent: Any | None = None,
    row: int | None = None,
    file: str | None = None,
) -> CameraData:
    """Check a camera and fill the default authorisation expiry.

    The one set of rules for a camera, whether added, edited or imported from a file.

    Raises
    ------
    CameraRuleError
        Naming the field and what is expected (and the article of law for the retention
        and the authorisation).
    """
    s = get_settings()

    def bad(msg: str, fld: str, expected: str) -> CameraRuleError:
        return CameraRuleError(msg, expected=expected, file=file, row=row, field=fld)

    code = (data.code or "").strip()
    if not code:
        raise bad("code de caméra manquant", "code", "un code")
    if len(code) > 60:
        raise bad(
            "code de caméra trop long (60 caractères au plus)", "code", "60 caractères au plus"
        )
    if not (-90 <= data.lat <= 90) or not (-180 <= data.lon <= 180):
        raise bad(
            f"position ({data.lat}, {data.lon}) : latitude et longitude WGS84 attendues",
            "lat",
            "une latitude entre -90 et 90 et une longitude entre -180 et 180",
        )
    r = int(data.retention_days)
    maxd = s.max_retention_days
    if r != data.retention_days or r < 1:
        raise bad(
            f"durée de conservation {data.retention_days} : un nombre entier de jours ≥ 1",
            "retention_days",
            "un nombre entier de jours ≥ 1",
        )
    if r > maxd:
        raise bad(
            f"durée de conservation de {r} jours refusée : les images ne peuvent être "
            f"conservées plus de {maxd} jours hors procédure judiciaire "
            "(code de la sécurité intérieure, art. L252-5, « un mois » au plus)",
            "retention_days",
            f"entre 1 et {maxd} jours (CSI art. L252-5)",
        )
    if not (0 < data.field_angle_deg <= 360):
        raise bad(
            f"angle de champ {data.field_angle_deg} : entre 0 (exclu) et 360 degrés",
            "field_angle_deg",
            "entre 0 (exclu) et 360 degrés",
        )
    if not data.range_m > 0:
        raise bad(f"portée {data.range_m} : un nombre de mètres > 0", "range_m", "un nombre > 0")
    heading = data.heading_deg
    if heading is not None and not (0 <= heading < 360):
        raise bad(
            f"orientation {heading} : en degrés depuis le nord, de 0 à 359",
            "heading_deg",
            "de 0 à 359 degrés",
        )
    if heading is None and data.field_angle_deg < 360:
        raise bad(
            "une caméra à champ limité (angle < 360°) doit avoir une orientation",
            "heading_deg",
            "une orientation en degrés depuis le nord",
        )
    if data.annual_cost_eur < 0:
        raise bad("coût annuel négatif", "annual_cost_eur", "un montant ≥ 0")
    if data.installed_on and data.removed_on and data.removed_on < data.installed_on:
        raise bad(
            f"dépose le {data.removed_on:%d/%m/%Y} avant l'installation le "
            f"{data.installed_on:%d/%m/%Y}",
            "removed_on",
            "une dépose après l'installation",
        )
    expiry = data.authorisation_expiry
    if data.authorisation_date is not None:
        years = s.authorisation_years
        latest = add_years(data.authorisation_date, years)
        if expiry is None:
            expiry = latest
        elif expiry <= data.authorisation_date:
            raise bad(
                "l'autorisation expire avant d'avoir été délivrée",
                "authorisation_expiry",
                "une échéance après la date de l'autorisation",
            )
        elif expiry > latest:
            raise bad(
                f"échéance d'autorisation au {expiry:%d/%m/%Y} : une autorisation préfectorale "
                f"vaut {years} ans au plus (CSI art. L252-4), soit le {latest:%d/%m/%Y}",
                "authorisation_expiry",
                f"au plus {years} ans après la date de l'autorisation (CSI art. L252-4)",
            )
    if not in_city(extent, data.lon, data.lat):
        raise bad(
            f"caméra hors de la commune : le point ({data.lat:.5f} N, {data.lon:.5f} E) "
            "n'est dans aucune des zones enregistrées (vérifiez l'ordre latitude/longitude)",
            "lat",
            "un point dans la commune (l'union des zones enregistrées)",
        )
    return dataclasses.replace(
        data,
        code=code,
        retention_days=r,
        heading_deg=None if data.field_angle_deg >= 360 else heading,
        authorisation_expiry=expiry,
    )
