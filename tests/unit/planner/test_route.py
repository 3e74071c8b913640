"""One route (planner.route, planner.mix): the exact and one-label searches against an independent exact
solver (OR-Tools CP-SAT), days without coaches, and the interval bound."""

from __future__ import annotations

import numpy as np
import pytest

from chunnuan.planner.mix import INF, MixTable, cover_tables, mix_tables
from chunnuan.planner.route import interval_bound, schedule_exact, schedule_one_label, schedule_route


def _instance(rng, days: int, riders: int, seats, costs, ratio: float):
    planned = np.clip(np.round(rng.normal(days / 2, days / 4, riders)), 0, days - 1).astype(int)
    flex = rng.choice(6, riders, p=[0.3, 0.2, 0.2, 0.15, 0.1, 0.05])
    start, end = np.maximum(planned - flex, 0), np.minimum(planned + flex, days - 1)
    arrivals = np.zeros((days, int((end - start).max()) + 1), dtype=np.int64)
    np.add.at(arrivals, (start, end - start), 1)
    seats = np.array(seats)
    min_load = np.maximum(np.ceil(ratio * seats - 1e-9).astype(int), 1)
    return arrivals, seats, min_load, np.array(costs, dtype=float)


def _three_sizes(rng):
    """A route of 20–160 riders over 6–12 days with the campaign's 19/35/53 coaches, priced by distance."""
    km = rng.uniform(150, 900)
    costs = [round(500 + 6.5 * km), round(800 + 10 * km), round(1000 + 13 * km)]
    return _instance(rng, int(rng.integers(6, 13)), int(rng.integers(20, 160)), (19, 35, 53), costs, 0.75)


def _schedule(arrivals, seats, min_load, costs, search=schedule_route):
    tables = mix_tables(costs[None, :], seats, min_load, 200)
    return search(arrivals, tables, np.zeros(len(arrivals), dtype=np.int64))


def _cp_sat(arrivals, seats, min_load, costs) -> tuple[int, int]:
    """Exact (referred, cost) with OR-Tools CP-SAT: coaches per day and type, riders per window and day."""
    cp_model = pytest.importorskip("ortools.sat.python.cp_model")
    model = cp_model.CpModel()
    days, k = len(arrivals), len(seats)
    riders = int(arrivals.sum())
    coaches = [[model.new_int_var(0, riders // int(min_load[j]) + 1, "") for j in range(k)] for _ in range(days)]
    on_day = [[] for _ in range(days)]
    referred = []
    for s, w in zip(*np.nonzero(arrivals), strict=True):
        n = int(arrivals[s, w])
        go = [model.new_int_var(0, n, "") for _ in range(w + 1)]
        skip = model.new_int_var(0, n, "")
        model.add(sum(go) + skip == n)
        referred.append(skip)
        for i, v in enumerate(go):
            on_day[s + i].append(v)
    for t in range(days):
        load = sum(on_day[t])
        model.add(load <= sum(int(seats[j]) * coaches[t][j] for j in range(k)))
        model.add(load >= sum(int(min_load[j]) * coaches[t][j] for j in range(k)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.num_workers = 8  # the portfolio proves these small models optimal in well under a second
    model.minimize(sum(referred))  # first carry as many as possible, then least cost for that
    assert solver.solve(model) == cp_model.OPTIMAL
    fewest = round(solver.objective_value)
    model.add(sum(referred) == fewest)
    model.minimize(sum(int(costs[j]) * coaches[t][j] for t in range(days) for j in range(k)))
    assert solver.solve(model) == cp_model.OPTIMAL
    return fewest, round(solver.objective_value)


@pytest.mark.parametrize("seed", range(12))
def test_several_sizes_match_cp_sat_on_small_routes(seed):
    inst = _three_sizes(np.random.default_rng(100 + seed))
    result = _schedule(*inst)
    assert (result.referred, result.cost) == _cp_sat(*inst)  # the exact search: the optimum itself


@pytest.mark.parametrize("seed", [24, 35, 176, 317])
def test_exact_search_carries_riders_the_one_label_search_refers(seed):
    inst = _three_sizes(np.random.default_rng(seed))
    exact, one = _schedule(*inst, search=schedule_exact), _schedule(*inst, search=schedule_one_label)
    assert (exact.referred, exact.cost) == _cp_sat(*inst)
    assert one.referred > exact.referred  # why routes up to EXACT_MAX_RIDERS get the exact search


def test_exact_search_is_never_worse_than_the_one_label_search():
    for seed in range(60):
        inst = _three_sizes(np.random.default_rng(1000 + seed))
        exact, one = _schedule(*inst, search=schedule_exact), _schedule(*inst, search=schedule_one_label)
        assert (exact.referred, exact.cost) <= (one.referred, one.cost)
        for s in (exact, one):  # every rider carried or referred
            assert s.carried + s.referred == inst[0].sum()


def _closed(seats) -> MixTable:
    """A day without any coach left (what `core._capped_tables` gives a day whose coaches are all taken)."""
    return MixTable(np.zeros(1), np.zeros((1, len(seats)), dtype=np.int64), -1, np.asarray(seats),
                    np.full(len(seats), INF), extendable=False)


@pytest.mark.parametrize("search", [schedule_exact, schedule_one_label])
def test_on_a_day_without_coaches_its_riders_are_referred_and_the_others_travel_around_it(search):
    seats, min_load, costs = np.array([19, 35, 53]), np.array([15, 27, 40]), np.array([3000.0, 4800.0, 6200.0])
    arrivals = np.zeros((3, 3), dtype=np.int64)
    arrivals[1, 0] = 20  # can only travel on day 1, which has no coach
    arrivals[0, 2] = 19  # may travel on day 0, 1 or 2
    day_table = np.array([0, 1, 0])
    result = search(arrivals, [mix_tables(costs[None, :], seats, min_load, 200)[0], _closed(seats)], day_table)
    assert result.loads.tolist() == [19, 0, 0] and result.drops.tolist() == [0, 20, 0]
    assert (result.referred, result.cost) == (20, 3000.0)


def test_searches_agree_on_routes_with_days_without_coaches():
    for seed in range(40):
        rng = np.random.default_rng(2000 + seed)
        arrivals, seats, min_load, costs = _three_sizes(rng)
        tables = [mix_tables(costs[None, :], seats, min_load, 200)[0], _closed(seats)]
        day_table = (rng.random(len(arrivals)) < 0.3).astype(np.int64)  # about a third of the days closed
        exact = schedule_exact(arrivals, tables, day_table)
        one = schedule_one_label(arrivals, tables, day_table)
        assert (exact.referred, exact.cost) <= (one.referred, one.cost)
        for s in (exact, one):
            assert not s.loads[day_table == 1].any() and s.carried + s.referred == arrivals.sum()


@pytest.mark.parametrize("search", [schedule_exact, schedule_one_label])
@pytest.mark.parametrize("seed", range(30))
def test_one_size_without_fill_rule_equals_the_interval_bound(seed, search):
    rng = np.random.default_rng(200 + seed)
    arrivals, seats, _, costs = _instance(rng, int(rng.integers(5, 40)), int(rng.integers(1, 900)), (53,), (9000,), 0.0)
    result = _schedule(arrivals, seats, np.array([1]), costs, search)
    cover, q_b, c_b = cover_tables(costs[None, :], seats)
    bound = interval_bound(arrivals, cover[0], int(q_b[0]), float(c_b[0]))
    assert result.referred == 0
    assert result.cost == bound  # vehicles == ⌈interval bound⌉, the exact optimum for one size


@pytest.mark.parametrize("seed", range(6))
def test_interval_bound_never_exceeds_the_cp_sat_optimum(seed):
    rng = np.random.default_rng(300 + seed)
    inst = _instance(rng, int(rng.integers(5, 10)), int(rng.integers(40, 120)), (19, 35, 53), (4000, 6500, 8200), 0.2)
    referred, cost = _cp_sat(*inst)
    if referred:
        pytest.skip("bound compares carrying everyone")
    cover, q_b, c_b = cover_tables(inst[3][None, :], inst[1])
    assert interval_bound(inst[0], cover[0], int(q_b[0]), float(c_b[0])) <= cost + 1e-6
