"""The password policy and hashes of gltd accounts (web administration, ``gltd db create-admin``).

A new password is refused when it has fewer than 12 characters, one letter case only or
no digit; when it reuses the account name or the agency name; and when it is easy to
guess: built on a common password (``Password1234``, ``Azerty123456``) or made of common
words, keyboard runs, dates and repetitions. The last rule is zxcvbn's estimate (MIT
licence), whose lists include the 30,000 most common passwords of public leaks: a
password must need at least 10^10 guesses.
"""

from __future__ import annotations

import re
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

__all__ = [
    "check_password_strength",
    "hash_password",
    "verify_password",
    "MIN_LENGTH",
    "MIN_GUESSES_LOG10",
]

MIN_LENGTH = 12
#: zxcvbn's « very unguessable » (score 4): at least 10^10 guesses.
MIN_GUESSES_LOG10 = 10.0
#: Characters analysed (zxcvbn's matching grows with the square of the length).
_ANALYSED = 100
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """The Argon2id hash of a password (argon2-cffi defaults, RFC 9106 profile)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``."""
    try:
        return bool(_HASHER.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _fold(text: str) -> str:
    """Lower case without accents (« Orléans » → « orleans »)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _alnum(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", _fold(text))


def _reuses(password: str, value: str | None) -> bool:
    """True when ``password`` contains ``value`` or one of its words of 4+ characters."""
    if not value:
        return False
    folded, squeezed = _fold(password), _alnum(password)
    whole = _alnum(value)
    words = [w for w in re.split(r"[^a-z0-9]+", _fold(value)) if len(w) >= 4]
    return (len(whole) >= 4 and whole in squeezed) or any(w in folded for w in words)


def check_password_strength(
    password: str, *, username: str | None = None, agency: str | None = None
) -> str | None:
    """A French reason why a new password is refused, or None when acceptable.

    Parameters
    ----------
    password : str
        The proposed password.
    username, agency : str, optional
        The account name and its agency's name: a password may not reuse them.
    """
    if len(password) < MIN_LENGTH:
        return f"le mot de passe doit compter au moins {MIN_LENGTH} caractères"
    if password.lower() == password or password.upper() == password:
        return "le mot de passe doit mêler majuscules et minuscules"
    if not any(c.isdigit() for c in password):
        return "le mot de passe doit contenir au moins un chiffre"
    for what, value in (("l'identifiant du compte", username), ("le nom de l'agence", agency)):
        if _reuses(password, value):
            return f"le mot de passe ne doit pas reprendre {what}"
    result = zxcvbn(password[:_ANALYSED], user_inputs=[v for v in (username, agency) if v])
    if float(result["guesses_log10"]) >= MIN_GUESSES_LOG10:
        return None
    common = [
        str(m["token"])
        for m in result["sequence"]
        if m.get("pattern") == "dictionary"
        and m.get("dictionary_name") == "passwords"
        and len(str(m["token"])) >= 4
        and not str(m["token"]).isdigit()
    ]
    if common:
        return (
            f"le mot de passe repose sur un mot de passe courant (« {common[0]} ») : "
            "choisissez une phrase de plusieurs mots peu courants, avec chiffres et signes"
        )
    return (
        "le mot de passe est trop facile à deviner (mots courants, suites de touches, "
        "dates ou répétitions) : allongez-le avec des mots peu courants"
    )
