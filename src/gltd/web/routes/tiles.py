"""The offline basemap's tiles, served by gltd behind the login like the map.

``GET /api/basemap`` says what the web map should draw (or ``available: false``);
``GET /tiles/{key}/{z}/{x}/{y}.{ext}`` gives one tile (XYZ numbering). ``key`` is the
file's fingerprint: a replaced basemap gets new URLs, so tiles may be kept by the browser
(``Cache-Control: private, max-age=86400``) and revalidated by their ``ETag`` (304).
A tile the file does not hold is a 404 with no body.

A map view asks for tens of tiles at once: the session behind a tile request is checked
as for any page (:func:`gltd.web.deps.current_user`, then the ``map`` right, refusals
audited), and the result is kept :data:`AUTH_TTL_S` seconds for that session cookie, so
that a revoked session or a changed right reaches the tiles within that delay.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from gltd.basemap import Basemap, active_basemap
from gltd.errors import GltdError
from gltd.web.auth import SESSION_COOKIE, CurrentUser
from gltd.web.deps import app_state, current_user, require

__all__ = ["router", "TILE_CACHE", "AUTH_TTL_S"]

log = logging.getLogger(__name__)
router = APIRouter(tags=["fond de carte"])
map_reader = require("map")
Reader = Annotated[CurrentUser, Depends(map_reader)]
#: Tile URLs change with the file: a day in the browser, then revalidated by ETag.
TILE_CACHE = "private, max-age=86400"
#: Seconds a checked session is trusted for tile requests.
AUTH_TTL_S = 5.0
_MAX_SESSIONS = 10_000


async def tile_reader(request: Request) -> CurrentUser:
    """The account behind a tile request, allowed to read the map (see the module doc)."""
    cookie = request.cookies.get(SESSION_COOKIE) or ""
    cache: dict[str, tuple[float, CurrentUser]] | None = getattr(
        request.app.state, "tile_sessions", None
    )
    if cache is None:
        cache = {}
        request.app.state.tile_sessions = cache
    now = time.monotonic()
    hit = cache.get(cookie)
    if cookie and hit is not None and hit[0] > now:
        return hit[1]
    user = await map_reader(request, await current_user(request))
    if len(cache) >= _MAX_SESSIONS:
        cache.clear()
    cache[cookie] = (now + AUTH_TTL_S, user)
    return user


TileReader = Annotated[CurrentUser, Depends(tile_reader)]


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
async def tile(
    request: Request, key: str, z: int, x: int, y: int, ext: str, user: TileReader
) -> Response:
    """One tile of the local basemap (XYZ numbering, row 0 at the north).

    Served on the event loop: a tile is one indexed SQLite read (or a memory-mapped
    PMTiles read) of a few tens of microseconds, cheaper than a hop to a worker thread.
    """
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
