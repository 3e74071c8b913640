"""Synthetic returned manifests (包车回执): the carrier workbooks a published plan wrote, filled as carriers fill
them on the day, for the demo and the tests.

Most trips come back: a plate, a driver, a departure between 06:00 and 09:00 on the trip's day, and each rider
是 (a few 否 — the no-shows — and 改乘). `overcrowded` trips report three riders more than seats (超员: people
boarded who were not on the list); `not_run` trips come back with 实载人数 0 and their riders 改乘; trips in
`unreturned` are left out of the return (their carrier has not sent them yet).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from chunnuan.intake.kinds.trip_returns import RIDER_SHEET, TRIP_SHEET
from chunnuan.synth.random import rng as stream

PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DRIVERS = ("黄建华", "韦志强", "覃国庆", "莫永胜", "蒙海林", "陆德成", "梁东亮", "李金贵", "农福兴", "廖明辉")


def _columns(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1] if cell.value}


def fill_carrier_workbook(path: Path, out: Path, seed: int = 1, no_show_share: float = 0.03,
                          overcrowded: frozenset[str] = frozenset(), not_run: frozenset[str] = frozenset(),
                          unreturned: frozenset[str] = frozenset()) -> dict:
    """Fill the carrier workbook at `path` and save it as `out`; returns what was made (the answer a test or the
    demo compares with): boarded, no-shows and switched riders per trip."""
    rng = stream(seed, f"returns:{Path(path).name}")
    book = load_workbook(path)
    trips, riders = book[TRIP_SHEET], book[RIDER_SHEET]
    tc, rc = _columns(trips), _columns(riders)
    ran: dict[str, bool] = {}
    boarded: dict[str, int] = {}
    made = {"trips": 0, "boarded": 0, "no_shows": 0, "switched": 0, "overcrowded": [], "not_run": []}

    rider_rows = [r for r in range(2, riders.max_row + 1) if riders.cell(r, rc["车次编号"]).value]
    for r in rider_rows:  # riders first: a trip's 实载人数 counts those who boarded
        trip = riders.cell(r, rc["车次编号"]).value
        if trip in not_run:
            answer = "改乘"
        else:
            answer = "否" if rng.random() < no_show_share else ("改乘" if rng.random() < 0.01 else "是")
        riders.cell(r, rc["是否乘车"], answer)
        boarded[trip] = boarded.get(trip, 0) + (answer == "是")
        made["boarded" if answer == "是" else "no_shows" if answer == "否" else "switched"] += 1

    for r in range(2, trips.max_row + 1):
        trip = trips.cell(r, tc["车次编号"]).value
        if not trip:
            continue
        made["trips"] += 1
        if trip in not_run:
            trips.cell(r, tc["实载人数"], 0)
            made["not_run"].append(trip)
            ran[trip] = False
            continue
        seats = int(trips.cell(r, tc["座位数"]).value)
        count = seats + 3 if trip in overcrowded else boarded.get(trip, 0)
        if trip in overcrowded:
            made["overcrowded"].append(trip)
        trips.cell(r, tc["车牌号"], f"桂{PLATE_LETTERS[int(rng.integers(0, 18))]}{int(rng.integers(10000, 99999))}")
        trips.cell(r, tc["驾驶员"], DRIVERS[int(rng.integers(0, len(DRIVERS)))])
        day = trips.cell(r, tc["发车日期"]).value
        day = day.strftime("%Y-%m-%d") if hasattr(day, "strftime") else str(day)
        trips.cell(r, tc["实际发车时间"], f"{day} {int(rng.integers(6, 9)):02d}:{int(rng.integers(0, 60)):02d}")
        trips.cell(r, tc["实载人数"], count)
        ran[trip] = True

    for sheet, column in ((trips, tc["车次编号"]), (riders, rc["车次编号"])):  # bottom up: rows shift
        for r in range(sheet.max_row, 1, -1):
            if sheet.cell(r, column).value in unreturned:
                sheet.delete_rows(r)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return made
