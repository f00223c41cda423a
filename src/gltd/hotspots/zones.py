"""Hotspots on zones (quartiers, IRIS, secteurs…): Gi* and local Moran on events counted
per polygon.

- :func:`check_units`: refuse inconsistent unit options before any work.
- :func:`load_db_zones`: the zones stored in the database (optionally of one kind).
- :func:`zone_weights`: queen / rook contiguity (libpysal), distance band between
  centroids or k nearest centroids.
- :func:`run_hotspots_zones`: events → counts per zone (point in polygon) → optional rate
  per km² → Gi* or LISA → :class:`~gltd.hotspots.result.HotspotResult` with the zone
  polygons, the ``method`` block and every zone.

Polygons from a file are read by :func:`gltd.mapping.zones.read_zones_file`.

Zones without any neighbour (islands) are kept and reported: their Gi* z is computed as
esda computes it (the zone alone against the mean) but never classed hot or cold; LISA is
computed on the other zones and the islands get no statistic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from gltd.analysis.events import EventSet
from gltd.analysis.gistar import CLASS_LABELS_FR, gi_star
from gltd.analysis.grid import Grid, locate_in_zones
from gltd.analysis.lisa import QUADRANT_LABELS_FR, local_moran
from gltd.analysis.weights import (
    CONTIGUITY,
    WeightsSpec,
    contiguity,
    distance_band,
    islands,
    knn,
    parse_weights,
)
from gltd.errors import InputError
from gltd.geo import analysis_crs
from gltd.hotspots.inputs import (
    check_events,
    crs_caption,
    crs_said,
    period_dict,
    period_label,
    select_events,
)
from gltd.hotspots.result import HotColdCount, HotspotResult, ZoneCount, clean_value
from gltd.mapping.render import MapLayers
from gltd.mapping.zones import clean_zone_geometries, overlapping_pairs
from gltd.timeutil import Period

__all__ = [
    "UNITS",
    "ZONE_METHODS",
    "RATES",
    "DEFAULT_ZONE_WEIGHTS",
    "ZONES_NO_TIF",
    "check_units",
    "load_db_zones",
    "zone_weights",
    "run_hotspots_zones",
]

ZONE_METHODS = ("gistar", "lisa")
RATES = ("none", "area")
#: Default neighbourhood between zones (see docs/hotspots.md for the reason).
DEFAULT_ZONE_WEIGHTS = "queen"
UNITS = ("grid", "zones")
ZONES_NO_TIF = (
    "--format tif : un raster n'existe que pour la grille ; pour des zones, choisissez "
    "geojson, gpkg, json ou png"
)


def check_units(
    units: str,
    *,
    zone_kind: str | None = None,
    zones_file: str | Path | None = None,
    rate: str = "none",
    fmt: str | None = None,
) -> None:
    """Refuse inconsistent unit options before any work (French messages)."""
    if units not in UNITS:
        raise InputError(f"--units : « {units} » inconnu (attendu grid ou zones)")
    if units == "grid":
        used = [
            o
            for o, v in (("--zone-kind", zone_kind), ("--zones-file", zones_file))
            if v is not None
        ] + (["--rate"] if rate != "none" else [])
        if used:
            raise InputError(
                f"{', '.join(used)} : réservé à l'analyse par zones (ajoutez --units zones)"
            )
    elif fmt == "tif":
        raise InputError(ZONES_NO_TIF)


def load_db_zones(engine: Any, kind: str | None = None) -> Any:
    """Stored zones (Lambert-93), of one ``kind`` when given.

    Without ``kind``, all stored zones are used unless zones of different kinds overlap
    (a quartier and its IRIS): then the caller must choose a kind.
    """
    from gltd.store.zones import load_zones

    every = load_zones(engine)
    if len(every) == 0:
        raise InputError(
            "--units zones : aucune zone enregistrée dans la base ; importez-en "
            "(gltd import zones FICHIER) ou donnez un fichier de polygones (--zones-file)"
        )
    kinds = every["kind"].value_counts().sort_index()
    listing = ", ".join(f"{k} ({n})" for k, n in kinds.items())
    if kind:
        zones = every[every["kind"] == kind].reset_index(drop=True)
        if len(zones) == 0:
            raise InputError(
                f"aucune zone de type « {kind} » dans la base (types enregistrés : {listing})"
            )
    else:
        zones = every.reset_index(drop=True)
        if len(kinds) > 1 and overlapping_pairs(zones.geometry.to_numpy()):
            raise InputError(
                "des zones de types différents se chevauchent dans la base "
                f"({listing}) : choisissez un type avec --zone-kind"
            )
    zones = zones.assign(code=None)[["id", "name", "kind", "code", "geometry"]]
    return clean_zone_geometries(zones, "base gltd")


def zone_weights(zones: Any, spec: WeightsSpec) -> sparse.csr_array:
    """Binary weights between zones (rows in the zones' order, no self-weights).

    ``queen`` / ``rook``: libpysal contiguity of the polygons; ``distance``: zones whose
    centroids are at most ``spec.value`` metres apart; ``knn``: the ``k`` zones with the
    nearest centroids.
    """
    if spec.kind in CONTIGUITY:
        return contiguity(zones.geometry.to_numpy(), rook=spec.kind == "rook")
    c = zones.geometry.centroid
    xy = np.column_stack([c.x.to_numpy(), c.y.to_numpy()])
    if spec.kind == "distance":
        return distance_band(xy, spec.value)
    return knn(xy, int(spec.value))


def _bounding_grid(zones: Any) -> Grid:
    """One square cell covering the zones (for the map frame; zones have no raster)."""
    x0, y0, x1, y1 = (float(v) for v in zones.total_bounds)
    side = max(x1 - x0, y1 - y0, 1.0)
    return Grid(x0=x0, y0=y0, cell=side, nx=1, ny=1, crs=analysis_crs())


def run_hotspots_zones(
    events: EventSet,
    zones: Any,
    *,
    method: str,
    weights: str | None = None,
    rate: str = "none",
    period: Period | None = None,
    categories: Sequence[str] | None = None,
    source: str = "",
    zones_source: str = "",
    permutations: int = 999,
    seed: int = 0,
    lisa_engine: str = "gltd",
    progress: Callable[[str], None] | None = None,
) -> HotspotResult:
    """Gi* or LISA on the events counted per zone.

    Parameters
    ----------
    events : EventSet
        Events in Lambert-93 (all periods; ``period`` and ``categories`` select).
    zones : GeoDataFrame
        Polygons in Lambert-93 with columns ``id`` and ``name`` (``kind``, ``code``
        optional), as :func:`gltd.mapping.zones.read_zones_file` or :func:`load_db_zones`
        give.
    method : ``"gistar"`` or ``"lisa"``
    weights : str, optional
        ``queen`` (default), ``rook``, ``distance:METRES`` (between centroids) or
        ``knn:K``.
    rate : ``"none"`` or ``"area"``
        Analyse counts, or counts per km² of the zone.
    lisa_engine : ``"gltd"`` or ``"esda"``
        Permutation engine of :func:`gltd.analysis.lisa.local_moran`.

    Returns
    -------
    HotspotResult
        ``document`` has ``method``, ``summary`` and ``zones`` (one record per zone);
        ``frame`` is the zone polygons with the same fields.
    """
    if method not in ZONE_METHODS:
        raise InputError(
            f"--units zones : méthode « {method} » non disponible sur des zones "
            f"(attendu {' ou '.join(ZONE_METHODS)} ; kde, emerging et compare travaillent "
            "sur la grille)"
        )
    if rate not in RATES:
        raise InputError(f"--rate : « {rate} » inconnu (attendu none ou area)")
    say = progress or (lambda _msg: None)
    spec = parse_weights(weights or DEFAULT_ZONE_WEIGHTS, polygons=True)
    cats = list(categories or [])
    ev = select_events(events, period, cats)
    what = f"sur la période {period_label(period)}" + (f" ({', '.join(cats)})" if cats else "")
    check_events(ev, what, method)
    n_zones = len(zones)
    if n_zones < 3:
        raise InputError(
            f"--units zones : {n_zones} zone(s) seulement ; Gi* et LISA comparent chaque "
            "zone à ses voisines et à l'ensemble, il en faut au moins 3"
        )
    say("calcul")
    geoms = zones.geometry.to_numpy()
    where = locate_in_zones(ev.x, ev.y, geoms)
    counts = np.bincount(where[where >= 0], minlength=n_zones).astype("int64")
    n_in = int(counts.sum())
    if n_in == 0:
        raise InputError(
            f"aucun des {ev.n} faits {what} ne tombe dans les {n_zones} zones : vérifiez le "
            "système de coordonnées des zones et des faits"
        )
    area_km2 = np.asarray(zones.geometry.area, dtype="float64") / 1e6
    values = counts / area_km2 if rate == "area" else counts.astype("float64")
    w = zone_weights(zones, spec)
    isl = islands(w)
    is_island = np.zeros(n_zones, dtype=bool)
    is_island[isl] = True
    n_neigh = np.diff(sparse.csr_array(w).indptr)
    zid = np.asarray(zones["id"], dtype="int64")
    names = [str(v) for v in zones["name"]]
    warnings: list[str] = []
    if isl.size:
        listed = ", ".join(names[i] for i in isl[:10]) + (" …" if isl.size > 10 else "")
        warnings.append(
            f"{isl.size} zone(s) sans voisin avec le voisinage {spec.label()} : {listed}. "
            + (
                "Leur z Gi* ne compare que la zone elle-même à la moyenne : elles ne sont "
                "jamais classées point chaud ou froid"
                if method == "gistar"
                else "LISA est calculé sans elles ; elles n'ont ni statistique ni classe"
            )
            + " (voisinage plus large : --weights knn:K ou distance:MÈTRES)"
        )
    overlaps = overlapping_pairs(geoms)
    if overlaps:
        warnings.append(
            f"{len(overlaps)} paire(s) de zones se chevauchent : un fait situé dans plusieurs "
            "zones est compté dans la plus petite"
        )
    n_out = ev.n - n_in
    if n_out:
        warnings.append(f"{n_out} fait(s) hors de toutes les zones, non comptés")
    p_raw: np.ndarray | None = None
    hot_cold: HotColdCount | None
    draw = np.zeros(n_zones, dtype="int64")
    draw_labels: dict[int, str] = {}
    if method == "gistar":
        g = gi_star(values, w)
        stat, pval = g.z, g.p_fdr
        p_raw = g.p
        cls = g.hot_cold_class.copy()
        cls[is_island] = 0
        draw = cls
        stat_method = g.method
        summary: dict[str, Any] = {
            "n_hot": int((cls > 0).sum()),
            "n_cold": int((cls < 0).sum()),
            "by_class": {CLASS_LABELS_FR[k]: int((cls == k).sum()) for k in range(-3, 4)},
        }
        title = "Zones chaudes et froides (Getis-Ord Gi*)"
        hot_cold = HotColdCount(n_hot=summary["n_hot"], n_cold=summary["n_cold"])
    else:
        keep = np.flatnonzero(~is_island)
        if keep.size < 3:
            raise InputError(
                f"LISA impossible : {keep.size} zone(s) seulement ont au moins un voisin "
                f"avec le voisinage {spec.label()} (il en faut 3) ; essayez --weights knn:4"
            )
        sub = sparse.csr_array(w)[keep][:, keep]
        lr = local_moran(
            values[keep], sub, permutations=permutations, seed=seed, engine=lisa_engine
        )
        stat = np.full(n_zones, np.nan)
        pval = np.full(n_zones, np.nan)
        cls = np.zeros(n_zones, dtype="int64")
        stat[keep], pval[keep], cls[keep] = lr.local_i, lr.p_sim, lr.cluster
        draw = np.select([cls == 1, cls == 3, cls == 4, cls == 2], [2, -2, 1, -1], 0)
        draw_labels = {
            2: QUADRANT_LABELS_FR[1],
            -2: QUADRANT_LABELS_FR[3],
            1: QUADRANT_LABELS_FR[4],
            -1: QUADRANT_LABELS_FR[2],
        }
        stat_method = {**lr.method, "n": int(keep.size)}
        summary = {QUADRANT_LABELS_FR[k]: int((cls == k).sum()) for k in range(5)}
        title = "Concentrations locales par zone (I de Moran local)"
        hot_cold = None
    say("mise en forme")
    summary["islands"] = [{"id": int(zid[i]), "name": names[i]} for i in isl.tolist()]
    summary["warnings"] = warnings
    centre = zones.geometry.centroid
    cols: dict[str, Any] = {
        "zone_id": zid,
        "name": names,
        "kind": [clean_value(k) for k in zones["kind"]],
        "code": [clean_value(c) for c in zones["code"]] if "code" in zones else [None] * n_zones,
        "x": centre.x.to_numpy(),
        "y": centre.y.to_numpy(),
        "area_km2": area_km2,
        "count": counts,
    }
    if rate == "area":
        cols["rate_km2"] = values
    cols |= {"statistic": stat, "p_value": pval, "class": cls}
    if p_raw is not None:
        cols["p_raw"] = p_raw
    cols |= {"island": is_island, "n_neighbours": n_neigh}
    import geopandas as gpd

    attrs = {
        k: [clean_value(v) for v in np.asarray(c, dtype=object).tolist()] for k, c in cols.items()
    }
    records = [
        {("id" if k == "zone_id" else k): attrs[k][i] for k in attrs} for i in range(n_zones)
    ]
    attrs = {k: v for k, v in attrs.items() if any(a is not None for a in v)}
    frame = gpd.GeoDataFrame(attrs, geometry=geoms, crs=analysis_crs())
    value_desc = "faits par km² de la zone (--rate area)" if rate == "area" else "nombre de faits"
    kinds_used = sorted({str(k) for k in zones["kind"] if k is not None})
    mblock: dict[str, Any] = {
        "name": method,
        "units": "zones",
        "crs": crs_said(ev),
        "period": period_dict(period),
        "categories": cats or "toutes",
        "source": source,
        **stat_method,
        "n": ev.n,
        "n_in_zones": n_in,
        "n_outside_zones": n_out,
        "n_locations": n_zones,
        "value": value_desc,
        "weights": spec.describe(self_weight=method == "gistar"),
        "zones": {
            "source": zones_source,
            "kinds": kinds_used,
            "n_zones": n_zones,
            "n_islands": int(isl.size),
            "assignment": "point dans le polygone (limite incluse ; zones superposées : "
            "la plus petite)",
            "centre": "centroïde du polygone (Lambert-93)",
        },
    }
    caption_src = f"Source : {source}. " if source else ""
    zsrc = f" ({zones_source})" if zones_source else ""
    caption = (
        f"Période : {period_label(period)}. {caption_src}Méthode : {method} sur {n_zones} "
        f"zones{zsrc}, valeur : {value_desc}, voisinage {spec.label()}"
        + (", correction FDR (Benjamini-Hochberg)" if method == "gistar" else "")
        + (f", {isl.size} zone(s) sans voisin" if isl.size else "")
        + f". n = {n_in} faits dans les zones. {crs_caption(ev)}"
    )
    grid = _bounding_grid(zones)
    layers = MapLayers(
        grid,
        title,
        caption,
        polygons=frame,
        polygon_classes=draw,
        polygon_class_labels=draw_labels,
    )
    document = {"method": mblock, "summary": summary, "zones": records}
    return HotspotResult(
        method=method,
        units="zones",
        n_events=ev.n,
        document=document,
        grid=grid,
        frame=frame,
        raster=np.asarray(stat, dtype="float64"),
        raster_label="z Gi*" if method == "gistar" else "I de Moran local",
        layers=layers,
        hot_cold=hot_cold,
        zones=ZoneCount(n_zones=n_zones, n_in_zones=n_in, n_outside_zones=n_out),
        warnings=tuple(warnings),
    )
