"""
### 培训班核查（training_class_checks）

按行动配置中启用的规则，逐县核查技能培训班：
每个县（市、区）至少开展一期送工前技能培训班（广西）；送工前培训班在本县送工高峰（返岗出行人数最多的一天，
已发布“点对点”包车方案的按包车日期）前开班；各工种培训名额覆盖需求摸排中的培训需求；培训班记录前后一致。

汇总培训与需求 → 核查数据闸门 → 逐县核查（达标 / 未开班 / 开班晚于送工高峰 / 名额不足，写明原因；
结果表 `var/outputs/<行动>/training/培训班核查-日期.xlsx`）→ 给未达标的县发提醒邮件（写明缺什么、何时前整改；
同一问题只提醒一次）→ 发布核查数字供行动总结使用。

行动期间每周一 9:00 自动运行，也可手动运行（可指定核查日期）。培训班报表由各县按
`chunnuan template training` 的模板报送，放入收件目录 `var/landing/<行动>/training/` 后运行需求摸排入库。

#### 出错时怎么办（Triage）
- **汇总培训与需求 跳过（粉色）**：还没有需求摸排数据和培训班报表，先运行需求摸排。
- **核查数据闸门 失败（红色）**：已入库的培训班数据不一致（日志逐条列出），属程序缺陷或数据库被改动，
  请联系开发人员；不会发送任何提醒。
- **发送提醒 失败**：邮件服务器不可用，会自动重试；修复后重跑该任务，已发出的提醒不会重发。
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from chunnuan_airflow import run_date
from chunnuan_airflow.assets import TRAINING_COMPLIANCE
from chunnuan_airflow.forms import campaign_param
from chunnuan_airflow.wiring import fail_on_problems, run_folder, skip_or_fail, skip_outside


@dag(
    dag_id="training_class_checks",
    dag_display_name="培训班核查",
    description="逐县核查送工前技能培训班：开班、开班时间、名额；给未达标的县发提醒",
    doc_md=__doc__,
    schedule="0 9 * * 1",  # Mondays 09:00 during the campaign window; manual runs any time
    start_date=pendulum.datetime(2023, 12, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["春暖", "培训班核查"],
    default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=2)},
    params={
        "campaign": campaign_param(),
        "as_of": Param(None, type=["null", "string"], format="date", title="核查日期",
                       description="留空：按运行当天核查。整改时限早于核查日期的问题标为“已逾期”。"),
    },
)
def training_class_checks():
    @task(task_display_name="汇总培训与需求", multiple_outputs=False)
    def extract(params=None) -> dict:
        from chunnuan.config import campaign
        from chunnuan.training.steps import extract as extract_inputs
        from chunnuan_airflow.campaign_db import engine

        the_campaign = campaign.load(params["campaign"])
        skip_outside(run_date.as_of(params), the_campaign.window, "行动时间")
        with skip_or_fail():
            counts = extract_inputs(engine(migrate=True), the_campaign, run_folder("training"))
        print(f"培训班 {counts['classes']} 期（{counts['counties_with_classes']} 个县），"
              f"摸排培训需求 {counts['training_demand']} 人，包车方案 {counts['charter_plan'] or '无'}")
        return counts

    @task(task_display_name="核查数据闸门", retries=0)
    def check_data(counts: dict, params=None) -> None:
        from chunnuan.config import campaign
        from chunnuan.training.steps import gate
        from chunnuan_airflow.campaign_db import engine

        problems = gate(engine(), campaign.load(params["campaign"]), run_folder("training"))
        fail_on_problems("培训班数据未通过检查，不发送提醒：", problems)

    @task(task_display_name="逐县核查", multiple_outputs=False)
    def evaluate(params=None) -> dict:
        from chunnuan.config import campaign
        from chunnuan.training.steps import evaluate as evaluate_counties
        from chunnuan_airflow.campaign_db import engine

        figures = evaluate_counties(engine(), campaign.load(params["campaign"]), run_folder("training"),
                                    get_current_context()["run_id"], run_date.as_of(params))
        print(figures)
        return figures

    @task(task_display_name="发送提醒", outlets=[TRAINING_COMPLIANCE], multiple_outputs=False)
    def send_reminders(figures: dict, params=None, outlet_events=None) -> dict:
        from chunnuan.config import campaign
        from chunnuan.training.steps import remind
        from chunnuan_airflow import campaign_smtp
        from chunnuan_airflow.campaign_db import engine

        smtp = campaign_smtp.settings_or_none()
        if smtp is None:
            print("未配置连接 campaign_smtp：本次不发送提醒（核查结果照常发布）")
        sent = remind(engine(), campaign.load(params["campaign"]), run_folder("training"), smtp, run_date.as_of(params))
        outlet_events[TRAINING_COMPLIANCE].extra = {**{k: v for k, v in figures.items() if k != "workbook"}, **sent}
        print(f"提醒：{sent}")
        return sent

    counts = extract()
    figures = evaluate()
    check_data(counts) >> figures
    send_reminders(figures)


training_class_checks()
