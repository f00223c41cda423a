"""addok behind the same interface, against a real Redis started here (Debian's redis-server).

Needs the ``[addok]`` extra; skipped on a laptop without it, a failure under ``CI=true``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ci_support import require
from gltd.geocode.synthetic import (
    SynthAddress,
    answer_queries,
    orleans_extract,
    police_queries,
    score_answers,
)

pytestmark = pytest.mark.addok


@pytest.fixture(scope="module")
def redis_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on a Unix socket, stopped after the module."""
    require(importlib.util.find_spec("addok") is not None, "addok is not installed ([addok] extra)")
    server = shutil.which("redis-server")
    require(server is not None, "redis-server is not installed")
    assert server is not None
    d = tmp_path_factory.mktemp("redis")
    sock = str(d / "redis.sock")
    proc = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no",
         "--dir", str(d)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        if Path(sock).exists():
            break
        time.sleep(0.05)
    os.environ["REDIS_SOCKET"] = sock  # read by addok when it is first imported
    try:
        yield sock
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_addok_answers_like_the_builtin_engine(
    redis_socket: str, tmp_path: Path, sqlite_url: str
) -> None:
    from gltd.cli.main import app
    from gltd.geocode.addok_engine import AddokGeocoder
    from gltd.geocode.synthetic import write_ban_csv

    rows: list[SynthAddress] = orleans_extract()
    ban = write_ban_csv(rows, tmp_path / "adresses-45.csv.gz")
    runner = CliRunner()
    r = runner.invoke(app, ["geocode", "build", str(ban), "--engine", "addok", "--db", sqlite_url])
    assert r.exit_code == 0, r.output
    assert "Index addok (Redis) reconstruit" in r.output
    g = AddokGeocoder()
    a = next(x for x in rows if x.code_insee == "45232" and x.nom_voie == "Rue des Carmes")
    res = g.geocode(f"{a.numero} R DES CARMES", postcode="45160", city="OLIVET")
    assert (res.precision, res.ban_id, res.code_insee) == ("numéro", a.ban_id, "45232")
    assert g.geocode("3 RUE DU PONT COTELLE", city="ORLEANS").precision == "refusé"
    qs = police_queries(rows, n=200, seed=2)
    s = score_answers(qs, answer_queries(g, qs))
    assert s.correct_street >= 0.95 and s.exact_number >= 0.95 and s.wrong_street <= 0.03
    frame = pd.DataFrame({"ADRESSE": [q.address for q in qs[:20]], "CP": [q.postcode for q in qs[:20]],
                          "COMMUNE": [q.city for q in qs[:20]]})  # fmt: skip
    src = tmp_path / "faits.csv"
    frame.to_csv(src, sep=";", index=False)
    dst = tmp_path / "sortie.csv"
    r = runner.invoke(app, ["geocode", "run", str(src), "--engine", "addok", "--out", str(dst),
                            "--map", "address=ADRESSE,postcode=CP,city=COMMUNE", "--db", sqlite_url])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "geocode_precision" in pd.read_csv(dst, sep=";", encoding="utf-8-sig").columns
