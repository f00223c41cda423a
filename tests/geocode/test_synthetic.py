"""The synthetic BAN extract and the police-style query set the matcher is measured on."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

from gltd.geocode.synthetic import (
    BAN_COLUMNS,
    orleans_extract,
    police_queries,
    write_addok_ndjson,
    write_ban_csv,
)


def test_ban_csv_has_the_real_layout(tmp_path: Path) -> None:
    rows = orleans_extract()
    path = write_ban_csv(rows, tmp_path / "adresses-45.csv.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = fh.readline().strip().split(";")
        first = next(csv.reader(fh, delimiter=";"))
    assert header[:14] == [
        "id", "id_fantoir", "numero", "rep", "nom_voie", "code_postal", "code_insee",
        "nom_commune", "code_insee_ancienne_commune", "nom_ancienne_commune", "x", "y",
        "lon", "lat",
    ]  # fmt: skip
    assert tuple(header) == BAN_COLUMNS
    assert len(first) == len(BAN_COLUMNS)
    # Lambert-93 x/y agree with lon/lat (Orléans is near x = 619 km, y = 6 753 km).
    assert 600_000 < float(first[10]) < 640_000 and 6_730_000 < float(first[11]) < 6_780_000


def test_addok_ndjson_groups_numbers_by_street(tmp_path: Path) -> None:
    rows = orleans_extract()
    path = write_addok_ndjson(rows, tmp_path / "adresses-addok-45.ndjson")
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert sum(len(d["housenumbers"]) for d in docs) == len(rows)
    assert {d["type"] for d in docs} == {"street"}


def test_extract_is_deterministic_and_has_homonyms() -> None:
    a, b = orleans_extract(seed=3), orleans_extract(seed=3)
    assert a == b
    assert 400 <= len(a) <= 1000
    communes_of = {}
    for r in a:
        communes_of.setdefault(r.nom_voie, set()).add(r.code_insee)
    homonyms = {s for s, c in communes_of.items() if len(c) > 1}
    assert {"Rue des Carmes", "Rue de la République", "Avenue de Paris"} <= homonyms


def test_queries_point_at_addresses_of_the_extract() -> None:
    rows = orleans_extract()
    ids = {r.ban_id: r for r in rows}
    qs = police_queries(rows, n=300, seed=1)
    assert len({q.qid for q in qs}) == 300
    refusals = [q for q in qs if q.expect_street is None]
    assert 5 <= len(refusals) <= 40
    for q in qs:
        if q.expect_id is not None:
            r = ids[q.expect_id]
            assert (r.code_insee, r.nom_voie) == q.expect_street
    kinds = {k for q in qs for k in q.kinds}
    assert {"abreviation", "inverse", "faute", "sans_numero", "suffixe", "bruit"} <= kinds
    assert police_queries(rows, n=50, seed=2) != police_queries(rows, n=50, seed=1)
