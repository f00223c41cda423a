"""A bilan goes to every agency and the press: never a planned operation, never free text.

A police administrator (who may see planned operations in the register) builds the bilan
from the CLI and from the web: planned operations (flag set, or dated after the bilan)
appear nowhere — not in the JSON, the HTML, the PDF text, nor in the counts — and no
operation notes are printed. Reading a run page or its files is written to the audit log.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.model import AuditEvent, Operation, Seizure
from gltd.store.engine import make_engine
from gltd.web.app import create_app
from web_support import finished_job, login, page_token, seed, settings_for, web_settings

SECRET_SERVICE = "GIR-XJ42-PLANIFIE"
SECRET_SUBSTANCE = "heroine-XJ42"
FUTURE_SERVICE = "BRI-XJ43-FUTUR"
NOTE = "NOTE-XJ44 témoin M. Dupont 06 12 34 56 78"
DONE_SERVICE = "BAC nuit"


def _add_operations(url: str) -> None:
    now = datetime.now(UTC)
    with Session(make_engine(url)) as s, s.begin():
        planned = Operation(
            started_at=datetime(2018, 6, 2, 5, 0, tzinfo=UTC),
            kind="perquisition",
            agencies=SECRET_SERVICE,
            planned=True,
            arrests_trafficker=7,
            notes="planifiée XJ42",
            source="test",
            source_ref="planned-2018",
        )
        planned.seizures = [Seizure(substance=SECRET_SUBSTANCE, quantity=3.0, unit="kg")]
        future = Operation(
            started_at=now + timedelta(days=20),
            kind="fermeture_administrative",
            agencies=FUTURE_SERVICE,
            planned=False,
            source="test",
            source_ref="future-unflagged",
        )
        done = Operation(
            started_at=datetime(2018, 6, 5, 18, 0, tzinfo=UTC),
            kind="controle",
            agencies=DONE_SERVICE,
            planned=False,
            arrests_consumer=2,
            notes=NOTE,
            source="test",
            source_ref="done-2018",
        )
        s.add_all([planned, future, done])


def _assert_clean(text: str, *, where: str) -> None:
    for marker in (SECRET_SERVICE, SECRET_SUBSTANCE, FUTURE_SERVICE, "XJ42", "XJ43", "XJ44"):
        assert marker not in text, f"{marker} leaked into the {where}"
    assert "Dupont" not in text and "06 12 34 56 78" not in text, where


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def url(db_url: str) -> str:
    """SQLite and PostgreSQL (the planned filter is SQL)."""
    seed(db_url)  # its own planned operation: a « perquisition » in 2030
    _add_operations(db_url)
    return db_url


@pytest.fixture
def sqlite_db(sqlite_url: str) -> str:
    """SQLite only (the web path renders two bilans)."""
    seed(sqlite_url)
    _add_operations(sqlite_url)
    return sqlite_url


def test_cli_bilan_never_shows_a_planned_operation(url: str, tmp_path: Path) -> None:
    # The period covers 2018 (a planned one) and today + 20 days (an unflagged future one).
    last = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    args = ["report", "--db", url, "--from", "2018-01-01", "--to", last]
    args += ["--compare", "previous-period"]
    outs = {}
    for fmt, edition in (("json", "complete"), ("html", "complete"), ("pdf", "complete"),
                         ("html", "presse"), ("pdf", "presse")):  # fmt: skip
        out = tmp_path / f"bilan-{edition}.{fmt}"
        res = CliRunner().invoke(
            app, [*args, "--format", fmt, "--edition", edition, "--out", str(out)]
        )
        assert res.exit_code == 0, res.output
        outs[fmt if edition == "complete" else f"presse-{fmt}"] = out
    data = json.loads(outs["json"].read_text(encoding="utf-8"))
    ops = data["operations"]
    # Only the operation carried out is counted: the planned ones leave no trace.
    assert ops["total"] == 1
    assert [c["kind"] for c in ops["calendar"]] == ["controle"]
    assert ops["calendar"][0]["agencies"] == DONE_SERVICE
    assert "notes" not in ops["calendar"][0]
    assert ops["arrests"] == {"trafficker": 0, "consumer": 2, "other": 0}
    assert ops["seizures"] == []
    assert {k["kind"] for k in ops["by_kind"]} == {"controle"}
    _assert_clean(outs["json"].read_text(encoding="utf-8"), where="JSON")
    html = outs["html"].read_text(encoding="utf-8")
    _assert_clean(html, where="HTML")
    assert "Perquisition" not in html and "Fermeture administrative" not in html
    pdf = _pdf_text(outs["pdf"])
    _assert_clean(pdf, where="PDF")
    assert "Contrôle" in pdf  # the operation carried out is there
    # The press edition, a selection of the same bilan, leaks nothing either.
    press_html = outs["presse-html"].read_text(encoding="utf-8")
    _assert_clean(press_html, where="press HTML")
    _assert_clean(_pdf_text(outs["presse-pdf"]), where="press PDF")
    assert "édition presse" in press_html


def _reads(url: str, user: str, run_id: int) -> list[tuple[str, str | None]]:
    with Session(make_engine(url)) as s:
        rows = s.execute(
            select(AuditEvent.action, AuditEvent.detail).where(
                AuditEvent.username == user,
                AuditEvent.object_type == "analysis_run",
                AuditEvent.object_id == str(run_id),
            )
        ).all()
    return [(a, d) for a, d in rows]


def test_web_bilan_by_police_admin_hides_planned_and_run_reads_are_audited(
    sqlite_db: str, tmp_path: Path
) -> None:
    url = sqlite_db
    with TestClient(create_app(settings_for(url), web=web_settings(tmp_path))) as c:
        login(c, "police.admin")
        # The police admin does see the planned operation in the register...
        assert SECRET_SERVICE in c.get("/api/operations").text
        runs = {}
        for fmt, edition in (("pdf", "complete"), ("html", "presse")):
            r = c.post(
                "/analyses/bilan",
                data={
                    "csrf_token": page_token(c),
                    "first": "2018-01-01",
                    "last": (datetime.now(UTC) + timedelta(days=60)).date().isoformat(),
                    "compare": "previous-period",
                    "format": fmt,
                    "edition": edition,
                },
                follow_redirects=False,
            )
            assert r.status_code == 303, r.text[:300]
            runs[fmt] = int(r.headers["location"].rsplit("/", 1)[1])
            assert finished_job(c, runs[fmt])["status"] == "done"
        # ... but not in the bilan, whatever the format.
        page = c.get(f"/analyses/runs/{runs['pdf']}")
        assert page.status_code == 200
        _assert_clean(page.text, where="run page")
        _assert_clean(c.get(f"/analyses/runs/{runs['pdf']}/resultat.json").text, where="JSON")
        pdf = tmp_path / "web.pdf"
        pdf.write_bytes(c.get(f"/analyses/runs/{runs['pdf']}/fichier").content)
        _assert_clean(_pdf_text(pdf), where="PDF")
        press = c.get(f"/analyses/runs/{runs['html']}/fichier").text
        _assert_clean(press, where="press HTML")
        assert "édition presse" in press and "Chiffres clés" in press
    # Every read of a run (page, JSON, file) is in the audit log, with the account.
    actions = [a for a, _d in _reads(url, "police.admin", runs["pdf"])]
    assert actions.count("lecture") == 1
    assert actions.count("export") == 2
    with TestClient(create_app(settings_for(url), web=web_settings(tmp_path))) as reader:
        login(reader, "ville.lecteur")
        assert reader.get(f"/analyses/runs/{runs['html']}").status_code == 200
    assert [a for a, _d in _reads(url, "ville.lecteur", runs["html"])] == ["lecture"]
