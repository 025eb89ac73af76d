"""``extract_features``: eFEL features of every sweep, computed by the chunked executor.

A chunk is one whole sweep (a segment of the sweep recording), so workers read a sweep, run
eFEL on it and send back a few numbers; the sweeps reach each worker once per job.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np

from ..errors import InvalidJobKwargsError, UnknownProtocolError
from ..jobs import run_chunked_job
from ..jobs.job_kwargs import CHUNK_KEYS
from .efel_features import (
    CURRENT_FEATURES,
    DEFAULT_EFEL_SETTINGS,
    LEGACY_SPIKECOUNT_FEATURE,
    check_feature_names,
    compute_sweep_features,
    import_efel,
    reset_settings,
    spikecount_feature,
    summarize_values,
)
from .recording import SWEEP_CHANNEL_IDS, SweepRecording

__all__ = ["extract_features", "FeatureTable", "table_columns", "METADATA_COLUMNS"]

#: The columns every feature table starts with, before one column per feature.
METADATA_COLUMNS = ("sweep", "cell_id", "protocol", "amplitude", "repetition", "stim_start",
                    "stim_end", "duration", "holding_current", "spikecount")


class FeatureTable(dict[str, Any]):
    """A feature table as a dict of equal-length arrays (when pandas is not installed).

    ``attrs`` holds what the table was computed with (``efel_settings``, ``features``,
    ``sampling_frequency``), as ``DataFrame.attrs`` does for a pandas table.
    """

    def __init__(self, columns: Mapping[str, np.ndarray], attrs: Mapping[str, Any]) -> None:
        super().__init__(columns)
        self.attrs: dict[str, Any] = dict(attrs)

    @property
    def num_rows(self) -> int:
        """Number of sweeps (rows)."""
        return len(next(iter(self.values()))) if self else 0


def table_columns(table: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """``(columns, attrs)`` of a feature table, a pandas DataFrame or a :class:`FeatureTable`."""
    attrs = dict(getattr(table, "attrs", {}) or {})
    if hasattr(table, "to_dict") and hasattr(table, "columns") and hasattr(table, "iloc"):
        columns = {str(name): table[name].to_numpy() for name in table.columns}
    elif isinstance(table, Mapping):
        columns = {str(name): np.asarray(values) for name, values in table.items()}
    else:
        raise TypeError(
            f"expected a feature table (a pandas DataFrame or a dict of arrays from "
            f"extract_features), got {type(table).__name__}"
        )
    missing = [name for name in METADATA_COLUMNS if name not in columns]
    if missing:
        raise ValueError(
            f"the feature table lacks the columns {missing}; tables come from extract_features"
        )
    return columns, attrs


# ------------------------------------------------------------------ the job
def _init(recording: SweepRecording, features: list[str], settings: dict[str, Any],
          keep_values: bool) -> dict[str, Any]:
    table = recording.get_sweep_table()
    efel = import_efel()
    # eFEL's settings are global: put its defaults back when the job ends in this process
    return {"recording": recording, "efel": efel, "features": features,
            "settings": settings, "keep_values": keep_values, "table": table,
            "spikecount": spikecount_feature(efel),
            "close": functools.partial(reset_settings, efel)}


def _run(segment_index: int, start_frame: int, end_frame: int,
         state: dict[str, Any]) -> dict[str, Any]:
    recording: SweepRecording = state["recording"]
    table = state["table"]
    fs = recording.get_sampling_frequency()
    holding = float(table["holding_current"][segment_index])
    needs_current = not CURRENT_FEATURES.isdisjoint(state["features"])
    # the current is read only when a feature or the holding current needs it
    channels = [0, 1] if needs_current or math.isnan(holding) else [0]
    traces = recording.get_traces(segment_index, start_frame, end_frame,
                                  channel_ids=[SWEEP_CHANNEL_IDS[c] for c in channels])
    voltage = traces[:, 0]
    current = traces[:, 1] if len(channels) == 2 else None
    if math.isnan(holding):
        assert current is not None
        # measured: the current before the stimulus (its first sample if it starts at once)
        on = round(table["stim_start"][segment_index] * fs / 1000.0)
        holding = float(np.median(current[: max(on, 1)]))
    counter = state["spikecount"]
    wanted = [*state["features"]]
    if LEGACY_SPIKECOUNT_FEATURE in wanted and counter not in wanted:
        # the same count under its older name: eFEL need not count the spikes twice
        counter = LEGACY_SPIKECOUNT_FEATURE
    if counter not in wanted:
        wanted.append(counter)
    raw = compute_sweep_features(
        state["efel"], voltage, current if needs_current else None, fs,
        float(table["stim_start"][segment_index]), float(table["stim_end"][segment_index]),
        float(table["amplitude"][segment_index]), wanted, state["settings"],
    )
    spikes = raw[counter]
    result: dict[str, Any] = {
        "holding_current": holding,
        "spikecount": math.nan if spikes is None else float(np.asarray(spikes).ravel()[0]),
        "means": {name: summarize_values(raw[name]) for name in state["features"]},
    }
    if state["keep_values"]:
        result["values"] = {
            name: None if raw[name] is None else np.asarray(raw[name]).tolist()
            for name in state["features"]
        }
    return result


# ------------------------------------------------------------------ public
def extract_features(
    sweeps: SweepRecording,
    features: Iterable[str] | str,
    efel_settings: Mapping[str, Any] | None = None,
    protocols: Iterable[str] | str | None = None,
    keep_values: bool = False,
    output: Literal["auto", "dataframe", "dict"] = "auto",
    **job_kwargs: Any,
) -> Any:
    """eFEL features of every sweep: one row per sweep, one column per feature.

    Parameters
    ----------
    sweeps : SweepRecording
    features : list of str
        eFEL feature names (``"Spikecount"``, ``"AP_amplitude"``, ``"mean_frequency"``...).
        A feature with several values in a sweep (one per spike) is summarized by their
        mean; a sweep where eFEL finds no value has NaN.
    efel_settings : dict or None
        eFEL settings; None uses bluepyefe's: ``strict_stiminterval=True``,
        ``Threshold=-20``, ``interp_step=0.025``. ``stim_start``/``stim_end`` here replace
        every sweep's own stimulus interval; ``stimulus_current`` defaults to the sweep's
        amplitude.
    protocols : list of str or None
        Only the sweeps of these protocols (None: all sweeps).
    keep_values : bool
        Also keep eFEL's raw values: a column ``<feature>_values`` of lists (None where
        eFEL has no value).
    output : {"auto", "dataframe", "dict"}
        ``"auto"`` gives a pandas DataFrame when pandas is installed, else a
        :class:`FeatureTable` (a dict of arrays).
    **job_kwargs
        ``n_jobs``, ``pool_engine``, ``progress_bar``... (a chunk is always one sweep, so
        the chunk-size keys are refused).

    Returns
    -------
    pandas.DataFrame or FeatureTable
        Columns ``sweep`` (the segment index in ``sweeps``), ``cell_id``, ``protocol``,
        ``amplitude`` (nA), ``repetition``, ``stim_start``, ``stim_end``, ``duration`` (ms),
        ``holding_current`` (nA), ``spikecount`` (eFEL's ``Spikecount`` with these settings),
        then one column per feature. ``attrs`` records the settings and features.

    Raises
    ------
    UnknownFeatureError
        A feature eFEL does not know (with its close matches).
    UnknownProtocolError
        A protocol no sweep has (with the protocols the sweeps have).
    OptionalDependencyError
        eFEL is not installed (``pip install 'lazyephys[efel]'``).

    Examples
    --------
    >>> import numpy as np
    >>> sweeps = SweepRecording.from_arrays(
    ...     [np.full(2000, -70.0), np.full(2000, -65.0)], None, sampling_frequency=20000.0,
    ...     cell_ids="cell0", protocols="IDRest", amplitudes=[0.1, 0.2], stim_start=20.0,
    ...     stim_end=80.0)
    >>> table = extract_features(sweeps, ["voltage_base"], output="dict")
    >>> table["voltage_base"].tolist(), table["spikecount"].tolist()
    ([-70.0, -65.0], [0.0, 0.0])
    """
    if not isinstance(sweeps, SweepRecording):
        raise TypeError(
            f"extract_features takes a SweepRecording, got {type(sweeps).__name__}; build one "
            "with SweepRecording(...), SweepRecording.from_arrays(...), read_nwb_sweeps or "
            "read_neo_sweeps"
        )
    names = check_feature_names(features)
    if len(set(names)) != len(names):
        raise ValueError(f"features lists a name twice: {names}")
    settings = dict(DEFAULT_EFEL_SETTINGS if efel_settings is None else efel_settings)
    if output not in ("auto", "dataframe", "dict"):
        raise ValueError(f"output must be 'auto', 'dataframe' or 'dict', got {output!r}")
    given_chunks = [key for key in CHUNK_KEYS if job_kwargs.get(key) is not None]
    if given_chunks:
        raise InvalidJobKwargsError(
            f"extract_features runs one whole sweep per chunk; do not pass {given_chunks}"
        )
    selected = select_protocols(sweeps, protocols)
    if selected is not None:
        # a lazy sub-recording of those sweeps; rows keep their index in ``sweeps``
        rows = selected
        work = sweeps.select_sweeps(selected)
    else:
        rows = np.arange(sweeps.get_num_segments())
        work = sweeps
    table = sweeps.get_sweep_table()
    if rows.size:
        longest = max(work.get_num_samples(i) for i in range(work.get_num_segments()))
        results = run_chunked_job(
            work, _init, {"features": names, "settings": settings, "keep_values": keep_values},
            _run, job_name="extract_features", chunk_size=int(longest), **job_kwargs,
        )
    else:
        results = []
    columns: dict[str, np.ndarray] = {
        "sweep": rows.astype(np.int64),
        "cell_id": table["cell_id"][rows],
        "protocol": table["protocol"][rows],
        "amplitude": table["amplitude"][rows],
        "repetition": table["repetition"][rows],
        "stim_start": table["stim_start"][rows],
        "stim_end": table["stim_end"][rows],
        "duration": table["duration"][rows],
        "holding_current": np.array([r["holding_current"] for r in results], dtype=np.float64),
        "spikecount": np.array([r["spikecount"] for r in results], dtype=np.float64),
    }
    for name in names:
        columns[name] = np.array([r["means"][name] for r in results], dtype=np.float64)
    if keep_values:
        for name in names:
            values = np.empty(len(results), dtype=object)
            values[:] = [r["values"][name] for r in results]
            columns[f"{name}_values"] = values
    attrs = {"efel_settings": settings, "features": names,
             "sampling_frequency": sweeps.get_sampling_frequency()}
    return make_table(columns, attrs, output)


def select_protocols(sweeps: SweepRecording, protocols: Iterable[str] | str | None
                     ) -> np.ndarray | None:
    """Indices of the sweeps of ``protocols`` (None: every sweep, returned as None)."""
    if protocols is None:
        return None
    wanted = [protocols] if isinstance(protocols, str) else [str(p) for p in protocols]
    have = sweeps.get_protocols()
    unknown = [p for p in wanted if p not in have]
    if unknown:
        raise UnknownProtocolError(
            f"no sweep has the protocol{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))}; the sweeps' protocols are {have}"
        )
    table = sweeps.get_sweep_table()
    return np.flatnonzero(np.isin(table["protocol"], wanted))


def make_table(columns: dict[str, np.ndarray], attrs: dict[str, Any], output: str) -> Any:
    """A DataFrame (``output="dataframe"``, or ``"auto"`` with pandas) or a FeatureTable."""
    if output == "dict":
        return FeatureTable(columns, attrs)
    try:
        pandas = importlib.import_module("pandas")
    except ImportError:
        if output == "dataframe":
            from ..errors import OptionalDependencyError

            raise OptionalDependencyError(
                "output='dataframe' needs the package 'pandas': pip install 'lazyephys[sweeps]'"
            ) from None
        return FeatureTable(columns, attrs)
    frame = pandas.DataFrame(columns)
    frame.attrs.update(attrs)
    return frame
