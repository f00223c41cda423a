"""Bad input: each file gives a clear message, exit code 2, and writes nothing.

Run through the real CLI (``gltd import …``) on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from cli_support import gltd_status
from gltd.store.engine import make_engine

HEADER = "id;date;category;lon;lat\n"
GOOD = "A1;24/03/2018 14:30;trafic_stupefiants;1,9010;47,9020\n"


def _count(db_url: str) -> dict[str, int]:
    with make_engine(db_url).connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one())
            for t in ("incident", "import_batch", "zone", "camera", "operation")
        }


CASES: dict[str, tuple[bytes, list[str], str]] = {
    "zero_bytes": (b"", [], r"fichier vide \(0 octet\)"),
    "blank_lines_only": (b"\r\n\r\n  \n", [], r"fichier vide"),
    "header_only": (HEADER.encode(), [], r"en-tête seul"),
    "binary": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, [], r"fichier binaire"),
    "wrong_delimiter": (
        b"id|date|category|lon|lat\nA1|24/03/2018|trafic|1.9|47.9\n",
        [],
        r"séparateur de colonnes non reconnu",
    ),
    "delimiter_changes_in_file": (
        (HEADER + GOOD + "A2;25/03/2018;usage;1,9;47,9;rue X;en trop\n").encode(),
        [],
        r"ligne 3.*7 champs au lieu de 5",
    ),
    "duplicate_column_names": (
        b"id;date;category;date;lon;lat\nA1;24/03/2018;trafic;25/03/2018;1,9;47,9\n",
        [],
        r"ligne 1 : colonnes en double dans l'en-tête : date",
    ),
    "missing_required_column": (
        b"id;date;lon;lat\nA1;24/03/2018;1,9;47,9\n",
        [],
        r"colonne obligatoire absente : category",
    ),
    "unknown_column_in_map": (
        (HEADER + GOOD).encode(),
        ["--map", "category=NATURE_FAIT"],
        r"colonne inconnue « NATURE_FAIT ».*colonnes du fichier : id, date, category, lon, lat",
    ),
    "unknown_field_in_map": (
        (HEADER + GOOD).encode(),
        ["--map", "categorie_ssmsi=category"],
        r"champ inconnu « categorie_ssmsi »",
    ),
    "unparseable_date": (
        (HEADER + GOOD + "A2;32/13/2018 25:00;trafic_stupefiants;1,9;47,9\n").encode(),
        [],
        r"ligne 3, colonne date, valeur 32/13/2018 25:00 : date illisible \(attendu : JJ/MM/AAAA",
    ),
    "dst_gap_time": (
        (HEADER + "A1;25/03/2018 02:30;trafic_stupefiants;1,9;47,9\n").encode(),
        [],
        r"ligne 2.*heure inexistante \(changement d'heure\)",
    ),
    "outside_area_of_use_lonlat": (
        (HEADER + GOOD + "A2;24/03/2018;trafic_stupefiants;120,5;30,2\n").encode(),
        [],
        r"ligne 3.*coordonnées hors de la zone de validité du système EPSG:4326",
    ),
    "outside_area_of_use_xy": (
        b"id;date;category;x;y\nA1;24/03/2018;trafic_stupefiants;5000000;100\n",
        ["--crs", "EPSG:2154"],
        r"ligne 2.*hors de la zone de validité du système EPSG:2154",
    ),
    "lonlat_swapped": (
        (HEADER + "A1;24/03/2018;trafic_stupefiants;47,9020;1,9010\n").encode(),
        [],
        r"ligne 2, colonne lon/lat, valeur 47,9020 ; 1,9010 : longitude et latitude inversées",
    ),
    "xy_swapped": (
        b"id;date;category;x;y\nA1;24/03/2018;trafic_stupefiants;6756305;617888\n",
        [],
        r"x et y inversés",
    ),
    "duplicate_ids": (
        (HEADER + GOOD + GOOD.replace("14:30", "15:00")).encode(),
        [],
        r"ligne 3, colonne id, valeur A1 : identifiant en double \(déjà vu ligne 2\)",
    ),
    "mixed_encodings": (
        HEADER.encode()
        + "A1;24/03/2018;Trafic de stupéfiants;1,9;47,9\n".encode()
        + "A2;25/03/2018;Usage de stupéfiants;1,9;47,9\n".encode("cp1252"),
        [],
        r"encodages mélangés.*premier caractère illisible ligne 3",
    ),
    "very_long_line": (
        (HEADER + GOOD + "A2;25/03/2018;" + "x" * 200_000 + ";1,9;47,9\n").encode(),
        [],
        r"ligne 3 : ligne trop longue",
    ),
    "unknown_category": (
        (HEADER + "A1;24/03/2018;Vol de vélo;1,9;47,9\n").encode(),
        [],
        r"ligne 2, colonne category, valeur Vol de vélo : catégorie inconnue",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_is_refused_whole(case: str, db_url: str, tmp_path: Path) -> None:
    content, extra, message = CASES[case]
    f = tmp_path / f"{case}.csv"
    f.write_bytes(content)
    before = _count(db_url)
    code, out = gltd_status(["import", "incidents", str(f), "--db", db_url, *extra])
    assert code == 2, out
    assert "Traceback" not in out
    import re

    assert re.search(message, out), out
    assert _count(db_url) == before
    assert not (tmp_path / f"{case}.csv.rejets.csv").exists()


def test_a_missing_file_and_an_unknown_crs(db_url: str, tmp_path: Path) -> None:
    code, out = gltd_status(["import", "incidents", str(tmp_path / "absent.csv"), "--db", db_url])
    assert code == 2 and "fichier introuvable" in out
    f = tmp_path / "f.csv"
    f.write_text("id;date;category;x;y\nA1;24/03/2018;trafic;617888;6756305\n", encoding="utf-8")
    code, out = gltd_status(["import", "incidents", str(f), "--crs", "EPSG:999999", "--db", db_url])
    assert code == 2 and "système de coordonnées inconnu : « EPSG:999999 »" in out
    assert _count(db_url)["incident"] == 0


def test_a_corrupt_xlsx_and_parquet(db_url: str, tmp_path: Path) -> None:
    for name, what in (("f.xlsx", "fichier Excel illisible"), ("f.parquet", "Parquet illisible")):
        f = tmp_path / name
        f.write_bytes(b"PK\x03\x04 not really a zip" * 10)
        code, out = gltd_status(["import", "incidents", str(f), "--db", db_url])
        assert code == 2 and what in out, out
    assert _count(db_url)["import_batch"] == 0


def test_report_file_lists_every_problem_and_nothing_lands(db_url: str, tmp_path: Path) -> None:
    f = tmp_path / "faits.csv"
    f.write_text(
        HEADER + GOOD + "A2;hier;trafic_stupefiants;1,9;47,9\nA3;24/03/2018;Vol de vélo;1,9;47,9\n",
        encoding="utf-8",
    )
    report = tmp_path / "rapport.csv"
    code, out = gltd_status(
        ["import", "incidents", str(f), "--report", str(report), "--db", db_url]
    )
    assert code == 2
    assert "2 ligne(s) invalide(s) sur 3 ; rien n'a été importé" in out
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "fichier;ligne;colonne;valeur;attendu;probleme"
    assert lines[1].startswith("faits.csv;3;date;hier;")
    assert lines[2].startswith("faits.csv;4;category;Vol de vélo;")
    assert _count(db_url)["incident"] == 0
