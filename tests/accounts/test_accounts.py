"""Agencies and accounts through the service every interface calls (web, CLI)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_support import audit_events
from gltd.accounts import (
    Member,
    NotFound,
    Refused,
    create_account,
    create_admin,
    create_agency,
    end_account_sessions,
    end_session,
    ensure_demo_accounts,
    list_accounts,
    remove_demo_accounts,
    update_account,
    verify_password,
)
from gltd.errors import InputError
from gltd.model import User, WebSession
from gltd.model.base import utcnow
from gltd.store.engine import make_engine

GOOD = "Vx7-tram-Loire-92"


def _admin(engine: Any, agency: Any, name: str) -> Member:
    uid = create_account(
        engine, username=name, agency_id=agency.id, role="admin", password=GOOD, by=None
    )
    return Member(uid, name, "admin", agency.id, agency.name, agency.kind, ip="10.1.2.3")


@pytest.fixture
def world(db_url: str) -> dict[str, Any]:
    engine = make_engine(db_url)
    parquet = create_agency(engine, name="Parquet d'Orléans", kind="parquet", by=None)
    police = create_agency(engine, name="DDSP du Loiret", kind="police", by=None)
    ville = create_agency(engine, name="Ville d'Orléans", kind="ville", by=None)
    return {
        "engine": engine,
        "parquet": parquet,
        "police": police,
        "ville": ville,
        "parquet_admin": _admin(engine, parquet, "parquet.admin"),
        "police_admin": _admin(engine, police, "police.admin"),
    }


def test_agencies_are_unique_and_their_kind_known(world: dict[str, Any]) -> None:
    engine = world["engine"]
    with pytest.raises(InputError) as exc:
        create_agency(engine, name=" DDSP du Loiret ", kind="police", by=None)
    assert exc.value.field == "name" and "l'agence « DDSP du Loiret » existe déjà" in str(exc.value)
    with pytest.raises(InputError) as exc:
        create_agency(engine, name="Gendarmerie", kind="armee", by=None)
    assert exc.value.field == "kind" and "type d'agence inconnu : « armee »" in str(exc.value)
    with pytest.raises(InputError) as exc:
        create_agency(engine, name="", kind="police", by=None)
    assert exc.value.field == "name"
    assert audit_events(engine)[0] == ("creation", "agency", None, "Parquet d'Orléans (parquet)")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "jean dupont"}, "username", "identifiant invalide"),
        ({"role": "chef"}, "role", "rôle inconnu : « chef »"),
        ({"agency_id": None}, "agency_id", "agence à choisir"),
        ({"agency_id": 999}, "agency_id", "agence inconnue"),
        ({"password": "Password1234"}, "password", "mot de passe courant"),
        ({"username": "police.admin"}, "username", "l'identifiant « police.admin » est déjà pris"),
    ],
)
def test_bad_accounts_are_refused_naming_the_field(
    world: dict[str, Any], changes: dict[str, Any], field: str, message: str
) -> None:
    engine = world["engine"]
    before = len(audit_events(engine))
    args: dict[str, Any] = {
        "username": "bac.nuit",
        "agency_id": world["police"].id,
        "role": "analyste",
        "password": GOOD,
        **changes,
    }
    with pytest.raises(InputError) as exc:
        create_account(engine, by=world["police_admin"], **args)
    assert exc.value.field == field and message in str(exc.value)
    assert len(audit_events(engine)) == before


def test_an_admin_creates_accounts_of_its_agency_only(world: dict[str, Any]) -> None:
    engine, police_admin = world["engine"], world["police_admin"]
    uid = create_account(
        engine,
        username="bac.nuit",
        agency_id=world["police"].id,
        role="analyste",
        password=GOOD,
        by=police_admin,
    )
    assert audit_events(engine)[-1] == ("creation", "user", "police.admin", "bac.nuit (analyste)")
    with pytest.raises(Refused, match="Accès refusé : les comptes de l'agence « Ville"):
        create_account(
            engine,
            username="ville.x",
            agency_id=world["ville"].id,
            role="admin",
            password=GOOD,
            by=police_admin,
        )
    assert audit_events(engine)[-1][:3] == ("refus", "user", "police.admin")
    # The parquet creates the first admin of an agency that has none, and nothing else.
    create_account(
        engine,
        username="ville.admin",
        agency_id=world["ville"].id,
        role="admin",
        password=GOOD,
        by=world["parquet_admin"],
    )
    with pytest.raises(Refused):
        create_account(
            engine,
            username="ville.admin2",
            agency_id=world["ville"].id,
            role="admin",
            password=GOOD,
            by=world["parquet_admin"],
        )
    seen = {a.username for a in list_accounts(engine, by=police_admin)}
    assert seen == {"police.admin", "bac.nuit"}
    every = {a.username for a in list_accounts(engine, by=world["parquet_admin"])}
    assert every == {"parquet.admin", "police.admin", "bac.nuit", "ville.admin"}
    with pytest.raises(Refused, match="ce compte appartient à une autre agence"):
        update_account(engine, user_id=uid, role="lecteur", by=world["parquet_admin"])


def _open_session(engine: Any, user_id: int, token: str) -> int:
    now = utcnow()
    with Session(engine) as s, s.begin():
        row = WebSession(
            token_hash=token,
            user_id=user_id,
            password_fp="x",
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=8),
        )
        s.add(row)
        s.flush()
        return row.id


def test_changes_deactivation_and_resets_end_the_sessions(world: dict[str, Any]) -> None:
    engine, admin = world["engine"], world["police_admin"]
    uid = create_account(
        engine, username="bac.nuit", agency_id=world["police"].id, role="analyste",
        password=GOOD, by=admin,
    )  # fmt: skip
    _open_session(engine, uid, "a" * 64)
    assert (
        update_account(engine, user_id=uid, role="lecteur", by=admin) == "rôle analyste → lecteur"
    )
    assert update_account(engine, user_id=uid, active=False, by=admin) == (
        "désactivé; 1 session(s) fermée(s)"
    )
    with pytest.raises(InputError, match="vous ne pouvez pas désactiver votre propre compte"):
        update_account(engine, user_id=admin.user_id, active=False, by=admin)
    with pytest.raises(InputError) as exc:
        update_account(engine, user_id=uid, password="Azerty123456", by=admin)
    assert exc.value.field == "password"
    assert update_account(engine, user_id=uid, password="Chouquette-Rue-88", by=admin) == (
        "mot de passe réinitialisé"
    )
    with Session(engine) as s:
        u = s.get(User, uid)
        assert u is not None and not u.active and u.role == "lecteur"
        assert verify_password(u.password_hash, "Chouquette-Rue-88")
    assert audit_events(engine)[-1] == (
        "modification",
        "user",
        "police.admin",
        "bac.nuit : mot de passe réinitialisé",
    )
    with pytest.raises(InputError, match="compte n° 999 introuvable"):
        update_account(engine, user_id=999, role="lecteur", by=admin)


def test_sessions_are_ended_by_the_account_agency_only(world: dict[str, Any]) -> None:
    engine, admin = world["engine"], world["police_admin"]
    sid = _open_session(engine, admin.user_id, "b" * 64)
    other = _open_session(engine, world["parquet_admin"].user_id, "c" * 64)
    with pytest.raises(Refused, match="cette session est celle d'un compte d'une autre agence"):
        end_session(engine, session_id=other, by=admin)
    with pytest.raises(NotFound):
        end_session(engine, session_id=999, by=admin)
    with pytest.raises(NotFound):
        end_account_sessions(engine, user_id=999, by=admin)
    assert end_session(engine, session_id=sid, by=admin) == (admin.user_id, True)
    assert end_session(engine, session_id=sid, by=admin) == (admin.user_id, False)
    assert audit_events(engine)[-1] == (
        "revocation",
        "session",
        "police.admin",
        "police.admin : déjà fermée",
    )
    assert end_account_sessions(engine, user_id=world["parquet_admin"].user_id, by=None) == 1


def test_the_command_line_admin_and_the_demo_accounts(world: dict[str, Any]) -> None:
    engine = world["engine"]
    with pytest.raises(InputError) as exc:
        create_admin(engine, username="csu.admin", agency="CSU", kind=None, password=GOOD)
    assert exc.value.field == "kind"
    with pytest.raises(InputError, match="mot de passe refusé : "):
        create_admin(
            engine, username="csu.admin", agency="CSU", kind="csu", password="Azerty123456"
        )
    with pytest.raises(InputError, match="l'identifiant « police.admin » est déjà pris"):
        create_admin(engine, username="police.admin", agency="CSU", kind="csu", password=GOOD)
    uid = create_admin(engine, username="csu.admin", agency="CSU", kind="csu", password=GOOD)
    assert audit_events(engine)[-1] == (
        "creation",
        "user",
        None,
        "csu.admin (admin) : gltd db create-admin",
    )
    demo = ensure_demo_accounts(engine, "s3cret")
    assert {a.username for a in demo} >= {"parquet-admin", "police-analyste", "csu-operateur-csu"}
    assert ensure_demo_accounts(engine, "s3cret") == demo
    removed = remove_demo_accounts(engine)
    assert removed == sorted(a.username for a in demo)
    with Session(engine) as s:
        left = set(s.execute(select(User.username)).scalars())
    assert left == {"parquet.admin", "police.admin", "csu.admin"} and uid > 0
    assert audit_events(engine)[-1][0:2] == ("suppression", "user")
    assert remove_demo_accounts(engine) == []
