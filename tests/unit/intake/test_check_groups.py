"""check_groups: a run's files in as few check tasks as will do, balanced by size, none lost or doubled."""

from __future__ import annotations

from chunnuan.intake.batches import check_groups


def batches(tmp_path, sizes: list[int]) -> list[dict]:
    out = []
    for i, size in enumerate(sizes, start=1):
        path = tmp_path / f"县{i}.csv"
        path.write_bytes(b"x" * size)
        out.append({"batch_id": i, "path": str(path), "file": path.name, "kind": "survey"})
    return out


def test_a_province_in_four_balanced_groups_in_arrival_order(tmp_path):
    files = batches(tmp_path, [1000 + (i * 37) % 500 for i in range(111)])
    groups = check_groups(files)
    assert len(groups) == 4 and all(len(g) <= 30 for g in groups)
    assert sorted(b["batch_id"] for g in groups for b in g) == list(range(1, 112))
    assert all([b["batch_id"] for b in g] == sorted(b["batch_id"] for b in g) for g in groups)
    weights = [sum(1000 + ((b["batch_id"] - 1) * 37) % 500 for b in g) for g in groups]
    assert max(weights) - min(weights) <= 1500  # at most about one file apart


def test_few_files_one_group_and_none_no_group(tmp_path):
    assert [len(g) for g in check_groups(batches(tmp_path, [5, 500, 50]))] == [3]
    assert check_groups([]) == []


def test_a_big_file_gets_lighter_company(tmp_path):
    groups = check_groups(batches(tmp_path, [10_000, *[100] * 5]), per_group=4)
    big = next(g for g in groups if any(b["batch_id"] == 1 for b in g))
    assert len(big) == 2  # the big file and one small one; the four other small ones together
