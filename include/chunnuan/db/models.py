"""The campaign database schema, defined once here and migrated with Alembic (chunnuan/migrations).

Conservation per submission is checkable in SQL at any time:
    rows_read == |survey_worker rows of the batch| + |quarantined_row| + |merged_row|
A worker row that a later submission replaces moves from survey_worker to merged_row (of its own
batch), so the equation keeps holding for old batches too.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class SubmissionBatch(Base):
    """One submitted file. Files are known by content hash: the same bytes are never taken twice."""

    __tablename__ = "submission_batch"
    __table_args__ = (UniqueConstraint("campaign_id", "kind", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))  # survey | fleet | openings | ...
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # received -> validated -> loaded, or rejected (batch-level problem, nothing loaded)
    status: Mapped[str] = mapped_column(String(20))
    rows_read: Mapped[int | None] = mapped_column(Integer)
    rows_loaded: Mapped[int | None] = mapped_column(Integer)
    rows_quarantined: Mapped[int | None] = mapped_column(Integer)
    rows_merged: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[str | None] = mapped_column(String(250))


class SurveyWorker(Base):
    """The current demand of one worker in one campaign (latest submission wins)."""

    __tablename__ = "survey_worker"
    __table_args__ = (Index("ix_survey_worker_batch", "batch_id"), Index("ix_survey_worker_county", "home_county_code"),
                      Index("ix_survey_worker_served_by", "served_by_code"))

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"))
    source_row: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(11))
    home_county_code: Mapped[str] = mapped_column(String(6))
    home_city_code: Mapped[str] = mapped_column(String(6))
    home_township: Mapped[str | None] = mapped_column(Text)
    # The campaign's priority groups the worker belongs to, in the campaign file's order, joined by 、
    # ('' for none): 脱贫人口、就业困难农村劳动力.
    priority_groups: Mapped[str] = mapped_column(String(200))
    native: Mapped[bool] = mapped_column(Boolean)  # 本省籍: home county in the campaign's province
    # The county (本省籍: home) or receiving county/city (外省籍: where they work) in the province that serves
    # the worker: its bureau gets the notices, manifests and job lists.
    served_by_code: Mapped[str] = mapped_column(String(6))
    trip_type: Mapped[str] = mapped_column(String(4))
    travel_date: Mapped[dt.date] = mapped_column(Date)
    flex_days: Mapped[int] = mapped_column(Integer)
    work_province: Mapped[str] = mapped_column(Text)
    work_city: Mapped[str] = mapped_column(Text)
    work_city_code: Mapped[str | None] = mapped_column(String(6))  # the work place's city (a municipality: itself)
    work_county_code: Mapped[str | None] = mapped_column(String(6))  # where the form names one
    employer: Mapped[str | None] = mapped_column(Text)
    needs_charter: Mapped[bool] = mapped_column(Boolean)
    job_need: Mapped[str] = mapped_column(String(10))
    desired_trade: Mapped[str | None] = mapped_column(Text)
    needs_training: Mapped[bool] = mapped_column(Boolean)
    training_trade: Mapped[str | None] = mapped_column(Text)
    reporting_unit: Mapped[str] = mapped_column(Text)
    reported_on: Mapped[dt.date] = mapped_column(Date)


class QuarantinedRow(Base):
    """A submitted row that was not loaded, with every reason in the clerk's words."""

    __tablename__ = "quarantined_row"

    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"), primary_key=True)
    source_row: Mapped[int] = mapped_column(Integer, primary_key=True)
    codes: Mapped[str] = mapped_column(String(200))
    reasons: Mapped[str] = mapped_column(Text)


class MergedRow(Base):
    """A submitted row replaced by a later report of the same worker (same file or a later file)."""

    __tablename__ = "merged_row"
    __table_args__ = (Index("ix_merged_row_kept", "kept_batch_id"),)

    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"), primary_key=True)
    source_row: Mapped[int] = mapped_column(Integer, primary_key=True)
    kept_batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"))
    kept_row: Mapped[int] = mapped_column(Integer)


class Carrier(Base):
    """A transport company that offered coaches (latest fleet submission wins)."""

    __tablename__ = "carrier"

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"))
    name: Mapped[str] = mapped_column(Text)
    credit_grade: Mapped[str] = mapped_column(String(3))
    last_serious_incident: Mapped[dt.date | None] = mapped_column(Date)
    contact_name: Mapped[str] = mapped_column(Text)
    contact_phone: Mapped[str] = mapped_column(String(20))
    interprovincial: Mapped[bool] = mapped_column(Boolean)


class FleetOffer(Base):
    """Coaches of one size a carrier can send on each day of a date range (one fleet submission row).
    A carrier's later submission replaces all its earlier rows (they move to merged_row)."""

    __tablename__ = "fleet_offer"
    __table_args__ = (Index("ix_fleet_offer_batch", "batch_id"),)

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    seats: Mapped[int] = mapped_column(Integer, primary_key=True)
    date_from: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    date_to: Mapped[dt.date] = mapped_column(Date)
    per_day: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"))
    source_row: Mapped[int] = mapped_column(Integer)


class RailOffer(Base):
    """Carriages (or a whole train, 专列) of one type the railway offers on one train and date (one rail
    submission row). A bureau's later submission replaces all its earlier rows (they move to merged_row).
    The contact's phone stays here, as the fleet's does."""

    __tablename__ = "rail_offer"
    __table_args__ = (Index("ix_rail_offer_batch", "batch_id"),)

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    bureau: Mapped[str] = mapped_column(String(100), primary_key=True)
    train_no: Mapped[str] = mapped_column(String(10), primary_key=True)
    travel_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    carriage_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    from_station: Mapped[str] = mapped_column(String(20))  # 12306 names (config.railway)
    to_station: Mapped[str] = mapped_column(String(20))
    stops: Mapped[str] = mapped_column(Text)  # boarding stops joined by 、 ("" for none)
    seats_per_carriage: Mapped[int] = mapped_column(Integer)
    whole_train: Mapped[bool] = mapped_column(Boolean)  # 专列: the whole train
    carriages: Mapped[int | None] = mapped_column(Integer)  # None for a whole train
    seats: Mapped[int] = mapped_column(Integer)  # carriages × 定员, or the whole train's 定员
    fare: Mapped[float] = mapped_column(Float)  # 元/人
    contact_name: Mapped[str] = mapped_column(Text)
    contact_phone: Mapped[str] = mapped_column(String(20))
    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"))
    source_row: Mapped[int] = mapped_column(Integer)


class CharterPlan(Base):
    """One approved "点对点" plan. Figures only (no personal data): the summary the coordinator approved."""

    __tablename__ = "charter_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(String(40))
    run_id: Mapped[str] = mapped_column(String(250))
    # approved -> published (manifests written, counties notified)
    status: Mapped[str] = mapped_column(String(20))
    approved_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str] = mapped_column(Text)  # JSON
    __table_args__ = (UniqueConstraint("campaign_id", "run_id"),)


class CharterTrip(Base):
    """A coach on a route and day. trip_id is stable across re-plans while the trip is kept."""

    __tablename__ = "charter_trip"

    plan_id: Mapped[int] = mapped_column(ForeignKey("charter_plan.id"), primary_key=True)
    trip_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    route_id: Mapped[str] = mapped_column(String(120))  # "o>d"; a pooled trip (拼车) "o1+o2>d1+d2"
    route: Mapped[str] = mapped_column(Text)
    travel_date: Mapped[dt.date] = mapped_column(Date)
    seats: Mapped[int] = mapped_column(Integer)
    vehicle_class: Mapped[str] = mapped_column(Text)
    carrier_uscc: Mapped[str] = mapped_column(String(18))
    passengers: Mapped[int] = mapped_column(Integer)
    km: Mapped[float] = mapped_column()
    drivers: Mapped[int] = mapped_column(Integer)
    cost: Mapped[float] = mapped_column()
    stops: Mapped[str | None] = mapped_column(Text)  # a pooled trip's stops in order (rows in charter_trip_stop)
    # coach (a route or pooled trip) | feeder (接驳车: rail riders from their county to the boarding station)
    mode: Mapped[str] = mapped_column(String(10), server_default="coach")


class CharterTripStop(Base):
    """A stop of a pooled trip (拼车), in driving order: 上车 at counties, then 下车 at cities."""

    __tablename__ = "charter_trip_stop"

    plan_id: Mapped[int] = mapped_column(ForeignKey("charter_plan.id"), primary_key=True)
    trip_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    stop_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(4))
    place_code: Mapped[str] = mapped_column(String(6))
    place: Mapped[str] = mapped_column(Text)
    point: Mapped[str] = mapped_column(Text)
    time: Mapped[str] = mapped_column(String(12))
    km: Mapped[float] = mapped_column()
    boarding: Mapped[int] = mapped_column(Integer)
    alighting: Mapped[int] = mapped_column(Integer)


class CharterAssignment(Base):
    """Each charter request of a plan: on a trip, or referred to 集中购票 with the reason."""

    __tablename__ = "charter_assignment"
    __table_args__ = (Index("ix_charter_assignment_trip", "plan_id", "trip_id"),)

    plan_id: Mapped[int] = mapped_column(ForeignKey("charter_plan.id"), primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    route_id: Mapped[str | None] = mapped_column(String(20))
    planned_date: Mapped[dt.date | None] = mapped_column(Date)
    travel_date: Mapped[dt.date | None] = mapped_column(Date)
    shift_days: Mapped[int | None] = mapped_column(Integer)
    trip_id: Mapped[str | None] = mapped_column(String(40))  # a rail rider's: the feeder coach (None: none)
    reason: Mapped[str | None] = mapped_column(Text)
    # A rail rider's (status 铁路) train "YYYYMMDD-车次", carriage (charter_car) and stations; None for others.
    train_id: Mapped[str | None] = mapped_column(String(30))
    carriage_no: Mapped[int | None] = mapped_column(Integer)
    board_station: Mapped[str | None] = mapped_column(String(20))
    arrive_station: Mapped[str | None] = mapped_column(String(20))


class CharterCar(Base):
    """A carriage a plan uses: of a whole train (专列, every carriage listed) or a reserved one (车厢).
    The railway contact's phone stays here, as the fleet's does."""

    __tablename__ = "charter_car"

    plan_id: Mapped[int] = mapped_column(ForeignKey("charter_plan.id"), primary_key=True)
    train_id: Mapped[str] = mapped_column(String(30), primary_key=True)  # "YYYYMMDD-车次"
    carriage_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    train_no: Mapped[str] = mapped_column(String(10))
    travel_date: Mapped[dt.date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(4))  # 专列 | 车厢
    carriage_type: Mapped[str] = mapped_column(String(10))
    capacity: Mapped[int] = mapped_column(Integer)
    riders: Mapped[int] = mapped_column(Integer)
    from_station: Mapped[str] = mapped_column(String(20))
    to_station: Mapped[str] = mapped_column(String(20))
    fare: Mapped[float] = mapped_column()
    cost: Mapped[float] = mapped_column()
    bureau: Mapped[str] = mapped_column(String(100))
    contact_name: Mapped[str] = mapped_column(Text)
    contact_phone: Mapped[str] = mapped_column(String(20))


class SentEmail(Base):
    """One sent message, by its key (e.g. charter-plan-3-county-450802): never sent twice."""

    __tablename__ = "sent_email"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(40))
    recipients: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ReportVersion(Base):
    """The headline figures of one report version as prepared (report.versions): the next version shows
    what changed since this one (新增), and the weekly chart draws them week by week. Figures only."""

    __tablename__ = "report_version"

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[str] = mapped_column(String(40), primary_key=True)  # weekly-2024-W06 | final
    kind: Mapped[str] = mapped_column(String(10))
    as_of: Mapped[dt.date] = mapped_column(Date)
    figures: Mapped[str] = mapped_column(Text)  # JSON: headline figure code -> number
    prepared_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class TrainingClass(Base):
    """A skills-training class a county reported (a county's latest submission is its whole class list)."""

    __tablename__ = "training_class"
    __table_args__ = (Index("ix_training_class_batch", "batch_id"),)

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    class_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    start_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    city_code: Mapped[str] = mapped_column(String(6))
    class_type: Mapped[str] = mapped_column(String(10))  # 送工前 | 其他
    trade: Mapped[str] = mapped_column(Text)
    brand: Mapped[str | None] = mapped_column(Text)
    end_date: Mapped[dt.date] = mapped_column(Date)
    places: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int] = mapped_column(Integer)
    enrolled_poor: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    certified: Mapped[int] = mapped_column(Integer)
    organiser: Mapped[str | None] = mapped_column(Text)
    reporting_unit: Mapped[str] = mapped_column(Text)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"))
    source_row: Mapped[int] = mapped_column(Integer)


class TrainingCompliance(Base):
    """One county's training compliance as one check run found it (达标 / 未开班 / 开班晚于送工高峰 / 名额不足)."""

    __tablename__ = "training_compliance"

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(250), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    city_code: Mapped[str] = mapped_column(String(6))
    checked_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    classes: Mapped[int] = mapped_column(Integer)
    pre_dispatch_classes: Mapped[int] = mapped_column(Integer)
    places: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    demand: Mapped[int] = mapped_column(Integer)
    dispatch_peak: Mapped[dt.date | None] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(Text)  # JSON list of {rule, key, text, due}


class RemindedFinding(Base):
    """A training-check finding a county was reminded of, and by which email: never reminded twice."""

    __tablename__ = "reminded_finding"

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    finding_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    email_key: Mapped[str] = mapped_column(ForeignKey("sent_email.key"))
    reminded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class JobOpening(Base):
    """An enterprise's current opening at one place for one trade (its latest submission is its whole list)."""

    __tablename__ = "job_opening"
    __table_args__ = (Index("ix_job_opening_batch", "batch_id"),)

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    trade: Mapped[str] = mapped_column(String(100), primary_key=True)
    enterprise: Mapped[str] = mapped_column(Text)
    city_code: Mapped[str] = mapped_column(String(6))
    province_code: Mapped[str] = mapped_column(String(6))
    industry: Mapped[str] = mapped_column(Text)
    headcount: Mapped[int] = mapped_column(Integer)
    wage_min: Mapped[int] = mapped_column(Integer)
    wage_max: Mapped[int] = mapped_column(Integer)
    closing_date: Mapped[dt.date] = mapped_column(Date)
    key_enterprise: Mapped[bool] = mapped_column(Boolean)
    reporting_unit: Mapped[str] = mapped_column(Text)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"))
    source_row: Mapped[int] = mapped_column(Integer)


class FairResult(Base):
    """What one held job fair achieved, as its county reported it (a county's latest submission is its list)."""

    __tablename__ = "fair_result"
    __table_args__ = (Index("ix_fair_result_batch", "batch_id"),)

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    fair_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    fair_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    city_code: Mapped[str] = mapped_column(String(6))
    fair_no: Mapped[str | None] = mapped_column(String(9))
    mode: Mapped[str] = mapped_column(String(10))  # 现场 | 直播带岗 | 线上
    employers: Mapped[int] = mapped_column(Integer)
    positions: Mapped[int] = mapped_column(Integer)
    attendance: Mapped[int] = mapped_column(Integer)
    attendance_poor: Mapped[int] = mapped_column(Integer)
    intentions: Mapped[int] = mapped_column(Integer)
    intentions_poor: Mapped[int] = mapped_column(Integer)
    reporting_unit: Mapped[str] = mapped_column(Text)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"))
    source_row: Mapped[int] = mapped_column(Integer)


class ServiceProgress(Base):
    """A service-item figure of one area (county, 市本级 or 省本级) as a cumulative total up to as_of."""

    __tablename__ = "service_progress"
    __table_args__ = (Index("ix_service_progress_batch", "batch_id"), Index("ix_service_progress_entry", "entry"))

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    figure_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    entry: Mapped[str] = mapped_column(String(120))  # area|department|item|as_of: what a newer submission replaces
    city_code: Mapped[str] = mapped_column(String(6))
    value: Mapped[float] = mapped_column()
    department: Mapped[str] = mapped_column(Text)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"))
    source_row: Mapped[int] = mapped_column(Integer)


class Highlight(Base):
    """A department's 典型经验 / 亮点工作 / 存在问题 / 下一步打算 about one service item of one area (text,
    checked free of ID and mobile numbers at intake)."""

    __tablename__ = "highlight"
    __table_args__ = (Index("ix_highlight_batch", "batch_id"), Index("ix_highlight_entry", "entry"))

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    entry: Mapped[str] = mapped_column(String(120), primary_key=True)  # area|department|date: what a newer submission replaces
    item_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    category: Mapped[str] = mapped_column(String(10), primary_key=True)
    title: Mapped[str] = mapped_column(String(60), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(6))
    city_code: Mapped[str] = mapped_column(String(6))
    department: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    report_date: Mapped[dt.date] = mapped_column(Date)
    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"))
    source_row: Mapped[int] = mapped_column(Integer)


class JobFairPlan(Base):
    """One published job-fair rollout: figures only (no personal data) in the summary."""

    __tablename__ = "job_fair_plan"
    __table_args__ = (UniqueConstraint("campaign_id", "run_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(String(40))
    run_id: Mapped[str] = mapped_column(String(250))
    status: Mapped[str] = mapped_column(String(20))  # planned -> published
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str] = mapped_column(Text)  # JSON


class JobFair(Base):
    """A scheduled fair of a plan."""

    __tablename__ = "job_fair"

    plan_id: Mapped[int] = mapped_column(ForeignKey("job_fair_plan.id"), primary_key=True)
    fair_no: Mapped[str] = mapped_column(String(9), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    city_code: Mapped[str] = mapped_column(String(6))
    fair_date: Mapped[dt.date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(10))
    session: Mapped[str] = mapped_column(String(20))
    venue: Mapped[str] = mapped_column(Text)
    expected_seekers: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)


class JobRecommendation(Base):
    """A seeker's ranked openings in a plan (rank ≥ 1), or rank 0 with the reason none was found."""

    __tablename__ = "job_recommendation"

    plan_id: Mapped[int] = mapped_column(ForeignKey("job_fair_plan.id"), primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    served_by_code: Mapped[str] = mapped_column(String(6))  # the seeker's survey_worker.served_by_code
    uscc: Mapped[str | None] = mapped_column(String(18))
    county_code: Mapped[str | None] = mapped_column(String(6))
    trade: Mapped[str | None] = mapped_column(String(100))
    tier: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)


class Upload(Base):
    """One file a clerk sent on the 提交报表 page, kept by content hash under uploads_dir (nothing sent is
    lost). `scope` is the county, city or department of the account that sent it ("全省" for coordinators);
    the intake's outcome is the submission_batch of the same campaign, kind and sha256."""

    __tablename__ = "upload"
    __table_args__ = (Index("ix_upload_scope", "campaign_id", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(100))
    uploader: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    file_name: Mapped[str] = mapped_column(String(255))  # as the clerk named it, sanitised
    landing_name: Mapped[str] = mapped_column(String(255), unique=True)  # its name in the landing folder
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(Text)  # GateResult.summary() as JSON: counts, masked problems, error
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[str | None] = mapped_column(String(250))  # the intake run it triggered, if any


class TripReturn(Base):
    """A carrier's returned manifest (包车回执), one row per line it sent back: the trip's own row (id_number '',
    record 'trip': plate, driver, departure, riders counted, whether it ran, 超员) and one per rider (record
    'rider': 是否乘车). A newer return for a trip replaces all earlier rows of that trip."""

    __tablename__ = "trip_return"
    __table_args__ = (Index("ix_trip_return_batch", "batch_id"),)

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    trip_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)  # '' on the trip's own row
    record: Mapped[str] = mapped_column(String(5))  # trip | rider
    plan_id: Mapped[int] = mapped_column(Integer)  # the plan in force the return was checked against
    travel_date: Mapped[dt.date] = mapped_column(Date)
    plate: Mapped[str | None] = mapped_column(String(10))
    driver: Mapped[str | None] = mapped_column(Text)
    departed_at: Mapped[str | None] = mapped_column(String(16))  # local time as text: 2024-02-18 07:30
    riders: Mapped[int | None] = mapped_column(Integer)
    seats: Mapped[int | None] = mapped_column(Integer)
    ran: Mapped[bool | None] = mapped_column(Boolean)
    overcrowded: Mapped[bool] = mapped_column(Boolean)  # 超员: a safety finding, kept and alerted
    boarded: Mapped[str | None] = mapped_column(String(4))  # 是 | 否 | 改乘
    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"))
    source_row: Mapped[int] = mapped_column(Integer)


class SubsidyClaim(Base):
    """One transport-subsidy claim as its county checked and paid it (补助申领核验表; a county's newer return
    replaces its whole list). At most `claims_per_year` paid claims per person and year, across counties."""

    __tablename__ = "subsidy_claim"
    __table_args__ = (Index("ix_subsidy_claim_batch", "batch_id"), Index("ix_subsidy_claim_person", "id_number"))

    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    claim_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    city_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(Text)
    band: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    verified: Mapped[bool] = mapped_column(Boolean)
    posted_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    amount: Mapped[int | None] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(ForeignKey("submission_batch.id"))
    source_row: Mapped[int] = mapped_column(Integer)
