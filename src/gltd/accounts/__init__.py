"""Agencies and accounts of the GLTD: who acts, and which objects an agency owns."""

from gltd.accounts.rules import (
    CHAIR_KIND,
    Member,
    Refused,
    actor_of,
    may_create_first_admin,
    may_manage_account,
    sees_every_agency_audit,
)

__all__ = [
    "CHAIR_KIND",
    "Member",
    "Refused",
    "actor_of",
    "may_create_first_admin",
    "may_manage_account",
    "sees_every_agency_audit",
]
