"""Charts with Chinese labels for the campaign report, as PNG bytes.

The CJK font is Noto Sans SC (SIL OFL 1.1) from the `pylopdf-fonts-zh-cn` wheel, registered with
matplotlib at first use: a fresh machine needs no OS font package, and every machine renders
the same glyphs. matplotlib is imported inside the functions so that importing this module
(for example while Airflow parses DAGs) stays cheap.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

FONT_FAMILY = "Noto Sans SC"
WIDTH_IN, DPI = 7.2, 100  # 720 px wide: fits an email body without scaling
_RC = {
    "font.family": [FONT_FAMILY],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def font_path() -> Path:
    """The font file shipped by the package (not a system font)."""
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


@cache
def register_font() -> Path:
    """Add the packaged font to matplotlib's font list once per process."""
    from matplotlib import font_manager

    path = font_path()
    font_manager.fontManager.addfont(str(path))
    return path


def _png(draw, height_in: float) -> bytes:
    # A bare Figure on the Agg canvas: no pyplot, so no global backend switch and no figures
    # left open in a long-lived worker.
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    register_font()
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        draw(fig.subplots())
        buf = io.BytesIO()
        # Agg writes no timestamp; dropping the "Software" chunk (the matplotlib version) leaves only
        # pixels, so the same input gives the same bytes.
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(title: str, labels: list[str], series: dict[str, list[float]], unit: str) -> bytes:
    """Grouped bars, one group per area (labels) and one bar per series (e.g. 返乡 / 返岗)."""
    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"系列「{name}」有 {len(values)} 个数值，地区有 {len(labels)} 个")
    # Many bars (14 cities x 2 series): upright value labels would run into each other.
    crowded = len(labels) * max(len(series), 1) > 16

    def draw(ax) -> None:
        width = 0.8 / max(len(series), 1)
        for i, (name, values) in enumerate(series.items()):
            xs = [x - 0.4 + width * (i + 0.5) for x in range(len(labels))]
            bars = ax.bar(xs, values, width, label=name)
            ax.bar_label(
                bars,
                [_fmt(v) for v in values],
                padding=2,
                fontsize=7 if crowded else 8,
                rotation=90 if crowded else 0,
            )
        ax.set_xticks(
            range(len(labels)),
            labels,
            rotation=30 if len(labels) > 8 else 0,
            ha="right" if len(labels) > 8 else "center",
        )
        ax.yaxis.set_major_formatter("{x:,.0f}")
        ax.set_ylabel(f"单位：{unit}")
        ax.set_title(title, fontsize=13, loc="left")
        ax.margins(y=0.2 if crowded else 0.12)  # headroom for the value labels
        if series:  # on the title's line, right: above the plot, where it cannot cover a bar
            ax.legend(frameon=False, ncols=len(series), loc="lower right", bbox_to_anchor=(1, 1))

    return _png(draw, 4.0)


def status_chart(title: str, counts: dict[str, int]) -> bytes:
    """Horizontal bars, one per status (e.g. 达标 / 未开班 / 名额不足), first status on top."""
    names, values = list(counts), list(counts.values())

    def draw(ax) -> None:
        bars = ax.barh(names, values, color="#4C72B0")
        ax.bar_label(bars, [_fmt(v) for v in values], padding=3, fontsize=9)
        ax.invert_yaxis()  # keep the caller's order reading top-down
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.xaxis.set_major_formatter("{x:,.0f}")
        ax.margins(x=0.12)
        ax.set_title(title, fontsize=13, loc="left")

    return _png(draw, 1.2 + 0.45 * max(len(names), 1))
