"""``extract_features``: eFEL features of every sweep, computed by the chunked executor.

A chunk is a run of whole sweeps: the executor walks the sweeps as the frames of one segment
(:class:`SweepBatches`), so workers read a few sweeps, run eFEL on each and send back a few
numbers per sweep; the sweeps reach each worker once per job. Several sweeps per chunk keep
the cost of handing a chunk to a worker (a few ms) small beside eFEL's (tens of ms a sweep),
and enough chunks per worker keep the workers busy until the end.
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
from ..jobs.job_kwargs import CHUNK_KEYS, fix_job_kwargs
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

__all__ = ["extract_features", "FeatureTable", "table_columns", "METADATA_COLUMNS",
           "SweepBatches"]

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
#: Samples of sweeps a chunk aims at (five 2 s sweeps at 20 kHz): about 0.1 s of eFEL's work
SAMPLES_PER_CHUNK = 200_000
#: Chunks per worker a job is cut into at least, so that no worker waits long at the end
CHUNKS_PER_WORKER = 4


class SweepBatches:
    """The sweeps of a sweep recording as the frames of one segment, for the executor.

    Frame ``i`` is sweep ``i``, so a chunk ``[start, end)`` is a run of whole sweeps. It
    travels to workers pickled, that is as its sweep recording's description.
    """

    def __init__(self, sweeps: SweepRecording) -> None:
        self.sweeps = sweeps

    def get_num_segments(self) -> int:
        return 1

    def get_num_samples(self, segment_index: int | None = None) -> int:
        return self.sweeps.get_num_segments()

    def get_sampling_frequency(self) -> float:
        return 1.0

    def get_frame_bytes(self) -> int:
        # a sweep, on average: the progress bar counts the bytes of traces read
        total = sum(self.sweeps.get_num_samples(i) for i in range(self.get_num_samples()))
        return max(1, total * self.sweeps.get_frame_bytes() // max(1, self.get_num_samples()))

    def is_in_memory(self) -> bool:
        # travel pickled: a sweep recording pickles as its description (or its arrays)
        return True

    def to_dict(self, relative_to: Any = None) -> dict[str, Any]:
        return self.sweeps.to_dict(relative_to)


def choose_sweeps_per_chunk(sweeps: SweepRecording, n_jobs: int) -> int:
    """Sweeps per chunk: about :data:`SAMPLES_PER_CHUNK` samples, and at least
    :data:`CHUNKS_PER_WORKER` chunks per worker when there are enough sweeps."""
    count = sweeps.get_num_segments()
    mean = sum(sweeps.get_num_samples(i) for i in range(count)) / max(count, 1)
    by_size = max(1, int(SAMPLES_PER_CHUNK // max(mean, 1.0)))
    by_balance = max(1, math.ceil(count / (CHUNKS_PER_WORKER * max(n_jobs, 1))))
    return min(by_size, by_balance)


def _init(batches: SweepBatches, features: list[str], settings: dict[str, Any],
          keep_values: bool) -> dict[str, Any]:
    recording = batches.sweeps
    table = recording.get_sweep_table()
    efel = import_efel()
    # eFEL's settings are global: put its defaults back when the job ends in this process
    return {"recording": recording, "efel": efel, "features": features,
            "settings": settings, "keep_values": keep_values, "table": table,
            "spikecount": spikecount_feature(efel),
            "close": functools.partial(reset_settings, efel)}


def _run(segment_index: int, first_sweep: int, end_sweep: int,
         state: dict[str, Any]) -> list[dict[str, Any]]:
    results = []
    for index in range(first_sweep, end_sweep):
        try:
            results.append(_sweep_features(index, state))
        except Exception as error:
            # the executor names the chunk (a run of sweeps): say which sweep failed, the
            # original error chained
            table = state["table"]
            raise RuntimeError(
                f"sweep {index} (cell {str(table['cell_id'][index])!r}, protocol "
                f"{str(table['protocol'][index])!r}, amplitude {table['amplitude'][index]:g} nA): "
                f"{type(error).__name__}: {error}"
            ) from error
    return results


def _sweep_features(segment_index: int, state: dict[str, Any]) -> dict[str, Any]:
    recording: SweepRecording = state["recording"]
    start_frame, end_frame = 0, recording.get_num_samples(segment_index)
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
    sweeps_per_chunk: int | None = None,
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
    sweeps_per_chunk : int or None
        Sweeps a worker computes per chunk; None chooses (about five 2 s sweeps at 20 kHz,
        and at least four chunks per worker).
    **job_kwargs
        ``n_jobs``, ``pool_engine``, ``progress_bar``... (a chunk is always a run of whole
        sweeps, so the chunk-size keys are refused).

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
            f"extract_features runs whole sweeps per chunk; do not pass {given_chunks} (give "
            "sweeps_per_chunk to choose how many)"
        )
    if sweeps_per_chunk is not None and (isinstance(sweeps_per_chunk, bool) or not isinstance(
            sweeps_per_chunk, (int, np.integer)) or sweeps_per_chunk < 1):
        raise InvalidJobKwargsError(
            f"sweeps_per_chunk must be an int >= 1 (or None to choose), got {sweeps_per_chunk!r}"
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
    results: list[dict[str, Any]] = []
    if rows.size:
        per_chunk = sweeps_per_chunk or choose_sweeps_per_chunk(
            work, fix_job_kwargs(dict(job_kwargs))["n_jobs"])
        chunks = run_chunked_job(
            SweepBatches(work), _init,
            {"features": names, "settings": settings, "keep_values": keep_values},
            _run, job_name="extract_features", chunk_size=int(per_chunk), **job_kwargs,
        )
        results = [one for chunk in chunks for one in chunk]
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
