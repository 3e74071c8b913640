"""A carrier's returned manifest through survey_intake end to end (dag.test): loaded as its own kind, the 超员 trip
alerted to the coordinators on the loopback SMTP server in the same run."""

from __future__ import annotations

import pytest

from chunnuan.config import settings
from chunnuan.synth.returns import fill_carrier_workbook
from tests.support.campaign_db import messages, query
from tests.support.returns_db import GX, publish_plan

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # both backends: tests/db/test_trip_returns.py
def test_a_returned_manifest_is_loaded_and_its_overcrowded_trip_alerted(dagbag, campaign_conn, chunnuan_home,
                                                                       outbox, tmp_path):
    [workbook] = publish_plan(campaign_conn, tmp_path)["carrier_files"]
    trips = [r[0] for r in query(campaign_conn, "SELECT trip_id FROM charter_trip ORDER BY trip_id")]
    fill_carrier_workbook(workbook, settings.landing_dir(GX.id, "trip_returns") / "回执.xlsx",
                          overcrowded=frozenset(trips[-1:]))

    run = dagbag.get_dag("survey_intake").test(run_conf={"campaign": GX.id, "files": ["trip_returns/回执.xlsx"]})

    got = {ti.task_id: ti.state for ti in run.get_task_instances() if ti.map_index < 0}
    assert (got["load_trip_returns"], got["follow_up_returns"], run.state) == ("success", "success", "success")
    assert query(campaign_conn, "SELECT rows_read, rows_loaded, rows_quarantined, rows_merged FROM submission_batch "
                                "WHERE kind = 'trip_returns'") == [(124, 124, 0, 0)]
    [alert] = messages(outbox)
    assert f"超员告警：车次 {trips[-1]}" in alert["Subject"]
