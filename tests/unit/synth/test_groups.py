"""Priority groups of synthetic workers, from the campaign's priority_groups (chunnuan.synth.groups)."""

from __future__ import annotations

import numpy as np
import pytest

from chunnuan.config import campaign as campaigns
from chunnuan.synth import groups
from chunnuan.synth.random import rng

N = 200_000
SD_GROUPS = ["脱贫人口", "监测对象", "就业困难农村劳动力", "低收入农村劳动力"]


def drawn(campaign_id: str) -> tuple[list[str], np.ndarray]:
    campaign = campaigns.load(campaign_id)
    names = list(campaign.priority_groups)
    return names, groups.membership(names, campaign.province_code, N, rng(7, "groups"))


@pytest.mark.parametrize("campaign_id", ["guangxi-2024", "shandong-2024"])
def test_every_group_of_the_campaign_has_its_share(campaign_id):
    campaign = campaigns.load(campaign_id)
    names, member = drawn(campaign_id)

    assert set(names) <= set(groups.SHARES[campaign.province_code])  # no campaign group falls to the default
    expected = groups.shares(names, campaign.province_code)
    for j, name in enumerate(names):
        assert member[:, j].mean() == pytest.approx(expected[name], abs=0.004), name


def test_shandong_groups_overlap_where_they_do_in_life():
    names, member = drawn("shandong-2024")
    column = {name: member[:, j] for j, name in enumerate(names)}
    poor = column["脱贫人口"] | column["监测对象"]

    assert not (column["脱贫人口"] & column["监测对象"]).any()
    for name in ("就业困难农村劳动力", "低收入农村劳动力"):
        assert column[name][poor].mean() > 2 * column[name][~poor].mean()
    assert (member.sum(axis=1) > 1).mean() > 0.01


def test_guangxi_groups_exclude_each_other():
    _, member = drawn("guangxi-2024")

    assert member.sum(axis=1).max() == 1


def test_a_group_the_table_does_not_know_gets_the_default_share():
    member = groups.membership(["脱贫人口", "残疾人"], "370000", N, rng(7, "groups"))

    assert member[:, 1].mean() == pytest.approx(groups.DEFAULT_SHARE, abs=0.003)


def test_cells_name_the_groups_in_the_campaign_order():
    member = np.array([[0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1], [1, 0, 1, 1], [0, 1, 0, 0]], dtype=bool)

    assert groups.cells(member, SD_GROUPS).tolist() == [
        "否", "脱贫人口、就业困难农村劳动力", "低收入农村劳动力", "脱贫人口、就业困难农村劳动力、低收入农村劳动力", "监测对象",
    ]


def test_some_cells_use_the_other_words_clerks_type():
    names, member = drawn("shandong-2024")
    canonical = groups.cells(member, names)
    typed = groups.as_typed(canonical, rng(7, "typed"))
    changed = typed != canonical

    assert changed.mean() == pytest.approx(groups.WORD_SHARE, abs=0.003)
    assert set(typed[changed & (canonical == groups.NONE)]) == set(groups.WORDS[groups.NONE])
    for original, written in zip(canonical[changed], typed[changed], strict=True):
        parts = written.split(groups.SEPARATOR)
        assert [p in groups.WORDS[g] for g, p in zip(original.split(groups.SEPARATOR), parts, strict=True)] == [True] * len(parts)
