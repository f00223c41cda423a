"""Surroundings of a study site: hotspot status, existing cameras, requisitions, past
interventions (displacement measures).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gltd.analysis.displacement import displacement_measures
from gltd.cctv.fov import covered_by_cameras
from gltd.cctv.inventory import list_cameras
from gltd.cctv.study.data import StudySite
from gltd.geo import WGS84, analysis_crs, fov_polygon, transformer
from gltd.hotspots import hotspot_map, incident_extent
from gltd.interventions import KIND_LABELS
from gltd.model import Intervention, Requisition
from gltd.store.queries import load_events
from gltd.store.zones import city_extent
from gltd.timeutil import PARIS

__all__ = ["hotspot_status", "existing_coverage", "nearby_requisitions", "past_interventions"]


#: Grid and neighbourhood of the study's Gi* (finer than the bilan's: a camera sees a street).
STUDY_CELL_M, STUDY_BAND_M = 100.0, 300.0


def hotspot_status(engine: Engine, x: np.ndarray, y: np.ndarray, site: StudySite) -> dict[str, Any]:
    """Gi* class of the site's cell on the last year's events ``x``, ``y``.

    The cells are those of :func:`gltd.hotspots.maps.hotspot_map` (the bilan's and the web
    map's), on the extent of every located incident of the store.
    """
    cell, band = STUDY_CELL_M, STUDY_BAND_M
    if len(x) == 0:
        return {"available": False, "note": "aucun fait : Gi* non calculé"}
    extent = incident_extent(engine)
    if extent is None:
        return {"available": False, "note": "aucun fait localisé : Gi* non calculé"}
    hm = hotspot_map(x, y, extent=extent, cell=cell, distance=band)
    if hm.note is not None:
        return {"available": False, "note": f"Gi* non calculé : {hm.note}"}
    here = hm.cell_at(site.x, site.y)
    if here is None:
        return {"available": False, "note": "site hors de l'emprise des faits : Gi* non calculé"}
    hot = hm.classes > 0
    # Hot cells near the site (displacement risk): within 500 m of the site, outside it.
    xc, yc = hm.grid.centres()
    d = np.hypot(xc - site.x, yc - site.y)
    near = hot & (d <= 500.0) & (d > site.radius_m)
    return {
        "available": True,
        "class": here.hot_cold_class,
        "label": here.label,
        "z": here.z,
        "p_fdr": here.p_fdr,
        "n_hot_cells_city": int(hot.sum()),
        "hot_cells_within_500m": int(near.sum()),
        "nearest_hot_cell_m": float(d[near].min()) if near.any() else None,
        "method": {"cell_m": cell, "distance_band_m": band, "period": "dernière année",
                   **{k: v for k, v in hm.method.items() if isinstance(v, str | int | float)}},
    }  # fmt: skip


def existing_coverage(
    engine: Engine, site: StudySite, day: date, ev: Any, in_site: np.ndarray
) -> dict[str, Any]:
    from shapely.ops import unary_union

    cams = list_cameras(engine, active_on=day)
    poly = site.polygon()
    overlapping = []
    polys = []
    for c in cams:
        p = fov_polygon(c.x, c.y, c.heading_deg, c.field_angle_deg, c.range_m)
        if p.intersects(poly):
            polys.append(p)
            lon, lat = c.lon, c.lat
            overlapping.append(
                {"code": c.code, "distance_m": round(math.hypot(c.x - site.x, c.y - site.y)),
                 "hd": c.hd, "lat": lat, "lon": lon, "heading_deg": c.heading_deg,
                 "field_angle_deg": c.field_angle_deg, "range_m": c.range_m,
                 "overlap_share": float(p.intersection(poly).area / poly.area)}
            )  # fmt: skip
    union = unary_union(polys) if polys else None
    share = float(union.intersection(poly).area / poly.area) if union is not None else 0.0
    n_site = int(in_site.sum())
    covered = int(covered_by_cameras(ev.x[in_site], ev.y[in_site], cams).sum())
    return {
        "n_cameras_in_service": len(cams),
        "overlapping_cameras": sorted(overlapping, key=lambda o: o["distance_m"]),
        "area_share": share,
        "incidents_already_covered": covered,
        "incidents_share_covered": covered / n_site if n_site else None,
    }


def nearby_requisitions(
    engine: Engine, site: StudySite, start: datetime, end: datetime
) -> dict[str, Any]:
    near_m = max(300.0, 2 * site.radius_m)
    cams = [c for c in list_cameras(engine) if math.hypot(c.x - site.x, c.y - site.y) <= near_m]
    codes = {c.code for c in cams}
    with Session(engine) as s:
        from sqlalchemy.orm import selectinload

        rows = s.execute(
            select(Requisition)
            .where(Requisition.received_at >= start, Requisition.received_at < end)
            .options(selectinload(Requisition.cameras))
        ).scalars().all()  # fmt: skip
        hits = [r for r in rows if codes & {c.code for c in r.cameras}]
        per_year: dict[int, int] = {}
        for r in hits:
            y = r.received_at.astimezone(PARIS).year
            per_year[y] = per_year.get(y, 0) + 1
        return {
            "radius_m": near_m,
            "cameras": sorted(codes),
            "count": len(hits),
            "per_year": dict(sorted(per_year.items())),
            "delivered": sum(r.status == "remise" for r in hits),
            "useful": sum(r.outcome == "utile" for r in hits),
            "out_of_time": sum(r.status == "hors_delai" for r in hits),
            "all_city": len(rows),
        }


def past_interventions(engine: Engine, site: StudySite, as_of: datetime) -> dict[str, Any]:
    import shapely
    from shapely import wkt
    from shapely.ops import transform

    tr = transformer(WGS84, analysis_crs()).transform
    extent = city_extent(engine)
    city = transform(tr, extent) if extent is not None else None
    with Session(engine) as s:
        rows = s.execute(select(Intervention)).scalars().all()
        items = []
        for iv in rows:
            target = transform(tr, wkt.loads(iv.geometry_wkt))
            dist = float(shapely.distance(target, shapely.Point(site.x, site.y)))
            if dist > 1000.0 or iv.started_on + timedelta(days=365) > as_of:
                continue
            buffer = target.buffer(250.0).difference(target)
            a0, a1 = iv.started_on - timedelta(days=365), iv.started_on + timedelta(days=365)
            ev = load_events(engine, start=a0, end=a1)
            before = ev.t < np.datetime64(iv.started_on.astimezone(UTC).replace(tzinfo=None))
            in_a = shapely.contains_xy(target, ev.x, ev.y)
            in_b = shapely.contains_xy(buffer, ev.x, ev.y)
            in_c = ~(in_a | in_b)
            if city is not None:
                in_c &= shapely.contains_xy(city, ev.x, ev.y)
            counts = [int((m & before).sum()) for m in (in_a, in_b, in_c)]
            counts_after = [int((m & ~before).sum()) for m in (in_a, in_b, in_c)]
            dm = displacement_measures(
                counts[0], counts_after[0], counts[1], counts_after[1], counts[2], counts_after[2]
            )
            items.append(
                {"id": iv.id, "name": iv.name, "kind": iv.kind,
                 "kind_label": KIND_LABELS.get(iv.kind, iv.kind), "distance_m": round(dist),
                 "started_on": iv.started_on.astimezone(PARIS).date().isoformat(),
                 **dm.as_dict()}
            )  # fmt: skip
    return {
        "available": True,
        "items": items,
        "method": "cible = périmètre de l'intervention, tampon = anneau de 250 m, témoin = "
        "reste de la commune ; un an avant / un an après (Bowers & Johnson 2003)",
    }
