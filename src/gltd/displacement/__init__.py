"""Displacement: did an intervention improve its target, and did crime move next door?

The public face of the package (the CLI, the web application and the benchmarks use these):

- :func:`run_displacement`: one analysis on the store (target, rings, control, Bowers &
  Johnson's measures, the WDD test and Andresen's SPPT), stored as
  ``AnalysisRun(kind="displacement")`` → :class:`DisplacementReport`;
- :func:`count_before_after` and :func:`make_rings`: the counting steps, on their own;
- :func:`write_report`: a report as JSON, HTML or PDF (:data:`FORMATS`), through the one
  document renderer (template :data:`TEMPLATE`, context :func:`displacement_context`).

Modules: ``inputs`` (target, periods, data checks, control, other interventions),
``service`` (the analysis and its typed result), ``output`` (the document and its map).
"""

from __future__ import annotations

from gltd.displacement.output import (
    BODY_TEMPLATE,
    FORMATS,
    TEMPLATE,
    displacement_context,
    measures_html,
    render_html,
    render_json,
    render_map_png,
    render_pdf,
    write_report,
)
from gltd.displacement.service import (
    DATA_TOLERANCE_DAYS,
    DisplacementReport,
    RingResult,
    count_before_after,
    make_rings,
    run_displacement,
)

__all__ = [
    "DATA_TOLERANCE_DAYS",
    "DisplacementReport",
    "RingResult",
    "run_displacement",
    "count_before_after",
    "make_rings",
    "FORMATS",
    "TEMPLATE",
    "BODY_TEMPLATE",
    "displacement_context",
    "measures_html",
    "render_json",
    "render_html",
    "render_pdf",
    "render_map_png",
    "write_report",
]
