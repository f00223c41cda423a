"""The emerging hot-spot layer is kept on disk for every process, and an import makes it new.

Its computation costs seconds on a big city: it is written once per data version in the
results folder's cache, read back by another process (a second app on the same base), and
after an import the next request computes it on the new data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from gltd.ingest.pipeline import import_file
from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade
from gltd.web.app import create_app
from gltd.web.cache import DataCache
from gltd.web.map_data import emerging_geojson
from gltd.web.periods import choose_period
from web_support import ARGONNE_XY, login, seed, settings_for, web_settings

LAYER = "/api/map/emerging?du=2018-01-01&au=2018-09-30&cell=250"


@pytest.fixture()
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'emerging.db'}"
    upgrade(url)
    seed(url)
    return url


def _get(c: TestClient) -> dict[str, Any]:
    r = c.get(LAYER)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def _truth(url: str) -> dict[str, Any]:
    """The layer computed from scratch (no cache at all) on the base as it is now."""
    choice = choose_period("2018-01-01", "2018-09-30", None, default_last=None)
    out = emerging_geojson(DataCache(make_engine(url)), choice, [], 250.0)
    return json.loads(json.dumps(out))  # type: ignore[no-any-return]


def _import_a_new_market(url: str, tmp_path: Path) -> None:
    """80 facts in L'Argonne over the last six weeks: a new hot spot (a CLI import)."""
    n = 80
    rng = np.random.default_rng(3)
    days = pd.to_datetime("2018-08-18") + pd.to_timedelta(rng.uniform(0, 42, n), unit="D")
    f = tmp_path / "nouveaux-faits.csv"
    pd.DataFrame(
        {
            "id": np.arange(n),
            "date": days.strftime("%Y-%m-%dT%H:%M:00Z"),
            "category": "trafic_stupefiants",
            "x": ARGONNE_XY[0] + rng.uniform(-60, 60, n),
            "y": ARGONNE_XY[1] + rng.uniform(-60, 60, n),
        }
    ).to_csv(f, index=False)
    assert import_file(make_engine(url), "incidents", f).rows_written == n


def test_emerging_layer_is_kept_across_processes_and_renewed_by_an_import(
    url: str, tmp_path: Path
) -> None:
    web = tmp_path / "web"
    cache_dir = web / "results" / ".cache"
    with TestClient(create_app(settings_for(url), web=web_settings(web))) as c1:
        assert login(c1, "police.analyste").status_code == 303
        first = _get(c1)
        assert first == _truth(url)
        files = sorted(cache_dir.glob("*.json.gz"))
        assert len(files) == 1
        stamp = files[0].stat().st_mtime_ns

        # Another process on the same base reads the kept layer: nothing is recomputed.
        with TestClient(create_app(settings_for(url), web=web_settings(web))) as c2:
            assert login(c2, "police.analyste").status_code == 303
            assert _get(c2) == first
        assert sorted(cache_dir.glob("*.json.gz")) == files
        assert files[0].stat().st_mtime_ns == stamp

        # An import by another process (the CLI): the next request sees the new data.
        _import_a_new_market(url, tmp_path)
        c1.app.state.gltd.cache.version_check_s = 0.0  # type: ignore[attr-defined]
        after = _get(c1)
        assert after != first
        assert after == _truth(url)
        kept = sorted(cache_dir.glob("*.json.gz"))
        assert len(kept) == 1 and kept != files  # the old version's file is gone
