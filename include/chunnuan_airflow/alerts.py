"""Task callbacks that tell the coordinators when something they rely on did not happen."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def report_not_sent(context) -> None:
    """on_failure_callback of 发送报告: the retries are used up, so the coordinators hear it by mail (over
    `campaign_alert_smtp` when configured) instead of finding a red square later."""
    from chunnuan.config import campaign
    from chunnuan.report.steps import alert_coordinators
    from chunnuan_airflow import campaign_smtp
    from chunnuan_airflow.campaign_db import engine

    ti, the_campaign = context["ti"], campaign.load(context["params"]["campaign"])
    lines = [f"报告发送失败，已尝试 {ti.try_number} 次：{context.get('exception')}",
             "报告文件已生成。邮件服务器恢复后，在 Airflow 中清除（重跑）“行动总结”的“发送报告”任务即可，不会重复发送。"]
    smtp = campaign_smtp.alert_settings_or_none()
    if smtp is None:
        log.error("未配置邮件连接，无法通知协调员：%s", lines)
        return
    try:
        alert_coordinators(engine(), the_campaign, smtp, f"report-send-failed-{context['run_id']}",
                           "行动总结发送失败", lines)
    except Exception:  # the alert route is down too: the red task and this log line are what is left
        log.exception("通知协调员的邮件也未能发出：%s", lines)
