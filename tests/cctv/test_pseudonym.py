"""One keyed pseudonym for procedure numbers, whether imported or entered by hand."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from cli_support import gltd_output
from gltd.config import get_settings
from gltd.errors import InputError
from gltd.model import Requisition, Zone
from gltd.store.engine import make_engine, session_scope
from gltd.store.pseudonym import pseudonymise_reference

CITY = "POLYGON((1.87 47.82, 1.96 47.82, 1.96 47.93, 1.87 47.93, 1.87 47.82))"
KEY = "clé-de-test-pseudonymes"


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("GLTD_SECRET_KEY", KEY)
    get_settings.cache_clear()
    yield KEY
    get_settings.cache_clear()


def test_pseudonym_is_the_keyed_hmac_not_a_plain_hash() -> None:
    ref = pseudonymise_reference(" 2018 / 001234 ", "k")
    # Hand-computed: HMAC-SHA256 (RFC 2104) of the normalised number under key "k".
    assert ref == "h1:" + hmac.new(b"k", b"2018/001234", hashlib.sha256).hexdigest()
    plain = hashlib.sha256(b"2018/001234").hexdigest()
    assert plain not in ref and plain[:16] not in ref
    assert ref != pseudonymise_reference("2018/001234", "autre clé")
    with pytest.raises(InputError, match="numéro de procédure vide"):
        pseudonymise_reference("  ", "k")


def test_import_and_register_store_the_same_pseudonym(
    db_url: str, tmp_path: Path, secret: str
) -> None:
    with session_scope(make_engine(db_url)) as s:
        s.add(Zone(name="Ville", kind="commune", geometry_wkt=CITY))
    gltd_output("cctv", "cameras", "add", "--code", "C01", "--at", "47.902,1.901", "--db", db_url)
    f = tmp_path / "requisitions.csv"
    f.write_text(
        "reference;date_reception;service;procedure;cameras;debut_periode;fin_periode\n"
        "R1;20/09/2018 09:00;SD 45;2018/001234;C01;18/09/2018 22:00;19/09/2018 02:00\n",
        encoding="utf-8",
    )
    gltd_output("import", "requisitions", str(f), "--source", "requisitions", "--db", db_url)
    # The same procedure, typed with spaces, through the register.
    gltd_output("cctv", "requisitions", "add", "--received", "2018-09-21 10:00", "--unit", "SD 45",
        "--basis", "77-1-1", "--procedure", " 2018 / 001234", "--cameras", "C01",
        "--from", "2018-09-18 22:00", "--to", "2018-09-19 02:00", "--db", db_url)  # fmt: skip
    with session_scope(make_engine(db_url)) as s:
        refs = {r.source: r.procedure_ref for r in s.scalars(select(Requisition))}
    assert set(refs) == {"requisitions", "saisie"}
    imported, entered = refs["requisitions"], refs["saisie"]
    assert imported == entered
    assert imported == "h1:" + hmac.new(KEY.encode(), b"2018/001234", hashlib.sha256).hexdigest()
    plain = hashlib.sha256(b"2018/001234").hexdigest()
    assert imported != "p:" + plain[:16] and plain not in str(imported)
