"""A small published subsidy roster (the files `subsidy.register` keeps) and rows of a county's claims return
that match it: valid by default, one field changed to make a case."""

from __future__ import annotations

import pandas as pd

from chunnuan.subsidy import register
from tests.support.rows import make_id

NOT_ELIGIBLE = 9  # claimant 9 works inside the province


def claimant_id(n: int) -> str:
    return make_id("450821", seq=700 + n)


def publish_small_roster(campaign_id: str) -> None:
    """Claimants 1-8 eligible (邻省, 500 元), claimant 9 surveyed but working in the province."""
    people = range(1, NOT_ELIGIBLE + 1)
    register.write_roster(campaign_id, pd.DataFrame({
        "id_number": [claimant_id(n) for n in people], "home_county_code": "450821",
        "eligible": [n != NOT_ELIGIBLE for n in people],
        "reason": ["" if n != NOT_ELIGIBLE else "在本省内务工，非跨省就业" for n in people],
        "band": ["邻省" if n != NOT_ELIGIBLE else "" for n in people],
        "amount": [500 if n != NOT_ELIGIBLE else 0 for n in people]}))


def claim_row(n: int = 1, **overrides: str) -> dict[str, str]:
    row = {"户籍县(市、区)": "贵港市平南县", "姓名": f"申领人{n}", "身份证号": claimant_id(n), "申领年度": "2024",
           "证明材料": "劳动合同", "核验通过": "是", "公示日期": "2024-03-01", "发放日期": "2024-03-15",
           "发放金额(元)": "500"}
    row.update(overrides)
    return row
