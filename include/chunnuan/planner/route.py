"""One route: choose how many riders travel on each day (and so which coaches run), and its bound.

Riders of a route are only counts here: `arrivals[t, j]` riders whose window opens on day t and
closes on day t + j. Both searches are dynamic programmes over days. A state is the set of riders
left waiting after the day's dispatch, described by their deadlines (its label). Each day, from every
state, they try every load n that leaves at most `max_waiting` riders waiting; the n riders carried
are the n earliest deadlines (EDF: of the ways to carry n riders it leaves the waiting riders with the
latest deadlines, which can do anything the others can). Riders whose last day comes and who cannot
be carried are referred, at a penalty far above any coach cost, so a plan first carries as many riders
as it can, then costs least; among equal plans the smallest Σ|load − riders planned that day| wins, a
proxy for fewest date shifts (settled exactly per rider later).

- `schedule_exact` keeps, for each number of riders waiting, every label no other path beats: a path
  is dropped only when another one leaving as many riders waiting costs no more and leaves riders
  whose deadlines are all at least as late (count of riders due by each day ≤ at every day). So its
  (referrals, cost) is the optimum whenever `max_waiting` is at least the route's riders (true on
  every route it is used for); the tests check it against CP-SAT.
- `schedule_one_label` keeps one path per number waiting (least referrals and cost, then the shift
  proxy). It can miss a path that costs the same or more now but leaves riders who can wait longer,
  and so refer a rider or two more; it is several times faster on routes of hundreds of riders.
`schedule_route` uses the exact search up to `EXACT_MAX_RIDERS` riders, where it costs a fifth more
in all (bench/RESULTS-planner.md), and the one-label search above.

The lower bound (`interval_bound`) holds for any plan carrying a given set of riders: for disjoint
day intervals I, the riders whose whole window lies inside I need coaches on days of I covering
N(I) seats, which cost at least G(N(I)) (G is monotone and subadditive), so
    cost ≥ max over disjoint interval families of Σ G(N(I)),
computed exactly by a DP over interval end days. For one size, G(n) = c·⌈n/Q⌉ and the bound is the
exact optimum (attained by the EDF greedy "dispatch only when riders must go, fill every coach").
It ignores the minimum fill and the daily coach limits, so those show up as cost / bound > 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chunnuan.planner.mix import INF, MixTable, cover_lookup

DROP_PENALTY = 1e9  # per referred rider: referrals are minimised before cost
DEFAULT_MAX_WAITING = 300  # riders a state may leave waiting (about six big coaches)
EXACT_MAX_RIDERS = 200  # routes up to this size get the exact search


@dataclass
class RouteSchedule:
    loads: np.ndarray  # (T,) riders carried each day
    drops: np.ndarray  # (T,) riders referred on each day (their last acceptable day)
    cost: float  # vehicle cost of the loads
    referred: int

    @property
    def carried(self) -> int:
        return int(self.loads.sum())


def _leftover_hist(pending: np.ndarray, carried: np.ndarray) -> np.ndarray:
    """Deadlines left after taking `carried` earliest-deadline riders from each row; shifted one day."""
    remaining = np.maximum(pending.cumsum(axis=1) - carried[:, None], 0)
    out = np.zeros_like(pending)
    out[:, :-1] = remaining[:, 1:] - remaining[:, :-1]  # tomorrow's offsets; today's are all gone
    return out


def schedule_route(arrivals: np.ndarray, tables: list[MixTable], day_table: np.ndarray,
                   max_waiting: int = DEFAULT_MAX_WAITING, planned: np.ndarray | None = None) -> RouteSchedule:
    """Least (referrals, cost) day loads for one route. `day_table[t]` picks the day's cost table."""
    search = schedule_exact if arrivals.sum() <= EXACT_MAX_RIDERS else schedule_one_label
    return search(arrivals, tables, day_table, max_waiting, planned)


def schedule_job(job: tuple) -> RouteSchedule:
    """schedule_route(*job): the work function core gives the process pool (parallel.PRELOAD names this module)."""
    return schedule_route(*job)


def schedule_exact(arrivals: np.ndarray, tables: list[MixTable], day_table: np.ndarray,
                   max_waiting: int = DEFAULT_MAX_WAITING, planned: np.ndarray | None = None) -> RouteSchedule:
    """The least (referrals, cost) day loads: every label no other path beats is kept (module doc)."""
    days, width = arrivals.shape
    if planned is None:
        planned = np.zeros(days, dtype=np.int64)
    dense = [tab.dense(int(arrivals.sum())) for tab in tables]
    obj, sec = np.zeros(1), np.zeros(1)
    label = np.zeros((1, width), dtype=np.int64)
    back: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    idle = (np.zeros(1, dtype=np.int64),) * 3
    for t in range(days):
        if len(obj) == 1 and not label.any() and not arrivals[t].any():
            back.append(idle)  # nobody waiting, nobody new: nothing to decide
            continue
        pending = label + arrivals[t][None, :]
        m = pending.sum(axis=1)
        forced = pending[:, 0]
        table = tables[day_table[t]]
        if table.size == 0:  # no coach at all today: riders due today are referred, the others wait
            src, n = np.arange(len(m)), forced
            cost, carried, dropped = DROP_PENALTY * forced, np.zeros_like(forced), forced
        else:  # candidate (src, n): from state src carry n riders, forced ≤ n ≤ m, leaving ≤ max_waiting
            lo = np.maximum(forced, m - max_waiting)
            sizes = m - lo + 1
            first = np.cumsum(sizes) - sizes  # position of each state's candidate n = lo
            src = np.repeat(np.arange(len(m)), sizes)
            n = np.arange(len(src)) + np.repeat(lo - first, sizes)
            cost, carried, dropped = dense[day_table[t]][n], n.copy(), np.zeros_like(n)
            # Only where carrying exactly the forced riders is impossible can referring some win.
            rows = (lo == forced) & (forced > 0) & ~np.isfinite(cost[first])
            if rows.any():  # carry fewer and refer the rest of today's riders: the same riders are left
                at = first[rows]
                cost[at], carried[at] = table.drop_option(forced[rows], DROP_PENALTY)
                dropped[at] = forced[rows] - carried[at]
            ok = np.isfinite(cost)
            if not ok.all():
                src, n, cost, carried, dropped = src[ok], n[ok], cost[ok], carried[ok], dropped[ok]
        obj, sec = obj[src] + cost, sec[src] + np.abs(carried - planned[t])
        left_by = np.maximum(pending.cumsum(axis=1)[src] - n[:, None], 0)  # riders left with offset ≤ j
        if len(m) > 1:  # from one state, candidates all leave different numbers waiting: nothing to prune
            due = left_by[:, 1:-1]  # tomorrow's riders due by each day (offset 0 is empty, the total equal)
            order = np.lexsort((sec, due.sum(axis=1), obj, left_by[:, -1]))
            keep = order[_undominated(left_by[order, -1], due[order])]
            src, carried, dropped, obj, sec, left_by = (a[keep] for a in (src, carried, dropped, obj, sec, left_by))
        back.append((src, carried, dropped))
        label = np.zeros((len(src), width), dtype=np.int64)
        label[:, :-1] = left_by[:, 1:] - left_by[:, :-1]  # shifted one day: today's riders are all gone
    return _backtrack(back, tables, day_table)  # one final state: nobody waits after the last deadline


def _undominated(left: np.ndarray, due: np.ndarray) -> np.ndarray:
    """Candidates sorted by (left, cost, Σdue, shifts): those no earlier one with as many left beats.

    An earlier candidate of the same group beats a later one when its riders are due no sooner
    (`due` ≤ everywhere): it costs no more and can do anything the other can. In rounds, each group's
    first undecided candidate is kept (whatever could beat it came earlier and is kept or beaten by a
    kept one) and removes the later ones it beats."""
    alive = np.ones(len(left), dtype=bool)
    if len(left) < 2 or not (left[1:] == left[:-1]).any():
        return alive
    group = np.cumsum(np.concatenate(([0], left[1:] != left[:-1])))
    head = np.empty(group[-1] + 1, dtype=np.int64)
    undecided = alive.copy()
    while undecided.any():
        idx = np.flatnonzero(undecided)
        firsts = idx[np.concatenate(([True], group[idx[1:]] != group[idx[:-1]]))]
        undecided[firsts] = False
        head[group[firsts]] = firsts
        rest = np.flatnonzero(undecided)
        beaten = rest[(due[head[group[rest]]] <= due[rest]).all(axis=1)]
        alive[beaten] = undecided[beaten] = False
    return alive


def schedule_one_label(arrivals: np.ndarray, tables: list[MixTable], day_table: np.ndarray,
                       max_waiting: int = DEFAULT_MAX_WAITING, planned: np.ndarray | None = None) -> RouteSchedule:
    """Day loads keeping one path per number of riders waiting (module doc): fast, near the optimum."""
    days, width = arrivals.shape
    if planned is None:
        planned = np.zeros(days, dtype=np.int64)
    riders = int(arrivals.sum())
    dense = [tab.dense(riders) for tab in tables]  # g(0..riders), ∞ where no mix fits
    obj, sec = np.zeros(1), np.zeros(1)
    hist = np.zeros((1, width), dtype=np.int64)
    back: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    idle = (np.zeros(1, dtype=np.int64),) * 3
    for t in range(days):
        if len(obj) == 1 and not hist.any() and not arrivals[t].any():
            back.append(idle)  # nobody waiting, nobody new: nothing to decide
            continue
        pending = hist + arrivals[t][None, :]
        m = pending.sum(axis=1)
        forced = pending[:, 0]
        free = m - forced  # riders who may wait another day
        if tables[day_table[t]].size == 0:  # no coach at all today: riders due today are referred
            obj, sec, hist = _closed_day(back, obj, sec, pending, free, forced)
            continue
        size = int(min(max_waiting, free.max())) + 1
        left = np.arange(size)
        load = m[:, None] - left[None, :]
        g = dense[day_table[t]]
        cost = np.where(load >= forced[:, None], g[np.maximum(load, 0)], INF)
        # Leaving exactly the free riders but not carrying every forced one: some are referred.
        drop_at = np.where(free < size, free, -1)
        use_drop = np.zeros(len(m), dtype=bool)
        drop_load = np.zeros(len(m), dtype=np.int64)
        rows = np.flatnonzero((drop_at >= 0) & (forced > 0))
        if len(rows):  # only where carrying exactly the forced riders is impossible can dropping win
            rows = rows[~np.isfinite(cost[rows, drop_at[rows]])]
        if len(rows):
            drop_cost, drop_load[rows] = tables[day_table[t]].drop_option(forced[rows], DROP_PENALTY)
            cur = cost[rows, drop_at[rows]]
            use_drop[rows] = drop_cost < cur
            cost[rows, drop_at[rows]] = np.minimum(cur, drop_cost)
            load[rows[use_drop[rows]], drop_at[rows[use_drop[rows]]]] = drop_load[rows[use_drop[rows]]]
        total = obj[:, None] + cost
        best = total.min(axis=0)
        keep = np.flatnonzero(np.isfinite(best))  # reachable leftovers only: the next day's states
        if not len(keep):
            raise RuntimeError("no feasible day plan")  # cannot happen: referring is always possible
        total, load, best = total[:, keep], load[:, keep], best[keep]
        tie = np.where(total == best[None, :], sec[:, None] + np.abs(load - planned[t]), INF)
        prev = tie.argmin(axis=0)
        cols = np.arange(len(keep))
        carried = load[prev, cols]
        dropping = use_drop[prev] & (drop_at[prev] == keep)
        dropped = np.where(dropping, forced[prev] - carried, 0)
        hist = _leftover_hist(pending[prev], carried + dropped)
        back.append((prev, carried, dropped))
        obj, sec = best, tie[prev, cols]
    return _backtrack(back, tables, day_table)


def _closed_day(back, obj, sec, pending, free, forced):
    """A day without coaches: nobody travels; of states leaving the same number waiting, keep the best."""
    total = obj + DROP_PENALTY * forced
    order = np.lexsort((sec, total, free))
    first = np.ones(len(order), dtype=bool)
    first[1:] = free[order][1:] != free[order][:-1]
    prev = order[first]
    back.append((prev, np.zeros(len(prev), dtype=np.int64), forced[prev]))
    return total[prev], sec[prev], _leftover_hist(pending[prev], forced[prev])


def _backtrack(back, tables, day_table) -> RouteSchedule:
    days = len(back)
    loads = np.zeros(days, dtype=np.int64)
    drops = np.zeros(days, dtype=np.int64)
    state = 0
    for t in range(days - 1, -1, -1):
        prev, carried, dropped = back[t]
        loads[t], drops[t] = carried[state], dropped[state]
        state = int(prev[state])
    cost = float(sum(tables[day_table[t]].lookup(np.array([loads[t]]))[0] for t in range(days) if loads[t]))
    return RouteSchedule(loads, drops, cost, int(drops.sum()))


def window_counts(arrivals: np.ndarray) -> np.ndarray:
    """N[s, e]: riders whose whole window [start, deadline] lies inside [s, e] (s ≤ e)."""
    days, width = arrivals.shape
    by_end = np.zeros((days, days), dtype=np.int64)  # [start, deadline]
    for j in range(width):
        idx = np.arange(days - j)
        by_end[idx, idx + j] += arrivals[: days - j, j]
    # N[s, e] = Σ_{start ≥ s, deadline ≤ e}: suffix sum over start, prefix sum over deadline.
    return by_end[::-1].cumsum(axis=0)[::-1].cumsum(axis=1)


def interval_bound(arrivals: np.ndarray, cover: np.ndarray, q_b: int, c_b: float) -> float:
    """max over disjoint day intervals of Σ G(N(I)) — a lower bound on the cost of carrying them all."""
    days = arrivals.shape[0]
    if days == 0 or arrivals.sum() == 0:
        return 0.0
    n_se = window_counts(arrivals)
    g_se = cover_lookup(cover, q_b, c_b, n_se)
    best = np.zeros(days + 1)  # best[i]: bound using days < i
    for e in range(days):
        best[e + 1] = max(best[e], float((best[: e + 1] + g_se[: e + 1, e]).max()))
    return float(best[days])


def interval_bounds(arrivals: list[np.ndarray], cover: np.ndarray, q_b: np.ndarray, c_b: np.ndarray,
                    chunk: int = 256) -> np.ndarray:
    """`interval_bound` for many routes at once (row i of cover, q_b, c_b belongs to arrivals[i])."""
    out = np.zeros(len(arrivals))
    for lo in range(0, len(arrivals), chunk):
        part = arrivals[lo : lo + chunk]
        days = max(a.shape[0] for a in part)
        n_se = np.zeros((len(part), days, days), dtype=np.int64)
        for i, a in enumerate(part):
            n_se[i, : a.shape[0], : a.shape[0]] = window_counts(a)
        rows = np.arange(lo, lo + len(part))
        g_se = np.stack([cover_lookup(cover[r], int(q_b[r]), float(c_b[r]), n_se[i]) for i, r in enumerate(rows)])
        g_se = np.where(np.triu(np.ones((days, days), dtype=bool))[None], g_se, -INF)
        best = np.zeros((len(part), days + 1))
        for e in range(days):
            best[:, e + 1] = np.maximum(best[:, e], (best[:, : e + 1] + g_se[:, : e + 1, e]).max(axis=1))
        out[lo : lo + len(part)] = best[:, days]
    return out
