"""``read_neo_sweeps``: sweeps of any file neo reads with one segment per sweep (Axon
``.abf``, WinWCP, Axograph...), through lazyephys' neo reader, read lazily."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import SweepMetadataError, UnknownIdError
from ..extractors.neo_recording import read_neo_recording
from .recording import SweepRecording
from .steps import infer_step

__all__ = ["read_neo_sweeps", "MV_PER_UNIT", "NA_PER_UNIT"]

#: millivolts per voltage unit, and nanoamperes per current unit, as neo spells them
MV_PER_UNIT = {"v": 1e3, "mv": 1.0, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3}
NA_PER_UNIT = {"a": 1e9, "ma": 1e6, "ua": 1e3, "µa": 1e3, "μa": 1e3, "na": 1.0, "pa": 1e-3}


def _unit_scale(recording: Any, channel_id: str, table: dict[str, float], what: str
                ) -> tuple[float, float]:
    ids = [str(i) for i in recording.get_channel_ids()]
    if channel_id not in ids:
        raise UnknownIdError(f"{what} channel {channel_id!r} is not in the stream; its "
                             f"channels are {ids}")
    index = ids.index(channel_id)
    unit = str(recording.get_property("physical_unit")[index]).strip().lower()
    if unit not in table:
        raise SweepMetadataError(
            f"the {what} channel {channel_id!r} is in {unit!r}; expected one of {sorted(table)}"
        )
    gain = float(recording.get_property("gain_to_physical_unit")[index])
    offset = float(recording.get_property("offset_to_physical_unit")[index])
    return gain * table[unit], offset * table[unit]


def read_neo_sweeps(
    format_name: str,
    voltage_channel_id: str,
    current_channel_id: str | None = None,
    cell_id: str = "cell",
    protocols: Any = "unknown",
    amplitudes: Any = None,
    stim_start: Any = None,
    stim_end: Any = None,
    stream_id: str | None = None,
    block_index: int | None = None,
    step_tolerance: float = 1e-3,
    **reader_kwargs: Any,
) -> SweepRecording:
    """The sweeps (neo segments) of a file, voltage scaled to mV and current to nA.

    Parameters
    ----------
    format_name : str
        A neo format (``"axon"``, ``"winwcp"``, ``"axograph"``...).
    voltage_channel_id, current_channel_id : str
        Channel ids (neo's) of the membrane potential and the injected current in the stream;
        no current channel means known steps (give ``amplitudes``, ``stim_start``,
        ``stim_end``).
    cell_id : str
        The cell the file records.
    protocols, amplitudes, stim_start, stim_end : value or list
        Per sweep (or one for all); with a current channel, None amplitudes or interval are
        found in each sweep's current (:func:`~lazyephys.sweeps.steps.infer_step`).
    stream_id, block_index : see :func:`~lazyephys.extractors.read_neo_recording`
    step_tolerance : float
        nA, for finding steps.
    **reader_kwargs
        neo's arguments (``filename=...``).

    Returns
    -------
    SweepRecording

    Examples
    --------
    >>> sweeps = read_neo_sweeps("axon", "IN0", "IN1", cell_id="c1", protocols="IDRest",
    ...                          filename="cell.abf")  # doctest: +SKIP
    """
    recording = read_neo_recording(format_name, stream_id=stream_id, block_index=block_index,
                                   **reader_kwargs)
    voltage_gain, voltage_offset = _unit_scale(recording, str(voltage_channel_id), MV_PER_UNIT,
                                               "voltage")
    current_gain, current_offset = 1.0, 0.0
    if current_channel_id is not None:
        current_gain, current_offset = _unit_scale(recording, str(current_channel_id),
                                                   NA_PER_UNIT, "current")
    if amplitudes is None or stim_start is None or stim_end is None:
        if current_channel_id is None:
            raise SweepMetadataError(
                "without a current channel, give amplitudes, stim_start and stim_end (the "
                "steps cannot be found in the data)"
            )
        fs = recording.get_sampling_frequency()
        steps = []
        for index in range(recording.get_num_segments()):
            raw = recording.get_traces(index, channel_ids=[str(current_channel_id)])[:, 0]
            nanoamperes = raw.astype(np.float64) * current_gain + current_offset
            steps.append(infer_step(nanoamperes, fs, step_tolerance))
        amplitudes = [s.amplitude for s in steps] if amplitudes is None else amplitudes
        stim_start = [s.stim_start for s in steps] if stim_start is None else stim_start
        stim_end = [s.stim_end for s in steps] if stim_end is None else stim_end
    return SweepRecording(
        recording, cell_id, protocols, amplitudes, stim_start, stim_end,
        voltage_channel_id=str(voltage_channel_id),
        current_channel_id=None if current_channel_id is None else str(current_channel_id),
        voltage_gain=voltage_gain, voltage_offset=voltage_offset,
        current_gain=current_gain, current_offset=current_offset,
    )
