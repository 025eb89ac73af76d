"""``SweepRecording``: intracellular sweeps as the segments of a lazy recording.

Each segment is one sweep of a current-clamp experiment, with two channels: ``voltage`` (mV)
and ``current`` (nA, the injected stimulus). Every sweep carries its metadata: the cell it was
recorded from, the protocol (``IDRest``, ``IDthresh``...), the step amplitude (nA), the
stimulus start and end (ms from the sweep's first sample), the repetition, and the holding
current (nA) where the current channel is not recorded.

The sweeps read from any recording whose channels hold the voltage and the current: the
channels are picked by id and scaled to mV and nA on the fly. Where no current was recorded
(known steps), the current channel is built from the amplitude, the stimulus interval and the
holding current. The metadata is also kept as the annotation ``"sweep_table"``, so that a saved
sweep recording (binary folder, zarr, HDF5) loads back with :func:`lazyephys.load` as a
``SweepRecording`` (the kind is named in the saved metadata; see
:mod:`lazyephys.io.saved_kind`), and a plain recording carrying that annotation is turned into
one by :meth:`SweepRecording.from_recording`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..base.extractor import BaseExtractor
from ..base.provenance import register_kind
from ..base.validation import as_index_array
from ..errors import SweepMetadataError, UnknownIdError
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from ..recording.in_memory import NumpyRecording

__all__ = ["SweepRecording", "SWEEP_CHANNEL_IDS", "SWEEP_TABLE_ANNOTATION", "SWEEP_FIELDS"]

#: The channel ids of every sweep recording, in this order.
SWEEP_CHANNEL_IDS = ("voltage", "current")
#: The annotation that carries the per-sweep metadata through saves.
SWEEP_TABLE_ANNOTATION = "sweep_table"
#: The per-sweep metadata fields, in the order of the constructor's arguments.
SWEEP_FIELDS = ("cell_ids", "protocols", "amplitudes", "stim_start", "stim_end", "repetitions",
                "holding_currents")


class SweepSegment(RecordingSegment):
    """One sweep: the voltage and current channels of a parent segment, scaled to mV and nA.

    When the parent has no current channel, the current is the step
    ``holding + amplitude * [stim_start <= t < stim_end]``.
    """

    __slots__ = ("current_index", "current_scale", "parent", "step", "voltage_index",
                 "voltage_scale")

    def __init__(
        self,
        parent: RecordingSegment,
        voltage_index: int,
        voltage_scale: tuple[float, float],
        current_index: int | None,
        current_scale: tuple[float, float],
        step: tuple[float, float, int, int],
    ) -> None:
        super().__init__(parent.num_samples)
        self.parent = parent
        self.voltage_index = voltage_index
        self.voltage_scale = voltage_scale
        self.current_index = current_index
        self.current_scale = current_scale
        self.step = step

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        wanted = np.arange(2)[channel_selector]
        out = np.empty((end_frame - start_frame, wanted.size), dtype=np.float64)
        parent_columns = [self.voltage_index if c == 0 else self.current_index for c in wanted]
        read = [c for c in parent_columns if c is not None]
        raw = (self.parent.get_traces(start_frame, end_frame, np.asarray(read, dtype=np.int64))
               if read else None)
        position = 0
        for column, channel in enumerate(wanted):
            if channel == 1 and self.current_index is None:
                out[:, column] = self._step_current(start_frame, end_frame)
                continue
            assert raw is not None
            gain, offset = self.voltage_scale if channel == 0 else self.current_scale
            out[:, column] = raw[:, position] * gain + offset
            position += 1
        return out

    def _step_current(self, start_frame: int, end_frame: int) -> np.ndarray:
        holding, amplitude, on, off = self.step
        frames = np.arange(start_frame, end_frame)
        return holding + amplitude * ((frames >= on) & (frames < off))


def _as_list(values: Any, count: int, name: str, default: Any = None) -> list[Any]:
    """One value per sweep: a scalar is repeated, a sequence must have ``count`` entries."""
    if values is None:
        return [default] * count
    if isinstance(values, (str, bytes)) or np.ndim(values) == 0:
        return [values] * count
    listed = list(values)
    if len(listed) != count:
        raise SweepMetadataError(
            f"{name} has {len(listed)} entries for {count} sweeps; give one per sweep (or one "
            "value for all)"
        )
    return listed


def _plain(value: Any) -> Any:
    """A JSON-safe Python scalar for a numpy scalar."""
    return value.item() if isinstance(value, np.generic) else value


def _finite_float(value: Any, name: str, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if value is None or not math.isfinite(number):
        # the argument holding the list is named too (amplitudes, holding_currents...)
        argument = _ARGUMENTS.get(name, name)
        raise SweepMetadataError(
            f"{where} has {name}={value!r}; give a finite number ({_UNITS[name]}) for every "
            f"sweep in {argument}"
        )
    return number


#: The constructor argument that holds each per-sweep value.
_ARGUMENTS = {"amplitude": "amplitudes", "holding_current": "holding_currents"}


_UNITS = {"amplitude": "nA", "stim_start": "ms from the sweep's first sample",
          "stim_end": "ms from the sweep's first sample", "holding_current": "nA"}


@register_kind
class SweepRecording(Recording):
    """Intracellular sweeps: one segment per sweep, channels ``voltage`` (mV), ``current`` (nA).

    Parameters
    ----------
    recording : Recording
        The recording the sweeps read from, one segment per sweep.
    cell_ids : str or list of str
        The cell of each sweep (one value for all, or one per sweep).
    protocols : str or list of str
        The protocol of each sweep (``"IDRest"``, ``"IDthresh"``...).
    amplitudes : float or list of float
        The step amplitude of each sweep, in nA (above the holding current).
    stim_start, stim_end : float or list of float
        When the stimulus starts and ends, in ms from the sweep's first sample.
    repetitions : int or list of int or None
        The repetition of each sweep; None numbers the sweeps of each (cell, protocol,
        amplitude) 0, 1, 2... in order.
    holding_currents : float or list of float or None
        The holding current (nA). Used to build the current of a recording without a current
        channel (default 0); with a current channel it is measured from the current before
        the stimulus when None.
    voltage_channel_id, current_channel_id : channel ids of ``recording``
        The channels holding the voltage and the current; ``current_channel_id=None`` when
        no current was recorded (the step is built from the metadata).
    voltage_gain, voltage_offset : float
        ``mV = raw * voltage_gain + voltage_offset``.
    current_gain, current_offset : float
        ``nA = raw * current_gain + current_offset``.

    Examples
    --------
    >>> import numpy as np
    >>> voltage = [np.full(2000, -70.0), np.full(2000, -65.0)]
    >>> sweeps = SweepRecording.from_arrays(
    ...     voltage, None, sampling_frequency=20000.0, cell_ids="cell0",
    ...     protocols="IDRest", amplitudes=[0.1, 0.2], stim_start=20.0, stim_end=80.0)
    >>> sweeps.get_num_segments(), sweeps.get_channel_ids().tolist()
    (2, ['voltage', 'current'])
    >>> float(sweeps.get_traces(1, 500, 501, channel_ids=["current"])[0, 0])
    0.2
    >>> sweeps.get_sweep_info(1)["amplitude"]
    0.2
    """

    # a saved sweep recording (binary folder, zarr, HDF5) loads back as one
    _restores_saved_form = True

    def __init__(
        self,
        recording: Recording,
        cell_ids: Any,
        protocols: Any,
        amplitudes: Any,
        stim_start: Any,
        stim_end: Any,
        repetitions: Any = None,
        holding_currents: Any = None,
        voltage_channel_id: Any = "voltage",
        current_channel_id: Any = "current",
        voltage_gain: float = 1.0,
        voltage_offset: float = 0.0,
        current_gain: float = 1.0,
        current_offset: float = 0.0,
    ) -> None:
        if not isinstance(recording, Recording):
            raise TypeError(f"recording must be a Recording, got {type(recording).__name__}")
        count = recording.get_num_segments()
        if count == 0:
            raise SweepMetadataError("the recording has no segment: a sweep recording needs "
                                     "one segment per sweep")
        fs = recording.get_sampling_frequency()
        super().__init__(fs, list(SWEEP_CHANNEL_IDS), np.float64)
        self.parent = recording
        table = _build_table(recording, count, cell_ids, protocols, amplitudes, stim_start,
                             stim_end, repetitions, holding_currents, current_channel_id)
        for name in SWEEP_FIELDS:
            self._record_argument(name, table[name])
        voltage_index = _channel_index(recording, voltage_channel_id, "voltage_channel_id")
        current_index = (None if current_channel_id is None
                         else _channel_index(recording, current_channel_id, "current_channel_id"))
        voltage_scale = (float(voltage_gain), float(voltage_offset))
        current_scale = (float(current_gain), float(current_offset))
        # over sweeps already in mV and nA (a selection or concatenation of sweep
        # recordings), their segments are reused as they are: views stay one level deep
        as_is = (voltage_index, current_index) == (0, 1) and voltage_scale == (1.0, 0.0) \
            and current_scale == (1.0, 0.0)
        for index in range(count):
            parent_segment = recording.get_segment(index)
            if as_is and isinstance(parent_segment, SweepSegment):
                segment: RecordingSegment = parent_segment
            else:
                on = round(table["stim_start"][index] * fs / 1000.0)
                off = round(table["stim_end"][index] * fs / 1000.0)
                holding = table["holding_currents"][index]
                step = (0.0 if holding is None else float(holding),
                        float(table["amplitudes"][index]), on, off)
                segment = SweepSegment(parent_segment, voltage_index, voltage_scale,
                                       current_index, current_scale, step)
            self.add_segment(segment, recording.get_start_time(index))
        self._table = table
        self.annotate(**{SWEEP_TABLE_ANNOTATION: table})

    # --------------------------------------------------------------- builders
    @classmethod
    def from_arrays(
        cls,
        voltages: Sequence[Any],
        currents: Sequence[Any] | None,
        sampling_frequency: float,
        cell_ids: Any,
        protocols: Any,
        amplitudes: Any,
        stim_start: Any,
        stim_end: Any,
        repetitions: Any = None,
        holding_currents: Any = None,
    ) -> SweepRecording:
        """Sweeps from in-memory arrays, one voltage (mV) and one current (nA) per sweep.

        Parameters
        ----------
        voltages : list of 1-d arrays
            The membrane potential of each sweep, in mV.
        currents : list of 1-d arrays or None
            The injected current of each sweep, in nA (same lengths as ``voltages``); None
            for known steps, then built from ``amplitudes``, ``stim_start``, ``stim_end`` and
            ``holding_currents``.
        sampling_frequency : float
            In Hz.
        cell_ids, protocols, amplitudes, stim_start, stim_end, repetitions, holding_currents
            As for :class:`SweepRecording`.

        Returns
        -------
        SweepRecording
        """
        volts = [np.asarray(v, dtype=np.float64) for v in voltages]
        if not volts:
            raise SweepMetadataError("voltages is empty: give one voltage array per sweep")
        if currents is not None and len(currents) != len(volts):
            raise SweepMetadataError(
                f"{len(currents)} currents given for {len(volts)} voltages; give one per sweep"
            )
        arrays = []
        for index, volt in enumerate(volts):
            if volt.ndim != 1:
                raise SweepMetadataError(
                    f"voltages[{index}] has shape {volt.shape}; give one 1-d array per sweep"
                )
            if currents is None:
                arrays.append(volt[:, None])
                continue
            curr = np.asarray(currents[index], dtype=np.float64)
            if curr.shape != volt.shape:
                raise SweepMetadataError(
                    f"currents[{index}] has shape {curr.shape} but voltages[{index}] has "
                    f"{volt.shape}; each current must match its voltage"
                )
            arrays.append(np.stack([volt, curr], axis=1))
        channel_ids = ["voltage"] if currents is None else list(SWEEP_CHANNEL_IDS)
        parent = NumpyRecording(arrays, sampling_frequency, channel_ids)
        return cls(parent, cell_ids, protocols, amplitudes, stim_start, stim_end, repetitions,
                   holding_currents,
                   current_channel_id=None if currents is None else "current")

    @classmethod
    def from_recording(cls, recording: Recording) -> SweepRecording:
        """The sweeps of a recording that carries the ``"sweep_table"`` annotation.

        A saved sweep recording loads back as a plain recording with channels ``voltage`` and
        ``current`` and that annotation; this rebuilds the sweeps over it.
        """
        if isinstance(recording, SweepRecording):
            return recording
        if SWEEP_TABLE_ANNOTATION not in recording.get_annotation_keys():
            raise SweepMetadataError(
                f"this {type(recording).__name__} has no {SWEEP_TABLE_ANNOTATION!r} "
                "annotation, so it was not saved from a SweepRecording; build one with "
                "SweepRecording(recording, cell_ids=..., protocols=..., amplitudes=..., "
                "stim_start=..., stim_end=...)"
            )
        table = recording.get_annotation(SWEEP_TABLE_ANNOTATION)
        missing = [name for name in SWEEP_FIELDS if name not in table]
        if missing:
            raise SweepMetadataError(
                f"the {SWEEP_TABLE_ANNOTATION!r} annotation lacks {missing}; it has "
                f"{sorted(table)}"
            )
        return cls(recording, **metadata_kwargs(table))

    @classmethod
    def _from_saved(cls, saved: BaseExtractor) -> SweepRecording:
        if not isinstance(saved, Recording):
            raise TypeError(f"sweeps are saved as a recording, got a {type(saved).__name__}")
        return cls.from_recording(saved)

    # ------------------------------------------------------------- metadata
    def get_sweep_table(self) -> dict[str, np.ndarray]:
        """The metadata of every sweep as arrays (one entry per segment).

        Keys: ``sweep``, ``cell_id``, ``protocol``, ``amplitude`` (nA), ``stim_start``,
        ``stim_end`` (ms), ``repetition``, ``holding_current`` (nA, NaN where it is measured
        from the current channel), ``duration`` (ms).
        """
        table = self._table
        count = self.get_num_segments()
        holding = [math.nan if h is None else float(h) for h in table["holding_currents"]]
        return {
            "sweep": np.arange(count, dtype=np.int64),
            "cell_id": np.array(table["cell_ids"], dtype=str),
            "protocol": np.array(table["protocols"], dtype=str),
            "amplitude": np.array(table["amplitudes"], dtype=np.float64),
            "stim_start": np.array(table["stim_start"], dtype=np.float64),
            "stim_end": np.array(table["stim_end"], dtype=np.float64),
            "repetition": np.array(table["repetitions"], dtype=np.int64),
            "holding_current": np.array(holding, dtype=np.float64),
            "duration": np.array([self.get_num_samples(i) * 1000.0 / self.sampling_frequency
                                  for i in range(count)], dtype=np.float64),
        }

    def get_sweep_metadata(self) -> dict[str, list[Any]]:
        """The constructor's per-sweep lists (``cell_ids``, ``protocols``, ``amplitudes``,
        ``stim_start``, ``stim_end``, ``repetitions``, ``holding_currents``), copied."""
        return {name: list(self._table[name]) for name in SWEEP_FIELDS}

    def get_sweep_info(self, segment_index: int) -> dict[str, Any]:
        """The metadata of one sweep as a dict (the fields of :meth:`get_sweep_table`)."""
        count = self.get_num_segments()
        if isinstance(segment_index, bool) or not 0 <= int(segment_index) < count:
            raise SweepMetadataError(
                f"sweep {segment_index!r} does not exist; there are {count} sweeps"
            )
        table = self.get_sweep_table()
        return {key: _plain(values[int(segment_index)]) for key, values in table.items()}

    def get_cell_ids(self) -> list[str]:
        """The distinct cells, in order of first appearance."""
        return list(dict.fromkeys(self._table["cell_ids"]))

    def get_protocols(self) -> list[str]:
        """The distinct protocols, in order of first appearance."""
        return list(dict.fromkeys(self._table["protocols"]))

    # ---------------------------------------------------------------- views
    def select_sweeps(self, sweep_indices: Any) -> SweepRecording:
        """A lazy sweep recording of some sweeps, in the order given."""
        indices = [int(i) for i in np.atleast_1d(np.asarray(sweep_indices, dtype=np.int64))]
        count = self.get_num_segments()
        bad = [i for i in indices if not 0 <= i < count]
        if bad:
            raise SweepMetadataError(f"sweeps {bad} do not exist; there are {count} sweeps")
        table = self._table
        picked = {name: [table[name][i] for i in indices] for name in SWEEP_FIELDS}
        return SweepRecording(self.select_segments(indices), **metadata_kwargs(picked))

    def __repr__(self) -> str:
        cells = self.get_cell_ids()
        protocols = self.get_protocols()
        return (
            f"SweepRecording: {self.get_num_segments()} sweeps of {len(cells)} cell"
            f"{'s' if len(cells) != 1 else ''} - protocols {', '.join(protocols)} - "
            f"{self.get_sampling_frequency() / 1000:g} kHz - "
            f"{self.get_total_duration():.2f} s"
        )


def metadata_kwargs(table: dict[str, Any]) -> dict[str, Any]:
    """The per-sweep constructor arguments of :class:`SweepRecording` from a metadata dict."""
    return {
        "cell_ids": table["cell_ids"], "protocols": table["protocols"],
        "amplitudes": table["amplitudes"], "stim_start": table["stim_start"],
        "stim_end": table["stim_end"], "repetitions": table["repetitions"],
        "holding_currents": table["holding_currents"],
    }



def _channel_index(recording: Recording, channel_id: Any, name: str) -> int:
    ids = [_plain(i) for i in recording.get_channel_ids()]
    matches = [i for i, one in enumerate(ids) if one == channel_id or str(one) == str(channel_id)]
    if not matches:
        raise UnknownIdError(
            f"{name}={channel_id!r} is not a channel of the recording; its channels are {ids}"
        )
    return matches[0]


def _build_table(
    recording: Recording, count: int, cell_ids: Any, protocols: Any, amplitudes: Any,
    stim_start: Any, stim_end: Any, repetitions: Any, holding_currents: Any,
    current_channel_id: Any,
) -> dict[str, list[Any]]:
    """Check the metadata of every sweep; return it as JSON-safe lists."""
    cells = [str(_plain(c)) for c in _as_list(cell_ids, count, "cell_ids")]
    prots = [str(_plain(p)) for p in _as_list(protocols, count, "protocols")]
    amps_in = _as_list(amplitudes, count, "amplitudes")
    starts_in = _as_list(stim_start, count, "stim_start")
    ends_in = _as_list(stim_end, count, "stim_end")
    holds_in = _as_list(holding_currents, count, "holding_currents")
    fs = recording.get_sampling_frequency()
    amps, starts, ends, holds = [], [], [], []
    for index in range(count):
        where = f"sweep {index} (cell {cells[index]!r}, protocol {prots[index]!r})"
        amps.append(_finite_float(_plain(amps_in[index]), "amplitude", where))
        start = _finite_float(_plain(starts_in[index]), "stim_start", where)
        end = _finite_float(_plain(ends_in[index]), "stim_end", where)
        duration = recording.get_num_samples(index) * 1000.0 / fs
        if not 0.0 <= start < end <= duration + 1e-9:
            raise SweepMetadataError(
                f"{where} has stim_start={start} ms and stim_end={end} ms; they must satisfy "
                f"0 <= stim_start < stim_end <= {duration:g} ms (the sweep's duration)"
            )
        starts.append(start)
        ends.append(end)
        hold = _plain(holds_in[index])
        if hold is None and current_channel_id is None:
            hold = 0.0
        holds.append(None if hold is None else _finite_float(hold, "holding_current", where))
    if repetitions is None:
        seen: dict[tuple[str, str, float], int] = {}
        reps = []
        for key in zip(cells, prots, amps, strict=True):
            reps.append(seen.get(key, 0))
            seen[key] = reps[-1] + 1
    else:
        reps = as_index_array([_plain(r) for r in _as_list(repetitions, count, "repetitions")],
                              "repetitions").tolist()
    return {"cell_ids": cells, "protocols": prots, "amplitudes": amps, "stim_start": starts,
            "stim_end": ends, "repetitions": reps, "holding_currents": holds}
