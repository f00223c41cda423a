"""Seizures of an operation entered by hand: the common substances by quantity, others
as text (« ecstasy 20 comprimés ; crack 3 g »), read like the import reads them."""

from __future__ import annotations

import math
from collections.abc import Mapping

from gltd.errors import InputError
from gltd.ingest.operations import parse_seizures

__all__ = ["SEIZURE_FIELDS", "Seized", "seizures_from_form", "seizures_to_form"]

#: One seizure: (substance, quantity, unit).
Seized = tuple[str, float, str]

#: Form field → (substance as stored, unit, French label).
SEIZURE_FIELDS: dict[str, tuple[str, str, str]] = {
    "seize_resine_g": ("resine de cannabis", "g", "Saisie : résine de cannabis (g)"),
    "seize_herbe_g": ("herbe de cannabis", "g", "Saisie : herbe de cannabis (g)"),
    "seize_cocaine_g": ("cocaine", "g", "Saisie : cocaïne (g)"),
    "seize_heroine_g": ("heroine", "g", "Saisie : héroïne (g)"),
    "seize_pieds": ("cannabis", "pieds", "Saisie : pieds de cannabis"),
}
#: Largest quantity of one seizure.
MAX_QUANTITY = 1e7


def seizures_from_form(
    quantities: Mapping[str, float | None], other: str | None
) -> tuple[Seized, ...]:
    """The seizures of a form: each quantity given (> 0), then the « other » text."""
    out: list[Seized] = []
    for name, (substance, unit, label) in SEIZURE_FIELDS.items():
        q = quantities.get(name)
        if q is None or q == 0:
            continue
        if not math.isfinite(q) or q < 0 or q > MAX_QUANTITY:
            raise InputError(f"{label} : quantité de 0 à {MAX_QUANTITY:g} attendue", field=name)
        out.append((substance, float(q), unit))
    if other and other.strip():
        parsed = parse_seizures(other)
        if parsed is None:
            raise InputError(
                f"autres saisies illisibles : « {other[:60]} » (attendu : substance, quantité "
                "et unité, séparées par « ; », ex. « ecstasy 20 comprimes ; crack 3 g »)",
                field="seize_other",
            )
        out.extend(parsed)
    return tuple(out)


def seizures_to_form(seized: tuple[Seized, ...]) -> dict[str, str]:
    """The form values of stored seizures (the inverse of :func:`seizures_from_form`)."""
    values: dict[str, str] = {}
    others: list[str] = []
    by_key = {(s, u): name for name, (s, u, _label) in SEIZURE_FIELDS.items()}
    for substance, qty, unit in seized:
        name = by_key.get((substance, unit))
        if name is not None and name not in values:
            values[name] = f"{qty:g}"
        else:
            others.append(f"{substance} {qty:g} {unit}")
    if others:
        values["seize_other"] = " ; ".join(others)
    return values
