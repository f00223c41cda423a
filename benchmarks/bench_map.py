"""Printable map on a database of 1,000,000 incidents: ``gltd map`` A3 PDF, from the
database to the file, next to a hand-made matplotlib map of the same counts.

The database is the one of ``bench_report.py`` (the Orléans demo plus uniform extra
incidents up to N, Core bulk inserts; built if absent). The map is the bilan's period
(24/03/2018 – 24/09/2018), layers zones, density, Gi* hot spots and cameras, A3
landscape. The peer reads the period's x, y with ``pandas.read_sql``, bins them with
``numpy.histogram2d`` on the same 250 m grid and saves one ``imshow`` as PDF: no test,
no legend, no zones, no page.

Run: ``.venv/bin/python benchmarks/bench_map.py [--n 1000000] [--db PATH]``.
Target (issue #14): a printable A3 map ≤ 5 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import open_database  # noqa: E402
from sqlalchemy import select  # noqa: E402

from gltd.mapsheet import map_from_store, write_map  # noqa: E402
from gltd.model import Incident  # noqa: E402
from gltd.store.engine import make_engine  # noqa: E402
from gltd.timeutil import parse_period  # noqa: E402

LAYERS = ("zones", "density", "hotspots", "cameras")


def peer(url: str, period: object, out: Path) -> float:
    """pandas + numpy + matplotlib: the period's counts per 250 m cell saved as a PDF."""
    import numpy as np
    import pandas as pd

    from gltd.documents.figures import pyplot

    t = time.perf_counter()
    frame = pd.read_sql(
        select(Incident.x, Incident.y).where(
            Incident.occurred_at >= period.start,  # type: ignore[attr-defined]
            Incident.occurred_at < period.end,  # type: ignore[attr-defined]
        ),
        make_engine(url),
    )
    x, y = frame["x"].to_numpy(), frame["y"].to_numpy()
    bx = np.arange(x.min(), x.max() + 250, 250)
    by = np.arange(y.min(), y.max() + 250, 250)
    h, _, _ = np.histogram2d(y, x, bins=[by, bx])
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(16.5, 11.7))
    ax.imshow(np.ma.masked_equal(h, 0), origin="lower", cmap="YlOrRd")
    fig.savefig(out, format="pdf")
    plt.close(fig)
    return time.perf_counter() - t


def main() -> None:
    """Build the database if needed, then time the printable map and the peer."""
    url, engine, n = open_database()
    period = parse_period("2018-03-24..2018-09-24")
    out = Path(tempfile.gettempdir())
    rows = []
    for run in ("premier appel (imports, polices)", "appel suivant (processus chaud)"):
        t = time.perf_counter()
        data = map_from_store(engine, period=period, categories=[], cell=250.0, layers=LAYERS)
        t_layers = time.perf_counter() - t
        write_map(data, out / "bench_carte_a3.pdf", "pdf", paper="A3")
        rows.append((run, time.perf_counter() - t, t_layers, data.n_events))
    t_peer = peer(url, period, out / "bench_carte_peer.pdf")
    print(f"faits dans la base : {n:,} ; faits localisés de la période : {rows[0][3]:,}")
    print(f"{'tâche':<52}{'total (s)':>10}{'couches (s)':>13}")
    for run, total, layers, _ in rows:
        print(f"{'carte A3 PDF, ' + run:<52}{total:>10.2f}{layers:>13.2f}")
    print(f"{'référence pandas + matplotlib (une image, PDF)':<52}{t_peer:>10.2f}")
    print(f"ratio carte A3 gltd (dernier passage) / référence : {rows[-1][1] / t_peer:.1f}")


if __name__ == "__main__":
    main()
