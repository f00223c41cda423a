"""Small basemap files for the tests, written the way the tools that make them write them.

:func:`write_mbtiles` writes a raster MBTiles as QGIS « Générer des tuiles XYZ
(MBTiles) » does (SQLite, ``metadata`` and ``tiles`` tables, TMS rows); the tiles of the
test area (Orléans) are drawn with Pillow: a pale green ground crossed by a blue street
grid, so that a rendered map's pixels show whether the basemap is under it.
:func:`write_pmtiles` writes a vector PMTiles with the ``pmtiles`` package (MVT tiles
encoded by ``mapbox-vector-tile``, gzip-compressed as ``pmtiles extract`` writes them).
"""

from __future__ import annotations

import gzip
import io
import math
import sqlite3
from pathlib import Path

#: The test area (WGS84): Orléans, around the fixture zones.
AREA = (1.86, 47.86, 1.96, 47.93)
GROUND = (205, 235, 200)  # pale green
STREET = (40, 90, 200)  # blue
ATTRIBUTION = "Fond d'essai gltd"


def tile_range(z: int, area: tuple[float, float, float, float] = AREA) -> list[tuple[int, int]]:
    """The XYZ tiles (x, y) of zoom z covering ``area``."""
    w, s, e, n = area

    def tx(lon: float) -> int:
        return int((lon + 180) / 360 * (1 << z))

    def ty(lat: float) -> int:
        r = math.radians(lat)
        return int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * (1 << z))

    return [(x, y) for x in range(tx(w), tx(e) + 1) for y in range(ty(n), ty(s) + 1)]


def png_tile(z: int, x: int, y: int) -> bytes:
    """A 256×256 PNG: green ground and a blue grid every 64 px, with its z/x/y."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (256, 256), GROUND)
    d = ImageDraw.Draw(img)
    for k in range(0, 256, 64):
        d.line([(k, 0), (k, 255)], fill=STREET, width=5)
        d.line([(0, k), (255, k)], fill=STREET, width=5)
    d.text((8, 8), f"{z}/{x}/{y}", fill=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def write_mbtiles(
    path: Path,
    zooms: tuple[int, ...] = (12, 13, 14),
    *,
    fmt: str = "png",
    metadata: dict[str, str] | None = None,
    tiles: bool = True,
) -> dict[tuple[int, int, int], bytes]:
    """Write a raster MBTiles of the test area; return its tiles by XYZ (z, x, y)."""
    meta = {
        "name": "Essai Orléans",
        "format": fmt,
        "type": "baselayer",
        "bounds": ",".join(str(v) for v in AREA),
        "minzoom": str(min(zooms)),
        "maxzoom": str(max(zooms)),
        "attribution": ATTRIBUTION,
        **(metadata or {}),
    }
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.execute(
        "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, "
        "tile_data blob)"
    )
    con.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    out = {}
    if tiles:
        for z in zooms:
            for x, y in tile_range(z):
                data = png_tile(z, x, y)
                out[(z, x, y)] = data
                con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, data))
    con.commit()
    con.close()
    return out


def mvt_tile(z: int, x: int, y: int) -> bytes:
    """A vector tile (Protomaps layer names): land, water, a road, a place label."""
    import mapbox_vector_tile

    layers = [
        {
            "name": "earth",
            "features": [
                {
                    "geometry": "POLYGON ((0 0, 4096 0, 4096 4096, 0 4096, 0 0))",
                    "properties": {"kind": "earth"},
                }
            ],
        },  # noqa: E501
        {
            "name": "water",
            "features": [
                {
                    "geometry": "POLYGON ((0 1800, 4096 1800, 4096 2300, 0 2300, 0 1800))",
                    "properties": {"kind": "water"},
                }
            ],
        },  # noqa: E501
        {
            "name": "roads",
            "features": [
                {
                    "geometry": "LINESTRING (0 600, 4096 3500)",
                    "properties": {"kind": "major_road", "name": "Rue d'essai"},
                }
            ],
        },  # noqa: E501
        {
            "name": "places",
            "features": [
                {
                    "geometry": "POINT (2048 1024)",
                    "properties": {
                        "kind": "locality",
                        "name": f"Essai {z}/{x}/{y}",
                        "min_zoom": 0,
                        "population_rank": 10,
                    },
                }
            ],
        },  # noqa: E501
    ]
    return bytes(mapbox_vector_tile.encode(layers, default_options={"y_coord_down": True}))


def write_pmtiles(
    path: Path, zooms: tuple[int, ...] = (12, 13)
) -> dict[tuple[int, int, int], bytes]:
    """Write a gzip-compressed vector PMTiles of the test area; return its stored tiles."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import write

    tiles = {}
    for z in zooms:
        for x, y in tile_range(z):
            tiles[(z, x, y)] = gzip.compress(mvt_tile(z, x, y), mtime=0)
    w, s, e, n = AREA
    with write(str(path)) as writer:
        for (z, x, y), data in sorted(tiles.items(), key=lambda kv: zxy_to_tileid(*kv[0])):
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.GZIP,
                "min_zoom": min(zooms),
                "max_zoom": max(zooms),
                "min_lon_e7": int(w * 1e7),
                "min_lat_e7": int(s * 1e7),
                "max_lon_e7": int(e * 1e7),
                "max_lat_e7": int(n * 1e7),
                "center_zoom": min(zooms),
                "center_lon_e7": int((w + e) / 2 * 1e7),
                "center_lat_e7": int((s + n) / 2 * 1e7),
            },
            {
                "name": "Essai vectoriel",
                "attribution": "© OpenStreetMap (essai)",
                "vector_layers": [{"id": k} for k in ("earth", "water", "roads", "places")],
            },  # fmt: skip
        )
    return tiles
