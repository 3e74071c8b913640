"""Benchmark of 拼车 (pooled trips): the same requests planned with and without pooling, in one run.

    .venv/bin/python bench/pooling.py [--demand D.parquet --fleet F.parquet] [--sizes 1000000] [--workers 2] [--frontier]

1. The demo province (Guangxi, 20,000 surveyed workers): the charter requests and fleet the demo's
   `charter_bus_planning` run staged (var/staging/guangxi-2024/charter/<run>/demand.parquet and
   fleet.parquet after `make demo`): share referred for 人数不足, cost per chartered rider, pooled trips;
   with `--frontier`, the same under each crew's day (16 / 19 h), cost allowance and minimum fill an office
   may set (`transport.pooling.max_route_hours`, `max_extra_cost_per_rider`, `transport.min_fill_ratio`): the 取舍表.
2. Synthetic requests (`chunnuan.synth.charter`, ample fleet) at each size: wall time of the whole plan, and
   the main process's CPU time (pooling runs there, single-threaded: the difference with and without
   pooling is its cost, whatever the machine's load).
Writes bench/RESULTS-pooling.md with `uptime`'s load average beside the figures.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "include"))

from chunnuan.config import campaign  # noqa: E402
from chunnuan.planner import Fleet, plan  # noqa: E402
from chunnuan.planner.io import without_pooling  # noqa: E402
from chunnuan.synth import charter as synthetic  # noqa: E402


def with_pooling(the_campaign, enabled: bool):
    return the_campaign if enabled else without_pooling(the_campaign)


def figures(result, seconds: float) -> dict:
    s = result.summary
    few = sum(n for reason, n in s["referrals_by_reason"].items() if "人数不足" in reason)
    return {"seconds": seconds, "requests": s["requests"], "chartered": s["chartered"], "too_few": few,
            "too_few_share": few / s["requests"], "cost": s["cost"], "per_rider": s["cost"] / max(s["chartered"], 1),
            "bound": s["lower_bound"], "ratio": s["cost_to_bound"], "pooled_trips": s.get("pooled_trips", 0),
            "pooled_riders": s.get("pooled_riders", 0), "pooled_stops": s.get("pooled_stops", 0),
            "absorbed": s.get("pooled_absorbed_trips", 0),
            "pooling": s.get("pooling", ""), "floor": s.get("referral_floor")}


def run(requests, fleet, the_campaign, workers: int) -> dict:
    out = {}
    for enabled in (False, True):
        start, cpu = time.perf_counter(), time.process_time()
        result = plan(requests, fleet, with_pooling(the_campaign, enabled), workers=workers)
        out[enabled] = figures(result, time.perf_counter() - start) | {"cpu": time.process_time() - cpu}
    out["load"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return out


def share(n: int | None, f: dict) -> str:
    return "—" if n is None else f"{n:,} ({n / f['requests']:.1%})"


def setting(the_campaign, hours: float, extra: float, fill: float):
    """The campaign with another crew's day, cost allowance and minimum fill."""
    rules = the_campaign.transport.pooling.model_copy(update={"max_route_hours": hours, "max_extra_cost_per_rider": extra})
    return the_campaign.model_copy(update={"transport": the_campaign.transport.model_copy(
        update={"pooling": rules, "min_fill_ratio": fill})})


def frontier(requests, fleet, the_campaign, workers: int) -> list[str]:
    """取舍表: the demo province under the crew's day, cost allowance and minimum fill an office may choose (the
    allowance is over the plan without pooling at the same minimum fill)."""
    own = the_campaign.transport.min_fill_ratio
    lines = ["| crew's day (h) | allowance (元/rider) | minimum fill | referred 人数不足 | of whom no coach can carry | "
             "元/chartered | pooled trips | with 3 drivers |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for fill, settings in ((own, [(h, e) for h in (16, 19) for e in (0, 50, 100, 200, 500)]), (0.5, [(16, 0), (19, 100)])):
        base = figures(plan(requests, fleet, without_pooling(setting(the_campaign, 16, 0, fill)), workers=workers), 0.0)
        lines.append(f"| 不拼车 | | {fill:.0%} | {base['too_few']:,} ({base['too_few_share']:.1%}) | "
                     f"{share(base['floor'], base)} | {base['per_rider']:.1f} | | |")
        for hours, extra in settings:
            result = plan(requests, fleet, setting(the_campaign, hours, extra, fill), workers=workers)
            f = figures(result, 0.0)
            lines.append(f"| {hours} | {extra} | {fill:.0%} | {f['too_few']:,} ({f['too_few_share']:.1%}) | "
                         f"{share(f['floor'], f)} | {f['per_rider']:.1f} | {f['pooled_trips']:,} | "
                         f"{int((result.trips['drivers'] >= 3).sum())} |")
            print(lines[-1], flush=True)
    return lines


def rows(label: str, r: dict) -> list[str]:
    lines = []
    for enabled in (False, True):
        f = r[enabled]
        lines.append(f"| {label} | {'拼车' if enabled else '不拼车'} | {f['seconds']:.1f} | {f['cpu']:.1f} | {f['requests']:,} | "
                     f"{f['chartered']:,} | {f['too_few']:,} ({f['too_few_share']:.1%}) | {f['cost']:,.0f} | "
                     f"{f['per_rider']:.1f} | {f['ratio'] or 0:.4f} | {f['pooled_trips']:,} | {f['pooled_riders']:,} | "
                     f"{f['pooled_stops']:,} | {f['absorbed']:,} | {f['pooling']} |")
    lines.append(f"| | load: {r['load'].split('load average:')[-1].strip()} | | | | | | | | | | | | | |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demand")
    parser.add_argument("--fleet")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--frontier", action="store_true", help="also the demo under each crew's day, cost allowance and minimum fill")
    parser.add_argument("--out", default=str(REPO / "bench" / "RESULTS-pooling.md"))
    args = parser.parse_args()
    gx = campaign.load("guangxi-2024")
    lines = ["| data | plan | time (s) | main-process CPU (s) | requests | chartered | referred 人数不足 | cost (元) | 元/chartered | "
             "cost/bound | pooled trips | pooled riders | stops | route trips absorbed | search |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    trade_offs = []
    if args.demand:
        demand = pd.read_parquet(args.demand)
        fleet = Fleet.from_rows(pd.read_parquet(args.fleet))
        lines += rows("demo Guangxi 20,000 workers", run(demand, fleet, gx, args.workers))
        print("\n".join(lines), flush=True)
        if args.frontier:
            trade_offs = ["", "取舍表 (demo province; the campaign's rules otherwise):", "",
                          *frontier(demand, fleet, gx, args.workers)]
    for n in args.sizes:
        requests = synthetic.requests(gx, n, seed=1)
        fleet = synthetic.fleet(gx, n, supply=10.0, seed=1)
        lines += rows(f"synthetic {n:,}", run(requests, fleet, gx, args.workers))
        print("\n".join(lines[-3:]), flush=True)
    lines += trade_offs
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout.strip()
    head = (f"# 拼车 (pooled trips) — recorded results\n\n## Run {time.strftime('%Y-%m-%d %H:%M')}, commit {commit}\n\nOn "
            f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
            f"`plan(..., workers={args.workers})`; command: `{' '.join(sys.argv)}`.\n\n")
    out = Path(args.out)
    earlier = out.read_text(encoding="utf-8").split("\n", 1)[1] if out.exists() else ""
    out.write_text(head + "\n".join(lines) + "\n" + earlier, encoding="utf-8")  # newest on top


if __name__ == "__main__":
    main()
