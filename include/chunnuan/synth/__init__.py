"""Synthetic campaign data for the demo, the tests and the benchmarks.

Shared parts: `random` (one stream per purpose), `calendar` (the Spring Festival holiday and the travel
days around it), `places` (where each province's workers work); ID and USCC check characters are in
chunnuan.common.idcodes, next to the intake that validates them. One module per kind of synthetic
submission: survey, charter (planner requests and fleets), openings, training, activity.
"""
