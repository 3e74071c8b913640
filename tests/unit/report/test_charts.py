"""Report charts: PNG at email width, same bytes for the same input, Chinese drawn from the packaged font."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from chunnuan.config import divisions
from chunnuan.report import charts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SAMPLE = (
    "广西壮族自治区 南宁市 柳州市 桂林市 梧州市 北海市 防城港市 钦州市 贵港市 玉林市 百色市 贺州市 "
    "河池市 来宾市 崇左市 返乡 返岗 包车 培训班 达标 未开班 开班晚于送工高峰 名额不足 招聘会 "
    "脱贫人口 监测对象 隔离 人次 万元 春暖农民工服务行动 送工专列 就业帮扶车间 稳岗返还 "
    "（单位：人）１２３％·、，。：；“”—"
)
CITIES = SAMPLE.split()[1:15]


def _bar(**overrides) -> bytes:
    args = {
        "title": "广西壮族自治区 春节返乡、节后返岗人数",
        "labels": CITIES,
        "series": {
            "返乡": [12000 + 997 * i for i in range(14)],
            "返岗": [9000 + 1234.5 * i for i in range(14)],
        },
        "unit": "人次",
    } | overrides
    return charts.bar_chart(**args)


def _status(**overrides) -> bytes:
    args = {
        "title": "技能培训班开班情况",
        "counts": {"达标": 23, "未开班": 4, "开班晚于送工高峰": 3, "名额不足": 2},
    } | overrides
    return charts.status_chart(**args)


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_png_at_email_width():
    assert _png_size(_bar()) == (720, 400)
    assert _png_size(_status()) == (720, 300)  # height grows with the number of statuses
    assert _png_size(_bar(labels=["南宁市"], series={"包车": [35]}, unit="辆"))[0] == 720


def test_same_input_gives_same_bytes():
    assert _bar() == _bar()
    assert _status() == _status()
    assert _status() != _status(counts={"达标": 22, "未开班": 5})


def test_chinese_labels_raise_no_missing_glyph_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _bar(
            title=SAMPLE[:40], labels=SAMPLE.split()[:6], series={s: [1.5] * 6 for s in SAMPLE.split()[15:18]}
        )
        _status(title=SAMPLE[-30:], counts={w: i for i, w in enumerate(SAMPLE.split())})
    glyph = [
        str(w.message) for w in caught if "missing from font" in str(w.message) or "Glyph" in str(w.message)
    ]
    assert glyph == []


def test_family_resolves_to_the_packaged_font_file():
    from matplotlib import font_manager

    path = charts.register_font()
    assert path.name == "NotoSansSC-Regular.otf"
    assert "pylopdf_fonts_zh_cn" in path.parts  # the wheel's file, not an OS font
    found = font_manager.findfont(
        font_manager.FontProperties(family=charts.FONT_FAMILY), fallback_to_default=False
    )
    assert Path(found).samefile(path)


def test_font_has_every_character_of_the_sample_and_of_every_division_name():
    cmap = TTFont(charts.font_path(), lazy=True).getBestCmap()
    names = "".join(d.name for d in divisions.all_divisions().values())
    missing = {c for c in SAMPLE + names + "0123456789,.-−" if not c.isspace() and ord(c) not in cmap}
    assert missing == set()


def test_series_must_match_the_labels():
    with pytest.raises(ValueError, match="返乡"):
        _bar(series={"返乡": [1, 2]})
