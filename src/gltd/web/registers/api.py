"""The JSON list of a register (``GET /api/{register}``): one slice of the filtered view.

The same search (``q``), filters (the page's names: ``statut``, ``zone``…) and sort
(``tri``, ``sens``) as the list page; the slice is ``limit`` rows (at most
:data:`API_MAX_LIMIT`) from ``offset``, or page ``page`` of ``limit`` rows. The answer
gives the filtered count (``total``) and the address of the next slice (``next``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query
from sqlalchemy import Engine

from gltd.errors import InputError
from gltd.web.registers.base import jsonable
from gltd.web.registers.listing import ListSpec, fetch_slice, parse_query

__all__ = ["API_DEFAULT_LIMIT", "API_MAX_LIMIT", "list_response", "with_list_parameters"]

#: Rows of one answer when ``limit`` is not given, and at most.
API_DEFAULT_LIMIT = 100
API_MAX_LIMIT = 1000


def _whole(params: Mapping[str, str], name: str, default: int, least: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit() or int(raw) < least:
        raise InputError(
            f"paramètre {name} : « {raw[:20]} » n'est pas un nombre entier ≥ {least}",
            field=name,
        )
    return int(raw)


def slice_of(params: Mapping[str, str]) -> tuple[int, int]:
    """``(offset, limit)`` of a query string (``page`` counts in slices of ``limit``)."""
    limit = _whole(params, "limit", API_DEFAULT_LIMIT, 1)
    if limit > API_MAX_LIMIT:
        raise InputError(
            f"paramètre limit : au plus {API_MAX_LIMIT} lignes par appel (reçu {limit}) ; "
            "suivez « next » pour les suivantes",
            field="limit",
        )
    if params.get("offset") and params.get("page"):
        raise InputError("paramètres page et offset : donnez l'un ou l'autre", field="offset")
    if params.get("page"):
        return (_whole(params, "page", 1, 1) - 1) * limit, limit
    return _whole(params, "offset", 0, 0), limit


def list_response(
    engine: Engine, spec: ListSpec, params: Mapping[str, str], now: datetime, path: str
) -> dict[str, Any]:
    """The JSON answer: the slice's rows, their number, the filtered total, the next slice."""
    query = parse_query(spec, params)
    offset, limit = slice_of(params)
    rows, total = fetch_slice(engine, spec, query, now, offset=offset, limit=limit)
    after = offset + len(rows)
    nxt = None
    if rows and after < total:
        nxt = f"{path}?{urlencode({**query.params(page=1), 'offset': after, 'limit': limit})}"
    return {
        "items": jsonable(rows),
        "count": len(rows),
        "total": total,
        "offset": offset,
        "limit": limit,
        "next": nxt,
    }


def _param(name: str, description: str) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[str | None, Query(description=description)],
    )


def with_list_parameters(endpoint: Callable[..., Any], spec: ListSpec) -> Callable[..., Any]:
    """``endpoint`` (``request``, ``user``, ``**params``) with the query parameters of the
    list in its signature, so that the OpenAPI description names and explains them."""
    sorts = ", ".join(spec.sorts)
    extra = [
        _param("q", f"Recherche : {spec.search_help}"),
        *(
            _param(f.param, f"Filtre « {f.label} » (mêmes valeurs que la page)")
            for f in spec.filters
        ),
        _param("tri", f"Colonne de tri : {sorts} (défaut : {spec.default_sort})"),
        _param("sens", "Sens du tri : asc ou desc"),
        _param(
            "limit", f"Lignes par réponse (défaut {API_DEFAULT_LIMIT}, au plus {API_MAX_LIMIT})"
        ),
        _param("offset", "Rang de la première ligne (0 : la première)"),
        _param("page", "Numéro de page (à la place d'offset), pages de « limit » lignes"),
    ]
    sig = inspect.signature(endpoint)
    own = [p for p in sig.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    endpoint.__signature__ = sig.replace(parameters=[*own, *extra])  # type: ignore[attr-defined]
    return endpoint
