"""gltd geocode build: the BAN index in the gltd database (SQLite and PostgreSQL)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gltd.errors import InputError
from gltd.geocode.index import build_index, indexed_sources
from gltd.geocode.synthetic import SynthAddress, orleans_extract, write_addok_ndjson
from gltd.model import GeocodeAddress, GeocodeSource, GeocodeStreet
from gltd.store.engine import get_engine


def _counts(url: str) -> tuple[int, int, int]:
    with get_engine(url).connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (GeocodeSource, GeocodeStreet, GeocodeAddress)
        )


def test_build_then_rebuild_changes_nothing(
    db_url: str, ban_csv_gz: Path, orleans_rows: list[SynthAddress]
) -> None:
    engine = get_engine(db_url)
    os.utime(ban_csv_gz, (1_764_000_000, 1_764_000_000))  # 24/11/2025
    first = build_index(engine, [ban_csv_gz])
    (f,) = first.files
    assert not f.unchanged and f.layout == "csv" and f.departements == ("45",)
    assert f.n_addresses == len(orleans_rows)
    assert f.n_streets == len({(r.code_insee, r.nom_voie) for r in orleans_rows})
    assert f.attribution == "Base Adresse Nationale, 24/11/2025"
    counts = _counts(db_url)
    assert counts == (1, f.n_streets, len(orleans_rows))
    again = build_index(engine, [ban_csv_gz])
    assert again.files[0].unchanged and again.n_addresses == 0
    assert _counts(db_url) == counts
    (src,) = indexed_sources(engine)
    assert src.filename == "adresses-45.csv.gz" and src.attribution == f.attribution


def test_newer_file_replaces_the_same_communes(
    db_url: str, ban_csv_gz: Path, tmp_path: Path
) -> None:
    engine = get_engine(db_url)
    build_index(engine, [ban_csv_gz])
    newer = orleans_extract(seed=9)
    addok = write_addok_ndjson(newer, tmp_path / "adresses-addok-45.ndjson.gz")
    result = build_index(engine, [addok])
    assert result.files[0].layout == "addok"
    sources = indexed_sources(engine)
    assert [s.filename for s in sources] == ["adresses-addok-45.ndjson.gz"]
    assert _counts(db_url)[2] == len(newer)
    with engine.connect() as conn:
        ids = set(conn.execute(select(GeocodeAddress.ban_id)).scalars())
    assert ids == {r.ban_id for r in newer}


def test_two_departements_side_by_side(sqlite_url: str, tmp_path: Path) -> None:
    from gltd.geocode.synthetic import departement_extract, write_ban_csv

    a = departement_extract(n_addresses=2_000, n_communes=5, dep="45", seed=1)
    b = departement_extract(n_addresses=2_000, n_communes=5, dep="41", seed=2)
    pa = write_ban_csv(a, tmp_path / "adresses-45.csv")
    pb = write_ban_csv(b, tmp_path / "adresses-41.csv.gz")
    result = build_index(get_engine(sqlite_url), [pa, pb])
    assert [f.departements for f in result.files] == [("45",), ("41",)]
    assert _counts(sqlite_url)[0] == 2 and _counts(sqlite_url)[2] == len(a) + len(b)


def test_truncated_gzip_is_refused_and_nothing_written(
    db_url: str, ban_csv_gz: Path, tmp_path: Path
) -> None:
    data = ban_csv_gz.read_bytes()
    cut = tmp_path / "adresses-45-tronque.csv.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"adresses-45-tronque\.csv\.gz.*gzip tronquée"):
        build_index(get_engine(db_url), [ban_csv_gz, cut])
    assert _counts(db_url) == (0, 0, 0)


def test_other_layout_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    other = tmp_path / "faits.csv"
    other.write_text("date;nature;adresse\n01/01/2025;vol;12 rue des Carmes\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"faits\.csv.*pas un fichier de la Base Adresse Nationale.*nom_voie"
    ):
        build_index(get_engine(sqlite_url), [other])
    bad_json = tmp_path / "x.ndjson"
    bad_json.write_text('{"type": "street", "name": "Rue A"}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.ndjson, ligne 1 : voie sans nom ou sans coordonnées"):
        build_index(get_engine(sqlite_url), [bad_json])
    assert _counts(sqlite_url) == (0, 0, 0)


def test_truncated_plain_csv_names_the_line(
    sqlite_url: str, ban_csv_gz: Path, tmp_path: Path
) -> None:
    with gzip.open(ban_csv_gz, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    cut = tmp_path / "adresses-45.csv"
    cut.write_text("\n".join(lines[:50]) + "\n" + lines[50][:30], encoding="utf-8")
    with pytest.raises(InputError, match=r"ligne 51.*tronqué"):
        build_index(get_engine(sqlite_url), [cut])
    assert _counts(sqlite_url) == (0, 0, 0)
