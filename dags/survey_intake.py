"""
### 需求摸排（survey_intake）

把各县（市、区）报来的农民工返乡返岗需求摸排表、培训班报表、岗位信息归集表、招聘会成效报表，
各部门报来的服务项目进展表，以及运输企业报来的运力报表，导入行动数据库：
读取收件目录中的新文件（XLSX / CSV，UTF-8 或 GBK）→ 逐个文件规范化并做质量检查 →
有问题的行隔离并写明原因 → 重复报送按下表处理 → 入库 → 核对行数守恒。

{kinds}

**检查报表**：每个检查任务检查至多 30 个文件（任务名列出第一个文件和文件数），日志逐个文件写明结果
（读取、入库、隔离、合并或退回原因）；一次收到的文件多时分成几个任务同时检查。问题清单（问题清单.xlsx）写在
`var/outputs/<行动>/feedback/`，可直接发回县里修改。只重新检查某一个文件：手动触发，在“指定文件”中填写该文件。

#### 出错时怎么办（Triage）
- **检查报表任务失败（红色）**：日志最后列出被整批退回的文件，这些文件不会重试，也没有任何一行入库；
  同一任务里的其他文件照常检查入库。每个退回文件后面有中文说明（缺列、空文件、不是表格、不是本省、问题行超过上限），
  把问题清单发给填报单位，改好后放回收件目录即可；同样内容的文件不会重复导入。
- **超员告警与未乘车名单**：运输企业交回的包车回执中有实载人数超过座位数的车次时，立即给行动协调员发邮件（每个车次
  一封，不含乘客信息），该行照常入库并标为超员；各县未乘车、改乘人员名单写在 `var/outputs/<行动>/charter/no-shows/`
  （含身份证号和电话，只在系统中，不发邮件）。此任务失败多为邮件服务器不可用，修复后重跑即可，已发出的不会重发。
- **生成交通补助名单**：需求摸排入库后，按行动配置的补助规则重新生成各县跨省就业交通补助候选名单
  （`var/outputs/<行动>/subsidy/counties/`，含身份证号和电话，只在系统中）；补助申领核验表按最新名单核对。
  未设补助的行动（如山东）跳过。
- **各“入库”任务失败**：数据库不可用或行数不守恒（程序缺陷）。数据库事务已回滚，修复后重跑该任务。
- **汇总本次运行（summarise_run）失败**：本次有文件被退回（其余文件已正常入库）；或“查找新报表”失败；
  或有文件没有检查完、没有入库（如 worker 中途停机，日志列出文件名）：这些文件不会丢，再运行一次（或等下一次
  定时运行）就会接着检查入库。
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from chunnuan.intake import registry
from chunnuan_airflow import run_date, upstream, wiring
from chunnuan_airflow.assets import SUBMITTED
from chunnuan_airflow.forms import campaign_param


@dag(
    dag_id="survey_intake",
    dag_display_name="需求摸排",
    description="县级需求摸排表：检查、隔离问题行、去重、入库",
    doc_md=__doc__.format(kinds=registry.landing_doc()),
    schedule="0 * * * *",  # hourly during the survey window; manual runs any time
    start_date=pendulum.datetime(2023, 12, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["春暖", "需求摸排"],
    # A task that failed for a passing reason (its worker died, the database restarted) is retried after
    # Airflow's [core] default_task_retry_delay: 60 s in docker-compose.yaml and `make airflow`, seconds in
    # the cluster tests.
    default_args={"retries": 2},
    params={
        "campaign": campaign_param(),
        "files": Param(
            [],
            type="array",
            items={"type": "string"},
            title="指定文件",
            description="留空：处理收件目录中的全部新文件。也可填写文件路径：相对路径按需求摸排收件目录解析，"
            "其他报表写子目录/文件名：" + "、".join(f"{k.name}（{k.title}）" for k in registry.REPLACING)
            + "，如 training/平南县.xlsx。",
        ),
    },
)
def survey_intake():
    @task(task_display_name="查找新报表", multiple_outputs=False)
    def find_new_files(params=None) -> list[dict]:
        from pathlib import Path

        from chunnuan.config import campaign
        from chunnuan.intake import landing
        from chunnuan.intake.batches import check_groups, register_kinds
        from chunnuan_airflow.campaign_db import engine

        context = get_current_context()
        the_campaign = campaign.load(params["campaign"])
        if not params["files"]:
            wiring.skip_outside(run_date.run_day(context), the_campaign.survey_window, "摸排期", context)
        with wiring.skip_or_fail():
            by_kind = landing.submissions(the_campaign.id, params["files"])
        registered = register_kinds(engine(migrate=True), the_campaign, by_kind, run_id=context["run_id"])
        for known in registered["known"]:
            print(f"已处理过（内容相同）：{known['file']}，状态 {known['status']}")
        for kind, paths in by_kind.items():
            print(f"{registry.get(kind).title}：{len(paths)} 个文件")
        new = [{"batch_id": b.batch_id, "path": b.path, "file": Path(b.path).name, "kind": b.kind}
               for b in registered["new"]]
        groups = check_groups(new)
        print(f"新文件 {len(new)} 个，分 {len(groups)} 个检查任务")
        return groups

    @task(
        task_display_name="检查报表",
        # e.g. "平南县.xlsx 等 28 个文件": the task's log has one line per file
        map_index_template="{{ task.op_kwargs['batches'][0]['file'] }}{% if task.op_kwargs['batches'] | length > 1 %}"
                           " 等 {{ task.op_kwargs['batches'] | length }} 个文件{% endif %}",
        multiple_outputs=False,
    )
    def validate_files(batches: list[dict], params=None) -> list[dict]:
        from chunnuan.config import campaign
        from chunnuan.intake.batches import NewBatch, validate_batches
        from chunnuan_airflow.campaign_db import engine

        outcomes = validate_batches(engine(), campaign.load(params["campaign"]),
                                    [NewBatch(b["batch_id"], b["path"], b["kind"]) for b in batches])
        for outcome in outcomes:
            print(f"{outcome['file']}：{outcome}")
        # A file sent back whole stays so until the county sends a corrected one: fail without retrying.
        wiring.fail_on_problems("整批退回（这些文件没有任何一行入库，其余文件照常检查）：", [
            f"{o['file']}：{o['error']}" for o in outcomes if o["status"] == "rejected"])
        return outcomes

    def load(kind: registry.SubmissionKind):
        """One load task per kind: survey rows de-duplicated per worker, the others replace their owner's rows."""
        asset = SUBMITTED[kind.name]

        @task(task_id=kind.load_task_id, task_display_name=kind.load_task, trigger_rule="all_done", outlets=[asset],
              multiple_outputs=False)
        def load_kind(params=None, outlet_events=None) -> dict:
            from chunnuan.config import campaign
            from chunnuan.intake.batches import load_kind as load_batches
            from chunnuan_airflow.campaign_db import engine

            the_campaign = campaign.load(params["campaign"])
            loaded = load_batches(engine(), the_campaign, kind.name)
            if not loaded["batches"]:
                raise AirflowSkipException(f"没有新的{kind.title}可入库")
            totals = {k: sum(b[f"rows_{k}"] for b in loaded["batches"]) for k in ("read", "loaded", "quarantined",
                                                                               "merged")}
            outlet_events[asset].extra = {"campaign": the_campaign.id, "batches": [b["id"] for b in loaded["batches"]],
                                          **totals}
            print(f"{kind.load_task} {len(loaded['batches'])} 个文件：{totals}")
            return {"campaign": the_campaign.id, **totals, "batches": loaded["batches"]}

        return load_kind()

    @task(task_display_name="汇总本次运行", trigger_rule="all_done")
    def summarise_run(params=None) -> None:
        from sqlalchemy import select

        from chunnuan.db.models import SubmissionBatch
        from chunnuan.intake.batches import run_problems
        from chunnuan_airflow.campaign_db import engine

        context = get_current_context()
        run_id = context["run_id"]
        if upstream.failed(context, "find_new_files"):  # e.g. a mistyped file in the form: not a green run
            raise AirflowFailException("查找新报表失败，本次运行未处理任何文件；原因见任务“查找新报表”的日志。")
        with engine().connect() as conn:
            batches = conn.execute(
                select(SubmissionBatch).where(SubmissionBatch.run_id == run_id).order_by(SubmissionBatch.id)
            ).all()
        for b in batches:
            print(f"{b.file_name}: {b.status} 读取 {b.rows_read} 入库 {b.rows_loaded} "
                  f"隔离 {b.rows_quarantined} 合并 {b.rows_merged}")
        wiring.fail_on_problems(*run_problems(params["campaign"], batches))

    @task(task_display_name="超员告警与未乘车名单", trigger_rule="all_done", multiple_outputs=False)
    def follow_up_returns(params=None) -> dict:
        from chunnuan.charter.returns import alert_overcrowding
        from chunnuan.config import campaign
        from chunnuan.report.outcomes import write_no_shows
        from chunnuan_airflow import campaign_smtp
        from chunnuan_airflow.campaign_db import engine

        the_campaign, smtp = campaign.load(params["campaign"]), campaign_smtp.alert_settings_or_none()
        alerts = alert_overcrowding(engine(), the_campaign, smtp)
        if smtp is None and alerts["overcrowded"]:
            print("未配置邮件连接 campaign_smtp：超员车次未能通知协调员")
        print(f"包车回执中超员车次 {alerts['overcrowded']} 个，本次发出告警 {alerts['alerts_sent']} 封")
        no_shows = write_no_shows(engine(), the_campaign)
        print(f"未乘车、改乘 {no_shows['riders']} 人，{no_shows['counties']} 个县的名单在 {no_shows['folder']}")
        return {**alerts, "no_shows": no_shows}

    @task(task_display_name="生成交通补助名单", multiple_outputs=False)
    def publish_subsidy_rosters(params=None) -> dict:
        from chunnuan.config import campaign
        from chunnuan.subsidy.steps import publish_rosters
        from chunnuan_airflow.campaign_db import engine

        the_campaign = campaign.load(params["campaign"])
        if the_campaign.subsidy is None:
            raise AirflowSkipException(f"{the_campaign.name}未设跨省就业交通补助（行动配置无 subsidy）")
        figures = publish_rosters(engine(), the_campaign)
        print(f"补助候选 {figures['eligible']} 人，{figures['amount']} 元，{len(figures['counties'])} 个县的名单在 "
              f"{figures['folder']}；未列入：{figures['excluded']}")
        return {k: figures[k] for k in ("eligible", "amount", "excluded")}

    groups = find_new_files()
    checked = validate_files.expand(batches=groups)
    summary = summarise_run()
    loads = {kind.name: load(kind) for kind in registry.KINDS}
    checked >> list(loads.values()) >> summary
    loads["trip_returns"] >> follow_up_returns() >> summary  # 超员 in a carrier's return: the coordinators at once
    # The subsidy rosters follow the survey as loaded; the next claims returns are checked against them.
    loads["survey"] >> publish_subsidy_rosters() >> summary


survey_intake()
