"""Benjamini–Hochberg false discovery rate (FDR) adjustment of p-values.

With ``m`` p-values sorted ``p_(1) <= … <= p_(m)``, the adjusted value of rank ``i`` is
``min_{j >= i} min(1, m · p_(j) / j)``; a test is significant at FDR level ``q`` when its
adjusted p-value is ``<= q``. This equals ``scipy.stats.false_discovery_control(p,
method="bh")`` and R's ``p.adjust(p, "BH")``.

Reference
---------
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
powerful approach to multiple testing. *JRSS B* 57(1), 289–300.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["bh_adjust"]


def bh_adjust(p: Any) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (any shape; NaN stays NaN, not counted).

    Examples
    --------
    >>> bh_adjust([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    arr = np.asarray(p, dtype="float64")
    flat = arr.ravel()
    out = np.full(flat.shape, np.nan)
    ok = ~np.isnan(flat)
    q = flat[ok]
    m = q.size
    if m == 0:
        return out.reshape(arr.shape)
    order = np.argsort(q, kind="stable")
    ranked = q[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    adj = np.empty(m)
    adj[order] = np.minimum(ranked, 1.0)
    out[ok] = adj
    return out.reshape(arr.shape)
