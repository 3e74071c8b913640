"""Files clerks send on the 提交报表 page: who may send and see what, keeping every upload, checking it with
the intake's own gate, and handing a submitted file to the intake's landing folder. No Airflow here: the
plugin (plugins/chunnuan_submit.py) asks the auth manager who the caller is and passes a `Scope`.

    receive -> refuse what is too large or not a spreadsheet (nothing written), keep the bytes under
               uploads_dir by content hash, run `check_submission` (what `chunnuan check` runs), record an
               `upload` row and write its 问题清单
    submit  -> copy the kept file into the kind's landing folder under a name of its own (scope, upload id);
               the intake then treats it as any landed file
    listing -> a scope's uploads with what the intake recorded for the same bytes (submission_batch)

Access is decided here, once: `visible` answers every read of one upload (page, JSON, download).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, and_, insert, select, update

from chunnuan.config import divisions, settings
from chunnuan.config.campaign import Campaign
from chunnuan.db.models import SubmissionBatch, Upload
from chunnuan.intake import registry
from chunnuan.intake.feedback import feedback_path, write_feedback
from chunnuan.intake.landing import SUBMISSION_SUFFIXES

WHOLE_PROVINCE = "全省"  # a coordinator's scope: every county's uploads, every kind
OUTCOMES = {"received": "已收到、待检查", "validated": "已检查、待入库", "loaded": "已入库", "rejected": "整批退回"}


class UploadRefused(ValueError):
    """The request is refused as a whole; the message tells the clerk what to do. `status`: the HTTP code."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class NotVisible(PermissionError):
    """The upload exists but belongs to another county (or city, or department)."""


def max_upload_bytes() -> int:
    """CHUNNUAN_UPLOAD_MAX_MB (default 20): a county's survey of 10,000 workers is about 1 MB as XLSX."""
    return int(float(os.environ.get("CHUNNUAN_UPLOAD_MAX_MB", "20")) * 1024 * 1024)


def uploads_dir(campaign_id: str) -> Path:
    return settings.data_home() / "uploads" / campaign_id


@dataclass(frozen=True)
class Scope:
    """Whose uploads an account sends and sees: one county, one city or department, or the whole province."""

    name: str
    filed_by: str  # county | area | province (coordinators)

    @property
    def everything(self) -> bool:
        return self.filed_by == "province"

    def kinds(self) -> list[registry.SubmissionKind]:
        """The forms this account may send: a county's forms, an area's, or all of them for coordinators."""
        return [k for k in registry.KINDS if self.everything or k.filed_by == self.filed_by]

    def sees(self, upload_scope: str) -> bool:
        return self.everything or upload_scope == self.name


COORDINATOR = Scope(WHOLE_PROVINCE, "province")


def clerk_scope(place: str, campaign: Campaign) -> Scope:
    """The scope of a clerk account mapped to `place`: a county of the campaign's province, or one of its
    cities or the campaign's departments (the progress and highlights forms). ValueError for anything else."""
    province = divisions.province(campaign.province_code)
    place = place.strip()
    if place in province.county_names:  # 平南县, 贵港市平南县 or 450821: one scope, named city + county
        code = province.county_names[place]
        city = province.cities.get(code[:4] + "00")
        return Scope((city.name if city else "") + province.counties[code].name, "county")
    if place in {c.name for c in province.cities.values()} | {d.name for d in campaign.departments}:
        return Scope(place, "area")
    raise ValueError(f"账号对应的地区或部门「{place}」不是{campaign.province}的县（市、区）、市或本行动的部门，"
                     "请联系协调员更正账号对应关系。")


def safe_name(name: str) -> str:
    """The clerk's file name without folders or characters a file system or a shell could misread: letters
    (Chinese included), digits and -_.()（） kept, the rest '_', at most 80 characters before the suffix."""
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1]).strip()
    suffix = Path(base).suffix.lower()
    stem = re.sub(r"[^\w\-.()（）]", "_", base[: len(base) - len(suffix)] if suffix else base).strip("._")
    return f"{stem[:80] or '报表'}{suffix}"


def _refuse_file(name: str, size: int) -> None:
    limit = max_upload_bytes()
    if Path(name).suffix.lower() not in SUBMISSION_SUFFIXES:
        raise UploadRefused(f"只能上传 Excel 或 CSV 表格（{'、'.join(sorted(SUBMISSION_SUFFIXES))}），"
                            f"「{name}」不是。请在官方模板中填写后另存为 .xlsx 再上传。", 415)
    if size > limit:
        raise UploadRefused(f"文件太大（{size / 1048576:.1f} MB），单个文件不能超过 {limit / 1048576:.0f} MB。"
                            "请删去模板以外的工作表和图片，或分成几个文件上传。", 413)
    if size == 0:
        raise UploadRefused("上传的文件是空的（0 字节），请重新选择文件。")


def _kept(campaign_id: str, digest: str, suffix: str) -> Path:
    return uploads_dir(campaign_id) / digest[:2] / f"{digest}{suffix}"


def _keep(campaign_id: str, digest: str, suffix: str, data: bytes) -> Path:
    """The bytes under uploads_dir by content hash: written once, never overwritten."""
    path = _kept(campaign_id, digest, suffix)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{uuid.uuid4().hex}.part")
        partial.write_bytes(data)
        partial.replace(path)
    return path


def receive(engine: Engine, campaign: Campaign, kind: str, scope: Scope, uploader: str, name: str,
            data: bytes) -> int:
    """Keep and check one uploaded file; the new upload's id. UploadRefused (nothing kept) for a form this
    account may not send, a file that is not a spreadsheet by its name, too large, or empty."""
    import hashlib

    from chunnuan.intake.gate import check_submission

    if kind not in {k.name for k in scope.kinds()}:
        raise UploadRefused(f"{scope.name}的账号不能提交「{registry.LABELS.get(kind, kind)}」。", 403)
    name = safe_name(name)
    _refuse_file(name, len(data))
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(name).suffix
    kept = _keep(campaign.id, digest, suffix, data)
    result = check_submission(kept, campaign, kind=registry.gate_kind(kind))
    with engine.begin() as conn:
        upload_id = conn.execute(insert(Upload).values(
            campaign_id=campaign.id, kind=kind, scope=scope.name, uploader=uploader,
            uploaded_at=dt.datetime.now(dt.UTC), file_name=name, landing_name=f"pending-{uuid.uuid4().hex}",
            sha256=digest, size=len(data), result=json.dumps(result.summary(), ensure_ascii=False, default=str),
        )).inserted_primary_key[0]
        # Its own name in the landing folder: the scope and the upload id keep counties' files apart.
        landing_name = f"{scope.name}-{upload_id:05d}-{Path(name).stem}{suffix}"
        conn.execute(update(Upload).where(Upload.id == upload_id).values(landing_name=landing_name))
    write_feedback(campaign.id, landing_name, result)
    return upload_id


def _rows(conn, campaign_id: str, upload_id: int | None = None):
    """Uploads (all columns) with the batch the intake made of the same bytes, if any."""
    return conn.execute(
        select(*Upload.__table__.c, SubmissionBatch.status, SubmissionBatch.rows_read, SubmissionBatch.rows_loaded,
               SubmissionBatch.rows_quarantined, SubmissionBatch.rows_merged, SubmissionBatch.error)
        .outerjoin(SubmissionBatch, and_(SubmissionBatch.campaign_id == Upload.campaign_id,
                                         SubmissionBatch.kind == Upload.kind, SubmissionBatch.sha256 == Upload.sha256))
        .where(Upload.campaign_id == campaign_id, *([] if upload_id is None else [Upload.id == upload_id]))
        .order_by(Upload.id.desc())
    )


def _beijing(moment: dt.datetime | None) -> str | None:
    """A stored time as clerks read it (SQLite gives back naive UTC, PostgreSQL an aware time)."""
    from zoneinfo import ZoneInfo

    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo(settings.TIMEZONE)).strftime("%Y-%m-%d %H:%M")


def _view(record) -> dict:
    upload, status = record, record.status
    outcome = (OUTCOMES[status] if status else "已提交、等待入库") if upload.submitted_at else "未提交"
    return {
        "id": upload.id, "kind": upload.kind, "title": registry.LABELS.get(upload.kind, upload.kind),
        "scope": upload.scope, "uploader": upload.uploader, "uploaded_at": _beijing(upload.uploaded_at),
        "file_name": upload.file_name, "landing_name": upload.landing_name, "sha256": upload.sha256,
        "size": upload.size, "check": json.loads(upload.result), "submitted_by": upload.submitted_by,
        "submitted_at": _beijing(upload.submitted_at), "run_id": upload.run_id,
        "outcome": outcome, "batch_status": status,
        "intake": None if status is None else {
            "rows": record.rows_read, "loaded": record.rows_loaded, "quarantined": record.rows_quarantined,
            "merged": record.rows_merged, "error": record.error},
    }


def visible(engine: Engine, campaign: Campaign, upload_id: int, scope: Scope) -> dict:
    """One upload as its owner sees it. LookupError: no such upload; NotVisible: another scope's."""
    with engine.connect() as conn:
        record = _rows(conn, campaign.id, upload_id).first()
    if record is None:
        raise LookupError(f"没有编号为 {upload_id} 的上传记录。")
    if not scope.sees(record.scope):
        raise NotVisible("这份报表不是您所在县（市、区）或单位上传的，无权查看。")
    return _view(record)


def listing(engine: Engine, campaign: Campaign, scope: Scope) -> dict:
    """A scope's uploads, newest first, and the figures its loaded submissions contributed."""
    with engine.connect() as conn:
        records = [r for r in _rows(conn, campaign.id) if scope.sees(r.scope)]
    uploads = [_view(r) for r in records]
    batches = {(u["kind"], u["sha256"]): u["intake"] for u in uploads if u["intake"] and u["batch_status"] == "loaded"}
    totals: dict[str, dict[str, int]] = {}
    for (kind, _), counts in batches.items():  # the same bytes sent twice count once, as the intake took them once
        figures = totals.setdefault(registry.LABELS.get(kind, kind), {"files": 0, "loaded": 0, "quarantined": 0,
                                                                       "merged": 0})
        figures["files"] += 1
        for key in ("loaded", "quarantined", "merged"):
            figures[key] += counts[key] or 0
    return {"uploads": uploads, "totals": totals}


def problem_list(campaign: Campaign, upload: dict) -> Path:
    """The 问题清单 of a visible upload: written when it was checked, rewritten by the intake for the same bytes."""
    return feedback_path(campaign.id, upload["landing_name"])


def submit(engine: Engine, campaign: Campaign, upload_id: int, scope: Scope, user: str, accept: bool) -> Path:
    """Put a checked upload into its kind's landing folder; the landed path. Refused for a file sent back whole,
    and for one with rows to fix unless the clerk accepts that those rows are quarantined. Submitting twice
    lands it once."""
    upload = visible(engine, campaign, upload_id, scope)
    check = upload["check"]
    if check["error"]:
        raise UploadRefused("这个文件会被整批退回，不能提交：请按上面的说明修改后重新上传。", 409)
    if check["problems"] and not accept:
        raise UploadRefused(f"有 {check['quarantined']} 行需要修改。请修改后重新上传；或勾选“问题行先隔离，其余行提交”"
                            "后再提交。", 409)
    landed = settings.landing_dir(campaign.id, upload["kind"]) / upload["landing_name"]
    if upload["submitted_at"]:
        return landed
    landed.parent.mkdir(parents=True, exist_ok=True)
    # Copied under a name the intake does not pick up, then linked in whole: a scheduled run never reads half a
    # file, and os.link never replaces an existing file (a second click finds this upload's own file there).
    partial = landed.with_name(f".{uuid.uuid4().hex}.part")
    shutil.copyfile(_kept(campaign.id, upload["sha256"], Path(upload["file_name"]).suffix), partial)
    try:
        os.link(partial, landed)
    except FileExistsError:
        return landed
    finally:
        partial.unlink()
    with engine.begin() as conn:
        conn.execute(update(Upload).where(Upload.id == upload_id).values(
            submitted_by=user, submitted_at=dt.datetime.now(dt.UTC)))
    return landed


def record_run(engine: Engine, upload_id: int, run_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(Upload).where(Upload.id == upload_id).values(run_id=run_id))
