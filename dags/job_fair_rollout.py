"""
### 招聘会（job_fair_rollout）

结合“春风行动”安排专场招聘会、“直播带岗”，把有就业需求的农民工（需求摸排中“本地就业”“外出务工”）
与企业岗位（岗位信息归集表）对接：

规划招聘会与岗位匹配（每县至少一场，求职者多的县加场；脱贫人口多的县加办脱贫劳动力专场；
节前仍在外地的求职者多的县安排直播带岗；春节假期不办；同一地点同一天只办一场；每名求职者按
县内 → 市内 → 省内 → 省外、重点企业优先、工资高优先推荐岗位，一个岗位名额最多推荐给配置的人数）
→ 方案闸门 → 发布安排表和各县邀请企业名单（`var/outputs/<行动>/job_fairs/plan-N/`）→ 给各县发邮件
→ 汇总各县报来的招聘会成效（场次、企业、岗位、进场、意向）。

春风行动期间每天 8:00 自动运行：已有发布的方案时只汇总成效；需要重新规划时手动运行并勾选“重新规划”。
招聘会成效由各县按 `chunnuan template fair_results` 的模板报送，放入 `var/landing/<行动>/fair_results/`
后运行需求摸排入库。

#### 出错时怎么办（Triage）
- **规划 跳过（粉色）**：已有发布的方案（勾选“重新规划”可重做），或还没有需求摸排数据。
- **规划 失败**：春风行动时段放不下某些县的招聘会（日志写明哪个县、缺几天），请调整 `job_fairs` 配置。
- **方案闸门 失败（红色）**：方案违反规则（日志逐条列出），不会发布也不会通知各县；属程序缺陷，请联系开发人员。
- **通知各县 失败**：邮件服务器不可用，会自动重试；修复后重跑该任务，已发出的邮件不会重发。
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException

from chunnuan_airflow import run_date
from chunnuan_airflow.assets import JOB_FAIR_PLAN
from chunnuan_airflow.forms import campaign_param
from chunnuan_airflow.wiring import fail_on_problems, skip_or_fail, skip_outside


@dag(
    dag_id="job_fair_rollout",
    dag_display_name="招聘会",
    description="春风行动专场招聘会：排期、岗位匹配、邀请企业、通知各县、汇总成效",
    doc_md=__doc__,
    schedule="0 8 * * *",  # daily during the fair window: results are tallied; manual runs any time
    start_date=pendulum.datetime(2023, 12, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["春暖", "招聘会"],
    default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=2)},
    params={
        "campaign": campaign_param(),
        "as_of": Param(None, type=["null", "string"], format="date", title="规划日期",
                       description="留空：按运行当天。招聘截止日期早于规划日期的岗位不再推荐。"),
        "replan": Param(False, type="boolean", title="重新规划",
                        description="已有发布的招聘会方案时，勾选后按最新的摸排和岗位数据重新规划并通知各县。"),
    },
)
def job_fair_rollout():
    @task(task_display_name="规划招聘会与岗位匹配", multiple_outputs=False)
    def plan(params=None) -> dict:
        from chunnuan.config import campaign
        from chunnuan.job_fairs.steps import plan as plan_rollout
        from chunnuan_airflow.campaign_db import engine

        the_campaign, as_of = campaign.load(params["campaign"]), run_date.as_of(params)
        skip_outside(as_of, the_campaign.job_fairs.window, "春风行动招聘会时段")
        with skip_or_fail():
            summary = plan_rollout(engine(migrate=True), the_campaign, get_current_context()["run_id"], as_of,
                                   replan=params["replan"])
        print(f"招聘会方案 第 {summary['plan_id']} 版：{summary}")
        return summary

    @task(task_display_name="方案闸门", retries=0)
    def check_plan(summary: dict, params=None) -> None:
        from chunnuan.config import campaign
        from chunnuan.job_fairs.steps import gate
        from chunnuan_airflow.campaign_db import engine

        problems = gate(engine(), campaign.load(params["campaign"]), summary["plan_id"])
        fail_on_problems("招聘会方案未通过检查，不发布：", problems)

    @task(task_display_name="发布安排表与邀请名单", multiple_outputs=False)
    def publish(summary: dict, params=None) -> dict:
        from chunnuan.config import campaign
        from chunnuan.job_fairs.steps import publish as publish_plan
        from chunnuan_airflow.campaign_db import engine

        files = publish_plan(engine(), campaign.load(params["campaign"]), summary["plan_id"])
        print(f"安排表：{files['schedule']}；各县邀请名单 {len(files['county_files'])} 份")
        return files

    @task(task_display_name="通知各县", multiple_outputs=False)
    def notify(files: dict, params=None) -> int:
        from chunnuan.config import campaign
        from chunnuan.job_fairs.steps import notify as notify_counties
        from chunnuan_airflow import campaign_smtp
        from chunnuan_airflow.campaign_db import engine

        smtp = campaign_smtp.settings_or_none()
        if smtp is None:
            raise AirflowSkipException("未配置连接 campaign_smtp：不发送通知（安排表已发布）")
        sent = notify_counties(engine(), campaign.load(params["campaign"]), files["plan_id"], files["county_files"], smtp)
        print(f"已通知 {sent} 个县")
        return sent

    @task(task_display_name="汇总招聘会成效", trigger_rule="none_failed", outlets=[JOB_FAIR_PLAN],
          multiple_outputs=False)
    def tally(params=None, outlet_events=None) -> dict:
        from chunnuan.config import campaign
        from chunnuan.job_fairs.steps import tally as tally_results
        from chunnuan_airflow.campaign_db import engine

        the_campaign = campaign.load(params["campaign"])
        with skip_or_fail():
            figures = tally_results(engine(migrate=True), the_campaign)
        outlet_events[JOB_FAIR_PLAN].extra = {"campaign": the_campaign.id, **figures}
        print(f"招聘会成效：{figures}")
        return figures

    summary = plan()
    files = publish(summary)
    check_plan(summary) >> files
    notify(files) >> tally()


job_fair_rollout()
