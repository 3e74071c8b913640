"""The landing folders: where submissions arrive (`var/landing/<行动>/<kind>/`) and how files named in the
intake DAG's form or on the command line are found. One function each, used by the DAG and the CLI alike.
"""

from __future__ import annotations

from pathlib import Path

from chunnuan.common.steps import StepFailed
from chunnuan.config import settings
from chunnuan.intake import registry

SUBMISSION_SUFFIXES = {".xlsx", ".xls", ".csv"}


class MissingFile(StepFailed, ValueError):
    """A file named in the form or on the command line is not there: nothing of the run is processed."""


def find_submissions(folder: Path) -> list[Path]:
    """Submission files in a landing folder, oldest first (ties by name): the arrival order."""
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUBMISSION_SUFFIXES]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def landed(campaign_id: str) -> dict[str, list[Path]]:
    """Every kind's landing folder, scanned."""
    return {kind: find_submissions(settings.landing_dir(campaign_id, kind)) for kind in registry.NAMES}


def named(campaign_id: str, given: list[str]) -> dict[str, list[Path]]:
    """Files a person named, by kind. A relative name is looked up in the survey's landing folder, then
    under the campaign's landing root (`training/平南县.xlsx`); the kind is the folder the file is in
    (a file outside the landing folders counts as a survey). Raises MissingFile naming where it looked."""
    survey = settings.landing_dir(campaign_id, "survey")
    by_kind: dict[str, list[Path]] = {kind: [] for kind in registry.NAMES}
    for name in map(Path, given):
        path = name if name.is_absolute() else survey / name
        if not path.is_file() and not name.is_absolute():
            path = survey.parent / name
        if not path.is_file():
            raise MissingFile(f"找不到指定的文件：{name}（已在 {survey} 和 {survey.parent} 下查找）。请核对文件名，"
                              "每行填写一个；本次运行未处理任何文件。")
        by_kind[path.parent.name if path.parent.name in by_kind else "survey"].append(path)
    return by_kind


def submissions(campaign_id: str, given: list[str] | None = None) -> dict[str, list[Path]]:
    """The files of one intake run by kind: those named, else everything in the landing folders."""
    return named(campaign_id, given) if given else landed(campaign_id)
