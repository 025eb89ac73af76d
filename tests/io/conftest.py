"""Shared fixtures of the persistence tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "spikeinterface-0.105.3"


def make_sorting(seed: int = 0, num_units: int = 3, durations=(300_000, 150_000)):
    """A two-segment in-memory sorting with string unit ids and known numbers of samples."""
    from lazyephys.sorting.in_memory import NumpySorting

    rng = np.random.default_rng(seed)
    units = [f"u{i}" for i in range(num_units)]
    dicts = [{u: np.sort(rng.integers(0, n, 40)) for u in units} for n in durations]
    return NumpySorting.from_unit_dict(dicts, 30_000.0, num_samples=list(durations))


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
