"""Matching job seekers to openings (chunnuan.job_fairs.matching) and the synthetic openings (chunnuan.synth.openings)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
from stdnum.cn import uscc

from chunnuan.common import idcodes
from chunnuan.config import campaign, divisions
from chunnuan.config.campaign import Matching
from chunnuan.job_fairs.matching import TIER_NAMES, employers_by_county, match, over_promised
from chunnuan.synth import openings as opening_synth
from chunnuan.synth.places import DESTINATIONS

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")
AS_OF = dt.date(2024, 2, 1)
OPEN = dt.date(2024, 3, 1)
PINGNAN, GUIPING, GANGBEI = "450821", "450881", "450802"  # 贵港市 450800
XINGNING = "450102"  # 南宁市 450100
NANSHAN, TIANHE = "440305", "440106"  # 广东省: 深圳市, 广州市


def rules(the_campaign=GX, list_length=5, candidates_per_place=3, invite_per_fair=30):
    new = Matching(list_length=list_length, candidates_per_place=candidates_per_place,
                   invite_per_fair=invite_per_fair)
    return the_campaign.model_copy(
        update={"job_fairs": the_campaign.job_fairs.model_copy(update={"matching": new})})


def seeker(id_number, county=PINGNAN, need="外出务工", trade="电工", groups=""):
    return {"id_number": id_number, "seek_county_code": county, "seek_city_code": county[:4] + "00",
            "priority_groups": groups, "job_need": need, "desired_trade": trade}


def opening(opening_id, county=PINGNAN, trade="电工", headcount=10, wage=(4000, 5000), key=False, closing=OPEN,
            uscc_code=None, enterprise=None):
    code = uscc_code or f"914500000000{opening_id:05d}X"
    return {"opening_id": opening_id, "uscc": code, "enterprise": enterprise or f"企业{opening_id}",
            "county_code": county, "city_code": county[:4] + "00", "province_code": county[:2] + "0000",
            "trade": trade, "headcount": headcount, "wage_min": wage[0], "wage_max": wage[1],
            "key_enterprise": key, "closing_date": closing}


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def listed(result, id_number) -> list[int]:
    return result.lists.loc[result.lists["id_number"] == id_number, "opening_id"].tolist()


# ---------------------------------------------------------------------------------------------------
# A plain restatement of the documented rules: every candidate of every seeker sorted, one by one.
# ---------------------------------------------------------------------------------------------------


def reference(seekers: pd.DataFrame, openings: pd.DataFrame, the_campaign, as_of) -> pd.DataFrame:
    rule = the_campaign.job_fairs.matching
    ops = [o for o in openings.to_dict("records") if o["closing_date"] >= as_of]
    room = {o["opening_id"]: o["headcount"] * rule.candidates_per_place for o in ops}
    people = seekers.to_dict("records")
    people.sort(key=lambda s: (s["priority_groups"] == "",
                               s["desired_trade"] is None, s["id_number"]))
    rows = []
    for s in people:
        def tier(o, s=s):
            if o["county_code"] == s["seek_county_code"]:
                return 1
            if o["city_code"] == s["seek_city_code"]:
                return 2
            return 3 if o["province_code"] == s["seek_county_code"][:2] + "0000" else 4

        candidates = [o for o in ops if (s["desired_trade"] is None or o["trade"] == s["desired_trade"])
                      and (s["job_need"] == "外出务工" or tier(o) < 4)]
        candidates.sort(key=lambda o: (tier(o), not o["key_enterprise"], -o["wage_max"], -o["wage_min"],
                                       o["opening_id"]))
        taken = [o for o in candidates if room[o["opening_id"]] > 0][: rule.list_length]
        for rank, o in enumerate(taken, 1):
            room[o["opening_id"]] -= 1
            rows.append((s["id_number"], rank, o["opening_id"], tier(o)))
    out = pd.DataFrame(rows, columns=["id_number", "rank", "opening_id", "tier"])
    return out.sort_values(["id_number", "rank"], ignore_index=True)


def random_case(seed: int, seekers=300, openings=60):
    rng = np.random.default_rng(seed)
    counties = [PINGNAN, GUIPING, GANGBEI, XINGNING, NANSHAN, TIANHE]
    trades = ["电工", "焊工", "保安员"]
    people = frame(
        seeker(f"4508{i:014d}", county=counties[rng.integers(4)], need=("本地就业", "外出务工")[rng.integers(2)],
               trade=(trades + [None])[rng.integers(4)], groups=("", "", "脱贫人口", "监测对象")[rng.integers(4)])
        for i in rng.permutation(seekers))
    days = [dt.date(2024, 1, 20), AS_OF, OPEN]
    ops = frame(
        opening(int(i), county=counties[rng.integers(6)], trade=trades[rng.integers(3)],
                headcount=int(rng.integers(1, 4)), wage=(int(rng.choice([3000, 3500])), int(rng.choice([5000, 6000]))),
                key=bool(rng.random() < 0.3), closing=days[rng.integers(3)])
        for i in rng.permutation(np.arange(1, openings + 1)))
    return people, ops


@pytest.mark.parametrize(("seed", "list_length", "per_place"), [(1, 5, 3), (2, 3, 1), (3, 5, 1), (4, 8, 2)])
def test_same_lists_as_the_rules_spelled_out_one_seeker_at_a_time(seed, list_length, per_place):
    people, ops = random_case(seed)
    the_campaign = rules(list_length=list_length, candidates_per_place=per_place)
    result = match(people, ops, the_campaign, AS_OF)
    expected = reference(people, ops, the_campaign, AS_OF)
    assert len(result.unmatched) > 0 and len(expected) > 0  # capacity binds in every case
    pd.testing.assert_frame_equal(result.lists[["id_number", "rank", "opening_id", "tier"]], expected,
                                  check_dtype=False)
    assert (result.lists["tier_name"] == result.lists["tier"].map(TIER_NAMES)).all()


# ---------------------------------------------------------------------------------------------------
# The rules one by one, on crafted examples
# ---------------------------------------------------------------------------------------------------

RANKING = frame([
    opening(10, PINGNAN, wage=(5000, 6000)),
    opening(2, PINGNAN, wage=(4000, 4500), key=True),  # key enterprise first within the tier
    opening(3, PINGNAN, wage=(5500, 6000)),  # same wage_max as 10, higher wage_min
    opening(9, PINGNAN, wage=(5000, 6000)),  # identical to 10: lower opening_id first
    opening(4, GUIPING, wage=(9000, 9500), key=True),  # 市内: after every 县内 opening
    opening(5, XINGNING, wage=(9000, 11000), key=True),  # 省内
    opening(1, NANSHAN, wage=(11000, 12000), key=True),  # 省外: last
    opening(6, PINGNAN, trade="焊工", wage=(9000, 12000), key=True),  # another trade: never
])


def test_ranking_tier_then_key_enterprise_then_wages_then_opening_id():
    result = match(frame([seeker("A")]), RANKING, rules(list_length=10), AS_OF)
    assert listed(result, "A") == [2, 3, 9, 10, 4, 5, 1]
    assert result.lists["rank"].tolist() == list(range(1, 8))
    assert result.lists["tier_name"].tolist() == ["县内"] * 4 + ["市内", "省内", "省外"]


def test_local_job_seekers_are_never_offered_openings_outside_the_province():
    result = match(frame([seeker("A", need="本地就业")]), RANKING, rules(list_length=10), AS_OF)
    assert listed(result, "A") == [2, 3, 9, 10, 4, 5]
    people, ops = random_case(5, seekers=400)
    lists = match(people, ops, GX, AS_OF).lists.merge(people, on="id_number")
    assert (lists["tier"] == 4).any() and not ((lists["tier"] == 4) & (lists["job_need"] == "本地就业")).any()


def test_list_length_respected_and_ranks_contiguous():
    result = match(frame([seeker("A"), seeker("B", trade=None)]), RANKING, rules(list_length=3), AS_OF)
    assert listed(result, "A") == [2, 3, 9]
    assert listed(result, "B") == [6, 2, 3]  # any trade: 焊工 key 6 first; A's openings still have room
    people, ops = random_case(6, seekers=200, openings=200)
    lists = match(people, ops, rules(list_length=4), AS_OF).lists
    per_seeker = lists.groupby("id_number")["rank"].agg(["count", "max", "min"])
    assert per_seeker["count"].max() == 4 and (per_seeker["max"] == per_seeker["count"]).all()
    assert (per_seeker["min"] == 1).all()


def test_seekers_without_a_trade_get_any_trade_but_after_those_who_asked():
    ops = frame([opening(1, headcount=1, trade="焊工"), opening(2, headcount=1, trade="电工", wage=(3000, 3500))])
    people = frame([seeker("1", trade=None), seeker("2", trade="焊工")])
    result = match(people, ops, rules(candidates_per_place=1), AS_OF)
    assert listed(result, "2") == [1]
    assert listed(result, "1") == [2]  # 焊工 opening 1 ranks first for him (higher wage) but is taken


def test_closed_openings_are_not_offered_closing_on_the_day_is():
    ops = frame([opening(1, closing=AS_OF - dt.timedelta(days=1), key=True), opening(2, closing=AS_OF),
                 opening(3, closing=None)])
    result = match(frame([seeker("A")]), ops, GX, AS_OF)
    assert listed(result, "A") == [2, 3]
    assert result.load.set_index("opening_id")["offered"].to_dict() == {1: False, 2: True, 3: True}


def test_headcount_times_candidates_per_place_caps_each_opening():
    ops = frame([opening(1, headcount=1, key=True), opening(2, headcount=2)])
    people = frame(seeker(f"{i:02d}") for i in range(10))
    result = match(people, ops, GX, AS_OF)  # candidates_per_place 3: 3 and 6 places on lists
    assert result.load.set_index("opening_id")[["capacity", "listed"]].to_dict("index") == {
        1: {"capacity": 3, "listed": 3}, 2: {"capacity": 6, "listed": 6}}
    assert listed(result, "00") == [1, 2] and listed(result, "03") == [2] and listed(result, "06") == []
    assert over_promised(result, ops, GX).empty
    people, ops = random_case(7, seekers=500)
    result = match(people, ops, GX, AS_OF)
    load = result.load
    assert (load["listed"] <= load["capacity"]).all() and (load["listed"] == load["capacity"]).any()
    assert over_promised(result, ops, GX).empty


def test_over_promised_finds_openings_listed_too_often():
    ops = frame([opening(1, headcount=1), opening(2, headcount=1)])
    result = match(frame(seeker(f"{i}") for i in range(5)), ops, GX, AS_OF)
    tampered = pd.concat([result.lists, result.lists[result.lists["opening_id"] == 2].head(1)])
    bad = over_promised(dataclasses.replace(result, lists=tampered), ops, GX)
    assert bad[["opening_id", "capacity", "listed"]].values.tolist() == [[2, 3, 4]]


def test_priority_groups_are_served_first_when_places_are_short():
    ops = frame([opening(1, headcount=1)])  # 3 places on lists
    people = frame([seeker("1"), seeker("5", groups="脱贫人口"), seeker("2", groups="监测对象", trade=None),
                    seeker("3"), seeker("4", groups="脱贫人口、就业困难农村劳动力")])
    result = match(people, ops, GX, AS_OF)
    # 脱贫人口/监测对象 with a trade (by id), then those without one, then everybody else.
    assert sorted(result.lists["id_number"]) == ["2", "4", "5"]
    assert result.unmatched["id_number"].tolist() == ["1", "3"]
    assert (result.unmatched["reason_code"] == "full").all()


def test_same_result_whatever_the_row_order():
    people, ops = random_case(8, seekers=400)
    first = match(people, ops, GX, AS_OF)
    again = match(people.sample(frac=1, random_state=3).set_axis(range(100, 500)),
                  ops.sample(frac=1, random_state=4), GX, AS_OF)
    for a, b in ((first.lists, again.lists), (first.unmatched, again.unmatched), (first.load, again.load)):
        pd.testing.assert_frame_equal(a, b)


def test_every_seeker_is_either_listed_or_unmatched_with_a_reason():
    people, ops = random_case(9, seekers=500)
    people.loc[0, "job_need"] = "无"
    people.loc[1, "seek_county_code"] = "45"
    result = match(people, ops, GX, AS_OF)
    on_lists, unmatched = set(result.lists["id_number"]), set(result.unmatched["id_number"])
    assert on_lists.isdisjoint(unmatched) and on_lists | unmatched == set(people["id_number"])
    assert result.unmatched["reason"].str.len().gt(5).all()
    assert result.summary()["seekers"] == 500


def test_unmatched_reasons_name_the_trade_and_what_to_do():
    ops = frame([opening(1, NANSHAN, trade="缝纫工"), opening(2, headcount=1), opening(3, XINGNING, trade="焊工")])
    people = frame([
        seeker("a", trade="茶艺师", need="本地就业"),
        seeker("b", trade="缝纫工", need="本地就业"),  # only in 广东: not for a local job seeker …
        seeker("c", trade="缝纫工", need="外出务工"),  # … but for one going out
        seeker("d", trade="茶艺师", need="外出务工"),
        *(seeker(f"e{i}", need="本地就业") for i in range(1, 5)),  # 3 places of opening 2: e4 gets none
        seeker("f", need="无"),
        seeker("g", county=""),
    ])
    result = match(people, ops, GX, AS_OF)
    reasons = result.unmatched.set_index("id_number")
    assert reasons["reason_code"].to_dict() == {"a": "no_openings", "b": "no_openings", "d": "no_openings",
                                                "e4": "full", "f": "no_job_need", "g": "no_home"}
    assert reasons.loc["a", "reason"].startswith("本县及全省暂无「茶艺师」岗位空缺")
    assert reasons.loc["b", "reason"].startswith("本县及全省暂无「缝纫工」岗位空缺")
    assert reasons.loc["d", "reason"].startswith("省内外均暂无「茶艺师」岗位空缺")
    assert reasons.loc["e4", "reason"].startswith("「电工」岗位名额已推荐满（本县及全省1个岗位、1个名额，每个名额已推荐3人）")
    assert "「无」" in reasons.loc["f", "reason"] and "户籍" in reasons.loc["g", "reason"]
    assert listed(result, "c") == [1]


def test_bad_inputs_are_refused():
    ops = frame([opening(1), opening(1)])
    with pytest.raises(ValueError, match="opening_id 重复"):
        match(frame([seeker("A")]), ops, GX, AS_OF)
    with pytest.raises(ValueError, match="id_number 重复"):
        match(frame([seeker("A"), seeker("A")]), frame([opening(1)]), GX, AS_OF)
    with pytest.raises(ValueError, match="headcount"):
        match(frame([seeker("A")]), frame([opening(1, headcount=0)]), GX, AS_OF)
    with pytest.raises(ValueError, match="工资"):
        match(frame([seeker("A")]), frame([opening(1, wage=(None, 5000))]), GX, AS_OF)


# ---------------------------------------------------------------------------------------------------
# Employers to invite per county
# ---------------------------------------------------------------------------------------------------


def test_employers_by_county_ranked_by_seekers_then_key_enterprise_then_uscc():
    ent = {"E1": "91450821MA00000001", "E2": "91450821MA00000009", "E3": "91450821MA00000002",
           "E4": "91450821MA00000003"}
    ops = frame([
        opening(1, trade="电工", headcount=2, uscc_code=ent["E1"], enterprise="E1", wage=(6000, 7000)),
        opening(2, trade="焊工", headcount=5, uscc_code=ent["E1"], enterprise="E1", wage=(6000, 7000)),
        opening(3, trade="保安员", headcount=1, uscc_code=ent["E2"], enterprise="E2", key=True),
        opening(4, trade="钢筋工", headcount=4, uscc_code=ent["E3"], enterprise="E3"),
        opening(5, trade="缝纫工", headcount=3, uscc_code=ent["E4"], enterprise="E4"),
        opening(6, trade="电工", headcount=1, uscc_code=ent["E4"], enterprise="E4"),  # listed in 桂平 only
    ])
    people = frame([seeker("p1", trade="电工"), seeker("p2", trade="焊工"), seeker("p3", trade="焊工"),
                    seeker("p4", trade="保安员"), seeker("p5", trade="保安员"), seeker("p6", trade="钢筋工"),
                    seeker("p7", trade="钢筋工"), seeker("p8", trade="缝纫工"), seeker("p9", trade="缝纫工"),
                    seeker("q1", GUIPING, trade="电工", need="本地就业")])
    result = match(people, ops, rules(list_length=1), AS_OF)
    table = employers_by_county(result, people, ops, limit=3)
    pingnan = table[table["county_code"] == PINGNAN]
    assert pingnan["enterprise"].tolist() == ["E1", "E2", "E3"]  # E4 (2 seekers, not key, uscc after E3) cut
    assert pingnan["rank"].tolist() == [1, 2, 3] and pingnan["seekers"].tolist() == [3, 2, 2]
    assert pingnan.iloc[0][["positions", "trades"]].tolist() == [7, "焊工、电工"]
    guiping = table[table["county_code"] == GUIPING]
    assert guiping[["rank", "enterprise", "seekers", "positions", "trades"]].values.tolist() == [[1, "E1", 1, 2, "电工"]]


# ---------------------------------------------------------------------------------------------------
# Synthetic openings
# ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic():
    return {c.id: opening_synth.openings(c, 3000, 11) for c in (GX, SD)}


@pytest.mark.parametrize("the_campaign", [GX, SD], ids=lambda c: c.id)
def test_synthetic_openings_are_valid_form_rows(synthetic, the_campaign):
    rows = synthetic[the_campaign.id]
    assert list(rows.columns) == opening_synth.COLUMNS and len(rows) == 3000
    assert rows["uscc"].map(uscc.is_valid).all()
    body = rows["uscc"].str[8:17]  # GB 11714 organisation code with its own check character
    assert (body.map(lambda b: idcodes.organisation_code(b[:8])) == body).all()
    assert (rows["uscc"].str[2:8] == rows["county_code"]).all()
    pairs = rows[["uscc", "enterprise"]].drop_duplicates()
    assert pairs["uscc"].is_unique and pairs["enterprise"].is_unique and len(pairs) < len(rows) * 0.7
    assert not rows.duplicated(["uscc", "county_code", "trade"]).any()  # the intake's key
    for code, label in rows[["county_code", "county"]].drop_duplicates().itertuples(index=False):
        assert divisions.province(code[:2] + "0000").county_label(code) == label
        assert rows.loc[rows["county_code"] == code, "reporting_unit"].iloc[0] == (
            divisions.all_divisions()[code].name + "人力资源和社会保障局")
    home = rows["county_code"].str[:2] == the_campaign.province_code[:2]
    assert 0.8 < home.mean() < 0.9
    assert set(rows.loc[home, "county"].map(divisions.province(the_campaign.province_code).county_names)) == set(
        rows.loc[home, "county_code"])
    assert set(rows["trade"]) <= {*the_campaign.training.trades, *opening_synth.JOB_ONLY_TRADES}
    assert ((rows["wage_min"] <= rows["wage_max"]) & (rows["wage_min"] >= 2500) & (rows["wage_max"] <= 12000)).all()
    assert rows["headcount"].between(1, 200).all() and rows["headcount"].median() <= 10
    window = the_campaign.job_fairs.window
    assert rows["reported_on"].map(lambda d: d in window).all()
    assert (rows["closing_date"] >= rows["reported_on"]).all()
    assert (rows["closing_date"] <= window.end + dt.timedelta(days=14)).all()
    assert set(rows["key_enterprise"]) == {"是", "否"}
    # Outside openings are in the province's usual destinations (广东… for Guangxi, 江苏、北京… for Shandong).
    usual = {divisions.provinces_by_name()[p].code[:2] for p, _, _ in DESTINATIONS[the_campaign.province_code]}
    outside = set(rows.loc[~home, "county_code"].str[:2])
    assert "44" in outside and outside <= usual - {the_campaign.province_code[:2]}
    assert the_campaign is GX or {"11", "32"} <= outside


def test_synthetic_openings_are_deterministic_and_feed_matching(synthetic):
    again = opening_synth.openings(GX, 3000, 11)
    pd.testing.assert_frame_equal(synthetic[GX.id], again)
    assert not opening_synth.openings(GX, 3000, 12)["uscc"].equals(again["uscc"])
    ops = opening_synth.as_match_input(again)
    assert ops["opening_id"].tolist() == list(range(1, 3001)) and ops["key_enterprise"].dtype == bool
    assert (ops["city_code"].str[:4] == ops["county_code"].str[:4]).all()
    province = divisions.province(GX.province_code)
    people = frame(seeker(f"{i:05d}", county=c, trade=t, need=n)
                   for i, (c, t, n) in enumerate(itertools.product(sorted(province.counties)[:20],
                                                                   [*GX.training.trades[:5], None],
                                                                   ["本地就业", "外出务工"])))
    result = match(people, ops, GX, dt.date(2024, 2, 10))
    assert len(result.lists) > 0 and over_promised(result, ops, GX).empty
    invited = employers_by_county(result, people, ops, GX.job_fairs.matching.invite_per_fair)
    assert invited.groupby("county_code").size().max() <= GX.job_fairs.matching.invite_per_fair
