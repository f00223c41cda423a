"""Fast kernel of the Knox near-repeat test: close pairs once, then re-bin under permutations.

The Knox table counts unordered pairs of events by distance band × time band. Permuting
the event times across the locations leaves every pair's *distance* unchanged, so the
pairs that can ever land in a finite distance band are found once: all pairs closer than
the largest finite distance edge (a uniform grid of that size; checked against
``scipy.spatial.cKDTree.query_pairs``). Each
permutation then only needs ``|t[π(i)] − t[π(j)]|`` for those close pairs, binned into
the time bands — O(close pairs) time per permutation and O(close pairs) memory, instead
of the O(n²) distance matrices of R NearRepeat or the per-event neighbour sets of
pointpats.

Bands beyond the largest finite edge ("more than 500 m", "more than 35 days") are
obtained by subtraction from margins that do not change under permutation: the number
of pairs in each distance band (distances are fixed) and the number of pairs in each
time band over *all* pairs (the multiset of times is fixed, so the multiset of pairwise
time differences is fixed as well).

Layout: the close pairs are stored once as CSR segments keyed by (first event, distance
band), holding only the second event's index (``int32``), i.e. 4 bytes per pair; events
are first renumbered along a spatial grid so that a row's neighbours sit close together
in memory. Counting over a batch of permutations runs in parallel with Numba; each
permutation is a Fisher–Yates shuffle driven by its own xoshiro256** stream, seeded from
``numpy.random.SeedSequence(seed)``, so results do not depend on the number of threads.

References
----------
Knox, E. G. (1964). The detection of space-time interactions. *Journal of the Royal
Statistical Society C* 13(1), 25–30.
Johnson, S. D., Bernasco, W., Bowers, K. J., et al. (2007). Space–time patterns of risk:
a cross national assessment of residential burglary victimization. *Journal of
Quantitative Criminology* 23, 201–219.
Blackman, D. & Vigna, S. (2021). Scrambled linear pseudorandom number generators. *ACM
Transactions on Mathematical Software* 47(4), 36 (xoshiro256**).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

__all__ = [
    "ClosePairs",
    "build_close_pairs",
    "count_table",
    "count_batch",
    "count_permutations",
    "permutation_states",
    "shuffled",
    "time_band_totals",
    "pair_distances",
]


@dataclass(frozen=True, eq=False)
class ClosePairs:
    """Pairs closer than the largest finite distance edge, grouped for fast counting.

    Attributes
    ----------
    order : int64 array (n,)
        Spatial renumbering: internal event ``k`` is input event ``order[k]``.
    seg_ptr : int64 array (n * n_dist + 1,)
        Start of the segment of pairs ``(i, ·)`` in distance band ``d`` at
        ``seg_ptr[i * n_dist + d]`` (internal numbering).
    nbr : int32 array (n_pairs,)
        Second event of each pair (internal numbering), ``nbr > i``.
    n_dist : int
        Number of finite distance bands (edges ``dist_edges``).
    band_totals : int64 array (n_dist,)
        Number of pairs in each finite distance band (does not depend on the times).
    """

    order: np.ndarray
    seg_ptr: np.ndarray
    nbr: np.ndarray
    n_dist: int
    band_totals: np.ndarray

    @property
    def n_pairs(self) -> int:
        """Number of close pairs kept."""
        return int(self.nbr.shape[0])

    @property
    def max_segment(self) -> int:
        """Longest segment (pairs of one event in one distance band)."""
        return int(np.diff(self.seg_ptr).max()) if self.seg_ptr.shape[0] > 1 else 0

    @property
    def max_row(self) -> int:
        """Most pairs of one event (all distance bands)."""
        if self.n_dist == 0 or self.seg_ptr.shape[0] <= 1:
            return 0
        rows = self.seg_ptr[:: self.n_dist]
        return int(np.diff(rows).max()) if rows.shape[0] > 1 else 0

    @property
    def nbytes(self) -> int:
        """Memory held by the pair structure."""
        return int(self.order.nbytes + self.seg_ptr.nbytes + self.nbr.nbytes)


def pair_distances(dx: np.ndarray, dy: np.ndarray, metric: str) -> np.ndarray:
    """Distances from coordinate differences, computed as R's ``dist()`` does.

    Euclidean: ``sqrt(dx² + dy²)``; Manhattan: ``|dx| + |dy|``.
    """
    if metric == "manhattan":
        return np.abs(dx) + np.abs(dy)
    return np.sqrt(dx * dx + dy * dy)


def build_close_pairs(
    x: np.ndarray, y: np.ndarray, dist_edges: np.ndarray, metric: str
) -> ClosePairs:
    """Find every pair with distance in ``[dist_edges[0], dist_edges[-1])`` and bin it.

    A uniform grid of cell ``dist_edges[-1]``: each non-empty cell is compared with
    itself and its four "forward" neighbours (right, and the three cells of the next
    row), so each candidate pair is seen once. Two passes (count, then fill) write the
    CSR segments directly; the cells are processed in parallel. Checked against
    ``scipy.spatial.cKDTree.query_pairs`` in the tests (and several times faster than it,
    see ``benchmarks/bench_knox.py``).

    Parameters
    ----------
    x, y : float64 arrays (n,)
        Coordinates (metres).
    dist_edges : float64 array (m + 1,)
        Finite, strictly increasing edges starting at 0; band ``d`` is
        ``[dist_edges[d], dist_edges[d + 1])``.
    metric : {"euclidean", "manhattan"}

    Returns
    -------
    ClosePairs
    """
    n = len(x)
    n_dist = max(len(dist_edges) - 1, 0)
    dmax = float(dist_edges[-1]) if n_dist else 0.0
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    span = max(float(np.ptp(x)), float(np.ptp(y)), 1e-9) if n else 1.0
    # cells never smaller than the search radius, at most 2^20 per row
    cell = max(dmax if dmax > 0 else span, span / float(1 << 20))
    cx = np.floor((x - x.min()) / cell).astype(np.int64) if n else np.zeros(0, np.int64)
    cy = np.floor((y - y.min()) / cell).astype(np.int64) if n else np.zeros(0, np.int64)
    width = int(cx.max()) + 3 if n else 1
    keys = cy * width + cx
    order = np.argsort(keys, kind="stable").astype(np.int64)
    if n_dist == 0 or dmax <= 0 or n < 2:
        return ClosePairs(
            order=order,
            seg_ptr=np.zeros(n * n_dist + 1, dtype=np.int64),
            nbr=np.zeros(0, dtype=np.int32),
            n_dist=n_dist,
            band_totals=np.zeros(n_dist, dtype=np.int64),
        )
    xs = np.ascontiguousarray(x[order])
    ys = np.ascontiguousarray(y[order])
    ks = keys[order]
    change = np.flatnonzero(np.diff(ks)) + 1
    cell_start = np.concatenate([[0], change, [n]]).astype(np.int64)
    cell_keys = ks[cell_start[:-1]]
    edges = np.ascontiguousarray(dist_edges, dtype=np.float64)
    manhattan = metric == "manhattan"
    counts = np.zeros(n * n_dist, dtype=np.int64)
    dummy = np.zeros(1, dtype=np.int32)
    _grid_scan(xs, ys, cell_keys, cell_start, width, edges, manhattan, counts, dummy, False)
    seg_ptr = np.zeros(n * n_dist + 1, dtype=np.int64)
    np.cumsum(counts, out=seg_ptr[1:])
    nbr = np.empty(int(seg_ptr[-1]), dtype=np.int32)
    fill = seg_ptr[:-1].copy()
    _grid_scan(xs, ys, cell_keys, cell_start, width, edges, manhattan, fill, nbr, True)
    totals = counts.reshape(n, n_dist).sum(axis=0)
    return ClosePairs(order=order, seg_ptr=seg_ptr, nbr=nbr, n_dist=n_dist, band_totals=totals)


@njit(cache=True, parallel=True)
def _grid_scan(
    xs: np.ndarray,
    ys: np.ndarray,
    cell_keys: np.ndarray,
    cell_start: np.ndarray,
    width: int,
    edges: np.ndarray,
    manhattan: bool,
    slot: np.ndarray,
    nbr: np.ndarray,
    write: bool,
) -> None:  # pragma: no cover - compiled
    """Count (``write`` false: ``slot[i·D + d] += 1``) or store (``nbr[slot[…]++] = j``)."""
    n_cells = cell_keys.shape[0]
    n_dist = edges.shape[0] - 1
    dmax = edges[n_dist]
    for c in prange(n_cells):
        key = cell_keys[c]
        nb_start = np.empty(5, dtype=np.int64)
        nb_stop = np.empty(5, dtype=np.int64)
        nb_start[0] = cell_start[c]
        nb_stop[0] = cell_start[c + 1]
        offsets = (1, width - 1, width, width + 1)
        for q in range(4):
            target = key + offsets[q]
            pos = np.searchsorted(cell_keys, target)
            if pos < n_cells and cell_keys[pos] == target:
                nb_start[q + 1] = cell_start[pos]
                nb_stop[q + 1] = cell_start[pos + 1]
            else:
                nb_start[q + 1] = 0
                nb_stop[q + 1] = 0
        for i in range(cell_start[c], cell_start[c + 1]):
            xi = xs[i]
            yi = ys[i]
            for q in range(5):
                lo = i + 1 if q == 0 else nb_start[q]
                for j in range(lo, nb_stop[q]):
                    dx = xi - xs[j]
                    dy = yi - ys[j]
                    if manhattan:
                        d = abs(dx) + abs(dy)
                    else:
                        d = np.sqrt(dx * dx + dy * dy)
                    if d < dmax:
                        b = 0
                        while d >= edges[b + 1]:
                            b += 1
                        if write:
                            nbr[slot[i * n_dist + b]] = j
                            slot[i * n_dist + b] += 1
                        else:
                            slot[i * n_dist + b] += 1


#: Largest look-up table of time bands (entries, one per tick below the last edge).
_LUT_MAX = 1 << 18


@njit(cache=True, nogil=True)
def _count_into(
    tp: np.ndarray,
    seg_ptr: np.ndarray,
    nbr: np.ndarray,
    n_dist: int,
    t_edges: np.ndarray,
    lut: np.ndarray,
    use_lut: bool,
    buf_len: int,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Add the close pairs of one time assignment ``tp`` to ``out`` (n_dist × n_time).

    Two passes per segment: a branch-free pass computes every ``|Δt|`` and keeps those
    below the last edge (about 2·t_max/span of them), then only those are binned — by a
    look-up table for integer times, by a scan of the edges otherwise. Random branches
    on every pair (the costly part of a naive loop) are avoided.
    """
    n = tp.shape[0]
    n_time = t_edges.shape[0] - 1
    if n_time <= 0:
        return
    tmax = t_edges[n_time]
    if use_lut:
        keys = np.empty(max(buf_len, 1), dtype=np.int32)
        # one pass per event over all its bands: key = band offset + Δt, kept if Δt < t_max;
        # then ``lut[key]`` is the flat cell index
        stride = np.int64(tmax)
        acc = np.zeros(n_dist * n_time, dtype=np.int64)
        for i in range(n):
            ti = tp[i]
            base = i * n_dist
            m = 0
            for d in range(n_dist):
                off = d * stride
                for s in range(seg_ptr[base + d], seg_ptr[base + d + 1]):
                    dt = abs(ti - tp[nbr[s]])
                    keys[m] = dt + off
                    m += dt < tmax
            for q in range(m):
                acc[lut[keys[q]]] += 1
        for d in range(n_dist):
            for k in range(n_time):
                out[d, k] += acc[d * n_time + k]
        return
    buf = np.empty(max(buf_len, 1), dtype=tp.dtype)
    for i in range(n):
        ti = tp[i]
        base = i * n_dist
        for d in range(n_dist):
            m = 0
            for s in range(seg_ptr[base + d], seg_ptr[base + d + 1]):
                dt = abs(ti - tp[nbr[s]])
                buf[m] = dt
                m += dt < tmax
            for q in range(m):
                dt = buf[q]
                k = 0
                while dt >= t_edges[k + 1]:
                    k += 1
                out[d, k] += 1


@njit(cache=True, parallel=True)
def _count_many(
    tbatch: np.ndarray,
    seg_ptr: np.ndarray,
    nbr: np.ndarray,
    n_dist: int,
    t_edges: np.ndarray,
    lut: np.ndarray,
    use_lut: bool,
    buf_len: int,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    for b in prange(tbatch.shape[0]):
        _count_into(tbatch[b], seg_ptr, nbr, n_dist, t_edges, lut, use_lut, buf_len, out[b])


@njit(cache=True, inline="always")
def _rotl(x: np.uint64, k: int) -> np.uint64:  # pragma: no cover - compiled
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True)
def _shuffle(values: np.ndarray, state: np.ndarray) -> None:  # pragma: no cover - compiled
    """In-place Fisher–Yates shuffle with xoshiro256** (``state``: 4 × uint64, updated)."""
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    scale = 1.0 / 9007199254740992.0  # 2**-53
    for i in range(values.shape[0] - 1, 0, -1):
        r = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
        t = s1 << np.uint64(17)
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        j = int(float(r >> np.uint64(11)) * scale * (i + 1))
        tmp = values[i]
        values[i] = values[j]
        values[j] = tmp
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3


@njit(cache=True, parallel=True)
def _count_permuted(
    tp: np.ndarray,
    states: np.ndarray,
    seg_ptr: np.ndarray,
    nbr: np.ndarray,
    n_dist: int,
    t_edges: np.ndarray,
    lut: np.ndarray,
    use_lut: bool,
    buf_len: int,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    for b in prange(states.shape[0]):
        perm = tp.copy()
        _shuffle(perm, states[b].copy())
        _count_into(perm, seg_ptr, nbr, n_dist, t_edges, lut, use_lut, buf_len, out[b])


@njit(cache=True)
def _shuffled_rows(tp: np.ndarray, states: np.ndarray) -> np.ndarray:  # pragma: no cover
    out = np.empty((states.shape[0], tp.shape[0]), dtype=tp.dtype)
    for b in range(states.shape[0]):
        out[b] = tp
        _shuffle(out[b], states[b].copy())
    return out


def permutation_states(seed: int, first: int, count: int) -> np.ndarray:
    """xoshiro256** states of permutations ``first … first + count − 1`` for ``seed``.

    Permutation ``r`` always gets the same stream (``SeedSequence(seed).spawn``), whatever
    the batch size or the number of threads.
    """
    rows = [
        np.random.SeedSequence(seed, spawn_key=(r,)).generate_state(4, dtype=np.uint64)
        for r in range(first, first + count)
    ]
    return np.stack(rows) if rows else np.zeros((0, 4), dtype=np.uint64)


def shuffled(tp: np.ndarray, states: np.ndarray) -> np.ndarray:
    """The permuted copies of ``tp`` that :func:`count_permutations` counts (for tests)."""
    return np.asarray(_shuffled_rows(tp, states))


def _lut_for(
    t_edges: np.ndarray, integer: bool, n_dist: int
) -> tuple[np.ndarray, bool, np.ndarray]:
    """Flat cell index of ``d · t_max + Δt`` (integer times), or an empty table."""
    tmax = t_edges[-1]
    n_time = len(t_edges) - 1
    use_lut = bool(integer and 0 < tmax and n_dist * tmax <= _LUT_MAX)
    if use_lut:
        lut1 = np.searchsorted(t_edges, np.arange(int(tmax)), side="right") - 1
        lut = np.concatenate([lut1 + d * n_time for d in range(n_dist)]).astype(np.int32)
    else:
        lut = np.zeros(1, dtype=np.int32)
    edges = t_edges.astype(np.int64) if integer else t_edges.astype(np.float64)
    return lut, use_lut, edges


def _zero_tables(rows: int, pairs: ClosePairs, t_edges: np.ndarray) -> np.ndarray:
    """``rows`` empty tables (distance band × finite time band) to count into."""
    return np.zeros((rows, pairs.n_dist, max(len(t_edges) - 1, 0)), dtype=np.int64)


def count_permutations(
    tp: np.ndarray, pairs: ClosePairs, t_edges: np.ndarray, states: np.ndarray
) -> np.ndarray:
    """Tables of the permutations given by ``states`` (B × 4), counted in parallel."""
    out = _zero_tables(states.shape[0], pairs, t_edges)
    if out.shape[2] == 0 or pairs.n_dist == 0 or pairs.n_pairs == 0:
        return out
    lut, use_lut, edges = _lut_for(t_edges, tp.dtype.kind in "iu", pairs.n_dist)
    _count_permuted(
        tp,
        states,
        pairs.seg_ptr,
        pairs.nbr,
        pairs.n_dist,
        edges,
        lut,
        use_lut,
        pairs.max_row,
        out,
    )
    return out


def count_table(tp: np.ndarray, pairs: ClosePairs, t_edges: np.ndarray) -> np.ndarray:
    """Close pairs by (finite distance band, finite time band) for times ``tp``.

    ``tp`` is in the internal (spatial) numbering; band ``k`` is
    ``[t_edges[k], t_edges[k + 1])`` on ``|tp[i] − tp[j]|``; ``t_edges[0]`` is 0.
    """
    return count_batch(tp[None, :], pairs, t_edges)[0]


def count_batch(tbatch: np.ndarray, pairs: ClosePairs, t_edges: np.ndarray) -> np.ndarray:
    """:func:`count_table` for each row of ``tbatch`` (B × n), in parallel over rows."""
    out = _zero_tables(tbatch.shape[0], pairs, t_edges)
    if out.shape[2] == 0 or pairs.n_dist == 0 or pairs.n_pairs == 0:
        return out
    lut, use_lut, edges = _lut_for(t_edges, tbatch.dtype.kind in "iu", pairs.n_dist)
    _count_many(
        tbatch, pairs.seg_ptr, pairs.nbr, pairs.n_dist, edges, lut, use_lut, pairs.max_row, out
    )
    return out


@njit(cache=True)
def _time_totals(ts: np.ndarray, t_edges: np.ndarray) -> np.ndarray:  # pragma: no cover
    n = ts.shape[0]
    m = t_edges.shape[0]
    below = np.zeros(m, dtype=np.int64)  # pairs with dt < t_edges[e]
    for e in range(m):
        edge = t_edges[e]
        if edge <= 0:
            continue
        j = 0
        total = 0
        for i in range(n):
            if j < i + 1:
                j = i + 1
            while j < n and ts[j] - ts[i] < edge:
                j += 1
            total += j - i - 1
        below[e] = total
    out = np.zeros(max(m - 1, 0), dtype=np.int64)
    for k in range(m - 1):
        out[k] = below[k + 1] - below[k]
    return out


def time_band_totals(t: np.ndarray, t_edges: np.ndarray) -> np.ndarray:
    """Number of pairs, over *all* pairs, in each time band (exact, O(n log n + n·bands)).

    Uses the same comparison as the counting kernel (``|tᵢ − tⱼ| < edge``), so the
    subtractions for the open bands are exact.
    """
    ts = np.sort(np.asarray(t))
    return np.asarray(_time_totals(ts, np.asarray(t_edges)))
