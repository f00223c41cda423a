"""The one document renderer: a template and its context → HTML, PDF or JSON.

Every document gltd prints — the bilan, the displacement report, the relevance study, the
near-repeat table — is a Jinja2 template in ``gltd/documents/templates/`` filled by the
feature that owns the numbers (it supplies the context; it does no formatting of its own).

- **One Jinja environment** (:data:`ENV`): templates of that folder, HTML auto-escaping,
  undefined names are errors (a missing figure never prints as an empty string), and the
  French filters of :mod:`gltd.documents.fmt`: ``int`` ``num`` ``dec`` ``pct`` ``change``
  ``p`` ``rr`` ``date`` ``dshort`` ``eur`` ``ucfirst`` and the ``ci(low, high)`` global.
- **One PDF policy** (:func:`html_to_pdf`): WeasyPrint from the same HTML, with a URL
  fetcher that accepts only ``data:`` URIs. A document embeds its charts and maps
  (:mod:`gltd.documents.figures`); nothing is ever fetched from the network or read from a
  local file while a PDF is printed, whatever a template or a value contains.
- **One JSON writer** (:func:`json_text`): indented UTF-8, non-finite numbers as ``null``.

Output files are written with :func:`gltd.fileio.write_atomic`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from gltd.documents import fmt
from gltd.errors import InputError

__all__ = [
    "ENV",
    "FORMATS",
    "STYLESHEETS",
    "render_document",
    "render_html",
    "html_to_pdf",
    "json_text",
    "plain",
    "basemap_attribution",
    "stylesheet",
]

FORMATS = ("html", "pdf", "json")

ENV = Environment(
    loader=PackageLoader("gltd.documents", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters.update(
    {
        "int": fmt.fr_int,
        "num": fmt.fr_num,
        "dec": fmt.fr_dec,
        "pct": fmt.fr_pct,
        "change": fmt.fr_change,
        "test_change": fmt.fr_test_change,
        "p": fmt.fr_p,
        "rr": fmt.fr_rr,
        "date": fmt.fr_date,
        "dshort": fmt.fr_date_short,
        "eur": fmt.fr_eur,
        "ucfirst": fmt.fr_ucfirst,
    }
)
ENV.globals["ci"] = fmt.fr_ci


def basemap_attribution() -> str | None:
    """The attribution of the basemap under the documents' maps, or None (templates)."""
    from gltd.basemap import static_attribution

    return static_attribution()


ENV.globals["basemap_attribution"] = basemap_attribution


def plain(v: Any) -> Any:
    """``v`` with JSON-safe values: string keys, lists, numpy scalars as Python numbers,
    non-finite floats as ``None``."""
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [plain(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        return plain(v.item())
    return v


def json_text(data: Any) -> str:
    """``data`` as indented UTF-8 JSON (accents kept, non-finite numbers as ``null``)."""
    return json.dumps(plain(data), ensure_ascii=False, indent=2)


def render_html(template: str, context: Mapping[str, Any]) -> str:
    """The template (a file of ``gltd/documents/templates``) filled with ``context``, in
    French typography (:func:`gltd.documents.fmt.fr_typography_html`)."""
    return fmt.fr_typography_html(ENV.get_template(template).render(**context))


#: Stylesheets of document parts that the web pages also show (the run page's Knox table
#: and displacement measures): one home for their look.
STYLESHEETS = ("knox.css", "displacement.css")


def stylesheet(name: str) -> str:
    """The text of one of :data:`STYLESHEETS` (the documents include them inline)."""
    if name not in STYLESHEETS:
        raise InputError(f"feuille de style inconnue : « {name[:40]} »")
    loader = ENV.loader
    assert loader is not None
    return loader.get_source(ENV, name)[0]


def html_to_pdf(html: str) -> bytes:
    """The HTML printed as PDF by WeasyPrint; only ``data:`` URIs may be loaded."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # No base URL: a relative address has nothing to resolve against; the fetcher refuses
    # every scheme but data: (file://, http(s)://, ftp:// …).
    out = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf()
    assert out is not None
    return bytes(out)


def render_document(
    template: str, context: Mapping[str, Any], fmt_name: str, *, data: Any = None
) -> bytes:
    """The document in ``fmt_name`` (``html``, ``pdf`` or ``json``), as bytes to write.

    The template sees ``for_pdf`` (true when printing). ``json`` writes ``data`` (the
    feature's plain result), not the template.
    """
    if fmt_name not in FORMATS:
        raise InputError(f"format inconnu : « {fmt_name} » (attendu : {', '.join(FORMATS)})")
    if fmt_name == "json":
        return json_text(data).encode("utf-8")
    html = render_html(template, {**context, "for_pdf": fmt_name == "pdf"})
    return html_to_pdf(html) if fmt_name == "pdf" else html.encode("utf-8")
