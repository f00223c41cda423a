"""Re-imports without duplicates: the source comes from the mapping or the file's columns,
never from the data file's name; references already stored under another source warn.

Real CLI on SQLite and PostgreSQL, and the web import form.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cli_support import gltd
from gltd.model import Incident
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import check_import, login, page_token, seed, settings_for, web_settings


def _month(tmp_path: Path, name: str, first: date, last: date, *, ids: bool = True) -> Path:
    """One row a day from ``first`` to ``last`` (a police export of those weeks)."""
    head = ("N° FAIT;" if ids else "") + "DATE FAITS;NATURE;LONGITUDE;LATITUDE\n"
    rows = []
    d = first
    while d <= last:
        k = (d - date(2018, 1, 1)).days
        ref = f"PV-{k:04d};" if ids else ""
        rows.append(
            f"{ref}{d:%d/%m/%Y} 1{k % 10}:30;Trafic de stupéfiants;1,9{k % 7};47,9{k % 5}\n"
        )
        d += timedelta(days=1)
    p = tmp_path / name
    p.write_text(head + "".join(rows), encoding="utf-8")
    return p


def _incidents(url: str) -> list[tuple[str, str]]:
    with make_engine(url).connect() as conn:
        return sorted(conn.execute(select(Incident.source, Incident.source_ref)).all())


def test_monthly_exports_under_new_file_names_write_no_duplicates(
    db_url: str, tmp_path: Path
) -> None:
    """1 January – 7 February (38 days), then 25 January – 28 February (35 days, 14 of
    them already imported): 59 incidents, not 73."""
    jan = _month(tmp_path, "export_2018_01.csv", date(2018, 1, 1), date(2018, 2, 7))
    feb = _month(tmp_path, "export_2018_02.csv", date(2018, 1, 25), date(2018, 2, 28))
    out = gltd("import", "incidents", str(jan), "--db", db_url)
    assert "38 ligne(s) écrite(s), 0 déjà présente(s)" in out
    assert "source : colonnes-" in out and "(déduite des colonnes du fichier)" in out
    out = gltd("import", "incidents", str(feb), "--db", db_url)
    assert "21 ligne(s) écrite(s), 14 déjà présente(s)" in out
    rows = _incidents(db_url)
    assert len(rows) == 59 and len(set(rows)) == 59
    assert len({s for s, _ in rows}) == 1


def test_without_id_column_content_refs_do_the_same(db_url: str, tmp_path: Path) -> None:
    jan = _month(tmp_path, "janvier.csv", date(2018, 1, 1), date(2018, 2, 7), ids=False)
    feb = _month(tmp_path, "fevrier.csv", date(2018, 1, 25), date(2018, 2, 28), ids=False)
    gltd("import", "incidents", str(jan), "--db", db_url)
    out = gltd("import", "incidents", str(feb), "--db", db_url)
    assert "21 ligne(s) écrite(s), 14 déjà présente(s)" in out
    assert len(_incidents(db_url)) == 59


def test_source_from_the_mapping_file(db_url: str, tmp_path: Path) -> None:
    jan = _month(tmp_path, "a.csv", date(2018, 1, 1), date(2018, 1, 10))
    named = tmp_path / "lrp-ddsp45.yaml"
    named.write_text("columns:\n  id: N° FAIT\n", encoding="utf-8")
    out = gltd("import", "incidents", str(jan), "--mapping", str(named), "--db", db_url)
    assert "source : lrp-ddsp45 (nom du fichier de correspondance)" in out
    keyed = tmp_path / "export.yaml"
    keyed.write_text("source: ville-orleans\ncolumns:\n  id: N° FAIT\n", encoding="utf-8")
    out = gltd(
        "import", "incidents", str(jan), "--mapping", str(keyed), "--dry-run", "--db", db_url
    )
    assert "source : ville-orleans (fichier de correspondance)" in out
    assert {s for s, _ in _incidents(db_url)} == {"lrp-ddsp45"}


def test_references_under_another_source_warn(db_url: str, tmp_path: Path) -> None:
    jan = _month(tmp_path, "faits.csv", date(2018, 1, 1), date(2018, 1, 10))
    gltd("import", "incidents", str(jan), "--source", "ddsp45", "--db", db_url)
    out = gltd("import", "incidents", str(jan), "--db", db_url, "--dry-run")
    assert (
        "10 référence(s) de ce fichier existent déjà sous la source « ddsp45 » : elles seront "
        "écrites une seconde fois" in out
    )
    assert "importez avec --source ddsp45" in out
    out = gltd("import", "incidents", str(jan), "--source", "ddsp45", "--db", db_url)
    assert "0 ligne(s) écrite(s), 10 déjà présente(s)" in out
    assert "existent déjà sous la source" not in out


def test_web_import_takes_a_source(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    body = _month(tmp_path, "x.csv", date(2018, 5, 1), date(2018, 5, 3)).read_bytes()
    app_ = create_app(settings_for(sqlite_url), web=web_settings(tmp_path))
    with TestClient(app_) as c:
        login(c, "police.analyste")
        tok = page_token(c, "/imports")
        assert 'name="source"' in c.get("/imports").text
        code, page, token = check_import(c, tok, "incidents", "mai.csv", body, source="ddsp45-web")
        assert code == 200, page[-2000:]
        assert "Source : ddsp45-web (saisie dans le formulaire)" in page
        r = c.post("/imports/confirmer", data={"csrf_token": tok, "token": token})
        assert r.status_code == 200 and 'id="done"' in r.text
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count()).select_from(Incident).where(Incident.source == "ddsp45-web")
        ).scalar_one()
    assert n == 3


def test_a_file_imported_before_under_its_file_name_keeps_that_source(
    db_url: str, tmp_path: Path
) -> None:
    """Before sources were derived from the columns, the default was the file name:
    re-importing that same file must still find its rows."""
    f = _month(tmp_path, "Faits Mars 2018.csv", date(2018, 3, 1), date(2018, 3, 12))
    gltd("import", "incidents", str(f), "--source", "faits_mars_2018", "--db", db_url)
    out = gltd("import", "incidents", str(f), "--db", db_url)
    assert "0 ligne(s) écrite(s), 12 déjà présente(s)" in out
    assert "source : faits_mars_2018 (nom du fichier, comme ses imports précédents)" in out
    assert "existent déjà sous la source" not in out
    # another month's file from that system: its own rows under the derived source, and a
    # warning for the days already stored under the old file-name source
    g = _month(tmp_path, "Faits Avril 2018.csv", date(2018, 3, 10), date(2018, 4, 5))
    out = gltd("import", "incidents", str(g), "--db", db_url)
    assert "3 référence(s) de ce fichier existent déjà sous la source « faits_mars_2018 »" in out
