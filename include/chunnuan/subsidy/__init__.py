"""脱贫人口跨省就业一次性往返交通补助: who may claim (roster) and the county rosters (steps)."""
