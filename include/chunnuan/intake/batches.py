"""The intake as three idempotent steps, each a transaction on the campaign database.

    register_files  -> one submission_batch per new file (known by content hash; the same bytes twice
                       are skipped), in arrival order so later submissions get larger batch ids
    validate_batches -> gate files (several of a kind at once share one normalisation and one suite
                       run): quarantine bad rows, stage the valid rows; a batch-level problem marks
                       that batch rejected (validate_batch, for one file, raises BatchRejected)
    load_validated  -> survey: de-duplicate across submissions (latest 填报日期, then latest batch
                       wins), upsert, record merged rows, then assert conservation per batch in SQL
    load_replacing  -> the other kinds: an owner's newer submission replaces all its earlier rows (a
                       carrier's offers, a county's classes or fair results, an enterprise's openings,
                       an area's figures of one item and date); `load_kind` picks by the registry

The DAG maps validate_batches over groups of files (check_groups): a task pays Airflow's start-up and the
imports (pandas, Great Expectations) once for up to FILES_PER_CHECK files, and its log, the batch rows and
the problem lists keep every file's outcome. The `chunnuan intake` command and the benchmark validate a
run's files in one call.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select, text, update

from chunnuan.common import sql
from chunnuan.common.steps import StepFailed
from chunnuan.config import settings
from chunnuan.config.campaign import Campaign
from chunnuan.db import bulk
from chunnuan.db.models import Base, Carrier, FleetOffer, QuarantinedRow, SubmissionBatch, SurveyWorker
from chunnuan.intake import registry
from chunnuan.intake.feedback import write_feedback
from chunnuan.intake.gate import check_submissions, file_sha256

log = logging.getLogger(__name__)


class BatchRejected(StepFailed):
    """The whole file is sent back: the message says what the clerk must fix."""


class ConservationError(AssertionError):
    """rows read != loaded + quarantined + merged for some batch: a bug, never bad input."""


@dataclass(frozen=True)
class NewBatch:
    batch_id: int
    path: str
    kind: str = "survey"


FILES_PER_CHECK = 30  # a province's 111 county files: 4 check tasks, two at a time on 2 cores


def check_groups(batches: list[dict], per_group: int = FILES_PER_CHECK) -> list[list[dict]]:
    """Split a run's new batches ({"batch_id", "path", ...}) into as few groups of at most `per_group` files
    as will do, balanced by file size (largest first, each to the lightest group), each group in arrival
    order. One check task per group."""
    if not batches:
        return []
    groups: list[list[dict]] = [[] for _ in range(-(-len(batches) // per_group))]
    sizes = [0] * len(groups)

    def size(b: dict) -> int:
        path = Path(b["path"])
        return path.stat().st_size if path.exists() else 0

    for b in sorted(batches, key=lambda b: (-size(b), b["batch_id"])):
        open_groups = [i for i, g in enumerate(groups) if len(g) < per_group]
        lightest = min(open_groups, key=lambda i: (sizes[i], i))
        groups[lightest].append(b)
        sizes[lightest] += size(b)
    return [sorted(g, key=lambda b: b["batch_id"]) for g in groups]


def register_files(engine: Engine, campaign: Campaign, paths: list[Path], run_id: str | None = None,
                   kind: str = "survey") -> dict:
    """Create a batch for each file not seen before; report the ones already known and their fate."""
    new, known = [], []
    with engine.begin() as conn:
        for path in paths:
            digest = file_sha256(path)
            existing = conn.execute(
                select(SubmissionBatch.id, SubmissionBatch.status, SubmissionBatch.file_name).where(
                    SubmissionBatch.campaign_id == campaign.id,
                    SubmissionBatch.kind == kind,
                    SubmissionBatch.sha256 == digest,
                )
            ).first()
            if existing is not None and existing.status != "received":
                known.append({"batch_id": existing.id, "file": path.name, "status": existing.status})
                continue
            if existing is None:
                batch_id = conn.execute(
                    SubmissionBatch.__table__.insert().values(
                        campaign_id=campaign.id, kind=kind, file_name=path.name, sha256=digest,
                        received_at=dt.datetime.now(dt.UTC), status="received", run_id=run_id,
                    )
                ).inserted_primary_key[0]
            else:  # registered by a run that stopped before validating it: this run takes it up again
                batch_id = existing.id
                conn.execute(update(SubmissionBatch).where(SubmissionBatch.id == batch_id).values(run_id=run_id))
            new.append(NewBatch(batch_id, str(path), kind))
    return {"new": new, "known": known}


UNFINISHED = {"received": "未检查", "validated": "已检查、未入库"}  # e.g. its task's worker died


def run_problems(campaign_id: str, batches: list) -> tuple[str, list[str]]:
    """What keeps a run from ending green, for its summary task: (header, one line per file) of the run's
    batches (SubmissionBatch rows) that were sent back whole or are not loaded yet. Empty list: all loaded."""
    from chunnuan.intake.feedback import feedback_path

    rejected = [b for b in batches if b.status == "rejected"]
    unfinished = [b for b in batches if b.status in UNFINISHED]
    header = f"{len(rejected)} 个文件被整批退回，{len(unfinished)} 个文件未处理完，其余文件已入库："
    return header, [
        f"{b.file_name}：{b.error}（问题清单：{feedback_path(campaign_id, b.file_name)}）" for b in rejected
    ] + [f"{b.file_name}：{UNFINISHED[b.status]}，再运行一次即可接着处理" for b in unfinished]


def register_kinds(engine: Engine, campaign: Campaign, by_kind: dict[str, list[Path]],
                   run_id: str | None = None) -> dict:
    """register_files for each kind's files (see landing.submissions): new batches of all kinds, known files."""
    new, known = [], []
    for kind, paths in by_kind.items():
        registered = register_files(engine, campaign, paths, run_id=run_id, kind=kind)
        new += registered["new"]
        known += registered["known"]
    return {"new": new, "known": known}


def _stage_path(campaign_id: str, batch_id: int, part: str) -> Path:
    return settings.staging_dir(campaign_id) / f"batch-{batch_id}-{part}.parquet"


def _reject(engine: Engine, batch_id: int, result) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(SubmissionBatch).where(SubmissionBatch.id == batch_id).values(
                status="rejected", error=result.error, rows_read=result.rows, rows_loaded=0,
                rows_quarantined=0, rows_merged=0,
            )
        )


def _stage(engine: Engine, campaign: Campaign, batch_id: int, result) -> None:
    """Valid rows and in-file duplicates to parquet, quarantined rows to the database (idempotent)."""
    staged = _stage_path(campaign.id, batch_id, "valid")
    staged.parent.mkdir(parents=True, exist_ok=True)
    result.valid.to_parquet(staged, index=False)
    result.duplicates.to_parquet(_stage_path(campaign.id, batch_id, "duplicates"), index=False)
    with engine.begin() as conn:
        conn.execute(QuarantinedRow.__table__.delete().where(QuarantinedRow.batch_id == batch_id))
        bulk.insert(conn, "quarantined_row", result.quarantined[["source_row", "codes", "reasons"]]
                    .assign(batch_id=batch_id))
        conn.execute(
            update(SubmissionBatch).where(SubmissionBatch.id == batch_id).values(
                status="validated", rows_read=result.rows, rows_quarantined=len(result.quarantined),
            )
        )


def validate_batches(engine: Engine, campaign: Campaign, batches: list[NewBatch]) -> list[dict]:
    """Gate files (together, see intake.check_submissions). Idempotent: batches past validation are
    reported, not redone. Each outcome has status validated / loaded / rejected and, if rejected, error."""
    with engine.connect() as conn:
        rows = {b.id: b for b in conn.execute(
            select(SubmissionBatch).where(SubmissionBatch.id.in_([b.batch_id for b in batches])))}
    outcomes: dict[int, dict] = {}
    todo = []
    for b in batches:
        row = rows[b.batch_id]
        if row.status == "received":
            todo.append(b)
        else:
            outcomes[b.batch_id] = {"batch_id": b.batch_id, "file": row.file_name, "status": row.status,
                                    "rows": row.rows_read, "error": row.error}
    results = []
    for kind in dict.fromkeys(b.kind for b in todo):  # one gate run per kind, in arrival order
        of_kind = [b for b in todo if b.kind == kind]
        results += zip(of_kind, check_submissions([Path(b.path) for b in of_kind], campaign, kind=registry.gate_kind(kind)),
                       strict=True)
    for b, result in results:
        name = rows[b.batch_id].file_name
        feedback = write_feedback(campaign.id, name, result) if result.error or len(result.problems) or result.notes else None
        if result.error:
            _reject(engine, b.batch_id, result)
        else:
            _stage(engine, campaign, b.batch_id, result)
        log.info("batch %s %s: %s %s", b.batch_id, name, result.counts, result.timings)
        outcomes[b.batch_id] = {"batch_id": b.batch_id, "file": name,
                                "status": "rejected" if result.error else "validated", **result.counts,
                                "error": result.error, "feedback": str(feedback) if feedback else None,
                                "seconds": {k: round(v, 3) for k, v in result.timings.items()}}
    return [outcomes[b.batch_id] for b in batches]


def validate_batch(engine: Engine, campaign: Campaign, batch_id: int, path: Path, kind: str = "survey") -> dict:
    """Gate one file; a batch-level problem (now or in an earlier run) raises BatchRejected."""
    [outcome] = validate_batches(engine, campaign, [NewBatch(batch_id, str(path), kind)])
    if outcome["status"] == "rejected":
        raise BatchRejected(f"整批退回：{outcome['file']}：{outcome['error']}")
    return outcome


WORKER_COLUMNS = [c.name for c in SurveyWorker.__table__.columns]


KEYS = ["id_number", "batch_id", "source_row", "reported_on"]


def _row_key(frame: pd.DataFrame) -> pd.Series:
    """(batch, row) as one integer, for fast membership tests."""
    return frame["batch_id"].astype("int64") * (1 << 32) + frame["source_row"].astype("int64")


def _losers(run: pd.DataFrame, existing: pd.DataFrame) -> pd.DataFrame:
    """Rows that a later report of the same worker replaces (latest 填报日期, then batch, then row),
    each with the row that replaced it. Only workers reported more than once are sorted."""
    keys = pd.concat([existing[KEYS], run[KEYS]], ignore_index=True)
    contested = keys[keys["id_number"].duplicated(keep=False)]
    ordered = contested.sort_values(["id_number", "reported_on", "batch_id", "source_row"], kind="stable")
    last = ordered.drop_duplicates("id_number", keep="last").set_index("id_number")
    lost = ordered[ordered["id_number"].duplicated(keep="last")]
    return pd.DataFrame({
        "batch_id": lost["batch_id"].to_numpy(), "source_row": lost["source_row"].to_numpy(),
        "kept_batch_id": lost["id_number"].map(last["batch_id"]).to_numpy(),
        "kept_row": lost["id_number"].map(last["source_row"]).to_numpy(),
    })


def _validated_batches(conn, campaign: Campaign, kind: str) -> list[int]:
    """Batches of a kind waiting to be loaded, in arrival order."""
    return conn.execute(
        select(SubmissionBatch.id).where(
            SubmissionBatch.campaign_id == campaign.id, SubmissionBatch.kind == kind,
            SubmissionBatch.status == "validated",
        ).order_by(SubmissionBatch.id)
    ).scalars().all()


def load_validated(engine: Engine, campaign: Campaign) -> dict:
    """Load every validated batch of the campaign in one transaction; idempotent (nothing left = no-op)."""
    started = time.perf_counter()
    with engine.connect() as conn:
        batch_ids = _validated_batches(conn, campaign, "survey")
        if not batch_ids:
            return {"batches": [], "loaded": 0, "merged": 0, "seconds": 0.0}
        existing = pd.read_sql(
            select(SurveyWorker.id_number, SurveyWorker.batch_id, SurveyWorker.source_row,
                   SurveyWorker.reported_on).where(SurveyWorker.campaign_id == campaign.id),
            conn,
        )
    existing["reported_on"] = pd.to_datetime(existing["reported_on"]).astype("datetime64[s]")
    run = pd.concat(
        [pd.read_parquet(_stage_path(campaign.id, b, "valid")).assign(batch_id=b) for b in batch_ids],
        ignore_index=True,
    )
    dups = pd.concat(
        [pd.read_parquet(_stage_path(campaign.id, b, "duplicates")).assign(batch_id=b) for b in batch_ids],
        ignore_index=True,
    )
    read_at = time.perf_counter()

    losers = _losers(run, existing)
    lost = _row_key(run).isin(_row_key(losers))
    same_file = dups.assign(kept_batch_id=dups["batch_id"])[["batch_id", "source_row", "kept_batch_id", "kept_row"]]
    merged = pd.concat([losers, same_file], ignore_index=True).astype("int64")

    rows = run[~lost].assign(campaign_id=campaign.id)[WORKER_COLUMNS]
    replaces = rows["id_number"].isin(existing["id_number"])
    with engine.begin() as conn:
        # New workers go in at COPY / executemany speed; only replacements pay for ON CONFLICT.
        bulk.insert(conn, "survey_worker", rows[~replaces])
        bulk.upsert(conn, "survey_worker", rows[replaces], key=["campaign_id", "id_number"])
        bulk.insert(conn, "merged_row", merged[["batch_id", "source_row", "kept_batch_id", "kept_row"]])
        affected = sorted(set(batch_ids) | set(merged["batch_id"].tolist()))
        conn.execute(text(sql.load("refresh_batch_counts.sql")), [{"batch_id": b} for b in affected])
        conn.execute(
            update(SubmissionBatch).where(SubmissionBatch.id.in_(batch_ids)).values(status="loaded")
        )
        _assert_conserved(conn, campaign)
        per_batch = _batch_counts(conn, batch_ids)
    written_at = time.perf_counter()
    return {
        "batches": per_batch,
        "loaded": int(len(rows)),
        "merged": int(len(merged)),
        "seconds": {"read_staged": read_at - started, "write": written_at - read_at},
    }


def _batch_counts(conn, batch_ids: list[int]) -> list[dict]:
    rows = conn.execute(
        select(SubmissionBatch.id, SubmissionBatch.file_name, SubmissionBatch.rows_read,
               SubmissionBatch.rows_loaded, SubmissionBatch.rows_quarantined, SubmissionBatch.rows_merged)
        .where(SubmissionBatch.id.in_(batch_ids)).order_by(SubmissionBatch.id)
    ).all()
    return [dict(r._mapping) for r in rows]


def _assert_conserved(conn, campaign: Campaign) -> None:
    broken = conn.execute(text(sql.load("batch_conservation.sql")), {"campaign_id": campaign.id}).all()
    if broken:
        raise ConservationError(f"conservation broken (batch, read, loaded, quarantined, merged): {broken}")


CARRIER_COLUMNS = [c.name for c in Carrier.__table__.columns]


def _upsert_carriers(conn, rows: pd.DataFrame) -> None:
    bulk.upsert(conn, "carrier", rows.drop_duplicates("uscc", keep="last")[CARRIER_COLUMNS], key=["campaign_id", "uscc"])


def _register_paid_claims(conn, rows: pd.DataFrame) -> None:
    """The claims paid so far, for the next claims return's gate (subsidy.register): one claim per person a year."""
    from chunnuan.db.models import SubsidyClaim
    from chunnuan.subsidy import register

    campaign_id = rows["campaign_id"].iloc[0]
    paid = pd.read_sql(select(SubsidyClaim.id_number, SubsidyClaim.claim_year, SubsidyClaim.county_code,
                              SubsidyClaim.paid_on).where(SubsidyClaim.campaign_id == campaign_id,
                                                          SubsidyClaim.paid_on.is_not(None)), conn)
    register.write_paid(campaign_id, paid)


# Side tables a kind's load also keeps current.
AFTER_LOAD = {"fleet": _upsert_carriers,  # a carrier's facts, from its latest offer rows
              "subsidy_claims": _register_paid_claims}
MODELS = {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}


def load_replacing(engine: Engine, campaign: Campaign, kind: str) -> dict:
    """Load validated batches of a replacing kind (registry: `owner` set) in arrival order, one transaction.
    A submission is its owner's whole current list (a carrier's offers, a county's classes): the owner's
    earlier rows move to merged_row, kept = the owner's first row in the new file."""
    spec = registry.get(kind)
    model, owner, after = MODELS[spec.table], spec.owner, AFTER_LOAD.get(kind)
    with engine.connect() as conn:
        batch_ids = _validated_batches(conn, campaign, kind)
    if not batch_ids:
        return {"batches": [], "loaded": 0, "merged": 0}
    table, key = model.__table__, getattr(model, owner)
    columns = [c.name for c in table.columns]
    loaded = merged = 0
    with engine.begin() as conn:
        for b in batch_ids:
            rows = pd.read_parquet(_stage_path(campaign.id, b, "valid")).assign(campaign_id=campaign.id, batch_id=b)
            dups = pd.read_parquet(_stage_path(campaign.id, b, "duplicates")).assign(batch_id=b, kept_batch_id=b)
            first_row = rows.groupby(owner)["source_row"].min()
            owners = first_row.index.tolist()
            old = pd.read_sql(select(key, model.batch_id, model.source_row).where(
                model.campaign_id == campaign.id, key.in_(owners)), conn)
            replaced = old.assign(kept_batch_id=b, kept_row=old[owner].map(first_row))
            conn.execute(table.delete().where(model.campaign_id == campaign.id, key.in_(owners)))
            bulk.insert(conn, table.name, rows[columns])
            if after is not None:
                after(conn, rows)
            moved = pd.concat([replaced, dups], ignore_index=True)[["batch_id", "source_row", "kept_batch_id", "kept_row"]]
            bulk.insert(conn, "merged_row", moved.astype("int64"))
            affected = sorted({b, *old["batch_id"].tolist()})
            conn.execute(text(sql.load("refresh_batch_counts.sql")), [{"batch_id": a} for a in affected])
            conn.execute(update(SubmissionBatch).where(SubmissionBatch.id == b).values(status="loaded"))
            loaded, merged = loaded + len(rows), merged + len(moved)
        _assert_conserved(conn, campaign)
        per_batch = _batch_counts(conn, batch_ids)
    return {"batches": per_batch, "loaded": loaded, "merged": merged}


def current_fleet(engine: Engine, campaign: Campaign) -> pd.DataFrame:
    """Every carrier's current offer rows joined with its facts: what `planner.Fleet.from_rows` takes."""
    with engine.connect() as conn:
        offers = pd.read_sql(select(FleetOffer).where(FleetOffer.campaign_id == campaign.id), conn)
        carriers = pd.read_sql(select(Carrier).where(Carrier.campaign_id == campaign.id), conn)
    return offers.drop(columns=["batch_id", "source_row"]).merge(
        carriers.drop(columns=["batch_id"]), on=["campaign_id", "uscc"], how="inner")


def load_kind(engine: Engine, campaign: Campaign, kind: str) -> dict:
    """Load a kind's validated batches as its registry entry says: per-worker de-dup or replace by owner."""
    if registry.get(kind).owner is None:
        return load_validated(engine, campaign)
    return load_replacing(engine, campaign, kind)
