"""Synthetic training-class submissions (培训班报表) for the demo, shaped by the survey's training demand.

Most counties run a pre-dispatch class early enough with places for their demand; a few run it late,
too small, or not at all, and a few rows carry the mistakes clerks make (结业 > 报名), so every
outcome of the training checks shows. Deterministic by seed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake.kinds.training import TRAINING

# Share of counties per outcome: the rest comply.
NO_CLASS, LATE, SHORT = 0.06, 0.06, 0.08
MISTAKES = 0.02  # rows with 结业人数 > 报名人数


def synthetic_classes(campaign: Campaign, demand: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Rows with the template's Chinese headers. `demand`: county_code, trade, people (training_demand.sql)."""
    rng = np.random.default_rng([seed, 5])
    province = divisions.province(campaign.province_code)
    festival_end = campaign.report.deadline - dt.timedelta(days=20)  # after the festival: late starts
    trades = list(campaign.training.trades)
    brands = list(campaign.training.brands) or [""]
    rows = []
    for code in sorted(province.counties):
        fate = rng.random()
        if fate < NO_CLASS:
            continue
        wanted = demand[demand["county_code"] == code].sort_values("people", ascending=False)
        if wanted.empty:
            wanted = pd.DataFrame({"trade": [trades[rng.integers(len(trades))]], "people": [30]})
        late, short = fate < NO_CLASS + LATE, NO_CLASS + LATE <= fate < NO_CLASS + LATE + SHORT
        for n, (trade, people) in enumerate(zip(wanted["trade"], wanted["people"], strict=True)):
            if trade not in trades:
                continue
            pre_dispatch = n == 0 or rng.random() < 0.5
            start = (festival_end if late and pre_dispatch else
                     campaign.training.window.start + dt.timedelta(days=int(rng.integers(21, 38))))
            places = int(max(10, people * (rng.uniform(0.4, 0.7) if short else rng.uniform(1.0, 1.4))))
            enrolled = int(places * rng.uniform(0.7, 1.05))
            completed = enrolled + 3 if rng.random() < MISTAKES else int(enrolled * rng.uniform(0.85, 1.0))
            name = province.counties[code].name
            rows.append({
                "县(市、区)": province.county_label(code),
                "培训班名称": f"{name}2024年{'送工前' if pre_dispatch else ''}{trade}培训班（第{n + 1}期）",
                "培训类型": "送工前" if pre_dispatch else "其他",
                "培训工种": trade,
                "劳务品牌": brands[rng.integers(len(brands))] if rng.random() < 0.3 else "",
                "开班日期": start.isoformat(),
                "结业日期": (start + dt.timedelta(days=int(rng.integers(5, 15)))).isoformat(),
                "计划名额": places,
                "报名人数": enrolled,
                "其中脱贫人口": int(enrolled * rng.uniform(0.1, 0.4)),
                "结业人数": completed,
                "取证人数": int(min(completed, enrolled) * rng.uniform(0.6, 0.95)),
                "承办机构": f"{name}职业技术学校",
                "填报单位": f"{name}人力资源和社会保障局",
                "填报日期": (start + dt.timedelta(days=1)).isoformat(),
            })
    return pd.DataFrame(rows, columns=[c.header for c in TRAINING.columns])


def write_class_files(campaign: Campaign, classes: pd.DataFrame, folder: Path) -> list[Path]:
    """One CSV per city, as the city bureaus would collect their counties' classes."""
    province = divisions.province(campaign.province_code)
    city_of = {province.county_label(c): province.city_of(c).name for c in province.counties}
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for city, rows in classes.groupby(classes["县(市、区)"].map(city_of), sort=True):
        path = folder / f"{city}培训班报表.csv"
        rows.to_csv(path, index=False, encoding="utf-8-sig")
        paths.append(path)
    return paths
