"""Priority groups (重点群体) of synthetic workers, driven by the campaign's `priority_groups`.

A worker may be in several groups: 就业困难 and 低收入 workers are found far more often among 脱贫人口
and 监测对象 than elsewhere. 脱贫人口 and 监测对象 exclude each other (a household is either out of
poverty or under monitoring). The cell is "否" or the worker's groups in the campaign's order, joined
with "、" as the template asks.
"""

from __future__ import annotations

import numpy as np

NONE = "否"
SEPARATOR = "、"
# province -> group -> share of the province's workers. A group the table does not know gets DEFAULT_SHARE.
SHARES = {
    "450000": {"脱贫人口": 0.20, "监测对象": 0.02},
    "370000": {"脱贫人口": 0.08, "监测对象": 0.01, "就业困难农村劳动力": 0.05, "低收入农村劳动力": 0.06},
}
DEFAULT_SHARE = 0.03
EXCLUSIVE = ("脱贫人口", "监测对象")
LIFT = 3.0  # how much likelier the other groups are among 脱贫人口 and 监测对象


def shares(groups: list[str], province_code: str) -> dict[str, float]:
    table = SHARES.get(province_code, {})
    return {g: table.get(g, DEFAULT_SHARE) for g in groups}


def membership(groups: list[str], province_code: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, len(groups)) booleans: which of the campaign's groups each worker is in."""
    share = shares(groups, province_code)
    member = np.zeros((n, len(groups)), dtype=bool)
    u = rng.random(n)
    edge = 0.0
    for j, group in enumerate(groups):
        if group in EXCLUSIVE:
            member[:, j] = (u >= edge) & (u < edge + share[group])
            edge += share[group]
    poor = member[:, [g in EXCLUSIVE for g in groups]].any(axis=1)
    for j, group in enumerate(groups):
        if group not in EXCLUSIVE:
            among_poor = min(1.0, share[group] * LIFT)
            # chosen so that the group's overall share stays share[group]
            elsewhere = max(0.0, (share[group] - edge * among_poor) / (1 - edge))
            member[:, j] = rng.random(n) < np.where(poor, among_poor, elsewhere)
    return member


def cells(member: np.ndarray, groups: list[str]) -> np.ndarray:
    """The 重点群体类别 cell of each worker: 否, or the groups in the campaign's order joined with 、."""
    key = member.astype(np.int64) @ (1 << np.arange(len(groups), dtype=np.int64))
    combinations, which = np.unique(key, return_inverse=True)
    texts = [SEPARATOR.join(g for j, g in enumerate(groups) if k >> j & 1) or NONE for k in combinations]
    return np.array(texts, dtype=object)[which]
