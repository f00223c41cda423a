"""One PDF policy for every document: WeasyPrint loads ``data:`` URIs and nothing else.

A tiny HTTP server on 127.0.0.1 counts the requests it receives, and a PNG on disk is
offered as ``file://`` (with ``file:///etc/passwd``): printing the bilan, the
displacement report and the relevance study with such addresses in their image slots
fetches nothing (no request, no image from disk), while their own ``data:`` charts are
still printed.
"""

from __future__ import annotations

import io
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Engine

from gltd.cctv.study import relevance_study
from gltd.cctv.study_render import TEMPLATE as STUDY
from gltd.cctv.study_render import study_context
from gltd.demo.scenario import build_demo
from gltd.displacement import TEMPLATE as DISPLACEMENT
from gltd.displacement import displacement_context, run_displacement
from gltd.documents import html_to_pdf, render_document
from gltd.documents.figures import png_data_uri
from gltd.report.builder import build_bilan, resolve_compare
from gltd.report.render import TEMPLATE as BILAN
from gltd.report.render import bilan_context
from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade
from gltd.timeutil import parse_period


def _png(colour: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (24, 24), colour).save(buf, "PNG")
    return buf.getvalue()


class Server:
    """Counts every request; answers with a PNG (or a stylesheet) that would print."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                hits.append(self.path)
                css = self.path.endswith(".css")
                body = b"body::after { content: 'FUITE' }" if css else _png("red")
                self.send_response(200)
                self.send_header("Content-Type", "text/css" if css else "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    t = threading.Thread(target=srv.httpd.serve_forever, daemon=True)
    t.start()
    # the server answers: a fetch would be seen
    with urllib.request.urlopen(srv.url + "/probe.png", timeout=5) as r:  # noqa: S310
        assert r.read()[:4] == b"\x89PNG"
    assert srv.hits == ["/probe.png"]
    srv.hits.clear()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.fixture
def disk_png(tmp_path: Path) -> str:
    p = tmp_path / "image-locale.png"
    p.write_bytes(_png("blue"))
    return p.as_uri()


def _images(pdf: bytes, tmp_path: Path) -> int:
    """Images printed in the PDF (poppler's ``pdfimages -list``; alpha masks not counted)."""
    assert pdf[:5] == b"%PDF-"
    path = tmp_path / f"doc-{len(list(tmp_path.glob('doc-*.pdf')))}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True
    ).stdout
    return sum(1 for line in out.splitlines()[2:] if line.split()[2] == "image")


def test_html_to_pdf_fetches_no_url(server: Server, disk_png: str, tmp_path: Path) -> None:
    css = tmp_path / "feuille.css"
    # read, this stylesheet would add an image (a data: one, which is allowed)
    css.write_text(f'body::before {{ content: url("{png_data_uri(_png("black"))}") }}')
    html = f"""<html><head>
<link rel="stylesheet" href="{server.url}/a.css"><link rel="stylesheet" href="{css.as_uri()}">
<style>@import url("{server.url}/b.css"); body {{ background: url("{server.url}/fond.png") }}
@font-face {{ font-family: X; src: url("{server.url}/police.woff2") }}</style></head>
<body><p>texte</p><img src="{png_data_uri(_png("green"))}">
<img src="{server.url}/c.png"><img src="{disk_png}"><img src="file:///etc/passwd">
<img src="../../../../etc/passwd"><img src="//127.0.0.1:{server.url.rsplit(":", 1)[1]}/d.png">
</body></html>"""
    pdf = html_to_pdf(html)
    assert server.hits == []
    assert _images(pdf, tmp_path) == 1  # the data: image only: no file, no stylesheet was read


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'demo.db'}"
    upgrade(url)
    eng = make_engine(url)
    build_demo(eng, seed=2018)
    yield eng
    eng.dispose()


def test_bilan_pdf_fetches_no_url(
    engine: Engine, server: Server, disk_png: str, tmp_path: Path
) -> None:
    period = parse_period("2018-03-24..2018-09-24")
    ref, kind = resolve_compare(period, "previous-year")
    ctx = bilan_context(build_bilan(engine, period, ref, compare_kind=kind))
    charts = ctx["charts"]
    images = [u for v in charts.values() for u in (v if isinstance(v, list) else [v])]
    assert len(images) == len(charts) - 1 + len(charts["displacement"]) >= len(charts) + 1
    assert all(str(v).startswith("data:image/png;base64,") for v in images)
    charts.update(
        map=f"{server.url}/carte.png",
        calendar=disk_png,
        requisitions="file:///etc/passwd",
        trend=f"{server.url}/courbe.png",
        displacement=[f"{server.url}/deplacement.png", disk_png],
    )
    pdf = render_document(BILAN, ctx, "pdf")
    assert server.hits == []
    assert _images(pdf, tmp_path) == 1  # the cameras chart, still embedded


@pytest.mark.parametrize("kind", ["http", "file"])
def test_displacement_pdf_fetches_no_url(
    engine: Engine, server: Server, disk_png: str, kind: str, tmp_path: Path
) -> None:
    report = run_displacement(engine, intervention_id=1, before="150d", store=False)
    ctx = displacement_context(report)
    assert ctx["map_uri"].startswith("data:image/png;base64,")
    assert _images(render_document(DISPLACEMENT, ctx, "pdf"), tmp_path) == 1
    ctx["map_uri"] = f"{server.url}/carte.png" if kind == "http" else disk_png
    pdf = render_document(DISPLACEMENT, ctx, "pdf")
    assert server.hits == []
    assert _images(pdf, tmp_path) == 0


def test_study_pdf_fetches_no_url(
    engine: Engine, server: Server, disk_png: str, tmp_path: Path
) -> None:
    result = relevance_study(
        engine, lat=47.902, lon=1.901, radius=100, as_of=date(2018, 9, 24), store=False
    )
    ctx = study_context(result)
    assert all(v.startswith("data:image/png;base64,") for v in ctx["charts"].values())
    ctx["charts"].update(years=f"{server.url}/annees.png", months=disk_png)
    pdf = render_document(STUDY, ctx, "pdf")
    assert server.hits == []
    assert _images(pdf, tmp_path) == 1  # the plan, still embedded
