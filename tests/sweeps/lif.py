"""A leaky integrate-and-fire cell under step currents, simulated for the sweep tests.

Between spikes the membrane follows dv/dt = (E_L - v + R I) / tau, integrated exactly for a
constant current: v(t + dt) = v_inf + (v(t) - v_inf) exp(-dt / tau), v_inf = E_L + R I. A
step of amplitude I makes the cell fire once v_inf passes the threshold, so the cell's
rheobase (for a step long against tau) is (V_th - E_L) / R; with a step of N samples the
exact threshold is (V_th - E_L) / (R (1 - exp(-N dt / tau))).

A spike is drawn as three samples (the crossing sample goes to +30 mV, the next to 0 mV) and
the cell is then held at the reset potential for a refractory period.
"""

from __future__ import annotations

import math

import numpy as np

E_L, TAU_MS, R_MOHM = -70.0, 20.0, 100.0
V_RESET, PEAK_MV, AFTER_PEAK_MV, REFRACTORY_MS = -70.0, 30.0, 0.0, 2.0


def rheobase_na(threshold_mv: float, stim_samples: int, sampling_frequency: float) -> float:
    """The smallest step amplitude (nA) that makes the cell fire within the step."""
    dt = 1000.0 / sampling_frequency
    return (threshold_mv - E_L) / (R_MOHM * (1.0 - math.exp(-stim_samples * dt / TAU_MS)))


def simulate(amplitude_na: float, threshold_mv: float = -50.0,
             sampling_frequency: float = 20000.0, duration_ms: float = 600.0,
             stim_start: float = 100.0, stim_end: float = 500.0,
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(voltage mV, current nA, spike peak sample indices) of one sweep."""
    dt = 1000.0 / sampling_frequency
    n = round(duration_ms * sampling_frequency / 1000.0)
    on = round(stim_start * sampling_frequency / 1000.0)
    off = round(stim_end * sampling_frequency / 1000.0)
    current = np.zeros(n)
    current[on:off] = amplitude_na
    decay = math.exp(-dt / TAU_MS)
    refractory = round(REFRACTORY_MS / dt)
    voltage = np.empty(n)
    v = E_L
    i = 0
    spikes = []
    while i < n:
        if v >= threshold_mv:
            spikes.append(i)
            voltage[i] = PEAK_MV
            stop = min(n, i + 1 + refractory)
            voltage[i + 1:stop] = V_RESET
            if i + 1 < n:
                voltage[i + 1] = AFTER_PEAK_MV
            v = V_RESET
            i = stop
            continue
        voltage[i] = v
        v_inf = E_L + R_MOHM * current[i]
        v = v_inf + (v - v_inf) * decay
        i += 1
    return voltage, current, np.asarray(spikes, dtype=np.int64)
