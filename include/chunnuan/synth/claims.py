"""A synthetic claims return of the transport subsidy (补助申领核验表) for the demo: the counties work through
their rosters (subsidy.register), most candidates claim, most claims are verified, most verified ones are
posted and paid the band's amount; one paid row carries a wrong amount (the gate quarantines it)."""

from __future__ import annotations

import pandas as pd

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake.kinds.subsidy_claims import CLAIMS
from chunnuan.subsidy import register
from chunnuan.synth.random import rng as stream


def claims_return(campaign: Campaign, names: dict[str, str], year: int, seed: int = 1,
                  claim_share: float = 0.8) -> pd.DataFrame:
    """One frame under the form's headers: claims of `claim_share` of the roster's candidates (names: id -> name)."""
    roster = register.roster(campaign.id)
    if roster is None or campaign.subsidy is None:
        return pd.DataFrame(columns=[c.header for c in CLAIMS.columns])
    rng = stream(seed, "subsidy-claims")
    people = roster[roster["eligible"]].sort_values("id_number")
    people = people[rng.random(len(people)) < claim_share]
    verified = rng.random(len(people)) < 0.9
    paid = verified & (rng.random(len(people)) < 0.85)
    evidence = list(campaign.subsidy.evidence)
    amount = people["amount"].astype(int).to_numpy().copy()
    if paid.any():
        amount[paid.argmax()] += 100  # one clerk's typo: not the band's amount
    rows = pd.DataFrame({
        "户籍县(市、区)": people["home_county_code"].map(divisions.place_label).to_numpy(),
        "姓名": people["id_number"].map(names).to_numpy(),
        "身份证号": people["id_number"].to_numpy(),
        "申领年度": str(year),
        "证明材料": [evidence[int(i)] if v else "" for i, v in zip(rng.integers(0, len(evidence), len(people)), verified,
                                                              strict=True)],
        "核验通过": ["是" if v else "否" for v in verified],
        "公示日期": [f"{year}-03-01" if p else "" for p in paid],
        "发放日期": [f"{year}-03-15" if p else "" for p in paid],
        "发放金额(元)": [str(a) if p else "" for a, p in zip(amount, paid, strict=True)],
    })
    return rows
