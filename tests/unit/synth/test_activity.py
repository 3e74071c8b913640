"""The demo's synthetic highlights pass the intake except the one entry that carries a mobile number."""

from __future__ import annotations

import datetime as dt

import pytest

from chunnuan.config import campaign
from chunnuan.intake.gate import check_submission
from chunnuan.intake.kinds.highlights import KIND
from chunnuan.synth.activity import highlights


@pytest.mark.parametrize("campaign_id", ["guangxi-2024", "shandong-2024"])
def test_every_department_reports_each_category_and_one_mobile_is_quarantined(tmp_path, campaign_id):
    the_campaign = campaign.load(campaign_id)
    frame = highlights(the_campaign, the_campaign.report.deadline, seed=7)
    path = tmp_path / "亮点.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")

    result = check_submission(path, the_campaign, "pandas", kind=KIND)

    assert result.error is None
    assert result.counts["rows"] == 4 * len(the_campaign.departments)
    assert result.problems["code"].tolist() == ["pii_in_text"]
    assert set(result.valid["department"]) == {d.name for d in the_campaign.departments}
    assert set(result.valid["category"]) == {"典型经验", "亮点工作", "存在问题", "下一步打算"}
    assert highlights(the_campaign, dt.date(2024, 3, 1), seed=7).equals(highlights(the_campaign, dt.date(2024, 3, 1), seed=7))
