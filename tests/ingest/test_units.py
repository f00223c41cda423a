"""Pure pieces of the importers: decoding, sniffing, parsing, seizures, pseudonyms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gltd.errors import InputError
from gltd.ingest.mapping import FieldSpec, parse_map_option, resolve_columns
from gltd.ingest.operations import parse_seizures
from gltd.ingest.pipeline import import_file
from gltd.ingest.readers import decode_text, sniff_delimiter
from gltd.ingest.validate import parse_bools, parse_datetimes, parse_ints, parse_numbers
from gltd.store.engine import make_engine


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        ("é;à\n".encode(), "utf-8", "é;à\n"),
        (b"\xef\xbb\xbf" + "é\n".encode(), "utf-8-sig", "é\n"),
        ("é;œ;€\n".encode("cp1252"), "cp1252", "é;œ;€\n"),
        (b"\xe9\x81\n", "latin-1", "é\x81\n"),  # 0x81 is undefined in CP1252
    ],
)
def test_decode_text(data: bytes, encoding: str, text: str) -> None:
    assert decode_text(data, "f.csv") == (text, encoding)


def test_decode_text_refuses_mixed_encodings() -> None:
    data = "a;é\n".encode() + "b;é\n".encode("cp1252")
    with pytest.raises(InputError, match=r"encodages mélangés.*ligne 2"):
        decode_text(data, "f.csv")


def test_sniff_delimiter_ignores_quoted_separators() -> None:
    assert sniff_delimiter('"a,b";c;d', "f") == ";"
    assert sniff_delimiter("a,b,c", "f") == ","
    assert sniff_delimiter("a\tb", "f") == "\t"
    with pytest.raises(InputError, match="séparateur de colonnes non reconnu"):
        sniff_delimiter("a|b|c", "f")


def test_parse_datetimes_formats_zones_and_dst() -> None:
    raw = pd.Series(
        [
            "24/03/2018 14:30",  # winter time, UTC+1
            "24/03/2018",  # date only → local midnight
            "2018-07-14T23:30:00+02:00",  # explicit offset
            "2018-07-14T21:30:00Z",
            "14/07/2018  23:30",  # two spaces
            "14/07/18 23h30",
            "25/03/2018 02:30",  # spring gap
            "28/10/2018 02:30",  # autumn: ambiguous → summer time (UTC+2)
            "31/02/2018",
            "",
            "14/07/1018 10:00",  # typo: refused, not year 1018
            "3018-01-01T00:00:00+01:00",
        ]
    )
    p = parse_datetimes(raw)
    got = [None if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M") for v in p.utc]
    assert got == [
        "2018-03-24 13:30",
        "2018-03-23 23:00",
        "2018-07-14 21:30",
        "2018-07-14 21:30",
        "2018-07-14 21:30",
        "2018-07-14 21:30",
        None,
        "2018-10-28 00:30",
        None,
        None,
        None,
        None,
    ]
    assert list(np.flatnonzero(p.date_only)) == [1]
    assert list(np.flatnonzero(p.nonexistent)) == [6]
    assert list(np.flatnonzero(p.ambiguous)) == [7]
    assert list(np.flatnonzero(p.bad)) == [8, 10, 11]


def test_parse_numbers_ints_bools() -> None:
    v, bad = parse_numbers(pd.Series(["1,5", "1 250,75", "2.25", "NA", "", "abc", "1\u00a0000"]))
    np.testing.assert_array_equal(v[:3], [1.5, 1250.75, 2.25])
    assert np.isnan(v[3]) and np.isnan(v[4]) and v[6] == 1000.0
    assert list(np.flatnonzero(bad)) == [5]
    i, bad_i = parse_ints(pd.Series(["3", "", "2,5", "-1"]))
    assert list(i[:2]) == [3, 0] and list(np.flatnonzero(bad_i)) == [2, 3]
    b, bad_b = parse_bools(pd.Series(["oui", "Non", "x", "", "peut-être"]))
    assert list(b) == [True, False, True, False, False] and list(np.flatnonzero(bad_b)) == [4]


def test_parse_seizures() -> None:
    assert parse_seizures("Résine de cannabis 1,2 kg ; cocaïne 15 g") == [
        ("resine de cannabis", 1.2, "kg"),
        ("cocaine", 15.0, "g"),
    ]
    assert parse_seizures("250 g d'herbe de cannabis") == [("herbe de cannabis", 250.0, "g")]
    assert parse_seizures("12 pieds de cannabis | héroïne: 3 g") == [
        ("cannabis", 12.0, "pieds"),
        ("heroine", 3.0, "g"),
    ]
    assert parse_seizures("") == []
    assert parse_seizures("beaucoup de cannabis") is None


def test_resolve_columns() -> None:
    specs = (
        FieldSpec("date", "date", ("date_faits",), required=True),
        FieldSpec("category", "catégorie", ("nature",), required=True),
    )
    cols = ["Date Faits", "NATURE", "autre"]
    assert resolve_columns(cols, specs, {}, file="f", kind="incidents") == {
        "date": "Date Faits",
        "category": "NATURE",
    }
    assert resolve_columns(cols, specs, {"category": "autre"}, file="f", kind="k") == {
        "category": "autre",
        "date": "Date Faits",
    }
    with pytest.raises(InputError, match="colonne obligatoire absente : category"):
        resolve_columns(["Date Faits"], specs, {}, file="f", kind="k")
    assert parse_map_option(" date = DATE , category=NAT ") == {"date": "DATE", "category": "NAT"}
    with pytest.raises(InputError, match="forme champ=COLONNE"):
        parse_map_option("date")


def test_progress_is_reported_for_big_files(sqlite_url: str, tmp_path: Path) -> None:
    n = 6000
    f = tmp_path / "f.csv"
    pd.DataFrame(
        {
            "id": np.arange(n),
            "date": "2018-05-01T10:00:00Z",
            "category": "usage_stupefiants",
            "x": np.linspace(615000, 620000, n),
            "y": 6755000.0,
        }
    ).to_csv(f, index=False)
    calls: list[tuple[str, int, int]] = []
    res = import_file(make_engine(sqlite_url), "incidents", f, progress=lambda *a: calls.append(a))
    assert res.rows_written == n
    assert {c[0] for c in calls} == {"écriture"} and {c[2] for c in calls} == {n}
    assert sum(c[1] for c in calls) == n
