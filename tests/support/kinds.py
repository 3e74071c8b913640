"""One valid row of each submission kind, by the form's headers: what the fuzz and real-layout tests
start from. Each kind's own support module makes its rows; the fleet's is here."""

from __future__ import annotations

from chunnuan.intake import registry
from tests.support.claims import claim_row
from tests.support.jobs import fair_result_row, highlight_row, opening_row, progress_row, uscc
from tests.support.returns import return_rows
from tests.support.rows import make_id, valid_row
from tests.support.training import class_row


def fleet_row(n: int = 1, **overrides: str) -> dict[str, str]:
    row = {
        "统一社会信用代码": uscc(n, "450800"),
        "企业名称": f"贵港市第{n}汽车运输有限公司",
        "质量信誉等级": "AA",
        "最近较大及以上责任事故日期": "",
        "联系人": "王五",
        "联系电话": f"139{n:08d}",
        "省际包车许可": "是",
        "座位数": "53",
        "开始日期": "2024-02-17",
        "结束日期": "2024-02-25",
        "每日可派车辆数": "5",
    }
    row.update(overrides)
    return row


def rail_row(n: int = 1, **overrides: str) -> dict[str, str]:
    """A Nanning bureau offer of 硬座 carriages on a K train from 南宁东 to 广州南, boarding also at 贵港."""
    row = {
        "铁路局": "中国铁路南宁局集团有限公司",
        "车次": f"K{1200 + n}",
        "日期": "2024-02-17",
        "始发站": "南宁东",
        "到达站": "广州南",
        "经停站": "贵港、平南南",
        "车厢类型": "硬座",
        "每厢定员": "118",
        "可提供车厢数": "6",
        "整列定员": "",
        "团体票价": "120",
        "联系人": "李站长",
        "联系电话": "0771-2431234",
    }
    row.update(overrides)
    return row


def survey_row(n: int = 1, **overrides: str) -> dict[str, str]:
    return valid_row(n, **{"身份证号": make_id(seq=100 + n), **overrides})


def progress_rows(n: int = 1, **overrides: str) -> dict[str, str]:
    return progress_row(**{"截至日期": f"2024-02-{n:02d}", **overrides})


ROWS = {"survey": survey_row, "fleet": fleet_row, "training": class_row, "openings": opening_row,
        "fair_results": fair_result_row, "progress": progress_rows,
        "highlights": highlight_row, "rail": rail_row, "trip_returns": return_rows,
        "subsidy_claims": claim_row}
assert set(ROWS) == set(registry.NAMES), "a registered kind without test rows"


def headers(kind: str) -> list[str]:
    return [c.header for c in registry.gate_kind(kind).schema.columns]
