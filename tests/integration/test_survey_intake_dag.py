"""survey_intake end to end through Airflow (dag.test) on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import pytest

from chunnuan.config import settings
from tests.support.airflow_meta import asset_events
from tests.support.campaign_db import query
from tests.support.rows import valid_row, write_csv

pytestmark = pytest.mark.slow


@pytest.fixture
def intake_dag(dagbag):
    return dagbag.get_dag("survey_intake")


def states(dagrun) -> dict[str, str]:
    return {(ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.rendered_map_index}]"): ti.state
            for ti in dagrun.get_task_instances()}


def test_good_and_bad_files_each_get_their_outcome(intake_dag, campaign_conn, chunnuan_home):
    landing = settings.landing_dir("guangxi-2024", "survey")
    landing.mkdir(parents=True)
    rows = [valid_row(i) for i in range(1, 11)]
    rows[3]["联系电话"] = "1381234"
    write_csv(landing / "平南县.csv", rows, encoding="gbk", title="平南县2024年春节返乡返岗需求摸排表")
    write_csv(landing / "湖南来的.csv", [valid_row(i, **{"户籍县(市、区)": "湘潭县"}) for i in range(20, 25)])
    (landing / "空文件.csv").write_bytes(b"")
    (landing / "照片.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    events_before = len(asset_events())

    run = intake_dag.test(run_conf={"campaign": "guangxi-2024"})

    got = states(run)
    # One check task for the four files, named by the first; it fails because three were sent back whole.
    assert got["validate_files[平南县.csv 等 4 个文件]"] == "failed"
    assert got["load_batches"] == "success"
    assert got["summarise_run"] == "failed" and run.state == "failed"
    batches = dict(query(campaign_conn, "SELECT file_name, error FROM submission_batch WHERE status='rejected'"))
    assert "湖南省" in batches["湖南来的.csv"]
    assert "0 字节" in batches["空文件.csv"]
    assert "不是 Excel 或 CSV" in batches["照片.xlsx"]
    assert query(campaign_conn, "SELECT rows_read, rows_loaded, rows_quarantined, rows_merged FROM submission_batch"
                                " WHERE status='loaded'") == [(10, 9, 1, 0)]
    assert query(campaign_conn, "SELECT COUNT(*) FROM survey_worker") == [(9,)]
    [event] = asset_events()[events_before:]
    assert (event["read"], event["loaded"], event["quarantined"], event["merged"]) == (10, 9, 1, 0)
    feedback = chunnuan_home / "outputs" / "guangxi-2024" / "feedback"
    assert {p.name for p in feedback.iterdir()} >= {"平南县-问题清单.xlsx", "湖南来的-问题清单.xlsx"}

    # The next scheduled or manual run finds nothing new: same database, no new asset event.
    again = intake_dag.test(run_conf={"campaign": "guangxi-2024"})
    assert states(again)["load_batches"] == "skipped"
    assert query(campaign_conn, "SELECT COUNT(*) FROM survey_worker") == [(9,)]
    assert len(asset_events()) == events_before + 1


@pytest.mark.parametrize("campaign_id", ["guangxi-2024", "shandong-2024"])
def test_synthetic_province_matches_its_ground_truth(intake_dag, campaign_conn, chunnuan_home, campaign_id):
    """Every injected mistake is quarantined with its code, every duplicate merged into the right row,
    every clean row loaded, and rows read = loaded + quarantined + merged; Shandong's files mix natives
    and workers from other provinces."""
    import pandas as pd

    from chunnuan.config import campaign
    from chunnuan.synth.survey import generate

    landing = settings.landing_dir(campaign_id, "survey")
    workers = 4000 if campaign_id == "guangxi-2024" else 2500  # Shandong: the same rules, fewer rows to wait for
    summary = generate(campaign.load(campaign_id), workers=workers, seed=11, out=landing)
    truth = pd.read_csv(landing / "_truth" / "injected.csv", dtype={"kept_row": "Int64"})

    run = intake_dag.test(run_conf={"campaign": campaign_id})

    assert run.state == "success", states(run)
    batch_file = dict(query(campaign_conn, "SELECT id, file_name FROM submission_batch"))
    quarantined = {(batch_file[b], r): codes for b, r, codes in
                   query(campaign_conn, "SELECT batch_id, source_row, codes FROM quarantined_row")}
    mistakes = truth[truth["code"] != "duplicate_worker"]
    assert set(quarantined) == set(zip(mistakes["file"], mistakes["row"], strict=True))
    for m in mistakes.itertuples():
        assert m.code in quarantined[(m.file, m.row)].split(","), (m.file, m.row, m.code)

    merged = {(batch_file[b], r): (batch_file[kb], kr) for b, r, kb, kr in
              query(campaign_conn, "SELECT batch_id, source_row, kept_batch_id, kept_row FROM merged_row")}
    dups = truth[truth["code"] == "duplicate_worker"]
    assert merged == {(d.file, d.row): (d.kept_file, d.kept_row) for d in dups.itertuples()}

    expected = summary["expected"]
    [(read, loaded, n_quarantined, n_merged)] = query(
        campaign_conn, "SELECT SUM(rows_read), SUM(rows_loaded), SUM(rows_quarantined), SUM(rows_merged)"
                       " FROM submission_batch")
    assert (read, loaded, n_quarantined, n_merged) == (
        expected["rows"], expected["valid"], expected["quarantined"], expected["merged"])
    assert query(campaign_conn, "SELECT COUNT(*) FROM survey_worker") == [(expected["valid"],)]
    [(inbound,)] = query(campaign_conn, "SELECT COUNT(*) FROM survey_worker WHERE NOT native")
    assert inbound > (0.25 if campaign_id == "shandong-2024" else 0.005) * expected["valid"]


def test_a_mistyped_file_in_the_form_fails_before_anything_is_loaded(intake_dag, campaign_conn, chunnuan_home,
                                                                    capfd):
    landing = settings.landing_dir("guangxi-2024", "survey")
    landing.mkdir(parents=True)
    write_csv(landing / "平南县.csv", [valid_row(i) for i in range(1, 7)])

    run = intake_dag.test(run_conf={"campaign": "guangxi-2024", "files": ["平南县.csv", "平男县.csv"]})

    got = states(run)
    assert run.state == "failed" and got["find_new_files"] == "failed" and got["summarise_run"] == "failed"
    logged = "".join(capfd.readouterr())  # the task log, as the coordinator reads it in the UI
    assert "找不到指定的文件：平男县.csv" in logged and "查找新报表失败，本次运行未处理任何文件" in logged
    assert query(campaign_conn, "SELECT COUNT(*) FROM submission_batch") == [(0,)]  # not even the good file
