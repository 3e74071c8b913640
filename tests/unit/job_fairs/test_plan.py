"""Job-fair rollout plan and its verifier, on crafted survey frames, for both campaign configurations."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from chunnuan.config import campaign, divisions
from chunnuan.config.campaign import DateRange
from chunnuan.job_fairs.plan import (
    COLUMNS,
    GENERAL,
    LIVESTREAM,
    ONSITE,
    POVERTY,
    SURVEY_COLUMNS,
    FairPlanError,
    check_plan,
    county_venues,
    general_fair_count,
    plan_fairs,
    spring_festival_break,
)

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")
BREAK_2024 = {dt.date(2024, 2, d) for d in range(10, 18)}  # 春节 Feb 10–16 + Saturday Feb 17
AFTER_BREAK = dt.date(2024, 2, 18)  # a Sunday, but a 调休 working day
PINGNAN, GUIPING, LIXIA = "450821", "450881", "370102"


def survey(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(SURVEY_COLUMNS))


# A county for each boundary: seekers at a step of seekers_per_extra_fair (300), poor at 30, away at 100.
SURVEYS = {
    "guangxi-2024": survey((PINGNAN, 1500, 30, 100), (GUIPING, 299, 29, 99), ("450802", 300, 0, 0),
                           ("450803", 1800, 31, 101), ("450804", 0, 0, 0)),
    "shandong-2024": survey((LIXIA, 1499, 30, 100), ("370103", 600, 29, 99), ("371122", 3000, 200, 500)),
}
CAMPAIGNS = {"guangxi-2024": GX, "shandong-2024": SD}


def with_window(c: campaign.Campaign, start: dt.date, end: dt.date) -> campaign.Campaign:
    fairs = c.job_fairs.model_copy(update={"window": DateRange(start=start, end=end)})
    return c.model_copy(update={"job_fairs": fairs})


@pytest.fixture(params=sorted(CAMPAIGNS), scope="module")
def case(request) -> tuple[campaign.Campaign, pd.DataFrame, pd.DataFrame]:
    c, frame = CAMPAIGNS[request.param], SURVEYS[request.param]
    return c, frame, plan_fairs(c, frame)


def of(fairs: pd.DataFrame, code: str, session: str | None = None) -> pd.DataFrame:
    mine = fairs[fairs["county_code"] == code]
    return mine if session is None else mine[mine["session"] == session]


# --- the break -------------------------------------------------------------------------------------

@pytest.mark.parametrize("c", [GX, SD], ids=["guangxi", "shandong"])
def test_break_is_spring_festival_plus_adjoining_weekend(c):
    assert spring_festival_break(c.job_fairs.window) == BREAK_2024


def test_break_stops_at_weekend_working_day_and_spans_weekend_inside():
    days = spring_festival_break(DateRange(start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31)))
    # 2025: 除夕 Jan 28 … Feb 4 (the weekend Feb 1–2 inside); Sunday Jan 26 and Saturday Feb 8 were working days.
    assert days == {dt.date(2025, 1, 28) + dt.timedelta(days=i) for i in range(8)}


def test_window_without_festival_has_no_break():
    assert spring_festival_break(DateRange(start=dt.date(2024, 3, 1), end=dt.date(2024, 4, 30))) == set()


# --- counts ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("seekers", "fairs"), [(0, 1), (299, 1), (300, 2), (1499, 5), (1500, 6), (1800, 6),
                                                (10**6, 6)])
def test_general_fair_count_formula(seekers, fairs):
    assert general_fair_count(GX.job_fairs, seekers) == fairs


def test_counts_and_thresholds_at_the_boundary_guangxi():
    fairs = plan_fairs(GX, SURVEYS["guangxi-2024"])
    # 1500 seekers -> 6, 30 poor -> 专场 (on top of max 6), 100 away -> 直播带岗
    assert len(of(fairs, PINGNAN, GENERAL)) == 6
    assert len(of(fairs, PINGNAN, POVERTY)) == 1 and len(of(fairs, PINGNAN, LIVESTREAM)) == 1
    # 299 seekers -> 1, 29 poor and 99 away: one below each threshold
    assert list(of(fairs, GUIPING)["session"]) == [GENERAL]
    assert len(of(fairs, "450802", GENERAL)) == 2  # 300 seekers: exactly one step
    assert len(of(fairs, "450803", GENERAL)) == 6  # 1800 seekers: capped at max
    assert list(of(fairs, "450804")["session"]) == [GENERAL]


def test_counts_and_thresholds_at_the_boundary_shandong():
    fairs = plan_fairs(SD, SURVEYS["shandong-2024"])
    assert len(of(fairs, LIXIA, GENERAL)) == 5  # 1 + 1499 // 300
    assert len(of(fairs, LIXIA, POVERTY)) == 1 and len(of(fairs, LIXIA, LIVESTREAM)) == 1
    assert sorted(of(fairs, "370103")["session"]) == [GENERAL] * 3  # 600 seekers; 29 poor, 99 away
    assert len(of(fairs, "371122")) == 6 + 1 + 1


# --- coverage, columns, names ----------------------------------------------------------------------

def test_every_county_covered_including_absent_ones(case):
    c, frame, fairs = case
    province = divisions.province(c.province_code)
    assert list(fairs.columns) == list(COLUMNS)
    assert set(fairs["county_code"]) == set(province.counties)
    absent = set(province.counties) - set(frame["county_code"])
    assert len(absent) > 100
    by_county = fairs[fairs["county_code"].isin(absent)].groupby("county_code")
    assert (by_county.size() == c.job_fairs.min_fairs_per_county).all()
    assert (fairs.loc[fairs["county_code"].isin(absent), "session"] == GENERAL).all()
    assert (fairs["city_code"] == fairs["county_code"].map(lambda k: province.city_of(k).code)).all()


def test_fair_numbers_titles_and_expected_seekers():
    fairs = plan_fairs(GX, SURVEYS["guangxi-2024"])
    assert fairs["fair_no"].is_unique
    mine = of(fairs, PINGNAN).reset_index(drop=True)
    assert list(mine["fair_no"]) == [f"{PINGNAN}-{n:02d}" for n in range(1, 9)]
    assert list(mine["fair_date"]) == sorted(mine["fair_date"])
    general = mine[mine["session"] == GENERAL]
    assert general.iloc[0]["title"] == "平南县2024年春风行动专场招聘会（第1场）"
    assert general.iloc[-1]["title"] == "平南县2024年春风行动专场招聘会（第6场）"
    assert int(general["expected_seekers"].sum()) == 1500
    assert of(mine, PINGNAN, POVERTY).iloc[0]["expected_seekers"] == 30
    assert of(mine, PINGNAN, LIVESTREAM).iloc[0]["expected_seekers"] == 100
    assert set(mine.loc[mine["mode"] == ONSITE, "venue"]) == {"平南人力资源市场"}
    assert of(mine, PINGNAN, LIVESTREAM).iloc[0]["venue"] == "贵港直播带岗基地"


def test_county_venues_unique_and_readable():
    for code in ("450000", "370000"):
        venues = county_venues(code)
        assert len(set(venues.values())) == len(venues) == len(divisions.province(code).counties)
    gx, sd = county_venues("450000"), county_venues("370000")
    assert gx["451123"] == "富川人力资源市场"  # 富川瑶族自治县
    assert gx["450202"] == "柳州城中区人力资源市场"
    assert sd["370103"] == "济南市中区人力资源市场" and sd["370402"] == "枣庄市中区人力资源市场"
    assert sd["371122"] == "莒县人力资源市场"


# --- dates -----------------------------------------------------------------------------------------

def test_dates_inside_window_and_never_in_break(case):
    c, _, fairs = case
    days = set(fairs["fair_date"])
    assert all(isinstance(d, dt.date) for d in days)
    assert all(c.job_fairs.window.start <= d <= c.job_fairs.window.end for d in days)
    assert not days & BREAK_2024


def test_onsite_after_break_spread_and_livestream_before(case):
    c, _, fairs = case
    onsite = fairs[fairs["mode"] == ONSITE]
    assert onsite["fair_date"].min() == AFTER_BREAK
    first = onsite.groupby("county_code")["fair_date"].min()
    assert (first == AFTER_BREAK).all()  # every county opens on the first day after the break
    for code, group in onsite.groupby("county_code"):
        if len(group) >= 5:  # spread over the window, not bunched into one week
            assert (group["fair_date"].max() - group["fair_date"].min()).days >= 14, code
            assert group["fair_date"].is_unique
    live = fairs[fairs["session"] == LIVESTREAM]
    assert len(live) >= 2 and (live["fair_date"] < min(BREAK_2024)).all()


def test_shared_studio_moves_livestreams_to_the_next_free_day():
    # Feb 1–9 before the break: 9 studio days for Guilin's 17 counties, all with seekers still away.
    c = with_window(GX, dt.date(2024, 2, 1), dt.date(2024, 3, 8))
    guilin = sorted(k for k in divisions.province("450000").counties if k.startswith("4503"))
    assert len(guilin) == 17
    fairs = plan_fairs(c, survey(*[(k, 0, 0, 100) for k in guilin]))
    live = fairs[fairs["session"] == LIVESTREAM].sort_values("county_code")
    assert set(live["venue"]) == {"桂林直播带岗基地"} and len(live) == 17
    assert live["fair_date"].is_unique
    before = [dt.date(2024, 2, d) for d in range(1, 10)]
    after = [AFTER_BREAK + dt.timedelta(days=i) for i in range(8)]
    assert list(live["fair_date"]) == before + after  # counties in code order, next free day each
    assert not fairs.duplicated(["venue", "fair_date"]).any()
    assert check_plan(fairs, survey(*[(k, 0, 0, 100) for k in guilin]), c) == []


def test_deterministic_for_shuffled_input(case):
    c, frame, fairs = case
    shuffled = frame.sample(frac=1, random_state=7)[list(reversed(SURVEY_COLUMNS))].reset_index(drop=True)
    assert not shuffled["county_code"].equals(frame["county_code"])
    pd.testing.assert_frame_equal(plan_fairs(c, shuffled), fairs)


# --- errors ----------------------------------------------------------------------------------------

def test_too_short_window_names_the_county_and_what_is_missing():
    c = with_window(GX, dt.date(2024, 2, 5), dt.date(2024, 2, 20))  # 3 days after the break
    with pytest.raises(FairPlanError) as err:
        plan_fairs(c, survey((PINGNAN, 1500, 30, 0)))
    text = str(err.value)
    assert "贵港市平南县" in text and "现场招聘会7场" in text and "只有3天" in text
    assert "桂平" not in text  # a county with one fair fits


def test_full_studio_raises():
    c = with_window(GX, dt.date(2024, 2, 15), dt.date(2024, 2, 20))  # 3 open days, 17 Guilin counties
    guilin = [k for k in divisions.province("450000").counties if k.startswith("4503")]
    with pytest.raises(FairPlanError, match="桂林直播带岗基地"):
        plan_fairs(c, survey(*[(k, 0, 0, 100) for k in guilin]))


def test_bad_survey_rows_raise():
    with pytest.raises(FairPlanError, match="370102"):
        plan_fairs(GX, survey((LIXIA, 10, 0, 0)))  # a Shandong county in the Guangxi survey
    with pytest.raises(FairPlanError, match="平南县"):
        plan_fairs(GX, survey((PINGNAN, 10, 0, 0), (PINGNAN, 20, 0, 0)))
    with pytest.raises(FairPlanError, match="away_seekers"):
        plan_fairs(GX, survey((PINGNAN, 10, 0, 0)).drop(columns="away_seekers"))


# --- the verifier ----------------------------------------------------------------------------------

def test_check_plan_accepts_generated_plan(case):
    c, frame, fairs = case
    assert check_plan(fairs, frame, c) == []


def test_check_plan_detects_shared_venue_on_one_day():
    frame = SURVEYS["guangxi-2024"]
    fairs = plan_fairs(GX, frame)
    second = fairs.index[fairs["fair_no"] == f"{PINGNAN}-03"][0]
    fairs.loc[second, "fair_date"] = AFTER_BREAK  # same day as 第1场, same venue
    problems = check_plan(fairs, frame, GX)
    assert problems == [f"2024-02-18「平南人力资源市场」安排了2场（{PINGNAN}-02、{PINGNAN}-03）："
                        "同一场地一天只能办一场，请把其余场次改到其他日期"]


def test_check_plan_detects_fair_moved_into_break():
    frame = SURVEYS["guangxi-2024"]
    fairs = plan_fairs(GX, frame)
    row = fairs.index[fairs["fair_no"] == f"{GUIPING}-01"][0]
    fairs.loc[row, "fair_date"] = dt.date(2024, 2, 17)  # the adjoining Saturday
    problems = check_plan(fairs, frame, GX)
    assert len(problems) == 1
    assert problems[0].startswith(f"{GUIPING}-01「桂平市2024年春风行动专场招聘会（第1场）」定于2024-02-17，正值春节假期")
    assert "2024-02-10至2024-02-17" in problems[0]


def test_check_plan_detects_deleted_county_and_missing_sessions():
    frame = SURVEYS["guangxi-2024"]
    fairs = plan_fairs(GX, frame)
    tampered = fairs[(fairs["county_code"] != "450804")
                     & ~((fairs["county_code"] == PINGNAN) & fairs["session"].isin([POVERTY, LIVESTREAM]))]
    problems = check_plan(tampered, frame, GX)
    assert len(problems) == 3
    deleted, poverty, live = problems  # counties in code order: 450804 覃塘区, then 450821 平南县
    assert deleted.startswith("贵港市覃塘区没有安排任何招聘会：每个县（市、区）至少应办1场现场招聘会")
    assert poverty.startswith("贵港市平南县脱贫人口（含监测对象）求职者30人，达到30人，应另办一场脱贫劳动力专场")
    assert live.startswith("贵港市平南县节前尚未返乡的求职者100人，达到100人，应安排一场直播带岗")


def test_check_plan_detects_short_count_window_and_numbers():
    frame = SURVEYS["guangxi-2024"]
    fairs = plan_fairs(GX, frame)
    last_general = fairs.index[(fairs["county_code"] == "450802") & (fairs["session"] == GENERAL)][-1]
    tampered = fairs.drop(index=last_general).copy()
    row = tampered.index[tampered["fair_no"] == f"{GUIPING}-01"][0]
    tampered.loc[row, "fair_date"] = dt.date(2024, 3, 9)  # one day after the window
    tampered.loc[tampered.index[0], "fair_no"] = tampered.iloc[1]["fair_no"]
    problems = check_plan(tampered, frame, GX)
    assert any("贵港市港北区有求职者300人" in p and "应办现场综合招聘会2场，计划只有1场" in p for p in problems)
    assert any(p.startswith(f"{GUIPING}-01") and "不在招聘会窗口2024-01-22至2024-03-08内" in p for p in problems)
    assert any(p.startswith(f"招聘会编号 {tampered.iloc[1]['fair_no']} 出现 2 次") for p in problems)
    assert len(problems) == 3


def test_check_plan_reports_missing_columns():
    problems = check_plan(pd.DataFrame({"fair_no": []}), SURVEYS["guangxi-2024"], GX)
    assert len(problems) == 1 and "缺少列" in problems[0] and "venue" in problems[0]
