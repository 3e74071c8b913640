"""Synthetic charter requests (chunnuan.synth.charter): natives, and workers from other provinces fed to
the real planner."""

from __future__ import annotations

from chunnuan.config import campaign as campaigns
from chunnuan.config import divisions
from chunnuan.planner.core import plan
from chunnuan.synth import charter
from chunnuan.synth.homes import sending_homes

GX = campaigns.load("guangxi-2024")
SD = campaigns.load("shandong-2024")


def test_default_requests_are_natives_naming_no_work_county():
    requests = charter.requests(GX, 2000, seed=3)

    assert (requests["home_county_code"].str[:2] == "45").all()
    assert (requests["work_county_code"] == "").all() and requests["id_number"].is_unique


def test_inbound_requests_run_from_sending_counties_to_one_receiving_county_per_route():
    requests = charter.requests(SD, 4000, seed=3, inbound_share=0.4)
    province = divisions.province(SD.province_code)
    arriving = requests[requests["home_county_code"].str[:2] != "37"]

    assert len(arriving) == 1600 and requests["id_number"].is_unique
    assert set(arriving["home_county_code"]) <= {code for code, _ in sending_homes(province, 3)}
    assert (arriving["work_province"] == province.name).all()
    assert (arriving["work_county_code"].map(lambda c: province.city_of(c).name) == arriving["work_city"]).all()
    assert (arriving.groupby(["home_county_code", "work_city"])["work_county_code"].nunique() == 1).all()


def test_the_planner_charters_coaches_for_inbound_requests():
    requests = charter.requests(SD, 5000, seed=5, inbound_share=1.0)
    result = plan(requests, charter.fleet(SD, 5000, seed=5), SD, workers=1)
    carried = result.routes[result.routes["carried"] > 0]
    ends = carried["route_id"].str.split(">", expand=True)

    assert result.summary["chartered"] > 0 and result.summary["chartered"] == carried["carried"].sum()
    # 返岗 from a county elsewhere to the receiving county, 返乡 the reverse: one end in Shandong, one outside
    assert ((ends[0].str[:2] == "37") != (ends[1].str[:2] == "37")).all()
