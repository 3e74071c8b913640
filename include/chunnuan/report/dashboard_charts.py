"""The dashboard's charts as ECharts options, built with pyecharts from the snapshot (dashboard.snapshot).

    options(snap)     -> {"cities_people", "cities_counts", "trend", "map": {metric: option}}: plain JSON the
                         page hands to echarts.setOption; pyecharts is imported here only, when a page is rendered
    page_values(snap) -> what include/templates/dashboard_charts.html.j2 needs: the options, the map's name and
                         metrics, and the note on how the boundary data matched the province's counties

The page loads ECharts and the province's county boundaries from the plugin app itself (closed office
networks): STATIC_DIR holds the pinned echarts.min.js, county_map builds the GeoJSON; the map option names
the map `map_name(province_code)`, which the page registers before drawing.
"""

from __future__ import annotations

import datetime as dt
import json

from chunnuan.config.settings import REPO_ROOT
from chunnuan.report.trend import FIGURES as TREND_FIGURES

STATIC_DIR = REPO_ROOT / "include" / "static" / "echarts"
ECHARTS_VERSION = "5.6.0"
ECHARTS_SHA256 = "bf4a223524e40b77c304bec67e1222cf551f14880cf42c69dc046558e11c07b1"

# Per-city bars, in two charts because people and counts differ by orders of magnitude.
CITY_PEOPLE = {"workers": "摸排人数", "chartered": "包车运送", "completed": "培训结业", "fair_intentions": "达成就业意向"}
CITY_COUNTS = {"reporting": "已报送县", "compliant": "培训达标县", "classes": "培训班(期)", "fairs_held": "已办招聘会(场)"}
TREND_PEOPLE = ("workers", "chartered", "completed", "fair_intentions")  # left axis; classes and fairs on the right
# The map's metrics: key -> label on the selector.
MAP_METRICS = {"workers": "需求摸排人数", "charter_share": "包车运送占包车需求(%)", "compliance": "送工前培训核查"}
COMPLIANT, NOT_COMPLIANT = 2, 1  # the compliance map's values; a county not yet checked has none
NO_DATA_COLOUR = "#e4e7eb"


def map_name(province_code: str) -> str:
    return f"chunnuan-{province_code}"


def county_values(county: dict) -> dict[str, float | None]:
    """One county's value for each map metric; None where it has none (not reported, no request, not checked)."""
    share = (round(100 * county["chartered"] / county["charter_requests"], 1) if county["charter_requests"] else None)
    status = county["status"]
    return {"workers": county["workers"] if county["reporting"] else None,
            "charter_share": share,
            "compliance": None if not status else COMPLIANT if county["compliant"] else NOT_COMPLIANT}


def _dump(chart) -> dict:
    return json.loads(chart.dump_options())


def _city_bars(snap: dict, columns: dict[str, str], title: str) -> dict:
    from pyecharts import options as opts
    from pyecharts.charts import Bar

    bar = Bar().add_xaxis([c["city"] for c in snap["cities"]])
    for key, label in columns.items():
        bar.add_yaxis(label, [c[key] for c in snap["cities"]], label_opts=opts.LabelOpts(is_show=False))
    bar.set_global_opts(title_opts=opts.TitleOpts(title=title),
                        legend_opts=opts.LegendOpts(pos_top=28),
                        tooltip_opts=opts.TooltipOpts(trigger="axis"),
                        xaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(rotate=30, interval=0)))
    return _dump(bar)


def _trend(snap: dict) -> dict:
    from pyecharts import options as opts
    from pyecharts.charts import Line

    trend = snap["trend"]
    weeks = [f"{dt.date.fromisoformat(w):%m-%d}" for w in trend["weeks"]]
    line = Line().add_xaxis(weeks)
    line.extend_axis(yaxis=opts.AxisOpts(name="班(期)、场", position="right"))
    for key, label in TREND_FIGURES.items():
        line.add_yaxis(label, trend["total"][key], yaxis_index=0 if key in TREND_PEOPLE else 1,
                       label_opts=opts.LabelOpts(is_show=False))
    line.set_global_opts(title_opts=opts.TitleOpts(title="主要数字逐周累计", subtitle="横轴为每周一"),
                         legend_opts=opts.LegendOpts(pos_bottom=0),
                         tooltip_opts=opts.TooltipOpts(trigger="axis"),
                         yaxis_opts=opts.AxisOpts(name="人"))
    option = _dump(line)
    option["grid"] = {"top": 80, "bottom": 80}  # the legend takes two rows below the axis
    return option


def _map(snap: dict, metric: str) -> dict:
    from pyecharts import options as opts
    from pyecharts.charts import Map

    data = [opts.MapItem(name=c["label"], value=county_values(c)[metric]) for c in snap["counties"]]
    if metric == "compliance":
        visual = opts.VisualMapOpts(is_piecewise=True, pieces=[
            {"value": COMPLIANT, "label": "达标", "color": "#2f9e44"},
            {"value": NOT_COMPLIANT, "label": "未达标", "color": "#d64545"}])
    else:
        values = [v for c in snap["counties"] if (v := county_values(c)[metric]) is not None]
        top = 100 if metric == "charter_share" else max(values, default=0) or 1
        visual = opts.VisualMapOpts(min_=0, max_=top, is_calculable=True, range_color=["#e0f2ff", "#0b5cad"])
    chart = Map().add(MAP_METRICS[metric], data, maptype=map_name(snap["campaign"]["province_code"]),
                      is_roam=False, is_map_symbol_show=False, label_opts=opts.LabelOpts(is_show=False),
                      itemstyle_opts=opts.ItemStyleOpts(area_color=NO_DATA_COLOUR, border_color="#fff"))
    chart.set_global_opts(title_opts=opts.TitleOpts(title=f"分县：{MAP_METRICS[metric]}", subtitle="灰色：暂无数据"),
                          legend_opts=opts.LegendOpts(is_show=False), visualmap_opts=visual,
                          tooltip_opts=opts.TooltipOpts(trigger="item"))
    return _dump(chart)


def options(snap: dict) -> dict:
    return {"cities_people": _city_bars(snap, CITY_PEOPLE, "分市人数"),
            "cities_counts": _city_bars(snap, CITY_COUNTS, "分市县数、班期和场次"),
            "trend": _trend(snap),
            "map": {metric: _map(snap, metric) for metric in MAP_METRICS}}


def page_values(snap: dict) -> dict:
    from chunnuan.report import county_map

    code = snap["campaign"]["province_code"]
    return {"charts": options(snap), "map_name": map_name(code), "map_metrics": MAP_METRICS,
            "map_note": county_map.note(code)}
