"""A register's list in SQL: filters, search, sort, one page and the count of all.

Every list page, its exports and the global search go through a :class:`ListSpec`:
the database filters, sorts (``ORDER BY`` the column, then the id, so the order is
stable from one page to the next) and cuts the page (``LIMIT``/``OFFSET``); Python only
completes the rows of the page it shows (camera codes, seizures, colours). The state of
a list lives in the query string (``page``, ``par_page``, ``tri``, ``sens``, ``q`` and
each filter), so a link, a bookmark or an export repeats exactly the same view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Engine, Select, func, select

__all__ = [
    "DEFAULT_SIZE",
    "PAGE_SIZES",
    "ExportColumn",
    "Filter",
    "ListQuery",
    "ListSpec",
    "Page",
    "fetch_page",
    "fetch_slice",
    "filtered",
    "iter_rows",
    "parse_query",
]

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_SIZE = 50

Where = Callable[[str, datetime], "ColumnElement[bool] | None"]
Finish = Callable[[Engine, list[dict[str, Any]], datetime], None]


@dataclass(frozen=True)
class Filter:
    """A filter of a list: its URL name, French label, choices and SQL condition.

    ``where(value, now)`` returns the condition, or ``None`` for a value that is not one
    of the choices (the filter is then ignored, never an error page).
    """

    param: str
    label: str
    options: Callable[[Engine], Sequence[tuple[str, str]]]
    where: Where


@dataclass(frozen=True)
class ExportColumn:
    """A column of the XLSX/CSV export: row key, French header, cell type.

    Types: ``text``, ``int``, ``float``, ``date``, ``datetime`` (local time), ``bool``.
    """

    key: str
    header: str
    kind: str = "text"


@dataclass(frozen=True)
class ListSpec:
    """How one register is listed, searched, sorted and exported."""

    #: The select of the row values (each labelled with its row key).
    base: Callable[[], Any]
    #: The unique key (tie-break of every sort).
    key: Any
    #: Column key -> SQL expression it sorts by.
    sorts: Mapping[str, Any]
    default_sort: str
    default_desc: bool
    #: The condition of the search box for a (stripped, non-empty) text.
    search: Callable[[str], ColumnElement[bool]]
    #: What the search box looks in (French, shown as its placeholder).
    search_help: str
    export_columns: Sequence[ExportColumn]
    filters: Sequence[Filter] = ()
    #: Completes a page's rows in place (values computed from other tables or « now »).
    finish: Finish | None = None
    #: Extra export columns that depend on the filtered rows (one per seizure kind).
    dynamic_columns: Callable[[Engine, Select[Any]], list[ExportColumn]] | None = None


@dataclass(frozen=True)
class ListQuery:
    """The state of a list, read from (and written back to) the query string."""

    page: int = 1
    size: int = DEFAULT_SIZE
    sort: str = ""
    desc: bool = False
    q: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)

    def params(self, **changes: Any) -> dict[str, str]:
        """The query-string parameters of this view (with ``changes``), defaults left out."""
        state = replace(self, **changes)
        out: dict[str, str] = {}
        if state.q:
            out["q"] = state.q
        out.update({k: v for k, v in state.filters.items() if v})
        if state.sort:
            out["tri"], out["sens"] = state.sort, "desc" if state.desc else "asc"
        if state.size != DEFAULT_SIZE:
            out["par_page"] = str(state.size)
        if state.page != 1:
            out["page"] = str(state.page)
        return out

    def url(self, path: str, **changes: Any) -> str:
        """``path`` with this view's query string (and ``changes``)."""
        qs = urlencode(self.params(**changes))
        return f"{path}?{qs}" if qs else path

    def sort_url(self, path: str, key: str) -> str:
        """The link of a column header: sort by it, or reverse it when it is the sort."""
        desc = not self.desc if key == self.sort else False
        return self.url(path, sort=key, desc=desc, page=1)

    def filter_summary(self) -> str:
        """The search and filters as one line (for the audit log of an export)."""
        parts = [f"q={self.q}"] if self.q else []
        parts += [f"{k}={v}" for k, v in self.filters.items() if v]
        return ", ".join(parts) or "aucun filtre"


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw else default
    except ValueError:
        return default


def parse_query(spec: ListSpec, params: Mapping[str, str]) -> ListQuery:
    """The list state of a query string; unreadable values fall back to the defaults."""
    size = _int(params.get("par_page"), DEFAULT_SIZE)
    sort = params.get("tri", "")
    if sort not in spec.sorts:
        sort = spec.default_sort
        desc = spec.default_desc
    else:
        desc = params.get("sens", "asc") == "desc"
    names = {f.param for f in spec.filters}
    return ListQuery(
        page=max(1, _int(params.get("page"), 1)),
        size=size if size in PAGE_SIZES else DEFAULT_SIZE,
        sort=sort,
        desc=desc,
        q=(params.get("q") or "").strip()[:100],
        filters={k: v for k, v in params.items() if k in names and v},
    )


def filtered(spec: ListSpec, query: ListQuery, now: datetime) -> Select[Any]:
    """The register's select with the search and the filters applied (not sorted)."""
    stmt = spec.base()
    if query.q:
        stmt = stmt.where(spec.search(query.q))
    for f in spec.filters:
        value = query.filters.get(f.param)
        if value:
            cond = f.where(value, now)
            if cond is not None:
                stmt = stmt.where(cond)
    return stmt


def _ordered(spec: ListSpec, stmt: Select[Any], query: ListQuery) -> Select[Any]:
    expr = spec.sorts[query.sort]
    if query.desc:
        return stmt.order_by(expr.desc().nulls_last(), spec.key.desc())
    return stmt.order_by(expr.asc().nulls_last(), spec.key.asc())


@dataclass(frozen=True)
class Page:
    """One page of a list and the count of every row the filters keep."""

    rows: list[dict[str, Any]]
    total: int
    query: ListQuery

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.query.size))

    @property
    def first(self) -> int:
        """1-based rank of the first row shown (0 when none)."""
        return 0 if not self.rows else (self.query.page - 1) * self.query.size + 1

    @property
    def last(self) -> int:
        """1-based rank of the last row shown."""
        return 0 if not self.rows else self.first + len(self.rows) - 1


def _count(conn: Any, spec: ListSpec, stmt: Select[Any]) -> int:
    # counted on the key alone: the subqueries of shown names are not evaluated
    keys = stmt.with_only_columns(spec.key).subquery()
    return int(conn.execute(select(func.count()).select_from(keys)).scalar_one())


def _cut(
    conn: Any, spec: ListSpec, stmt: Select[Any], query: ListQuery, offset: int, limit: int
) -> list[dict[str, Any]]:
    cut = _ordered(spec, stmt, query).limit(limit).offset(offset)
    return [dict(r._mapping) for r in conn.execute(cut)]


def fetch_page(engine: Engine, spec: ListSpec, query: ListQuery, now: datetime) -> Page:
    """One page (a page past the end shows the last one) and the filtered count."""
    stmt = filtered(spec, query, now)
    with engine.connect() as conn:
        total = _count(conn, spec, stmt)
        pages = max(1, -(-total // query.size))
        if query.page > pages:
            query = replace(query, page=pages)
        rows = _cut(conn, spec, stmt, query, (query.page - 1) * query.size, query.size)
    if spec.finish is not None and rows:
        spec.finish(engine, rows, now)
    return Page(rows=rows, total=total, query=query)


def fetch_slice(
    engine: Engine, spec: ListSpec, query: ListQuery, now: datetime, *, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """``limit`` rows of the filtered view from rank ``offset`` (0-based, none past the
    end), completed, and the filtered count (the JSON API)."""
    stmt = filtered(spec, query, now)
    with engine.connect() as conn:
        total = _count(conn, spec, stmt)
        rows = _cut(conn, spec, stmt, query, offset, limit) if offset < total else []
    if spec.finish is not None and rows:
        spec.finish(engine, rows, now)
    return rows, total


def iter_rows(
    engine: Engine, spec: ListSpec, query: ListQuery, now: datetime, *, chunk: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every row of the filtered view, in its order, completed chunk by chunk (exports)."""
    stmt = _ordered(spec, filtered(spec, query, now), query)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(stmt)
        for part in result.partitions(chunk):
            rows = [dict(r._mapping) for r in part]
            if spec.finish is not None:
                spec.finish(engine, rows, now)
            yield from rows
