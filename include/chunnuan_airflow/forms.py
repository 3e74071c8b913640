"""Trigger-form fields that several DAGs share."""

from __future__ import annotations

import os

from airflow.sdk import Param

from chunnuan.config import campaign


def campaign_param() -> Param:
    names = campaign.display_names()
    default = os.environ.get("CHUNNUAN_CAMPAIGN") or next(iter(names))
    return Param(
        default,
        type="string",
        title="行动",
        description="本次运行针对哪个省份、哪一年的行动（行动配置见 include/campaigns/）",
        enum=list(names),
        values_display=names,
    )
