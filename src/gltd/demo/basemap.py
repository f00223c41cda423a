"""The demo's illustrative basemap: a raster MBTiles of its own geography.

Drawn with Pillow from the demo's data only (nothing downloaded): the commune outline,
an illustrative Loire, the demo zones tinted and named, and a loose grid of streets named
from the demo's street names. Every few tiles say « fond illustratif », and so does the
attribution: nothing here is a real map of Orléans.

Each zoom level is drawn as one image over the whole area, then cut into 256-pixel
tiles, so labels are never cut at a tile's edge. Rows are stored the TMS way.
"""

from __future__ import annotations

import io
import math
import sqlite3
from pathlib import Path
from typing import Any

from gltd.demo.geography import COMMUNE, ZONES
from gltd.fileio import atomic_path

__all__ = ["write_demo_basemap", "ATTRIBUTION", "ZOOMS"]

ATTRIBUTION = "Fond illustratif de démonstration gltd — rues et quartiers fictifs"
ZOOMS = (12, 13, 14, 15, 16)
#: The area drawn (west, south, east, north): the commune and a margin.
AREA = (1.862, 47.808, 1.972, 47.944)
_LOIRE = ((1.862, 47.8942), (1.900, 47.8958), (1.930, 47.8950), (1.972, 47.8930))
_GROUND, _OUTSIDE, _WATER = (246, 243, 236), (232, 232, 226), (170, 203, 232)
_ZONE_FILL, _ZONE_EDGE = (238, 226, 208), (190, 170, 140)
_STREET, _CASING, _INK = (255, 255, 255), (205, 200, 190), (70, 70, 70)


def _px(lon: float, lat: float, z: int, x0: int, y0: int) -> tuple[float, float]:
    n = 1 << z
    x = (lon + 180) / 360 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return (x - x0) * 256, (y - y0) * 256


def _tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    x, y = _px(lon, lat, z, 0, 0)
    return int(x // 256), int(y // 256)


def _streets() -> list[tuple[str, list[tuple[float, float]], bool]]:
    """A few illustrative streets: a loose grid clipped to the commune, named from the
    demo's street names; every third one is a boulevard (drawn wider)."""
    from shapely.geometry import LineString, Polygon

    from gltd.geocode.synthetic.vocabulary import ORLEANS_STREETS

    names = [n for n, _lon, _lat in ORLEANS_STREETS if not n.startswith(("Place", "Impasse"))]
    commune = Polygon(COMMUNE)
    w, s, e, n = commune.bounds
    lines = [LineString([(lon, s), (lon + 0.002, n)]) for lon in _steps(w, e, 0.0075)]
    lines += [LineString([(w, lat), (e, lat + 0.0012)]) for lat in _steps(s, n, 0.0065)]
    out = []
    for k, line in enumerate(lines):
        part = line.intersection(commune)
        for piece in getattr(part, "geoms", [part]):
            if piece.geom_type == "LineString" and piece.length > 0.003:
                out.append((names[k % len(names)], list(piece.coords), k % 3 == 0))
    return out


def _steps(lo: float, hi: float, step: float) -> list[float]:
    count = int((hi - lo) / step)
    return [lo + step * (i + 0.5) for i in range(count)]


def _font(size: int) -> Any:
    from matplotlib import font_manager
    from PIL import ImageFont

    return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)


def _draw_zoom(z: int, streets: list[Any]) -> tuple[Any, int, int]:
    """The whole area at zoom ``z`` as one image; returns it and its first tile x, y."""
    from PIL import Image, ImageDraw

    w, s, e, n = AREA
    x0, y0 = _tile_xy(w, n, z)
    x1, y1 = _tile_xy(e, s, z)
    img = Image.new("RGB", ((x1 - x0 + 1) * 256, (y1 - y0 + 1) * 256), _OUTSIDE)
    d = ImageDraw.Draw(img)

    def pts(coords: Any) -> list[tuple[float, float]]:
        return [_px(lon, lat, z, x0, y0) for lon, lat in coords]

    d.polygon(pts(COMMUNE), fill=_GROUND, outline=(150, 150, 150))
    scale = 2.0 ** (z - 14)  # line widths and fonts grow with the zoom
    loire = pts(_LOIRE)
    d.line(loire, fill=_WATER, width=max(3, int(14 * scale)))
    for zone in ZONES:
        d.polygon(pts(zone.vertices), fill=_ZONE_FILL, outline=_ZONE_EDGE)
    width = max(1, round(2.5 * scale))
    for _name, line, main in streets:
        d.line(pts(line), fill=_CASING, width=round(width * (1.8 if main else 1)) + 2)
    for _name, line, main in streets:
        d.line(pts(line), fill=_STREET, width=round(width * (1.8 if main else 1)))
    if z >= 15:
        small = _font(11 if z == 15 else 13)
        for name, line, _main in streets:
            (ax, ay), (bx, by) = pts((line[0], line[-1]))
            for t in (0.3, 0.7):
                d.text((ax + t * (bx - ax), ay + t * (by - ay)), name, font=small, fill=_INK,
                       anchor="mm", stroke_width=2, stroke_fill=_STREET)  # fmt: skip
    big = _font(int(min(26, max(11, 13 * scale))))
    for zone in ZONES:
        lon = sum(v[0] for v in zone.vertices) / len(zone.vertices)
        lat = sum(v[1] for v in zone.vertices) / len(zone.vertices)
        d.text(_px(lon, lat, z, x0, y0), zone.name, font=big, fill=(90, 60, 30), anchor="mm",
               stroke_width=2, stroke_fill=_GROUND)  # fmt: skip
    river_at = loire[1]
    d.text((river_at[0], river_at[1] + 4 + 7 * scale), "La Loire (illustrative)",
           font=_font(int(min(20, max(10, 11 * scale)))), fill=(60, 100, 150), anchor="mt")  # fmt: skip
    note = _font(10)
    for tx in range(x1 - x0 + 1):
        for ty in range(y1 - y0 + 1):
            if (tx + 2 * ty) % 3 == 0:
                d.text((tx * 256 + 128, ty * 256 + 244), "fond illustratif", font=note,
                       fill=(165, 165, 165), anchor="mm")  # fmt: skip
    return img, x0, y0


def write_demo_basemap(path: str | Path, *, zooms: tuple[int, ...] = ZOOMS) -> Path:
    """Write the demo's illustrative basemap as a raster MBTiles (written atomically)."""
    streets = _streets()
    path = Path(path)
    w, s, e, n = AREA
    meta = {
        "name": "Orléans — fond illustratif (démonstration gltd)",
        "format": "png",
        "type": "baselayer",
        "version": "1",
        "description": "Fond de carte illustratif, généré par gltd demo : rues et quartiers "
        "fictifs de la démonstration.",
        "bounds": f"{w},{s},{e},{n}",
        "center": f"{(w + e) / 2},{(s + n) / 2},13",
        "minzoom": str(min(zooms)),
        "maxzoom": str(max(zooms)),
        "attribution": ATTRIBUTION,
    }
    with atomic_path(path, parents=True) as tmp:
        con = sqlite3.connect(tmp)
        try:
            con.execute("CREATE TABLE metadata (name text, value text)")
            con.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, "
                        "tile_row integer, tile_data blob)")  # fmt: skip
            con.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, "
                        "tile_row)")  # fmt: skip
            con.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
            for z in zooms:
                img, x0, y0 = _draw_zoom(z, streets)
                cols, rows = img.size[0] // 256, img.size[1] // 256
                for i in range(cols):
                    for j in range(rows):
                        buf = io.BytesIO()
                        img.crop((i * 256, j * 256, (i + 1) * 256, (j + 1) * 256)).save(
                            buf, format="PNG", compress_level=3
                        )
                        tms = (1 << z) - 1 - (y0 + j)
                        con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                                    (z, x0 + i, tms, buf.getvalue()))  # fmt: skip
            con.commit()
        finally:
            con.close()
    return path
