"""Demo accounts: one per agency and demo role, with passwords derived from the secret.

With the public development secret anyone can compute the passwords: demo accounts are
marked ``demo`` and log in only with ``GLTD_ENV=development``
(``gltd serve --demo-accounts`` makes them, ``gltd db remove-demo-accounts`` removes them).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from gltd.accounts.passwords import hash_password, verify_password
from gltd.model import Agency, User
from gltd.store import audit

__all__ = [
    "DEMO_ROLES",
    "DemoAccount",
    "demo_accounts_notice",
    "demo_password",
    "ensure_demo_accounts",
    "remove_demo_accounts",
]

#: Roles given to the demo accounts of each agency kind.
DEMO_ROLES: dict[str, tuple[str, ...]] = {
    "parquet": ("admin", "coordinateur", "analyste", "lecteur"),
    "police": ("coordinateur", "analyste", "lecteur"),
    "prefecture": ("coordinateur", "analyste", "lecteur"),
    "ville": ("coordinateur", "analyste", "lecteur"),
    "csu": ("operateur_csu", "coordinateur", "analyste", "lecteur"),
    "autre": ("lecteur",),
}
#: The audit detail of a removal.
REMOVED = "compte de démonstration supprimé (gltd db remove-demo-accounts)"


@dataclass(frozen=True)
class DemoAccount:
    """A demo account and its derived password (shown to the developer)."""

    agency: str
    role: str
    username: str
    password: str


def demo_password(secret: str, username: str) -> str:
    """A password derived from the server secret: the same at every run (idempotent)."""
    digest = hmac.new(secret.encode(), f"demo|{username}".encode(), hashlib.sha256).digest()
    token = base64.b32encode(digest[:10]).decode().rstrip("=")
    return f"Gltd-{token[:5].lower()}{token[5:10]}-{digest[10] % 90 + 10}"


def ensure_demo_accounts(engine: Engine, secret: str) -> list[DemoAccount]:
    """One account per agency and demo role, created or reset to its derived password."""
    out: list[DemoAccount] = []
    with Session(engine) as s, s.begin():
        agencies = s.execute(select(Agency).order_by(Agency.kind, Agency.name)).scalars().all()
        used: set[str] = set()
        for a in agencies:
            for role in DEMO_ROLES.get(a.kind, ("lecteur",)):
                name = f"{a.kind}-{role}".replace("_", "-")
                if name in used:
                    name = f"{name}-{a.id}"
                used.add(name)
                pw = demo_password(secret, name)
                u = s.execute(select(User).where(User.username == name)).scalar_one_or_none()
                if u is None:
                    s.add(
                        User(
                            username=name,
                            password_hash=hash_password(pw),
                            agency_id=a.id,
                            role=role,
                            demo=True,
                        )
                    )
                elif (
                    not verify_password(u.password_hash, pw)
                    or not u.active
                    or u.role != role
                    or not u.demo
                ):
                    u.password_hash, u.active, u.role, u.agency_id, u.demo = (
                        hash_password(pw),
                        True,
                        role,
                        a.id,
                        True,
                    )
                out.append(DemoAccount(a.name, role, name, pw))
    return out


def remove_demo_accounts(engine: Engine) -> list[str]:
    """Delete the demo accounts (their sessions go with them); audited. Their names."""
    with Session(engine) as s, s.begin():
        rows = s.execute(select(User.id, User.username).where(User.demo.is_(True))).all()
        s.execute(delete(User).where(User.demo.is_(True)))
        for r in rows:
            audit.record(
                s,
                actor=None,
                verb="suppression",
                object_type="user",
                object_id=r.id,
                detail=f"{r.username} : {REMOVED}",
            )
    return sorted(r.username for r in rows)


def demo_accounts_notice(engine: Engine, environment: str) -> str | None:
    """A French warning when demo accounts are in the database outside development."""
    if environment == "development":
        return None
    with engine.connect() as conn:
        n = int(conn.execute(select(func.count(User.id)).where(User.demo.is_(True))).scalar_one())
    if not n:
        return None
    return (
        f"{n} compte(s) de démonstration dans cette base : refusés avec GLTD_ENV="
        f"{environment} ; supprimez-les avec « gltd db remove-demo-accounts »."
    )
