"""Weighted displacement difference test (Wheeler & Ratcliffe 2018).

A difference-in-differences on counts, with a Poisson standard error, that gives the
weighted displacement quotient the significance test it lacks:

``WDD = (T1 − T0) − (Ct1 − Ct0) + (D1 − D0) − (Cd1 − Cd0)``

for the treated area T with its control Ct and the displacement (buffer) area D with its
control Cd. Counts are treated as independent Poisson variables, so
``Var(WDD) = T0 + T1 + Ct0 + Ct1 + D0 + D1 + Cd0 + Cd1`` and ``z = WDD / √Var``.

Published example (Wheeler & Ratcliffe 2018, worked example without a displacement
area): treated 100 → 80, control 100 → 90: ``WDD = −20 − (−10) = −10`` and
``SE = √(100 + 80 + 100 + 90) = √370 = 19.235``: only the four counts of the areas that
enter the estimate enter the standard error (no displacement area, so none of its
counts). With displacement areas (their main example, also the test case of the R
package ptools): treated 207 → 110, control 308 → 318, displacement 178 → 157,
displacement control 150 → 140 give ``WDD = −118``, ``SE = √1568``, ``z = −2.98``.

Weights (Wheeler's amendments, as in ptools::wdd): each count is divided by its
``time_weight × area_weight`` and its variance by the square of it, so that unequal
periods (counts per unit of time) or a control much larger than the target (counts per
unit of "size") can be compared.

When the buffer has no control of its own (``disp_control=None``), the treated area's
control is used for both terms. The two control terms are then the same random counts:
their variance is added *before* squaring (``(1/w_t + 1/w_d)² (Ct0 + Ct1)``), not as two
independent terms as ptools does when the same counts are passed twice.

References
----------
Wheeler, A. P. & Ratcliffe, J. H. (2018). A simple weighted displacement difference test
to evaluate place based crime interventions. *Crime Science* 7, 11.
Wheeler, A. P. (2021). The WDD test with different pre/post time periods; with different
area sizes (blog posts, andrewpwheeler.com), implemented in the R package ptools.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scipy import stats

__all__ = ["WddResult", "wdd_test"]


@dataclass(frozen=True)
class WddResult:
    """Result of the weighted displacement difference test.

    Attributes
    ----------
    estimate : float
        Total WDD (local + displacement); negative: fewer facts than the controls'
        trends predicted (a crime reduction).
    se : float
        Standard error of the total.
    z, p_value : float
        Normal z-score and two-sided p-value (``nan`` when every count is 0).
    ci_low, ci_high : float
        Interval at ``confidence``.
    est_local, se_local : float
        Treated area minus its control.
    est_displace, se_displace : float
        Displacement area minus its control (0 and 0 without a displacement area).
    confidence : float
    params : dict
        Counts and weights used.
    """

    estimate: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    est_local: float
    se_local: float
    est_displace: float
    se_displace: float
    confidence: float = 0.95
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def significant(self) -> bool:
        """True when the p-value is below ``1 − confidence``."""
        return bool(self.p_value < 1 - self.confidence)

    @property
    def label_fr(self) -> str:
        """A plain French verdict."""
        if math.isnan(self.p_value):
            return "aucun fait : test impossible"
        if not self.significant:
            return "différence non significative"
        if self.estimate < 0:
            return "baisse significative par rapport aux zones témoins"
        return "hausse significative par rapport aux zones témoins"

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "test": "WDD (Wheeler & Ratcliffe 2018)",
            "estimate": _finite(self.estimate),
            "se": _finite(self.se),
            "z": _finite(self.z),
            "p_value": _finite(self.p_value),
            "ci_low": _finite(self.ci_low),
            "ci_high": _finite(self.ci_high),
            "est_local": _finite(self.est_local),
            "se_local": _finite(self.se_local),
            "est_displace": _finite(self.est_displace),
            "se_displace": _finite(self.se_displace),
            "confidence": self.confidence,
            "significant": self.significant,
            "label_fr": self.label_fr,
            "params": dict(self.params),
        }


def wdd_test(
    treated: Sequence[float],
    control: Sequence[float],
    disp_treated: Sequence[float] | None = None,
    disp_control: Sequence[float] | None = None,
    *,
    time_weights: Sequence[float] = (1.0, 1.0),
    area_weights: Sequence[float] = (1.0, 1.0, 1.0, 1.0),
    confidence: float = 0.95,
) -> WddResult:
    """Weighted displacement difference test.

    Parameters
    ----------
    treated, control : (pre, post) counts
        Treated (target) area and its control.
    disp_treated : (pre, post) counts, optional
        Displacement (buffer) area. Without it the test is the local one only.
    disp_control : (pre, post) counts, optional
        Control of the displacement area; ``None`` reuses ``control`` (see the module
        notes on the variance).
    time_weights : (pre, post)
        Length of each period in any unit (e.g. ``(2, 1)`` for 2 years before, 1 after):
        estimates are then per unit of time.
    area_weights : (control, treated, disp_control, disp_treated)
        Divisors of each area's counts (e.g. relative sizes), as in ptools::wdd.
    confidence : float
        Level of the interval (0.95).

    Returns
    -------
    WddResult

    Examples
    --------
    Wheeler & Ratcliffe (2018): treated 100 → 80, control 100 → 90.

    >>> r = wdd_test((100, 80), (100, 90))
    >>> r.estimate, round(r.se, 3)
    (-10.0, 19.235)
    """
    t0, t1 = _pair(treated, "treated")
    c0, c1 = _pair(control, "control")
    tw0, tw1 = _positive_pair(time_weights, "time_weights")
    aw = [float(w) for w in area_weights]
    if len(aw) != 4 or min(aw) <= 0:
        raise ValueError("area_weights : quatre poids strictement positifs attendus")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence doit être dans ]0, 1[ (reçu {confidence})")
    awc, awt, awdc, awdt = aw
    est_local = (t1 / (tw1 * awt) - t0 / (tw0 * awt)) - (c1 / (tw1 * awc) - c0 / (tw0 * awc))
    var_t = t1 / (tw1 * awt) ** 2 + t0 / (tw0 * awt) ** 2
    var_c_local = c1 / (tw1 * awc) ** 2 + c0 / (tw0 * awc) ** 2
    var_local = var_t + var_c_local
    shared = disp_treated is not None and disp_control is None
    if disp_treated is None:
        d0 = d1 = dc0 = dc1 = 0.0
        est_disp = var_disp = 0.0
        var_total = var_local
    else:
        d0, d1 = _pair(disp_treated, "disp_treated")
        dc0, dc1 = (c0, c1) if disp_control is None else _pair(disp_control, "disp_control")
        est_disp = (d1 / (tw1 * awdt) - d0 / (tw0 * awdt)) - (
            dc1 / (tw1 * awdc) - dc0 / (tw0 * awdc)
        )
        var_d = d1 / (tw1 * awdt) ** 2 + d0 / (tw0 * awdt) ** 2
        var_disp = var_d + dc1 / (tw1 * awdc) ** 2 + dc0 / (tw0 * awdc) ** 2
        if shared:
            # the same control counts enter both terms: coefficients add up first
            k1 = 1 / (tw1 * awc) + 1 / (tw1 * awdc)
            k0 = 1 / (tw0 * awc) + 1 / (tw0 * awdc)
            var_total = var_t + var_d + c1 * k1**2 + c0 * k0**2
        else:
            var_total = var_local + var_disp
    estimate = est_local + est_disp
    se = math.sqrt(var_total)
    level = float(stats.norm.ppf(1 - (1 - confidence) / 2))
    if se > 0:
        z = estimate / se
        p = float(2 * stats.norm.sf(abs(z)))
    else:
        z = p = float("nan")
    params: dict[str, Any] = {
        "treated": [t0, t1],
        "control": [c0, c1],
        "disp_treated": None if disp_treated is None else [d0, d1],
        "disp_control": None if disp_treated is None else [dc0, dc1],
        "shared_control": shared,
        "time_weights": [tw0, tw1],
        "area_weights": aw,
    }
    return WddResult(
        estimate=float(estimate),
        se=se,
        z=float(z),
        p_value=p,
        ci_low=float(estimate - level * se),
        ci_high=float(estimate + level * se),
        est_local=float(est_local),
        se_local=math.sqrt(var_local),
        est_displace=float(est_disp),
        se_displace=math.sqrt(var_disp),
        confidence=confidence,
        params=params,
    )


def _pair(values: Sequence[float], name: str) -> tuple[float, float]:
    v = [float(x) for x in values]
    if len(v) != 2:
        raise ValueError(f"{name} : deux effectifs (avant, après) attendus")
    if min(v) < 0 or not all(math.isfinite(x) for x in v):
        raise ValueError(f"{name} : effectifs positifs ou nuls attendus (reçu {v})")
    return v[0], v[1]


def _positive_pair(values: Sequence[float], name: str) -> tuple[float, float]:
    v = [float(x) for x in values]
    if len(v) != 2 or min(v) <= 0:
        raise ValueError(f"{name} : deux poids strictement positifs (avant, après) attendus")
    return v[0], v[1]


def _finite(v: float) -> float | None:
    return None if not math.isfinite(v) else float(v)
