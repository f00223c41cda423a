"""``gltd geocode build|status|run`` end to end with CliRunner on real files and SQLite."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.geocode.synthetic import SynthAddress, police_queries

runner = CliRunner()


def _ok(*args: str) -> str:
    res = runner.invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.output


def _fails(*args: str) -> str:
    res = runner.invoke(app, list(args))
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    return res.output


@pytest.fixture
def police_csv(tmp_path: Path, orleans_rows: list[SynthAddress]) -> Path:
    qs = police_queries(orleans_rows, n=120, seed=4)
    frame = pd.DataFrame(
        {
            "NUM_PROC": [q.qid for q in qs],
            "ADRESSE": [q.address for q in qs],
            "CP": [q.postcode for q in qs],
            "COMMUNE": [q.city for q in qs],
            "NUMERO": [q.housenumber for q in qs],
        }
    )
    path = tmp_path / "faits_police.csv"
    frame.to_csv(path, sep=";", index=False, encoding="cp1252")
    return path


def test_build_status_run(
    sqlite_url: str, ban_csv_gz: Path, police_csv: Path, tmp_path: Path
) -> None:
    out = _ok("geocode", "build", str(ban_csv_gz), "--db", sqlite_url)
    assert "adresses-45.csv.gz" in out and "Base Adresse Nationale, " in out
    assert "déjà dans l'index" in _ok("geocode", "build", str(ban_csv_gz), "--db", sqlite_url)
    assert "adresses-45.csv.gz (csv)" in _ok("geocode", "status", "--db", sqlite_url)
    result = tmp_path / "geocode.csv"
    out = _ok(
        "geocode", "run", str(police_csv), "--db", sqlite_url, "--out", str(result),
        "--map", "id=NUM_PROC,address=ADRESSE,postcode=CP,city=COMMUNE",
        "--housenumber-column", "NUMERO",
    )  # fmt: skip
    assert "120 ligne(s) géocodée(s)" in out and "numéro" in out
    frame = pd.read_csv(result, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns[:5]) == ["NUM_PROC", "ADRESSE", "CP", "COMMUNE", "NUMERO"]
    assert list(frame.columns[5:]) == [
        "lat", "lon", "geocode_score", "geocode_precision", "geocode_label",
        "geocode_ban_id", "geocode_note",
    ]  # fmt: skip
    assert set(frame["geocode_precision"]) <= {"numéro", "voie", "commune", "refusé"}
    placed = frame[frame["geocode_precision"] != "refusé"]
    assert (placed["lat"].astype(float).between(47.8, 48.0)).all()
    assert (placed["geocode_score"].astype(float).between(0, 1)).all()
    refused = frame[frame["geocode_precision"] == "refusé"]
    assert len(refused) > 0
    review = tmp_path / "geocode.a_revoir.csv"
    rev = pd.read_csv(review, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(rev["NUM_PROC"]) == list(refused["NUM_PROC"])
    assert rev["motif"].str.len().gt(0).all() and rev["ligne"].astype(int).min() >= 2
    assert f"{len(refused)} ligne(s) refusée(s)" in out


@pytest.mark.parametrize("suffix", [".xlsx", ".gpkg"])
def test_run_writes_xlsx_and_gpkg(
    sqlite_url: str, ban_csv_gz: Path, police_csv: Path, tmp_path: Path, suffix: str
) -> None:
    _ok("geocode", "build", str(ban_csv_gz), "--db", sqlite_url)
    result = tmp_path / f"sortie{suffix}"
    _ok("geocode", "run", str(police_csv), "--db", sqlite_url, "--out", str(result),
        "--map", "address=ADRESSE,postcode=CP,city=COMMUNE,housenumber=NUMERO")  # fmt: skip
    if suffix == ".xlsx":
        frame = pd.read_excel(result, dtype=str)
        assert len(frame) == 120 and "geocode_precision" in frame
    else:
        import geopandas as gpd

        gdf = gpd.read_file(result)
        assert len(gdf) == 120 and gdf.crs.to_epsg() == 4326
        placed = gdf[gdf["geocode_precision"] != "refusé"]
        assert (abs(placed.geometry.x - placed["lon"].astype(float)) < 1e-9).all()


def test_run_bad_input_writes_nothing(
    sqlite_url: str, ban_csv_gz: Path, police_csv: Path, tmp_path: Path
) -> None:
    result = tmp_path / "out.csv"
    base = ["geocode", "run", str(police_csv), "--db", sqlite_url, "--out", str(result)]
    out = _fails(*base, "--map", "address=ADRESSE")
    assert "aucun index d'adresses" in out and "gltd geocode build" in out
    _ok("geocode", "build", str(ban_csv_gz), "--db", sqlite_url)
    out = _fails(*base, "--map", "address=LIEU")
    assert "colonne inconnue « LIEU »" in out and "ADRESSE" in out
    out = _fails("geocode", "run", str(police_csv), "--db", sqlite_url, "--out", str(tmp_path / "o.txt"),
                 "--map", "address=ADRESSE")  # fmt: skip
    assert "format de sortie inconnu" in out
    empty = tmp_path / "vide.csv"
    empty.write_text("ADRESSE;COMMUNE\n;ORLEANS\n  ;OLIVET\n", encoding="utf-8")
    out = _fails("geocode", "run", str(empty), "--db", sqlite_url, "--out", str(result))
    assert "aucune adresse" in out and "ADRESSE" in out
    assert not result.exists() and not list(tmp_path.glob("*.a_revoir.csv"))


def test_build_bad_file_message(sqlite_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "adresses-45.csv.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    out = _fails("geocode", "build", str(bad), "--db", sqlite_url)
    assert "adresses-45.csv.gz" in out and "gzip" in out
    assert "Aucun index" in _ok("geocode", "status", "--db", sqlite_url)
