"""Column mapping (``--map``, saved mapping files) and category mapping.

A *field* is what gltd needs (``date``, ``category``, ``lon``...); a *column* is what the
source file calls it (``DATE_FAITS``, ``NATURE``...). The mapping is resolved in this
order: ``--map field=COLUMN`` on the command line, then the saved mapping file, then the
known aliases of each field (case, accents and spaces ignored).

A saved mapping file (JSON or YAML) for a recurring export looks like::

    {
      "kind": "incidents",
      "columns": {"date": "DATE_FAITS", "category": "NATURE", "x": "X", "y": "Y"},
      "categories": {"STUP - TRAFIC": "trafic_stupefiants", "STUP - USAGE": "usage_stupefiants"},
      "crs": "EPSG:2154",
      "source": "lrp-ddsp45",
      "date_format": "jour-mois"
    }

(French keys ``colonnes``, ``categories``, ``systeme``, ``source`` and ``format_date`` are
accepted too.) ``date_format`` is ``jour-mois`` (default), ``mois-jour`` or ``iso``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gltd.errors import InputError
from gltd.ingest.validate import ProblemLog
from gltd.taxonomy import Taxonomy, normalise_label

__all__ = [
    "FieldSpec",
    "MappingFile",
    "load_mapping_file",
    "parse_map_option",
    "resolve_columns",
    "map_categories",
]


@dataclass(frozen=True)
class FieldSpec:
    """A field an importer understands, with the column names it recognises."""

    name: str
    help_fr: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass
class MappingFile:
    """A saved mapping for a recurring export."""

    columns: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    crs: str | None = None
    source: str | None = None
    kind: str | None = None
    date_format: str | None = None


def load_mapping_file(path: str | Path) -> MappingFile:
    """Read a JSON or YAML mapping file (see the module docstring)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"fichier de correspondance illisible : {exc}", file=str(p)) from None
    try:
        if p.suffix.lower() in (".yaml", ".yml"):
            import yaml  # type: ignore[import-untyped]

            raw = yaml.safe_load(text)
        else:
            raw = json.loads(text)
    except Exception as exc:  # noqa: BLE001 - json or yaml syntax errors
        raise InputError(
            f"fichier de correspondance mal formé ({exc}) : attendu du JSON ou du YAML",
            file=p.name,
        ) from None
    if not isinstance(raw, Mapping):
        raise InputError(
            "fichier de correspondance : attendu un objet avec « columns » (ou « colonnes »)",
            file=p.name,
        )
    cols = raw.get("columns", raw.get("colonnes", {})) or {}
    cats = raw.get("categories", raw.get("catégories", {})) or {}
    if not isinstance(cols, Mapping) or not isinstance(cats, Mapping):
        raise InputError(
            "fichier de correspondance : « columns » et « categories » doivent être des "
            "tables nom → valeur",
            file=p.name,
        )
    crs = raw.get("crs", raw.get("systeme"))
    dfmt = raw.get("date_format", raw.get("format_date"))
    if dfmt:
        from gltd.ingest.dates import date_order

        try:
            date_order(str(dfmt), where="date_format")
        except InputError as exc:
            raise InputError(str(exc), file=p.name) from None
    return MappingFile(
        columns={str(k): str(v) for k, v in cols.items()},
        categories={str(k): str(v) for k, v in cats.items()},
        crs=str(crs) if crs else None,
        source=str(raw["source"]) if raw.get("source") else None,
        kind=str(raw["kind"]) if raw.get("kind") else None,
        date_format=str(dfmt) if dfmt else None,
    )


def parse_map_option(text: str | None) -> dict[str, str]:
    """Parse ``date=DATE_FAITS,category=NATURE`` into a dict."""
    out: dict[str, str] = {}
    if not text:
        return out
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError(
                f"--map : « {part.strip()} » n'a pas la forme champ=COLONNE "
                "(ex. --map date=DATE_FAITS,category=NATURE)"
            )
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def resolve_columns(
    columns: Sequence[str],
    specs: Sequence[FieldSpec],
    explicit: Mapping[str, str],
    *,
    file: str,
    kind: str,
) -> dict[str, str]:
    """Field → column of the file, checked; unknown fields or columns are errors."""
    names = {s.name for s in specs}
    present = {c: c for c in columns}
    by_norm = {normalise_label(c): c for c in columns}
    out: dict[str, str] = {}
    for fname, col in explicit.items():
        if fname not in names:
            raise InputError(
                f"champ inconnu « {fname} » pour un import {kind} (champs possibles : "
                f"{', '.join(sorted(names))})",
                file=file,
            )
        if col in present:
            out[fname] = col
        elif normalise_label(col) in by_norm:
            out[fname] = by_norm[normalise_label(col)]
        else:
            raise InputError(
                f"colonne inconnue « {col} » (demandée pour le champ {fname}) ; colonnes du "
                f"fichier : {', '.join(columns)}",
                file=file,
                field=col,
            )
    used = set(out.values())
    for spec in specs:
        if spec.name in out:
            continue
        for alias in (spec.name, *spec.aliases):
            found = by_norm.get(normalise_label(alias))
            if found is not None and found not in used:
                out[spec.name] = found
                used.add(found)
                break
    missing = [s for s in specs if s.required and s.name not in out]
    if missing:
        lines = "; ".join(
            f"{s.name} ({s.help_fr} ; noms reconnus : {', '.join((s.name, *s.aliases[:4]))})"
            for s in missing
        )
        raise InputError(
            f"colonne obligatoire absente : {lines}. Colonnes du fichier : "
            f"{', '.join(columns)}. Indiquez la correspondance avec --map champ=COLONNE",
            file=file,
        )
    return out


def map_categories(
    values: pd.Series,
    taxonomy: Taxonomy,
    extra: Mapping[str, str],
    log: ProblemLog,
    column: str,
) -> np.ndarray:
    """Category codes for the source labels; unknown labels are recorded in ``log``.

    ``extra`` (from the mapping file) maps source labels to codes of the taxonomy and is
    tried first; then the taxonomy's codes, labels and aliases.
    """
    extra_norm = {normalise_label(k): v for k, v in extra.items()}
    for label, code in extra.items():
        if code not in taxonomy.by_code:
            raise InputError(
                f"correspondance de catégories : « {label} » → « {code} », code absent de la "
                f"nomenclature (codes : {', '.join(taxonomy.by_code)})"
            )
    raw = values.astype("string").fillna("").str.strip()
    uniques = pd.unique(raw.to_numpy(dtype=object))
    table: dict[Any, Any] = {}
    for u in uniques:
        n = normalise_label(u)
        table[u] = extra_norm.get(n) or taxonomy.resolve(u)
    codes = raw.map(table).to_numpy(dtype=object)
    unknown = np.asarray(pd.isna(codes), dtype=bool)
    empty = np.asarray(raw == "", dtype=bool)
    if unknown.any():
        log.add_mask(unknown & empty, column, raw.to_numpy(dtype=object), "une catégorie", "vide")
        known = ", ".join(f"« {c.label_fr} »" for c in taxonomy.categories)
        log.add_mask(
            unknown & ~empty,
            column,
            raw.to_numpy(dtype=object),
            f"une catégorie de la nomenclature : {known} ; ou une ligne « categories » "
            "du fichier de correspondance",
            "catégorie inconnue",
        )
    return codes
