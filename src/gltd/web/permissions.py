"""THE permission matrix: which role of which agency may read or change what.

This module is the one place where access rules live. Every page and every ``/api``
route declares the resource and the action it needs with :func:`require`; the admin
page « Matrice des droits » and ``docs/admin.md`` show the same table (a test checks
that the documentation matches :data:`MATRIX`).

A permission is granted when **both** the user's agency kind and the user's role are
listed for the resource and the action (least privilege between agencies, principle 6
of DESIGN.md): planned operations stay with police and parquet, requisition details
with the CSU, the police and the parquet, and the audit log with administrators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gltd.accounts import (
    CHAIR_KIND,
    may_create_first_admin,
    may_manage_account,
    sees_every_agency_audit,
)
from gltd.model.accounts import AGENCY_KINDS, ROLES
from gltd.steering import may_steer_action

__all__ = [
    "CHAIR_KIND",
    "OWNERSHIP_FR",
    "may_manage_account",
    "may_create_first_admin",
    "may_steer_action",
    "sees_every_agency_audit",
    "ACTIONS",
    "MATRIX",
    "RESOURCES",
    "Rule",
    "allowed",
    "matrix_rows",
    "ROLE_LABELS",
    "AGENCY_LABELS",
    "RESOURCE_LABELS",
]

Action = Literal["read", "write"]
ACTIONS: tuple[Action, ...] = ("read", "write")

ALL_AGENCIES = frozenset(AGENCY_KINDS)
ALL_ROLES = frozenset(ROLES)
NONE: frozenset[str] = frozenset()

ROLE_LABELS = {
    "admin": "Administrateur",
    "coordinateur": "Coordinateur",
    "analyste": "Analyste",
    "operateur_csu": "Opérateur CSU",
    "lecteur": "Lecteur",
}
AGENCY_LABELS = {
    "parquet": "Parquet",
    "police": "Police (DDSP)",
    "prefecture": "Préfecture",
    "ville": "Ville",
    "csu": "CSU (ville)",
    "autre": "Autre invité",
}


@dataclass(frozen=True)
class Rule:
    """Who may do one action on one resource: agency kinds AND roles."""

    agencies: frozenset[str]
    roles: frozenset[str]

    def grants(self, agency_kind: str, role: str) -> bool:
        """True when both the agency kind and the role are listed."""
        return agency_kind in self.agencies and role in self.roles


def _r(agencies: frozenset[str] | set[str], roles: frozenset[str] | set[str]) -> Rule:
    return Rule(frozenset(agencies), frozenset(roles))


EDITORS = {"admin", "coordinateur"}
CSU_STAFF = {"admin", "coordinateur", "operateur_csu"}
ANALYSTS = {"admin", "coordinateur", "analyste"}
JUDICIAL = {"parquet", "police"}
REQUISITION_AGENCIES = {"csu", "police", "parquet"}

#: resource -> action -> rule. Read it as: « agencies » × « roles ».
MATRIX: dict[str, dict[Action, Rule]] = {
    "dashboard": {"read": _r(ALL_AGENCIES, ALL_ROLES), "write": _r(NONE, NONE)},
    "map": {"read": _r(ALL_AGENCIES, ALL_ROLES), "write": _r(NONE, NONE)},
    "incidents": {"read": _r(ALL_AGENCIES, ALL_ROLES), "write": _r(NONE, NONE)},
    "operations": {
        "read": _r(JUDICIAL, ALL_ROLES),
        "write": _r(JUDICIAL, ANALYSTS),
    },
    "cameras": {
        "read": _r(ALL_AGENCIES, ALL_ROLES),
        "write": _r({"ville", "csu"}, CSU_STAFF),
    },
    "requisitions": {
        "read": _r(REQUISITION_AGENCIES, ALL_ROLES),
        "write": _r({"csu", "police"}, CSU_STAFF),
    },
    "viewing_log": {
        "read": _r({"csu", "parquet"}, ALL_ROLES),
        "write": _r({"csu"}, CSU_STAFF),
    },
    "camera_requests": {
        "read": _r(ALL_AGENCIES, ALL_ROLES),
        "write": _r({"ville", "csu", "prefecture"}, CSU_STAFF),
    },
    "actions": {
        "read": _r(ALL_AGENCIES, ALL_ROLES),
        "write": _r(ALL_AGENCIES, EDITORS),
    },
    "analyses": {
        "read": _r(ALL_AGENCIES, ALL_ROLES),
        "write": _r(ALL_AGENCIES, ANALYSTS),
    },
    "bilan": {
        "read": _r(ALL_AGENCIES, ALL_ROLES),
        "write": _r(ALL_AGENCIES, ANALYSTS),
    },
    "imports": {
        "read": _r({"parquet", "police", "ville", "csu"}, {"admin", "analyste"}),
        "write": _r({"parquet", "police", "ville", "csu"}, {"admin", "analyste"}),
    },
    "admin": {
        "read": _r(ALL_AGENCIES, {"admin"}),
        "write": _r(ALL_AGENCIES, {"admin"}),
    },
    # Creating agencies: the administrators of the parquet, which chairs the GLTD.
    "agencies": {
        "read": _r(ALL_AGENCIES, {"admin"}),
        "write": _r({"parquet"}, {"admin"}),
    },
    # Who is logged in, from where (address, browser): administrators list and end sessions.
    "sessions": {
        "read": _r(ALL_AGENCIES, {"admin"}),
        "write": _r(ALL_AGENCIES, {"admin"}),
    },
    # The audit log is never editable, by anyone: no write rule can be granted.
    "audit": {"read": _r(ALL_AGENCIES, {"admin"}), "write": _r(NONE, NONE)},
}

RESOURCES: tuple[str, ...] = tuple(MATRIX)

RESOURCE_LABELS = {
    "dashboard": "Tableau de bord",
    "map": "Carte",
    "incidents": "Faits (agrégés)",
    "operations": "Opérations (y compris planifiées)",
    "cameras": "Caméras",
    "requisitions": "Réquisitions (détail)",
    "viewing_log": "Registre des visionnages",
    "camera_requests": "Demandes de caméras",
    "actions": "Actions du GLTD",
    "analyses": "Analyses",
    "bilan": "Bilan",
    "imports": "Imports",
    "admin": "Administration",
    "agencies": "Agences (création)",
    "sessions": "Sessions des comptes",
    "audit": "Journal d'audit",
}

#: Who owns which objects, beyond the matrix (checked where the objects are changed; the
#: same sentences are in docs/admin.md, a test checks it).
OWNERSHIP_FR: dict[str, str] = {
    "accounts": "Un compte appartient à son agence : seuls les administrateurs de cette "
    "agence le créent, changent son rôle, le désactivent, réinitialisent son mot de passe "
    "et voient ou ferment ses sessions. Un administrateur du parquet peut en plus créer "
    "une agence et le premier administrateur d'une agence qui n'en a aucun d'actif.",
    "actions": "Une action appartient à son agence pilote : seuls les coordinateurs et "
    "administrateurs de cette agence la modifient, et ceux du parquet, qui préside le "
    "GLTD. Les autres agences ne peuvent donner comme pilote que leur propre agence (ou "
    "aucune) ; une action sans pilote peut être modifiée par toute agence.",
    "operations": "Les opérations appartiennent conjointement à la police et au parquet "
    "(seules agences qui les voient et les modifient).",
    "camera_requests": "Les demandes de caméras sont tenues conjointement par la ville, "
    "le CSU et la préfecture ; les caméras par la ville et le CSU ; les réquisitions par "
    "la police et le CSU ; le registre des visionnages par le CSU seul (ajout seul).",
    "audit": "Le journal d'audit d'une agence (les événements de ses comptes, connexions "
    "refusées comprises) n'est lu que par ses administrateurs ; les administrateurs du "
    "parquet lisent celui de toutes les agences.",
}


#: Resources whose every read is written to the audit log.
SENSITIVE: frozenset[str] = frozenset(
    {"operations", "requisitions", "viewing_log", "sessions", "audit"}
)


def allowed(agency_kind: str, role: str, resource: str, action: Action = "read") -> bool:
    """True when a user of this agency kind and role may do ``action`` on ``resource``.

    Unknown resources or actions are refused (fail closed).
    """
    rules = MATRIX.get(resource)
    if rules is None or action not in rules:
        return False
    return rules[action].grants(agency_kind, role)


def matrix_rows() -> list[dict[str, str]]:
    """The matrix as rows for a page or a document (French labels)."""
    rows = []
    for res, rules in MATRIX.items():
        row = {"resource": res, "label": RESOURCE_LABELS[res]}
        for action in ACTIONS:
            rule = rules[action]
            if not rule.agencies or not rule.roles:
                row[action] = "personne"
                continue
            ag = (
                "toutes"
                if rule.agencies == ALL_AGENCIES
                else ", ".join(a for a in AGENCY_KINDS if a in rule.agencies)
            )
            ro = (
                "tous"
                if rule.roles == ALL_ROLES
                else ", ".join(r for r in ROLES if r in rule.roles)
            )
            row[action] = f"agences : {ag} — rôles : {ro}"
        rows.append(row)
    return rows
