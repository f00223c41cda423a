"""Review of refused addresses: candidates for a person to choose, and the corrected file.

:func:`review_file` geocodes a file (as :func:`gltd.geocode.batch.geocode_file`) and, for
each refused row, proposes the best candidate streets of the commune given
(:meth:`gltd.geocode.match.Geocoder.suggest`). :func:`apply_choices` writes the geocoded
file with the choices made: a candidate (its point, label and BAN id, precision as
found, note « choisi à la main ») or a point placed by hand (precision ``manuel``).
The web review page calls both; the corrected file is then imported as any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from gltd.errors import InputError
from gltd.geocode.batch import BatchResult, geocode_file
from gltd.geocode.match import Geocoder

__all__ = [
    "Candidate",
    "ReviewRow",
    "review_file",
    "apply_choices",
    "rows_to_json",
    "rows_from_json",
    "MANUAL",
]

#: Precision of a point placed by hand during the review.
MANUAL = "manuel"


@dataclass(frozen=True)
class Candidate:
    """A proposed answer for a refused row."""

    label: str
    precision: str
    score: float
    lon: float
    lat: float
    ban_id: str


@dataclass(frozen=True)
class ReviewRow:
    """A refused row: its position in the file, what it said, why, and the candidates."""

    index: int
    line: int
    address: str
    note: str
    candidates: tuple[Candidate, ...]


def review_file(
    engine: Engine, path: Path, out: Path, *, columns: Mapping[str, str]
) -> tuple[BatchResult, list[ReviewRow]]:
    """Geocode ``path`` into ``out`` (CSV) and list the refused rows with candidates."""
    result = geocode_file(engine, path, columns=columns, out=out)
    frame = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    refused = frame.index[frame["geocode_precision"] == "refusé"].tolist()
    rows: list[ReviewRow] = []
    if not refused:
        return result, rows
    review = (
        pd.read_csv(
            result.review_path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
        if result.review_path
        else None
    )
    lines = review["ligne"].astype(int).tolist() if review is not None else [i + 2 for i in refused]
    cols = result.columns
    addr_col = cols["address"]

    def val(i: int, f: str) -> str:
        c = cols.get(f)
        return str(frame.at[i, c]) if c else ""

    with Geocoder(engine) as g:
        for i, line in zip(refused, lines, strict=True):
            text = str(frame.at[i, addr_col])
            cands = g.suggest(
                text, postcode=val(i, "postcode"), city=val(i, "city"),
                housenumber=val(i, "housenumber"),
            )  # fmt: skip
            shown = " ; ".join(v for v in (text, val(i, "postcode"), val(i, "city")) if v)
            rows.append(
                ReviewRow(
                    i, line, shown, str(frame.at[i, "geocode_note"]),
                    tuple(
                        Candidate(c.label or "", c.precision, c.score, float(c.lon or 0.0),
                                  float(c.lat or 0.0), c.ban_id or "")
                        for c in cands
                    ),
                )
            )  # fmt: skip
    return result, rows


def apply_choices(
    geocoded: Path,
    rows: list[ReviewRow],
    choices: Mapping[int, str],
    manual: Mapping[int, tuple[float, float]],
    out: Path,
    *,
    who: str,
) -> int:
    """Write ``out``: the geocoded file with the reviewed rows filled; return how many."""
    frame = pd.read_csv(geocoded, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    by_index = {r.index: r for r in rows}
    done = 0
    for i, (lon, lat) in manual.items():
        if not (-180 <= lon <= 180 and -90 <= lat <= 90) or i not in by_index:
            raise InputError(
                f"ligne {by_index[i].line if i in by_index else i} : point hors limites"
            )
        frame.loc[i, ["lon", "lat"]] = [f"{lon:.6f}", f"{lat:.6f}"]
        frame.loc[i, ["geocode_precision", "geocode_score", "geocode_label", "geocode_ban_id"]] = [
            MANUAL, "", "", ""
        ]  # fmt: skip
        frame.loc[i, "geocode_note"] = f"placé à la main par {who}"
        done += 1
    for i, k in choices.items():
        if i in manual or i not in by_index:
            continue
        cands = by_index[i].candidates
        try:
            c = cands[int(k)]
        except (ValueError, IndexError):
            continue
        frame.loc[i, ["lon", "lat"]] = [f"{c.lon:.6f}", f"{c.lat:.6f}"]
        frame.loc[i, ["geocode_precision", "geocode_score", "geocode_label", "geocode_ban_id"]] = [
            c.precision, f"{c.score:.3f}", c.label, c.ban_id
        ]  # fmt: skip
        frame.loc[i, "geocode_note"] = f"choisi à la main par {who}"
        done += 1
    from gltd.fileio import atomic_path

    with atomic_path(out) as tmp:
        frame.to_csv(tmp, sep=";", index=False, encoding="utf-8-sig")
    return done


def rows_to_json(rows: list[ReviewRow]) -> list[dict[str, Any]]:
    """The review rows as JSON-ready dicts (kept between the two web steps)."""
    return [asdict(r) for r in rows]


def rows_from_json(data: list[dict[str, Any]]) -> list[ReviewRow]:
    """Inverse of :func:`rows_to_json`."""
    return [
        ReviewRow(
            int(d["index"]),
            int(d["line"]),
            str(d["address"]),
            str(d["note"]),
            tuple(Candidate(**c) for c in d["candidates"]),
        )
        for d in data
    ]
