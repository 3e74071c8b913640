"""Priority groups (重点群体) of synthetic workers, driven by the campaign's `priority_groups`.

A worker may be in several groups: 就业困难 and 低收入 workers are found far more often among 脱贫人口
and 监测对象 than elsewhere. 脱贫人口 and 监测对象 exclude each other (a household is either out of
poverty or under monitoring). The cell is "否" or the worker's groups in the campaign's order, joined
with "、" as the template asks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NONE = "否"
SEPARATOR = "、"
# province -> group -> share of the province's workers. A group the table does not know gets DEFAULT_SHARE.
SHARES = {
    "450000": {"脱贫人口": 0.20, "监测对象": 0.02},
    "370000": {"脱贫人口": 0.08, "监测对象": 0.01, "就业困难农村劳动力": 0.05, "低收入农村劳动力": 0.06},
}
DEFAULT_SHARE = 0.03
EXCLUSIVE = ("脱贫人口", "监测对象")
# Other words clerks type for a group or for none, which the gate folds back; WORD_SHARE of cells use them.
WORDS = {"脱贫人口": ("脱贫户", "脱贫劳动力"), "监测对象": ("防止返贫监测对象",), "就业困难农村劳动力": ("就业困难人员",),
         "低收入农村劳动力": ("低收入人口",), NONE: ("无",)}
WORD_SHARE = 0.05
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


def as_typed(texts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The cells as clerks type them: WORD_SHARE of them with another word for a group or for none."""
    which, unique = pd.factorize(texts)
    other = np.array([SEPARATOR.join(_other_word(g, rng) for g in text.split(SEPARATOR)) for text in unique],
                     dtype=object)
    return np.where(rng.random(len(texts)) < WORD_SHARE, other[which], texts).astype(object)


def _other_word(group: str, rng: np.random.Generator) -> str:
    words = WORDS.get(group, (group,))
    return words[rng.integers(len(words))]
