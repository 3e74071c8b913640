"""Coordinator approval in the Airflow UI (Human-in-the-loop), with an automatic path for demos and tests."""

from __future__ import annotations

import datetime as dt

from airflow.providers.standard.operators.hitl import ApprovalOperator

AUTO_APPROVER = {"id": "auto-approve", "name": "自动批准（auto_approve 参数）"}


class PlanApprovalOperator(ApprovalOperator):
    """ApprovalOperator that approves at once when the run's `auto_approve` param is true.

    Otherwise the task waits in the UI ("Required actions") for 批准 / 驳回 by a coordinator; 驳回
    skips publishing. The auto path goes through the operator's own completion step, so the XCom
    (chosen option, who, when) has the same shape either way."""

    def execute(self, context):
        if context["params"].get("auto_approve"):
            self.log.info("auto_approve=true：方案自动批准")
            return self.execute_complete(context, event={
                "chosen_options": [self.APPROVE], "params_input": {},
                "responded_at": dt.datetime.now(dt.UTC), "responded_by_user": AUTO_APPROVER,
            })
        return super().execute(context)
