"""Random streams shared by the synthetic generators (chunnuan.synth.random)."""

from __future__ import annotations

import zlib

import numpy as np

from chunnuan.synth import random


def test_rng_derivation_is_fixed():
    """Every generated file depends on it: seed and CRC-32 of the purpose, nothing else."""
    ours = random.rng(2024, "workers").integers(0, 10**9, 5)
    expected = np.random.default_rng([2024, zlib.crc32(b"workers")]).integers(0, 10**9, 5)
    assert ours.tolist() == expected.tolist()
    assert random.rng(2024, "workers").integers(0, 10**9, 5).tolist() == ours.tolist()


def test_purposes_and_seeds_give_independent_streams():
    draws = {(s, p): random.rng(s, p).integers(0, 10**9, 4).tolist()
             for s in (1, 2) for p in ("workers", "files", "cells")}
    assert len({tuple(v) for v in draws.values()}) == len(draws)


def test_pick_draws_keys_by_weight():
    got = random.pick(random.rng(1, "pick"), {"a": 3, "b": 1, "never": 0}, 40_000)
    assert got.dtype == object and set(got) == {"a", "b"}
    assert 0.74 < (got == "a").mean() < 0.76


def test_pool_is_an_object_array_for_fancy_indexing():
    p = random.pool(x for x in ("甲", "乙"))
    assert p.dtype == object and p[[1, 0, 1]].tolist() == ["乙", "甲", "乙"]
