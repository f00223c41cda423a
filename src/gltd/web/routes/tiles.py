"""The offline basemap's tiles, served by gltd behind the login like the map.

``GET /api/basemap`` says what the web map should draw (or ``available: false``);
``GET /tiles/{key}/{z}/{x}/{y}.{ext}`` gives one tile (XYZ numbering). ``key`` is the
file's fingerprint: a replaced basemap gets new URLs, so tiles may be kept by the browser
(``Cache-Control: private, max-age=86400``) and revalidated by their ``ETag`` (304).
A tile the file does not hold is a 404 with no body.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from gltd.basemap import Basemap, active_basemap
from gltd.errors import GltdError
from gltd.web.auth import CurrentUser
from gltd.web.deps import app_state, require

__all__ = ["router", "TILE_CACHE"]

log = logging.getLogger(__name__)
router = APIRouter(tags=["fond de carte"])
Reader = Annotated[CurrentUser, Depends(require("map"))]
#: Tile URLs change with the file: a day in the browser, then revalidated by ETag.
TILE_CACHE = "private, max-age=86400"


def _basemap(request: Request) -> tuple[Basemap | None, str]:
    try:
        settings = app_state(request).settings
        return active_basemap(settings, database=settings.db_url), ""
    except GltdError as exc:
        log.warning("basemap unusable: %s", exc)
        return None, str(exc)


def _ext(bm: Basemap) -> str:
    return bm.format


@router.get("/api/basemap")
def basemap_info(request: Request, user: Reader) -> dict[str, Any]:
    """The local basemap the web map draws under its layers, or ``available: false``."""
    bm, error = _basemap(request)
    if bm is None:
        message = f"Fond de carte local inutilisable : {error}" if error else ""
        return {"available": False, "message": message}
    return {
        "available": True,
        **bm.describe(),
        "url": f"/tiles/{bm.key}/{{z}}/{{x}}/{{y}}.{_ext(bm)}",
    }


def _etag(data: bytes) -> str:
    return '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(t.strip().removeprefix("W/") == etag for t in header.split(","))


@router.get("/tiles/{key}/{z}/{x}/{y}.{ext}")
def tile(request: Request, key: str, z: int, x: int, y: int, ext: str, user: Reader) -> Response:
    """One tile of the local basemap (XYZ numbering, row 0 at the north)."""
    bm, _error = _basemap(request)
    data = bm.tile(z, x, y) if bm is not None and key == bm.key and ext == _ext(bm) else None
    if bm is None or data is None:
        return Response(status_code=404, headers={"Cache-Control": TILE_CACHE})
    etag = _etag(data)
    headers = {"ETag": etag, "Cache-Control": TILE_CACHE}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    if bm.encoding:
        headers["Content-Encoding"] = bm.encoding
    return Response(content=data, media_type=bm.content_type, headers=headers)
