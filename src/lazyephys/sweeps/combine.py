"""``concatenate_sweeps``: the sweeps of many cells (or files) as one sweep recording."""

from __future__ import annotations

from typing import Any

from ..recording.combine import append_recordings
from .recording import SWEEP_FIELDS, SweepRecording, metadata_kwargs

__all__ = ["concatenate_sweeps"]


def concatenate_sweeps(sweeps_list: Any) -> SweepRecording:
    """One lazy sweep recording holding the sweeps of every recording given, in order.

    Parameters
    ----------
    sweeps_list : list of SweepRecording
        Same sampling frequency (sweeps recorded at different rates cannot share one
        recording; resample them first).

    Returns
    -------
    SweepRecording

    Examples
    --------
    >>> all_cells = concatenate_sweeps([cell_a, cell_b])  # doctest: +SKIP
    """
    listed = list(sweeps_list)
    if not listed:
        raise ValueError("sweeps_list is empty: give at least one SweepRecording")
    for index, one in enumerate(listed):
        if not isinstance(one, SweepRecording):
            raise TypeError(
                f"sweeps_list[{index}] is a {type(one).__name__}, not a SweepRecording"
            )
    if len(listed) == 1:
        return listed[0]
    # each sweep recording already gives voltage (mV) and current (nA): append them as they are
    appended = append_recordings(listed)
    tables = [one.get_sweep_metadata() for one in listed]
    merged = {name: [value for table in tables for value in table[name]]
              for name in SWEEP_FIELDS}
    return SweepRecording(appended, **metadata_kwargs(merged))
