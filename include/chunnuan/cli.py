"""`chunnuan` command: the domain code without Airflow (templates, demo data, offline checks, intake).

    chunnuan template KIND OUT.xlsx [--campaign ID]         (KIND: intake.registry, e.g. survey, fleet)
    chunnuan synth --campaign ID --workers N --seed S --out DIR [--formats mixed|csv]
    chunnuan check FILE --campaign ID [--kind KIND] [--json]
    chunnuan db upgrade [--url URL]
    chunnuan intake --campaign ID [FILE ...] [--url URL]
    chunnuan plan DEMAND FLEET --campaign ID --out DIR [--json] [--workers N] [--no-pooling] [--rail RAIL]
    chunnuan subsidy --campaign ID [--out DIR] [--url URL]
    chunnuan smtp-sink --dir DIR [--port 8025]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from chunnuan.config import campaign as campaigns
from chunnuan.config import settings
from chunnuan.intake import registry


def _campaign(args):
    return campaigns.load(args.campaign)


def cmd_template(args) -> int:
    from chunnuan.intake.workbook import write_template

    path = write_template(args.kind, Path(args.out), _campaign(args) if args.campaign else None)
    print(f"模板已生成：{path}")
    return 0


def cmd_synth(args) -> int:
    from chunnuan.synth.survey import generate

    summary = generate(_campaign(args), args.workers, args.seed, Path(args.out), formats=args.formats)
    brief = {k: v for k, v in summary.items() if k != "per_file"}  # per-file detail stays in _truth/summary.json
    print(json.dumps(brief, ensure_ascii=False, indent=2))
    return 0


def cmd_check(args) -> int:
    from chunnuan.intake.gate import check_submission

    result = check_submission(Path(args.file), _campaign(args), kind=registry.gate_kind(args.kind))
    summary = result.summary()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        if result.error:
            print(f"整批退回：{result.error}")
        else:
            print(f"共 {summary['rows']} 行：可入库 {summary['valid']} 行，需修改 {summary['quarantined']} 行，"
                  f"重复填报合并 {summary['duplicates']} 行。")
        for note in summary["notes"]:
            print(f"  说明：{note}")
        for p in summary["problems"]:
            print(f"  {_row_words(p['row'])}「{p['column']}」{p['value']}：{p['reason']}")
    # Exit status for scripts: 0 clean, 1 rows to fix, 2 file sent back whole, 3 the program failed on it.
    if result.internal:
        print(f"程序出错：{args.file}", file=sys.stderr)
        return 3
    return 2 if result.error else (1 if summary["problems"] else 0)


def _row_words(row) -> str:
    """12 -> 第 12 行; 返岗!12 (data on several sheets) -> 工作表「返岗」第 12 行."""
    sheet, _, number = str(row).rpartition("!")
    return f"工作表「{sheet}」第 {number} 行" if sheet else f"第 {number} 行"


def cmd_db(args) -> int:
    from chunnuan import db

    url = args.url or settings.default_db_url()
    db.upgrade(url)
    print(f"数据库已迁移到最新版本：{url.split('@')[-1]}")
    return 0


def cmd_intake(args) -> int:
    """The whole intake without Airflow, every kind, the same steps as the survey_intake DAG."""
    from chunnuan import db
    from chunnuan.intake import landing
    from chunnuan.intake.batches import load_kind, register_kinds, validate_batches

    campaign = _campaign(args)
    url = args.url or settings.default_db_url()
    db.upgrade(url)
    engine = db.engine(url)
    registered = register_kinds(engine, campaign, landing.submissions(campaign.id, args.files))
    outcomes = validate_batches(engine, campaign, registered["new"])
    rejected = [f"{o['file']}：{o['error']}" for o in outcomes if o["status"] == "rejected"]
    loaded = {kind: load_kind(engine, campaign, kind) for kind in registry.NAMES}
    print(json.dumps({"known": registered["known"], "rejected": rejected, "loaded": loaded}, ensure_ascii=False,
                     indent=2, default=str))
    return 1 if rejected else 0


def cmd_plan(args) -> int:
    """The charter planner from files: trips.csv, assignments.csv, shortages.csv, summary.json in --out."""
    from chunnuan.planner import plan_files, summary_json

    result = plan_files(Path(args.demand), Path(args.fleet), args.campaign, Path(args.out), workers=args.workers,
                        pooling=not args.no_pooling, rail_path=Path(args.rail) if args.rail else None)
    if args.json:
        print(summary_json(result))
    else:
        s = result.summary
        print(f"包车需求 {s['requests']} 人：安排包车 {s['chartered']} 人，{s['trips']} 车次，费用 {s['cost']:,.0f} 元"
              f"（下界 {s['lower_bound']:,.0f} 元，比值 {s['cost_to_bound']}）；转集中购票 {s['referred']} 人。")
        if s.get("pooled_trips"):
            print(f"其中拼车 {s['pooled_trips']} 车次、{s['pooled_stops']} 个停靠站点，因拼车得以包车 {s['pooled_riders']} 人"
                  f"（停靠站点见 stops.csv）。")
        if s.get("referral_floor"):
            print(f"转集中购票的人中 {s['referral_floor']} 人无论如何编排都凑不满最低发车人数（同日可能与其同车的人不足最低发车人数），须集中购票。")
        if s.get("rail_riders"):
            m = s["riders_by_mode"]
            print(f"乘火车 {m['rail']} 人（专列 {s['trains']} 趟、包车厢 {s['reserved_carriages']} 节，团体票 {s['rail_cost']:,.0f} 元；"
                  f"其中 {m['feeder']} 人乘 {s['feeder_trips']} 辆接驳车到站，{s['feeder_cost']:,.0f} 元；车厢见 cars.csv）。")
        print(result.shortage_report())
        print(f"结果已写入 {args.out}")
    return 0


def cmd_subsidy(args) -> int:
    """The transport-subsidy county rosters from the campaign DB; prints figures only (the files hold the PII)."""
    from chunnuan import db
    from chunnuan.subsidy.steps import publish_rosters

    campaign = _campaign(args)
    if campaign.subsidy is None:
        print(f"{campaign.province}{campaign.name}的行动配置未设跨省就业交通补助规则（subsidy），不生成补助名单。")
        return 0
    url = args.url or settings.default_db_url()
    figures = publish_rosters(db.engine(url), campaign, Path(args.out) if args.out else None)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    print(f"跨省就业交通补助候选 {figures['eligible']} 人，合计 {figures['amount']:,} 元，"
          f"{len(figures['counties'])} 个县（市、区）的名单已写入 {figures['folder']}")
    for reason, n in figures["excluded"].items():
        print(f"  未列入：{reason} {n} 人")
    for c in figures["counties"]:
        print(f"  {c['county']}：{c['eligible']} 人，{c['amount']:,} 元")
    return 0


def cmd_smtp_sink(args) -> int:
    """A local mail server that keeps each message as an .eml file (for `make airflow`)."""
    import time

    from chunnuan.devtools import smtp_sink

    sink = smtp_sink.start(Path(args.dir), port=args.port)
    print(f"SMTP 收件服务运行中：127.0.0.1:{sink.port}，邮件保存到 {args.dir}（Ctrl-C 结束）", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sink.stop()
    return 0


def _kinds_help() -> str:
    return "、".join(f"{k.name}（{k.title}）" for k in registry.KINDS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chunnuan", description="春暖农民工服务行动：模板、演示数据、离线检查")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("template", help="生成县级填报用的官方 Excel 模板")
    p.add_argument("kind", choices=registry.NAMES, metavar="KIND", help="模板种类：" + _kinds_help())
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
    p.add_argument("--kind", choices=registry.NAMES, default="survey", metavar="KIND",
                   help="报表种类（默认 survey）：" + _kinds_help())
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("db", help="数据库迁移")
    p.add_argument("action", choices=["upgrade"])
    p.add_argument("--url", help="SQLAlchemy URL；默认 CHUNNUAN_DB_URL 或 var/campaign.db")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("intake", help="不经 Airflow 导入各类报表（与“需求摸排”DAG 同样的步骤）")
    p.add_argument("files", nargs="*", help="留空：各收件目录中的全部新文件；相对路径的解析同 DAG 表单的“指定文件”")
    p.add_argument("--campaign", required=True)
    p.add_argument("--url")
    p.set_defaults(func=cmd_intake)

    p = sub.add_parser("plan", help="“点对点”包车方案：由包车需求和运力文件生成车次与名单")
    p.add_argument("demand", help="包车需求（需求摸排入库后的规范化 CSV，或同列名的 XLSX）")
    p.add_argument("fleet", help="运力报表（chunnuan template fleet 的格式）")
    p.add_argument("--campaign", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--json", action="store_true", help="以 JSON 输出汇总")
    p.add_argument("--workers", type=int, help="线路搜索的进程数（默认按 CPU）")
    p.add_argument("--no-pooling", action="store_true", help="不拼车（即使行动配置启用了拼车）")
    p.add_argument("--rail", help="铁路运力报表（chunnuan template rail 的格式）：有铁路运力时安排专列、包车厢和接驳车")
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("subsidy", help="脱贫人口跨省就业交通补助：按县生成候选名单（XLSX，含身份信息，留存系统内）")
    p.add_argument("--campaign", required=True)
    p.add_argument("--out", help="输出目录（默认 outputs/<行动>/subsidy）；其下 counties/ 的旧名单会被替换")
    p.add_argument("--url", help="SQLAlchemy URL；默认 CHUNNUAN_DB_URL 或 var/campaign.db")
    p.add_argument("--json", action="store_true", help="以 JSON 输出汇总")
    p.set_defaults(func=cmd_subsidy)

    p = sub.add_parser("smtp-sink", help="本地 SMTP 收件服务：每封邮件存为 .eml 文件")
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=8025)
    p.set_defaults(func=cmd_smtp_sink)
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
