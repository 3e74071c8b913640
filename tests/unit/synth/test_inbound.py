"""Workers from other provinces (外省籍) in the synthetic province: who they are, who reports them, how
their cells are written (chunnuan.synth.survey with synth.places, synth.homes)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from stdnum.cn import ric

from chunnuan.config import campaign as campaigns
from chunnuan.config import divisions
from chunnuan.synth import homes, openings, places
from chunnuan.synth import survey as synth
from tests.unit.synth.test_survey import charter_requests, travelling_together

SEED = 20240122
WORKERS = 60_000


@pytest.fixture(scope="module")
def drawn():
    """The workers of a campaign as the generator draws them: (campaign, province, counties, rows)."""
    cache = {}

    def get(campaign_id: str):
        if campaign_id not in cache:
            campaign = campaigns.load(campaign_id)
            province = divisions.province(campaign.province_code)
            counties = homes.counties(province, SEED)
            cache[campaign_id] = campaign, province, counties, synth._draw_workers(
                campaign, province, counties, WORKERS, SEED)
        return cache[campaign_id]

    return get


def shares(values) -> pd.Series:
    return pd.Series(values).value_counts(normalize=True)


def test_shandong_receives_workers_from_the_usual_provinces_in_its_coastal_cities(drawn):
    campaign, province, counties, rows = drawn("shandong-2024")
    plan = places.inbound(province)
    arriving = ~rows["native"]
    home_province = shares(counties.province_names[rows["home"][arriving]])
    weight = dict(plan.home_provinces)

    assert arriving.mean() == pytest.approx(plan.share, abs=0.005)
    assert set(home_province.index) == set(weight)
    for name, share in home_province.items():
        assert share == pytest.approx(weight[name] / sum(weight.values()), abs=0.02), name
    assert (rows["work_province"][arriving] == province.name).all() and rows["work_in"][arriving].all()
    cities = shares(rows["work_city"][arriving])
    assert list(cities.index[:2]) == ["青岛市", "济南市"] and set(cities.index) == {c for c, _ in plan.cities}


def test_shandong_natives_go_out_and_stay(drawn):
    _, province, _, rows = drawn("shandong-2024")
    native = rows["native"]
    staying = rows["work_in"][native].mean()

    assert 0.2 < staying < 0.45
    assert {"江苏省", "北京市", "天津市", "上海市", "浙江省"} <= set(rows["work_province"][native])
    assert (rows["work_in"] == (rows["work_province"] == province.name)).all()


def test_guangxi_keeps_its_shape_with_a_few_workers_from_the_neighbours(drawn):
    _, province, counties, rows = drawn("guangxi-2024")
    arriving = ~rows["native"]

    assert arriving.mean() == pytest.approx(places.inbound(province).share, abs=0.003)
    assert set(counties.province_names[rows["home"][arriving]]) == {"湖南省", "贵州省", "云南省", "广东省"}
    assert shares(rows["work_province"][~arriving]).idxmax() == "广东省"


@pytest.mark.parametrize("campaign_id", ["guangxi-2024", "shandong-2024"])
def test_inbound_workers_come_from_rural_counties_elsewhere(drawn, campaign_id):
    campaign, province, counties, rows = drawn(campaign_id)
    home = rows["home"][~rows["native"]]
    codes = counties.codes[home].astype(str)
    every = divisions.all_divisions()

    assert all(every[c].level == "county" for c in set(codes))
    assert not any(c.startswith(campaign.province_code[:2]) for c in set(codes))
    assert all(every[c[:2] + "0000"].name == p for c, p in zip(codes, counties.province_names[home], strict=True))
    assert np.mean([every[c].name.endswith("区") for c in codes]) < 0.15  # few from city districts


@pytest.mark.parametrize("campaign_id", ["guangxi-2024", "shandong-2024"])
def test_every_id_is_issued_in_the_workers_home_county(drawn, campaign_id):
    _, _, counties, rows = drawn(campaign_id)
    ids = pd.Series(rows["id"])
    home = pd.Series(counties.codes[rows["home"]].astype(str))

    assert ids.map(ric.is_valid).all()
    assert (ids.str[:2] == home.str[:2]).all()
    # Today's code wherever it was in use in the birth year (as test_survey.test_valid_rows_are_realistic).
    with_today = home + ids.str[6:17]
    usable = with_today.map(lambda n: ric.is_valid(n + ric.calc_check_digit(n + "0")))
    assert (ids.str[:6] == home)[usable].all()
    # Many home counties were re-coded since (贵州、云南 …): their older workers keep the old code.
    assert usable[~rows["native"]].mean() > 0.4


@pytest.mark.parametrize("campaign_id", ["guangxi-2024", "shandong-2024"])
def test_the_receiving_county_in_the_work_city_reports_inbound_workers(drawn, campaign_id):
    _, province, counties, rows = drawn(campaign_id)
    native, file = rows["native"], rows["file"]
    city_code = {c.name: int(code) for code, c in province.cities.items()}

    assert (file[native] == rows["home"][native]).all()
    assert (file < counties.own).all() and (np.bincount(file, minlength=counties.own) > 0).all()
    arriving = np.flatnonzero(~native)
    assert (counties.city[file[arriving]] == [city_code[c] for c in rows["work_city"][arriving]]).all()
    assert (rows["work_county"][arriving] == file[arriving]).all()
    charter = rows["charter"] == "是"
    assert rows["show_work_county"][rows["work_in"] & charter].all()  # a charter's riders know its 厂门
    shown = rows["show_work_county"][np.intersect1d(arriving, np.flatnonzero(~charter))]
    assert shown.mean() == pytest.approx(synth.WORK_COUNTY_SHOWN["inbound"], abs=0.03)
    working_in = rows["work_in"]
    assert (counties.city[rows["work_county"][working_in]] == [city_code[c] for c in rows["work_city"][working_in]]).all()
    assert (rows["work_county"][~working_in] == -1).all() and not rows["show_work_county"][~working_in].any()


def test_shandong_county_files_mix_natives_and_inbound_workers(drawn):
    _, province, counties, rows = drawn("shandong-2024")
    inbound_files = np.bincount(rows["file"][~rows["native"]], minlength=counties.own)
    native_files = np.bincount(rows["file"][rows["native"]], minlength=counties.own)
    by_city = pd.Series(inbound_files).groupby(counties.city[: counties.own]).sum()

    assert (inbound_files > 0).sum() > counties.own / 2
    assert (native_files[inbound_files > 0] > 0).all()
    assert province.cities[str(by_city.idxmax())].name == "青岛市"


def test_inbound_charter_requests_gather_on_routes_to_the_receiving_cities():
    """返岗 charters run from the inbound workers' home counties (南阳市宛城区 …) to one county of a receiving
    city (青岛市黄岛区: the planner's destination is the work county where the row names one):
    at 100,000 workers most inbound requests share home county, work city and dates (±3 days) with enough
    others for a 53-seat coach at the minimum fill; at demo size (20,000) a good share fills a 35-seat one."""
    campaign = campaigns.load("shandong-2024")
    coach = math.ceil(campaign.transport.min_fill_ratio * 53)
    large = charter_requests("shandong-2024", 100_000, SEED)
    demo = charter_requests("shandong-2024", 20_000, SEED)
    inbound_large = large[~large["native"]].reset_index(drop=True)
    inbound_demo = demo[~demo["native"]].reset_index(drop=True)

    assert (travelling_together(inbound_large, 3) >= coach).mean() > 0.6
    assert (travelling_together(inbound_demo, 3) >= math.ceil(0.75 * 35)).mean() > 0.2
    assert (inbound_large["trip"] == "返岗").mean() > 0.7
    assert (inbound_large.groupby(["county", "city", "trip"])["work_county"].nunique() == 1).mean() > 0.9


# --- the files ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shandong_files(tmp_path_factory):
    """A CSV-only Shandong (every cell as typed) read back by position: (rows, summary, truth)."""
    out = tmp_path_factory.mktemp("shandong-csv")
    summary = synth.generate(campaigns.load("shandong-2024"), 6000, SEED, out, formats="csv")
    frames = []
    for entry in summary["per_file"]:
        frame = pd.read_csv(out / entry["file"], header=None, skiprows=entry["first_data_row"] - 1, dtype=str,
                            keep_default_na=False, encoding="utf-8-sig", names=list(synth.FIELDS))
        frames.append(frame.assign(file=entry["file"], row=np.arange(len(frame)) + entry["first_data_row"]))
    truth = pd.read_csv(out / "_truth" / "injected.csv", dtype={"kept_row": "Int64"})
    return pd.concat(frames, ignore_index=True), summary, truth


def arriving_rows(rows: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """The rows of workers from other provinces (ID numbers issued outside Shandong), without mistakes and
    without the workers reported twice (the second report comes from another county of the city)."""
    kept = truth.dropna(subset=["kept_row"])
    marked = [*zip(truth["file"], truth["row"], strict=True), *zip(kept["kept_file"], kept["kept_row"], strict=True)]
    mistaken = rows.set_index(["file", "row"]).index.isin(marked)
    ids = rows["id_number"].str.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return rows[~mistaken & (ids.str[:2] != "37")]


def national_labels() -> Counter:
    """How many counties of China a "city + county" label (南阳市宛城区) names."""
    found = Counter()
    for top in {d.code for d in divisions.provinces_by_name().values()}:
        p = divisions.province(top)
        found.update(p.county_label(code) for code in p.counties)
    return found


def test_home_counties_elsewhere_are_written_so_they_resolve(shandong_files):
    rows, _, truth = shandong_files
    arriving = arriving_rows(rows, truth)
    labels = national_labels()

    assert len(arriving) > 1000
    for given, county in zip(arriving["home_province"], arriving["home_county"], strict=True):
        if given:  # province in its own column: the county resolves inside it
            assert county in divisions.province(given).county_names, (given, county)
            continue
        full = next((p for p in divisions.provinces_by_name() if county.startswith(p) and p.endswith(("省", "区"))), None)
        if full is not None:
            assert county.removeprefix(full) in divisions.province(full).county_names, county
        else:  # 南阳市宛城区: a city and county no other county of China shares
            assert labels[county] == 1, county
    assert 0 < (arriving["home_province"] != "").mean() < 0.6


def test_each_file_fills_the_home_province_for_all_rows_or_none(shandong_files):
    rows, _, _ = shandong_files
    filled = rows.groupby("file")["home_province"].agg(lambda v: (v != "").mean())

    assert set(filled) <= {0.0, 1.0}
    assert 0 < (filled > 0).mean() < 0.6


def test_inbound_rows_sit_in_the_file_of_a_county_of_their_work_city(shandong_files):
    rows, _, truth = shandong_files
    arriving = arriving_rows(rows, truth)
    province = divisions.province("370000")
    file_county = arriving["file"].str[:6]
    file_city = file_county.map(lambda c: province.city_of(c).name)

    assert arriving["work_province"].isin(["山东省", "山东"]).all()
    assert (arriving["work_city"].map(lambda c: c if c.endswith("市") else c + "市") == file_city).all()
    named = arriving["work_county"] != ""
    assert (arriving.loc[named, "work_county"] == file_county[named].map(lambda c: province.counties[c].name)).all()
    unit = arriving["reporting_unit"]
    assert all(province.counties[c].name in u for c, u in zip(file_county, unit, strict=True))


def test_injected_scope_mistakes_are_what_the_truth_says(shandong_files):
    rows, summary, truth = shandong_files
    at = rows.set_index(["file", "row"])
    province = divisions.province("370000")

    out_of_scope = at.loc[list(zip(*truth.query("code == 'out_of_scope'")[["file", "row"]].T.values, strict=True))]
    assert len(out_of_scope) == summary["injected"]["out_of_scope"] > 0
    assert not out_of_scope["work_province"].isin(["山东省", "山东"]).any()
    assert not out_of_scope["id_number"].str.startswith("37").any()
    assert not (out_of_scope["home_province"] + out_of_scope["home_county"]).str.contains("山东").any()

    wrong_county = at.loc[list(zip(*truth.query("code == 'work_county_unknown'")[["file", "row"]].T.values, strict=True))]
    assert len(wrong_county) > 0
    for work_province, city, county in wrong_county[["work_province", "work_city", "work_county"]].itertuples(index=False):
        city = city if city.endswith("市") else city + "市"
        if divisions.province(work_province).code == province.code:  # another city's county
            assert province.city_of(province.county_names[county]).name != city
        else:  # a name its work province has nowhere
            assert county not in {c.name for c in divisions.province(work_province).counties.values()}

    unknown = at.loc[list(zip(*truth.query("code == 'county_unknown'")[["file", "row"]].T.values, strict=True))]
    everywhere = {d.name for d in divisions.all_divisions().values()}
    shared = divisions.national_county_names().ambiguous  # 鼓楼区: several provinces have one, Shandong none
    assert len(unknown) > 0
    for given, county in unknown[["home_province", "home_county"]].itertuples(index=False):
        assert county not in everywhere or (county in shared and county not in province.county_names and
                                            given in ("", "山东省", "山东")), (given, county)

    bad_groups = at.loc[list(zip(*truth.query("code == 'group_unknown'")[["file", "row"]].T.values, strict=True))]
    assert len(bad_groups) > 0 and bad_groups["priority_groups"].isin(synth.BAD_GROUPS).all()


def test_summary_describes_the_drawn_province(shandong_files):
    rows, summary, _ = shandong_files
    shape = summary["shape"]

    assert shape["native"] + shape["inbound"] == summary["workers"]
    assert sum(shape["inbound_home_provinces"].values()) == shape["inbound"] == sum(shape["inbound_work_cities"].values())
    assert list(shape["priority_groups"]) == list(campaigns.load("shandong-2024").priority_groups)
    assert shape["in_several_groups"] > 0 and shape["inbound_charter_requests"]["返岗"] > 0


def test_openings_wait_in_the_cities_receiving_inbound_workers():
    campaign = campaigns.load("shandong-2024")
    province = divisions.province(campaign.province_code)
    rows = openings.openings(campaign, 3000, SEED)
    inside = rows[rows["county_code"].str[:2] == "37"]
    city = inside["county_code"].map(lambda c: province.city_of(c).name).value_counts()

    assert {c for c, _ in places.inbound(province).cities} <= set(city.index)
    assert set(city.index[:2]) == {"青岛市", "济南市"}
