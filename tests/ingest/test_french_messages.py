"""Import messages in French only, at their root: systems named in French (not PROJ's
English), categories and operation kinds by their labels, and the rejected rows' reason."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from gltd.errors import ValidationFailed
from gltd.ingest.pipeline import ImportOptions, import_file
from gltd.store.engine import make_engine


def _problem_dicts(url: str, kind: str, path: Path) -> list[dict[str, Any]]:
    with pytest.raises(ValidationFailed) as exc:
        import_file(make_engine(url), kind, path, ImportOptions(dry_run=True))
    return list(exc.value.problems)


def _problems(url: str, kind: str, path: Path) -> list[str]:
    return [str(p["message"]) for p in _problem_dicts(url, kind, path)]


def test_messages_name_systems_categories_and_kinds_in_french(
    sqlite_url: str, tmp_path: Path
) -> None:
    f = tmp_path / "faits.csv"
    f.write_text(
        "id;date;categorie;lon;lat\n"
        "A;31/11/2026 10:00;usage;1.90;47.90\n"
        "B;01/05/2018 10:00;vol de licorne;1.90;47.90\n"
        "C;01/05/2018 10:00;usage;100;47.90\n",
        encoding="utf-8",
    )
    date, cat, where = _problems(sqlite_url, "incidents", f)
    assert date.startswith("date inexistante : le 31 novembre n'existe pas")
    assert "« Usage de stupéfiants »" in cat and "usage_stupefiants" not in cat
    assert "(WGS84, monde entier)" in where and "(Lambert-93, France métropolitaine" in where
    assert "onshore" not in where and "World" not in where
    ops = tmp_path / "operations.csv"
    ops.write_text("date;type;lon;lat\n01/05/2018;descente;1.90;47.90\n", encoding="utf-8")
    (kind,) = _problems(sqlite_url, "operations", ops)
    assert "« occupation de la voie publique »" in kind and "fermeture_administrative" not in kind


def test_rejected_rows_carry_their_reason(sqlite_url: str, tmp_path: Path) -> None:
    f = tmp_path / "faits.csv"
    f.write_text(
        "id;date;categorie;lon;lat\nA;31/11/2026 10:00;usage;1.90;47.90\n"
        "B;01/05/2018 10:00;usage;1.90;47.90\n",
        encoding="utf-8",
    )
    res = import_file(make_engine(sqlite_url), "incidents", f, ImportOptions(skip_invalid=True))
    assert res.rows_written == 1 and res.rejected_rows_path is not None
    with res.rejected_rows_path.open(encoding="utf-8-sig") as fh:
        (row,) = list(csv.DictReader(fh, delimiter=";"))
    assert row["ligne"] == "2" and row["id"] == "A"
    assert (
        row["motif"]
        == "date : date inexistante : le 31 novembre n'existe pas (« 31/11/2026 10:00 »)"
    )
    assert [p["row"] for p in res.problems] == [2]


def test_a_day_the_calendar_lacks_is_said_so_in_every_parser() -> None:
    from gltd.errors import InputError
    from gltd.timeutil import parse_datetime, parse_day
    from gltd.web.forms import Field, FormErrors, parse

    for text in ("31/11/2026", "2026-11-31"):
        with pytest.raises(InputError, match="le 31 novembre n'existe pas"):
            parse_day(text)
    with pytest.raises(InputError, match="2026 n'est pas bissextile"):
        parse_datetime("29/02/2026 10:00")
    with pytest.raises(InputError, match="illisible"):
        parse_day("hier")
    with pytest.raises(FormErrors, match="le 31 novembre n'existe pas"):
        parse([Field("at", "Le", "datetime", True)], {"at": "2026-11-31T10:00"})


def test_an_end_before_its_start_is_refused_with_its_column(
    sqlite_url: str, tmp_path: Path
) -> None:
    from gltd.cctv import inventory as inv
    from gltd.cctv.importers import register_importers

    register_importers()
    f = tmp_path / "faits.csv"
    f.write_text(
        "id;date;date_fin;categorie;lon;lat\n"
        "A;02/05/2018 10:00;01/05/2018 10:00;usage;1.90;47.90\n"
        "B;01/05/2018 10:00;02/05/2018 10:00;usage;1.90;47.90\n",
        encoding="utf-8",
    )
    (p,) = _problem_dicts(sqlite_url, "incidents", f)
    assert (p["row"], p["column"], p["expected"]) == (2, "date_fin", "une fin après le début")
    assert "fin avant le début" in str(p["message"])
    inv.add_camera(make_engine(sqlite_url), inv.CameraData(code="C1", lat=47.902, lon=1.901))
    req = tmp_path / "requisitions.csv"
    req.write_text(
        "date_reception;service;cameras;debut_periode;fin_periode\n"
        "03/05/2018;BSU;C1;02/05/2018 10:00;01/05/2018 10:00\n"
        "03/05/2018;BSU;C1;01/05/2018 10:00;01/05/2018 11:00\n",
        encoding="utf-8",
    )
    (p,) = _problem_dicts(sqlite_url, "requisitions", req)
    assert (p["row"], p["column"], p["expected"]) == (2, "fin_periode", "une fin après le début")
    assert "période inversée" in str(p["message"])
