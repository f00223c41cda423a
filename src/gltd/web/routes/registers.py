"""Generic pages and API for every register: list (paged, sorted, searched, filtered),
XLSX and CSV export of the filtered view, add, edit."""

from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

from gltd.errors import GltdError
from gltd.privacy import form_warnings
from gltd.timeutil import MONTHS_FR, PARIS
from gltd.web import audit
from gltd.web.auth import CurrentUser
from gltd.web.deps import app_state, client_ip, record_read, require
from gltd.web.forms import Field, FormErrors, form_data, parse, to_form_values
from gltd.web.permissions import SENSITIVE
from gltd.web.registers import LISTINGS, REGISTERS, Register
from gltd.web.registers.api import list_response, with_list_parameters
from gltd.web.registers.export import csv_bytes, export_rows, xlsx_bytes
from gltd.web.registers.listing import (
    PAGE_SIZES,
    ListQuery,
    ListSpec,
    Page,
    fetch_page,
    iter_rows,
    parse_query,
)
from gltd.web.registers.requisitions import requisition_deadline
from gltd.web.render import fr_date, fr_datetime, fr_number, render

router = APIRouter()
api = APIRouter(prefix="/api")


def _cell(value: Any, kind: str) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if kind == "date":
        return fr_date(value)
    if kind in ("datetime", "level"):
        return fr_datetime(value)
    if kind == "number":
        return fr_number(value, 0 if isinstance(value, int) else 2).removesuffix(",00")
    return "—" if value in (None, "") else str(value)


def _tds(reg: Register, row: dict[str, Any]) -> Markup:
    """The cells of one list row, escaped, built here rather than cell by cell in the
    template (several times cheaper on a page of 50 rows × 10 columns)."""
    out = []
    for c in reg.columns:
        text = escape(_cell(row.get(c.key), c.kind))
        if reg.slug == "requisitions" and c.key == "id":
            rid = escape(row["id"])
            out.append(
                f'<td><a href="/requisitions/{rid}" title="page de la réquisition">{text}</a></td>'
            )
        elif c.kind == "level":
            out.append(f'<td class="lvl-{escape(row.get("level", ""))}">{text}</td>')
        elif c.kind == "number":
            out.append(f'<td class="num">{text}</td>')
        else:
            out.append(f"<td>{text}</td>")
    return Markup("".join(out))


def _filter_choices(spec: ListSpec, engine: Any) -> list[dict[str, Any]]:
    """The filters of a list page with their choices (read from the database)."""
    return [
        {"param": f.param, "label": f.label, "options": f.options(engine)} for f in spec.filters
    ]


def _page_and_filters(
    request: Request, reg: Register, query: ListQuery, now: datetime
) -> tuple[Page, list[dict[str, Any]], list[dict[str, Any]]]:
    """One page of a list, its filters with their choices and its table cells, the read
    audited first.

    Kept in the cache for this view and minute (the deadline colours follow the clock)
    until the next change to the data, recorded by any process (see
    :meth:`gltd.web.cache.DataCache.memo`): users page back and forth through the same
    lists. The read is audited every time.
    """
    record_read(request)
    st = app_state(request)
    spec = LISTINGS[reg.slug]
    minute = now.replace(second=0, microsecond=0)

    def compute() -> tuple[Page, list[dict[str, Any]], list[dict[str, Any]]]:
        page = fetch_page(st.engine, spec, query, now)
        table = [{"id": r["id"], "tds": _tds(reg, r)} for r in page.rows]
        return page, _filter_choices(spec, st.engine), table

    result: tuple[Page, list[dict[str, Any]], list[dict[str, Any]]] = st.cache.memo(
        ("register-page", reg.slug, repr(query), minute), compute
    )
    return result


EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _identity_warnings(fields: list[Field], values: dict[str, Any]) -> list[str]:
    """French warnings for the text fields that look like a person's identity (saved anyway)."""
    texts = {f.name: values.get(f.name) for f in fields if f.kind in ("text", "textarea")}
    return form_warnings(texts, {f.name: f.label for f in fields})


def _calendar(rows: list[dict[str, Any]], month: str | None, today: date) -> dict[str, Any]:
    """Operations of one month laid out in weeks (Monday first)."""
    import calendar

    if month:
        try:
            y, m = (int(p) for p in month.split("-"))
            if not (1990 <= y <= 2100 and 1 <= m <= 12):
                raise ValueError
        except ValueError:
            raise GltdError(f"mois illisible : « {month[:20]} » (attendu AAAA-MM)") from None
    elif rows:
        first = rows[0]["started_at"].astimezone(PARIS).date()
        y, m = first.year, first.month
    else:
        y, m = today.year, today.month
    by_day: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        d = r["started_at"].astimezone(PARIS).date()
        if d.year == y and d.month == m:
            by_day.setdefault(d.day, []).append(r)
    weeks = [
        [(d, by_day.get(d, [])) for d in w] for w in calendar.Calendar(0).monthdayscalendar(y, m)
    ]
    prev = f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"
    nxt = f"{y + 1}-01" if m == 12 else f"{y}-{m + 1:02d}"
    return {"weeks": weeks, "label": f"{MONTHS_FR[m - 1]} {y}", "prev": prev, "next": nxt}


def _add_routes(reg: Register) -> None:
    Reader = Annotated[CurrentUser, Depends(require(reg.resource, "read"))]
    #: The list page records its read with the page, in one trip to the thread pool.
    ListReader = Annotated[CurrentUser, Depends(require(reg.resource, "read", audit_in_route=True))]
    Writer = Annotated[CurrentUser, Depends(require(reg.resource, "write"))]

    spec = LISTINGS[reg.slug]

    async def list_page(
        request: Request, user: ListReader, vue: str | None = None, mois: str | None = None
    ) -> HTMLResponse:
        st = app_state(request)
        if vue == "calendrier" and reg.slug == "operations":
            newest = ListQuery(sort="started_at", desc=True)

            def calendar_rows() -> list[dict[str, Any]]:
                record_read(request)
                return list(iter_rows(st.engine, spec, newest, st.web.now()))

            rows = await run_in_threadpool(calendar_rows)
            cal = _calendar(rows, mois, st.web.today())
            return render(request, "register_list.html", {"reg": reg, "calendar": cal})
        query = parse_query(spec, request.query_params)
        # One trip to the thread pool for the page and the filters' choices: under load
        # each trip waits for the interpreter again behind the other requests.
        page, filters, table = await run_in_threadpool(
            _page_and_filters, request, reg, query, st.web.now()
        )
        return render(
            request,
            "register_list.html",
            {
                "reg": reg,
                "rows": table,
                "calendar": None,
                "spec": spec,
                "page": page,
                "query": page.query,
                "filters": filters,
                "page_sizes": PAGE_SIZES,
                "list_path": f"/{reg.slug}",
            },
        )

    def export_route(fmt: str) -> Any:
        async def export(request: Request, user: Reader) -> Response:
            st = app_state(request)
            query = parse_query(spec, request.query_params)
            cols, rows = await run_in_threadpool(export_rows, st.engine, spec, query, st.web.now())
            if fmt == "xlsx":
                body = await run_in_threadpool(xlsx_bytes, reg.title, cols, rows)
            else:
                body = await run_in_threadpool(csv_bytes, cols, rows)
            await run_in_threadpool(
                audit.record,
                st.engine,
                user,
                "export",
                reg.resource,
                None,
                f"{len(rows)} lignes ({fmt.upper()}) ; {query.filter_summary()}",
                client_ip(request),
            )
            return Response(
                body,
                media_type=EXPORT_TYPES[fmt],
                headers={"content-disposition": f'attachment; filename="{reg.slug}.{fmt}"'},
            )

        export.__name__ = f"export_{reg.slug}_{fmt}"
        return export

    async def form_page(
        request: Request,
        user: Writer,
        item_id: int | None = None,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        error: str = "",
        status: int = 200,
    ) -> HTMLResponse:
        st = app_state(request)
        editing = item_id is not None
        fields = await run_in_threadpool(reg.fields, st.engine, editing=editing)
        if values is None:
            if editing:
                assert item_id is not None
                raw = await run_in_threadpool(reg.values, st.engine, item_id)
                values = to_form_values(_Obj(raw), fields)
            else:
                values = dict(reg.defaults(st.engine, st.web.now()))
        return render(
            request,
            "register_form.html",
            {
                "reg": reg,
                "fields": fields,
                "values": values,
                "errors": errors or {},
                "error": error,
                "item_id": item_id,
            },
            status_code=status,
        )

    async def new_page(request: Request, user: Writer) -> HTMLResponse:
        return await form_page(request, user)

    async def edit_page(request: Request, user: Writer, item_id: int) -> HTMLResponse:
        # An object of another agency is refused before its form is shown (403, audited).
        await run_in_threadpool(
            reg.check_edit, app_state(request).engine, item_id, user, client_ip(request)
        )
        if reg.resource in SENSITIVE:
            # The form shows the stored values (an operation's notes): a sensitive read.
            await run_in_threadpool(
                audit.record,
                app_state(request).engine,
                user,
                "lecture",
                reg.resource,
                item_id,
                f"{request.url.path} (formulaire de modification)",
                client_ip(request),
            )
        return await form_page(request, user, item_id)

    async def submit(request: Request, user: CurrentUser, item_id: int | None) -> Response:
        st = app_state(request)
        editing = item_id is not None
        fields = await run_in_threadpool(reg.fields, st.engine, editing=editing)
        form = await request.form()
        data = form_data(form, fields)
        try:
            values = parse(fields, data)
            if editing:
                assert item_id is not None
                await run_in_threadpool(
                    reg.update, st.engine, item_id, values, user, client_ip(request)
                )
                new_id = item_id
            else:
                new_id = await run_in_threadpool(
                    reg.create, st.engine, values, user, client_ip(request)
                )
        except FormErrors as exc:
            return await form_page(request, user, item_id, data, exc.errors, str(exc), 400)
        except GltdError as exc:
            field = getattr(exc, "field", None)
            errors = {field: str(exc)} if field else {}
            return await form_page(request, user, item_id, data, errors, str(exc), 400)
        st.cache.invalidate()
        msg = f"{reg.item_label} n° {new_id} {'modifiée' if editing else 'enregistrée'}"
        warn = " ; ".join(_identity_warnings(fields, values))
        extra = f"&attention={quote(warn)}" if warn else ""
        return RedirectResponse(f"{reg.saved_url(new_id)}?ok={quote(msg)}{extra}", status_code=303)

    async def create(request: Request, user: Writer) -> Response:
        return await submit(request, user, None)

    async def update(request: Request, user: Writer, item_id: int) -> Response:
        return await submit(request, user, item_id)

    async def api_list(request: Request, user: Reader, **params: Any) -> dict[str, Any]:
        """One slice of the filtered view (``limit`` rows from ``offset``, or ``page``),
        the filtered count (``total``) and the address of the next slice (``next``)."""
        st = app_state(request)
        return await run_in_threadpool(
            list_response, st.engine, spec, request.query_params, st.web.now(), request.url.path
        )

    with_list_parameters(api_list, spec)

    async def api_create(
        request: Request,
        user: Writer,
        body: Annotated[dict[str, Any], Body(description="Champs du formulaire")],
    ) -> dict[str, Any]:
        st = app_state(request)
        fields = await run_in_threadpool(reg.fields, st.engine)
        values = parse(fields, body)
        new_id = await run_in_threadpool(reg.create, st.engine, values, user, client_ip(request))
        st.cache.invalidate()
        return {"id": new_id, "avertissements": _identity_warnings(fields, values)}

    async def api_update(
        request: Request,
        user: Writer,
        item_id: int,
        body: Annotated[dict[str, Any], Body(description="Champs du formulaire")],
    ) -> dict[str, Any]:
        st = app_state(request)
        fields = await run_in_threadpool(reg.fields, st.engine, editing=True)
        values = parse(fields, body)
        await run_in_threadpool(reg.update, st.engine, item_id, values, user, client_ip(request))
        st.cache.invalidate()
        return {"id": item_id, "avertissements": _identity_warnings(fields, values)}

    s = reg.slug
    router.add_api_route(
        f"/{s}", list_page, methods=["GET"], response_class=HTMLResponse, include_in_schema=False
    )
    api.add_api_route(
        f"/{s}", api_list, methods=["GET"], tags=[reg.title], summary=f"Liste : {reg.title}"
    )
    for fmt in EXPORT_TYPES:
        router.add_api_route(
            f"/{s}.{fmt}", export_route(fmt), methods=["GET"], include_in_schema=False
        )
        api.add_api_route(
            f"/{s}.{fmt}",
            export_route(fmt),
            methods=["GET"],
            tags=[reg.title],
            summary=f"Export {fmt.upper()} de la vue filtrée (toutes les pages)",
        )
    if reg.creatable:
        router.add_api_route(
            f"/{s}/nouveau",
            new_page,
            methods=["GET"],
            response_class=HTMLResponse,
            include_in_schema=False,
        )
        router.add_api_route(f"/{s}/nouveau", create, methods=["POST"], include_in_schema=False)
        api.add_api_route(
            f"/{s}", api_create, methods=["POST"], tags=[reg.title], summary="Ajouter"
        )
    if reg.editable:
        router.add_api_route(
            f"/{s}/{{item_id}}/modifier",
            edit_page,
            methods=["GET"],
            response_class=HTMLResponse,
            include_in_schema=False,
        )
        router.add_api_route(
            f"/{s}/{{item_id}}/modifier", update, methods=["POST"], include_in_schema=False
        )
        api.add_api_route(
            f"/{s}/{{item_id}}", api_update, methods=["POST"], tags=[reg.title], summary="Modifier"
        )


class _Obj:
    def __init__(self, d: dict[str, Any]) -> None:
        self.__dict__.update(d)


ReqReader = Annotated[CurrentUser, Depends(require("requisitions", "read"))]


@api.get("/requisitions-echeance", tags=["Réquisitions judiciaires d'images"])
async def deadline_preview(
    request: Request,
    user: ReqReader,
    debut: Annotated[
        str, Query(description="Début de la période demandée (AAAA-MM-JJTHH:MM, heure de Paris)")
    ],
    camera: Annotated[list[str], Query(description="Codes des caméras")],
) -> dict[str, Any]:
    """The deadline a requisition would have (shown live on the add form)."""
    start = parse([Field("debut", "Début", "datetime", True)], {"debut": debut})["debut"]
    st = app_state(request)
    return await run_in_threadpool(requisition_deadline, st.engine, camera, start, st.web.now())


for _reg in REGISTERS.values():
    _add_routes(_reg)
