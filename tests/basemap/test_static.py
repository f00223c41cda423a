"""The raster basemap under the static maps: placed right (TMS rows, Lambert-93 warp) and
present under the layers of a PDF map page, compared with the same page without it."""

from __future__ import annotations

import html
import io
import math
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image
from shapely.geometry import box

from basemap_support import GROUND, write_mbtiles
from gltd.basemap import draw_basemap, open_basemap
from gltd.config import get_settings
from gltd.documents.figures import figure_png, pyplot
from gltd.geo import geometry_to_lonlat, to_metric


def _xyz(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def _solid(rgb: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), rgb).save(buf, format="PNG")
    return buf.getvalue()


def test_a_tile_lands_where_its_ground_is(tmp_path: Path) -> None:
    """One red tile (the one holding the city hall) among green ones, at zoom 15."""
    path = tmp_path / "un.mbtiles"
    write_mbtiles(path, zooms=(15,), tiles=False)
    lon, lat = 1.909, 47.903
    z = 15
    tx, ty = _xyz(lon, lat, z)
    con = sqlite3.connect(path)
    for dx in range(-3, 4):
        for dy in range(-3, 4):
            colour = (220, 0, 0) if (dx, dy) == (0, 0) else GROUND
            con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                        (z, tx + dx, (1 << z) - 1 - (ty + dy), _solid(colour)))  # fmt: skip
    con.commit()
    con.close()
    bm = open_basemap(path)
    # The red tile's centre, and a point two tiles to the north (rows count from the north).
    n = 1 << z
    centre_lon = (tx + 0.5) / n * 360 - 180

    def lat_of(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    cx, cy = to_metric(centre_lon, lat_of(ty + 0.5))
    nx_, ny_ = to_metric(centre_lon, lat_of(ty - 1.5))
    plt = pyplot()
    fig = plt.figure(figsize=(4, 4), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    half = 1500.0
    ax.set_xlim(cx - half, cx + half)
    ax.set_ylim(cy - half, cy + half)
    ax.set_aspect("equal")
    ax.set_axis_off()
    assert draw_basemap(ax, basemap=bm, attribution=False) is bm
    assert ax.get_xlim() == (cx - half, cx + half)  # the limits are kept
    img = np.asarray(Image.open(io.BytesIO(figure_png(fig, dpi=100, tight=False))).convert("RGB"))
    h, w = img.shape[:2]

    def px(x: float, y: float) -> tuple[int, ...]:
        col = int((x - (cx - half)) / (2 * half) * w)
        row = int(((cy + half) - y) / (2 * half) * h)
        return tuple(int(v) for v in img[row, col])

    assert px(cx, cy) == (220, 0, 0)
    assert px(nx_, ny_) == GROUND


def _events(engine, x0: float, y0: float) -> None:  # type: ignore[no-untyped-def]
    from gltd.model import Incident, Zone
    from gltd.store.engine import session_scope

    paris = ZoneInfo("Europe/Paris")
    rows = []
    for r, nb, na in [(50.0, 20, 10), (200.0, 20, 25), (1000.0, 60, 60)]:
        for period, n, t0 in (("b", nb, datetime(2018, 5, 2, 12, tzinfo=paris)),
                              ("a", na, datetime(2018, 6, 1, 12, tzinfo=paris))):  # fmt: skip
            for i in range(n):
                ang = 2 * math.pi * (i + 0.5) / n
                rows.append(Incident(occurred_at=t0 + timedelta(days=i % 29),
                                     category="trafic_stupefiants", x=x0 + r * math.sin(ang),
                                     y=y0 + r * math.cos(ang), source="t",
                                     source_ref=f"{r}-{period}-{i}"))  # fmt: skip
    with session_scope(engine) as s:
        s.add_all(rows)
        city = geometry_to_lonlat(box(x0 - 2000, y0 - 2000, x0 + 2000, y0 + 2000))
        s.add(Zone(name="Ville test", kind="commune", geometry_wkt=city.wkt))


def _pages(pdf: bytes, tmp: Path, name: str) -> list[np.ndarray]:
    src = tmp / f"{name}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(src), str(tmp / name)], check=True)
    return [np.asarray(Image.open(p).convert("RGB")).astype(int)
            for p in sorted(tmp.glob(f"{name}-*.png"))]  # fmt: skip


def _greenish(img: np.ndarray) -> np.ndarray:
    """Pixels of the basemap's pale green ground (nothing else on the map is green)."""
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    return (g - r > 12) & (g - b > 12)


def _near(img: np.ndarray, rgb: tuple[int, int, int], tol: int = 40) -> np.ndarray:
    return np.abs(img - np.array(rgb)).sum(axis=2) < tol


def test_pdf_map_page_has_the_basemap_under_the_layers(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gltd.displacement import run_displacement
    from gltd.displacement.output import render_pdf
    from gltd.store.engine import make_engine

    lat, lon = 47.903, 1.909
    x0, y0 = to_metric(lon, lat)
    engine = make_engine(sqlite_url)
    _events(engine, x0, y0)
    report = run_displacement(engine, around=(lat, lon), radius=100.0, start="2018-06-01",
                              before="30d", rings=[100, 200],
                              now=datetime(2019, 1, 1, tzinfo=UTC))  # fmt: skip
    engine.dispose()
    monkeypatch.delenv("GLTD_BASEMAP", raising=False)
    monkeypatch.setenv("GLTD_BASEMAP_DIR", str(tmp_path / "aucun"))
    get_settings.cache_clear()
    plain = _pages(render_pdf(report), tmp_path, "sans")
    fond = tmp_path / "fond.mbtiles"
    write_mbtiles(fond, zooms=(14, 15))
    monkeypatch.setenv("GLTD_BASEMAP", str(fond))
    get_settings.cache_clear()
    try:
        with_bm = _pages(render_pdf(report), tmp_path, "avec")
    finally:
        monkeypatch.delenv("GLTD_BASEMAP")
        get_settings.cache_clear()
    assert len(plain) == len(with_bm)
    ground = [int(_greenish(p).sum()) for p in with_bm]
    page = int(np.argmax(ground))
    assert ground[page] > 20_000, ground  # the basemap's ground fills the map of a page
    assert int(_greenish(plain[page]).sum()) == 0  # and is not there without it
    changed = np.abs(plain[page] - with_bm[page]).sum(axis=2) > 30
    assert changed.mean() > 0.05
    # The layers stay on top: the target's red outline and the "after" crosses are drawn.
    red = (176, 0, 0)
    assert _near(with_bm[page], red, 90).sum() > 0.5 * _near(plain[page], red, 90).sum() > 0
    # The other pages are the same.
    for i, (a, b) in enumerate(zip(plain, with_bm, strict=True)):
        if i != page:
            assert (np.abs(a - b).sum(axis=2) > 30).mean() < 0.01


def test_documents_name_the_basemap_in_their_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from basemap_support import ATTRIBUTION, write_pmtiles
    from gltd.documents.render import ENV

    line = ENV.from_string("{% set f = basemap_attribution() %}{{ f if f else 'aucun' }}")
    monkeypatch.delenv("GLTD_BASEMAP", raising=False)
    monkeypatch.setenv("GLTD_BASEMAP_DIR", str(tmp_path / "aucun"))
    get_settings.cache_clear()
    try:
        assert line.render() == "aucun"
        write_mbtiles(tmp_path / "r.mbtiles", zooms=(12,))
        monkeypatch.setenv("GLTD_BASEMAP", str(tmp_path / "r.mbtiles"))
        get_settings.cache_clear()
        assert html.unescape(line.render()) == ATTRIBUTION  # escaped like any text
        write_pmtiles(tmp_path / "v.pmtiles", zooms=(12,))
        monkeypatch.setenv("GLTD_BASEMAP", str(tmp_path / "v.pmtiles"))
        get_settings.cache_clear()
        assert line.render() == "aucun"  # a vector basemap is not under the static maps
    finally:
        get_settings.cache_clear()
