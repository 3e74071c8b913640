"""Hand-made survey rows for tests: valid by default, one field changed to make a case."""

from __future__ import annotations

import csv
from pathlib import Path

from chunnuan.intake.kinds.survey import COLUMNS

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def make_id(county: str = "450821", birth: str = "19900101", seq: int = 123) -> str:
    """A valid ID number (check digit computed here so tests do not depend on the code under test)."""
    body = f"{county}{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]


def valid_row(seq: int = 1, **overrides: str) -> dict[str, str]:
    row = {
        "姓名": "张三",
        "身份证号": make_id(seq=seq),
        "联系电话": f"138{seq:08d}",
        "户籍省份": "",
        "户籍县(市、区)": "贵港市平南县",
        "乡镇(街道)": "大安镇",
        "重点群体类别": "否",
        "出行类型": "返岗",
        "计划出行日期": "2024-02-18",
        "可提前或推迟天数": "2",
        "务工地省份": "广东省",
        "务工地城市": "深圳市",
        "务工地县(市、区)": "",
        "用人单位": "深圳市某电子厂",
        "是否需要点对点包车": "是",
        "就业需求": "无",
        "意向工种": "",
        "是否需要技能培训": "否",
        "培训意向工种": "",
        "填报单位": "平南县人力资源和社会保障局",
        "填报日期": "2024-01-25",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8", title: str | None = None) -> Path:
    headers = [c.header for c in COLUMNS]
    with path.open("w", encoding=encoding, newline="") as fh:
        if title:
            fh.write(title + "\n")
        writer = csv.DictWriter(fh, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)
    return path
