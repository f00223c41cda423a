"""Inputs of the Knox near-repeat test: band edges, NRC bands and labels, coordinates, times.

Split from :mod:`gltd.analysis.knox`, which uses all of it (and re-exports :func:`nrc_coordinates`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from gltd.analysis.events import EventSet
from gltd.errors import InputError

__all__ = [
    "SECONDS",
    "UNIT_FR",
    "SAME",
    "band_edges",
    "band_labels",
    "check_span",
    "coords",
    "nrc_coordinates",
    "nrc_edges",
    "ticks",
    "ticks_from_events",
]

SECONDS = {"days": 86400, "hours": 3600}
UNIT_FR = {"days": "j", "hours": "h"}


def band_edges(values: Sequence[float], what: str) -> np.ndarray:
    try:
        e = np.asarray([float(v) for v in values], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"bornes de {what} illisibles : {list(values)!r}") from exc
    if len(e) < 2:
        raise InputError(f"bandes de {what} : il faut au moins deux bornes (ex. 0,7,14)")
    if np.isnan(e).any() or e[0] < 0 or not np.isfinite(e[:-1]).all():
        raise InputError(
            f"bandes de {what} : bornes positives ou nulles attendues, l'infini seulement en dernier"
        )
    if not (np.diff(e) > 0).all():
        bad = int(np.argmax(np.diff(e) <= 0))
        raise InputError(
            f"bandes de {what} non croissantes : {e[bad]:g} puis {e[bad + 1]:g} "
            "(bornes strictement croissantes attendues, ex. 0,100,200)"
        )
    return e


#: Internal upper edge of the NRC « same location » band: ``d < SAME`` ⇔ ``d == 0``.
SAME = float(np.nextafter(0.0, 1.0))


def nrc_coordinates(values: np.ndarray) -> np.ndarray:
    """Coordinates as the Near Repeat Calculator holds them: single precision (float32).

    Its two runs published with R NearRepeat are reproduced only so: a pair 399.96 m
    apart (Manhattan) in double precision is exactly 400 m in single precision and the
    NRC counts it beyond 400 m. In Lambert-93 (y ≈ 6.8 million) the step is 0.5 m in y.
    """
    return np.asarray(values, dtype=np.float64).astype(np.float32).astype(np.float64)


def nrc_edges(d: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NRC bands: « same location » (d = 0), then ]0, b₁), [b₁, b₂)… and « more than »."""
    if d[0] != 0 or t[0] != 0:
        raise InputError("mode NRC : les bandes commencent à 0 (ex. 0,100,200,300 et 0,7,14,21)")
    if not np.isfinite(d[-1]) or not np.isfinite(t[-1]):
        raise InputError("mode NRC : donnez des bornes finies (la bande « plus de » est ajoutée)")
    return (
        np.concatenate([[0.0, SAME], d[1:], [np.inf]]),
        np.concatenate([t, [np.inf]]),
    )


def band_labels(edges: np.ndarray, unit: str, nrc: bool, *, same_location: bool) -> tuple[str, ...]:
    out = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if nrc:
            if same_location and a == 0:
                out.append("Même lieu")
            elif not np.isfinite(b):
                out.append(f"Plus de {_fmt(a)} {unit}")
            elif a == 0:
                out.append(f"0 à {_fmt(b)} {unit}")
            elif same_location and a == SAME:
                out.append(f"1 à {_fmt(b)} {unit}")
            else:
                out.append(f"{_fmt(a + 1)} à {_fmt(b)} {unit}")
        else:
            out.append(f"[{_fmt(a)}, {_fmt(b) if np.isfinite(b) else '∞'}) {unit}")
    return tuple(out)


def _fmt(v: float) -> str:
    return f"{v:g}"


def coords(values: Any, what: str) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64)
    if a.ndim != 1:
        raise InputError(f"{what} : tableau à une dimension attendu")
    if not np.isfinite(a).all():
        i = int(np.argmax(~np.isfinite(a)))
        raise InputError(f"{what} manquant ou infini pour l'événement n° {i + 1}")
    return a


def ticks(t: Any, unit: str, date_only: bool | None) -> tuple[np.ndarray, int, bool, bool]:
    """Times as integer-valued ticks (days or seconds) or raw numbers in ``unit``."""
    if unit not in SECONDS:
        raise InputError(f"unité de temps « {unit} » inconnue (attendu days ou hours)")
    arr = np.asarray(t)
    if arr.dtype.kind in "iuf":
        f = arr.astype(np.float64)
        if not np.isfinite(f).all():
            i = int(np.argmax(~np.isfinite(f)))
            raise InputError(f"date manquante pour l'événement n° {i + 1}")
        return f, 1, bool((f == np.round(f)).all()), False
    try:
        s = pd.to_datetime(pd.Series(arr, dtype=object if arr.dtype.kind == "O" else None))
    except (ValueError, TypeError) as exc:
        raise InputError(f"dates illisibles : {exc}") from exc
    if s.isna().any():
        i = int(np.argmax(s.isna().to_numpy()))
        raise InputError(f"date manquante ou illisible pour l'événement n° {i + 1}")
    if s.dt.tz is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    ns = s.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    if date_only is None:
        date_only = bool((ns % (86400 * 10**9) == 0).all())
    return _from_ns(ns, unit, date_only)


def ticks_from_events(ev: EventSet, unit: str) -> tuple[np.ndarray, int, bool, bool]:
    if unit not in SECONDS:
        raise InputError(f"unité de temps « {unit} » inconnue (attendu days ou hours)")
    if np.isnat(ev.t).any():
        i = int(np.argmax(np.isnat(ev.t)))
        raise InputError(f"date manquante pour l'événement n° {i + 1}")
    if ev.date_only:  # local (Europe/Paris) days, whatever the DST offset
        local = pd.Series(ev.t).dt.tz_localize("UTC").dt.tz_convert("Europe/Paris")
        days = local.dt.tz_localize(None).dt.normalize().to_numpy(dtype="datetime64[D]")
        return _from_ns(days.astype("datetime64[ns]").astype(np.int64), unit, True)
    return _from_ns(ev.t.astype("datetime64[ns]").astype(np.int64), unit, False)


def _from_ns(ns: np.ndarray, unit: str, date_only: bool) -> tuple[np.ndarray, int, bool, bool]:
    if date_only:
        if unit != "days":
            raise InputError(
                "données à la date seulement (sans heure) : l'unité doit être days, pas hours"
            )
        return (ns // (86400 * 10**9)).astype(np.float64), 1, True, True
    sec = (ns - ns.min()) // 10**9
    return sec.astype(np.float64), SECONDS[unit], True, False


def check_span(
    ticks: np.ndarray, t_edges: np.ndarray, per_unit: int, integer: bool, unit: str
) -> None:
    finite = t_edges[np.isfinite(t_edges)]
    span = float(ticks.max() - ticks.min())
    reach = span + (1 if integer else 0)
    if finite[-1] * per_unit > reach + 1e-9:
        span_u = span / per_unit
        raise InputError(
            f"bande de temps trop longue : la borne {finite[-1]:g} {UNIT_FR[unit]} dépasse "
            f"l'étendue des données ({span_u:g} {UNIT_FR[unit]} entre le premier et le "
            "dernier événement) ; raccourcissez les bandes ou prenez une période plus longue"
        )
