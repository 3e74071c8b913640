"""The demo's synthetic highlights pass the intake except the one entry that carries a mobile number; its
service progress passes whole, each figure from its department, adding up to the system's counts except the
one deliberate disagreement."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from chunnuan.config import campaign
from chunnuan.intake.gate import check_submission
from chunnuan.intake.kinds import progress
from chunnuan.intake.kinds.highlights import KIND
from chunnuan.synth.activity import OVER_REPORTED, highlights, service_progress


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
    answers_for = {(o, i) for (i, _), o in the_campaign.owners().items()}
    assert all((r.department, r.item_code) in answers_for for r in result.valid.itertuples())


@pytest.mark.parametrize("campaign_id", ["guangxi-2024", "shandong-2024"])
def test_progress_adds_up_to_the_systems_counts_but_one(tmp_path, campaign_id):
    the_campaign = campaign.load(campaign_id)
    weeks = [dt.date(2024, 2, 16), dt.date(2024, 2, 23), dt.date(2024, 3, 1)]
    counted = {"fairs_held": 109, "chartered": 4273, "trips": 97, "pre_dispatch_classes": 150, "enrolled": 5321}
    frame = service_progress(the_campaign, weeks, seed=7, counted=counted)
    path = tmp_path / "进展.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")

    result = check_submission(path, the_campaign, "pandas", kind=progress.KIND)

    assert result.error is None and result.counts["quarantined"] == 0, result.problems
    rows = result.valid
    owners = the_campaign.owners()
    assert all(owners[(i, f)] == d for i, f, d in zip(rows["item_code"], rows["figure_code"], rows["department"],
                                                      strict=True))
    last = rows[rows["as_of"] == rows["as_of"].max()].groupby("figure_code")["value"].sum()
    for item in the_campaign.service_items:
        for f in item.figures:
            if f.counterpart in counted:
                factor = OVER_REPORTED[1] if f.code == OVER_REPORTED[0] else 1
                assert last[f.code] == round(counted[f.counterpart] * factor), f.code
    late = [d.name for d in the_campaign.departments if d.email][-1]
    assert set(rows.loc[rows["department"] == late, "as_of"]) == set(pd.to_datetime(weeks[:-1]))
