"""Stored values derived from imported rows are keyed: none can be brute-forced back to
a procedure number, and re-importing a file still creates no duplicate."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text, update

from cli_support import gltd
from gltd.config import get_settings
from gltd.model import ImportBatch, Requisition, Zone
from gltd.store.engine import get_engine, make_engine, session_scope
from gltd.store.migrate import alembic_config, upgrade

CITY = "POLYGON((1.87 47.82, 1.96 47.82, 1.96 47.93, 1.87 47.93, 1.87 47.82))"
KEY = "clé-de-test-références-importées"
ROW = ("20/09/2018 09:00", "SD 45", "2018/001234", "C01", "18/09/2018 22:00", "19/09/2018 02:00")


def _use_key(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.setenv("GLTD_SECRET_KEY", key)
    get_settings.cache_clear()


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    _use_key(monkeypatch, KEY)
    yield KEY
    get_settings.cache_clear()


def _base(url: str) -> None:
    with session_scope(make_engine(url)) as s:
        s.add(Zone(name="Ville", kind="commune", geometry_wkt=CITY))
    gltd("cctv", "cameras", "add", "--code", "C01", "--at", "47.902,1.901", "--db", url)


def _file(tmp_path: Path, with_id: bool = False) -> Path:
    f = tmp_path / "requisitions.csv"
    head = "date_reception;service;procedure;cameras;debut_periode;fin_periode"
    f.write_text(
        ("reference;" if with_id else "") + head + "\n"
        + ("2018/001234;" if with_id else "") + ";".join(ROW) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    return f


def _stored(url: str) -> tuple[list[str], list[str]]:
    with session_scope(make_engine(url)) as s:
        refs = list(s.scalars(select(Requisition.source_ref)))
        digests = list(s.scalars(select(ImportBatch.sha256)))
    return refs, digests


def _hmac(key: str, text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hmac.new(key.encode(), data, hashlib.sha256).hexdigest()


def test_row_reference_and_file_fingerprint_are_keyed(
    tmp_path: Path, secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    _base(url)
    f = _file(tmp_path)
    gltd("import", "requisitions", str(f), "--db", url)
    (ref,), (digest,) = _stored(url)
    joined = "\x1f".join(ROW)  # the mapped fields, in the importer's field order
    sha1 = hashlib.sha1(joined.encode()).hexdigest()
    assert sha1[:24] not in ref and "2018/001234" not in ref
    # Hand-computed: HMAC-SHA256 under the key of the row digest, 32 hex digits.
    assert ref == "k1:" + _hmac(KEY, "h:" + sha1[:24])[:32]
    assert digest != hashlib.sha256(f.read_bytes()).hexdigest()
    assert digest == _hmac(KEY, f.read_bytes())
    # Same file again: nothing new.
    assert "0 ligne(s) écrite(s), 1 déjà présente(s)" in gltd(
        "import", "requisitions", str(f), "--db", url
    )
    # Another key gives other values for the same file.
    _use_key(monkeypatch, "une tout autre clé")
    other = f"sqlite:///{tmp_path / 'b.db'}"
    upgrade(other)
    _base(other)
    gltd("import", "requisitions", str(f), "--db", other)
    (ref2,), (digest2,) = _stored(other)
    assert ref2 != ref and digest2 != digest
    get_engine.cache_clear()


def test_an_imported_identifier_is_keyed(sqlite_url: str, tmp_path: Path, secret: str) -> None:
    _base(sqlite_url)
    f = _file(tmp_path, with_id=True)
    gltd("import", "requisitions", str(f), "--db", sqlite_url)
    (ref,), _ = _stored(sqlite_url)
    assert ref == "k1:" + _hmac(KEY, "id:2018/001234")[:32]
    assert "0 ligne(s) écrite(s), 1 déjà présente(s)" in gltd(
        "import", "requisitions", str(f), "--db", sqlite_url
    )


def test_the_migration_keys_old_references_and_reimport_still_finds_them(
    tmp_path: Path, secret: str
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url)
    _base(url)
    f = _file(tmp_path)
    (tmp_path / "id").mkdir()
    g = _file(tmp_path / "id", with_id=True)
    gltd("import", "requisitions", str(f), "--source", "requisitions", "--db", url)
    gltd("import", "requisitions", str(g), "--source", "registre", "--db", url)
    # What gltd stored before this version: unkeyed digests and raw identifiers.
    legacy = "h:" + hashlib.sha1("\x1f".join(ROW).encode()).hexdigest()[:24]
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            update(Requisition)
            .where(Requisition.source == "requisitions")
            .values(source_ref=legacy)
        )
        conn.execute(
            update(Requisition)
            .where(Requisition.source == "registre")
            .values(source_ref="2018/001234")
        )
        conn.execute(update(ImportBatch).values(sha256=hashlib.sha256(f.read_bytes()).hexdigest()))
    engine.dispose()
    # Back to the revision before the keyed references: the later revisions are undone
    # (0005 changes values, not the schema, so it is only unstamped).
    command.downgrade(alembic_config(url), "0005")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    engine.dispose()
    upgrade(url)
    refs, digests = _stored(url)
    assert sorted(refs) == sorted(
        ["k1:" + _hmac(KEY, legacy)[:32], "k1:" + _hmac(KEY, "id:2018/001234")[:32]]
    )
    assert hashlib.sha256(f.read_bytes()).hexdigest() not in digests
    for path, extra in ((f, ("--source", "requisitions")), (g, ("--source", "registre"))):
        out = gltd("import", "requisitions", str(path), *extra, "--db", url)
        assert "0 ligne(s) écrite(s), 1 déjà présente(s)" in out
    assert len(_stored(url)[0]) == 2
    get_engine.cache_clear()
