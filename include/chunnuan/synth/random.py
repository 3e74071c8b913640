"""Random streams and draws shared by the synthetic-data generators."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping

import numpy as np


def rng(seed: int, purpose: str) -> np.random.Generator:
    """One independent stream per purpose, so changing one part of a generator leaves the rest alone.

    The derivation (seed, CRC-32 of the purpose) fixes every generated file: changing it changes them all.
    """
    return np.random.default_rng([seed, zlib.crc32(purpose.encode())])


def pool(values: Iterable) -> np.ndarray:
    """Values as an object array, for fancy-indexing by drawn positions."""
    return np.array(list(values), dtype=object)


def pick(generator: np.random.Generator, options: Mapping, size: int) -> np.ndarray:
    """`size` keys of `options` drawn with the values as relative weights."""
    keys = list(options)
    weights = np.array([options[k] for k in keys], dtype=float)
    chosen = generator.choice(len(keys), size=size, p=weights / weights.sum())
    return np.array(keys, dtype=object)[chosen]
