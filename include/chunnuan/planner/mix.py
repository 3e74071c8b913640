"""Vehicle-mix cost tables: what it costs to carry exactly n riders on one day of one route.

A day's riders go in a mix of coaches; coach type k has `seats[k]`, a minimum load `min_load[k]`
(the campaign's minimum fill) and a route cost `cost[k]`. The cheapest mix for n riders is

    g(n) = min Σ cost[k]·x[k]  subject to  Σ min_load[k]·x[k] ≤ n ≤ Σ seats[k]·x[k]

(∞ when no mix can carry exactly n, e.g. 5 riders when the smallest coach needs 15). The bound uses
the relaxation without a minimum load, the covering table G(n) = min Σ cost·x with Σ seats·x ≥ n.

Tables are built for many routes at once (one row per distinct cost vector), stepping n and taking
window minima across all rows with numpy. Beyond the table, both are extended with the type of lowest
cost per seat: for G this is exact past (Q_b − 1)·Q_max (a Gilmore–Gomory style exchange: any Q_b
other coaches contain a subset whose seats are a multiple of Q_b, replaceable by b-coaches at no more
cost); for g it is a feasible mix, so the planner never prices a load below what it can run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INF = np.inf


@dataclass(frozen=True)
class MixTable:
    """g(n) for one cost vector: values, the mix achieving each, and the periodic extension."""

    values: np.ndarray  # (n_tab + 1,) float, ∞ where no mix carries exactly n
    mixes: np.ndarray  # (n_tab + 1, K) int, vehicles per type
    best_type: int  # type with the lowest cost per seat (-1 when no type is usable)
    seats: np.ndarray  # (K,) int
    costs: np.ndarray  # (K,) float, ∞ for a type not usable
    extendable: bool = True  # False for tables built under hard vehicle caps
    _prefix: tuple | None = None  # cache for drop_option
    _dense: np.ndarray | None = None  # cache for dense

    @property
    def size(self) -> int:
        return len(self.values) - 1

    def _split(self, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """n = base + q·Q_b with base inside the table (q = 0 when n fits already)."""
        if not self.extendable or self.best_type < 0:
            return n, 0
        q_b = int(self.seats[self.best_type])
        q = np.maximum(n - self.size + q_b - 1, 0) // q_b
        return n - q * q_b, q

    def lookup(self, n: np.ndarray) -> np.ndarray:
        """g(n) for an array of loads; ∞ for negative n or n past a table that cannot be extended."""
        n = np.asarray(n, dtype=np.int64)
        base, q = self._split(np.maximum(n, 0))
        inside = (n >= 0) & (base <= self.size)
        vals = self.values[np.where(inside, base, 0)]
        if self.best_type >= 0 and self.extendable:
            vals = vals + q * self.costs[self.best_type]
        vals[~inside] = INF
        return vals

    def dense(self, n_max: int) -> np.ndarray:
        """g(0..n_max) as a plain array (extended past the table where that is allowed)."""
        if self._dense is None or len(self._dense) <= n_max:
            object.__setattr__(self, "_dense", self.lookup(np.arange(max(n_max, self.size) + 1)))
        return self._dense

    def drop_option(self, forced: np.ndarray, penalty: float) -> tuple[np.ndarray, np.ndarray]:
        """For f forced riders of whom not all can go: min over n < f of g(n) + penalty·(f − n), and n."""
        if self._prefix is None:
            h = self.values - penalty * np.arange(len(self.values))
            at = np.zeros(len(h), dtype=np.int64)
            best = np.full(len(h), INF)
            run, arg = INF, 0
            for i in range(len(h)):  # best[i] = min over n < i
                best[i], at[i] = run, arg
                if h[i] < run:
                    run, arg = h[i], i
            object.__setattr__(self, "_prefix", (best, at))
        best, at = self._prefix
        f = np.asarray(forced, dtype=np.int64)
        inside = f <= self.size
        cost = np.where(inside, best[np.minimum(f, self.size)] + penalty * f, INF)
        load = np.where(inside, at[np.minimum(f, self.size)], 0)
        beyond = ~inside  # past the table every load is a whole-coach extension: carry f − 1
        if beyond.any():
            cost[beyond] = self.lookup(f[beyond] - 1) + penalty
            load[beyond] = f[beyond] - 1
        return cost, load

    def mix(self, n: int) -> np.ndarray:
        base, q = self._split(np.array([n], dtype=np.int64))
        out = self.mixes[int(base[0])].copy()
        q = int(np.asarray(q).ravel()[0]) if np.ndim(q) else int(q)
        if q:
            out[self.best_type] += q
        return out


def best_types(costs: np.ndarray, seats: np.ndarray) -> np.ndarray:
    """Per row, the usable type with the lowest cost per seat (ties: the larger coach); -1 if none."""
    per_seat = costs / seats[None, :]
    order = np.lexsort((-np.broadcast_to(seats, costs.shape), per_seat), axis=1)[:, 0]
    return np.where(np.isfinite(costs).any(axis=1), order, -1)


def mix_tables(costs: np.ndarray, seats: np.ndarray, min_load: np.ndarray, n_tab: int) -> list[MixTable]:
    """Exact g(n), n ≤ n_tab, for each row of `costs` (rows × types; ∞ = type not usable)."""
    rows, k_types = costs.shape
    values = np.full((rows, n_tab + 1), INF)
    values[:, 0] = 0.0
    last_type = np.full((rows, n_tab + 1), -1, dtype=np.int64)
    last_load = np.zeros((rows, n_tab + 1), dtype=np.int64)
    for n in range(1, n_tab + 1):
        best = np.full(rows, INF)
        for k in range(k_types):
            hi = n - int(min_load[k])  # the last coach carries j ∈ [min_load, seats] riders
            if hi < 0:
                continue
            lo = max(0, n - int(seats[k]))
            window = values[:, lo : hi + 1]
            at = window.argmin(axis=1)
            cand = costs[:, k] + window[np.arange(rows), at]
            better = cand < best
            best = np.where(better, cand, best)
            last_type[:, n] = np.where(better, k, last_type[:, n])
            last_load[:, n] = np.where(better, n - (lo + at), last_load[:, n])
        values[:, n] = best
    mixes = np.zeros((rows, n_tab + 1, k_types), dtype=np.int64)
    idx = np.arange(rows)
    for n in range(1, n_tab + 1):
        k = last_type[:, n]
        ok = k >= 0
        prev = mixes[idx, n - last_load[:, n]]
        prev[idx[ok], k[ok]] += 1
        mixes[:, n] = np.where(ok[:, None], prev, 0)
    best = best_types(costs, seats)
    return [MixTable(values[r], mixes[r], int(best[r]), seats, costs[r]) for r in range(rows)]


def bounded_mix_table(costs: np.ndarray, seats: np.ndarray, min_load: np.ndarray, caps: np.ndarray,
                      n_max: int) -> MixTable:
    """g(n) for n ≤ n_max when at most caps[k] coaches of type k are left (a day short of vehicles)."""
    values = np.full(n_max + 1, INF)
    values[0] = 0.0
    mixes = np.zeros((n_max + 1, len(seats)), dtype=np.int64)
    for k in np.argsort(-seats, kind="stable"):
        if not np.isfinite(costs[k]) or caps[k] <= 0:
            continue
        lo_load, hi_load = int(min_load[k]), int(seats[k])
        copies = min(int(caps[k]), n_max // max(lo_load, 1))
        if lo_load > n_max:
            continue
        for _ in range(copies):
            shifted = np.full((hi_load - lo_load + 1, n_max + 1), INF)
            for i, j in enumerate(range(lo_load, min(hi_load, n_max) + 1)):
                shifted[i, j:] = values[: n_max + 1 - j]
            at = shifted.argmin(axis=0)
            cand = shifted[at, np.arange(n_max + 1)] + costs[k]
            better = cand < values
            if not better.any():
                break
            src = np.arange(n_max + 1) - (lo_load + at)
            new_mixes = mixes[np.clip(src, 0, n_max)].copy()
            new_mixes[:, k] += 1
            mixes = np.where(better[:, None], new_mixes, mixes)
            values = np.where(better, cand, values)
    return MixTable(values, mixes, -1, seats, costs, extendable=False)


def cover_tables(costs: np.ndarray, seats: np.ndarray, n_needed: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact covering tables G (rows × n_tab+1) with the data to extend them exactly past the end.

    Returns (G, best_seats, best_cost) per row; G(n) = G(n - q·Q_b) + q·c_b beyond the table.
    `n_needed`: the largest n anyone will look up, when that is below the exactness threshold.
    """
    finite = np.isfinite(costs)
    q_max = int(seats.max())
    best = best_types(costs, seats)
    q_b = np.where(best >= 0, seats[np.maximum(best, 0)], 1)
    n_tab = int(max(((q_b - 1) * q_max).max() + 2 * q_max, q_max))
    if n_needed is not None:
        n_tab = max(min(n_tab, int(n_needed)), 1)
    rows = costs.shape[0]
    table = np.zeros((rows, n_tab + 1))
    for n in range(1, n_tab + 1):
        cand = np.where(finite, costs + table[:, np.maximum(n - seats, 0)], INF)
        table[:, n] = cand.min(axis=1)
    best_cost = np.where(best >= 0, costs[np.arange(rows), np.maximum(best, 0)], INF)
    return table, q_b, best_cost


def cover_lookup(table: np.ndarray, q_b: int, c_b: float, n: np.ndarray) -> np.ndarray:
    n_tab = table.shape[0] - 1
    over = n - n_tab
    q = np.where(over > 0, -(-over // q_b), 0)
    return table[n - q * q_b] + q * c_b
