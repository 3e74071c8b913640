"""Hand-made training-class rows (培训班报表) for tests: valid by default, one field changed to make a case."""

from __future__ import annotations

import csv
from pathlib import Path

from chunnuan.intake.kinds.training import TRAINING


def class_row(n: int = 1, **overrides: str) -> dict[str, str]:
    row = {
        "县(市、区)": "贵港市平南县",
        "培训班名称": f"平南县2024年送工前电工培训班（第{n}期）",
        "培训类型": "送工前",
        "培训工种": "电工",
        "劳务品牌": "八桂技工",
        "开班日期": "2024-02-01",
        "结业日期": "2024-02-07",
        "计划名额": "50",
        "报名人数": "48",
        "其中脱贫人口": "12",
        "结业人数": "45",
        "取证人数": "40",
        "承办机构": "平南县职业技术学校",
        "填报单位": "平南县人力资源和社会保障局",
        "填报日期": "2024-02-08",
    }
    row.update(overrides)
    return row


def write_classes(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[c.header for c in TRAINING.columns])
        writer.writeheader()
        writer.writerows(rows)
    return path
