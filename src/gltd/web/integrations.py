"""Calls into the services shared with the CLI (bilan, near-repeat, siting).

Kept apart so that the rest of the web app does not depend on their exact signatures:
each function turns the typed form values into the service's arguments, runs it with a
progress callback, writes the downloadable file in the results folder and returns a
:class:`~gltd.web.jobs.JobOutput`.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from gltd.timeutil import make_period
from gltd.web.jobs import JobOutput, Progress

__all__ = ["run_bilan", "run_near_repeat", "run_siting"]


def _out(results: Path, stem: str, suffix: str) -> Path:
    return results / f"{stem}-{uuid.uuid4().hex[:12]}{suffix}"


def run_bilan(engine: Engine, v: dict[str, Any], progress: Progress, results: Path) -> JobOutput:
    """Build the bilan (:func:`gltd.report.builder.build_bilan`) and render it."""
    from gltd.report.builder import build_bilan, resolve_compare
    from gltd.report.render import render_json, write_report

    period = make_period(v["first"], v["last"])
    compare, kind = resolve_compare(period, v["compare"])
    progress(0, 3, "comptages et tests")
    bilan = build_bilan(engine, period, compare, compare_kind=kind)
    progress(1, 3, "mise en page")
    edition = v.get("edition") or "complete"
    out = _out(results, "bilan-presse" if edition == "presse" else "bilan", "." + v["format"])
    write_report(bilan, v["format"], out, edition=edition)
    progress(2, 3, "terminé")
    data = json.loads(render_json(bilan))
    summary = f"Bilan {period.label()} comparé {compare.label()}" + (
        " (édition presse)." if edition == "presse" else "."
    )
    return JobOutput(data, out.name, summary)


def run_near_repeat(
    engine: Engine, v: dict[str, Any], progress: Progress, results: Path
) -> JobOutput:
    """Knox near-repeat test on the store's incidents (:mod:`gltd.near_repeat`)."""
    from gltd.near_repeat import NearRepeatParams, render, run_from_db

    params = NearRepeatParams(
        distance_edges=(0.0, 0.1, 100.0, 200.0, 300.0, 400.0, 500.0),
        time_edges=(0.0, 7.0, 14.0, 21.0, 28.0, 35.0),
        permutations=int(v["permutations"]),
        seed=0,
    )
    period = make_period(v["first"], v["last"])

    def step(done: int, total: int) -> None:
        progress(done, total, f"permutations : {done} / {total}")

    stored = run_from_db(
        engine,
        params,
        period=period,
        categories=v.get("categories") or None,
        created_by=v.get("_by"),
        progress=step,
        store=False,  # the job's run is the one run (it feeds « gltd near-repeat alerts »)
    )
    out = _out(results, "repetitions", ".html")
    out.write_text(render(stored.result, "html", source=period.label()), encoding="utf-8")
    return JobOutput(
        stored.result.to_dict(),
        out.name,
        "Analyse enregistrée : elle sert aux alertes de répétitions proches.",
        params=stored.params,
    )


def run_siting(engine: Engine, v: dict[str, Any], progress: Progress, results: Path) -> JobOutput:
    """Maximal covering siting of new cameras (:func:`gltd.cctv.siting.run_siting`)."""
    from gltd.cctv.siting import run_siting as siting
    from gltd.cctv.siting import write_siting

    period = make_period(v["first"], v["last"])
    progress(0, 3, "couverture des sites candidats")
    res = siting(
        engine,
        grid=100.0,
        k=int(v["n_sites"]),
        radius=float(v["radius"]),
        categories=v.get("categories") or None,
        start=period.start,
        end=period.end,
        store=False,
        by=v.get("_by"),
        progress=lambda msg: progress(1, 3, msg),
    )
    progress(2, 3, "document PDF")
    out = write_siting(engine, res, "pdf", _out(results, "implantation", ".pdf"))
    return JobOutput(res, out.name)
