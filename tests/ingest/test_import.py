"""Importers on real files and real databases (SQLite and PostgreSQL), via the CLI."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli_support import gltd
from gltd.cli.main import app
from gltd.model import (
    Camera,
    ImportBatch,
    Incident,
    Operation,
    Requisition,
    Seizure,
    SsmsiFigure,
    Zone,
)
from gltd.store.engine import make_engine, session_scope
from gltd.store.pseudonym import keyed_ref, pseudonymise_reference
from gltd.store.queries import load_events

DATA = Path(__file__).parent.parent / "data" / "ingest"


def _setup_zones(db: str) -> None:
    gltd("import", "zones", str(DATA / "zones_orleans.geojson"), "--db", db)


def test_zones_from_geojson(db_url: str) -> None:
    out = gltd("import", "zones", str(DATA / "zones_orleans.geojson"), "--db", db_url)
    assert "3 ligne(s) écrite(s)" in out
    out = gltd("import", "zones", str(DATA / "zones_orleans.geojson"), "--db", db_url)
    assert "0 ligne(s) écrite(s), 3 déjà présente(s)" in out
    with session_scope(make_engine(db_url)) as s:
        z = s.scalars(select(Zone).order_by(Zone.name)).all()
        assert [(x.name, x.kind, x.code) for x in z] == [
            ("L'Argonne", "quartier", "ARG"),
            ("La Source", "quartier", "SRC"),
            ("Les Carmes", "quartier", "CAR"),
        ]
        assert z[2].geometry_wkt.startswith("POLYGON ((1.895 47.898")


def test_french_police_csv(db_url: str) -> None:
    """CP1252, ``;``, decimal comma, dd/mm/yyyy hh:mm, Lambert-93 x/y, a zone name column."""
    _setup_zones(db_url)
    out = gltd("import", "incidents", str(DATA / "faits_police_fr.csv"), "--db", db_url)
    assert "encodage cp1252, séparateur « ; »" in out
    assert "colonnes ignorées : ADRESSE DU FAIT" in out
    assert "5 ligne(s) écrite(s), 0 déjà présente(s)" in out
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        rows = {i.source_ref: i for i in s.scalars(select(Incident))}
        zones = {z.id: z.name for z in s.scalars(select(Zone))}
        batch = s.scalars(select(ImportBatch).where(ImportBatch.kind == "incidents")).one()
    a = rows["DDSP45-2018-0001"]
    # 24/03/2018 14:30 in Paris is UTC+1 (winter time) → 13:30 UTC.
    assert a.occurred_at == datetime(2018, 3, 24, 13, 30, tzinfo=UTC)
    assert (a.x, a.y) == (617888.12, 6756305.48)  # x/y kept exactly (already Lambert-93)
    assert a.lon == pytest.approx(1.901, abs=1e-6) and a.lat == pytest.approx(47.902, abs=1e-6)
    assert a.category == "trafic_stupefiants" and a.source.startswith("colonnes-")
    assert zones[a.zone_id] == "Les Carmes"  # point in polygon
    # 25/03/2018 03:15: DST began at 02:00 that night → UTC+2.
    assert rows["DDSP45-2018-0002"].occurred_at == datetime(2018, 3, 25, 1, 15, tzinfo=UTC)
    assert rows["DDSP45-2018-0003"].category == "usage_stupefiants"  # alias « ILS USAGE »
    d = rows["DDSP45-2018-0004"]  # date only, zone by name, no coordinates
    assert d.date_only and d.x is None and zones[d.zone_id] == "La Source"
    assert d.occurred_at == datetime(2018, 4, 2, 22, 0, tzinfo=UTC)
    assert rows["DDSP45-2018-0005"].category == "destructions_degradations"
    assert (batch.kind, batch.rows_in, batch.rows_written) == ("incidents", 5, 5)
    ev = load_events(engine)
    assert ev.n == 4  # the date-only one has no coordinates


def test_reimport_creates_no_duplicates_and_records_a_batch(db_url: str) -> None:
    _setup_zones(db_url)
    f = str(DATA / "faits_police_fr.csv")
    gltd("import", "incidents", f, "--db", db_url)
    out = gltd("import", "incidents", f, "--db", db_url)
    assert "0 ligne(s) écrite(s), 5 déjà présente(s)" in out
    with session_scope(make_engine(db_url)) as s:
        assert s.query(Incident).count() == 5
        assert [b.rows_written for b in s.scalars(select(ImportBatch).order_by(ImportBatch.id))][
            -2:
        ] == [5, 0]


def test_file_without_id_gets_content_refs_and_reimports_cleanly(
    db_url: str, tmp_path: Path
) -> None:
    f = tmp_path / "sans_id.csv"
    rows = "date,category,lon,lat\n"
    rows += "2018-06-01T22:10:00+02:00,usage_stupefiants,1.901,47.902\n" * 2  # two identical facts
    rows += "2018-06-02,trafic_stupefiants,1.933,47.914\n"
    f.write_text(rows, encoding="utf-8")
    gltd("import", "incidents", str(f), "--source", "ville", "--db", db_url)
    out = gltd("import", "incidents", str(f), "--source", "ville", "--db", db_url)
    assert "0 ligne(s) écrite(s), 3 déjà présente(s)" in out
    with session_scope(make_engine(db_url)) as s:
        refs = sorted(i.source_ref for i in s.scalars(select(Incident)))
        first = s.scalars(select(Incident).order_by(Incident.occurred_at)).first()
    assert len(refs) == 3 and all(r.startswith("k1:") for r in refs)  # keyed HMAC
    assert sum(r.endswith("#2") for r in refs) == 1
    assert first is not None and first.occurred_at == datetime(2018, 6, 1, 20, 10, tzinfo=UTC)


def test_skip_invalid_writes_good_rows_report_and_rejected_rows(
    db_url: str, tmp_path: Path
) -> None:
    f = tmp_path / "faits.csv"
    f.write_text(
        "id;date;category;lon;lat;adresse\n"
        "A1;24/03/2018 14:30;trafic_stupefiants;1,901;47,902;x\n"
        "A2;24/03/2018 99:99;trafic_stupefiants;1,901;47,902;y\n"
        "A3;25/03/2018 10:00;usage;1,933;47,914;z\n"
        "A4;25/03/2018 11:00;usage;47,914;1,933;w\n",
        encoding="utf-8",
    )
    out = gltd("import", "incidents", str(f), "--skip-invalid", "--db", db_url)
    assert "4 ligne(s) lue(s), 2 valide(s), 2 rejetée(s)" in out
    assert "2 ligne(s) écrite(s)" in out
    report = tmp_path / "faits.csv.rejets.csv"
    rejected = tmp_path / "faits.csv.rejets.lignes.csv"
    rep = pd.read_csv(report, sep=";", encoding="utf-8-sig", dtype=str)
    assert list(rep["ligne"]) == ["3", "5"]
    assert list(rep["colonne"]) == ["date", "lon/lat"]
    rej = pd.read_csv(rejected, sep=";", encoding="utf-8-sig", dtype=str)
    assert list(rej["ligne"]) == ["3", "5"] and list(rej["id"]) == ["A2", "A4"]
    assert list(rej["adresse"]) == ["y", "w"]
    with session_scope(make_engine(db_url)) as s:
        assert sorted(i.source_ref for i in s.scalars(select(Incident))) == ["A1", "A3"]
        assert s.scalars(select(ImportBatch)).one().rows_rejected == 2


def test_dry_run_writes_nothing(db_url: str) -> None:
    _setup_zones(db_url)
    out = gltd(
        "import", "incidents", str(DATA / "faits_police_fr.csv"), "--dry-run", "--db", db_url
    )
    assert "Contrôle seul (--dry-run)" in out and "5 valide(s)" in out
    with session_scope(make_engine(db_url)) as s:
        assert s.query(Incident).count() == 0
        assert s.query(ImportBatch).count() == 1  # the zones import only


def test_map_option_and_mapping_file(db_url: str, tmp_path: Path) -> None:
    f = tmp_path / "lrp.csv"
    f.write_text(
        "NUMERO_PV_HASH;JOUR;HEURE;LIB_NATINF;XL93;YL93\n"
        "h1;02/05/2018;21h15;STUP - DETENTION ACQUISITION;617888,12;6756305,48\n"
        "h2;03/05/2018;08:05;STUP - USAGE;620296,87;6757605,95\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "lrp.yaml"
    mapping.write_text(
        "kind: incidents\n"
        "source: lrp-ddsp45\n"
        "crs: EPSG:2154\n"
        "columns: {id: NUMERO_PV_HASH, date: JOUR, time: HEURE, category: LIB_NATINF}\n"
        "categories:\n"
        "  'STUP - DETENTION ACQUISITION': trafic_stupefiants\n"
        "  'STUP - USAGE': usage_stupefiants\n",
        encoding="utf-8",
    )
    gltd(
        "import",
        "incidents",
        str(f),
        "--mapping",
        str(mapping),
        "--map",
        "x=XL93,y=YL93",
        "--db",
        db_url,
    )
    with session_scope(make_engine(db_url)) as s:
        got = {i.source_ref: i for i in s.scalars(select(Incident))}
    assert got["h1"].category == "trafic_stupefiants" and got["h1"].source == "lrp-ddsp45"
    assert got["h1"].occurred_at == datetime(2018, 5, 2, 19, 15, tzinfo=UTC)
    assert got["h2"].category == "usage_stupefiants"
    js = tmp_path / "m.json"
    js.write_text(json.dumps({"kind": "zones", "columns": {}}), encoding="utf-8")
    r = CliRunner().invoke(
        app, ["import", "incidents", str(f), "--mapping", str(js), "--db", db_url]
    )
    assert r.exit_code == 2 and "pour un import « zones »" in " ".join(r.output.split())


def test_xlsx_geojson_and_parquet_inputs(db_url: str, tmp_path: Path) -> None:
    _setup_zones(db_url)
    df = pd.DataFrame(
        {
            "Identifiant": ["X1", "X2"],
            "Date des faits": [datetime(2018, 7, 14, 23, 30), datetime(2018, 7, 15, 1, 0)],
            "Nature": ["Point de deal", "Trafic de stupéfiants"],
            "Longitude": [1.901, 1.934],
            "Latitude": [47.902, 47.833],
        }
    )
    df.to_excel(tmp_path / "faits.xlsx", index=False)
    gltd("import", "incidents", str(tmp_path / "faits.xlsx"), "--db", db_url)
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(
        {"id": ["G1"], "date": ["2018-07-16T10:00:00Z"], "categorie": ["usage"]},
        geometry=gpd.points_from_xy([619000.0], [6755000.0]),
        crs="EPSG:2154",
    )
    gdf.to_file(tmp_path / "faits.geojson", driver="GeoJSON")
    gltd("import", "incidents", str(tmp_path / "faits.geojson"), "--db", db_url)
    pq = pd.DataFrame(
        {
            "id": ["P1"],
            "date": pd.to_datetime(["2018-07-17 12:00"]).tz_localize("Europe/Paris"),
            "category": ["cambriolages"],
            "x": [620000.5],
            "y": [6757000.25],
        }
    )
    pq.to_parquet(tmp_path / "faits.parquet")
    gltd("import", "incidents", str(tmp_path / "faits.parquet"), "--db", db_url)
    with session_scope(make_engine(db_url)) as s:
        got = {i.source_ref: i for i in s.scalars(select(Incident))}
        zones = {z.id: z.name for z in s.scalars(select(Zone))}
    assert got["X1"].occurred_at == datetime(2018, 7, 14, 21, 30, tzinfo=UTC)
    assert got["X1"].category == "point_de_deal" and zones[got["X1"].zone_id] == "Les Carmes"
    assert zones[got["X2"].zone_id] == "La Source"
    assert got["G1"].x == pytest.approx(619000.0, abs=1e-3)
    assert got["G1"].occurred_at == datetime(2018, 7, 16, 10, 0, tzinfo=UTC)
    assert (got["P1"].x, got["P1"].y) == (620000.5, 6757000.25)
    assert got["P1"].occurred_at == datetime(2018, 7, 17, 10, 0, tzinfo=UTC)


def test_ambiguous_autumn_time_is_read_as_summer_time_with_a_warning(
    db_url: str, tmp_path: Path
) -> None:
    f = tmp_path / "f.csv"
    f.write_text("id;date;category;lon;lat\nA;28/10/2018 02:30;usage;1,9;47,9\n", "utf-8")
    out = gltd("import", "incidents", str(f), "--db", db_url)
    assert "1 heure(s) ambiguë(s)" in out and "lignes 2" in out
    with session_scope(make_engine(db_url)) as s:
        assert s.scalars(select(Incident)).one().occurred_at == datetime(
            2018, 10, 28, 0, 30, tzinfo=UTC
        )


def test_cameras_requisitions_operations(db_url: str) -> None:
    _setup_zones(db_url)
    gltd("import", "cameras", str(DATA / "cameras.csv"), "--db", db_url)
    gltd("import", "requisitions", str(DATA / "requisitions.csv"), "--db", db_url)
    gltd("import", "operations", str(DATA / "operations.csv"), "--db", db_url)
    with session_scope(make_engine(db_url)) as s:
        cams = {c.code: c for c in s.scalars(select(Camera))}
        reqs = {r.source_ref: r for r in s.scalars(select(Requisition))}
        ops = {o.source_ref: o for o in s.scalars(select(Operation))}
        zones = {z.id: z.name for z in s.scalars(select(Zone))}
        c = cams["CAM-CAR-01"]
        assert (c.retention_days, c.heading_deg, c.field_angle_deg, c.hd) == (15, 90.0, 60.0, True)
        assert c.authorisation_date == date(2017, 3, 1)
        assert c.authorisation_expiry == date(2022, 3, 1)  # + 5 years (CSI L252-4)
        assert c.annual_cost_eur == 1200.0 and zones[c.zone_id] == "Les Carmes"
        assert (
            cams["CAM-ARG-01"].heading_deg is None
            and cams["CAM-SRC-01"].authorisation_expiry is None
        )
        # Requisition identifiers are stored keyed (they may be procedure numbers).
        assert "R-2018-001" not in reqs
        r = reqs[keyed_ref("id:R-2018-001")]
        assert sorted(x.code for x in r.cameras) == ["CAM-ARG-01", "CAM-CAR-01"]
        # period start 24/03/2018 14:00 Paris + min(15, 10) days
        assert r.deadline == datetime(2018, 4, 3, 13, 0, tzinfo=UTC)
        assert (r.legal_basis, r.status, r.outcome) == ("77-1-1", "remise", "utile")
        # Keyed HMAC of the one project-wide function (see tests/cctv/test_pseudonym.py).
        assert r.procedure_ref == pseudonymise_reference("2018/001234")
        assert "2018/001234" not in r.procedure_ref
        assert [e.status for e in r.events] == ["remise"]
        assert reqs[keyed_ref("id:R-2018-002")].status == "en_cours"
        o1 = ops["OP-2018-01"]
        assert (o1.kind, o1.arrests_trafficker, o1.arrests_consumer, o1.cash_eur) == (
            "occupation",
            2,
            5,
            1250.0,
        )
        assert o1.started_at == datetime(2018, 3, 27, 16, 30, tzinfo=UTC)
        assert zones[o1.zone_id] == "Les Carmes"
        seiz = sorted((x.substance, x.quantity, x.unit) for x in o1.seizures)
        assert seiz == [("cocaine", 15.0, "g"), ("resine de cannabis", 1.2, "kg")]
        assert ops["OP-2018-02"].dog_detection and ops["OP-2018-02"].kind == "perquisition"
        assert [(x.substance, x.quantity) for x in ops["OP-2018-02"].seizures] == [
            ("herbe de cannabis", 250.0)
        ]
        assert s.query(Seizure).count() == 3


def test_camera_retention_over_30_days_is_refused(db_url: str, tmp_path: Path) -> None:
    f = tmp_path / "cams.csv"
    f.write_text("code;lon;lat;duree_conservation\nC1;1,9;47,9;45\n", "utf-8")
    r = CliRunner().invoke(app, ["import", "cameras", str(f), "--db", db_url])
    out = " ".join(r.output.split())
    assert r.exit_code == 2
    assert (
        "ligne 2, colonne duree_conservation, valeur 45 : durée de conservation hors des limites légales"
        in out
    )
    assert "CSI art. L252-5" in out


def test_requisition_with_unknown_camera_is_refused(db_url: str, tmp_path: Path) -> None:
    gltd("import", "cameras", str(DATA / "cameras.csv"), "--db", db_url)
    f = tmp_path / "req.csv"
    f.write_text(
        "reference;date_reception;service;cameras;debut_periode;fin_periode\n"
        "R1;01/04/2018;SD45;CAM-CAR-01 CAM-XXX;30/03/2018 10:00;30/03/2018 11:00\n",
        "utf-8",
    )
    r = CliRunner().invoke(app, ["import", "requisitions", str(f), "--db", db_url])
    out = " ".join(r.output.split())
    assert r.exit_code == 2 and "valeur CAM-XXX : caméra inconnue" in out
    with session_scope(make_engine(db_url)) as s:
        assert s.query(Requisition).count() == 0


def test_ssmsi_gz_detects_codgeo_and_never_stores_ndiff(db_url: str, tmp_path: Path) -> None:
    import gzip

    gz = tmp_path / "donnee-comm-data.gouv-2024-geographie2024-produit-le2025-06-04.csv.gz"
    gz.write_bytes(gzip.compress((DATA / "ssmsi_extrait.csv").read_bytes()))
    out = gltd("import", "ssmsi", str(gz), "--db", db_url)
    assert "2 ligne(s) « ndiff » non enregistrées" in out and "3 ligne(s) écrite(s)" in out
    out = gltd("import", "ssmsi", str(gz), "--db", db_url)
    assert "0 ligne(s) écrite(s), 3 déjà présente(s)" in out
    with session_scope(make_engine(db_url)) as s:
        figs = s.scalars(select(SsmsiFigure).order_by(SsmsiFigure.indicateur)).all()
    assert {f.codgeo for f in figs} == {"45234"}
    assert [(f.indicateur, f.nombre, f.taux_pour_mille) for f in figs] == [
        ("Cambriolages de logement", 512, 7.45),
        ("Trafic de stupéfiants", 142, 1.2),
        ("Usage de stupéfiants", 608, 5.23),
    ]
    assert figs[0].geo_year == 2024 and figs[0].insee_pop == 116238


def test_ssmsi_commune_filter(sqlite_url: str, tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    shutil.copy(DATA / "ssmsi_extrait.csv", f)
    gltd("import", "ssmsi", str(f), "--commune", "45001", "--db", sqlite_url)
    with session_scope(make_engine(sqlite_url)) as s:
        assert s.query(SsmsiFigure).count() == 0  # 45001 has only ndiff rows


def test_load_events_after_import_matches_the_file(sqlite_url: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n = 300
    x = rng.uniform(615000, 622000, n).round(2)
    y = rng.uniform(6750000, 6758000, n).round(2)
    t = pd.Timestamp("2018-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 365 * 24, n), "h")
    df = pd.DataFrame(
        {
            "id": [f"E{i}" for i in range(n)],
            "date": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "category": "trafic_stupefiants",
            "x": x,
            "y": y,
        }
    )
    df.to_csv(tmp_path / "e.csv", index=False)
    gltd("import", "incidents", str(tmp_path / "e.csv"), "--db", sqlite_url)
    ev = load_events(make_engine(sqlite_url))
    order = np.argsort(ev.x)
    np.testing.assert_array_equal(ev.x[order], np.sort(x))
    expected = t.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    np.testing.assert_array_equal(np.sort(ev.t), np.sort(expected))
