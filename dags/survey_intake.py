"""
### 需求摸排（survey_intake）

把各县（市、区）报来的农民工返乡返岗需求摸排表、培训班报表、岗位信息归集表、招聘会成效报表，
各部门报来的服务项目进展表，以及运输企业报来的运力报表，导入行动数据库：
读取收件目录中的新文件（XLSX / CSV，UTF-8 或 GBK）→ 逐个文件规范化并做质量检查 →
有问题的行隔离并写明原因 → 同一人多次填报以最新填报为准（同一运输企业以最新一份运力报表为准，
同一县以最新一份培训班报表、招聘会成效报表为准，同一招聘企业以最新一份岗位表为准，同一地区同一服务项目
同一截至日期以最新一份为准）→ 入库 → 核对行数守恒。收件目录：`var/landing/<行动>/survey/`（需求摸排）、
`.../fleet/`（运力）、`.../training/`（培训班）、`.../openings/`（岗位）、`.../fair_results/`（招聘会成效）、
`.../progress/`（服务项目进展）。

**每个文件一个检查任务**（任务名即文件名）。问题清单（问题清单.xlsx）写在
`var/outputs/<行动>/feedback/`，可直接发回县里修改。

#### 出错时怎么办（Triage）
- **某个文件的检查任务失败（红色）**：整批退回，不会重试，也没有任何一行入库。
  打开该任务日志看第一行中文说明（缺列、空文件、不是表格、不是本省、问题行超过上限），
  把问题清单发给填报单位，改好后放回收件目录即可；同样内容的文件不会重复导入。
- **入库 / 运力入库 / 培训班入库 / 岗位入库 / 招聘会成效入库 / 服务进展入库 失败**：数据库不可用或行数不守恒（程序缺陷）。数据库事务已回滚，修复后重跑该任务。
- **summarise_run 失败**：只是汇总说明本次有文件被退回，其余文件已正常入库。
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from chunnuan_airflow import upstream
from chunnuan_airflow.assets import (
    FAIR_RESULTS,
    FLEET_SUPPLY,
    JOB_OPENINGS,
    SERVICE_PROGRESS,
    SURVEY_DEMAND,
    TRAINING_CLASSES,
)
from chunnuan_airflow.forms import campaign_param

# Submission kinds other than the survey: (kind = landing sub-folder, task display name, asset emitted).
REPLACING_KINDS = (
    ("fleet", "运力入库", FLEET_SUPPLY),
    ("training", "培训班入库", TRAINING_CLASSES),
    ("openings", "岗位入库", JOB_OPENINGS),
    ("fair_results", "招聘会成效入库", FAIR_RESULTS),
    ("progress", "服务进展入库", SERVICE_PROGRESS),
)


@dag(
    dag_id="survey_intake",
    dag_display_name="需求摸排",
    description="县级需求摸排表：检查、隔离问题行、去重、入库",
    doc_md=__doc__,
    schedule="0 * * * *",  # hourly during the survey window; manual runs any time
    start_date=pendulum.datetime(2023, 12, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["春暖", "需求摸排"],
    default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=1)},
    params={
        "campaign": campaign_param(),
        "files": Param(
            [],
            type="array",
            items={"type": "string"},
            title="指定文件",
            description="留空：处理收件目录中的全部新文件。也可填写文件路径：相对路径按需求摸排收件目录解析，"
            "其他报表写子目录/文件名：fleet（运力）、training（培训班）、openings（岗位）、"
            "fair_results（招聘会成效）、progress（服务项目进展），如 training/平南县.xlsx。",
        ),
    },
)
def survey_intake():
    @task(task_display_name="查找新报表", multiple_outputs=False)
    def find_new_files(params=None) -> list[dict]:
        from pathlib import Path

        from chunnuan.config import campaign, settings
        from chunnuan.intake.batches import find_submissions, register_files
        from chunnuan_airflow.campaign_db import engine

        context = get_current_context()
        the_campaign = campaign.load(params["campaign"])
        landing = settings.landing_dir(the_campaign.id, "survey")
        by_kind: dict[str, list[Path]] = {"survey": [], **{kind: [] for kind, _, _ in REPLACING_KINDS}}
        if params["files"]:
            for given in map(Path, params["files"]):
                path = given if given.is_absolute() else landing / given
                if not path.is_file() and not given.is_absolute():
                    path = landing.parent / given  # fleet/运力.xlsx, training/平南县.xlsx
                if not path.is_file():
                    raise AirflowFailException(
                        f"找不到指定的文件：{given}（已在 {landing} 和 {landing.parent} 下查找）。请核对文件名，"
                        "每行填写一个；本次运行未处理任何文件。")
                by_kind[path.parent.name if path.parent.name in by_kind else "survey"].append(path)
        else:
            if context["dag_run"].run_type == "scheduled":
                today = context["logical_date"].in_timezone("Asia/Shanghai").date()
                if today not in the_campaign.survey_window:
                    raise AirflowSkipException(f"{today} 不在摸排期（{the_campaign.survey_window.label()}）内")
            by_kind = {kind: find_submissions(settings.landing_dir(the_campaign.id, kind)) for kind in by_kind}
        new, db = [], engine(migrate=True)
        for kind, paths in by_kind.items():
            registered = register_files(db, the_campaign, paths, run_id=context["run_id"], kind=kind)
            for known in registered["known"]:
                print(f"已处理过（内容相同）：{known['file']}，状态 {known['status']}")
            print(f"收件目录 {settings.landing_dir(the_campaign.id, kind)}：新文件 {len(registered['new'])} 个")
            new += registered["new"]
        return [{"batch_id": b.batch_id, "path": b.path, "file": Path(b.path).name, "kind": b.kind} for b in new]

    @task(
        task_display_name="检查报表",
        map_index_template="{{ task.op_kwargs['batch']['file'] }}",
        retries=0,  # a rejected file stays rejected until the county sends a corrected one
        multiple_outputs=False,
    )
    def validate_file(batch: dict, params=None) -> dict:
        from chunnuan.config import campaign
        from chunnuan.intake.batches import BatchRejected, validate_batch
        from chunnuan_airflow.campaign_db import engine

        try:
            outcome = validate_batch(engine(), campaign.load(params["campaign"]), batch["batch_id"], batch["path"],
                                     batch["kind"])
        except BatchRejected as exc:
            raise AirflowFailException(f"整批退回：{exc}") from exc
        print(f"{batch['file']}：{outcome}")
        return outcome

    @task(task_display_name="入库", trigger_rule="all_done", outlets=[SURVEY_DEMAND], multiple_outputs=False)
    def load_batches(params=None, outlet_events=None) -> dict:
        from chunnuan.config import campaign
        from chunnuan.intake.batches import load_validated
        from chunnuan_airflow.campaign_db import engine

        the_campaign = campaign.load(params["campaign"])
        loaded = load_validated(engine(), the_campaign)
        if not loaded["batches"]:
            raise AirflowSkipException("没有新的可入库报表")
        totals = {k: sum(b[f"rows_{k}"] for b in loaded["batches"]) for k in ("read", "loaded", "quarantined", "merged")}
        outlet_events[SURVEY_DEMAND].extra = {
            "campaign": the_campaign.id,
            "batches": [b["id"] for b in loaded["batches"]],
            **totals,
        }
        print(f"入库 {len(loaded['batches'])} 个文件：{totals}，用时 {loaded['seconds']}")
        return {"campaign": the_campaign.id, **totals, "batches": loaded["batches"]}

    def load_replacing(kind: str, display: str, asset):
        """A newer submission replaces its owner's (carrier's, county's, enterprise's …) earlier rows."""

        @task(task_id=f"load_{kind}", task_display_name=display, trigger_rule="all_done", outlets=[asset],
              multiple_outputs=False)
        def load(params=None, outlet_events=None) -> dict:
            from chunnuan.config import campaign
            from chunnuan.intake.batches import load_replacing as load_kind
            from chunnuan_airflow.campaign_db import engine

            the_campaign = campaign.load(params["campaign"])
            loaded = load_kind(engine(), the_campaign, kind)
            if not loaded["batches"]:
                raise AirflowSkipException(f"没有新的可{display}的报表")
            outlet_events[asset].extra = {"campaign": the_campaign.id, "batches": [b["id"] for b in loaded["batches"]],
                                          "rows": loaded["loaded"], "replaced": loaded["merged"]}
            print(f"{display} {len(loaded['batches'])} 个文件：{loaded['loaded']} 行，替换旧行 {loaded['merged']}")
            return {"campaign": the_campaign.id, **loaded}

        return load()

    @task(task_display_name="汇总本次运行", trigger_rule="all_done")
    def summarise_run(params=None) -> None:
        from sqlalchemy import select

        from chunnuan.db.models import SubmissionBatch
        from chunnuan.intake.feedback import feedback_path
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
        rejected = [b for b in batches if b.status == "rejected"]
        if rejected:
            lines = "\n".join(f"- {b.file_name}：{b.error}（问题清单：{feedback_path(params['campaign'], b.file_name)}）"
                              for b in rejected)
            raise AirflowFailException(f"{len(rejected)} 个文件被整批退回，其余文件已入库：\n{lines}")

    files = find_new_files()
    checked = validate_file.expand(batch=files)
    summary = summarise_run()
    loads = [load_batches(), *(load_replacing(*kind) for kind in REPLACING_KINDS)]
    checked >> loads >> summary


survey_intake()
