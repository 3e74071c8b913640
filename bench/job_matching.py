"""Benchmark of job matching (chunnuan.job_fairs.matching) at province scale. Prints figures and writes them as JSON.

    .venv/bin/python bench/job_matching.py [--seekers 200000] [--openings 50000] [--seed 1]
                                           [--runs 3] [--baseline-seekers 10000] [--chunk-rows 2000000]

Measures, on this machine, in one run:
1. match() of Guangxi seekers (drawn here with numpy over the province's counties) against synthetic
   openings (chunnuan.synth.openings), fastest of --runs, with the peak memory of the process;
2. the checks and uses of the result (over_promised, employers_by_county);
3. a plain pandas baseline without capacity limits: seekers merged with the open openings on trade
   (a seeker without a trade: cross join with every opening), tier computed, 本地就业 rows of tier 4
   dropped, sorted, groupby().head(list_length). It runs on --baseline-seekers seekers drawn at random,
   as many seekers per merge as make about --chunk-rows rows (the full merge of 200,000 seekers is about 2 billion rows, most of them
   the cross join); its time is scaled to all seekers, separately for seekers with and without a trade
   (without capacity every seeker's list is independent of the others'). The baseline gets int64 codes
   prepared outside its timing. On the same sample, match() with every headcount × 10^6 (capacity
   never binds) must give the same lists.
Recorded results live in bench/RESULTS-matching.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
AS_OF = dt.date(2024, 2, 10)  # inside the Guangxi job-fair window: some openings have closed


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # Linux: KiB


def rss_gb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**30


def seekers(campaign, n: int, seed: int) -> pd.DataFrame:
    """n job seekers of the campaign's province: rural counties send more; 20% 脱贫人口, 2% 监测对象;
    30% 本地就业; 15% name no trade, the others one of campaign.training.trades."""
    from chunnuan.config import divisions

    rng = np.random.default_rng([seed, 7])
    province = divisions.province(campaign.province_code)
    codes = np.array(sorted(province.counties), dtype=object)
    kind = np.array([1.5 if province.counties[c].name.endswith("县") else
                     1.1 if province.counties[c].name.endswith("市") else 0.6 for c in codes])
    weights = rng.lognormal(0.0, 0.6, len(codes)) * kind
    county = codes[rng.choice(len(codes), n, p=weights / weights.sum())]
    city = np.array([province.city_of(c).code for c in codes], dtype=object)
    city_of = dict(zip(codes, city, strict=True))
    trades = np.array(list(campaign.training.trades), dtype=object)
    trade = np.where(rng.random(n) < 0.15, None, trades[rng.integers(0, len(trades), n)])
    serial = rng.permutation(n)
    return pd.DataFrame({
        "id_number": [f"{c}{s:012d}" for c, s in zip(county, serial, strict=True)],
        "home_county_code": county,
        "home_city_code": [city_of[c] for c in county],
        "poverty_status": rng.choice(np.array(["否", "脱贫人口", "监测对象"], dtype=object), n, p=[0.78, 0.2, 0.02]),
        "job_need": rng.choice(np.array(["本地就业", "外出务工"], dtype=object), n, p=[0.3, 0.7]),
        "desired_trade": trade,
    })


def baseline(people: pd.DataFrame, ops: pd.DataFrame, list_length: int, as_of: dt.date,
             chunk_rows: int) -> pd.DataFrame:
    """Top list_length openings per seeker, no capacity: merge, tier, sort, head. Codes come as int64.
    Seekers are merged a chunk at a time, as many as make about chunk_rows merged rows."""
    ops = ops[pd.to_datetime(ops["closing_date"]) >= pd.Timestamp(as_of)]
    ops = ops[["opening_id", "trade", "county", "city", "province", "key_enterprise", "wage_max", "wage_min"]]
    keys = ["seeker", "tier", "key_enterprise", "wage_max", "wage_min", "opening_id"]
    per_trade = ops["trade"].value_counts()
    candidates = people["desired_trade"].map(per_trade).fillna(0).where(people["desired_trade"].notna(), len(ops))
    chunk = max(1, int(chunk_rows / max(1.0, candidates.mean())))
    out = []
    for start in range(0, len(people), chunk):
        part = people.iloc[start:start + chunk]
        named = part[part["desired_trade"].notna()]
        rows = pd.concat([named.merge(ops, left_on="desired_trade", right_on="trade"),
                          part[part["desired_trade"].isna()].merge(ops, how="cross")], ignore_index=True)
        rows["tier"] = np.select([rows["county"] == rows["home_county"], rows["city"] == rows["home_city"],
                                  rows["province"] == rows["home_province"]], [1, 2, 3], 4)
        rows = rows[(rows["tier"] < 4) | rows["away"]]
        rows = rows.sort_values(keys, ascending=[True, True, False, False, False, True])
        out.append(rows.groupby("seeker", sort=False).head(list_length)[["seeker", "opening_id", "tier"]])
    result = pd.concat(out, ignore_index=True)
    result["rank"] = result.groupby("seeker").cumcount() + 1
    return result


def baseline_inputs(people: pd.DataFrame, ops: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both frames with int64 codes and an int seeker key, prepared outside the timing."""
    county = people["home_county_code"].astype("int64")
    p = pd.DataFrame({"seeker": np.arange(len(people)), "home_county": county,
                      "home_city": people["home_city_code"].astype("int64"), "home_province": county // 10000 * 10000,
                      "away": (people["job_need"] == "外出务工").to_numpy(),
                      "desired_trade": people["desired_trade"].to_numpy(dtype=object)})
    o = ops[["opening_id", "trade", "key_enterprise", "wage_max", "wage_min", "closing_date"]].assign(
        county=ops["county_code"].astype("int64"), city=ops["city_code"].astype("int64"),
        province=ops["province_code"].astype("int64"))
    return p, o


def main() -> int:
    from chunnuan.config import campaign
    from chunnuan.job_fairs import matching
    from chunnuan.synth import openings as opening_synth

    parser = argparse.ArgumentParser()
    parser.add_argument("--seekers", type=int, default=200_000)
    parser.add_argument("--openings", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-seekers", type=int, default=10_000)
    parser.add_argument("--chunk-rows", type=int, default=2_000_000)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "job_matching.json"))
    args = parser.parse_args()

    gx = campaign.load("guangxi-2024")
    rules = gx.job_fairs.matching
    people, t_seekers = timed(seekers, gx, args.seekers, args.seed)
    form, t_openings = timed(opening_synth.openings, gx, args.openings, args.seed)
    ops = opening_synth.as_match_input(form)
    results: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "pandas": pd.__version__, "numpy": np.__version__},
        "inputs": {"seekers": len(people), "openings": len(ops), "seed": args.seed, "as_of": AS_OF.isoformat(),
                   "open_openings": int((pd.to_datetime(ops["closing_date"]) >= pd.Timestamp(AS_OF)).sum()),
                   "places_open": int(ops.loc[pd.to_datetime(ops["closing_date"]) >= pd.Timestamp(AS_OF),
                                              "headcount"].sum()),
                   "list_length": rules.list_length, "candidates_per_place": rules.candidates_per_place,
                   "seconds_generate": {"seekers": t_seekers, "openings (opening_synth)": t_openings}},
    }
    print(json.dumps(results, indent=1, ensure_ascii=False))

    matching.match(people.head(2000), ops.head(2000), gx, AS_OF)  # warm-up: imports, division data
    rss_before = rss_gb()
    runs = []
    for _ in range(args.runs):
        found, took = timed(matching.match, people, ops, gx, AS_OF)
        runs.append(took)
    load_avg = os.getloadavg()[0]
    peak_after_match = peak_rss_gb()
    bad, t_over = timed(matching.over_promised, found, ops, gx)
    invited, t_invite = timed(matching.employers_by_county, found, people, ops, rules.invite_per_fair)
    results["match"] = {
        "seconds": min(runs), "runs": runs, "load_avg_1min": load_avg,
        "rss_before_gb": rss_before, "peak_rss_after_match_gb": peak_after_match,
        "summary": found.summary(), "over_promised": len(bad),
        "seconds_over_promised": t_over, "seconds_employers_by_county": t_invite,
        "employers_invited": len(invited), "counties_with_invitations": int(invited["county_code"].nunique()),
    }
    print(json.dumps(results["match"], indent=1, ensure_ascii=False))

    rng = np.random.default_rng([args.seed, 11])
    sample = people.iloc[np.sort(rng.choice(len(people), min(args.baseline_seekers, len(people)), replace=False))]
    sample = sample.reset_index(drop=True)
    p, o = baseline_inputs(sample, ops)
    named = p["desired_trade"].notna().to_numpy()
    parts, seconds, rows = [], {}, {}
    open_ops = o[pd.to_datetime(o["closing_date"]) >= pd.Timestamp(AS_OF)]
    per_trade = open_ops["trade"].value_counts()
    for part, who in (("with a trade (merge on trade)", named), ("without a trade (cross join)", ~named)):
        plain, seconds[part] = timed(baseline, p[who], o, rules.list_length, AS_OF, args.chunk_rows)
        parts.append(plain)
        rows[part] = int(p.loc[who, "desired_trade"].map(per_trade).fillna(0).sum() if part.startswith("with ")
                         else (~named).sum() * len(open_ops))
    plain = pd.concat(parts, ignore_index=True)
    plain["id_number"] = sample["id_number"].to_numpy()[plain["seeker"].to_numpy()]
    unlimited = matching.match(sample, ops.assign(headcount=ops["headcount"] * 10**6), gx, AS_OF).lists
    _, t_ours_sample = timed(matching.match, sample, ops, gx, AS_OF)
    cols = ["id_number", "rank", "opening_id", "tier"]
    same = plain.sort_values(["id_number", "rank"])[cols].reset_index(drop=True).equals(
        unlimited[cols].reset_index(drop=True).astype(plain[cols].dtypes.to_dict()))
    all_named = int(people["desired_trade"].notna().sum())
    scale = {"with a trade (merge on trade)": all_named / max(1, named.sum()),
             "without a trade (cross join)": (len(people) - all_named) / max(1, (~named).sum())}
    scaled = {part: seconds[part] * scale[part] for part in seconds}
    total = sum(scaled.values())
    results["baseline"] = {
        "sample_seekers": len(sample), "sample_with_trade": int(named.sum()), "chunk_rows": args.chunk_rows,
        "merged_rows_sample": rows, "seconds_sample": seconds,
        "seconds_scaled_to_all_seekers": {**scaled, "total": total},
        "peak_rss_after_baseline_gb": peak_rss_gb(),
        "ours_seconds_same_sample_with_capacity": t_ours_sample,
        "same_lists_as_match_without_capacity": bool(same),
        "ratio_ours_over_baseline": min(runs) / total,
        "ratio_ours_over_baseline_with_trade_only": min(runs) / scaled["with a trade (merge on trade)"],
    }
    print(json.dumps(results["baseline"], indent=1, ensure_ascii=False))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
