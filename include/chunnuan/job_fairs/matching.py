"""Deterministic matching of job seekers (求职农民工) to employer openings (企业岗位空缺). Pure pandas/numpy.

`match(seekers, openings, campaign, as_of)` gives every seeker a short list of openings, best first,
without promising any opening to more seekers than it can take. The rules (tests/unit/test_matching.py
holds the code to them):

Candidates
  - An opening is offered only while open: closing_date ≥ as_of (a missing closing_date = no deadline).
  - Trade (工种): an opening is a candidate for a seeker only if its trade equals the seeker's
    desired_trade. A seeker without one (None, NA or "") may be offered any trade, but is served after
    the seekers who asked for a trade (see "Order of service"), so he only gets what they leave.
  - Distance tier from where the seeker wants to work (`seeking_places`: the home county, or the work
    place in the province): 1 县内 (same county), 2 市内 (same city, another county), 3 省内 (that
    province, another city), 4 省外. 本地就业 seekers are never
    offered 省外 openings; 外出务工 seekers may get every tier.

Ranking of one seeker's candidates
  tier ascending, then key_enterprise (重点企业/重点园区) first, then wage_max descending, then wage_min
  descending, then opening_id ascending. Every opening has its own place: the order is total.

Capacity and list length
  An opening is listed for at most headcount × job_fairs.matching.candidates_per_place seekers (no
  opening over-promised); a seeker gets at most job_fairs.matching.list_length openings: the first
  ones of his ranking that still have room when his turn comes.

Order of service (who takes capacity first)
  seekers in any of the campaign's priority groups first (priority_groups not empty: 脱贫人口、监测对象,
  就业困难农村劳动力 …), then seekers with a desired trade before those without (a 脱贫人口 seeker without a
  trade still comes before a seeker of no group with one), then id_number ascending. The result depends on the rows only, never
  on their order in the input frames.

Output (`Matches`)
  - lists: id_number, rank (1..), opening_id, tier (1-4), tier_name (县内/市内/省内/省外), sorted by
    id_number and rank;
  - unmatched: id_number, reason_code, reason (Chinese, for the clerk): no opening of the trade where the
    seeker may work ("no_openings"), every such opening already recommended to its limit ("full"),
    a job_need other than 本地就业/外出务工 ("no_job_need"), or no usable place ("no_home");
  - load: every opening given, with capacity, listed (seekers listing it) and offered (open on as_of).
  Every seeker is in exactly one of lists (≥ 1 row) and unmatched.

Also: `over_promised` (the gate's check, counted from the lists themselves) and `employers_by_county`
(the enterprises to invite to each county's job fair). Inputs: key_enterprise may be bool or 是/否;
duplicate id_number or opening_id, headcount < 1 and missing wages or trades raise ValueError.

How: the openings are ranked once globally; for each (trade or any trade) × (county, city, province,
nation) there is one list of openings in that order. A seeker's candidates are the concatenation of
his county's list, his city's list without his county, his province's list without his city and the
nation's list without his province, so nothing per seeker is sorted. Each list keeps "next opening
with room" pointers (a union-find with path compression over exhausted openings), so a seeker's turn
costs about list_length steps, whatever was used up before him. Seekers are served in one Python loop
whose inner work is those few steps: 200,000 seekers × 50,000 openings take about 2 s on 2 cores
(bench/RESULTS-matching.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from chunnuan.config.campaign import Campaign

LOCAL, AWAY = "本地就业", "外出务工"
TIER_NAMES = {1: "县内", 2: "市内", 3: "省内", 4: "省外"}
SEEKER_COLUMNS = ("id_number", "seek_county_code", "seek_city_code", "priority_groups", "job_need", "desired_trade")
OPENING_COLUMNS = ("opening_id", "uscc", "enterprise", "county_code", "city_code", "province_code", "trade",
                   "headcount", "wage_min", "wage_max", "key_enterprise", "closing_date")
LIST_COLUMNS = ["id_number", "rank", "opening_id", "tier", "tier_name"]
UNMATCHED_COLUMNS = ["id_number", "reason_code", "reason"]
LOAD_COLUMNS = ["opening_id", "headcount", "capacity", "listed", "offered"]
EMPLOYER_COLUMNS = ["county_code", "rank", "uscc", "enterprise", "seekers", "positions", "trades", "key_enterprise"]

_ANY = -1  # trade index of the "any trade" lists
_YES = {True: True, False: False, "是": True, "否": False, "true": True, "false": False}  # 1 and 0 hash as True and False


@dataclass(frozen=True)
class Matches:
    lists: pd.DataFrame
    unmatched: pd.DataFrame
    load: pd.DataFrame
    as_of: dt.date
    list_length: int
    candidates_per_place: int

    def summary(self) -> dict:
        """Counts for logs and the gate."""
        matched = self.lists["id_number"].nunique()
        return {
            "seekers": int(matched + len(self.unmatched)),
            "matched": int(matched),
            "unmatched": int(len(self.unmatched)),
            "list_rows": int(len(self.lists)),
            "full_lists": int((self.lists.groupby("id_number").size() == self.list_length).sum()),
            "by_tier": {TIER_NAMES[t]: int(n) for t, n in self.lists["tier"].value_counts().sort_index().items()},
            "unmatched_by_reason": {k: int(n) for k, n in self.unmatched["reason_code"].value_counts().items()},
            "openings_listed": int((self.load["listed"] > 0).sum()),
            "openings_full": int(((self.load["listed"] >= self.load["capacity"]) & self.load["offered"]).sum()),
        }


# ---------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} 缺少列：{', '.join(missing)}")


def _text(values: pd.Series) -> pd.Series:
    """Stripped strings; None/NA/"" -> NA."""
    out = values.astype("string").str.strip()
    return out.mask(out == "")


def _as_bool(values: pd.Series) -> np.ndarray:
    if values.dtype == bool:
        return values.to_numpy()
    mapped = values.map(lambda v: _YES.get(v.strip().lower() if isinstance(v, str) else v))
    if mapped.isna().any():
        bad = sorted({str(v) for v in values[mapped.isna()]})
        raise ValueError(f"key_enterprise 应为 是/否 或 True/False，实际有：{'、'.join(bad[:5])}")
    return mapped.astype(bool).to_numpy()


def _codes(values: pd.Series) -> np.ndarray:
    """6-digit codes as int64; anything else -> -1."""
    text = _text(values)
    ok = text.str.fullmatch(r"\d{6}").fillna(False).to_numpy(dtype=bool)
    out = np.full(len(text), -1, dtype=np.int64)
    out[ok] = text[ok].astype("int64").to_numpy()
    return out


@dataclass(frozen=True)
class _Openings:
    frame: pd.DataFrame  # open openings in rank order
    trade: np.ndarray  # index into trades
    county: np.ndarray
    city: np.ndarray
    province: np.ndarray
    trades: list[str]


def _prepare_openings(openings: pd.DataFrame, as_of: dt.date) -> tuple[_Openings, np.ndarray]:
    _require(openings, OPENING_COLUMNS, "岗位表")
    if openings["opening_id"].duplicated().any():
        dup = openings.loc[openings["opening_id"].duplicated(), "opening_id"].head(5).tolist()
        raise ValueError(f"岗位表中 opening_id 重复：{dup}")
    headcount = pd.to_numeric(openings["headcount"], errors="coerce")
    if headcount.isna().any() or (headcount < 1).any() or (headcount % 1 != 0).any():
        raise ValueError("岗位表中 headcount 应为不小于 1 的整数")
    wages = openings[["wage_min", "wage_max"]].apply(pd.to_numeric, errors="coerce")
    if wages.isna().any().any():
        raise ValueError("岗位表中有岗位未填工资（wage_min / wage_max）")
    trade = _text(openings["trade"])
    if trade.isna().any():
        raise ValueError("岗位表中有岗位未填工种（trade）")
    closing = pd.to_datetime(openings["closing_date"], errors="coerce")
    offered = (closing.isna() | (closing >= pd.Timestamp(as_of))).to_numpy()

    frame = pd.DataFrame({
        "opening_id": openings["opening_id"].to_numpy(),
        "trade": trade.to_numpy(dtype=object),
        "headcount": headcount.astype("int64").to_numpy(),
        "wage_min": wages["wage_min"].to_numpy(),
        "wage_max": wages["wage_max"].to_numpy(),
        "key": _as_bool(openings["key_enterprise"]),
        "county": _codes(openings["county_code"]),
        "city": _codes(openings["city_code"]),
        "province": _codes(openings["province_code"]),
    })[offered]
    order = np.lexsort((frame["opening_id"].to_numpy(), -frame["wage_min"].to_numpy(),
                        -frame["wage_max"].to_numpy(), ~frame["key"].to_numpy()))
    frame = frame.iloc[order].reset_index(drop=True)
    trade_index, trades = pd.factorize(frame["trade"], sort=True)
    return _Openings(frame, trade_index.astype(np.int64), frame["county"].to_numpy(), frame["city"].to_numpy(),
                     frame["province"].to_numpy(), list(trades)), offered


def seeking_places(workers: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    """Where each seeker wants to work, as seek_county_code / seek_city_code: 本省籍 seeking 本地就业, and
    本省籍 going to work outside the province (offered what is near home first), from the home county;
    everyone else from the work place in the province they name — its county, or where the survey names
    only the city, the city (no county list then: 市内 is the nearest tier). Input: survey_worker columns
    native, job_need, home_county_code, home_city_code, work_city_code, work_county_code."""
    prefix = campaign.province_code[:2]
    works_here = workers["work_city_code"].astype("string").str.startswith(prefix).fillna(False).astype(bool)
    native = workers["native"].astype("boolean").fillna(True).astype(bool)
    from_work = works_here & ~(native & (workers["job_need"] == LOCAL))
    work_county = workers["work_county_code"].astype("string").fillna(workers["work_city_code"].astype("string"))
    return pd.DataFrame({
        "seek_county_code": workers["home_county_code"].astype("string").where(~from_work, work_county),
        "seek_city_code": workers["home_city_code"].astype("string").where(~from_work,
                                                                          workers["work_city_code"].astype("string")),
    }, index=workers.index)


def _prepare_seekers(seekers: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    _require(seekers, SEEKER_COLUMNS, "求职者表")
    ids = seekers["id_number"].astype("string").str.strip()
    if ids.isna().any():
        raise ValueError("求职者表中有 id_number 为空的行")
    if ids.duplicated().any():
        raise ValueError(f"求职者表中 id_number 重复：{ids[ids.duplicated()].head(5).tolist()}")
    county = _codes(seekers["seek_county_code"])
    city = _codes(seekers["seek_city_code"])
    city = np.where((city < 0) & (county >= 0), county // 100 * 100, city)
    trade = _text(seekers["desired_trade"])
    frame = pd.DataFrame({
        "id_number": ids.to_numpy(dtype=object),
        "county": county,
        "city": city,
        "province": np.where(county >= 0, county // 10000 * 10000, -1),
        "priority": seekers["priority_groups"].fillna("").ne("").to_numpy(),
        "job_need": _text(seekers["job_need"]).to_numpy(dtype=object),
        "trade": trade.to_numpy(dtype=object),
    })
    frame["has_trade"] = trade.notna().to_numpy()
    # Order of service: priority groups, then seekers naming a trade, then id_number.
    frame["_not_priority"], frame["_no_trade"] = ~frame["priority"], ~frame["has_trade"]
    frame = frame.sort_values(["_not_priority", "_no_trade", "id_number"], kind="stable", ignore_index=True)
    return frame.drop(columns=["_not_priority", "_no_trade"])


# ---------------------------------------------------------------------------------------------------
# Ranked lists per (trade or any) × area, flattened with a sentinel after each
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Lists:
    ids: list[int]  # opening index per position; the sentinel (index m) ends every list
    start: dict[tuple[int, int, int], int]  # (level 0-3, trade or _ANY, area) -> first position
    length: dict[tuple[int, int, int], int]
    places: dict[tuple[int, int, int], int]  # Σ headcount of the list's openings


def _build_lists(op: _Openings) -> _Lists:
    m = len(op.trade)
    rank = np.arange(m, dtype=np.int64)
    headcount = op.frame["headcount"].to_numpy()
    ids: list[int] = []
    start: dict[tuple[int, int, int], int] = {}
    length: dict[tuple[int, int, int], int] = {}
    places: dict[tuple[int, int, int], int] = {}
    for level, area in enumerate((op.county, op.city, op.province, np.zeros(m, dtype=np.int64))):
        for trade in (op.trade, np.full(m, _ANY, dtype=np.int64)):
            order = np.lexsort((rank, area, trade))  # groups in rank order
            t, a = trade[order], area[order]
            cut = np.flatnonzero((np.diff(t) != 0) | (np.diff(a) != 0)) + 1
            bounds = np.r_[0, cut, m] if m else np.array([0], dtype=np.int64)
            sums = np.add.reduceat(headcount[order], bounds[:-1]) if m else []
            for lo, hi, total in zip(bounds[:-1].tolist(), bounds[1:].tolist(), list(sums), strict=True):
                key = (level, int(t[lo]), int(a[lo]))
                start[key], length[key], places[key] = len(ids), hi - lo, int(total)
                ids.extend(order[lo:hi].tolist())
                ids.append(m)
    return _Lists(ids, start, length, places)


# ---------------------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------------------


def _plans(groups: pd.DataFrame, op: _Openings, lists: _Lists) -> list[list[tuple]]:
    """Per seeker group: the (tier, first position, skip array, skip value) of each list to walk."""
    skips = (None, op.county.tolist(), op.city.tolist(), op.province.tolist())
    plans = []
    for county, city, province, trade, away in groups.itertuples(index=False, name=None):
        plan = []
        if trade != -2:  # -2: a trade no open opening has
            areas = (county, city, province, 0)
            below = (None, county, city, province)
            for level in range(4 if away else 3):
                first = lists.start.get((level, trade, areas[level]))
                if first is not None:
                    plan.append((level + 1, first, skips[level], below[level]))
        plans.append(plan)
    return plans


def _serve(group_of: np.ndarray, plans: list[list[tuple]], ids: list[int], capacity: list[int],
           list_length: int) -> tuple[list[int], list[int], list[int]]:
    """Serve seekers in order: each takes the first list_length openings of his plan that have room."""
    nxt = list(range(1, len(ids) + 1))  # position -> a position no later than the next one with room

    def find(i: int) -> int:
        j = i
        while capacity[ids[j]] == 0:
            j = nxt[j]
        while i != j:  # path compression: every position passed is exhausted for good
            nxt[i], i = j, nxt[i]
        return j

    sentinel = len(capacity) - 1
    seeker_out: list[int] = []
    opening_out: list[int] = []
    tier_out: list[int] = []
    for seeker, group in enumerate(group_of.tolist()):
        got = 0
        for tier, first, skip, own in plans[group]:
            i = first
            o = ids[i]
            if capacity[o] == 0:
                i = find(i)
                o = ids[i]
            while o != sentinel:
                # Openings of a narrower area than this tier's were offered in an earlier tier: those
                # still with room are on this seeker's list already.
                if skip is None or skip[o] != own:
                    seeker_out.append(seeker)
                    opening_out.append(o)
                    tier_out.append(tier)
                    capacity[o] -= 1
                    got += 1
                    if got == list_length:
                        break
                i += 1
                o = ids[i]
                if capacity[o] == 0:  # the call only when an exhausted opening is in the way
                    i = find(i)
                    o = ids[i]
            if got == list_length:
                break
    return seeker_out, opening_out, tier_out


def _reason(need: object, trade_name: object, county: int, province: int, trade: int, away: bool,
            lists: _Lists, cpp: int) -> tuple[str, str]:
    if need not in (LOCAL, AWAY):
        shown = need if isinstance(need, str) else "未填"
        return "no_job_need", f"求职意向为「{shown}」，只为本地就业、外出务工的求职者推荐岗位"
    if county < 0:
        return "no_home", "户籍县（市、区）或务工地代码缺失或有误，无法按距离推荐岗位，请核实户籍地和务工地"
    scope = "省内外均" if away else "本县及全省"
    what = f"「{trade_name}」" if isinstance(trade_name, str) else ""
    key = (3, trade, 0) if away else (2, trade, province)
    count = lists.length.get(key, 0) if trade != -2 else 0
    if count == 0:
        hint = {(True, False): "，可引导调整求职工种或选择外出务工", (True, True): "，可引导调整求职工种",
                (False, False): "，可引导选择外出务工", (False, True): ""}[(bool(what), away)]
        return "no_openings", f"{scope}暂无{what}岗位空缺{hint}"
    scope = "省内外" if away else "本县及全省"
    return "full", (f"{what or '各工种'}岗位名额已推荐满（{scope}{count}个岗位、{lists.places[key]}个名额，"
                    f"每个名额已推荐{cpp}人），可动员企业增加岗位或引导调整求职工种")


def _reasons(seekers: pd.DataFrame, rows: np.ndarray, group_keys: pd.DataFrame, group_of: np.ndarray,
             lists: _Lists, cpp: int) -> pd.DataFrame:
    """Why each seeker without a list row got none, in words a clerk can act on (one text per kind)."""
    out = seekers.loc[rows, ["id_number", "job_need", "trade", "county"]].reset_index(drop=True)
    out["group"] = group_of[rows]
    kinds = out[["group", "job_need", "trade"]].astype({"job_need": object, "trade": object}).fillna("\0")
    kind = kinds.groupby(["group", "job_need", "trade"], sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(out))).groupby(kind).first().to_numpy()
    keys = group_keys.to_numpy(dtype=object)
    found = [
        _reason(need, trade_name, county, keys[g][2], keys[g][3], keys[g][4], lists, cpp)
        for need, trade_name, county, g in out.loc[first, ["job_need", "trade", "county", "group"]].itertuples(
            index=False, name=None)
    ]
    codes = np.array([c for c, _ in found] or [""], dtype=object)
    texts = np.array([t for _, t in found] or [""], dtype=object)
    out["reason_code"], out["reason"] = codes[kind], texts[kind]
    return out.sort_values("id_number", ignore_index=True)[UNMATCHED_COLUMNS]


def match(seekers: pd.DataFrame, openings: pd.DataFrame, campaign: Campaign, as_of: dt.date) -> Matches:
    """Lists of openings per seeker under the rules of the module docstring."""
    rules = campaign.job_fairs.matching
    op, offered = _prepare_openings(openings, as_of)
    lists = _build_lists(op)
    people = _prepare_seekers(seekers, campaign)

    trade_of = {t: i for i, t in enumerate(op.trades)}
    trade = np.where(people["has_trade"], people["trade"].map(trade_of).fillna(-2), _ANY).astype(np.int64)
    valid = people["job_need"].isin([LOCAL, AWAY]).to_numpy() & (people["county"].to_numpy() >= 0)
    keys = pd.DataFrame({"county": people["county"], "city": people["city"], "province": people["province"],
                         "trade": np.where(valid, trade, -2), "away": people["job_need"].to_numpy() == AWAY})
    group_of, group_keys = _factorize_rows(keys)
    plans = _plans(group_keys, op, lists)

    m = len(op.trade)
    capacity = (op.frame["headcount"].to_numpy() * rules.candidates_per_place).tolist() + [1 << 62]
    seeker_at, opening_at, tier = _serve(group_of, plans, lists.ids, capacity, rules.list_length)

    seeker_at = np.asarray(seeker_at, dtype=np.int64)
    opening_at = np.asarray(opening_at, dtype=np.int64)
    tier = np.asarray(tier, dtype=np.int64)
    rank = _rank_in_runs(seeker_at)
    id_order = np.argsort(people["id_number"].to_numpy(), kind="stable")  # seeker -> position by id_number
    by_id = np.empty(len(people), dtype=np.int64)
    by_id[id_order] = np.arange(len(people))
    order = np.lexsort((rank, by_id[seeker_at])) if len(seeker_at) else seeker_at
    tier_names = np.array([None, *TIER_NAMES.values()], dtype=object)
    result = pd.DataFrame({
        "id_number": people["id_number"].to_numpy()[seeker_at[order]],
        "rank": rank[order],
        "opening_id": op.frame["opening_id"].to_numpy()[opening_at[order]],
        "tier": tier[order],
        "tier_name": tier_names[tier[order]],
    })

    listed_seekers = np.zeros(len(people), dtype=bool)
    listed_seekers[seeker_at] = True
    unmatched = _reasons(people, np.flatnonzero(~listed_seekers), group_keys, group_of, lists,
                         rules.candidates_per_place)

    listed = pd.Series(np.bincount(opening_at, minlength=m)[:m], index=op.frame["opening_id"].to_numpy())
    headcount = pd.to_numeric(openings["headcount"]).astype("int64").to_numpy()
    load = pd.DataFrame({
        "opening_id": openings["opening_id"].to_numpy(),
        "headcount": headcount,
        "capacity": headcount * rules.candidates_per_place,
        "listed": listed.reindex(openings["opening_id"].to_numpy(), fill_value=0).to_numpy(),
        "offered": offered,
    }).sort_values("opening_id", ignore_index=True)
    return Matches(result, unmatched, load, as_of, rules.list_length, rules.candidates_per_place)


def _factorize_rows(keys: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    codes = keys.groupby(list(keys.columns), sort=True).ngroup().to_numpy()
    unique = keys.drop_duplicates().assign(_g=lambda f: codes[f.index]).sort_values("_g")
    return codes, unique.drop(columns="_g").reset_index(drop=True)


def _rank_in_runs(seeker_at: np.ndarray) -> np.ndarray:
    """1, 2, … within each run of equal seekers (rows of one seeker are consecutive)."""
    if len(seeker_at) == 0:
        return seeker_at.copy()
    starts = np.r_[0, np.flatnonzero(np.diff(seeker_at)) + 1]
    return np.arange(len(seeker_at)) - np.repeat(starts, np.diff(np.r_[starts, len(seeker_at)])) + 1


# ---------------------------------------------------------------------------------------------------
# Checks and uses of the result
# ---------------------------------------------------------------------------------------------------


def over_promised(matches: Matches, openings: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    """Openings listed for more seekers than headcount × candidates_per_place, counted from the lists
    themselves (not from matches.load). An opening_id not in `openings` counts with headcount 0."""
    cpp = campaign.job_fairs.matching.candidates_per_place
    listed = matches.lists.groupby("opening_id").size().rename("listed").reset_index()
    known = openings[["opening_id", "uscc", "enterprise", "trade", "headcount"]]
    out = listed.merge(known, on="opening_id", how="left")
    out["headcount"] = out["headcount"].fillna(0).astype("int64")
    out["capacity"] = out["headcount"] * cpp
    bad = out[out["listed"] > out["capacity"]]
    return bad[["opening_id", "uscc", "enterprise", "trade", "headcount", "capacity", "listed"]].sort_values(
        "opening_id", ignore_index=True)


def employers_by_county(matches: Matches, seekers: pd.DataFrame, openings: pd.DataFrame,
                        limit: int) -> pd.DataFrame:
    """Per county where seekers want to work, the enterprises to invite to its job fair: those whose openings were listed
    for the county's seekers, by the number of the county's seekers listing any of them (desc), then key
    enterprise first, then uscc. positions = Σ headcount of the enterprise's openings listed there;
    trades = their trades joined with 、 (sorted). At most `limit` per county."""
    home = seekers[["id_number", "seek_county_code"]].astype({"id_number": "string"})
    rows = matches.lists[["id_number", "opening_id"]].astype({"id_number": "string"}).merge(
        home, on="id_number", how="inner").rename(columns={"seek_county_code": "county_code"})
    info = openings[["opening_id", "uscc", "enterprise", "trade", "headcount", "key_enterprise"]].copy()
    info["key_enterprise"] = _as_bool(info["key_enterprise"])
    rows = rows.merge(info, on="opening_id", how="inner")
    grouped = rows.groupby(["county_code", "uscc"])
    table = pd.concat([grouped["id_number"].nunique().rename("seekers"), grouped["enterprise"].first(),
                       grouped["key_enterprise"].any()], axis=1).reset_index()
    table = table.sort_values(["county_code", "seekers", "key_enterprise", "uscc"],
                              ascending=[True, False, False, True], ignore_index=True)
    table["rank"] = table.groupby("county_code").cumcount() + 1
    table = table[table["rank"] <= limit]
    # Positions and trades only for the enterprises invited.
    chosen = rows.drop_duplicates(["county_code", "opening_id"]).merge(
        table[["county_code", "uscc"]], on=["county_code", "uscc"])
    per = chosen.groupby(["county_code", "uscc"])
    extra = pd.concat([per["headcount"].sum().rename("positions"),
                       per["trade"].agg(lambda t: "、".join(sorted(set(t)))).rename("trades")], axis=1)
    table = table.merge(extra.reset_index(), on=["county_code", "uscc"], how="left")
    return table.astype({"seekers": "int64", "positions": "int64", "rank": "int64"})[EMPLOYER_COLUMNS].reset_index(
        drop=True)
