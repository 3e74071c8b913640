"""The demo's synthetic claims return: through the real gate, every row is taken but the one wrong amount."""

from __future__ import annotations

from chunnuan.config import campaign
from chunnuan.intake.gate import check_submission
from chunnuan.intake.kinds.subsidy_claims import KIND
from chunnuan.synth.claims import claims_return
from tests.support.claims import claimant_id, publish_small_roster

GX = campaign.load("guangxi-2024")


def test_the_synthetic_claims_pass_the_gate_but_the_one_typo(chunnuan_home, tmp_path):
    publish_small_roster(GX.id)
    rows = claims_return(GX, {claimant_id(n): f"申领人{n}" for n in range(1, 10)}, 2024, seed=3, claim_share=1.0)
    assert len(rows) == 8 and claimant_id(9) not in set(rows["身份证号"])  # the roster's 8 candidates
    rows.to_csv(tmp_path / "claims.csv", index=False)

    result = check_submission(tmp_path / "claims.csv", GX, "pandas", kind=KIND)
    assert result.counts == {"rows": 8, "valid": 7, "quarantined": 1, "duplicates": 0}
    assert result.problems["code"].tolist() == ["amount_wrong"]
