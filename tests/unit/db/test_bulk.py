"""The CSV that COPY reads (db.bulk): what pandas frames really look like after the steps built them."""

from __future__ import annotations

import csv
import io

import pandas as pd

from chunnuan.db.bulk import _csv_bytes


def test_a_string_column_concatenated_after_an_empty_frame_is_written_as_text():
    """pd.concat of an empty frame and a full one leaves Arrow-backed strings in two chunks, the first empty;
    the CSV must still hold the text (it held NUL bytes, which PostgreSQL's COPY refuses)."""
    empty = pd.DataFrame({"reason": pd.Series([], dtype="str"), "n": pd.Series([], dtype="int64")})
    full = pd.DataFrame({"reason": pd.Series(["本县暂无「电工」岗位空缺", "无"], dtype="str"), "n": [1, 2]})
    frame = pd.concat([empty, full], ignore_index=True)

    data = _csv_bytes(frame)

    assert b"\x00" not in data
    assert list(csv.reader(io.StringIO(data.decode("utf-8")))) == [["本县暂无「电工」岗位空缺", "1"], ["无", "2"]]
