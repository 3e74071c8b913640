"""Benchmark of 专列（车厢）: the same requests planned with and without the railway's offers, in one run.

    .venv/bin/python bench/rail.py [--demand D.parquet --fleet F.parquet --rail R.csv] [--sizes 1000000]
                                   [--trains 24 200] [--workers 2]

1. The demo province (Guangxi, 20,000 surveyed workers): the charter requests and fleet the demo's
   `charter_bus_planning` run staged (var/staging/guangxi-2024/charter/<run>/demand.parquet, fleet.parquet) and
   the railway's offer file the demo landed (var/landing/guangxi-2024/rail/*.csv, `chunnuan.synth.rail`).
2. Synthetic requests (`chunnuan.synth.charter`, ample fleet) at each size, with `synth.rail` offers of the
   campaign (each --trains count): wall time of the whole plan, riders by mode, referred, cost.
Each data set is planned three times: coaches only; with rail; with rail but no distance above which rail is
required (`rail.prefer_above_km` off), to show what the 三超一疲劳 safety rule costs in referrals.
Writes bench/RESULTS-rail.md with `uptime`'s load average beside the figures.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "include"))

from chunnuan.config import campaign  # noqa: E402
from chunnuan.planner import Fleet, plan  # noqa: E402
from chunnuan.planner.fleet import read_rail  # noqa: E402
from chunnuan.synth import charter as synthetic  # noqa: E402
from chunnuan.synth import rail as synthetic_rail  # noqa: E402


def figures(result, seconds: float) -> dict:
    s = result.summary
    return {"seconds": seconds, "requests": s["requests"], "referred": s["referred"], "cost": s["cost"],
            "ratio": s["cost_to_bound"], "mode": s["riders_by_mode"], "trains": s["trains"],
            "carriages": s["reserved_carriages"], "feeders": s["feeder_trips"], "rail_cost": s["rail_cost"],
            "rescued": s.get("rail_rescued", 0)}


PLANS = ("无铁路", "有铁路", "有铁路、不按里程强制")


def without_safety(the_campaign):
    """The campaign with no distance above which rail is required (to see what the safety rule costs)."""
    rules = the_campaign.rail.model_copy(update={"prefer_above_km": 1e9})
    return the_campaign.model_copy(update={"rail": rules})


def run(requests, fleet, the_campaign, rail: pd.DataFrame, workers: int) -> dict:
    out = {}
    for label, offers, c in zip(PLANS, (None, rail, rail), (the_campaign, the_campaign, without_safety(the_campaign)),
                                strict=True):
        start = time.perf_counter()
        result = plan(requests, fleet, c, workers=workers, rail=offers)
        out[label] = figures(result, time.perf_counter() - start)
    out["load"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return out


def rows(label: str, r: dict, offers: int) -> list[str]:
    lines = []
    for plan_label in PLANS:
        f = r[plan_label]
        m = f["mode"]
        lines.append(f"| {label} | {plan_label} ({offers} offers) | {f['seconds']:.1f} | {f['requests']:,} | "
                     f"{f['referred']:,} ({f['referred'] / f['requests']:.1%}) | {m['coach']:,} | {m['rail']:,} | "
                     f"{m['feeder']:,} | {f['trains']} | {f['carriages']} | {f['feeders']:,} | {f['rail_cost']:,.0f} | "
                     f"{f['cost']:,.0f} | {f['cost'] / max(m['coach'] + m['rail'], 1):.1f} | {f['ratio'] or 0:.4f} |")
    lines.append(f"| | load: {r['load'].split('load average:')[-1].strip()} | | | | | | | | | | | | | |")
    return lines


def synthetic_offers(gx, trains: int) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        path = synthetic_rail.write_offers(gx, Path(tmp) / "rail.csv", trains=trains, seed=1)
        return read_rail(path, gx)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demand")
    parser.add_argument("--fleet")
    parser.add_argument("--rail")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--trains", type=int, nargs="*", default=[24, 200])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(REPO / "bench" / "RESULTS-rail.md"))
    args = parser.parse_args()
    gx = campaign.load("guangxi-2024")
    lines = ["| data | plan | time (s) | requests | referred | coach | rail | of which feeder | 专列 | 包车厢 | "
             "feeder trips | rail cost (元) | cost (元) | 元/rider carried | cost/bound |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    if args.demand:
        demand = pd.read_parquet(args.demand)
        fleet = Fleet.from_rows(pd.read_parquet(args.fleet))
        rail = read_rail(args.rail, gx) if args.rail else synthetic_offers(gx, 24)
        lines += rows("demo Guangxi 20,000 workers", run(demand, fleet, gx, rail, args.workers), len(rail))
        print("\n".join(lines), flush=True)
    for n in args.sizes:
        requests = synthetic.requests(gx, n, seed=1)
        fleet = synthetic.fleet(gx, n, supply=10.0, seed=1)
        for trains in args.trains:
            rail = synthetic_offers(gx, trains)
            lines += rows(f"synthetic {n:,}", run(requests, fleet, gx, rail, args.workers), len(rail))
            print("\n".join(lines[-3:]), flush=True)
    head = (f"# 专列（车厢） — recorded results\n\nRun {time.strftime('%Y-%m-%d %H:%M')} on "
            f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
            f"`plan(..., workers={args.workers})`; command: `{' '.join(sys.argv)}`.\n\n")
    Path(args.out).write_text(head + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
