"""A small Neuropixels-like recording with planted dead, noisy and out-of-brain channels."""

from __future__ import annotations

import numpy as np
from scipy import signal

import lazyephys as le

FS = 30000.0
DEAD, NOISY = 3, 20
OUT = 8  # the top channels are outside the brain


def locations(num_channels: int) -> np.ndarray:
    """Two columns 32 um apart, rows every 20 um (like a Neuropixels 1.0 half-column)."""
    return np.c_[np.tile([0.0, 32.0], num_channels // 2),
                 np.repeat(np.arange(num_channels // 2) * 20.0, 2)]


def planted_traces(num_channels: int = 64, seconds: float = 3.0, seed: int = 0) -> np.ndarray:
    """Traces (uV) where every channel sees one common signal plus its own, except
    channel DEAD (almost nothing), channel NOISY (white noise on top, power near Nyquist)
    and the top OUT channels (another common signal: tissue outside the brain)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * FS)
    sos = signal.butter(4, [300, 6000], btype="bandpass", fs=FS, output="sos")
    common = signal.sosfilt(sos, rng.normal(size=n)) * 40
    other = signal.sosfilt(sos, rng.normal(size=n)) * 40
    local = signal.sosfilt(sos, rng.normal(size=(n, num_channels)), axis=0) * 8
    traces = common[:, None] + local
    noise = rng.normal(size=n) * 60
    if num_channels > 2 * OUT + NOISY:  # small recordings have no bad channels
        traces[:, DEAD] = local[:, DEAD] * 0.2
        traces[:, NOISY] += noise
        traces[:, num_channels - OUT:] = other[:, None] + local[:, num_channels - OUT:]
    return traces.astype(np.float32)


def planted_recording(num_channels: int = 64, seconds: float = 3.0, seed: int = 0,
                      ids: bool = False) -> le.Recording:
    traces = planted_traces(num_channels, seconds, seed)
    channel_ids = [f"ch{i}" for i in range(num_channels)] if ids else None
    rec = le.NumpyRecording(traces, FS, channel_ids=channel_ids)
    rec.set_channel_locations(locations(num_channels))
    rec.set_channel_gains(1.0)
    rec.set_channel_offsets(0.0)
    return rec
