"""Coordinates: lon/lat (WGS84) or x/y in a declared CRS, checked and projected.

Every located row gets WGS84 lon/lat (stored, for maps and exports) and x/y in the
analysis CRS (Lambert-93, EPSG:2154 by default; stored for fast loading). Points are
checked against the *area of use* published for the declared CRS (EPSG registry, via
PROJ) and against the area of the analysis CRS: a point outside both is refused, and when
swapping the two coordinates puts it inside, the message says the columns look swapped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import CRS
from pyproj.exceptions import CRSError

from gltd.errors import InputError
from gltd.geo import WGS84, transformer
from gltd.ingest.validate import ProblemLog

__all__ = ["Located", "check_crs", "locate", "area_bounds", "DEFAULT_XY_CRS", "WGS84"]

DEFAULT_XY_CRS = "EPSG:2154"
#: Tolerance (degrees) around the published area-of-use boxes.
AREA_TOLERANCE_DEG = 0.05


@dataclass
class Located:
    """Projected coordinates (NaN where a row has none)."""

    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    #: Rows placed from an address: numéro / voie (None elsewhere), and the 0–1 score.
    geocode_precision: np.ndarray | None = None
    geocode_score: np.ndarray | None = None


def check_crs(crs: str) -> CRS:
    """Parse a CRS given by the user (``EPSG:2154``, ``2154``, a PROJ string...)."""
    text = crs.strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise InputError(
            f"système de coordonnées inconnu : « {crs} » (attendu un code EPSG, "
            "ex. EPSG:2154 pour Lambert-93 ou EPSG:4326 pour longitude/latitude WGS84)"
        ) from None


#: French names of the systems met in French files (PROJ's database names them in English).
CRS_NAMES_FR = {
    4326: "WGS84, monde entier",
    4171: "RGF93 géographique, France",
    3857: "Web Mercator, monde entier",
    2154: "Lambert-93, France métropolitaine et Corse",
    27572: "Lambert II étendu, France métropolitaine",
    2972: "UTM 22 Nord, Guyane",
    2973: "UTM 20 Nord, Martinique",
    2975: "UTM 40 Sud, La Réunion",
    **{3900 + cc: f"Lambert CC{cc}, bande de France métropolitaine" for cc in range(42, 51)},
    **{32600 + zone: f"UTM zone {zone} Nord" for zone in (30, 31, 32)},
}


def crs_name_fr(c: CRS) -> str:
    """A French name of a CRS's area of use: never the English text of PROJ's database."""
    code = c.to_epsg()
    if code in CRS_NAMES_FR:
        return CRS_NAMES_FR[code]
    return "zone de validité publiée par le registre EPSG"


def area_bounds(crs: str) -> tuple[float, float, float, float, str]:
    """(west, south, east, north, French name) of the area of use of a CRS, in degrees."""
    c = CRS.from_user_input(crs)
    a = c.area_of_use
    if a is None:
        return (-180.0, -90.0, 180.0, 90.0, "monde entier")
    return (a.west, a.south, a.east, a.north, crs_name_fr(c))


def _inside(
    lon: np.ndarray, lat: np.ndarray, bounds: tuple[float, float, float, float]
) -> np.ndarray:
    w, s, e, n = bounds
    t = AREA_TOLERANCE_DEG
    with np.errstate(invalid="ignore"):
        return (
            np.isfinite(lon)
            & np.isfinite(lat)
            & (lon >= w - t)
            & (lon <= e + t)
            & (lat >= s - t)
            & (lat <= n + t)
        )


def _to_lonlat(a: np.ndarray, b: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    if CRS.from_user_input(crs).equals(CRS.from_user_input(WGS84)):
        lon, lat = a.copy(), b.copy()
        with np.errstate(invalid="ignore"):
            out = (np.abs(lon) > 180) | (np.abs(lat) > 90)
        lon[out] = np.nan
        lat[out] = np.nan
        return lon, lat
    lon, lat = transformer(crs, WGS84).transform(a, b, errcheck=False)
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    bad = ~np.isfinite(lon) | ~np.isfinite(lat)
    lon[bad] = np.nan
    lat[bad] = np.nan
    return lon, lat


def locate(
    a: np.ndarray,
    b: np.ndarray,
    crs: str,
    analysis_crs: str,
    log: ProblemLog,
    columns: tuple[str, str],
    raw: tuple[object, object],
) -> Located:
    """Project coordinates (``a`` = lon or x, ``b`` = lat or y) and check their area.

    Rows where both coordinates are NaN are left unlocated (NaN). Rows outside the area
    of use of ``crs`` or of ``analysis_crs`` are recorded in ``log``; when swapping the
    two coordinates puts a point inside, the problem says so.
    """
    lon, lat = _to_lonlat(a, b, crs)
    has = ~(np.isnan(a) & np.isnan(b))
    one_missing = np.isnan(a) ^ np.isnan(b)
    w1, s1, e1, n1, name1 = area_bounds(crs)
    w2, s2, e2, n2, name2 = area_bounds(analysis_crs)
    box = (max(w1, w2), max(s1, s2), min(e1, e2), min(n1, n2))
    ok = _inside(lon, lat, box)
    out = has & ~one_missing & ~ok
    geo = CRS.from_user_input(crs).is_geographic
    label = f"{columns[0]}/{columns[1]}"
    expected = (
        f"un point dans la zone de validité de {crs} ({name1}) et de {analysis_crs} "
        f"({name2}) : longitude {box[0]:.2f} à {box[2]:.2f}, latitude {box[1]:.2f} à "
        f"{box[3]:.2f}"
    )
    if out.any():
        slon, slat = _to_lonlat(b, a, crs)
        swapped = out & _inside(slon, slat, box)
        other = out & ~swapped
        pair = _pairs(raw, out)
        log.add_mask(
            swapped,
            label,
            pair,
            f"{columns[1]}/{columns[0]} dans l'autre sens",
            (
                "longitude et latitude inversées (les valeurs échangées tombent dans la zone)"
                if geo
                else "x et y inversés (les valeurs échangées tombent dans la zone)"
            ),
        )
        hint = (
            " ; des x/y en mètres ? précisez le système de coordonnées (--crs, ou le champ "
            "« Système de coordonnées » de l'import web ; Lambert-93 : EPSG:2154)"
            if geo
            else " ; des longitudes/latitudes ? nommez les colonnes lon/lat ou précisez le "
            "système de coordonnées"
        )
        log.add_mask(
            other,
            label,
            pair,
            expected,
            f"coordonnées hors de la zone de validité du système {crs}{hint}",
        )
    if one_missing.any():
        log.add_mask(
            one_missing,
            label,
            _pairs(raw, one_missing),
            "les deux coordonnées, ou aucune",
            "coordonnée incomplète",
        )
    good = has & ~out & ~one_missing
    lon = np.where(good, lon, np.nan)
    lat = np.where(good, lat, np.nan)
    if CRS.from_user_input(crs).equals(CRS.from_user_input(analysis_crs)):
        x, y = a, b  # already in the analysis CRS: keep the source values exactly
    else:
        x, y = transformer(WGS84, analysis_crs).transform(lon, lat, errcheck=False)
    x = np.where(good, np.asarray(x, dtype="float64"), np.nan)
    y = np.where(good, np.asarray(y, dtype="float64"), np.nan)
    return Located(lon, lat, x, y)


def _pairs(raw: tuple[object, object], mask: np.ndarray) -> np.ndarray:
    """Both raw values as "a ; b", only where ``mask`` (others stay empty)."""
    ra = np.asarray(raw[0], dtype=object)
    rb = np.asarray(raw[1], dtype=object)
    out = np.full(len(ra), "", dtype=object)
    for i in np.flatnonzero(mask):
        out[i] = f"{ra[i]} ; {rb[i]}"
    return out
