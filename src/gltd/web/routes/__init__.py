"""Routes by domain; :data:`ROUTERS` is what the app factory mounts."""

from gltd.web.routes import (
    admin,
    admin_sessions,
    analyses,
    auth,
    dashboard,
    geocode,
    imports,
    map,
    registers,
    requisition_flow,
    search,
    tiles,
)

__all__ = ["ROUTERS"]

ROUTERS = (
    tiles.router,  # first: a map view asks for tens of tiles, matched before any other route
    auth.router,
    dashboard.router,
    dashboard.api,
    map.router,
    map.api,
    requisition_flow.router,  # before the generic register routes (its /modifier)
    requisition_flow.api,
    registers.router,
    registers.api,
    search.router,
    analyses.router,
    analyses.api,
    imports.router,
    geocode.router,
    admin.router,
    admin.api,
    admin_sessions.router,
    admin_sessions.api,
)
