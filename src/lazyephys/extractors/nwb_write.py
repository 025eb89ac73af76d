"""Writing recordings and sortings to an NWB file with pynwb, so NWB tools can read them.

Traces are written chunk by chunk (hdmf's chunk iterator asks the recording for one buffer
at a time), so memory stays bounded whatever the recording's length. The file is written
under a temporary name beside the target and renamed when complete.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FormatError
from ..recording.base import Recording
from ..sorting.base import Sorting
from ._optional import require

__all__ = ["write_nwb"]

#: Bytes of traces per buffer handed to HDF5 (bounded memory while writing).
_BUFFER_BYTES = 64 * 2**20


def write_nwb(
    path: str | os.PathLike[str],
    recording: Recording | None = None,
    sorting: Sorting | None = None,
    session_description: str = "written by lazyephys",
    identifier: str | None = None,
    session_start_time: datetime | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a recording (as electrical series) and/or a sorting (as the Units table) to NWB.

    Parameters
    ----------
    path : str or Path
        The ``.nwb`` file to write.
    recording : Recording or None
        Written as ``acquisition/ElectricalSeries`` (one series per segment,
        ``ElectricalSeries_segment<i>``, when it has several): raw samples with
        ``conversion`` 1e-6 and the channel gains as ``channel_conversion``, so readers get
        microvolts; channel properties become electrodes-table columns (``group`` as the
        electrode group, ``brain_area`` as ``location``, locations as ``rel_x``/``rel_y``).
    sorting : Sorting or None
        Written as the Units table (one segment): spike times in seconds from the recording's
        start when a recording is written, else from 0; unit ids as ``unit_name``; 1-d unit
        properties as columns.
    session_description, identifier, session_start_time
        NWB's required session metadata (defaults: a fixed description, a random identifier,
        now in UTC).
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ValueError
        If neither object is given, the file exists without ``overwrite``, a recording has
        no gains to microvolts or per-channel offsets (NWB has one offset per series), or a
        sorting has several segments.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=4, durations=[1.0])
    >>> write_nwb("session.nwb", recording=rec)  # doctest: +SKIP
    """
    if recording is None and sorting is None:
        raise ValueError("write_nwb needs a recording, a sorting or both")
    target = Path(path)
    if target.exists() and not overwrite:
        raise ValueError(f"{target} exists; give overwrite=True to replace it")
    if sorting is not None and sorting.get_num_segments() != 1:
        raise ValueError(
            f"NWB's Units table has one time base: the sorting has {sorting.get_num_segments()} "
            "segments (select_segments or concatenate them first)"
        )
    if recording is not None:
        _check_scaling(recording)
    pynwb = require("pynwb", "nwb", "write_nwb")
    nwb = pynwb.NWBFile(
        session_description=session_description,
        identifier=identifier or secrets.token_hex(8),
        session_start_time=session_start_time or datetime.now(timezone.utc),
    )
    t_start = 0.0
    if recording is not None:
        _add_recording(nwb, recording)
        t_start = recording.get_start_time(0)
    if sorting is not None:
        _add_sorting(nwb, sorting, t_start)
    # beside the target (same file system, so the rename is atomic), still ending in .nwb
    temporary = target.with_name(f".{target.stem}.partial-{secrets.token_hex(4)}.nwb")
    try:
        with pynwb.NWBHDF5IO(str(temporary), "w") as io:
            io.write(nwb)
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()
    return target


def _check_scaling(recording: Recording) -> None:
    if not recording.has_scaleable_traces():
        raise ValueError(
            "the recording has no gains to microvolts; NWB stores volts: set_channel_gains "
            "(and set_channel_offsets) first"
        )
    offsets = recording.get_channel_offsets()
    if offsets.size and not np.all(offsets == offsets[0]):
        raise ValueError(
            f"the recording's channel offsets differ ({np.unique(offsets)[:5]} ...); an NWB "
            "series has one offset"
        )


def _property_columns(extractor: Any, skip: tuple[str, ...]) -> dict[str, np.ndarray]:
    columns = {}
    for key in extractor.get_property_keys():
        values = np.asarray(extractor.get_property(key))
        if key in skip or values.ndim != 1 or values.dtype.kind not in "biufUS":
            continue
        columns[key] = values
    return columns


def _add_recording(nwb: Any, recording: Recording) -> None:
    from pynwb.ecephys import ElectricalSeries

    num_channels = recording.get_num_channels()
    device = nwb.create_device(name="device", description="written by lazyephys")
    groups = np.asarray(recording.get_channel_groups()).astype(str)
    electrode_groups = {
        name: nwb.create_electrode_group(name=f"group{name}" if name.isdigit() else name,
                                         description="channel group", location="unknown",
                                         device=device)
        for name in dict.fromkeys(groups.tolist())
    }
    keys = recording.get_property_keys()
    areas = (np.asarray(recording.get_property("brain_area")).astype(str) if "brain_area"
             in keys else np.full(num_channels, "unknown"))
    locations = recording.get_channel_locations() if "location" in keys else None
    skip = ("brain_area", "group", "location", "gain_to_uV", "offset_to_uV", "channel_name",
            "rel_x", "rel_y", "group_name")
    extra = _property_columns(recording, skip)
    nwb.add_electrode_column(name="channel_name", description="lazyephys channel id")
    for name in extra:
        nwb.add_electrode_column(name=name, description=f"lazyephys property {name}")
    ids = recording.get_channel_ids()
    for c in range(num_channels):
        row: dict[str, Any] = {name: values[c].item() for name, values in extra.items()}
        if locations is not None:
            row["rel_x"], row["rel_y"] = float(locations[c, 0]), float(locations[c, 1])
        nwb.add_electrode(group=electrode_groups[groups[c]], location=str(areas[c]),
                          channel_name=str(ids[c]), **row)
    region = nwb.create_electrode_table_region(list(range(num_channels)), "all channels")
    gains = recording.get_channel_gains().astype(np.float64)
    offset = float(recording.get_channel_offsets()[0]) if num_channels else 0.0
    for segment in range(recording.get_num_segments()):
        name = "ElectricalSeries" if recording.get_num_segments() == 1 else \
            f"ElectricalSeries_segment{segment}"
        times: dict[str, Any]
        if recording.has_time_vector(segment):
            times = {"timestamps": recording.get_times(segment)}
        else:
            times = {"rate": recording.get_sampling_frequency(),
                     "starting_time": recording.get_start_time(segment)}
        series = ElectricalSeries(
            name=name, data=_trace_iterator(recording, segment), electrodes=region,
            conversion=1e-6, offset=offset * 1e-6, channel_conversion=gains, **times,
        )
        nwb.add_acquisition(series)


def _trace_iterator(recording: Recording, segment: int) -> Any:
    """hdmf's chunk iterator over one segment's raw traces (one buffer in memory at a time)."""
    from hdmf.data_utils import GenericDataChunkIterator

    num_samples = recording.get_num_samples(segment)
    num_channels = recording.get_num_channels()
    frame_bytes = max(recording.get_frame_bytes(), 1)
    rows = int(max(1, min(num_samples, _BUFFER_BYTES // frame_bytes)))

    class TraceChunks(GenericDataChunkIterator):
        def _get_data(self, selection: tuple[slice, ...]) -> np.ndarray:
            start, stop = selection[0].start or 0, selection[0].stop
            traces = recording.get_traces(segment_index=segment, start_frame=start,
                                          end_frame=stop)
            return np.asarray(traces)[:, selection[1]]

        def _get_maxshape(self) -> tuple[int, int]:
            return (num_samples, num_channels)

        def _get_dtype(self) -> np.dtype:
            return recording.get_dtype()

    return TraceChunks(buffer_shape=(rows, num_channels),
                       chunk_shape=(int(max(1, min(rows, 2**16 // max(num_channels, 1)))),
                                    num_channels),
                       display_progress=False)


def _add_sorting(nwb: Any, sorting: Sorting, t_start: float) -> None:
    if sorting.get_num_units() == 0:
        raise FormatError("the sorting has no units: an NWB Units table needs at least one")
    columns = _property_columns(sorting, ("unit_name",))
    nwb.add_unit_column(name="unit_name", description="lazyephys unit id")
    for name in columns:
        nwb.add_unit_column(name=name, description=f"lazyephys property {name}")
    fs = sorting.get_sampling_frequency()
    for index, unit_id in enumerate(sorting.get_unit_ids()):
        frames = sorting.get_unit_spike_train(unit_id, segment_index=0)
        row = {name: values[index].item() for name, values in columns.items()}
        nwb.add_unit(spike_times=frames / fs + t_start, unit_name=str(unit_id), **row)
