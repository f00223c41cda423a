"""Map outputs: GeoJSON / GeoPackage (vector), GeoTIFF (raster) and static PNG maps.

Everything here works offline (no basemap tiles). Files are written to a temporary name
next to the target and renamed at the end, so an error never leaves half a file.
"""

from gltd.mapping.raster import write_geotiff
from gltd.mapping.render import MapLayers, render_png
from gltd.mapping.vector import cells_frame, write_vector

__all__ = ["cells_frame", "write_vector", "write_geotiff", "render_png", "MapLayers"]
