"""Subsidy eligibility on hand-checked workers: home, group (alone or with others), work province, bands."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from chunnuan.config import campaign
from chunnuan.subsidy.roster import eligibility, evidence_words

GX = campaign.load("guangxi-2024")


def gx_with_more_groups() -> campaign.Campaign:
    """Guangxi's rules in a campaign that also tracks 就业困难农村劳动力 (not an eligible group)."""
    raw = yaml.safe_load(Path(campaign.campaigns_dir() / "guangxi-2024.yaml").read_text(encoding="utf-8"))
    raw["priority_groups"] = ["脱贫人口", "监测对象", "就业困难农村劳动力"]
    return campaign.Campaign.model_validate(raw)


def workers(*rows: tuple[str, bool, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id_number", "native", "priority_groups", "work_province"])


def test_native_group_member_working_outside_the_province_is_listed_with_the_band_of_the_work_province():
    found = eligibility(workers(
        ("a", True, "脱贫人口", "广东省"),        # 邻省 500
        ("b", True, "监测对象", "浙江省"),        # no band lists 浙江: 其他省份 800
        ("c", True, "脱贫人口", "新疆维吾尔自治区"),  # 远途省份 1000
    ), GX)
    got = found.eligible.set_index("id_number")[["band", "amount"]]
    assert got.to_dict("index") == {"a": {"band": "邻省", "amount": 500}, "b": {"band": "其他省份", "amount": 800},
                                    "c": {"band": "远途省份", "amount": 1000}}
    assert found.excluded == {"not_native": 0, "not_in_group": 0, "works_in_province": 0}


def test_each_excluded_worker_is_counted_once_under_the_first_reason():
    found = eligibility(workers(
        ("out1", False, "脱贫人口", "广东省"),         # 外省籍 (would fail nothing else)
        ("out2", False, "", "广西壮族自治区"),         # 外省籍, also no group, also in province: counted once
        ("grp", True, "", "广东省"),                  # 本省籍 outside, but not 脱贫人口/监测对象
        ("home", True, "脱贫人口", "广西壮族自治区"),  # 脱贫人口 working in Guangxi: not cross-province
        ("ok", True, "监测对象", "湖南省"),
    ), GX)
    assert found.eligible["id_number"].tolist() == ["ok"]
    assert found.excluded == {"not_native": 2, "not_in_group": 1, "works_in_province": 1}


def test_a_worker_in_several_groups_is_listed_when_any_one_is_eligible():
    found = eligibility(workers(
        ("both", True, "脱贫人口、就业困难农村劳动力", "江苏省"),
        ("other", True, "就业困难农村劳动力", "江苏省"),
    ), gx_with_more_groups())
    assert found.eligible["id_number"].tolist() == ["both"]
    assert found.eligible["amount"].tolist() == [800]
    assert found.excluded["not_in_group"] == 1


def test_a_group_name_inside_another_is_not_a_match():
    # "非脱贫人口" is not 脱贫人口: membership is by whole group names between 、.
    found = eligibility(workers(("x", True, "非脱贫人口、监测对象外", "广东省")), GX)
    assert found.eligible.empty and found.excluded["not_in_group"] == 1


def test_nobody_eligible_gives_an_empty_roster():
    found = eligibility(workers(("home", True, "脱贫人口", "广西壮族自治区")), GX)
    assert found.eligible.empty and list(found.eligible.columns)[-2:] == ["band", "amount"]


def test_a_campaign_without_subsidy_rules_says_so_in_chinese():
    with pytest.raises(ValueError, match="未设跨省就业交通补助规则"):
        eligibility(workers(("a", True, "脱贫人口", "江苏省")), campaign.load("shandong-2024"))


def test_the_evidence_the_county_checks_names_the_months_and_every_accepted_document():
    words = evidence_words(GX.subsidy)
    assert "满3个月" in words and all(e in words for e in ("用工单位证明", "劳动合同", "3个月工资流水", "社保缴费记录"))
