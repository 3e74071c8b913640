"""`chunnuan` command: the domain code without Airflow (templates, demo data, offline checks, intake).

    chunnuan template survey OUT.xlsx [--campaign ID]
    chunnuan synth --campaign ID --workers N --seed S --out DIR [--formats mixed|csv]
    chunnuan check FILE --campaign ID [--json]
    chunnuan db upgrade [--url URL]
    chunnuan intake --campaign ID [--folder DIR | FILE ...] [--url URL]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from chunnuan import campaign as campaigns
from chunnuan import settings


def _campaign(args):
    return campaigns.load(args.campaign)


def cmd_template(args) -> int:
    from chunnuan.template import write_template

    path = write_template(args.kind, Path(args.out), _campaign(args) if args.campaign else None)
    print(f"模板已生成：{path}")
    return 0


def cmd_synth(args) -> int:
    from chunnuan.synth import generate

    summary = generate(_campaign(args), args.workers, args.seed, Path(args.out), formats=args.formats)
    brief = {k: v for k, v in summary.items() if k != "per_file"}  # per-file detail stays in _truth/summary.json
    print(json.dumps(brief, ensure_ascii=False, indent=2))
    return 0


def cmd_check(args) -> int:
    from chunnuan.intake import check_submission

    result = check_submission(Path(args.file), _campaign(args))
    summary = result.summary()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        if result.error:
            print(f"整批退回：{result.error}")
        else:
            print(f"共 {summary['rows']} 行：可入库 {summary['valid']} 行，需修改 {summary['quarantined']} 行，"
                  f"重复填报合并 {summary['duplicates']} 行。")
        for p in summary["problems"]:
            print(f"  第 {p['row']} 行「{p['column']}」{p['value']}：{p['reason']}")
    # Exit status for scripts: 0 clean, 1 rows to fix, 2 file sent back whole.
    return 2 if result.error else (1 if summary["problems"] else 0)


def cmd_db(args) -> int:
    from chunnuan import db

    url = args.url or settings.default_db_url()
    db.upgrade(url)
    print(f"数据库已迁移到最新版本：{url.split('@')[-1]}")
    return 0


def cmd_intake(args) -> int:
    """The whole intake without Airflow (used by the benchmark; the DAG runs the same steps)."""
    from chunnuan import db
    from chunnuan.survey_pipeline import find_submissions, load_validated, register_files, validate_batches

    campaign = _campaign(args)
    url = args.url or settings.default_db_url()
    db.upgrade(url)
    engine = db.engine(url)
    folder = Path(args.folder) if args.folder else settings.landing_dir(campaign.id, "survey")
    paths = [Path(f) for f in args.files] or find_submissions(folder)
    registered = register_files(engine, campaign, paths)
    outcomes = validate_batches(engine, campaign, registered["new"])
    rejected = [f"{o['file']}：{o['error']}" for o in outcomes if o["status"] == "rejected"]
    loaded = load_validated(engine, campaign)
    print(json.dumps({"known": registered["known"], "rejected": rejected, **loaded}, ensure_ascii=False,
                     indent=2, default=str))
    return 1 if rejected else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chunnuan", description="春暖农民工服务行动：模板、演示数据、离线检查")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("template", help="生成县级填报用的官方 Excel 模板")
    p.add_argument("kind", help="模板种类，如 survey（需求摸排）")
    p.add_argument("out")
    p.add_argument("--campaign", help="行动配置（用于下拉列表和填表说明）")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("synth", help="生成一个省的模拟县级报表（含已知错误及其答案）")
    p.add_argument("--campaign", required=True)
    p.add_argument("--workers", type=int, required=True)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--out", required=True)
    p.add_argument("--formats", choices=["mixed", "csv"], default="mixed")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("check", help="提交前离线检查一个报表文件")
    p.add_argument("file")
    p.add_argument("--campaign", required=True)
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("db", help="数据库迁移")
    p.add_argument("action", choices=["upgrade"])
    p.add_argument("--url", help="SQLAlchemy URL；默认 CHUNNUAN_DB_URL 或 var/campaign.db")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("intake", help="不经 Airflow 直接导入需求摸排报表（基准测试用）")
    p.add_argument("files", nargs="*")
    p.add_argument("--campaign", required=True)
    p.add_argument("--folder")
    p.add_argument("--url")
    p.set_defaults(func=cmd_intake)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (campaigns.CampaignConfigError, ValueError) as exc:  # a wrong kind, campaign or value: say so
        print(str(exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
