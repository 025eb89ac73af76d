"""``read_nwb_sweeps``: current-clamp sweeps of an NWB file (icephys), read lazily.

Each ``CurrentClampSeries`` (the membrane potential, under ``/acquisition``) is one sweep; its
``CurrentClampStimulusSeries`` (under ``/stimulus/presentation``) is the one with the same
``sweep_number``. Traces are read from the HDF5 datasets window by window and scaled with
each series' ``conversion`` and ``offset`` to mV and nA. Only the stimulus is read when the
file is opened, to find each step (amplitude, start, end) that is not given.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..errors import FormatError, IncompatibleExtractorsError, OptionalDependencyError
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from .recording import SWEEP_CHANNEL_IDS, SweepRecording
from .steps import infer_step

__all__ = ["NwbIcephysRecording", "read_nwb_sweeps"]

_VOLTS_PER_UNIT = {"volts": 1.0, "volt": 1.0, "v": 1.0, "mv": 1e-3, "millivolts": 1e-3}
_AMPERES_PER_UNIT = {"amperes": 1.0, "ampere": 1.0, "a": 1.0, "pa": 1e-12, "na": 1e-9}


def _h5py() -> Any:
    try:
        import h5py
    except ImportError as error:
        raise OptionalDependencyError(
            "reading NWB sweeps needs the package 'h5py': pip install 'lazyephys[nwb]'"
        ) from error
    return h5py


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _series_of_type(group: Any, neurodata_type: str) -> list[tuple[str, Any]]:
    found = []
    for name in sorted(group):
        item = group[name]
        if _text(item.attrs.get("neurodata_type", "")) == neurodata_type:
            found.append((name, item))
    return found


def _rate(series: Any, where: str) -> float:
    if "starting_time" in series:
        return float(series["starting_time"].attrs["rate"])
    if "timestamps" in series:
        stamps = series["timestamps"][:]
        if stamps.size > 1:
            return float(1.0 / np.median(np.diff(stamps)))
    raise FormatError(f"{where} has neither starting_time with a rate nor timestamps")


def _scale(dataset: Any, per_unit: dict[str, float], target: float, where: str
           ) -> tuple[float, float]:
    """(gain, offset) from the stored values to the target unit (mV: 1e-3, nA: 1e-9)."""
    unit = _text(dataset.attrs.get("unit", "")).strip().lower()
    if unit not in per_unit:
        raise FormatError(f"{where} has the unit {unit!r}; expected one of {sorted(per_unit)}")
    conversion = float(dataset.attrs.get("conversion", 1.0))
    offset = float(dataset.attrs.get("offset", 0.0))
    factor = per_unit[unit] / target
    return conversion * factor, offset * factor


class NwbSweepSegment(RecordingSegment):
    """One sweep: the voltage and stimulus datasets of the file, scaled to mV and nA."""

    __slots__ = ("current", "current_scale", "voltage", "voltage_scale")

    def __init__(self, voltage: Any, voltage_scale: tuple[float, float], current: Any,
                 current_scale: tuple[float, float], num_samples: int) -> None:
        super().__init__(num_samples)
        self.voltage, self.voltage_scale = voltage, voltage_scale
        self.current, self.current_scale = current, current_scale

    def get_traces(self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
                   ) -> np.ndarray:
        wanted = np.arange(2)[channel_selector]
        out = np.empty((end_frame - start_frame, wanted.size), dtype=np.float64)
        for column, channel in enumerate(wanted):
            dataset, (gain, offset) = ((self.voltage, self.voltage_scale) if channel == 0
                                       else (self.current, self.current_scale))
            out[:, column] = dataset[start_frame:end_frame] * gain + offset
        return out


@register_kind
class NwbIcephysRecording(Recording):
    """The current-clamp sweeps of an NWB file as a recording: one segment per sweep,
    channels ``voltage`` (mV) and ``current`` (nA), read lazily.

    Parameters
    ----------
    file_path : path
        The NWB (HDF5) file.
    sweep_numbers : list of int or None
        The sweeps to read, in this order (None: every sweep with a stimulus, by number).
    """

    _path_arguments = ("file_path",)

    def __init__(self, file_path: str | os.PathLike[str],
                 sweep_numbers: list[int] | None = None) -> None:
        h5py = _h5py()
        path = Path(file_path)
        if not path.is_file():
            raise FileNotFoundError(f"no NWB file at {path}")
        self._file = h5py.File(path, "r")
        pairs, rate = _pair_series(self._file, path, sweep_numbers)
        super().__init__(rate, list(SWEEP_CHANNEL_IDS), np.float64)
        self._record_argument("file_path", str(file_path))
        self._record_argument("sweep_numbers", [number for number, _, _ in pairs])
        subject = self._file.get("general/subject/subject_id")
        #: the file's subject id, or None
        self.subject_id = None if subject is None else _text(subject[()])
        self.sweep_info: list[dict[str, Any]] = []
        for number, response, stimulus in pairs:
            where = f"{path}: sweep {number}"
            voltage = response["data"]
            current = stimulus["data"]
            if current.shape[0] != voltage.shape[0]:
                raise FormatError(
                    f"{where}: the stimulus has {current.shape[0]} samples and the response "
                    f"{voltage.shape[0]}"
                )
            segment = NwbSweepSegment(
                voltage, _scale(voltage, _VOLTS_PER_UNIT, 1e-3, f"{where} (response)"),
                current, _scale(current, _AMPERES_PER_UNIT, 1e-9, f"{where} (stimulus)"),
                int(voltage.shape[0]))
            start = response["starting_time"][()] if "starting_time" in response else 0.0
            self.add_segment(segment, float(start))
            self.sweep_info.append({
                "sweep_number": number,
                "protocol": _text(response.attrs.get("stimulus_description", "")),
                "response": response.name, "stimulus": stimulus.name,
            })

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def _pair_series(handle: Any, path: Path, sweep_numbers: list[int] | None
                 ) -> tuple[list[tuple[int, Any, Any]], float]:
    responses = _series_of_type(handle.get("acquisition", {}), "CurrentClampSeries")
    stimuli = _series_of_type(handle.get("stimulus/presentation", {}),
                              "CurrentClampStimulusSeries")
    if not responses:
        raise FormatError(f"{path} has no CurrentClampSeries under /acquisition")
    by_number = {}
    for _, series in stimuli:
        if "sweep_number" in series.attrs:
            by_number[int(series.attrs["sweep_number"])] = series
    pairs = []
    for name, series in responses:
        if "sweep_number" not in series.attrs:
            raise FormatError(f"{path}: the CurrentClampSeries {name!r} has no sweep_number")
        number = int(series.attrs["sweep_number"])
        if number in by_number:
            pairs.append((number, series, by_number[number]))
    if not pairs:
        raise FormatError(
            f"{path}: no CurrentClampSeries has a CurrentClampStimulusSeries of the same "
            "sweep_number"
        )
    pairs.sort(key=lambda pair: pair[0])
    if sweep_numbers is not None:
        if not isinstance(sweep_numbers, (list, tuple)) or not sweep_numbers:
            raise ValueError(f"sweep_numbers must be a non-empty list of sweep numbers, got "
                             f"{sweep_numbers!r}")
        available = {number: (number, r, s) for number, r, s in pairs}
        missing = [n for n in sweep_numbers if int(n) not in available]
        if missing:
            raise FormatError(f"{path} has no sweeps {missing}; it has {sorted(available)}")
        pairs = [available[int(n)] for n in sweep_numbers]
    rates = {number: _rate(series, f"{path}: sweep {number}") for number, series, _ in pairs}
    distinct = sorted(set(rates.values()))
    if len(distinct) > 1:
        raise IncompatibleExtractorsError(
            f"{path}: the sweeps have different sampling rates {distinct} Hz; read them "
            "separately with sweep_numbers=..."
        )
    return pairs, distinct[0]


def read_nwb_sweeps(
    file_path: str | os.PathLike[str],
    cell_id: str | None = None,
    sweep_numbers: list[int] | None = None,
    protocols: Any = None,
    amplitudes: Any = None,
    stim_start: Any = None,
    stim_end: Any = None,
    step_tolerance: float = 1e-3,
) -> SweepRecording:
    """Current-clamp sweeps of an NWB file, lazily, as a :class:`SweepRecording`.

    Parameters
    ----------
    file_path : path
        The NWB file.
    cell_id : str or None
        The cell's id; None uses the file's subject id, else its name without suffix.
    sweep_numbers : list of int or None
        Which sweeps, in order (None: every paired sweep, by number).
    protocols : str or list or None
        None takes each response's ``stimulus_description``.
    amplitudes, stim_start, stim_end : float or list or None
        nA and ms; None finds the step in each stimulus (:func:`infer_step`).
    step_tolerance : float
        nA, for finding steps.

    Returns
    -------
    SweepRecording

    Examples
    --------
    >>> sweeps = read_nwb_sweeps("cell.nwb")  # doctest: +SKIP
    """
    recording = NwbIcephysRecording(file_path, sweep_numbers)
    fs = recording.get_sampling_frequency()
    steps = []
    if amplitudes is None or stim_start is None or stim_end is None:
        for index in range(recording.get_num_segments()):
            current = recording.get_traces(index, channel_ids=["current"])[:, 0]
            step = infer_step(current, fs, step_tolerance)
            if not step.found:
                warnings.warn(
                    f"{file_path}: sweep {recording.sweep_info[index]['sweep_number']} has a "
                    "constant stimulus; its stimulus interval is the whole sweep", stacklevel=2)
            steps.append(step)
    if cell_id is None:
        cell_id = recording.subject_id or Path(file_path).stem
    return SweepRecording(
        recording, cell_id,
        [s["protocol"] for s in recording.sweep_info] if protocols is None else protocols,
        [s.amplitude for s in steps] if amplitudes is None else amplitudes,
        [s.stim_start for s in steps] if stim_start is None else stim_start,
        [s.stim_end for s in steps] if stim_end is None else stim_end,
    )
