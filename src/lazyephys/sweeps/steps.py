"""``infer_step``: the holding current, amplitude and interval of a step stimulus."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Step", "infer_step"]


@dataclass(frozen=True)
class Step:
    """A step stimulus: ``holding`` nA, then ``holding + amplitude`` from ``stim_start`` to
    ``stim_end`` (ms from the sweep's first sample). ``found`` is False for a constant
    current (then the interval is the whole sweep and the amplitude 0)."""

    holding: float
    amplitude: float
    stim_start: float
    stim_end: float
    found: bool


def infer_step(current: np.ndarray, sampling_frequency: float, tolerance: float = 1e-3) -> Step:
    """The step in a current trace (nA): the longest stretch where the current stays away from
    its first value (the holding current) by more than ``tolerance`` nA, and its median level.

    Shorter excursions (a test pulse at the start of the sweep) are not the step.

    Parameters
    ----------
    current : 1-d array
        The injected current in nA.
    sampling_frequency : float
        In Hz.
    tolerance : float
        nA; smaller departures from the holding current are not the step.

    Returns
    -------
    Step

    Examples
    --------
    >>> test_pulse = np.r_[np.zeros(20), np.full(10, -0.05)]
    >>> current = np.r_[test_pulse, np.zeros(70), np.full(300, 0.2), np.zeros(100)]
    >>> infer_step(current, 10000.0)
    Step(holding=0.0, amplitude=0.2, stim_start=10.0, stim_end=40.0, found=True)
    """
    values = np.asarray(current, dtype=np.float64).ravel()
    if values.size == 0:
        raise ValueError("the current trace is empty")
    holding = float(values[0])
    away = np.abs(values - holding) > tolerance
    duration = values.size * 1000.0 / sampling_frequency
    if not away.any():
        return Step(holding, 0.0, 0.0, duration, False)
    # runs of consecutive samples away from the holding current: [starts, ends)
    edges = np.diff(np.r_[0, away.astype(np.int8), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    longest = int(np.argmax(ends - starts))
    on, off = int(starts[longest]), int(ends[longest])
    amplitude = float(np.median(values[on:off])) - holding
    return Step(holding, round(amplitude, 12), on * 1000.0 / sampling_frequency,
                off * 1000.0 / sampling_frequency, True)
