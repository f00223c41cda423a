"""Agencies and accounts of the GLTD: who acts, which objects an agency owns, passwords.

Every interface creates and changes accounts through these functions (the web's
administration pages, ``gltd db create-admin``, ``gltd serve --demo-accounts``): they
check the input (French messages naming the field), the password policy and who owns
the account, and write the audit event with the change.
"""

from gltd.accounts.demo import (
    DEMO_ROLES,
    DemoAccount,
    demo_accounts_notice,
    demo_password,
    ensure_demo_accounts,
    remove_demo_accounts,
)
from gltd.accounts.passwords import check_password_strength, hash_password, verify_password
from gltd.accounts.registry import (
    AccountRecord,
    AgencyRecord,
    check_new_admin,
    create_account,
    create_admin,
    create_agency,
    list_accounts,
    list_agencies,
    update_account,
)
from gltd.accounts.rules import (
    CHAIR_KIND,
    Member,
    NotFound,
    Refused,
    actor_of,
    may_create_first_admin,
    may_manage_account,
    sees_every_agency_audit,
)
from gltd.accounts.sessions import (
    BY_ADMIN,
    check_account_owner,
    end_account_sessions,
    end_session,
    revoke_user_sessions,
)

__all__ = [
    "BY_ADMIN",
    "CHAIR_KIND",
    "DEMO_ROLES",
    "AccountRecord",
    "AgencyRecord",
    "DemoAccount",
    "Member",
    "NotFound",
    "Refused",
    "actor_of",
    "check_account_owner",
    "check_new_admin",
    "check_password_strength",
    "create_account",
    "create_admin",
    "create_agency",
    "demo_accounts_notice",
    "demo_password",
    "ensure_demo_accounts",
    "end_account_sessions",
    "end_session",
    "hash_password",
    "list_accounts",
    "list_agencies",
    "may_create_first_admin",
    "may_manage_account",
    "remove_demo_accounts",
    "revoke_user_sessions",
    "sees_every_agency_audit",
    "update_account",
    "verify_password",
]
