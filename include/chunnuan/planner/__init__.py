""""点对点" charter-bus planner (春暖): trips, manifests and referrals from charter requests and a fleet.

Pure Python/numpy/pandas, no Airflow. The DAG `charter_bus_planning` and `chunnuan plan` call it.

API
---
    from chunnuan.planner import plan, plan_files, read_demand, read_fleet, write_outputs, Fleet, Carrier

    requests = read_demand(path)                # or a frame of survey_worker rows (needs_charter = 是)
    fleet = read_fleet(path, campaign)          # carriers + coaches per day (file format: planner.fleet)
    rail = read_rail(path, campaign)            # the railway's 铁路运力报表 through the rail intake's row checks
    fleet = Fleet.build(carriers, offers)       # … or in memory: [Carrier], [(uscc, seats, first, last, per day)]
    result = plan(requests, fleet, campaign, workers=None, rail=None)   # campaign = chunnuan.campaign.load(...);
                                                # workers: processes for the route search (None = CPUs, ≤ 8);
                                                # rail: the railway's offers (rail_offer rows, read_rail(path))
    result.trips          # DataFrame: trip_id, route_id, route, date, seats, vehicle_class, carrier_uscc,
                          #   carrier, carrier_contact, carrier_phone, passengers, km, drivers, cost, stops
                          #   (stops: "" on a one-route trip; a pooled trip's stops in order, route_id "o1+o2>d1+d2"),
                          #   mode (coach, or feeder: a 接驳车 county → boarding station on the train's day)
    result.cars           # DataFrame, one row per train carriage used (CAR_COLUMNS: 专列 or reserved 车厢), or None
    result.stops          # DataFrame, one row per stop of a pooled trip (拼车): trip_id, stop_no, action (上车/下车),
                          #   place_code, place, point, time, km, boarding, alighting
    result.assignments    # DataFrame, one row per request: id_number, status (包车/铁路/集中购票), route_id, route,
                          #   planned_date, travel_date, shift_days, trip_id (a rail rider's feeder), reason,
                          #   train_id, carriage_no, board_station, arrive_station — the manifests;
                          #   it holds identity numbers: write it only where manifests go, never log it
    result.routes         # DataFrame per route: riders, carried, referred, vehicles, cost, lower_bound, ratio,
                          #   shifted
    result.shortages      # [Shortage(route_id, route, date, seats, needed, available)], .describe() in Chinese
    result.shortage_report()   # Chinese text: which route and day lack which coaches
    result.rejected_carriers   # ((uscc, name, reason), ...) carriers failing the campaign's rules
    result.summary        # dict of figures (no personal data): requests, chartered, referred,
                          #   referrals_by_reason, trips, vehicles_by_seats, cost, lower_bound, cost_to_bound,
                          #   shifted, shortages, rejected_carriers; 拼车: pooling (exact / greedy / off / none),
                          #   pool_candidates, pooled_trips, pooled_new_coaches, pooled_route_trips, pooled_riders,
                          #   pooled_stops, pooled_cost, pooled_lower_bound; 专列（车厢）: riders_by_mode
                          #   {coach, rail, feeder}, rail_riders, trains, reserved_carriages, train_carriages,
                          #   rail_cost, feeder_trips, feeder_cost (zeros without rail), rail_lower_bound,
                          #   feeder_lower_bound, rail_rescued, rail_moved_from_coaches (with rail offers);
                          #   referral_floor: of those referred for 人数不足, riders no coach under the rules could
                          #   carry (`floor`: what no plan avoids; None beyond floor.MAX_PAIRS)
    write_outputs(result, out_dir)   # trips.csv, assignments.csv, shortages.csv, stops.csv, cars.csv, summary.json
    summary_json(result)             # the JSON `chunnuan plan --json` prints
    plan_files(demand_path, fleet_path, campaign_id, out_dir, rail_path=None)   # the whole `chunnuan plan` command
    FleetError, DemandError          # whole-file problems, message in Chinese listing rows to fix

Re-planning against a published plan (keep its trips, plan only new / changed / withdrawn requests,
or from scratch): `chunnuan.planner.replan` (`replan`, `Published`).

`chunnuan.synth.charter` makes province-scale requests and fleets for demos, tests and the bench.

Rules come from the campaign's `transport:` section (chunnuan.campaign.TransportRules): minimum fill,
two-driver rule and cost for long routes, carrier qualification, vehicle classes and prices, and the
largest date shift. Routes are origin county → work city (返岗) or the reverse (返乡); each worker's
window is planned date ± min(flex_days, max_shift_days), inside the campaign's travel window.

拼车 (`pool`): riders still referred because too few travel on their own route share coaches that pick
up in several nearby counties and drop in several cities along one corridor (limits in the campaign's
`transport.pooling`; `enabled: false` or `chunnuan plan --no-pooling` switches it off).

专列（车厢） (`rail`, with the railway's offers): before the coach plan, riders whose route a train serves go by
rail — above the campaign's `rail.prefer_above_km` whenever a seat exists, below it when that is cheaper or saves
a referral — in whole 专列 or reserved carriages filled to the campaign's minimums, never above 定员, with feeder
coaches from their county to the station; riders the coach plan still refers take seats left on trains.

Objective, per route and then across routes: fewest referrals (集中购票), then least cost, then fewest
workers moved off their planned date (tie-break in the rider assignment). Quality: every route gets a
lower bound on the cost of carrying the riders it carries (`route.interval_bound`); the summary
reports cost / bound. See `route` for the algorithm and the bound, `core` for the shared-fleet step.
"""

from chunnuan.planner.core import plan
from chunnuan.planner.demand import DemandError
from chunnuan.planner.fleet import Carrier, Fleet, FleetError, qualify, read_fleet, read_rail, write_fleet
from chunnuan.planner.io import plan_files, read_demand, summary_json, write_outputs
from chunnuan.planner.model import ASSIGNMENT_COLUMNS, CAR_COLUMNS, TRIP_COLUMNS, Plan, Shortage

__all__ = [
    "ASSIGNMENT_COLUMNS", "CAR_COLUMNS", "TRIP_COLUMNS", "Carrier", "DemandError", "Fleet", "FleetError", "Plan", "Shortage",
    "plan", "plan_files", "qualify", "read_demand", "read_fleet", "read_rail", "summary_json", "write_fleet",
    "write_outputs",
]
