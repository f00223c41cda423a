"""Date orders (--date-format), dates that do not exist, files in the other order.

Unit tests of :func:`gltd.ingest.validate.parse_datetimes`, then the real CLI
(``gltd import incidents`` and ``gltd near-repeat``) on SQLite.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from cli_support import gltd_status
from gltd.errors import InputError
from gltd.ingest.dates import date_order
from gltd.ingest.validate import parse_datetimes
from gltd.near_repeat import read_events_csv
from gltd.store.engine import make_engine

HEADER = "id;date;category;lon;lat\n"


def _file(tmp_path: Path, dates: list[str], name: str = "faits.csv") -> Path:
    rows = [
        f"A{k};{d};trafic_stupefiants;1,90{k % 10};47,90{k % 10}\n" for k, d in enumerate(dates)
    ]
    p = tmp_path / name
    p.write_text(HEADER + "".join(rows), encoding="utf-8")
    return p


def _stored_days(url: str) -> list[str]:
    with make_engine(url).connect() as conn:
        rows = conn.execute(text("SELECT source_ref, occurred_at FROM incident")).all()
    out = []
    for ref, when in sorted(rows):
        t = pd.Timestamp(when)
        t = t.tz_localize("UTC") if t.tzinfo is None else t
        out.append(f"{ref}={t.tz_convert('Europe/Paris').date().isoformat()}")
    return out


# ---------------------------------------------------------------- parser


@pytest.mark.parametrize(
    ("value", "order", "message"),
    [
        ("31/11/2026", "dmy", "date inexistante : le 31 novembre n'existe pas"),
        ("31/02/2017", "dmy", "date inexistante : le 31 février n'existe pas"),
        ("31/02/2017 10:15", "dmy", "date inexistante : le 31 février n'existe pas"),
        (
            "29/02/2017",
            "dmy",
            "date inexistante : le 29 février 2017 n'existe pas (2017 n'est pas bissextile)",
        ),
        ("2026-11-31", "dmy", "date inexistante : le 31 novembre n'existe pas"),
        ("11/31/2026", "mdy", "date inexistante : le 31 novembre n'existe pas"),
        ("2026-04-31", "iso", "date inexistante : le 31 avril n'existe pas"),
    ],
)
def test_dates_that_do_not_exist_are_named(value: str, order: str, message: str) -> None:
    p = parse_datetimes(pd.Series(["2017-01-01", value]), order=order)
    assert p.bad.tolist() == [False, True]
    assert p.check.impossible.tolist() == ["", message]


def test_29_february_of_a_leap_year_and_unreadable_values() -> None:
    p = parse_datetimes(pd.Series(["29/02/2016", "32/13/2018", "hier"]))
    assert p.bad.tolist() == [False, True, True]
    assert p.check.impossible.tolist() == ["", "", ""]
    assert not p.check.other_order.any()


def test_orders_read_the_same_dates() -> None:
    expect = pd.Timestamp("2016-01-13", tz="Europe/Paris")
    for value, order in (("13/01/2016", "dmy"), ("1/13/2016", "mdy"), ("2016-01-13", "iso")):
        p = parse_datetimes(pd.Series([value]), order=order)
        assert not p.bad.any() and p.date_only.all()
        assert p.utc.iloc[0] == expect
    # ISO reads in every order; day-first text does not read as ISO
    assert not parse_datetimes(pd.Series(["2016-01-13"]), order="mdy").bad.any()
    assert parse_datetimes(pd.Series(["13/01/2016"]), order="iso").bad.all()
    assert parse_datetimes(pd.Series(["3/4/2016"]), order="mdy").utc.iloc[0] == pd.Timestamp(
        "2016-03-04", tz="Europe/Paris"
    )


def test_other_order_evidence() -> None:
    # month-first values, nothing day-first: the file is in the other order
    p = parse_datetimes(pd.Series(["3/4/2016", "1/13/2016", "2/20/2016"]), order="dmy")
    assert p.check.other_order.tolist() == [False, True, True]
    assert p.check.file_in_other_order
    # one month-first value among day-first ones (25/03): a bad row, not the file's order
    p = parse_datetimes(pd.Series(["25/03/2016", "1/13/2016"]), order="dmy")
    assert p.check.other_order.tolist() == [False, True]
    assert not p.check.file_in_other_order
    # and the other way round
    p = parse_datetimes(pd.Series(["3/4/2016", "13/01/2016"]), order="mdy")
    assert p.check.file_in_other_order


def test_date_format_names() -> None:
    assert date_order(None) == "dmy"
    assert [date_order(t) for t in ("jour-mois", "MM/JJ/AAAA", "iso", "mdy")] == [
        "dmy",
        "mdy",
        "iso",
        "mdy",
    ]
    with pytest.raises(InputError, match=r"format de date « us » inconnu"):
        date_order("us")


# ---------------------------------------------------------------- import CLI


def test_import_reports_a_date_that_does_not_exist(sqlite_url: str, tmp_path: Path) -> None:
    f = _file(tmp_path, ["24/03/2018 14:30", "31/11/2026", "31/02/2017 10:00"])
    code, out = gltd_status(["import", "incidents", str(f), "--db", sqlite_url])
    assert code == 2
    assert "ligne 3, colonne date, valeur 31/11/2026 : date inexistante : le 31 novembre" in out
    assert (
        "ligne 4, colonne date, valeur 31/02/2017 10:00 : date inexistante : le 31 février" in out
    )
    assert "illisible" not in out


def test_autumn_ambiguous_hour_stays_a_warning_with_rows(sqlite_url: str, tmp_path: Path) -> None:
    f = _file(tmp_path, ["24/03/2018 14:30", "28/10/2018 02:30"])
    code, out = gltd_status(["import", "incidents", str(f), "--db", sqlite_url])
    assert code == 0, out
    assert "1 heure(s) ambiguë(s)" in out and "lignes 3" in out


def test_month_first_file_is_refused_whole_then_read_with_date_format(
    sqlite_url: str, tmp_path: Path
) -> None:
    f = _file(tmp_path, ["3/4/2016", "1/13/2016", "2/20/2016"])
    code, out = gltd_status(["import", "incidents", str(f), "--db", sqlite_url, "--skip-invalid"])
    assert code == 2
    assert "les dates sont au format mois-jour (MM/JJ/AAAA), pas jour-mois" in out
    assert "ligne 3 « 1/13/2016 », ligne 4 « 2/20/2016 »" in out
    assert "--date-format mois-jour" in out
    assert _stored_days(sqlite_url) == []
    code, out = gltd_status(
        ["import", "incidents", str(f), "--db", sqlite_url, "--date-format", "mois-jour"]
    )
    assert code == 0, out
    assert _stored_days(sqlite_url) == ["A0=2016-03-04", "A1=2016-01-13", "A2=2016-02-20"]


def test_mapping_file_date_format_key(sqlite_url: str, tmp_path: Path) -> None:
    f = _file(tmp_path, ["3/4/2016", "1/13/2016"])
    m = tmp_path / "export.json"
    m.write_text(json.dumps({"columns": {}, "date_format": "mois-jour"}), encoding="utf-8")
    code, out = gltd_status(
        ["import", "incidents", str(f), "--db", sqlite_url, "--mapping", str(m)]
    )
    assert code == 0, out
    assert _stored_days(sqlite_url) == ["A0=2016-03-04", "A1=2016-01-13"]
    m.write_text(json.dumps({"columns": {}, "date_format": "américain"}), encoding="utf-8")
    code, out = gltd_status(
        ["import", "incidents", str(f), "--db", sqlite_url, "--mapping", str(m)]
    )
    assert code == 2 and "format de date « américain » inconnu" in out


def test_one_month_first_typo_in_a_day_first_file_is_a_bad_row(
    sqlite_url: str, tmp_path: Path
) -> None:
    f = _file(tmp_path, ["25/03/2016", "1/13/2016", "02/04/2016"])
    code, out = gltd_status(["import", "incidents", str(f), "--db", sqlite_url])
    assert code == 2
    assert "ligne 3, colonne date, valeur 1/13/2016 : date impossible en jour-mois" in out
    code, out = gltd_status(["import", "incidents", str(f), "--db", sqlite_url, "--skip-invalid"])
    assert code == 0, out
    assert _stored_days(sqlite_url) == ["A0=2016-03-25", "A2=2016-04-02"]


def test_iso_only(sqlite_url: str, tmp_path: Path) -> None:
    f = _file(tmp_path, ["2016-01-13", "13/01/2016"])
    code, out = gltd_status(
        ["import", "incidents", str(f), "--db", sqlite_url, "--date-format", "iso"]
    )
    assert code == 2
    assert "ligne 3, colonne date, valeur 13/01/2016 : date illisible (attendu : AAAA-MM-JJ" in out


# ---------------------------------------------------------------- near-repeat files


def test_nrc_file_with_record_numbers_and_month_first_dates(tmp_path: Path) -> None:
    p = tmp_path / "nrc.csv"
    p.write_text(
        "1,350000.5,580000.25,1/13/2016\n2,350010,580000.25,3/4/2016\n3,350500,580100,12/31/2016\n",
        encoding="utf-8",
    )
    ev = read_events_csv(p, nrc=True)
    assert ev.n == 3 and ev.date_only
    np.testing.assert_array_equal(ev.x, [350000.5, 350010, 350500])
    days = pd.Series(ev.t).dt.tz_localize("UTC").dt.tz_convert("Europe/Paris").dt.date
    assert [d.isoformat() for d in days] == ["2016-01-13", "2016-03-04", "2016-12-31"]
    # the same file without --nrc: refused, naming the row and the option
    with pytest.raises(
        InputError,
        match=r"ligne 1, colonne « date » : date « 1/13/2016 » "
        r"lisible seulement au format mois-jour.*--date-format mois-jour",
    ):
        read_events_csv(p)
    assert read_events_csv(p, date_format="mois-jour").n == 3
    code, out = gltd_status(
        [
            "near-repeat",
            str(p),
            "--nrc",
            "--distance-bands",
            "0,100,200",
            "--time-bands",
            "0,7,14",
            "--permutations",
            "9",
            "--seed",
            "1",
            "--metric",
            "manhattan",
        ]
    )
    assert code == 0, out
    assert "3 événements" in out


def test_near_repeat_file_with_a_date_that_does_not_exist(tmp_path: Path) -> None:
    p = tmp_path / "nr.csv"
    p.write_text("x,y,date\n1,2,30/11/2026\n3,4,31/11/2026\n", encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"ligne 3, colonne « date » : date inexistante : le 31 "
        "novembre n'existe pas",
    ):
        read_events_csv(p)
