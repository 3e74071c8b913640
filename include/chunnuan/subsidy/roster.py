"""Who may claim the cross-province transport subsidy, from the survey: a pure function of the stored workers
and the campaign's rules. The survey cannot prove months of stable work, so those listed are candidates the
county checks against the evidence the rules accept."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from chunnuan.config.campaign import Campaign, SubsidyRules
from chunnuan.intake.kinds.survey import has_group

# Why a worker is not listed, in the order checked: each excluded worker is counted under the first that applies.
EXCLUSIONS = {
    "not_native": "非本省户籍（外省籍在本省务工）",
    "not_in_group": "不属于补助对象群体",
    "works_in_province": "在本省内务工，非跨省就业",
}


@dataclass(frozen=True)
class Eligibility:
    eligible: pd.DataFrame  # the eligible workers' rows with `band` and `amount` (元)
    excluded: dict[str, int]  # EXCLUSIONS code -> workers
    reasons: pd.Series  # per worker (workers' index): the EXCLUSIONS text it is excluded under, '' when eligible


def rules_of(campaign: Campaign) -> SubsidyRules:
    if campaign.subsidy is None:
        raise ValueError(f"{campaign.province}{campaign.name}的行动配置未设跨省就业交通补助规则（subsidy），不生成补助名单")
    return campaign.subsidy


def in_groups(priority_groups: pd.Series, groups: list[str]) -> pd.Series:
    """Whether each worker belongs to any of `groups` (a worker may be in several)."""
    found = pd.Series(False, index=priority_groups.index)
    for group in groups:
        found |= has_group(priority_groups, group)
    return found


def eligibility(workers: pd.DataFrame, campaign: Campaign) -> Eligibility:
    """workers: survey_worker rows (at least native, priority_groups, work_province)."""
    rules = rules_of(campaign)
    native = workers["native"].astype(bool)
    grouped = in_groups(workers["priority_groups"], rules.groups)
    away = workers["work_province"] != campaign.province
    first_failure = {
        "not_native": ~native,
        "not_in_group": native & ~grouped,
        "works_in_province": native & grouped & ~away,
    }
    excluded = {code: int(mask.sum()) for code, mask in first_failure.items()}
    reasons = pd.Series("", index=workers.index, dtype=object)
    for code, mask in first_failure.items():
        reasons[mask.to_numpy()] = EXCLUSIONS[code]
    eligible = workers[native & grouped & away].copy()
    bands = rules.band_of()
    chosen = eligible["work_province"].map(lambda p: bands.get(p, (rules.default_band, rules.default_amount)))
    eligible["band"] = chosen.str[0]
    eligible["amount"] = chosen.str[1].astype("int64")
    return Eligibility(eligible, excluded, reasons)


def evidence_words(rules: SubsidyRules) -> str:
    """What the county checks before paying, as the roster's 需核验材料 says it."""
    return f"以下任一，证明在省外稳定就业满{rules.min_months_employed}个月：{'、'.join(rules.evidence)}"
