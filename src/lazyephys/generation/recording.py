"""Deterministic, lazy synthetic data.

Noise is made in blocks of ``block_size`` samples; a window only makes the blocks it
touches, so any window has the same values whatever the read order, and memory is
O(window). A 24-hour, 384-channel recording is created instantly.
"""

from __future__ import annotations

import os
from typing import Any, Literal

import numpy as np

from ..base.provenance import register_kind
from ..recording.base import ChannelSelector, Recording, RecordingSegment

__all__ = [
    "NoiseGeneratorRecording",
    "generate_recording",
    "generate_recording_by_size",
    "generate_linear_probe_for",
]

_MODES = ("tile_pregenerated", "noise_generator")


def _as_durations(durations: Any) -> list[float]:
    if isinstance(durations, (int, float, np.integer, np.floating)):
        durations = [durations]
    values = [float(d) for d in durations]
    if not values or any(not np.isfinite(d) or d < 0 for d in values):
        raise ValueError(f"durations must be a non-empty list of seconds >= 0, got {durations!r}")
    return values


def _check_block_fits(num_channels: int, block_size: int) -> None:
    """Refuse, before allocating anything, a noise block larger than this machine's memory."""
    needed = num_channels * block_size * 4 * 2  # the float32 block and its cast
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # not a POSIX system: let numpy say
        return
    if needed > physical:
        raise MemoryError(
            f"num_channels={num_channels} with block_size={block_size} needs "
            f"{needed / 2**30:.1f} GiB for one noise block; this machine has "
            f"{physical / 2**30:.1f} GiB: lower num_channels or block_size"
        )


def _checked_noise_levels(noise_levels: Any, num_channels: int) -> np.ndarray:
    try:
        levels = np.asarray(noise_levels, dtype=np.float64)
        levels = np.broadcast_to(levels, (num_channels,))
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"noise_levels must be one number or one per channel ({num_channels}), got "
            f"{noise_levels!r}"
        ) from err
    bad = np.flatnonzero(~np.isfinite(levels) | (levels < 0))
    if bad.size:
        raise ValueError(
            f"noise_levels must be finite and >= 0: channel {bad[0]} has {levels[bad[0]]}"
        )
    return levels


class NoiseSegment(RecordingSegment):
    """Gaussian noise, block by block, from a seed."""

    __slots__ = ("block_size", "dtype", "mode", "noise_levels", "num_channels", "seed", "tile")

    def __init__(
        self, num_samples: int, num_channels: int, dtype: np.dtype, seed: int,
        segment_index: int, noise_levels: np.ndarray, block_size: int, mode: str,
    ) -> None:
        super().__init__(num_samples)
        self.num_channels = num_channels
        self.dtype = dtype
        self.seed = (seed, segment_index)
        self.noise_levels = noise_levels.astype(np.float32)
        self.block_size = block_size
        self.mode = mode
        self.tile = self._make_block(0) if mode == "tile_pregenerated" else None

    def _make_block(self, block_index: int) -> np.ndarray:
        rng = np.random.default_rng([*self.seed, block_index])
        block = rng.standard_normal((self.block_size, self.num_channels), dtype=np.float32)
        block *= self.noise_levels
        if self.dtype.kind in "iu":
            info = np.iinfo(self.dtype)
            return np.clip(np.round(block), info.min, info.max).astype(self.dtype)
        return block.astype(self.dtype, copy=False)

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        size = self.block_size
        first, last = start_frame // size, (end_frame - 1) // size
        out = np.empty((end_frame - start_frame, self.num_channels), dtype=self.dtype)
        for block_index in range(first, last + 1):
            block = self.tile if self.tile is not None else self._make_block(block_index)
            lo = max(start_frame, block_index * size)
            hi = min(end_frame, (block_index + 1) * size)
            out[lo - start_frame : hi - start_frame] = block[lo - block_index * size :
                                                             hi - block_index * size]
        if isinstance(channel_selector, slice) and channel_selector == slice(None):
            return out
        return out[:, channel_selector]


@register_kind
class NoiseGeneratorRecording(Recording):
    """Lazy Gaussian noise, deterministic for a seed.

    Parameters
    ----------
    num_channels : int
    sampling_frequency : float
        In Hz.
    durations : list of float
        Seconds per segment.
    dtype : numpy dtype
        float32 by default; integer dtypes are rounded.
    seed : int or None
        None draws one, which is then kept (so a reloaded object gives the same values).
    noise_levels : float or array
        Standard deviation, per channel or for all.
    mode : {"tile_pregenerated", "noise_generator"}
        Repeat one pregenerated block (fast), or make every block from its own seed.
    block_size : int
        Samples per noise block.
    channel_ids : list or None
        Defaults to the strings ``"0".."n-1"``.
    probe_kind : {None, "linear"}
        Attach a generated linear probe (20 um pitch).
    gain_to_uV : float or None
        Gain of every channel to microvolts (offset 0); None sets none.
    """

    def __init__(
        self,
        num_channels: int,
        sampling_frequency: float,
        durations: Any,
        dtype: Any = "float32",
        seed: int | None = None,
        noise_levels: Any = 5.0,
        mode: str = "tile_pregenerated",
        block_size: int = 30000,
        channel_ids: Any = None,
        probe_kind: str | None = None,
        gain_to_uV: float | None = None,
    ) -> None:
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
        if int(num_channels) <= 0:
            raise ValueError(f"num_channels must be positive, got {num_channels}")
        if int(block_size) <= 0:
            raise ValueError(f"block_size must be positive, got {block_size}")
        _check_block_fits(int(num_channels), int(block_size))
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
            self._record_argument("seed", seed)
        ids = [str(i) for i in range(num_channels)] if channel_ids is None else channel_ids
        super().__init__(sampling_frequency, ids, dtype)
        levels = _checked_noise_levels(noise_levels, int(num_channels))
        for index, duration in enumerate(_as_durations(durations)):
            num_samples = round(duration * self.get_sampling_frequency())
            segment = NoiseSegment(num_samples, int(num_channels), self._dtype, int(seed), index,
                                   levels, int(block_size), mode)
            self.add_segment(segment)
        if probe_kind is not None:
            if probe_kind != "linear":
                raise ValueError(f"probe_kind must be None or 'linear', got {probe_kind!r}")
            self.set_probe(generate_linear_probe_for(int(num_channels)), in_place=True)
        if gain_to_uV is not None:
            self.set_channel_gains(float(gain_to_uV))
            self.set_channel_offsets(0.0)


def generate_linear_probe_for(num_channels: int) -> Any:
    """A one-column probe of ``num_channels`` contacts at 20 um pitch, wired in order."""
    from probeinterface import generate_linear_probe

    probe = generate_linear_probe(num_elec=num_channels, ypitch=20)
    probe.set_device_channel_indices(np.arange(num_channels))
    return probe


def generate_recording(
    num_channels: int = 2,
    sampling_frequency: float = 30000.0,
    durations: Any = (5.0, 2.5),
    set_probe: bool = True,
    ndim: int = 2,
    seed: int | None = None,
    dtype: Any = "float32",
    t_starts: list[float] | None = None,
    gain_to_uV: float | None = 1.0,
) -> Recording:
    """A lazy noise recording, deterministic for a seed.

    Parameters
    ----------
    num_channels : int
    sampling_frequency : float
        In Hz (30 kHz by default).
    durations : list of float
        Seconds per segment.
    set_probe : bool
        Attach a linear probe.
    ndim : int
        Probe dimensions (only 2 is supported).
    seed : int or None
    dtype : numpy dtype
        float32 by default.
    t_starts : list of float or None
        Time in seconds of each segment's first sample.
    gain_to_uV : float or None
        The channels' gain to microvolts (offset 0), so that ``return_in_uV=True`` works;
        None sets no gains.

    Returns
    -------
    Recording
        Channel ids ``"0".."n-1"``.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=384, durations=[24 * 3600.0])
    >>> rec.get_num_samples()
    2592000000
    """
    if ndim != 2:
        raise ValueError(f"only 2-d probes are generated, got ndim={ndim}")
    durations = list(_as_durations(durations))
    if t_starts is not None and len(t_starts) != len(durations):
        raise ValueError(f"{len(t_starts)} t_starts given for {len(durations)} durations")
    recording = NoiseGeneratorRecording(
        num_channels, sampling_frequency, durations, dtype, seed,
        probe_kind="linear" if set_probe else None, gain_to_uV=gain_to_uV,
    )
    for index, t_start in enumerate(t_starts or []):
        recording.set_start_time(t_start, index)
    return recording


def generate_recording_by_size(
    full_traces_size_GiB: float,
    seed: int | None = None,
    strategy: Literal["tile_pregenerated", "on_the_fly"] = "tile_pregenerated",
) -> Recording:
    """A lazy noise recording of 384 channels at 30 kHz (float32) of about a given size.

    Parameters
    ----------
    full_traces_size_GiB : float
        The size of its traces in GiB (2**30 bytes); the duration follows.
    seed : int or None
    strategy : {"tile_pregenerated", "on_the_fly"}
        Repeat one pregenerated noise block (fast), or make every block from its own seed.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording_by_size(1.0)
    >>> rec.get_num_channels(), rec.get_memory_size() <= 2**30
    (384, True)
    """
    modes = {"tile_pregenerated": "tile_pregenerated", "on_the_fly": "noise_generator"}
    if strategy not in modes:
        raise ValueError(f"strategy must be 'tile_pregenerated' or 'on_the_fly', got {strategy!r}")
    size = float(full_traces_size_GiB)
    if not size > 0:
        raise ValueError(f"full_traces_size_GiB must be positive, got {full_traces_size_GiB!r}")
    num_channels, sampling_frequency = 384, 30000.0
    num_samples = int(size * 2**30) // (num_channels * 4)
    if num_samples < 1:
        raise ValueError(f"{full_traces_size_GiB} GiB is less than one frame of 384 float32")
    return NoiseGeneratorRecording(num_channels, sampling_frequency,
                                   [num_samples / sampling_frequency], "float32", seed,
                                   mode=modes[strategy], gain_to_uV=1.0)
