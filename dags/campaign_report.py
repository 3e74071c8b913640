"""
### 行动总结（campaign_report）

把需求摸排、“点对点”包车、培训班、招聘会、各服务项目进展和数据质量的数字汇总到县、市、全省，核对无误后发给领导小组办公室
（行动配置 `report.to`），抄送行动配置中接收该类报告的部门（`departments[].receives`）。工作总结分“基本情况、主要做法和成效、
存在的问题、下一步打算”四部分；每版列出与上一版相比的新增、各部门本期报送情况、部门填报与系统记录的对照（差异超出
`report.tolerance` 的写明）。发送报告后，给本期有未报送服务项目、且有邮箱的部门各发一次催报。摸排和包车的各项数字分列本省籍/外省籍和行动配置的各重点群体，
外省籍务工人员另按务工地市列出（含主要来源省份）。每天 17:00 运行：行动期间每周的报送日（`report.weekly_on`，
如周五）发送进展周报，截止日期（`report.deadline`）前一周起发送的是工作总结，截止日当天也会运行，
保证工作总结按时发出；其余日子跳过。截止日之后工作总结仍未发出，“截止检查”每天失败并提醒协调员（提醒邮件只发一次）。每个版本（每周一版、总结一版）只发一次，
重跑不会重发；确需重发时在触发表单中勾选“重新发送”。

汇总与核对 → 发送报告 → 截止检查。报告 HTML 和统计表 XLSX 保存在 `var/outputs/<行动>/report/<版本>/`。

#### 出错时怎么办（Triage）
- **汇总与核对 失败（红色）**：数字对不上（全省合计与各市、各县之和不一致，本省籍与外省籍之和不等于合计，运送人数超过需求，
  结业超过报名，有本省以外的县区代码等），
  日志和发给协调员的提醒邮件逐条写明哪个数字不一致；报告不会发出。查明原因（多为数据被改动或程序缺陷）后重跑。
- **发送报告 失败**：邮件服务器不可用，已自动重试 3 次，并已给协调员发告警邮件（经连接 `campaign_alert_smtp`，
  未配置时经 `campaign_smtp`）；修复连接 `campaign_smtp` 后重跑该任务，不会重复发送。
- **截止检查 失败**：已过报送截止日期，工作总结仍未发出，请尽快处理。
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from chunnuan_airflow import campaign_smtp, run_date, upstream
from chunnuan_airflow.alerts import report_not_sent
from chunnuan_airflow.forms import campaign_param
from chunnuan_airflow.wiring import fail_on_problems, skip_scheduled


@dag(
    dag_id="campaign_report",
    dag_display_name="行动总结",
    description="汇总、核对数字，每周向领导小组办公室发送进展周报，截止日期前发送工作总结",
    doc_md=__doc__,
    schedule="0 17 * * *",  # daily 17:00; sends on the weekly day in the window and on the deadline (report.due)
    start_date=pendulum.datetime(2023, 12, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["春暖", "行动总结"],
    default_args={"retries": 3, "retry_delay": pendulum.duration(minutes=5)},
    params={
        "campaign": campaign_param(),
        "as_of": Param(None, type=["null", "string"], format="date", title="截至日期",
                       description="留空：按运行当天。截止日期前一周起为工作总结，此前为当周进展周报。"),
        "resend": Param(False, type="boolean", title="重新发送",
                        description="本版本已发送过时仍再发一次（例如领导要求补发）。"),
    },
)
def campaign_report():
    @task(task_display_name="汇总与核对", retries=0, multiple_outputs=False)
    def prepare(params=None) -> dict:
        from chunnuan.config import campaign
        from chunnuan.report.steps import not_due
        from chunnuan.report.steps import prepare as prepare_report
        from chunnuan_airflow.campaign_db import engine

        the_campaign, as_of = campaign.load(params["campaign"]), run_date.as_of(params)
        skip_scheduled(not_due(the_campaign, as_of))
        prepared, problems = prepare_report(engine(migrate=True), the_campaign, as_of, campaign_smtp.settings_or_none())
        fail_on_problems("数字核对未通过，报告不发送：", problems)
        print(prepared)
        return prepared

    @task(task_display_name="发送报告", multiple_outputs=False, on_failure_callback=report_not_sent)
    def send(prepared: dict, params=None) -> dict:
        from chunnuan.config import campaign
        from chunnuan.report.steps import send as send_report
        from chunnuan_airflow.campaign_db import engine

        smtp = campaign_smtp.settings_or_none()
        if smtp is None:
            raise AirflowFailException("未配置连接 campaign_smtp，报告无法发送（报告文件已生成："
                                       f"{prepared['html']}）")
        resend_tag = get_current_context()["run_id"] if params["resend"] else None
        sent = send_report(engine(), campaign.load(params["campaign"]), prepared, smtp, resend_tag)
        print(f"{prepared['title']}：{'已发送' if sent else '此前已发送，本次不重复发送'}")
        return {"version": prepared["version"], "sent_now": sent}

    @task(task_display_name="截止检查", trigger_rule="all_done", retries=0)
    def deadline_check(params=None) -> None:
        from chunnuan.config import campaign
        from chunnuan.report.steps import overdue
        from chunnuan_airflow.campaign_db import engine

        the_campaign, as_of = campaign.load(params["campaign"]), run_date.as_of(params)
        # all_done: this runs after a failed summary or send too, and must then end the run failed.
        not_sent = upstream.failed(get_current_context(), "prepare", "send")
        late = overdue(engine(), the_campaign, as_of, campaign_smtp.settings_or_none())
        if late:
            raise AirflowFailException(late)
        if not_sent:
            raise AirflowFailException("本次报告未能生成或发送（协调员已收到告警邮件），原因见前面任务的日志。")

    send(prepare()) >> deadline_check()


campaign_report()
