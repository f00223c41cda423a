"""On data that is not the demo, the bilan's zone counts are a plain pandas group-by."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from gltd.analysis.trends import poisson_rate_test
from gltd.model import Incident, Operation, Zone
from gltd.report.builder import build_bilan, resolve_compare
from gltd.store.engine import make_engine, session_scope
from gltd.timeutil import PARIS, parse_period

SQUARES = {
    "Nord": "POLYGON((1.90 47.91, 1.91 47.91, 1.91 47.92, 1.90 47.92, 1.90 47.91))",
    "Sud": "POLYGON((1.90 47.89, 1.91 47.89, 1.91 47.90, 1.90 47.90, 1.90 47.89))",
    "Gare": "POLYGON((1.92 47.90, 1.93 47.90, 1.93 47.91, 1.92 47.91, 1.92 47.90))",
}
CATS = ["trafic_stupefiants", "usage_stupefiants", "point_de_deal", "cambriolages"]


def _load(url: str, seed: int) -> pd.DataFrame:
    """Write random incidents (some without zone, some at the period edges) via the ORM."""
    rng = np.random.default_rng(seed)
    engine = make_engine(url)
    rows = []
    with session_scope(engine) as s:
        zones = [Zone(name=n, kind="quartier", geometry_wkt=w) for n, w in SQUARES.items()]
        s.add_all(zones)
        s.flush()
        ids = [z.id for z in zones] + [None]
        names = [*SQUARES, "Sans zone"]
        t0 = datetime(2019, 4, 1, tzinfo=PARIS)
        for i in range(1500):
            t = t0 + timedelta(minutes=int(rng.integers(0, 60 * 24 * 520)))
            k = int(rng.integers(0, len(ids)))
            zid = ids[k]
            cat = CATS[int(rng.integers(0, len(CATS)))]
            rows.append({"occurred_at": t.astimezone(UTC), "zone": names[k], "category": cat})
            s.add(
                Incident(
                    occurred_at=t,
                    category=cat,
                    lon=1.905,
                    lat=47.905,
                    x=620_000.0 + float(rng.normal(0, 300)),
                    y=6_755_000.0 + float(rng.normal(0, 300)),
                    zone_id=zid,
                    source="test",
                    source_ref=f"T{i}",
                )
            )
        # Exactly on the edges of the period: first instant in, first instant after out.
        for ref, t in (
            ("edge-in", datetime(2020, 6, 1, tzinfo=PARIS)),
            ("edge-out", datetime(2020, 9, 1, tzinfo=PARIS)),
        ):
            rows.append({"occurred_at": t.astimezone(UTC), "zone": names[0], "category": CATS[0]})
            s.add(
                Incident(
                    occurred_at=t, category=CATS[0], zone_id=ids[0], source="test", source_ref=ref
                )
            )
        s.add(
            Operation(
                started_at=datetime(2020, 7, 1, 20, tzinfo=PARIS),
                zone_id=ids[1],
                kind="controle",
                arrests_consumer=3,
                source="test",
                source_ref="op1",
            )
        )
    frame = pd.DataFrame(rows)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    return frame


def _pandas_counts(frame: pd.DataFrame, first: str, last: str) -> dict[tuple[str, str], int]:
    start = pd.Timestamp(first, tz=PARIS)
    end = pd.Timestamp(last, tz=PARIS) + pd.Timedelta(days=1)
    sel = frame[(frame["occurred_at"] >= start) & (frame["occurred_at"] < end)]
    counts = sel.groupby(["zone", "category"]).size()
    return {(str(z), str(c)): int(n) for (z, c), n in counts.items()}


@pytest.mark.parametrize("compare", ["previous-year", "2020-01-01..2020-04-30"])
def test_zone_counts_equal_a_pandas_group_by(db_url: str, compare: str) -> None:
    frame = _load(db_url, seed=11)
    engine = make_engine(db_url)
    period = parse_period("2020-06-01..2020-08-31")
    ref, kind = resolve_compare(period, compare)
    b = build_bilan(engine, period, ref, compare_kind=kind, categories=CATS)
    expected_now = _pandas_counts(frame, "2020-06-01", "2020-08-31")
    expected_ref = _pandas_counts(frame, b["compare"]["first_day"], b["compare"]["last_day"])
    got_now, got_ref = {}, {}
    for r in b["incidents"]["by_zone"]:
        key = (r["zone"], r["category"])
        got_now[key] = r["test"]["count"]
        got_ref[key] = r["test"]["count_ref"]
    assert {k: v for k, v in got_now.items() if v} == expected_now
    assert {k: v for k, v in got_ref.items() if v} == expected_ref
    # Exposure-adjusted test with the periods' lengths in days (92 vs 92 or 121).
    row = b["incidents"]["by_zone"][0]["test"]
    assert row["exposure"] == 92
    assert row["exposure_ref"] == (92 if compare == "previous-year" else 121)
    direct = poisson_rate_test(row["count"], row["count_ref"], 92, row["exposure_ref"])
    assert row["p_value"] == pytest.approx(direct.p_value, rel=1e-12)
    assert b["demo"] is False
    assert b["operations"]["arrests"]["consumer"] == 3
