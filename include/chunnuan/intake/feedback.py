"""The problem list a clerk gets back for a submission (问题清单), as an XLSX next to the outputs."""

from __future__ import annotations

from pathlib import Path

from chunnuan.config import settings


def feedback_path(campaign_id: str, file_name: str) -> Path:
    return settings.outputs_dir(campaign_id, "feedback") / f"{Path(file_name).stem}-问题清单.xlsx"


def write_feedback(campaign_id: str, file_name: str, result) -> Path:
    """Rows the clerk must fix (masked values, Chinese reasons) or the reason the file was sent back."""
    from openpyxl import Workbook

    path = feedback_path(campaign_id, file_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("问题清单")
    sheet.append([f"文件：{file_name}"])
    if result.error:
        sheet.append([f"整批退回：{result.error}"])
    else:
        c = result.counts
        sheet.append([f"共 {c['rows']} 行：可入库 {c['valid']} 行，需修改 {c['quarantined']} 行，"
                      f"同一人重复填报合并 {c['duplicates']} 行"])
    for note in result.notes:  # rows and sheets the reader left out, so the clerk can see nothing was lost
        sheet.append([f"说明：{note}"])
    if not result.error:
        sheet.append(["行号", "列", "填写内容", "问题"])
        for p in result.problems.itertuples(index=False):
            sheet.append([p.row, p.column, p.value, p.reason])
    book.save(path)
    return path
