"""Batch geocoding of a table: the ``gltd geocode run`` service and the importers' hook.

A file is read as the importers read it (:func:`gltd.ingest.readers.read_table`, columns
mapped with ``--map`` as for ``gltd import``); every row gets ``lat``, ``lon``,
``geocode_score`` (0–1), ``geocode_precision`` (numéro / voie / commune / refusé),
``geocode_label`` (the BAN label matched), ``geocode_ban_id`` and ``geocode_note``; the
refused rows are also written, as they were, with their reason, to a CSV to review.
Nothing is written when the input is wrong (missing column, empty addresses, no index).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from gltd.errors import InputError
from gltd.fileio import atomic_path, require_folder
from gltd.geocode.index import require_index
from gltd.geocode.match import Geocoder, GeocodeResult
from gltd.ingest.mapping import FieldSpec, resolve_columns
from gltd.ingest.places import ADDRESS_FIELDS
from gltd.ingest.readers import read_table
from gltd.model import GEOCODE_PRECISIONS

__all__ = [
    "ENGINES",
    "OUTPUT_COLUMNS",
    "BatchResult",
    "geocode_rows",
    "geocode_file",
    "has_address",
]

#: Columns added by ``gltd geocode run``.
OUTPUT_COLUMNS = (
    "lat",
    "lon",
    "geocode_score",
    "geocode_precision",
    "geocode_label",
    "geocode_ban_id",
    "geocode_note",
)
OUT_SUFFIXES = (".csv", ".xlsx", ".gpkg")
#: Geocoding engines: the built-in index (default) or addok (optional extra).
ENGINES = ("gltd", "addok")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BatchResult:
    """What a batch run did."""

    rows: int
    by_precision: dict[str, int]
    out_path: Path | None
    review_path: Path | None
    seconds: float
    attributions: tuple[str, ...] = field(default_factory=tuple)
    #: Field → column of the file, as resolved (``--map`` and recognised names).
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def refused(self) -> int:
        """Rows without a point."""
        return self.by_precision.get("refusé", 0)


def has_address(columns: Mapping[str, str]) -> bool:
    """The mapped fields include an address."""
    return "address" in columns


class AddressGeocoder(Protocol):
    """What :func:`geocode_rows` needs: the built-in matcher or addok's."""

    def geocode(  # noqa: D102
        self, address: object, *, postcode: object = ..., city: object = ...,
        housenumber: object = ...,
    ) -> GeocodeResult: ...  # fmt: skip


def geocode_rows(
    geocoder: AddressGeocoder,
    address: Sequence[object],
    *,
    postcode: Sequence[object] | None = None,
    city: Sequence[object] | None = None,
    housenumber: Sequence[object] | None = None,
    progress: Progress | None = None,
) -> list[GeocodeResult]:
    """Geocode row by row (identical rows are matched once)."""
    n = len(address)
    empty = [""] * n
    pcs, cts, hns = postcode or empty, city or empty, housenumber or empty
    memo: dict[tuple[str, str, str, str], GeocodeResult] = {}
    out: list[GeocodeResult] = []
    for i in range(n):
        key = (str(address[i] or ""), str(pcs[i] or ""), str(cts[i] or ""), str(hns[i] or ""))
        hit = memo.get(key)
        if hit is None:
            hit = geocoder.geocode(key[0], postcode=key[1], city=key[2], housenumber=key[3])
            memo[key] = hit
        out.append(hit)
        if progress and (i + 1) % 500 == 0:
            progress(i + 1, n)
    if progress:
        progress(n, n)
    return out


def _column(frame: pd.DataFrame, columns: Mapping[str, str], fname: str) -> list[str] | None:
    col = columns.get(fname)
    if col is None:
        return None
    return frame[col].astype("string").fillna("").str.strip().tolist()


def _write(frame: pd.DataFrame, out: Path) -> None:
    with atomic_path(out) as tmp:
        suffix = out.suffix.lower()
        if suffix == ".csv":
            frame.to_csv(tmp, sep=";", index=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            frame.to_excel(tmp, index=False, engine="openpyxl")
        else:
            import geopandas as gpd
            import shapely

            lon = frame["lon"].to_numpy(dtype="float64")
            lat = frame["lat"].to_numpy(dtype="float64")
            geom = shapely.points(lon, lat)
            geom = np.where(np.isnan(lon), None, geom)
            gdf = gpd.GeoDataFrame(frame, geometry=list(geom), crs="EPSG:4326")
            gdf.to_file(tmp, driver="GPKG", layer=out.stem)


def geocode_file(
    engine: Engine,
    path: str | Path,
    *,
    columns: Mapping[str, str],
    out: str | Path,
    housenumber_column: str | None = None,
    review: str | Path | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
    engine_name: str = "gltd",
) -> BatchResult:
    """Geocode every row of a CSV/XLSX/… file into ``out`` (see the module docstring)."""
    t0 = time.perf_counter()
    out_p = Path(out)
    if out_p.suffix.lower() not in OUT_SUFFIXES:
        raise InputError(
            f"format de sortie inconnu « {out_p.suffix or out_p.name} » : attendu "
            f"{', '.join(OUT_SUFFIXES)}",
            file=out_p.name,
        )
    require_folder(out_p)
    if engine_name not in ENGINES:
        raise InputError(
            f"moteur de géocodage inconnu « {engine_name} » (attendu : {', '.join(ENGINES)})"
        )
    attributions: tuple[str, ...] = ("Base Adresse Nationale, index addok",)
    if engine_name == "gltd":
        attributions = tuple(sorted({s.attribution for s in require_index(engine)}))
    table = read_table(Path(path), sheet=sheet)
    explicit = dict(columns)
    if housenumber_column:
        explicit["housenumber"] = housenumber_column
    # A file of addresses only: the address is required, a bare ``numero`` is the number.
    specs: tuple[FieldSpec, ...] = (
        FieldSpec("id", "identifiant de la ligne", ("identifiant", "ref")),
        *(
            replace(s, required=True)
            if s.name == "address"
            else replace(s, aliases=(*s.aliases, "numero", "num"))
            if s.name == "housenumber"
            else s
            for s in ADDRESS_FIELDS
        ),
    )
    mapped = resolve_columns(
        list(table.frame.columns), specs, explicit, file=table.name, kind="géocodage"
    )
    frame = table.frame
    address = _column(frame, mapped, "address")
    assert address is not None
    if not any(address):
        raise InputError(
            "aucune adresse : la colonne est vide sur toutes les lignes",
            file=table.name,
            field=mapped["address"],
        )
    geocoder: Any
    if engine_name == "addok":
        from gltd.geocode.addok_engine import AddokGeocoder

        geocoder = AddokGeocoder()
    else:
        geocoder = Geocoder(engine)
    with geocoder as g:
        results = geocode_rows(
            g,
            address,
            postcode=_column(frame, mapped, "postcode"),
            city=_column(frame, mapped, "city"),
            housenumber=_column(frame, mapped, "housenumber"),
            progress=progress,
        )
    added = pd.DataFrame(
        {
            "lat": [r.lat for r in results],
            "lon": [r.lon for r in results],
            "geocode_score": [r.score for r in results],
            "geocode_precision": [r.precision for r in results],
            "geocode_label": [r.label or "" for r in results],
            "geocode_ban_id": [r.ban_id or "" for r in results],
            "geocode_note": [r.note for r in results],
        }
    )
    base = frame.drop(columns=[c for c in OUTPUT_COLUMNS if c in frame.columns])
    full = pd.concat([base.reset_index(drop=True), added], axis=1)
    _write(full, out_p)
    refused = added["geocode_precision"].to_numpy() == "refusé"
    review_p: Path | None = None
    if refused.any():
        review_p = Path(review) if review else out_p.with_name(out_p.stem + ".a_revoir.csv")
        rev = frame.loc[refused].copy()
        rev.insert(0, "ligne", table.row_numbers[refused])
        rev["motif"] = added.loc[refused, "geocode_note"].to_numpy()
        rev.to_csv(review_p, sep=";", index=False, encoding="utf-8-sig")
    counts = {p: int((added["geocode_precision"] == p).sum()) for p in GEOCODE_PRECISIONS}
    return BatchResult(
        rows=len(frame),
        by_precision=counts,
        out_path=out_p,
        review_path=review_p,
        seconds=time.perf_counter() - t0,
        attributions=attributions,
        columns=dict(mapped),
    )
