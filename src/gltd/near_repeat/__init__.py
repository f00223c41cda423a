"""Near repeat: after an event, are nearby places at higher risk for a while (Knox test)?

The public face of the package (the CLI, the web application and the bilan use these):

- :func:`read_events_csv` (and :func:`read_events`): a file like the Near Repeat
  Calculator's (x, y, date without header) or with a header (x/y or lon/lat, date);
- :func:`run_from_file` / :func:`run_from_db` with :class:`NearRepeatParams`: the Knox
  test of :func:`gltd.analysis.knox.near_repeat`; a run on the store is saved as
  ``AnalysisRun(kind="near_repeat")`` (:data:`KIND`);
- :func:`near_repeat_alerts` (→ :class:`AlertReport` of :class:`NearRepeatAlert`) and
  :func:`alerts_geojson`: where and until when nearby places are at higher risk;
- :func:`render`: a result as CSV, JSON or an HTML table (template :data:`TEMPLATE`,
  context :func:`near_repeat_context`).

Modules: ``io`` (reading event files, rendering a result), ``service`` (runs and alerts).
The statistic itself is :mod:`gltd.analysis.knox`.
"""

from __future__ import annotations

from gltd.near_repeat.io import (
    TABLE_TEMPLATE,
    TEMPLATE,
    XY_AS_GIVEN,
    knox_table_context,
    knox_table_html,
    near_repeat_context,
    read_events,
    read_events_csv,
    render,
)
from gltd.near_repeat.service import (
    KIND,
    AlertReport,
    NearRepeatAlert,
    NearRepeatParams,
    alerts_geojson,
    near_repeat_alerts,
    parse_bands,
    run_from_db,
    run_from_file,
)

__all__ = [
    "KIND",
    "TEMPLATE",
    "TABLE_TEMPLATE",
    "XY_AS_GIVEN",
    "AlertReport",
    "NearRepeatAlert",
    "NearRepeatParams",
    "alerts_geojson",
    "near_repeat_alerts",
    "near_repeat_context",
    "knox_table_context",
    "knox_table_html",
    "parse_bands",
    "read_events",
    "read_events_csv",
    "render",
    "run_from_db",
    "run_from_file",
]
