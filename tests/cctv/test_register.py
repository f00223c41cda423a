"""Camera inventory, requisition register and viewing log on real SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from gltd.cctv import inventory as inv
from gltd.cctv import requisitions as req
from gltd.cctv import viewlog
from gltd.errors import GltdError, InputError, ValidationFailed
from gltd.model import AuditEvent, Requisition, RequisitionStatusEvent, ViewingLogEntry, Zone
from gltd.store.engine import make_engine, session_scope

PARIS = ZoneInfo("Europe/Paris")
CITY = "POLYGON((1.87 47.82, 1.96 47.82, 1.96 47.93, 1.87 47.93, 1.87 47.82))"
NOW = datetime(2018, 9, 24, 12, 0, tzinfo=PARIS)


def _setup(url: str) -> object:
    engine = make_engine(url)
    with session_scope(engine) as s:
        s.add(Zone(name="Orléans (test)", kind="commune", geometry_wkt=CITY))
    for code, ret, lat, lon in (
        ("C01", 15, 47.902, 1.901),
        ("C02", 30, 47.9025, 1.9015),
        ("C03", 7, 47.833, 1.934),
    ):
        inv.add_camera(
            engine,
            inv.CameraData(
                code=code, lat=lat, lon=lon, heading_deg=90.0, field_angle_deg=90.0,
                range_m=60.0, hd=code != "C03", annual_cost_eur=700.0, retention_days=ret,
                installed_on=date(2015, 1, 1), authorisation_number=f"AP-{code}",
                authorisation_date=date(2013, 12, 1) if code == "C01" else date(2016, 6, 1),
            ),
        )  # fmt: skip
    return engine


# --- inventory --------------------------------------------------------------------------


def test_retention_over_30_days_is_refused_citing_the_law(db_url: str) -> None:
    engine = _setup(db_url)
    data = inv.CameraData(code="C99", lat=47.90, lon=1.90, retention_days=45)
    with pytest.raises(InputError, match=r"45 jours refusée.*L252-5"):
        inv.add_camera(engine, data)
    with pytest.raises(InputError, match=r"L252-5"):
        inv.edit_camera(engine, "C01", {"retention_days": 31})
    assert inv.get_camera(engine, "C01").retention_days == 15  # nothing changed
    assert len(inv.list_cameras(engine)) == 3


def test_camera_outside_the_city_is_refused(db_url: str) -> None:
    engine = _setup(db_url)
    # Latitude and longitude swapped: a classic mistake.
    with pytest.raises(InputError, match="hors de la commune"):
        inv.add_camera(engine, inv.CameraData(code="C98", lat=1.90, lon=47.90))
    with pytest.raises(InputError, match="hors de la commune"):
        inv.add_camera(engine, inv.CameraData(code="C98", lat=48.10, lon=1.90))
    assert len(inv.list_cameras(engine)) == 3


def test_camera_zone_is_the_smallest_zone_containing_it(db_url: str) -> None:
    engine = _setup(db_url)
    quartier = "POLYGON((1.89 47.89, 1.91 47.89, 1.91 47.91, 1.89 47.91, 1.89 47.89))"
    with session_scope(engine) as s:
        s.add(Zone(name="Quartier (test)", kind="quartier", geometry_wkt=quartier))
    with session_scope(engine) as s:
        ids = {z.name: z.id for z in s.scalars(select(Zone))}
    inside = inv.add_camera(engine, inv.CameraData(code="Q1", lat=47.90, lon=1.90))
    outside = inv.add_camera(engine, inv.CameraData(code="Q2", lat=47.85, lon=1.93))
    assert inside.zone_id == ids["Quartier (test)"]
    assert outside.zone_id == ids["Orléans (test)"]
    moved = inv.edit_camera(engine, "Q2", {"lat": 47.905, "lon": 1.905})
    assert moved.zone_id == ids["Quartier (test)"]


def test_authorisation_expiry_defaults_to_five_years(db_url: str) -> None:
    engine = _setup(db_url)
    cam = inv.get_camera(engine, "C02")
    assert cam.authorisation_expiry == date(2021, 6, 1)
    assert cam.x == pytest.approx(618_700, abs=2_000)  # Lambert-93 metres, Orléans
    cam = inv.edit_camera(engine, "C02", {"authorisation_date": date(2016, 2, 29)})
    assert cam.authorisation_expiry == date(2021, 2, 28)
    with pytest.raises(InputError, match="L252-4"):
        inv.edit_camera(engine, "C02", {"authorisation_expiry": date(2030, 1, 1)})
    with pytest.raises(InputError, match="orientation"):
        inv.add_camera(engine, inv.CameraData(code="C97", lat=47.9, lon=1.9, field_angle_deg=90.0))


def test_network_summary(db_url: str) -> None:
    from gltd.model import Incident

    engine = _setup(db_url)
    c01 = inv.get_camera(engine, "C01")
    with session_scope(engine) as s:
        for i, (dx, cat) in enumerate([(30, "trafic_stupefiants"), (-30, "trafic_stupefiants"),
                                       (20, "cambriolages")]):  # fmt: skip
            s.add(
                Incident(
                    occurred_at=datetime(2018, 6, 1, tzinfo=UTC), category=cat,
                    x=c01.x + dx, y=c01.y, source="t", source_ref=str(i),
                )
            )  # fmt: skip
    summ = inv.network_summary(engine, on=date(2018, 9, 24))
    assert summ.n_cameras == 3 and summ.n_hd == 2
    assert summ.hd_share == pytest.approx(2 / 3)
    assert summ.annual_cost_eur == 2100.0
    # C01 looks east: the point 30 m east is seen, 30 m west is not.
    assert summ.coverage_by_category["trafic_stupefiants"] == {"n": 2, "covered": 1, "share": 0.5}
    assert summ.coverage_by_category["cambriolages"]["covered"] == 1
    # C01 authorised on 1 December 2013 expires on 1 December 2018: within six months.
    assert [e["code"] for e in summ.expiring] == ["C01"]
    assert summ.expiring[0]["days_left"] == 68


def test_import_cameras_all_or_nothing(db_url: str, tmp_path: Path) -> None:
    """The one camera importer (the pipeline) applies the rules of ``add_camera``."""
    from gltd.cctv.inventory import import_cameras

    engine = _setup(db_url)
    good = tmp_path / "cams.csv"
    good.write_text(
        "code;latitude;longitude;orientation;angle;portée;HD;conservation;coût annuel\n"
        "C10;47,905;1,905;180;60;80;oui;21;750\n"
        "C01;47,902;1,901;;360;50;non;15;650\n",
        encoding="utf-8",
    )
    out = import_cameras(engine, good)
    # C10 added, C01 updated (now a dome): two rows written, none left unchanged.
    assert (out.rows_in, out.rows_written, out.rows_existing) == (2, 2, 0)
    assert any("1 caméra(s) déjà enregistrée(s) mise(s) à jour" in w for w in out.warnings)
    c01 = inv.get_camera(engine, "C01")
    assert (c01.field_angle_deg, c01.heading_deg, c01.annual_cost_eur) == (360.0, None, 650.0)
    # Columns absent from the file keep the stored values (authorisation of C01).
    assert (c01.authorisation_number, c01.authorisation_date) == ("AP-C01", date(2013, 12, 1))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code;latitude;longitude;conservation;date_arrete;echeance\n"
        "C20;47.905;1.905;15;;\n"
        "C21;47.905;1.905;45;;\n"
        "C22;48.5;1.905;15;;\n"
        "C23;47.905;1.905;15;01/03/2018;02/03/2023\n"
        "C24;47.905;1.905;15;01/03/2018;\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as exc:
        import_cameras(engine, bad)
    rows = {p["row"]: p for p in exc.value.problems}
    assert set(rows) == {3, 4, 5}
    assert "L252-5" in str(rows[3]["message"]) and rows[3]["field"] == "conservation"
    assert "hors de la commune" in str(rows[4]["message"])
    assert rows[4]["field"] == "longitude/latitude" and rows[4]["value"] == "48.500000, 1.905000"
    assert "L252-4" in str(rows[5]["message"]) and rows[5]["field"] == "echeance"
    assert "01/03/2023" in str(rows[5]["message"])  # the latest allowed expiry
    assert len(inv.list_cameras(engine)) == 4  # C20 and C24 did not land either


# --- requisitions -----------------------------------------------------------------------


def _data(**kw: object) -> req.RequisitionData:
    base: dict[str, object] = {
        "received_at": datetime(2018, 9, 20, 9, 0, tzinfo=PARIS),
        "requesting_unit": "Sûreté départementale",
        "legal_basis": "77-1-1",
        "procedure_number": "2018/004567",
        "camera_codes": ["C01", "C02"],
        "period_start": datetime(2018, 9, 15, 22, 0, tzinfo=PARIS),
        "period_end": datetime(2018, 9, 16, 2, 0, tzinfo=PARIS),
        "officer_capacity": "OPJ",
    }
    base.update(kw)
    return req.RequisitionData(**base)  # type: ignore[arg-type]


def test_register_computes_deadlines_and_never_stores_the_number(db_url: str) -> None:
    engine = _setup(db_url)
    v = req.register_requisition(engine, _data(), now=NOW, key="secret")
    assert v.status == "recue" and not v.lost_on_receipt
    # C01 keeps 15 days, C02 30 days: binding deadline = 30 September 22:00 Paris.
    assert v.deadline == datetime(2018, 9, 30, 22, 0, tzinfo=PARIS)
    assert [(c.code, c.deadline) for c in v.cameras] == [
        ("C01", datetime(2018, 9, 30, 22, 0, tzinfo=PARIS)),
        ("C02", datetime(2018, 10, 15, 22, 0, tzinfo=PARIS)),
    ]
    assert v.procedure_ref == req.pseudonymise_reference("2018/004567", "secret")
    with engine.connect() as conn:
        dump = " ".join(str(r) for r in conn.execute(select(Requisition.__table__)).all())
    assert "004567" not in dump
    stored = req.get_requisition(engine, v.id)
    assert stored.deadline == v.deadline


def test_requisition_for_destroyed_footage_is_recorded_out_of_time(db_url: str) -> None:
    engine = _setup(db_url)
    # Period 1–2 August, C03 keeps 7 days: everything gone by 9 August; received 20 Sept.
    v = req.register_requisition(
        engine,
        _data(
            camera_codes=["C03"],
            period_start=datetime(2018, 8, 1, tzinfo=PARIS),
            period_end=datetime(2018, 8, 2, tzinfo=PARIS),
        ),
        now=NOW,
    )
    assert v.status == "hors_delai" and v.lost_on_receipt
    assert [e[0] for e in v.events] == ["recue", "hors_delai"]
    assert "déjà écrasées" in v.warnings[0]
    assert req.get_requisition(engine, v.id).status == "hors_delai"
    # Partly lost: the start is gone, the end is not — stays open with a warning.
    w = req.register_requisition(
        engine,
        _data(
            camera_codes=["C03"],
            period_start=datetime(2018, 9, 12, tzinfo=PARIS),
            period_end=datetime(2018, 9, 16, tzinfo=PARIS),
        ),
        now=NOW,
    )
    assert w.status == "recue" and w.partly_lost_on_receipt and not w.lost_on_receipt


def test_bad_requisitions_are_refused_with_clear_messages(db_url: str) -> None:
    engine = _setup(db_url)
    with pytest.raises(InputError, match="fondement"):
        req.register_requisition(engine, _data(legal_basis="706-95"), now=NOW)
    with pytest.raises(InputError, match="inconnue.*C77"):
        req.register_requisition(engine, _data(camera_codes=["C01", "C77"]), now=NOW)
    with pytest.raises(InputError, match="après la réception"):
        req.register_requisition(
            engine, _data(period_start=datetime(2018, 9, 21, tzinfo=PARIS),
                          period_end=datetime(2018, 9, 22, tzinfo=PARIS)), now=NOW,
        )  # fmt: skip
    with pytest.raises(InputError, match="fuseau"):
        req.register_requisition(engine, _data(received_at=datetime(2018, 9, 20, 9)), now=NOW)
    assert req.list_requisitions(engine) == []


def test_status_workflow_and_overlapping_changes(db_url: str) -> None:
    engine = _setup(db_url)
    v = req.register_requisition(engine, _data(), now=NOW)
    t1 = datetime(2018, 9, 20, 10, 0, tzinfo=PARIS)
    v = req.change_status(engine, v.id, "en_cours", at=t1, by="csu1", now=NOW)
    assert v.status == "en_cours" and v.status_changed_at == t1
    # Dated before the previous step: refused, nothing written.
    with pytest.raises(InputError, match="antérieur au précédent"):
        req.change_status(engine, v.id, "remise", at=t1 - timedelta(hours=2), now=NOW)
    # Illegal transition.
    with pytest.raises(InputError, match="« en cours » à « reçue » refusé"):
        req.change_status(engine, v.id, "recue", at=t1, now=NOW)
    # Two agents both saw « en cours »: the first delivers, the second is refused.
    t2 = datetime(2018, 9, 21, 15, 0, tzinfo=PARIS)
    req.change_status(
        engine, v.id, "remise", at=t2, expected="en_cours", medium="clé USB",
        outcome="utile", now=NOW,
    )  # fmt: skip
    with pytest.raises(GltdError, match="a changé entre-temps"):
        req.change_status(engine, v.id, "sans_objet", at=t2, expected="en_cours", now=NOW)
    with pytest.raises(InputError, match="statut final"):
        req.change_status(engine, v.id, "hors_delai", at=t2, now=NOW)
    final = req.get_requisition(engine, v.id)
    assert final.status == "remise" and final.delivered_at == t2 and final.outcome == "utile"
    assert [e[0] for e in final.events] == ["recue", "en_cours", "remise"]
    with session_scope(engine) as s:
        n = s.execute(select(func.count()).select_from(RequisitionStatusEvent)).scalar()
        audits = s.execute(select(func.count()).select_from(AuditEvent)).scalar()
    assert n == 3 and audits >= 3 + 3


def test_compare_and_set_guards_against_a_concurrent_write(db_url: str) -> None:
    engine = _setup(db_url)
    v = req.register_requisition(engine, _data(), now=NOW)
    # Another post changed the status behind our back (between our read and our write):
    # simulate by changing the row directly, then try the change from the stale status.
    with engine.begin() as conn:
        conn.execute(update(Requisition).where(Requisition.id == v.id).values(status="en_cours"))
    with pytest.raises(GltdError, match="a changé entre-temps"):
        req.change_status(engine, v.id, "en_cours", expected="recue", now=NOW)


def test_alerts_within_three_days(db_url: str) -> None:
    engine = _setup(db_url)
    a = req.register_requisition(engine, _data(), now=NOW)  # deadline 30 Sept 22:00
    b = req.register_requisition(
        engine,
        _data(camera_codes=["C03"], period_start=datetime(2018, 9, 19, 8, tzinfo=PARIS),
              period_end=datetime(2018, 9, 19, 9, tzinfo=PARIS)),
        now=NOW,
    )  # fmt: skip  # C03 keeps 7 days: deadline 26 Sept 08:00
    c = req.register_requisition(
        engine,
        _data(camera_codes=["C03"], period_start=datetime(2018, 9, 17, 8, tzinfo=PARIS),
              period_end=datetime(2018, 9, 19, 9, tzinfo=PARIS)),
        now=NOW,
    )  # fmt: skip  # deadline 24 Sept 08:00: already past at noon
    alerts = req.deadline_alerts(engine, within=timedelta(days=3), now=NOW)
    assert [x.requisition.id for x in alerts] == [c.id, b.id]
    assert alerts[0].level == "expiree" and alerts[1].level == "urgente"
    assert alerts[1].time_left == timedelta(days=1, hours=20)
    week = req.deadline_alerts(engine, within=timedelta(days=7), now=NOW)
    assert a.id in [x.requisition.id for x in week]
    req.change_status(engine, b.id, "en_cours", at=NOW, now=NOW)
    req.change_status(engine, b.id, "remise", at=NOW, now=NOW)
    assert [
        x.requisition.id for x in req.deadline_alerts(engine, within=timedelta(days=3), now=NOW)
    ] == [c.id]


def test_yearly_stats_and_trend(db_url: str) -> None:
    engine = _setup(db_url)
    # 2015: 2, 2016: 3, 2017: 4, 2018: 3 (to 24 Sept).
    plan = {2015: 2, 2016: 3, 2017: 4, 2018: 3}
    ids: list[tuple[int, int]] = []
    for y, n in plan.items():
        for i in range(n):
            rec = datetime(y, 3, 1 + i, 9, tzinfo=PARIS)
            v = req.register_requisition(
                engine,
                _data(received_at=rec, period_start=rec - timedelta(days=2),
                      period_end=rec - timedelta(days=1)),
                now=NOW,
            )  # fmt: skip
            ids.append((y, v.id))
    # 2017: two delivered (after 12 h and 36 h; one useful, one not), one out of time.
    y17 = [i for y, i in ids if y == 2017]
    for i, hours, out in ((y17[0], 12, "utile"), (y17[1], 36, "non_utile")):
        r0 = req.get_requisition(engine, i).received_at
        req.change_status(engine, i, "en_cours", at=r0, now=NOW)
        req.change_status(engine, i, "remise", at=r0 + timedelta(hours=hours), outcome=out, now=NOW)
    req.change_status(engine, y17[2], "hors_delai", at=datetime(2017, 3, 20, tzinfo=PARIS), now=NOW)
    st = req.yearly_stats(engine, now=NOW)
    by = {y.year: y for y in st.years}
    assert [y.count for y in st.years] == [2, 3, 4, 3]
    assert by[2017].on_time_rate == pytest.approx(2 / 3)
    assert by[2017].median_turnaround_days == pytest.approx(1.0)  # median of 0.5 and 1.5
    assert by[2017].useful_share == 0.5
    assert by[2016].on_time_rate is None and by[2018].partial and not by[2017].partial
    assert by[2018].days_observed == 267  # 1 January to 24 September 2018
    assert st.trend is not None and st.trend["counts"] == [2, 3, 4] and st.trend["s"] == 3
    assert st.comparison is not None
    assert st.comparison["count"] == 3 and st.comparison["count_ref"] == 2
    assert st.comparison["exposure"] == 267 and st.comparison["exposure_ref"] == 365


# --- viewing log ------------------------------------------------------------------------


def test_viewing_log_is_append_only_and_exports(db_url: str, tmp_path: Path) -> None:
    engine = _setup(db_url)
    v = req.register_requisition(engine, _data(), now=NOW)
    e = viewlog.log_viewing(
        engine, agent="op.csu2", action="extraction", reason="réquisition judiciaire",
        recipient="Sûreté départementale", camera="C01", requisition_id=v.id,
        clip_start=datetime(2018, 9, 15, 23, 0, tzinfo=PARIS),
        clip_end=datetime(2018, 9, 15, 23, 30, tzinfo=PARIS),
        at=datetime(2018, 9, 20, 11, 0, tzinfo=PARIS),
    )  # fmt: skip
    with pytest.raises(InputError, match="destinataire"):
        viewlog.log_viewing(
            engine, agent="op", action="extraction", reason="x", camera="C01",
            clip_start=NOW - timedelta(hours=1), clip_end=NOW,
        )  # fmt: skip
    with pytest.raises(InputError, match="motif"):
        viewlog.log_viewing(
            engine, agent="op", action="visionnage", reason=" ", camera="C01",
            clip_start=NOW - timedelta(hours=1), clip_end=NOW,
        )  # fmt: skip
    assert not hasattr(viewlog, "delete_viewing") and not hasattr(viewlog, "edit_viewing")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(update(ViewingLogEntry).values(agent="autre"))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM viewing_log"))
    out = tmp_path / "journal.csv"
    assert viewlog.export_viewings_csv(engine, out, by="admin") == 1
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert rows[0]["compte"] == "op.csu2" and rows[0]["camera"] == "C01"
    assert rows[0]["date_heure"] == "20/09/2018 11:00" and rows[0]["requisition"] == str(v.id)
    assert rows[0]["debut_extrait"] == "15/09/2018 23:00"
    assert e.id == int(rows[0]["id"])
    with session_scope(engine) as s:
        assert (
            s.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "export")
            ).scalar()
            == 1
        )
