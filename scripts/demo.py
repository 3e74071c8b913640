"""`make demo`: a whole province's county submissions through the real Airflow DAGs, on SQLite.

Resets the demo campaign's data under var/, generates a synthetic province into the landing
folder, runs each campaign DAG that exists with dag.test() against the Airflow home in var/airflow,
then prints what happened and where everything is. `--prepare-only` sets up the same home for
`make airflow` without running anything.

Expects the environment the Makefile sets (AIRFLOW_HOME, AIRFLOW_CONN_CAMPAIGN_DB, CHUNNUAN_HOME …).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections import Counter
from pathlib import Path


def prepare(campaign_id: str) -> None:
    from airflow.utils.db import initdb

    from chunnuan import db
    from chunnuan_airflow.campaign_db import url

    initdb()
    db.upgrade(url())


def reset_campaign_data(campaign_id: str) -> None:
    """The demo owns var/: start from an empty campaign database and empty folders each time."""
    from chunnuan import settings
    from chunnuan_airflow.campaign_db import url

    database = url().removeprefix("sqlite:///")
    if url().startswith("sqlite") and Path(database).exists():
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)
    for folder in (settings.landing_dir(campaign_id, "survey"), settings.staging_dir(campaign_id),
                   settings.data_home() / "outputs" / campaign_id):
        shutil.rmtree(folder, ignore_errors=True)


def run_dag(dag_id: str, conf: dict):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        raise SystemExit(f"DAG 文件导入失败：{bag.import_errors}")
    run = bag.get_dag(dag_id).test(run_conf=conf)
    states = Counter(ti.state for ti in run.get_task_instances())
    return run, states


def survey_report(campaign_id: str) -> dict:
    from sqlalchemy import text

    from chunnuan import db
    from chunnuan_airflow.campaign_db import url

    with db.engine(url()).connect() as conn:
        totals = conn.execute(text(
            "SELECT COUNT(*), SUM(rows_read), SUM(rows_loaded), SUM(rows_quarantined), SUM(rows_merged) "
            "FROM submission_batch WHERE campaign_id = :c AND status = 'loaded'"), {"c": campaign_id}).one()
        rejected = conn.execute(text(
            "SELECT file_name, error FROM submission_batch WHERE campaign_id = :c AND status = 'rejected'"),
            {"c": campaign_id}).all()
        codes = Counter()
        for (joined,) in conn.execute(text("SELECT codes FROM quarantined_row")):
            codes.update(joined.split(","))
    return {"files_loaded": totals[0], "rows_read": totals[1], "rows_loaded": totals[2],
            "rows_quarantined": totals[3], "rows_merged": totals[4], "rejected": rejected,
            "quarantine_codes": dict(codes.most_common())}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--campaign", default="guangxi-2024")
    parser.add_argument("--workers", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--prepare-only", action="store_true")
    args = parser.parse_args()

    from chunnuan import campaign, settings
    from chunnuan_airflow.campaign_db import url

    the_campaign = campaign.load(args.campaign)
    if args.prepare_only:
        prepare(args.campaign)
        print(f"Airflow 主目录：{os.environ['AIRFLOW_HOME']}；行动数据库：{url()}")
        return 0

    reset_campaign_data(args.campaign)
    prepare(args.campaign)
    from chunnuan.synth import generate

    landing = settings.landing_dir(args.campaign, "survey")
    synth = generate(the_campaign, args.workers, args.seed, landing)
    print(f"已生成模拟报表：{synth['files']} 个文件，{synth['rows']} 行 → {landing}")

    run, states = run_dag("survey_intake", {"campaign": args.campaign})
    survey = survey_report(args.campaign)

    print("\n" + "=" * 72)
    print(f"春暖 · {the_campaign.province} · {the_campaign.name}")
    print("=" * 72)
    print(f"需求摸排 survey_intake：运行状态 {run.state}（任务 {dict(states)}）")
    print(f"  入库文件 {survey['files_loaded']} 个：读取 {survey['rows_read']} 行 = 入库 {survey['rows_loaded']}"
          f" + 隔离 {survey['rows_quarantined']} + 重复合并 {survey['rows_merged']}")
    print(f"  隔离原因：{json.dumps(survey['quarantine_codes'], ensure_ascii=False)}")
    print(f"  模拟数据中注入的错误（答案）：{landing / '_truth' / 'injected.csv'}")
    for name, error in survey["rejected"]:
        print(f"  整批退回 {name}：{error}")
    print("\n输出位置：")
    print(f"  行动数据库      {url()}")
    print(f"  问题清单        {settings.data_home() / 'outputs' / args.campaign / 'feedback'}")
    print(f"  Airflow 主目录  {os.environ['AIRFLOW_HOME']}（make airflow 打开界面查看同一份数据）")
    ok = survey["rows_read"] == survey["rows_loaded"] + survey["rows_quarantined"] + survey["rows_merged"]
    print(f"\n行数守恒：{'成立' if ok else '不成立！'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
