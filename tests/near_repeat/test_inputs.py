"""Near-repeat inputs: CSV files like the NRC's, lon/lat projection, and bad input messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer
from typer.testing import CliRunner

from gltd.analysis.knox import near_repeat
from gltd.cli.main import app
from gltd.errors import InputError
from gltd.near_repeat import NearRepeatParams, parse_bands, read_events_csv, run_from_file

CHICAGO = Path(__file__).resolve().parent.parent / "data" / "near_repeat" / "chicago_be_month1.csv"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_csv_without_header_like_the_nrc(tmp_path: Path) -> None:
    ev = read_events_csv(CHICAGO)
    assert ev.n == 970 and ev.date_only
    assert ev.x[0] == pytest.approx(350353.394956896)
    r = near_repeat(ev, [0, 0.1, 200], [0, 7], metric="manhattan", permutations=0)
    assert r.observed.tolist() == [[28], [141]]  # R NearRepeat's published first column


def test_csv_with_header_semicolons_decimal_comma_and_datetimes(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "faits.csv",
        "X;Y;Date\n619000,5;6754000;2018-04-01 22:30\n619010;6754000;2018-04-02 01:30\n"
        "619500;6754200;2018-04-05 10:00\n",
    )
    ev = read_events_csv(p)
    assert not ev.date_only
    assert ev.x[0] == 619000.5
    # 22:30 and 01:30 the next night (Paris, UTC+2) are 3 hours apart
    r = near_repeat(ev, [0, 50], [0, 4, 8], unit="hours", permutations=0)
    assert r.observed.tolist() == [[1, 0]]


def test_lonlat_columns_are_projected_to_lambert93(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "wgs84.csv",
        "longitude,latitude,date\n1.9093,47.9025,15/04/2018\n1.9100,47.9030,16/04/2018\n"
        "1.8800,47.8800,20/04/2018\n",
    )
    ev = read_events_csv(p)
    tr = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    x, y = tr.transform([1.9093, 1.9100, 1.8800], [47.9025, 47.9030, 47.8800])
    np.testing.assert_allclose(ev.x, x)
    np.testing.assert_allclose(ev.y, y)
    assert 600_000 < ev.x[0] < 640_000 and 6_730_000 < ev.y[0] < 6_780_000


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("x,y,date\n1,2,2018-01-01\n3,4,\n", r"ligne 3, colonne « date » : date manquante"),
        (
            "x,y,date\n1,2,2018-01-01\n3,4,32/13/2018\n",
            r"ligne 3, colonne « date » : date illisible « 32/13/2018 »",
        ),
        ("1,2,2018-01-01\n3,,2018-01-02\n", r"ligne 2, colonne « y » : coordonnée manquante"),
        ("1.90,47.90,2018-01-01\n1.91,47.91,2018-01-03\n", r"ressemblent à des longitudes"),
        ("lon,lat,date\n1.9,147.9,2018-01-01\n1.9,47.9,2018-01-02\n", r"lat hors limites"),
        ("x,y,date\n1,2,2018-01-01\n", r"au moins deux événements"),
        ("a,b,c\n1,2,3\n", r"colonnes non reconnues"),
    ],
)
def test_bad_files_give_clear_messages(tmp_path: Path, text: str, pattern: str) -> None:
    p = _write(tmp_path, "bad.csv", text)
    params = NearRepeatParams(distance_edges=(0, 100), time_edges=(0, 1), permutations=9)
    with pytest.raises(InputError, match=pattern):
        run_from_file(p, params)


def test_bad_bands_and_parameters() -> None:
    x, y, t = [0.0, 10.0, 20.0], [0.0, 0.0, 0.0], np.array([0, 10, 30])
    with pytest.raises(InputError, match=r"bandes de distance non croissantes : 200 puis 100"):
        near_repeat(x, y, t, [0, 200, 100], [0, 7])
    with pytest.raises(InputError, match=r"bandes de temps non croissantes : 7 puis 7"):
        near_repeat(x, y, t, [0, 100], [0, 7, 7])
    with pytest.raises(InputError, match=r"au moins deux bornes"):
        near_repeat(x, y, t, [0], [0, 7])
    with pytest.raises(InputError, match=r"l'infini seulement en dernier"):
        near_repeat(x, y, t, [0, np.inf, 300], [0, 7])
    with pytest.raises(InputError, match=r"bande de temps trop longue : la borne 60 j"):
        near_repeat(x, y, t, [0, 100], [0, 7, 60])
    with pytest.raises(InputError, match=r"au moins deux événements"):
        near_repeat([0.0], [0.0], [1], [0, 100], [0, 7])
    with pytest.raises(InputError, match=r"date manquante ou illisible pour l'événement n° 2"):
        near_repeat(
            x, y, np.array(["2018-01-01", None, "2018-01-09"], dtype=object), [0, 1], [0, 2]
        )
    with pytest.raises(InputError, match=r"l'unité doit être days"):
        near_repeat(
            x, y, np.array(["2018-01-01", "2018-01-03", "2018-01-09"]), [0, 1], [0, 2], unit="hours"
        )
    with pytest.raises(InputError, match=r"distance « cosine » inconnue"):
        near_repeat(x, y, t, [0, 100], [0, 7], metric="cosine")
    with pytest.raises(InputError, match=r"mode NRC : les bandes commencent à 0"):
        near_repeat(x, y, t, [50, 100], [0, 7], nrc=True)
    with pytest.raises(InputError, match=r"bandes de distance illisibles : « abc »"):
        parse_bands("0,abc,200", "distance")
    assert parse_bands("0, 0.1;100,inf", "distance") == (0, 0.1, 100, float("inf"))


def test_lonlat_eventset_is_refused() -> None:
    from gltd.analysis.events import EventSet

    ev = EventSet.from_arrays(
        [1.9, 1.91], [47.9, 47.91], ["2018-01-01", "2018-01-02"], crs="EPSG:4326"
    )
    with pytest.raises(InputError, match=r"en degrés : projetez"):
        near_repeat(ev, [0, 100], [0, 1])


def test_cli_refuses_without_traceback_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    res = CliRunner().invoke(
        app,
        ["near-repeat", str(CHICAGO), "--distance-bands", "0,200,100", "--out", str(out)],
    )
    assert res.exit_code == 2, res.output
    assert "non croissantes" in res.output and "Traceback" not in res.output
    assert not out.exists()
