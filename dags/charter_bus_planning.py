"""
### 点对点包车（charter_bus_planning）

按需求摸排中“需要点对点包车”的务工人员和运输企业报送的运力，编制“点对点”包车方案：
提取需求与运力 → 编制方案（按线路与可出行日期成团，选车型，不超员、达最低满载率，只用合格企业，
长途配两名驾驶员）→ 方案质量闸门 → **协调员在界面上审批** → 发布（入库、承运企业和各县名单
XLSX、给各县发通知邮件，邮件不含身份证号和电话）。

需求摸排或运力报表入库后自动运行，也可手动运行。手动运行时可勾选“自动批准”（演示、测试用）。

**已发布方案保持稳定**：已有发布的方案时，新方案保留已发布车次（车次编号、日期、车型、承运企业和车上人员
不变），只为新增、变更或退出的需求重新安排：新增人员优先补入保留车次的空座，其余另行编车；退出人员空出座位。
因人员退出低于最低满载率的保留车次仍保留，在审批摘要中列出，由协调员决定。审批摘要和各县通知邮件写明
保留、新增、取消的车次数。需要整体重排时，手动运行并勾选“全部重新规划”（车次编号不会与已发布的重复）。

审批：打开本次运行的“审批方案”任务（Required actions / 待办），阅读方案摘要后选择 Approve（批准）
或 Reject（驳回，不发布）。

#### 出错时怎么办（Triage）
- **提取需求与运力 跳过（粉色）**：还没有包车需求或还没有运力报表，先运行需求摸排。
- **方案质量闸门 失败（红色）**：方案违反规则（超员、低于满载率、超出企业可派车辆、人数不守恒等），
  日志逐条列出；这是程序缺陷或运力数据有误，请勿发布，联系开发人员。
  若是保留车次的企业已不再报送该日运力或已不符合资质（“超出企业每日可派车辆数”“不符合资质要求”），
  请手动运行并勾选“全部重新规划”。
- **发布 失败**：数据库或邮件服务器不可用。修复后重跑该任务：方案只入库一次，已发出的邮件不会重发。
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from chunnuan_airflow.approval import PlanApprovalOperator
from chunnuan_airflow.assets import CHARTER_PLAN, FLEET_SUPPLY, SURVEY_DEMAND
from chunnuan_airflow.forms import campaign_param
from chunnuan_airflow.wiring import fail_on_problems, run_folder, skip_or_fail


@dag(
    dag_id="charter_bus_planning",
    dag_display_name="点对点包车",
    description="“点对点”包车：编制方案、质量闸门、审批、发布名单并通知各县",
    doc_md=__doc__,
    schedule=(SURVEY_DEMAND | FLEET_SUPPLY),
    start_date=pendulum.datetime(2023, 12, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["春暖", "点对点包车"],
    default_args={"retries": 1, "retry_delay": pendulum.duration(minutes=1)},
    params={
        "campaign": campaign_param(),
        "auto_approve": Param(False, type="boolean", title="自动批准",
                              description="演示和测试用：不等待协调员审批，方案通过质量闸门后直接发布。"),
        "replan_all": Param(False, type="boolean", title="全部重新规划",
                            description="默认保留已发布车次，只为新增、变更、退出的需求重新安排；勾选后不保留已发布车次，"
                                        "按全部需求重新编制方案（已发布车次将被取消并重新编号）。"),
    },
)
def charter_bus_planning():
    @task(task_display_name="提取需求与运力", multiple_outputs=False)
    def extract(params=None) -> dict:
        from chunnuan.charter.steps import extract as extract_inputs
        from chunnuan.config import campaign
        from chunnuan_airflow.campaign_db import engine

        with skip_or_fail():
            counts = extract_inputs(engine(migrate=True), campaign.load(params["campaign"]), run_folder("charter"),
                                    replan_all=bool(params.get("replan_all", False)))
        print(f"包车需求 {counts['requests']} 人，运输企业 {counts['carriers']} 家")
        if counts["published_plan"] is not None:
            how = "全部重新规划" if counts["replan_all"] else "保留已发布车次"
            print(f"已发布方案：第{counts['published_plan']}版（{how}）")
        return counts

    @task(task_display_name="编制方案", multiple_outputs=False)
    def make_plan(counts: dict, params=None) -> dict:
        from chunnuan.charter.steps import make_plan as plan_trips
        from chunnuan.config import campaign

        summary = plan_trips(campaign.load(params["campaign"]), run_folder("charter"))
        print({k: summary[k] for k in ("requests", "chartered", "referred", "trips", "cost", "cost_to_bound")})
        if summary.get("replan"):
            r = summary["replan"]
            print(f"与第{r['base_plan']}版相比：保留车次 {r['kept_trips']}，新增 {r['added_trips']}，取消 {r['cancelled_trips']}")
        return {k: summary[k] for k in ("requests", "chartered", "referred", "trips", "cost", "lower_bound",
                                        "cost_to_bound")}

    @task(task_display_name="方案质量闸门", retries=0)
    def check_plan(summary: dict, params=None) -> str:
        from chunnuan.charter.steps import gate
        from chunnuan.config import campaign

        problems, markdown = gate(campaign.load(params["campaign"]), run_folder("charter"))
        fail_on_problems("方案未通过质量检查，不能发布：", problems)
        print(markdown)
        return markdown

    approve = PlanApprovalOperator(
        task_id="approve_plan",
        task_display_name="审批方案",
        subject="“点对点”包车方案待审批",
        body="{{ ti.xcom_pull(task_ids='check_plan') }}",
        # A plain timedelta: the deferral is sent to the supervisor, whose encoder rejects pendulum's Duration.
        response_timeout=dt.timedelta(days=3),
    )

    @task(task_display_name="发布方案", outlets=[CHARTER_PLAN], multiple_outputs=False)
    def publish(params=None, outlet_events=None) -> dict:
        from chunnuan.charter.steps import publish as publish_plan
        from chunnuan.config import campaign
        from chunnuan_airflow import campaign_smtp
        from chunnuan_airflow.campaign_db import engine

        context = get_current_context()
        decision = context["ti"].xcom_pull(task_ids="approve_plan") or {}
        approver = (decision.get("responded_by_user") or {}).get("name", "")
        smtp = campaign_smtp.settings_or_none()
        if smtp is None:
            print("未配置连接 campaign_smtp：本次不发送邮件（名单照常发布）")
        the_campaign = campaign.load(params["campaign"])
        outcome = publish_plan(engine(), the_campaign, run_folder("charter"), context["run_id"], approver, smtp)
        outlet_events[CHARTER_PLAN].extra = {"campaign": the_campaign.id, "plan_id": outcome["plan_id"],
                                             "trips": outcome["trips"], "chartered": outcome["chartered"]}
        print(f"已发布：{outcome}")
        return outcome

    checked = check_plan(make_plan(extract()))
    checked >> approve >> publish()


charter_bus_planning()
