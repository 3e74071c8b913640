"""Hand-made rows of the openings, fair-results and progress forms for tests: valid by default, one
field changed to make a case."""

from __future__ import annotations

import csv
from pathlib import Path

from chunnuan.intake.schema import Schema
from chunnuan.synth.charter import uscc_for


def uscc(n: int, region: str = "450821") -> str:
    """A valid unified social credit code, different for each n."""
    return uscc_for(region, n)


def opening_row(n: int = 1, **overrides: str) -> dict[str, str]:
    row = {
        "统一社会信用代码": uscc(n),
        "企业名称": f"平南县第{n}电子科技有限公司",
        "岗位所在省份": "",
        "岗位所在县(市、区)": "贵港市平南县",
        "所属行业": "制造业",
        "招聘工种": "电工",
        "招聘人数": "20",
        "月薪下限(元)": "3500",
        "月薪上限(元)": "5000",
        "招聘截止日期": "2024-03-31",
        "重点企业或重点园区": "否",
        "填报单位": "平南县人力资源和社会保障局",
        "填报日期": "2024-02-01",
    }
    row.update(overrides)
    return row


def fair_result_row(n: int = 1, **overrides: str) -> dict[str, str]:
    row = {
        "县(市、区)": "贵港市平南县",
        "招聘会编号": f"450821-{n:02d}",
        "招聘会名称": f"平南县2024年春风行动专场招聘会（第{n}场）",
        "举办日期": f"2024-02-{18 + n:02d}",
        "形式": "现场",
        "参会企业数": "40",
        "提供岗位数": "1200",
        "进场人数": "900",
        "其中脱贫人口": "150",
        "达成意向人数": "300",
        "其中脱贫人口达成意向": "60",
        "填报单位": "平南县人力资源和社会保障局",
        "填报日期": "2024-02-28",
    }
    row.update(overrides)
    return row


def progress_row(**overrides: str) -> dict[str, str]:
    row = {
        "地区": "贵港市平南县",
        "服务项目": "送关爱帮扶",
        "统计指标": "走访慰问",
        "累计数值": "320",
        "截至日期": "2024-02-23",
        "填报部门": "平南县民政局",
        "填报日期": "2024-02-23",
    }
    row.update(overrides)
    return row


def write_rows(path: Path, schema: Schema, rows: list[dict[str, str]]) -> Path:
    """A CSV with the form's headers (columns a row leaves out stay blank)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[c.header for c in schema.columns])
        writer.writeheader()
        writer.writerows(rows)
    return path
