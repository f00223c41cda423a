"""The category taxonomy: SSMSI indicators plus local categories.

A site may replace it with a YAML or JSON file (``GLTD_TAXONOMY_FILE``) listing
``code``, ``label_fr``, ``label_en``, ``ssmsi`` (indicator or null), ``drug`` (bool)
and ``aliases`` (labels found in source exports).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from gltd.errors import GltdError

__all__ = ["Category", "Taxonomy", "default_taxonomy", "get_taxonomy", "normalise_label"]


@dataclass(frozen=True)
class Category:
    """One category of incident."""

    code: str
    label_fr: str
    label_en: str
    ssmsi: str | None = None
    unit: str | None = None
    drug: bool = False
    aliases: tuple[str, ...] = field(default_factory=tuple)


_DEFAULT: tuple[Category, ...] = (
    Category(
        "trafic_stupefiants",
        "Trafic de stupéfiants",
        "Drug trafficking",
        "Trafic de stupéfiants",
        "Mis en cause",
        True,
        (
            "trafic",
            "trafic de stups",
            "ils trafic",
            "index 55",
            "trafic et revente sans usage",
            "55",
        ),
    ),
    Category(
        "usage_revente",
        "Usage-revente de stupéfiants",
        "Drug use and resale",
        None,
        "Mis en cause",
        True,
        ("usage-revente", "usage revente", "index 56", "56"),
    ),
    Category(
        "usage_stupefiants",
        "Usage de stupéfiants",
        "Drug use",
        "Usage de stupéfiants",
        "Mis en cause",
        True,
        ("usage", "usage de stups", "ils usage", "index 57", "57", "natinf 180", "180"),
    ),
    Category(
        "usage_stupefiants_afd",
        "Usage de stupéfiants (AFD)",
        "Drug use (fixed fine)",
        "Usage de stupéfiants (AFD)",
        "Mis en cause",
        True,
        ("afd", "amende forfaitaire stupefiants"),
    ),
    Category(
        "autre_ils",
        "Autres infractions à la législation sur les stupéfiants",
        "Other drug-law offences",
        None,
        None,
        True,
        ("autres ils", "index 58", "58"),
    ),
    Category(
        "point_de_deal",
        "Point de deal signalé",
        "Reported dealing point",
        None,
        None,
        True,
        ("point de deal", "deal", "signalement deal", "point de vente"),
    ),
    Category(
        "violences_intrafamiliales",
        "Violences physiques intrafamiliales",
        "Domestic physical violence",
        "Violences physiques intrafamiliales",
        "Victime",
    ),
    Category(
        "violences_hors_famille",
        "Violences physiques hors cadre familial",
        "Physical violence outside the family",
        "Violences physiques hors cadre familial",
        "Victime",
        aliases=("violences", "coups et blessures"),
    ),
    Category(
        "violences_sexuelles",
        "Violences sexuelles",
        "Sexual violence",
        "Violences sexuelles",
        "Victime",
    ),
    Category(
        "vols_avec_armes", "Vols avec armes", "Armed robbery", "Vols avec armes", "Infraction"
    ),
    Category(
        "vols_violents_sans_arme",
        "Vols violents sans arme",
        "Robbery without weapon",
        "Vols violents sans arme",
        "Infraction",
    ),
    Category(
        "vols_sans_violence",
        "Vols sans violence contre des personnes",
        "Theft from persons without violence",
        "Vols sans violence contre des personnes",
        "Victime entendue",
        aliases=("vol simple",),
    ),
    Category(
        "cambriolages",
        "Cambriolages de logement",
        "Residential burglary",
        "Cambriolages de logement",
        "Infraction",
        aliases=("cambriolage", "burglary"),
    ),
    Category(
        "vols_vehicules", "Vols de véhicules", "Vehicle theft", "Vols de véhicules", "Véhicule"
    ),
    Category(
        "vols_dans_vehicules",
        "Vols dans les véhicules",
        "Theft from vehicles",
        "Vols dans les véhicules",
        "Véhicule",
    ),
    Category(
        "vols_accessoires",
        "Vols d'accessoires sur véhicules",
        "Theft of vehicle parts",
        "Vols d'accessoires sur véhicules",
        "Véhicule",
    ),
    Category(
        "destructions_degradations",
        "Destructions et dégradations volontaires",
        "Criminal damage",
        "Destructions et dégradations volontaires",
        "Infraction",
        aliases=("degradations", "dégradation"),
    ),
    Category(
        "escroqueries",
        "Escroqueries et fraudes aux moyens de paiement",
        "Fraud",
        "Escroqueries et fraudes aux moyens de paiement",
        "Victime",
    ),
    Category("autre", "Autre", "Other", None, None),
)


def normalise_label(text: str) -> str:
    """Lower-case, accents removed, spaces collapsed: for matching source labels."""
    t = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return " ".join(t.lower().replace("_", " ").replace("'", " ").split())


class Taxonomy:
    """A set of categories with a lookup from any known label or alias to a code."""

    def __init__(self, categories: tuple[Category, ...]) -> None:
        self.categories = categories
        self.by_code = {c.code: c for c in categories}
        self._lookup: dict[str, str] = {}
        for c in categories:
            for label in (
                c.code,
                c.label_fr,
                c.label_en,
                *(c.aliases),
                *((c.ssmsi,) if c.ssmsi else ()),
            ):
                self._lookup.setdefault(normalise_label(label), c.code)

    def resolve(self, label: str) -> str | None:
        """The code for a label of a source export, or None when unknown."""
        return self._lookup.get(normalise_label(label))

    def label(self, code: str, locale: str = "fr") -> str:
        """Human label of a code (the code itself when unknown)."""
        c = self.by_code.get(code)
        if c is None:
            return code
        return c.label_en if locale.startswith("en") else c.label_fr

    @property
    def drug_codes(self) -> tuple[str, ...]:
        """Codes of the drug-related categories."""
        return tuple(c.code for c in self.categories if c.drug)


def default_taxonomy() -> Taxonomy:
    """The built-in taxonomy (SSMSI indicators plus local drug categories)."""
    return Taxonomy(_DEFAULT)


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read a taxonomy from a JSON or YAML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        if p.suffix.lower() in (".yaml", ".yml"):
            import yaml  # type: ignore[import-untyped]

            raw = yaml.safe_load(text)
        else:
            raw = json.loads(text)
        cats = tuple(
            Category(
                code=str(c["code"]),
                label_fr=str(c.get("label_fr", c["code"])),
                label_en=str(c.get("label_en", c.get("label_fr", c["code"]))),
                ssmsi=c.get("ssmsi"),
                unit=c.get("unit"),
                drug=bool(c.get("drug", False)),
                aliases=tuple(c.get("aliases", ())),
            )
            for c in raw
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GltdError(f"fichier de nomenclature {p} illisible : {exc}") from exc
    return Taxonomy(cats)


@lru_cache(maxsize=1)
def get_taxonomy() -> Taxonomy:
    """The taxonomy in force (settings file, else the default)."""
    from gltd.config import get_settings

    f = get_settings().taxonomy_file
    return load_taxonomy(f) if f else default_taxonomy()
