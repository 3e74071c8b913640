"""Job-fair rollout plan (春风行动 专场招聘会 / 直播带岗): pure functions over frames, no database, no Airflow.

Input: one row per county with survey data (county_code, seekers, poor_seekers, away_seekers); counties of
the province missing from it count as 0 everywhere and still get their fair(s).

Rules (campaign.job_fairs), as implemented:

    综合招聘会      min(min_fairs_per_county + seekers // seekers_per_extra_fair, max_fairs_per_county) on-site
                    fairs per county (seekers is never negative, so the count is never below the minimum)
    脱贫劳动力专场  one more on-site fair where poor_seekers >= poverty_session_min_seekers; it is held
                    in addition to ("另办") and does not count towards max_fairs_per_county
    直播带岗        one session where away_seekers >= livestream_min_away

Venues: a county's on-site fairs are at its public employment venue (`county_venues`, unique within the
province); a 直播带岗 session is at its city's studio "<city short name>直播带岗基地", shared by every county
of the city. A venue holds at most one fair a day.

Dates: inside job_fairs.window and never on the Spring Festival break (`spring_festival_break`).
  * On-site fairs are held only after the break, when 节前提前返乡 and 节后延迟返岗 workers are home:
    none is planned before it (a pre-festival fair for early returners is left to the counties). A
    county's n on-site fairs aim at post-break days number 0, L/n, 2L/n … (L = post-break days), so
    the first is on the first day after the break and the rest spread to the end of the window. The
    order is 综合招聘会 (第1场), then the 脱贫劳动力专场, then the other 综合招聘会.
  * A 直播带岗 session targets seekers still away, so it takes the first free studio day before the break,
    counties in code order; when the studio is booked up before the break it moves to the first free
    day after it.
  * A booked venue moves a fair to the next free day. If a county's fairs do not fit, FairPlanError names
    every such county and what is missing.
A window that does not touch a Spring Festival break counts wholly as "after the festival".

`check_plan` verifies a plan (generated or edited by hand) independently of the generator; the DAG's
gate runs it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache, lru_cache

import holidays
import pandas as pd

from chunnuan.common.steps import StepFailed
from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign, DateRange, JobFairRules

GENERAL, POVERTY, LIVESTREAM = "综合招聘会", "脱贫劳动力专场", "直播带岗"
ONSITE, LIVE = "现场", "直播带岗"
MODE_OF = {GENERAL: ONSITE, POVERTY: ONSITE, LIVESTREAM: LIVE}
SESSION_RANK = {GENERAL: 0, POVERTY: 1, LIVESTREAM: 2}  # order of a county's fairs on the same day
COLUMNS = ("fair_no", "county_code", "city_code", "fair_date", "mode", "session", "venue",
           "expected_seekers", "title")
SURVEY_COLUMNS = ("county_code", "seekers", "poor_seekers", "away_seekers")

_AUTONOMOUS = re.compile(r"^(.{2,}?)(?:.{1,3}?族)+自治县$")  # 富川瑶族自治县 -> 富川, 龙胜各族自治县 -> 龙胜


class FairPlanError(StepFailed, ValueError):
    """A plan that cannot be made from this window or survey; the message names each county and why.
    A StepFailed: the rollout task fails without retrying (the configuration must change first)."""


# --- the Spring Festival break ---------------------------------------------------------------------

@lru_cache(maxsize=32)
def _break_days(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    calendar = holidays.China(years=range(start.year - 1, end.year + 2), language="en_US")
    found: set[dt.date] = set()
    for day, name in sorted(calendar.items()):
        if "Chinese New Year" not in name or day in found:
            continue
        # The festival's run of days off: its public holidays, the 调休 days off and the weekend days
        # adjoining them, stopping at a working day (a weekend 调休 working day included).
        first = last = day
        while not calendar.is_working_day(first - dt.timedelta(days=1)):
            first -= dt.timedelta(days=1)
        while not calendar.is_working_day(last + dt.timedelta(days=1)):
            last += dt.timedelta(days=1)
        run = {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
        found |= run
    return frozenset(d for d in found if (run := _run(d, found))[0] <= end and run[1] >= start)


def _run(day: dt.date, days: set[dt.date] | frozenset[dt.date]) -> tuple[dt.date, dt.date]:
    """First and last day of the run of consecutive days in `days` that holds `day`."""
    first = last = day
    while first - dt.timedelta(days=1) in days:
        first -= dt.timedelta(days=1)
    while last + dt.timedelta(days=1) in days:
        last += dt.timedelta(days=1)
    return first, last


def spring_festival_break(window: DateRange) -> set[dt.date]:
    """The Spring Festival break(s) touching the window, whole (not cut at the window's edges).

    A break is the festival's public holidays in `holidays.China` (春节 and its 补假/调休 days off) plus
    the weekend days adjoining them, unless a weekend day is a 调休 working day. 2024: Feb 10–17
    (Feb 18, a Sunday, was a working day); 2025: Jan 28–Feb 4."""
    return set(_break_days(window.start, window.end))


def _days(window: DateRange, festival: set[dt.date]) -> tuple[list[dt.date], list[dt.date]]:
    """(days before the break, days after it) inside the window, break days left out."""
    days = [window.start + dt.timedelta(days=i) for i in range((window.end - window.start).days + 1)]
    open_days = [d for d in days if d not in festival]
    if not festival:
        return [], open_days
    last = max(festival)
    return [d for d in open_days if d < last], [d for d in open_days if d > last]


# --- counts, venues, names -------------------------------------------------------------------------

def general_fair_count(rules: JobFairRules, seekers: int) -> int:
    """On-site 综合招聘会 of a county: min_fairs + seekers // seekers_per_extra_fair, at most max_fairs."""
    return min(rules.min_fairs_per_county + seekers // rules.seekers_per_extra_fair, rules.max_fairs_per_county)


def county_sessions(rules: JobFairRules, seekers: int, poor_seekers: int, away_seekers: int) -> list[str]:
    """A county's sessions; on-site ones in the order they are held: 综合1, 脱贫专场, 综合2 …"""
    general = general_fair_count(rules, seekers)
    sessions = [GENERAL]
    if poor_seekers >= rules.poverty_session_min_seekers:
        sessions.append(POVERTY)
    sessions += [GENERAL] * (general - 1)
    if away_seekers >= rules.livestream_min_away:
        sessions.append(LIVESTREAM)
    return sessions


def _venue_stem(province: divisions.Province, code: str) -> str:
    name = province.counties[code].name
    city = province.city_of(code)
    if name.endswith("区") and city.code != code:
        return divisions.short_name(city.name) + name  # 城中区, 市中区 … recur in many cities: 柳州城中区
    if m := _AUTONOMOUS.match(name):
        return m.group(1)
    if name[-1] in "县市" and len(name) > 2:
        return name[:-1]  # 平南县 -> 平南, 桂平市 -> 桂平; 莒县 stays 莒县
    return name


@cache
def county_venues(province_code: str) -> dict[str, str]:
    """county_code -> its public employment venue, e.g. 平南人力资源市场; unique within the province."""
    province = divisions.province(province_code)
    stems = {code: _venue_stem(province, code) for code in sorted(province.counties)}
    taken = list(stems.values())
    for code, stem in stems.items():
        if taken.count(stem) > 1:  # two counties with the same short name: put the city in front
            stems[code] = divisions.short_name(province.city_of(code).name) + province.counties[code].name
    if len(set(stems.values())) != len(stems):  # still not unique: fall back to the full label
        stems = {code: province.county_label(code) for code in stems}
    return {code: f"{stem}人力资源市场" for code, stem in stems.items()}


def city_studio(province: divisions.Province, county_code: str) -> str:
    """The 直播带岗 studio a county shares with the other counties of its city, e.g. 贵港直播带岗基地."""
    return f"{divisions.short_name(province.city_of(county_code).name)}直播带岗基地"


def _county_name(province: divisions.Province, code: str) -> str:
    """The county's name in a title: 平南县, or 济南市市中区 where the bare name recurs in the province."""
    name = province.counties[code].name
    return province.county_label(code) if name in province.ambiguous_county_names else name


def _year(campaign: Campaign) -> int:
    return int(campaign.id.rsplit("-", 1)[1])


def _title(campaign: Campaign, county: str, session: str, number: int) -> str:
    year = _year(campaign)
    if session == GENERAL:
        return f"{county}{year}年春风行动专场招聘会（第{number}场）"
    if session == POVERTY:
        return f"{county}{year}年春风行动脱贫劳动力专场招聘会"
    return f"{county}{year}年春风行动直播带岗专场"


# --- the survey frame ------------------------------------------------------------------------------

def survey_by_county(counties: pd.DataFrame, province: divisions.Province) -> pd.DataFrame:
    """Every county of the province (index county_code, sorted) with seekers, poor_seekers, away_seekers
    as int; counties missing from the frame, and empty cells, count as 0."""
    missing = [c for c in SURVEY_COLUMNS if c not in counties.columns]
    if missing:
        raise FairPlanError(f"县级求职数据缺少列：{'、'.join(missing)}")
    frame = counties[list(SURVEY_COLUMNS)].copy()
    frame["county_code"] = frame["county_code"].astype(str).str.strip()
    unknown = sorted(set(frame["county_code"]) - set(province.counties))
    if unknown:
        raise FairPlanError(f"县级求职数据中有不属于{province.name}的县级代码：{'、'.join(unknown)}")
    repeated = sorted(set(frame.loc[frame["county_code"].duplicated(), "county_code"]))
    if repeated:
        names = "、".join(province.county_label(c) for c in repeated)
        raise FairPlanError(f"县级求职数据中以下县出现不止一行，请合并后再排期：{names}")
    figures = list(SURVEY_COLUMNS[1:])
    frame[figures] = frame[figures].apply(pd.to_numeric, errors="coerce").fillna(0).astype("int64")
    negative = sorted(frame.loc[(frame[figures] < 0).any(axis=1), "county_code"])
    if negative:
        raise FairPlanError(f"县级求职数据中以下县的人数为负数：{'、'.join(province.county_label(c) for c in negative)}")
    full = frame.set_index("county_code").reindex(sorted(province.counties), fill_value=0)
    full.index.name = "county_code"
    return full


# --- the plan --------------------------------------------------------------------------------------

@dataclass
class _Booking:
    """Which (venue, day) pairs are taken."""

    taken: set[tuple[str, dt.date]]

    def first_free(self, venue: str, days: list[dt.date]) -> dt.date | None:
        return next((d for d in days if (venue, d) not in self.taken), None)

    def take(self, venue: str, day: dt.date) -> None:
        self.taken.add((venue, day))


def _onsite_dates(venue: str, count: int, post: list[dt.date], booking: _Booking) -> list[dt.date] | None:
    """count dates spread over the post-break days: aim at day i*L/count, else the next free day."""
    chosen: list[dt.date] = []
    floor = 0
    for i in range(count):
        start = max(i * len(post) // count, floor)
        day = booking.first_free(venue, post[start:])
        if day is None:
            return None
        booking.take(venue, day)
        chosen.append(day)
        floor = post.index(day) + 1
    return chosen


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def plan_fairs(campaign: Campaign, counties: pd.DataFrame) -> pd.DataFrame:
    """One row per fair (COLUMNS), ordered by fair_no; deterministic for the same survey in any row order.

    counties: county_code, seekers, poor_seekers, away_seekers (one row per county with survey data).
    Raises FairPlanError naming every county whose fairs do not fit into the window."""
    rules = campaign.job_fairs
    province = divisions.province(campaign.province_code)
    survey = survey_by_county(counties, province)
    festival = spring_festival_break(rules.window)
    pre, post = _days(rules.window, festival)
    after = f"{max(festival):%Y-%m-%d}春节假期结束后" if festival else ""
    venues = county_venues(province.code)
    booking = _Booking(set())
    planned: dict[str, list[tuple[dt.date, str, str, int]]] = {}  # code -> (date, session, venue, expected)
    problems: list[str] = []
    livestreams: list[str] = []  # counties owed a 直播带岗, in code order

    for code, row in survey.iterrows():
        sessions = county_sessions(rules, int(row["seekers"]), int(row["poor_seekers"]), int(row["away_seekers"]))
        if LIVESTREAM in sessions:
            livestreams.append(str(code))
        onsite = [s for s in sessions if MODE_OF[s] == ONSITE]
        dates = _onsite_dates(venues[code], len(onsite), post, booking)
        if dates is None:
            general = onsite.count(GENERAL)
            what = f"综合招聘会{general}场" + ("、脱贫劳动力专场1场" if POVERTY in onsite else "")
            problems.append(
                f"{province.county_label(code)}需办现场招聘会{len(onsite)}场（{what}，本县求职者{row['seekers']}人），"
                f"但招聘会窗口{rules.window.label()}内{after}只有{len(post)}天可用：请延长 job_fairs.window "
                f"的结束日期，或调低 max_fairs_per_county")
            continue
        seekers = iter(_split(int(row["seekers"]), onsite.count(GENERAL)))
        planned[code] = [(day, s, venues[code], next(seekers) if s == GENERAL else int(row["poor_seekers"]))
                         for day, s in zip(dates, onsite, strict=True)]

    for code in livestreams:
        row = survey.loc[code]
        studio = city_studio(province, code)
        day = booking.first_free(studio, pre) or booking.first_free(studio, post)
        if day is None:
            problems.append(
                f"{province.county_label(code)}需安排直播带岗1场（节前未返乡求职者{row['away_seekers']}人），"
                f"但{studio}在招聘会窗口{rules.window.label()}内（春节假期除外）的{len(pre) + len(post)}天"
                f"已被{province.city_of(code).name}其他县排满：请延长 job_fairs.window")
            continue
        booking.take(studio, day)
        planned.setdefault(code, []).append((day, LIVESTREAM, studio, int(row["away_seekers"])))

    if problems:
        raise FairPlanError("招聘会排期排不下：\n" + "\n".join(f"  - {p}" for p in problems))
    return _rows(campaign, province, planned)


def _rows(campaign: Campaign, province: divisions.Province,
          planned: dict[str, list[tuple[dt.date, str, str, int]]]) -> pd.DataFrame:
    rows = []
    for code in sorted(planned):
        name = _county_name(province, code)
        general = 0
        fairs = sorted(planned[code], key=lambda f: (f[0], SESSION_RANK[f[1]]))
        for number, (day, session, venue, expected) in enumerate(fairs, start=1):
            general += session == GENERAL
            rows.append({
                "fair_no": f"{code}-{number:02d}",
                "county_code": code,
                "city_code": province.city_of(code).code,
                "fair_date": day,
                "mode": MODE_OF[session],
                "session": session,
                "venue": venue,
                "expected_seekers": expected,
                "title": _title(campaign, name, session, general),
            })
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["expected_seekers"] = frame["expected_seekers"].astype("int64")
    return frame


# --- the verifier ----------------------------------------------------------------------------------

def _fair(row: pd.Series) -> str:
    return f"{row['fair_no']}「{row['title']}」"


def check_plan(fairs: pd.DataFrame, counties: pd.DataFrame, campaign: Campaign) -> list[str]:
    """Problems in a fair plan, each a sentence a coordinator can act on; [] = the plan is fine.

    Checked without the generator: columns; fair_no unique; counties known; every county has its
    综合招聘会 (at least min_fairs_per_county, and as many as the seeker count asks for); the required
    脱贫劳动力专场 and 直播带岗; dates inside the window and off the Spring Festival break; sessions and
    modes known; no venue twice on one day."""
    rules = campaign.job_fairs
    province = divisions.province(campaign.province_code)
    missing = [c for c in COLUMNS if c not in fairs.columns]
    if missing:
        return [f"招聘会计划缺少列：{'、'.join(missing)}，无法核对：请按标准格式重新导出计划"]
    survey = survey_by_county(counties, province)
    plan = fairs.copy()
    plan["county_code"] = plan["county_code"].astype(str).str.strip()
    plan["fair_date"] = pd.to_datetime(plan["fair_date"], errors="coerce").dt.date
    problems: list[str] = []

    counts = plan["fair_no"].value_counts()
    for no, times in sorted(counts[counts > 1].items()):
        problems.append(f"招聘会编号 {no} 出现 {times} 次：每场招聘会的编号应唯一，请重新编号")

    for code in sorted(set(plan["county_code"]) - set(province.counties)):
        nos = "、".join(sorted(plan.loc[plan["county_code"] == code, "fair_no"].astype(str)))
        problems.append(f"招聘会 {nos} 的县级代码 {code} 不属于{province.name}：请改正县级代码或删除")

    for _, row in plan.iterrows():
        if row["session"] not in MODE_OF:
            problems.append(f"{_fair(row)}的场次类型「{row['session']}」无法识别：应为综合招聘会、脱贫劳动力专场或直播带岗")
        elif row["mode"] != MODE_OF[row["session"]]:
            problems.append(f"{_fair(row)}是{row['session']}，形式应为「{MODE_OF[row['session']]}」，"
                            f"计划写的是「{row['mode']}」：请改正")

    for code, row in survey.iterrows():
        mine = plan[plan["county_code"] == code]
        label = province.county_label(code)
        onsite = mine[(mine["mode"] == ONSITE) & (mine["session"] == GENERAL)]
        need = min(rules.min_fairs_per_county + int(row["seekers"]) // rules.seekers_per_extra_fair,
                   rules.max_fairs_per_county)
        if mine.empty:
            problems.append(f"{label}没有安排任何招聘会：每个县（市、区）至少应办{rules.min_fairs_per_county}场"
                            f"现场招聘会，按本县求职者{row['seekers']}人应办综合招聘会{need}场，请补排")
        elif len(onsite) < need:
            problems.append(f"{label}有求职者{row['seekers']}人，按每县至少{rules.min_fairs_per_county}场、"
                            f"每{rules.seekers_per_extra_fair}人加办一场（最多{rules.max_fairs_per_county}场）"
                            f"应办现场综合招聘会{need}场，计划只有{len(onsite)}场：请补排{need - len(onsite)}场")
        if row["poor_seekers"] >= rules.poverty_session_min_seekers and not (
                (mine["session"] == POVERTY) & (mine["mode"] == ONSITE)).any():
            problems.append(f"{label}脱贫人口（含监测对象）求职者{row['poor_seekers']}人，"
                            f"达到{rules.poverty_session_min_seekers}人，应另办一场脱贫劳动力专场，计划中没有：请补排")
        if row["away_seekers"] >= rules.livestream_min_away and not (mine["session"] == LIVESTREAM).any():
            problems.append(f"{label}节前尚未返乡的求职者{row['away_seekers']}人，达到{rules.livestream_min_away}人，"
                            f"应安排一场直播带岗，计划中没有：请在本市直播带岗基地补排")

    festival = spring_festival_break(rules.window)
    for _, row in plan.iterrows():
        day = row["fair_date"]
        if pd.isna(day):
            problems.append(f"{_fair(row)}没有有效的举办日期：请填写日期")
        elif day not in rules.window:
            problems.append(f"{_fair(row)}定于{day:%Y-%m-%d}，不在招聘会窗口{rules.window.label()}内：请改期")
        elif day in festival:
            first, last = _run(day, festival)
            problems.append(f"{_fair(row)}定于{day:%Y-%m-%d}，正值春节假期"
                            f"（{first:%Y-%m-%d}至{last:%Y-%m-%d}）：请改到假期之外")

    dated = plan[plan["fair_date"].notna()]
    for (venue, day), group in sorted(dated.groupby(["venue", "fair_date"]), key=lambda g: (g[0][1], g[0][0])):
        if len(group) > 1:
            nos = "、".join(sorted(group["fair_no"].astype(str)))
            problems.append(f"{day:%Y-%m-%d}「{venue}」安排了{len(group)}场（{nos}）：同一场地一天只能办一场，"
                            f"请把其余场次改到其他日期")
    return problems
