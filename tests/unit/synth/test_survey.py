"""The synthetic province generator, held to the real intake gate (pandas engine; no Airflow, no database)."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from python_calamine import CalamineWorkbook
from stdnum.cn import ric

from chunnuan.config import campaign as campaigns
from chunnuan.config import divisions
from chunnuan.intake import gate as intake
from chunnuan.intake.kinds import survey as survey_kind
from chunnuan.synth import calendar
from chunnuan.synth import survey as synth
from chunnuan.synth.places import destinations

CAMPAIGNS = {"guangxi-2024": 111, "shandong-2024": 136}
WORKERS = 3000
SEED = 20240122


@pytest.fixture(scope="module")
def province_files(tmp_path_factory):
    """Generate each campaign once for the whole module: (folder, summary)."""
    cache: dict[str, tuple[Path, dict]] = {}

    def get(campaign_id: str) -> tuple[Path, dict]:
        if campaign_id not in cache:
            out = tmp_path_factory.mktemp(campaign_id)
            cache[campaign_id] = out, synth.generate(campaigns.load(campaign_id), WORKERS, SEED, out)
        return cache[campaign_id]

    return get


@pytest.fixture(scope="module")
def gated(province_files):
    """The gate's verdict on every generated file of a campaign: {file name: GateResult}."""
    cache: dict[str, dict[str, intake.GateResult]] = {}

    def get(campaign_id: str) -> dict[str, intake.GateResult]:
        if campaign_id not in cache:
            out, _ = province_files(campaign_id)
            campaign = campaigns.load(campaign_id)
            cache[campaign_id] = {
                p.name: intake.check_submission(p, campaign, engine="pandas", kind=survey_kind.KIND) for p in submissions(out)
            }
        return cache[campaign_id]

    return get


def submissions(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


def truth(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "_truth" / "injected.csv", dtype={"kept_row": "Int64"})


def valid_rows(results: dict[str, intake.GateResult]) -> pd.DataFrame:
    return pd.concat([r.valid.assign(file=name) for name, r in results.items()], ignore_index=True)


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- determinism --------------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_arrival_order(province_files, tmp_path):
    first, _ = province_files("guangxi-2024")
    again = tmp_path / "again"
    synth.generate(campaigns.load("guangxi-2024"), WORKERS, SEED, again)

    assert folder_bytes(again) == folder_bytes(first)
    mtimes = [[p.stat().st_mtime_ns for p in submissions(folder)] for folder in (again, first)]
    assert mtimes[0] == mtimes[1]


def test_other_seed_gives_other_files(province_files, tmp_path):
    first, _ = province_files("guangxi-2024")
    other = tmp_path / "other"
    synth.generate(campaigns.load("guangxi-2024"), WORKERS, SEED + 1, other)

    a, b = folder_bytes(first), folder_bytes(other)
    differing = [name for name in a if a.get(name) != b.get(name)]
    assert len(differing) > 0.9 * len(a)


# --- shape of the province ----------------------------------------------------------------------------


@pytest.mark.parametrize("campaign_id", CAMPAIGNS)
def test_one_file_per_county_named_by_code_and_label(province_files, campaign_id):
    out, summary = province_files(campaign_id)
    province = divisions.province(campaigns.load(campaign_id).province_code)
    files = submissions(out)

    assert len(files) == CAMPAIGNS[campaign_id] == summary["files"]
    stems = {p.stem for p in files}
    assert stems == {f"{code}-{province.county_label(code)}" for code in province.counties}
    assert {p.suffix for p in files} == {".xlsx", ".csv"}
    assert sorted(p.name for p in (out / "_truth").iterdir()) == ["injected.csv", "summary.json"]


def _encoding(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"PK"):
        return "xlsx"
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data.decode("gbk")  # must be GBK then
        return "gbk"
    return "utf-8"


@pytest.mark.parametrize("campaign_id", CAMPAIGNS)
def test_mixed_formats_and_a_title_row(province_files, campaign_id):
    out, summary = province_files(campaign_id)
    files = submissions(out)
    kinds = [_encoding(p) for p in files]

    assert {"xlsx", "gbk", "utf-8"} <= set(kinds)
    assert 0.25 < kinds.count("xlsx") / len(kinds) < 0.4
    titled = [f for f in summary["per_file"] if f["title_row"] and f["format"] == "xlsx"]
    assert titled
    book = CalamineWorkbook.from_path(str(out / titled[0]["file"]))
    first_row = book.get_sheet_by_name(book.sheet_names[0]).to_python()[0]
    assert str(first_row[0]).endswith("年春节农民工返乡返岗需求摸排表")


def test_every_text_is_gbk_encodable(province_files):
    out, _ = province_files("shandong-2024")
    for path in submissions(out):
        if _encoding(path).startswith("utf-8"):
            path.read_text(encoding="utf-8-sig").encode("gbk")  # raises if a character is missing from GBK


def test_arrival_order_is_defined_by_mtime(province_files):
    out, summary = province_files("guangxi-2024")
    arrival = {f["file"]: f["arrival"] for f in summary["per_file"]}
    by_mtime = sorted(submissions(out), key=lambda p: (p.stat().st_mtime_ns, p.name))

    assert [arrival[p.name] for p in by_mtime] == list(range(len(by_mtime)))
    assert len({p.stat().st_mtime_ns for p in by_mtime}) == len(by_mtime)


def test_csv_only_province_for_the_benchmark(tmp_path):
    summary = synth.generate(campaigns.load("shandong-2024"), 1500, SEED, tmp_path, formats="csv")
    files = submissions(tmp_path)

    assert len(files) == 136 and {p.suffix for p in files} == {".csv"}
    assert {_encoding(p) for p in files} <= {"utf-8", "utf-8-sig"}
    assert summary["injected"]["id_excel_number"] == 0
    assert sum(f["rows"] for f in summary["per_file"]) == summary["rows"]


def test_rejects_what_it_cannot_generate(tmp_path):
    gx = campaigns.load("guangxi-2024")
    with pytest.raises(ValueError, match="counties"):
        synth.generate(gx, 50, SEED, tmp_path)
    with pytest.raises(ValueError, match="formats"):
        synth.generate(gx, 3000, SEED, tmp_path, formats="xls")


# --- the ground truth holds against the real gate -----------------------------------------------------


@pytest.mark.parametrize("campaign_id", CAMPAIGNS)
def test_gate_quarantines_exactly_the_injected_mistakes(province_files, gated, campaign_id):
    out, summary = province_files(campaign_id)
    results = gated(campaign_id)
    injected = truth(out)
    mistakes = injected[injected["code"] != "duplicate_worker"]

    assert {name: r.error for name, r in results.items() if r.error} == {}
    quarantined = {
        (name, int(row)): codes.split(",")
        for name, r in results.items()
        for row, codes in zip(r.quarantined["source_row"], r.quarantined["codes"], strict=True)
    }
    expected = {
        (f, int(row)): code
        for f, row, code in zip(mistakes["file"], mistakes["row"], mistakes["code"], strict=True)
    }
    assert set(quarantined) == set(expected)
    wrong = {key: (code, quarantined[key]) for key, code in expected.items() if code not in quarantined[key]}
    assert wrong == {}
    single = {key: codes for key, codes in quarantined.items() if len(codes) != 1}
    assert single == {}, "each injected mistake must trip exactly one check"


@pytest.mark.parametrize("campaign_id", CAMPAIGNS)
def test_row_counts_add_up(province_files, gated, campaign_id):
    _, summary = province_files(campaign_id)
    results = gated(campaign_id)
    expected = summary["expected"]

    assert sum(r.rows for r in results.values()) == summary["rows"] == expected["rows"]
    assert sum(r.counts["quarantined"] for r in results.values()) == expected["quarantined"]
    assert sum(r.counts["duplicates"] for r in results.values()) == 0  # duplicates span files, never one file
    # Per file every duplicate report is valid; merging across files removes the `merged` losers.
    assert sum(r.counts["valid"] for r in results.values()) == expected["valid"] + expected["merged"]
    assert expected["rows"] == expected["valid"] + expected["quarantined"] + expected["merged"]


@pytest.mark.parametrize("campaign_id", CAMPAIGNS)
def test_duplicate_reports_lose_by_earlier_reporting_date(province_files, gated, campaign_id):
    out, summary = province_files(campaign_id)
    valid = valid_rows(gated(campaign_id)).set_index(["file", "source_row"])
    dupes = truth(out).query("code == 'duplicate_worker'")

    assert len(dupes) == summary["expected"]["merged"] > 0
    loser = valid.loc[list(zip(dupes["file"], dupes["row"], strict=True))]
    kept = valid.loc[list(zip(dupes["kept_file"], dupes["kept_row"].astype(int), strict=True))]
    assert (loser["id_number"].to_numpy() == kept["id_number"].to_numpy()).all()
    assert (dupes["file"].to_numpy() != dupes["kept_file"].to_numpy()).all()
    assert (loser["reported_on"].to_numpy() < kept["reported_on"].to_numpy()).all()
    others = valid.drop(index=loser.index.append(kept.index))
    assert not others["id_number"].duplicated().any()
    assert not others["id_number"].isin(kept["id_number"]).any()


@pytest.mark.parametrize("campaign_id", CAMPAIGNS)
def test_mistake_shares(province_files, campaign_id):
    _, summary = province_files(campaign_id)
    share = (summary["expected"]["quarantined"] + summary["expected"]["merged"]) / summary["rows"]

    assert 0.03 <= share <= 0.05
    assert max((f["quarantined"] + f["merged"]) / f["rows"] for f in summary["per_file"]) < 0.2
    codes = {k for k, v in summary["injected"].items() if v}
    assert codes == set(synth.MISTAKES) | {"duplicate_worker"}


# --- the clean data is realistic ----------------------------------------------------------------------


@pytest.mark.parametrize("campaign_id", CAMPAIGNS)
def test_valid_rows_are_realistic(gated, campaign_id):
    campaign = campaigns.load(campaign_id)
    valid = valid_rows(gated(campaign_id))
    ids = valid["id_number"]

    assert all(ric.is_valid(i) for i in ids)  # check digit, birth date, and a region code in use that year
    assert (ids.str[:2] == campaign.province_code[:2]).all()
    # Today's county code whenever it was already in use in the birth year; older workers from re-coded
    # counties keep the code their number was issued with (平南县 born 1980: 452524, not 450821).
    with_today = [home + i[6:17] for home, i in zip(valid["home_county_code"], ids, strict=True)]
    usable = [ric.is_valid(n + ric.calc_check_digit(n + "0")) for n in with_today]
    assert (ids.str[:6] == valid["home_county_code"])[usable].all()
    birth = pd.to_datetime(ids.str[6:14], format="%Y%m%d")
    start = pd.Timestamp(campaign.window.start)
    assert (birth <= start - pd.DateOffset(years=16)).all()
    assert (birth > start - pd.DateOffset(years=60)).all()
    mobile = phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern
    assert valid["phone"].str.fullmatch(mobile).all()

    travel = valid["travel_date"].dt.date
    assert travel.between(campaign.travel_window.start, campaign.travel_window.end).all()
    first, last = calendar.spring_festival_holiday(campaign.travel_window.start.year)
    assert (travel[valid["trip_type"] == "返乡"] < first).all()
    returning_to_work = travel[valid["trip_type"] == "返岗"]
    assert (returning_to_work >= last - dt.timedelta(days=1)).all()
    assert (returning_to_work <= last + dt.timedelta(days=7)).mean() > 0.5  # the peak right after the holiday
    reported = valid["reported_on"].dt.date
    assert (reported >= campaign.window.start).all() and (reported <= travel).all()

    assert valid["needs_charter"].mean() == pytest.approx(0.3, abs=0.06)
    assert valid["desired_trade"].notna().eq(valid["job_need"] != "无").all()
    assert valid["training_trade"].notna().eq(valid["needs_training"]).all()
    assert valid["flex_days"].between(0, 7).all()
    assert valid["priority_groups"].value_counts(normalize=True).get("监测对象", 0) > 0


def test_guangxi_workers_go_mostly_to_guangdong(gated):
    valid = valid_rows(gated("guangxi-2024"))
    share = valid["priority_groups"].value_counts(normalize=True)

    assert 0.15 <= share["脱贫人口"] <= 0.25
    assert valid["work_province"].value_counts(normalize=True).idxmax() == "广东省"
    assert {"浙江省", "福建省", "广西壮族自治区"} <= set(valid["work_province"])


def charter_requests(campaign_id: str, workers: int, seed: int) -> pd.DataFrame:
    """The workers asking for a charter as the generator draws them: home county, work city, trip, day."""
    campaign = campaigns.load(campaign_id)
    province = divisions.province(campaign.province_code)
    rows = synth._draw_workers(campaign, province, synth._counties(province, seed), workers, seed)
    fields = {"county": "home", "city": "work_city", "trip": "trip", "day": "travel_day"}
    frame = pd.DataFrame({name: rows[field] for name, field in fields.items()})
    return frame[rows["charter"] == "是"].reset_index(drop=True)


def travelling_together(requests: pd.DataFrame, days: int) -> np.ndarray:
    """For each request: the requests of its (county, city, trip type) dated at most `days` days away."""
    route = requests.groupby(["county", "city", "trip"]).ngroup().to_numpy()
    day = requests["day"].to_numpy() - requests["day"].min()
    per_day = np.zeros((route.max() + 1, day.max() + 2 * days + 2), dtype=np.int64)
    np.add.at(per_day, (route, day + days + 1), 1)
    cumulative = per_day.cumsum(axis=1)
    return cumulative[route, day + 2 * days + 1] - cumulative[route, day]


@pytest.mark.parametrize("campaign_id", CAMPAIGNS)
def test_charter_requests_gather_on_routes_and_days_that_fill_coaches(campaign_id):
    """Counties organise 点对点 charters on a few routes and peak days: most requests share their county,
    work city, trip type and dates within ±3 days with enough others to fill a 53-seat coach to the
    campaign's minimum (40). Requests drawn independently of each other, as the generator once did,
    spread over every county × city × day: at this size under a tenth of them would."""
    campaign = campaigns.load(campaign_id)
    requests = charter_requests(campaign_id, 100_000, SEED)
    coach = math.ceil(campaign.transport.min_fill_ratio * 53)

    assert coach == 40
    assert (travelling_together(requests, 3) >= coach).mean() > 0.7
    places = destinations(divisions.province(campaign.province_code))
    largest = [city for _, city, _ in sorted(places, key=lambda p: -p[2])[: synth.CHARTER_CITIES]]
    assert requests["city"].isin(largest).mean() > 0.8
    _, last = calendar.spring_festival_holiday(campaign.travel_window.start.year)
    after = requests.loc[requests["trip"] == "返岗", "day"] - calendar.day_number(last)
    assert after.between(-1, 10).mean() > 0.85  # 返岗 coaches leave in the days right after the holiday


def test_charter_requests_at_demo_size_mostly_fit_a_coach():
    """At `make demo` size (20,000 workers) a county has only a few dozen requests, yet most still share
    route and dates (±3 days) with enough others for a 35-seat coach at the minimum fill (27)."""
    requests = charter_requests("guangxi-2024", 20_000, SEED)

    assert (travelling_together(requests, 3) >= math.ceil(0.75 * 35)).mean() > 0.5


def test_shandong_bare_name_shared_by_two_districts_is_never_used(province_files, gated):
    out, _ = province_files("shandong-2024")
    text = "\n".join(file_text(p) for p in submissions(out))
    valid = valid_rows(gated("shandong-2024"))

    assert {"370103", "370402"} <= set(valid["home_county_code"])  # 济南市市中区, 枣庄市市中区
    assert re.search(r"(?<![\u4e00-\u9fff])市中区", text) is None  # never the bare name


def file_text(path: Path) -> str:
    """All cells of a submission as text, CSV or XLSX."""
    if path.suffix == ".csv":
        return path.read_bytes().decode("gbk" if _encoding(path) == "gbk" else "utf-8-sig")
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    return "\n".join(",".join(str(c) for c in row) for row in rows)


def test_cells_come_in_the_forms_counties_send(province_files):
    out, _ = province_files("guangxi-2024")
    csv_text = "\n".join(file_text(p) for p in submissions(out) if p.suffix == ".csv")
    for pattern in (r"\d{4}年\d{1,2}月\d{1,2}日", r"\d{4}/\d{1,2}/\d{1,2}", r",\d{4}-\d{2}-\d{2},", r",4\d{4},",
                    r"\d{17}x,", r"[０-９]{11}", r"\+86", r",1\d{2}-\d{4}-\d{4},", r"户籍县（市、区）|身份证号码"):
        assert re.search(pattern, csv_text), pattern

    date_cells = 0
    for path in submissions(out):
        if path.suffix == ".xlsx":
            book = CalamineWorkbook.from_path(str(path))
            rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
            date_cells += sum(isinstance(c, dt.date) for row in rows for c in row)
    assert date_cells > 0


def test_id_numbers_carry_the_gb11643_check_digit():
    rng = np.random.default_rng(1)
    n = 2000
    counties = rng.choice([450821, 370102, 110101], n)
    births = rng.integers(-2000, 12000, n)  # days since 1970-01-01
    ids = synth.id_numbers(counties, births, rng.integers(1, 1000, n))

    assert [i[17] for i in ids] == [ric.calc_check_digit(i) for i in ids]
    assert [i[:6] for i in ids] == [str(c) for c in counties]
    expected_births = [dt.date(1970, 1, 1) + dt.timedelta(days=int(b)) for b in births]
    assert [ric.get_birth_date(i) for i in ids] == expected_births
