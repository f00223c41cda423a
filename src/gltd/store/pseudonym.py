"""Pseudonymised procedure references: the one function for the whole project.

A procedure number (``2018/001234``) is never stored. gltd keeps ``h1:`` + the
HMAC-SHA256 of the normalised number under the installation's secret
(``GLTD_SECRET_KEY``): the same procedure always gives the same reference, so two
requisitions of one procedure can be grouped, but the number cannot be recovered by
hashing every candidate (procedure numbers are a small space: a year and a few digits)
without the key. An unkeyed hash would be reversible by such a brute force.

Both the register (:func:`gltd.cctv.requisitions.register_requisition`) and the file
importer (:mod:`gltd.cctv.requisitions.importer`) call :func:`pseudonymise_reference`. Every
other stored value that may derive from a procedure number (an import's row references,
the fingerprint of an imported file) is keyed the same way, with :func:`keyed_hmac`
(:func:`keyed_ref`).
"""

from __future__ import annotations

import hashlib
import hmac

from gltd.config import get_settings
from gltd.errors import InputError

__all__ = [
    "PREFIX",
    "REF_PREFIX",
    "keyed_hmac",
    "keyed_ref",
    "normalise_reference",
    "pseudonymise_reference",
]

#: Version tag of the scheme (a change of scheme gets a new tag).
PREFIX = "h1:"
#: Version tag of :func:`keyed_ref`.
REF_PREFIX = "k1:"


def keyed_hmac(key: str | None = None) -> hmac.HMAC:
    """A new HMAC-SHA256 under the installation's secret, to be fed with ``update``.

    Parameters
    ----------
    key : str, optional
        The secret; ``GLTD_SECRET_KEY`` (:func:`gltd.config.get_settings`) by default.
    """
    secret = (key if key is not None else get_settings().secret_key).encode("utf-8")
    return hmac.new(secret, digestmod=hashlib.sha256)


def keyed_ref(text: str, key: str | None = None) -> str:
    """``k1:`` + the first 32 hex digits of the keyed HMAC of ``text``.

    The stored form of a reference derived from imported content (a row's content, an
    identifier that may be a procedure number): stable for one key, so re-importing a
    file finds its rows again, and not reversible without the key.
    """
    h = keyed_hmac(key)
    h.update(text.encode("utf-8"))
    return REF_PREFIX + h.hexdigest()[:32]


def normalise_reference(number: str) -> str:
    """Upper case, without any white space: ``" 2018 / 00123"`` → ``"2018/00123"``."""
    return "".join(str(number).split()).upper()


def pseudonymise_reference(number: str, key: str | None = None) -> str:
    """``h1:`` + HMAC-SHA256 of the normalised procedure number (upper case, no spaces).

    Parameters
    ----------
    number : str
        The procedure number as written by the requesting unit.
    key : str, optional
        The secret; ``GLTD_SECRET_KEY`` (:func:`gltd.config.get_settings`) by default.

    Raises
    ------
    InputError
        When the number is blank.

    Examples
    --------
    >>> pseudonymise_reference("2018/00123", "k") == pseudonymise_reference(" 2018 / 00123", "k")
    True
    """
    norm = normalise_reference(number)
    if not norm:
        raise InputError("numéro de procédure vide", field="procedure")
    h = keyed_hmac(key)
    h.update(norm.encode("utf-8"))
    return PREFIX + h.hexdigest()
