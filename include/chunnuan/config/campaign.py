"""Campaign configuration: one YAML per province and year, loaded into typed objects.

Everything that differs between the Guangxi and Shandong notices (window, deadline, mailbox,
departments, service items, rules) lives in `include/campaigns/<id>.yaml`, never in code.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, model_validator

from chunnuan.config import divisions, railway
from chunnuan.config.settings import campaigns_dir


class CampaignConfigError(ValueError):
    """A campaign file that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DateRange(_Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"结束日期 {self.end} 早于开始日期 {self.start}")
        return self

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def label(self) -> str:
        return f"{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}"


class Contact(_Strict):
    name: str
    phone: str | None = None
    email: EmailStr | None = None


REPORT_KINDS = ("weekly", "final")


class Department(_Strict):
    name: str
    contact: Contact | None = None
    # What it answers for: an item's code (all its figures), or "item.figure" for one figure of an item that
    # several departments share. Every figure has exactly one department (Campaign._consistent).
    items: list[str] = Field(min_length=1)
    receives: list[Literal[REPORT_KINDS]] = []  # type: ignore[valid-type]  # the reports it is copied on

    @property
    def email(self) -> str | None:
        return str(self.contact.email) if self.contact and self.contact.email else None


# System figures a department's typed figure can be compared with (chunnuan.report.reconcile). `transported`:
# the riders the carriers' returns say boarded (plus the plan's riders of trips not returned yet); `chartered`:
# the plan's; `subsidy_paid`: the people the counties' claims returns say were paid (campaigns with a subsidy).
COUNTERPARTS = ("fairs_held", "chartered", "transported", "trips", "classes", "pre_dispatch_classes", "enrolled",
                "completed", "subsidy_paid")


class Figure(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    unit: str
    counterpart: Literal[COUNTERPARTS] | None = None  # type: ignore[valid-type]  # what the system counts of it


class ServiceItem(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    figures: list[Figure] = Field(min_length=1)


class Report(_Strict):
    deadline: dt.date
    to: list[EmailStr] = Field(min_length=1)
    weekly_on: str = Field(pattern=r"^(mon|tue|wed|thu|fri|sat|sun)$")
    # A department's typed figure and the system's count of the same thing may differ by this share of the
    # system's count before the report names the gap (late entries, a fair held but not yet reported).
    tolerance: float = Field(default=0.05, ge=0, lt=1)


class IntakeRules(_Strict):
    # Share of bad rows above which a whole submission is sent back instead of quarantined row by row.
    max_bad_row_share: float = Field(gt=0, le=1)
    min_worker_age: int = Field(ge=14, le=20)
    # Longest 内容 of a highlights row (characters): a paragraph of the summary, not a whole report.
    max_text_length: int = Field(default=500, ge=50, le=5000)


TRAINING_RULES = ("pre_dispatch_class", "before_dispatch_peak", "places_cover_demand", "records_consistent")


class TrainingRules(_Strict):
    """Which training-class rules apply (chunnuan.training.rules) and their parameters."""

    rules: list[Literal[TRAINING_RULES]] = Field(min_length=1)  # type: ignore[valid-type]
    # Guangxi: 每个县（市、区）至少开展一期送工前技能培训班 (rule pre_dispatch_class).
    min_pre_dispatch_classes_per_county: int = Field(ge=0)
    lead_days: int = Field(ge=0, le=30)  # a pre-dispatch class starts at least this many days before the peak
    enrolment_tolerance: float = Field(ge=0, le=1)  # enrolled may exceed planned places by this share
    min_trade_demand: int = Field(ge=1)  # a county's trade with fewer people asking is served by city classes
    window: DateRange  # class start and end dates fall inside it
    trades: list[str] = Field(min_length=1)  # known trades (工种)
    brands: list[str] = []  # labour brands (劳务品牌); a class names one or none

    @model_validator(mode="after")
    def _pre_dispatch_count(self) -> TrainingRules:
        if "pre_dispatch_class" in self.rules and self.min_pre_dispatch_classes_per_county < 1:
            raise ValueError("启用 pre_dispatch_class 时 min_pre_dispatch_classes_per_county 至少为 1")
        return self


class Matching(_Strict):
    """How job seekers are matched to openings (chunnuan.job_fairs.matching)."""

    list_length: int = Field(ge=1, le=20)  # openings recommended to each seeker, best first
    candidates_per_place: int = Field(ge=1, le=10)  # an opening is listed for at most headcount × this many seekers
    invite_per_fair: int = Field(ge=1, le=200)  # employers invited to one fair at most


class JobFairRules(_Strict):
    """The job-fair rollout (春风行动 专场招聘会 / 直播带岗) the planner follows (chunnuan.job_fairs.plan)."""

    window: DateRange  # fairs are held inside it, never on the Spring Festival break
    min_fairs_per_county: int = Field(ge=1)
    seekers_per_extra_fair: int = Field(ge=1)  # one more on-site fair per this many local job seekers
    max_fairs_per_county: int = Field(ge=1)
    poverty_session_min_seekers: int = Field(ge=1)  # 脱贫劳动力专场 where this many poor seekers live
    livestream_min_away: int = Field(ge=1)  # 直播带岗 where this many seekers are still away
    matching: Matching

    @model_validator(mode="after")
    def _counts(self) -> JobFairRules:
        if self.max_fairs_per_county < self.min_fairs_per_county:
            raise ValueError("max_fairs_per_county 小于 min_fairs_per_county")
        return self


class VehicleClass(_Strict):
    """A class of coach by seat count and its charter price: fixed part per trip plus a rate per road km."""

    name: str
    min_seats: int = Field(ge=1)
    max_seats: int = Field(ge=1)
    fixed_cost: float = Field(ge=0)  # 元/趟
    per_km_cost: float = Field(ge=0)  # 元/公里（按道路里程）

    @model_validator(mode="after")
    def _range(self) -> VehicleClass:
        if self.max_seats < self.min_seats:
            raise ValueError(f"max_seats {self.max_seats} 小于 min_seats {self.min_seats}")
        return self


class CarrierRules(_Strict):
    # 优先选择服务质量信誉好、管理体系完善的企业: 质量信誉等级 AAA > AA > A > B (B = 不合格).
    min_credit_grade: str = Field(pattern=r"^(AAA|AA|A|B)$")
    # No 较大及以上道路交通责任事故 within this many years before the travel window.
    no_serious_incident_years: int = Field(ge=0, le=10)
    # 跨省线路只能使用持有省际包车客运经营许可的企业车辆.
    interprovincial_permit_for_cross_province: bool = True


class PoolingRules(_Strict):
    """拼车: a coach picks up riders left without a coach in several nearby counties and drops them in
    several cities along one corridor (chunnuan.planner.pool)."""

    enabled: bool = True  # False: no pooled trips (the plan as before pooling)
    max_pickups: int = Field(ge=1, le=8)  # 上车县（市、区）数上限
    max_drops: int = Field(ge=1, le=8)  # 下车城市数上限
    pickup_gap_km: float = Field(gt=0)  # consecutive pickups at most this far apart (road km)
    drop_gap_km: float = Field(gt=0)  # consecutive drops at most this far apart (road km)
    # 三超一疲劳: first pickup to last drop (driving at speed_kmh + stop_minutes at each stop) within a day's
    # driving hours of the crew (the YAML gives the rule it follows)
    # the crew grows with the hours (one driver per DRIVER_HOURS of driving, each extra one paid as the second); the
    # route runs clear of 02:00–05:00 (长途客运凌晨2时至5时停止运行): 05:00 ≤ first_departure, first_departure +
    # max_route_hours ≤ 26:00
    max_route_hours: float = Field(gt=0, le=24)
    max_detour_ratio: float = Field(ge=0, le=1)  # each rider's ride ≤ (1 + ratio) × their direct km
    first_departure: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")  # time at the first pickup
    speed_kmh: float = Field(gt=0)  # average coach speed between stops
    stop_minutes: int = Field(ge=0, le=120)  # time spent at each stop
    boarding_point: str = "{place}汽车客运站"  # boarding / drop point at each stop; {place} = its name
    # the office's price for fewer referrals: cost per chartered rider may rise at most this much (元) above the
    # plan without pooling; 0: no higher
    max_extra_cost_per_rider: float = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _clear_of_the_night_stop(self) -> PoolingRules:
        start = int(self.first_departure[:2]) + int(self.first_departure[3:]) / 60
        if self.enabled and (start < 5 or start + self.max_route_hours > 26 + 1e-9):
            raise ValueError(f"pooling：{self.first_departure} 发车、全程 {self.max_route_hours:g} 小时将进入凌晨2时至5时"
                             "长途客运停止运行时段，发车不早于05:00、到达不晚于次日02:00（请调整 first_departure 或 max_route_hours）")
        return self


class TransportRules(_Strict):
    """The "点对点" charter rules the planner applies (chunnuan.planner)."""

    min_fill_ratio: float = Field(gt=0, le=1)  # a coach runs only with at least this share of its seats taken
    road_distance_factor: float = Field(ge=1, le=2)  # road km ≈ straight-line km × factor
    long_route_km: float = Field(gt=0)  # 单程超过此里程须配备两名及以上驾驶员
    second_driver_cost: float = Field(ge=0)  # 元/趟
    max_shift_days: int = Field(ge=0, le=15)  # the planner never moves a worker further than this
    vehicle_classes: list[VehicleClass] = Field(min_length=1)
    carriers: CarrierRules
    pooling: PoolingRules | None = None  # 拼车 rules; none: no pooled trips

    @model_validator(mode="after")
    def _classes_disjoint(self) -> TransportRules:
        spans = sorted((c.min_seats, c.max_seats, c.name) for c in self.vehicle_classes)
        for (_, hi, a), (lo, _, b) in zip(spans, spans[1:], strict=False):
            if lo <= hi:
                raise ValueError(f"vehicle_classes 座位区间重叠：{a} 与 {b}")
        return self

    def vehicle_class(self, seats: int) -> VehicleClass | None:
        return next((c for c in self.vehicle_classes if c.min_seats <= seats <= c.max_seats), None)


class StationRef(_Strict):
    """A station the campaign uses, by 12306's name; `place` pins its county or city code where the name
    does not tell (config.railway places the others)."""

    name: str
    place: str | None = Field(default=None, pattern=r"^\d{6}$")


class RailRules(_Strict):
    """专列（车厢） and 集中购票: the stations the campaign uses and how the railway's offers are checked."""

    stations: list[str | StationRef] = Field(min_length=1)
    # 每厢定员 on an offer may differ from the carriage type's public figure (config.railway) by this share.
    seat_tolerance: float = Field(ge=0, le=0.5)
    # The planner's mode choice (专列 / reserved carriages / coaches; chunnuan.planner.rail):
    # riders whose road trip is longer than this go by rail whenever a seat exists (三超一疲劳: safety first)
    prefer_above_km: float = Field(default=800, gt=0)
    # a reserved carriage carries at least this share of its 定员; a whole 专列 is booked only for this share
    min_carriage_fill: float = Field(default=0.6, gt=0, le=1)
    min_train_fill: float = Field(default=0.6, gt=0, le=1)

    @model_validator(mode="after")
    def _known(self) -> RailRules:
        names = [s if isinstance(s, str) else s.name for s in self.stations]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"rail.stations 中车站重复：{'、'.join(twice)}")
        try:
            self.station_list()
        except LookupError as exc:
            raise ValueError(f"rail.stations：{exc}") from exc
        return self

    def station_list(self) -> tuple[railway.Station, ...]:
        return _stations(tuple((s, None) if isinstance(s, str) else (s.name, s.place) for s in self.stations))


@lru_cache(maxsize=16)
def _stations(refs: tuple[tuple[str, str | None], ...]) -> tuple[railway.Station, ...]:
    return tuple(railway.station(name, place) for name, place in refs)


SUBSIDY_EVIDENCE = ("用工单位证明", "劳动合同", "3个月工资流水", "社保缴费记录")


def _province_name(name: str) -> str:
    """广东 / 广东省 -> 广东省 (as survey_worker.work_province stores it)."""
    found = divisions.provinces_by_name().get(name.strip())
    if found is None:
        raise ValueError(f"未知的省份 {name!r}")
    return found.name


class SubsidyBand(_Strict):
    """An amount for workers whose work province is one of `provinces` (e.g. 邻省 lower, 远途 higher)."""

    name: str
    amount: int = Field(gt=0)  # 元/人/年
    provinces: list[str] = Field(min_length=1)


class SubsidyRules(_Strict):
    """脱贫人口跨省就业一次性往返交通补助 (chunnuan.subsidy.roster): who is listed and for how much."""

    basis: str  # the rule the county pays under, printed on the roster's 说明 sheet
    groups: list[str] = Field(min_length=1)  # priority groups eligible (any one is enough)
    # Cross-province: home in the campaign province (本省籍) and work place outside it. The survey cannot
    # prove the months, so the roster lists candidates and the evidence the county must check.
    min_months_employed: int = Field(ge=1, le=12)
    claims_per_year: int = Field(ge=1, le=2)
    default_band: str  # the band's name for work provinces no band lists
    default_amount: int = Field(gt=0)
    bands: list[SubsidyBand] = []
    evidence: list[Literal[SUBSIDY_EVIDENCE]] = Field(min_length=1)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _bands(self) -> SubsidyRules:
        seen: dict[str, str] = {}
        for band in self.bands:
            for name in band.provinces:
                full = _province_name(name)
                if full in seen:
                    raise ValueError(f"subsidy.bands：{full} 同时列在「{seen[full]}」和「{band.name}」")
                seen[full] = band.name
        return self

    def band_of(self) -> dict[str, tuple[str, int]]:
        """Work province (full name, as stored) -> (band, amount) for the provinces a band lists."""
        return {_province_name(p): (b.name, b.amount) for b in self.bands for p in b.provinces}


class Source(_Strict):
    issuer: str
    document: str
    issued_on: dt.date


class Campaign(_Strict):
    id: str = Field(pattern=r"^[a-z]+-\d{4}$")
    name: str
    province: str
    source: Source
    window: DateRange
    survey_window: DateRange  # when scheduled intake runs look for new submissions
    travel_window: DateRange
    report: Report
    # Each county's 人社局 mailbox for plan notices; "{code}" is the county's 6-digit code.
    county_mail: str = Field(pattern=r"^[^@\s]*\{code\}[^@\s]*@[^@\s]+$")
    lead_contact: Contact
    departments: list[Department] = Field(min_length=1)
    service_items: list[ServiceItem] = Field(min_length=1)
    priority_groups: list[str] = Field(min_length=1)
    intake: IntakeRules
    training: TrainingRules
    job_fairs: JobFairRules
    transport: TransportRules
    rail: RailRules | None = None  # 专列（车厢）and 集中购票: the stations used
    subsidy: SubsidyRules | None = None  # only where the notice asks for it (Guangxi)

    @model_validator(mode="after")
    def _consistent(self) -> Campaign:
        divisions.province(self.province)  # raises with the list of known provinces
        if self.report.deadline < self.window.start:
            raise ValueError(f"report.deadline {self.report.deadline} 早于行动开始 {self.window.start}")
        codes = [item.code for item in self.service_items]
        if len(codes) != len(set(codes)):
            raise ValueError(f"service_items 中有重复的 code: {sorted(c for c in codes if codes.count(c) > 1)}")
        self.owners()  # every figure has one department
        paid = [f.name for i in self.service_items for f in i.figures if f.counterpart == "subsidy_paid"]
        if paid and self.subsidy is None:
            raise ValueError(f"统计指标 {paid} 的 counterpart 为 subsidy_paid（已发放交通补助），但本行动未设 subsidy")
        if self.subsidy:
            unknown = [g for g in self.subsidy.groups if g not in self.priority_groups]
            if unknown:
                raise ValueError(f"subsidy.groups 中 {unknown} 不在 priority_groups 中")
            if self.province in self.subsidy.band_of():
                raise ValueError(f"subsidy.bands 不能包含本省 {self.province}（跨省就业才有补助）")
        return self

    def owners(self) -> dict[tuple[str, str], str]:
        """(item code, figure code) -> the department that answers for it; ValueError when a department
        names an item or figure there is not, or a figure has no department or two."""
        figures = {(i.code, f.code) for i in self.service_items for f in i.figures}
        owner: dict[tuple[str, str], str] = {}
        for d in self.departments:
            if d.receives and d.email is None:
                raise ValueError(f"部门「{d.name}」设置了 receives 却没有 contact.email")
            for ref in d.items:
                item, _, figure = ref.partition(".")
                mine = [k for k in sorted(figures) if k[0] == item and (not figure or k[1] == figure)]
                if not mine:
                    raise ValueError(f"部门「{d.name}」的 items 中「{ref}」不是本行动的服务项目或统计指标")
                for key in mine:
                    if key in owner:
                        raise ValueError(f"统计指标 {'.'.join(key)} 同时由「{owner[key]}」和「{d.name}」负责")
                    owner[key] = d.name
        orphans = sorted(".".join(k) for k in figures - owner.keys())
        if orphans:
            raise ValueError(f"这些统计指标没有负责部门（departments.items）：{', '.join(orphans)}")
        names = [d.name for d in self.departments]
        if len(names) != len(set(names)):
            raise ValueError(f"departments 中有重名：{sorted({n for n in names if names.count(n) > 1})}")
        return owner

    def department(self, name: str) -> Department:
        return next(d for d in self.departments if d.name == name)

    @property
    def province_code(self) -> str:
        return divisions.province(self.province).code

    def county_mailbox(self, county_code: str) -> str:
        return self.county_mail.format(code=county_code)


def _describe(error: ValidationError) -> str:
    lines = []
    for e in error.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(文件顶层)"
        lines.append(f"  - {where}: {e['msg']}")
    return "\n".join(lines)


def load_file(path: Path) -> Campaign:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CampaignConfigError(f"无法读取行动配置 {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise CampaignConfigError(f"行动配置 {path} 应是一个 YAML 映射（key: value），实际是 {type(raw).__name__}")
    try:
        campaign = Campaign.model_validate(raw)
    except (ValidationError, LookupError) as exc:
        detail = _describe(exc) if isinstance(exc, ValidationError) else f"  - {exc}"
        raise CampaignConfigError(f"行动配置 {path} 有误：\n{detail}") from exc
    if campaign.id != path.stem:
        raise CampaignConfigError(f"行动配置 {path} 的 id 是 {campaign.id!r}，应与文件名 {path.stem!r} 一致")
    return campaign


def available() -> list[str]:
    return sorted(p.stem for p in campaigns_dir().glob("*.yaml"))


def display_names() -> dict[str, str]:
    """campaign id -> "广西壮族自治区 · 2024年…" for forms and reports."""
    return {cid: f"{load(cid).province} · {load(cid).name}" for cid in available()}


@lru_cache(maxsize=16)
def load(campaign_id: str) -> Campaign:
    path = campaigns_dir() / f"{campaign_id}.yaml"
    if not path.exists():
        raise CampaignConfigError(f"没有行动配置 {campaign_id!r}；可用的有：{', '.join(available()) or '（无）'}")
    return load_file(path)
