"""The web map's « Imprimer / PDF » and exports: the layers and the period on screen,
drawn by :mod:`gltd.mapsheet` (the same page as ``gltd map``) in a background job whose
progress the page polls (:mod:`gltd.web.jobs`), then downloaded from the run's file."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from gltd.errors import InputError
from gltd.mapsheet import FORMATS, LAYER_LABELS, PAPERS, map_layers, parse_layers, write_map
from gltd.web.jobs import JobOutput, Progress
from gltd.web.map_data import check_cell
from gltd.web.periods import check_categories, choose_period

__all__ = ["KIND", "print_params", "print_job"]

#: The kind of the runs (the analyses list shows them).
KIND = "carte"


def print_params(body: dict[str, Any], *, can_cameras: bool) -> dict[str, Any]:
    """The job's parameters from the page's request, checked (French errors)."""
    choice = choose_period(_text(body.get("du")), _text(body.get("au")), None)
    fmt = str(body.get("format") or "pdf").lower()
    if fmt not in FORMATS:
        raise InputError(f"format inconnu : « {fmt[:20]} » (attendu : {', '.join(FORMATS)})")
    paper = str(body.get("paper") or "A4").upper()
    if paper not in PAPERS:
        raise InputError(f"papier inconnu : « {paper[:20]} » (attendu : {', '.join(PAPERS)})")
    raw = body.get("layers") or []
    layers = parse_layers([str(v) for v in raw] if isinstance(raw, list) else str(raw))
    if not can_cameras:
        layers = tuple(n for n in layers if n != "cameras")
    cats = body.get("categories") or []
    return {
        "first": choice.period.first_day.isoformat(),
        "last": choice.period.last_day.isoformat(),
        "categories": check_categories([str(c) for c in cats] if isinstance(cats, list) else []),
        "cell": check_cell(float(body.get("cell") or 250.0)),
        "layers": list(layers),
        "format": fmt,
        "paper": paper,
    }


def _text(v: Any) -> str | None:
    return str(v)[:40] if v else None


def print_job(cache: Any) -> Any:
    """The job function for :meth:`gltd.web.jobs.JobRunner.submit` (incidents from the
    web's in-memory cube ``cache``)."""
    from gltd.timeutil import make_period

    def run(engine: Engine, p: dict[str, Any], progress: Progress, results: Path) -> JobOutput:
        from datetime import date

        period = make_period(date.fromisoformat(p["first"]), date.fromisoformat(p["last"]))
        progress(0, 3, "calcul des couches")
        cube = cache.cube()
        sl, mask = cube.select(period.start, period.end, p["categories"])
        x, y, t = cube.x[sl], cube.y[sl], cube.t[sl]
        if mask is not None:
            x, y, t = x[mask], y[mask], t[mask]
        data = map_layers(engine, x, y, t, extent=cube.extent(), period=period,
                          categories=p["categories"], cell=p["cell"], layers=p["layers"])  # fmt: skip
        fmt = p["format"]
        progress(1, 3, "dessin de la carte" if fmt in ("pdf", "png") else "écriture des couches")
        out = results / f"carte-{uuid.uuid4().hex[:12]}.{fmt}"
        res = write_map(data, out, fmt, paper=p["paper"])
        progress(2, 3, "carte prête")
        what = ", ".join(LAYER_LABELS[n] for n in res.layers)
        summary = f"Carte {period.label()} ({what}), {res.n_events} faits localisés"
        result = {"format": fmt, "paper": p["paper"], "layers": list(res.layers),
                  "n_events": res.n_events, "period": period.label(), "notes": data.notes}  # fmt: skip
        return JobOutput(result, out.name, summary)

    return run
