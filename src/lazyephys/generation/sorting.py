"""Deterministic synthetic sortings and ground-truth recordings.

``generate_sorting`` gives a lazy sorting described by its parameters and a seed: the spikes
are drawn on first use, for every unit at once (no loop over units or spikes), and are the
same on every machine and after any reload.

``generate_ground_truth_recording`` adds spike waveforms at a sorting's spikes to lazy noise.
The waveforms are injected window by window: a window only touches the spikes whose
waveforms overlap it, so memory is O(window), and a spike that straddles a window edge
contributes its part to both windows, exactly as it would to one window covering both.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..base.validation import as_number_array, check_sampling_frequency
from ..recording.base import (
    ALL_CHANNELS,
    ChannelSelector,
    Recording,
    RecordingSegment,
    channel_indices_of,
)
from ..sorting.base import Sorting, check_sorting_fits_recording, empty_spike_vector
from ..sorting.in_memory import SpikeVectorSegment
from .recording import NoiseGeneratorRecording, _as_durations, samples_of

__all__ = [
    "GeneratedSorting",
    "InjectTemplatesRecording",
    "generate_sorting",
    "generate_templates",
    "generate_ground_truth_recording",
]

#: More units than this is a mistake (the unit ids alone would not fit in memory).
_MOST_UNITS = 2**31


def _draw_seed() -> int:
    entropy = np.random.SeedSequence().entropy
    return int(entropy) % (2**63)  # type: ignore[arg-type]


def _firing_rates(firing_rates: Any, num_units: int) -> np.ndarray:
    try:
        rates = np.asarray(firing_rates, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"firing_rates must be one number or one per unit, got "
                        f"{firing_rates!r}") from err
    if rates.ndim == 0:
        rates = np.full(num_units, float(rates))
    if rates.shape != (num_units,):
        raise ValueError(
            f"firing_rates must be one number or one per unit ({num_units}), got shape "
            f"{rates.shape}"
        )
    if not np.all(np.isfinite(rates)) or np.any(rates < 0):
        raise ValueError(f"firing_rates must be finite and >= 0, got {rates.tolist()}")
    return rates


def _generate_segment(
    num_units: int,
    sampling_frequency: float,
    num_samples: int,
    rates: np.ndarray,
    refractory_samples: int,
    seed: int,
    segment_index: int,
) -> np.ndarray:
    """One segment's sorted spike vector: renewal trains with a refractory period.

    Each inter-spike interval is the refractory period plus an exponential draw whose mean
    makes the train's rate the requested one; the first spike falls uniformly within one
    mean interval. All units are drawn together: one block of intervals per unit, a
    cumulative sum per block, and the spikes past the segment's end dropped.
    """
    rng = np.random.default_rng([seed, segment_index])
    active = rates > 0
    mean_interval = np.where(active, sampling_frequency / np.where(active, rates, 1.0), 0.0)
    exp_mean = np.maximum(mean_interval - refractory_samples, 0.0)
    expected = np.where(active, num_samples / np.maximum(mean_interval, 1e-300), 0.0)
    draws = np.where(active, np.ceil(expected + 6 * np.sqrt(expected) + 8), 0).astype(np.int64)
    while True:
        total = int(draws.sum())
        if total == 0:
            return empty_spike_vector()
        starts = np.zeros(num_units + 1, dtype=np.int64)
        np.cumsum(draws, out=starts[1:])
        owner = np.repeat(np.arange(num_units, dtype=np.int64), draws)
        intervals = rng.exponential(1.0, size=total) * exp_mean[owner]
        intervals = np.floor(intervals).astype(np.int64) + refractory_samples
        firsts = starts[:-1][draws > 0]
        first_units = np.flatnonzero(draws > 0)
        intervals[firsts] = np.floor(
            rng.random(firsts.size) * mean_interval[first_units]
        ).astype(np.int64)
        times = np.cumsum(intervals)
        # restart the cumulative sum at every unit's block
        block_base = np.zeros(num_units, dtype=np.int64)
        block_base[1:] = np.where(starts[1:-1] > 0, times[np.maximum(starts[1:-1] - 1, 0)], 0)
        times -= block_base[owner]
        del intervals
        lasts = starts[1:][draws > 0] - 1
        short = times[lasts] < num_samples
        if not np.any(short):
            break
        # a unit ran out of intervals before the end: draw again with more (rare)
        draws[first_units[short]] *= 2
    keep = times < num_samples
    samples = times[keep]
    units = owner[keep]
    del times, owner, keep
    # trains are concatenated in ascending unit order: a stable sort by sample gives
    # (sample, unit) order and timsort merges the sorted runs
    order = np.argsort(samples, kind="stable")
    vector = empty_spike_vector(samples.size)
    vector["sample_index"] = samples[order]
    vector["unit_index"] = units[order]
    vector["segment_index"] = segment_index
    return vector


@register_kind
class GeneratedSorting(Sorting):
    """A lazy synthetic sorting: renewal spike trains with a refractory period.

    Parameters
    ----------
    num_units : int
    sampling_frequency : float
        In Hz.
    durations : list of float
        Seconds per segment.
    firing_rates : float or array
        Mean rate in Hz, for all units or one per unit.
    refractory_period_ms : float
        No two spikes of a unit are closer than this.
    seed : int or None
        None draws one, which is then kept (so a reloaded object gives the same spikes).
    unit_ids : list or None
        Defaults to the strings ``"0".."n-1"``.
    """

    def __init__(
        self,
        num_units: int,
        sampling_frequency: float,
        durations: Any,
        firing_rates: Any = 3.0,
        refractory_period_ms: float = 4.0,
        seed: int | None = None,
        unit_ids: Any = None,
    ) -> None:
        num_units = int(num_units)
        if not 0 <= num_units <= _MOST_UNITS:
            raise ValueError(f"num_units must be between 0 and {_MOST_UNITS}, got {num_units}")
        if seed is None:
            seed = _draw_seed()
            self._record_argument("seed", seed)
        elif int(seed) < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        fs = check_sampling_frequency(sampling_frequency)
        rates = _firing_rates(firing_rates, num_units)
        if not math.isfinite(refractory_period_ms) or refractory_period_ms < 0:
            raise ValueError(f"refractory_period_ms must be >= 0, got {refractory_period_ms}")
        refractory = math.ceil(refractory_period_ms * fs / 1000.0)
        too_fast = rates * refractory >= fs
        if np.any(too_fast):
            raise ValueError(
                f"firing_rates {rates[too_fast].tolist()} Hz cannot be reached with a "
                f"refractory_period_ms of {refractory_period_ms} ms at sampling_frequency "
                f"{fs:g} Hz"
            )
        ids = [str(i) for i in range(num_units)] if unit_ids is None else unit_ids
        super().__init__(fs, ids)
        if self.get_num_units() != num_units:
            raise ValueError(f"{self.get_num_units()} unit_ids given for {num_units} units")
        for index, duration in enumerate(_as_durations(durations)):
            num_samples = samples_of(duration, fs)
            loader = partial(_generate_segment, num_units, fs, num_samples, rates, refractory,
                             int(seed), index)
            self.add_segment(SpikeVectorSegment(None, num_units, index, loader), num_samples)


def generate_sorting(
    num_units: int = 5,
    sampling_frequency: float = 30000.0,
    durations: Any = (10.0,),
    firing_rates: Any = 3.0,
    refractory_period_ms: float = 4.0,
    seed: int | None = None,
) -> Sorting:
    """A lazy synthetic sorting, deterministic for a seed, with unit ids ``"0".."n-1"``.

    Parameters
    ----------
    num_units : int
    sampling_frequency : float
        In Hz (30 kHz by default).
    durations : list of float
        Seconds per segment.
    firing_rates : float or array
        Mean rate in Hz, for all units or one per unit.
    refractory_period_ms : float
        Minimum interval between two spikes of a unit.
    seed : int or None

    Examples
    --------
    >>> import lazyephys as le
    >>> sorting = le.generate_sorting(num_units=3, durations=[10.0], seed=0)
    >>> sorting.get_unit_ids().tolist()
    ['0', '1', '2']
    """
    return GeneratedSorting(num_units, sampling_frequency, list(_as_durations(durations)),
                            firing_rates, refractory_period_ms, seed)


# ------------------------------------------------------------------ templates
def generate_templates(
    channel_locations: np.ndarray,
    unit_locations: np.ndarray,
    sampling_frequency: float,
    ms_before: float = 1.0,
    ms_after: float = 2.0,
    amplitudes: Any = 100.0,
    seed: int | None = None,
) -> np.ndarray:
    """Simple extracellular spike waveforms, shape (unit, time, channel), float32.

    Each unit's waveform is a sharp negative trough followed by a slower positive rebound
    (widths drawn per unit), tapered to zero at both ends. Its amplitude on a channel falls
    with the distance to the unit as ``(1 + (d / 25 um)^2)^-1.5``, normalised so that the
    nearest channel has the unit's amplitude, and is zero below 2 % of it, so a unit spreads
    over the nearby channels only.

    Parameters
    ----------
    channel_locations : array, shape (channel, 2)
        In um.
    unit_locations : array, shape (unit, 3)
        x, y and distance z to the probe plane, in um.
    sampling_frequency : float
    ms_before, ms_after : float
        Waveform span around the trough.
    amplitudes : float or array
        Trough amplitude (uV) on the nearest channel, for all units or one per unit.
    seed : int or None
        For the waveform widths.
    """
    rng = np.random.default_rng(seed)
    channels = np.asarray(channel_locations, dtype=np.float64)[:, :2]
    units = np.asarray(unit_locations, dtype=np.float64)
    num_units = units.shape[0]
    nbefore = round(ms_before * sampling_frequency / 1000.0)
    nafter = round(ms_after * sampling_frequency / 1000.0)
    t_ms = (np.arange(-nbefore, nafter) / sampling_frequency * 1000.0)[None, :]
    trough_width = rng.uniform(0.08, 0.16, size=(num_units, 1))
    rebound_width = rng.uniform(0.3, 0.6, size=(num_units, 1))
    rebound_delay = rng.uniform(0.4, 0.8, size=(num_units, 1))
    rebound_gain = rng.uniform(0.2, 0.4, size=(num_units, 1))
    shape = -np.exp(-0.5 * (t_ms / trough_width) ** 2)
    shape += rebound_gain * np.exp(-0.5 * ((t_ms - rebound_delay) / rebound_width) ** 2)
    taper = np.ones(t_ms.shape[1])
    ramp = max(2, t_ms.shape[1] // 8)
    window = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, ramp))
    taper[:ramp] = window
    taper[-ramp:] = window[::-1]
    shape *= taper[None, :]
    shape /= np.abs(shape).max(axis=1, keepdims=True)
    planar = units[:, None, :2] - channels[None, :, :]
    distance = np.sqrt((planar**2).sum(axis=2) + units[:, 2:3] ** 2)
    decay = (1.0 + (distance / 25.0) ** 2) ** -1.5
    decay /= decay.max(axis=1, keepdims=True)
    decay[decay < 0.02] = 0.0
    amps = np.broadcast_to(np.asarray(amplitudes, dtype=np.float64), (num_units,))
    templates = shape[:, :, None] * (decay * amps[:, None])[:, None, :]
    return templates.astype(np.float32)


def sparsify_templates(templates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's waveform on the channels where it is not zero.

    Returns ``(values, channels)``: values of shape (unit, time, support) and channel indices
    of shape (unit, support), where ``support`` is the widest unit's channel count; narrower
    units are padded with the index ``num_channels`` (a scratch column) and zeros.
    """
    num_units, _, num_channels = templates.shape
    used = np.any(templates != 0, axis=1)
    support = max(int(used.sum(axis=1).max()) if num_units else 0, 1)
    order = np.argsort(~used, axis=1, kind="stable")[:, :support]
    valid = np.take_along_axis(used, order, axis=1)
    channels = np.where(valid, order, num_channels).astype(np.int64)
    values = np.take_along_axis(templates, order[:, None, :], axis=2) * valid[:, None, :]
    return values.astype(np.float32), channels


class InjectTemplatesSegment(RecordingSegment):
    """A parent segment plus templates added at the spikes of a sorting segment."""

    __slots__ = (
        "channels",
        "dtype",
        "nbefore",
        "num_channels",
        "parent",
        "segment_index",
        "sorting",
        "spikes",
        "values",
        "width",
    )

    def __init__(
        self,
        parent: RecordingSegment,
        sorting: Sorting,
        segment_index: int,
        sparse_templates: tuple[np.ndarray, np.ndarray],
        nbefore: int,
        dtype: np.dtype,
        num_channels: int,
    ) -> None:
        super().__init__(parent.num_samples)
        self.parent = parent
        self.sorting = sorting
        self.segment_index = segment_index
        self.values, self.channels = sparse_templates
        self.width = self.values.shape[1]
        self.nbefore = nbefore
        self.dtype = dtype
        self.num_channels = num_channels
        self.spikes: tuple[np.ndarray, np.ndarray] | None = None

    def _spikes(self) -> tuple[np.ndarray, np.ndarray]:
        # contiguous copies of two fields (16 bytes a spike, made once) so that the spikes of
        # a window are found by np.searchsorted
        if self.spikes is None:
            vector = self.sorting.get_segment(self.segment_index).get_spike_vector(None)
            samples = np.ascontiguousarray(vector["sample_index"])
            units = np.ascontiguousarray(vector["unit_index"])
            self.spikes = (samples, units)
        return self.spikes

    def _waveforms(self, start_frame: int, end_frame: int) -> np.ndarray | None:
        """The summed waveforms over ``[start_frame, end_frame)``, all channels (+1 scratch)."""
        samples, units = self._spikes()
        width, nbefore = self.width, self.nbefore
        # spikes whose waveform [s - nbefore, s - nbefore + width) overlaps the window
        lo = int(np.searchsorted(samples, start_frame + nbefore - width + 1))
        hi = int(np.searchsorted(samples, end_frame + nbefore))
        if hi <= lo or end_frame <= start_frame:
            return None
        spike_samples = samples[lo:hi]
        first_rows = spike_samples - nbefore - start_frame
        spike_units = units[lo:hi]
        # spikes sharing a sample go to different layers, so that within one layer and one
        # waveform sample no two spikes write the same row: plain fancy += is then exact
        count = spike_samples.size
        starts_group = np.ones(count, dtype=bool)
        starts_group[1:] = spike_samples[1:] != spike_samples[:-1]
        positions = np.arange(count)
        layer = positions - np.maximum.accumulate(np.where(starts_group, positions, 0))
        n = end_frame - start_frame
        added = np.zeros((n, self.num_channels + 1), dtype=np.float32)
        # loops over layers (spikes per sample, a few) and waveform samples (a constant), each
        # step vectorised over the spikes; additions to any sample come in the same order
        # whatever the window, so windows agree exactly across their boundaries
        for level in range(int(layer.max()) + 1):
            chosen = layer == level
            rows0, chosen_units = first_rows[chosen], spike_units[chosen]
            channels = self.channels[chosen_units]
            for t in range(width):
                rows = rows0 + t
                inside = (rows >= 0) & (rows < n)
                if not inside.any():
                    continue
                use = chosen_units[inside]
                added[rows[inside][:, None], channels[inside]] += self.values[use, t]
        return added

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        traces = self.parent.get_traces(start_frame, end_frame, channel_selector)
        added = self._waveforms(start_frame, end_frame)
        if added is None:
            return traces
        if isinstance(channel_selector, slice) and channel_selector == ALL_CHANNELS:
            added = added[:, : self.num_channels]
        else:
            added = added[:, channel_indices_of(channel_selector, self.num_channels)]
        if self.dtype.kind == "f":
            out = np.array(traces, dtype=self.dtype, copy=True)
            out += added.astype(self.dtype, copy=False)
            return out
        info = np.iinfo(self.dtype)
        summed = traces.astype(np.float32) + added
        return np.clip(np.rint(summed), info.min, info.max).astype(self.dtype)


@register_kind
class InjectTemplatesRecording(Recording):
    """A recording with spike waveforms added at a sorting's spikes, lazily.

    Parameters
    ----------
    sorting : Sorting
        The spikes; same sampling frequency and number of segments as the recording.
    templates : array, shape (unit, time, channel)
        One waveform per unit of the sorting (in unit order), in the recording's units.
    nbefore : int
        Samples of each template before the spike's sample.
    parent_recording : Recording
        What the waveforms are added to (noise, usually).
    """

    def __init__(
        self,
        sorting: Sorting,
        templates: Any,
        nbefore: int,
        parent_recording: Recording,
    ) -> None:
        array = as_number_array(templates, "templates").astype(np.float32)
        if array.ndim != 3:
            raise ValueError(f"templates must be (unit, time, channel), got shape {array.shape}")
        if array.shape[0] != sorting.get_num_units():
            raise ValueError(
                f"templates has {array.shape[0]} units, the sorting has "
                f"{sorting.get_num_units()}"
            )
        if array.shape[2] != parent_recording.get_num_channels():
            raise ValueError(
                f"templates has {array.shape[2]} channels, the recording has "
                f"{parent_recording.get_num_channels()}"
            )
        nbefore = int(nbefore)
        if not 0 <= nbefore < max(array.shape[1], 1):
            raise ValueError(f"nbefore {nbefore} must be within the template's {array.shape[1]}"
                             " samples")
        check_sorting_fits_recording(sorting, parent_recording)
        super().__init__(parent_recording.get_sampling_frequency(),
                         parent_recording.get_channel_ids(), parent_recording.get_dtype())
        array.flags.writeable = False
        self.templates = array
        sparse = sparsify_templates(array)
        num_channels = parent_recording.get_num_channels()
        self.add_segments_over(
            parent_recording,
            lambda segment, index: InjectTemplatesSegment(
                segment, sorting, index, sparse, nbefore, self._dtype, num_channels
            ),
        )
        self._copy_metadata_from(parent_recording)


def generate_ground_truth_recording(
    durations: Any = (10.0,),
    sampling_frequency: float = 25000.0,
    num_channels: int = 4,
    num_units: int = 10,
    seed: int | None = None,
    firing_rates: Any = 3.0,
    refractory_period_ms: float = 4.0,
    noise_levels: Any = 5.0,
    amplitude_range: tuple[float, float] = (50.0, 150.0),
    ms_before: float = 1.0,
    ms_after: float = 2.0,
    dtype: Any = "float32",
) -> tuple[Recording, Sorting]:
    """A lazy recording with known spikes, and the sorting of those spikes.

    The recording is Gaussian noise on a generated linear probe (20 um pitch) plus, at every
    spike, its unit's waveform spread over the channels near the unit. Everything is lazy
    and deterministic for a seed; the sorting carries the units' positions as the property
    ``"gt_unit_locations"``.

    Parameters
    ----------
    durations : list of float
        Seconds per segment.
    sampling_frequency : float
        In Hz.
    num_channels, num_units : int
    seed : int or None
    firing_rates : float or array
        Mean rate in Hz, for all units or one per unit.
    refractory_period_ms : float
    noise_levels : float or array
        Noise standard deviation (uV), for all channels or one per channel.
    amplitude_range : (float, float)
        Waveform trough amplitudes (uV) are drawn uniformly in this range.
    ms_before, ms_after : float
        Waveform span around the spike's sample.
    dtype : numpy dtype

    Returns
    -------
    recording : Recording
    sorting : Sorting

    Examples
    --------
    >>> import lazyephys as le
    >>> rec, sorting = le.generate_ground_truth_recording(durations=[2.0], num_channels=8,
    ...                                                   num_units=3, seed=0)
    >>> rec.get_traces(start_frame=0, end_frame=100).shape
    (100, 8)
    """
    if seed is None:
        seed = _draw_seed()
    fs = check_sampling_frequency(sampling_frequency)
    seeds = np.random.default_rng(seed).integers(0, 2**63 - 1, size=4)
    durations_list = list(_as_durations(durations))
    sorting = generate_sorting(num_units, fs, durations_list, firing_rates,
                               refractory_period_ms, int(seeds[0]))
    noise = NoiseGeneratorRecording(num_channels, fs, durations_list, dtype=dtype,
                                    seed=int(seeds[1]), noise_levels=noise_levels,
                                    probe_kind="linear")
    locations = noise.get_channel_locations()
    rng = np.random.default_rng(int(seeds[2]))
    x_span = (locations[:, 0].min() - 20.0, locations[:, 0].max() + 20.0)
    y_span = (locations[:, 1].min(), locations[:, 1].max())
    unit_locations = np.column_stack([
        rng.uniform(*x_span, size=num_units),
        rng.uniform(*y_span, size=num_units),
        rng.uniform(5.0, 40.0, size=num_units),
    ])
    amplitudes = rng.uniform(*amplitude_range, size=num_units)
    templates = generate_templates(locations, unit_locations, fs, ms_before, ms_after,
                                   amplitudes, int(seeds[3]))
    nbefore = round(ms_before * fs / 1000.0)
    recording = InjectTemplatesRecording(sorting, templates, nbefore, noise)
    sorting.set_property("gt_unit_locations", unit_locations)
    return recording, sorting
