"""THE list of submission kinds. Everything else that lists kinds is derived from it: the gate's and the
loader's lookups, `chunnuan template` / `chunnuan check --kind` choices, the intake DAG's load tasks and the
Assets they emit, the report's and dashboard's labels, the landing folders.

Plain data with no pandas import: DAG files read it at parse time. A kind's rules live in its own module,
`chunnuan.intake.kinds.<name>`, which defines `KIND` (what the gate needs) and `build_template(campaign)`
(the official XLSX). Adding a kind = one module there and one line here (plus its table and migration when
it loads into a table of its own).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class SubmissionKind:
    name: str  # landing sub-folder, `chunnuan template NAME`, submission_batch.kind
    title: str  # what the clerk calls the form
    load_task: str  # the intake DAG's task that loads it (display name)
    asset: str  # the Asset that task emits when rows were loaded
    table: str  # the campaign-DB table the rows go to
    owner: str | None  # a newer submission replaces all earlier rows of this owner; None: per-worker de-dup
    latest: str  # the rule above as a coordinator reads it
    filed_by: str = "county"  # who sends it on the 提交报表 page: county | area (a city or a department) | province

    @property
    def module(self) -> str:
        return f"chunnuan.intake.kinds.{self.name}"

    @property
    def load_task_id(self) -> str:
        return "load_batches" if self.owner is None else f"load_{self.name}"


KINDS: tuple[SubmissionKind, ...] = (
    SubmissionKind("survey", "需求摸排表", "入库", "survey_demand", "survey_worker", None,
                   "同一农民工多次填报，以填报日期最新的一次为准"),
    SubmissionKind("fleet", "运力报表", "运力入库", "fleet_supply", "fleet_offer", "uscc",
                   "同一运输企业以最新一份为准", "province"),
    SubmissionKind("training", "培训班报表", "培训班入库", "training_classes", "training_class", "county_code",
                   "同一县以最新一份为准（替换该县此前的全部培训班）"),
    SubmissionKind("openings", "岗位信息归集表", "岗位入库", "job_openings", "job_opening", "uscc",
                   "同一招聘企业以最新一份为准"),
    SubmissionKind("fair_results", "招聘会成效报表", "招聘会成效入库", "fair_results", "fair_result", "county_code",
                   "同一县以最新一份为准"),
    SubmissionKind("progress", "服务项目进展表", "服务进展入库", "service_progress", "service_progress", "entry",
                   "同一部门、地区、服务项目和截至日期以最新一份为准", "area"),
    SubmissionKind("highlights", "亮点工作和存在问题报表", "亮点和问题入库", "highlights", "highlight", "entry",
                   "同一部门、地区和日期以最新一份为准", "area"),
    SubmissionKind("rail", "铁路运力报表", "铁路运力入库", "rail_supply", "rail_offer", "bureau",
                   "同一铁路局以最新一份为准", "province"),
    SubmissionKind("trip_returns", "包车回执", "包车回执入库", "trip_returns", "trip_return", "trip_id",
                   "同一车次以最新一份为准（替换该车次此前交回的全部行）", "province"),
    SubmissionKind("subsidy_claims", "补助申领核验表", "补助申领入库", "subsidy_claims", "subsidy_claim", "county_code",
                   "同一县以最新一份为准（替换该县此前报送的全部申领）"),
)
BY_NAME: dict[str, SubmissionKind] = {k.name: k for k in KINDS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
REPLACING: tuple[SubmissionKind, ...] = tuple(k for k in KINDS if k.owner is not None)
LABELS: dict[str, str] = {k.name: k.title for k in KINDS}


def get(name: str) -> SubmissionKind:
    """The kind called `name`, or a ValueError naming the kinds there are."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"没有报表种类「{name}」；可选：{'、'.join(f'{k.name}（{k.title}）' for k in KINDS)}") from None


def module(name: str):
    """The kind's rules module (imports pandas: call it inside tasks, not at DAG parse time)."""
    return importlib.import_module(get(name).module)


def gate_kind(name: str):
    """The `intake.gate.Kind` the gate runs for this kind."""
    return module(name).KIND


def landing_doc() -> str:
    """The kinds as a Markdown table for the intake DAG's documentation."""
    rows = [f"| {k.title} | `var/landing/<行动>/{k.name}/` | {k.load_task} | {k.latest} |" for k in KINDS]
    return "\n".join(["| 报表 | 收件目录 | 入库任务 | 重复报送 |", "|---|---|---|---|", *rows])
