"""``compute_rheobase``: each cell's smallest current that makes it spike.

Strategies (bluepyefe's names):

``"absolute"``
    The lowest amplitude of a sweep with at least ``spike_threshold`` spikes (default 1).
``"majority"``
    Amplitudes are binned (width ``min_step`` nA from the cell's lowest amplitude); the
    rheobase is the centre of the lowest bin in which at least ``majority`` (default half) of
    the sweeps spike. Sweeps without spikes count as not spiking. (bluepyefe 2.3 states the
    same definition, but its code counts the sweeps of one bin and reports the centre of the
    next, ``min_step`` higher, and never considers the sweeps of its highest bin; this one
    follows the definition.)
``"flush"``
    The lowest spiking amplitude followed by ``flush_length`` more spiking sweeps (in order
    of amplitude), which ignores stray spikes at low currents.
``"interpolation"``
    The current that would make the cell fire exactly one spike, read from the inverse f-I
    curve: from the last silent sweep before the first spiking one (in order of amplitude)
    on, the amplitude is fitted as a straight line of the spike count (least squares), and
    the line is read at one spike. A cell whose lowest sweep already spikes, or that never
    spikes, has none.

Sweeps are taken in order of amplitude, then of spike count (as bluepyefe orders them). A
sweep without spikes counts as 0 spikes in every strategy. (bluepyefe 2.3 with eFEL 5 leaves
such sweeps out of its rheobase, because eFEL gives no ``peak_time`` for them: its
``"interpolation"`` then never finds the silent sweep it starts from, and its ``"majority"``
and ``"flush"`` see only spiking sweeps.)

A cell without a spiking sweep gets NaN and is reported (a :class:`RheobaseWarning` naming
every such cell, and ``result.failures``), never an exception that stops the others.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import numpy as np

from ..errors import RheobaseWarning, UnknownProtocolError
from .extract import extract_features, table_columns
from .recording import SweepRecording

__all__ = ["compute_rheobase", "Rheobase", "RHEOBASE_STRATEGIES", "RheobaseStrategy"]


class Rheobase(dict[str, float]):
    """The rheobase of each cell in nA (``{cell_id: float}``; NaN where none was found).

    Attributes
    ----------
    failures : dict
        ``{cell_id: reason}`` for every cell whose rheobase is NaN.
    strategy : str
    protocols : list of str
    """

    def __init__(self, values: Mapping[str, float], failures: Mapping[str, str], strategy: str,
                 protocols: list[str]) -> None:
        super().__init__(values)
        self.failures = dict(failures)
        self.strategy = strategy
        self.protocols = protocols

    def valid(self) -> dict[str, float]:
        """The cells that have a rheobase."""
        return {cell: value for cell, value in self.items() if not math.isnan(value)}


def _absolute(amplitudes: np.ndarray, spikes: np.ndarray, spike_threshold: int = 1) -> float:
    hits = amplitudes[spikes >= spike_threshold]
    return float(hits.min()) if hits.size else math.nan


def _majority(amplitudes: np.ndarray, spikes: np.ndarray, min_step: float = 0.01,
              majority: float = 0.5) -> float:
    if not min_step > 0:
        raise ValueError(f"min_step must be > 0 nA, got {min_step!r}")
    lowest = float(amplitudes.min())
    # the small epsilon keeps amplitudes that sit on a bin edge in that bin despite rounding
    bins = np.floor((amplitudes - lowest) / min_step + 1e-9).astype(np.int64)
    for index in np.unique(bins):
        inside = spikes[bins == index]
        if np.mean(inside >= 1) >= majority:
            return lowest + (int(index) + 0.5) * min_step
    return math.nan


def _flush(amplitudes: np.ndarray, spikes: np.ndarray, flush_length: int = 1,
           upper_bound_spikecount: int | None = None) -> float:
    for index, amplitude in enumerate(amplitudes):
        if upper_bound_spikecount is not None and spikes[index] > upper_bound_spikecount:
            break
        following = spikes[index + 1: index + 1 + flush_length]
        if spikes[index] >= 1 and following.size == flush_length and np.all(following >= 1):
            return float(amplitude)
    return math.nan


def _interpolation(amplitudes: np.ndarray, spikes: np.ndarray) -> float:
    # the first silent sweep directly followed by a spiking one starts the fitted part
    onsets = np.flatnonzero((spikes[:-1] == 0) & (spikes[1:] > 0))
    if onsets.size == 0:
        return math.nan
    counts = spikes[onsets[0]:]
    currents = amplitudes[onsets[0]:]
    # amplitude = slope * count + intercept by least squares, read at one spike
    centred = counts - counts.mean()
    slope = float(np.dot(centred, currents - currents.mean()) / np.dot(centred, centred))
    intercept = float(currents.mean()) - slope * float(counts.mean())
    return slope + intercept


RHEOBASE_STRATEGIES: dict[str, Callable[..., float]] = {
    "absolute": _absolute,
    "majority": _majority,
    "flush": _flush,
    "interpolation": _interpolation,
}

RheobaseStrategy = Literal["absolute", "majority", "flush", "interpolation"]


def compute_rheobase(
    features_or_sweeps: Any,
    protocols: Iterable[str] | str = ("IDthresh",),
    strategy: RheobaseStrategy = "absolute",
    settings: Mapping[str, Any] | None = None,
    efel_settings: Mapping[str, Any] | None = None,
    **job_kwargs: Any,
) -> Rheobase:
    """The rheobase (nA) of every cell: the smallest step current that makes it spike.

    Parameters
    ----------
    features_or_sweeps : feature table or SweepRecording
        A table from :func:`extract_features` (its ``spikecount`` column is used), or sweeps
        (spikes are then counted with eFEL, in parallel with ``job_kwargs``).
    protocols : list of str
        The protocols whose sweeps decide the rheobase (bluepyefe's ``protocols_rheobase``).
    strategy : {"absolute", "majority", "flush", "interpolation"}
        See the module documentation.
    settings : dict or None
        The strategy's options: ``spike_threshold`` (absolute); ``min_step``, ``majority``
        (majority); ``flush_length``, ``upper_bound_spikecount`` (flush); none for
        interpolation.
    efel_settings : dict or None
        eFEL settings for counting spikes when sweeps are given.
    **job_kwargs
        For the extraction when sweeps are given.

    Returns
    -------
    Rheobase
        ``{cell_id: nA}`` for every cell of the table, NaN (and a reason in ``failures``)
        where no sweep of ``protocols`` spikes.

    Raises
    ------
    UnknownProtocolError
        No sweep has one of ``protocols`` (the message lists the protocols there are).

    Examples
    --------
    >>> rheobase = compute_rheobase(sweeps, protocols=["IDthresh"])  # doctest: +SKIP
    >>> rheobase["cell0"]  # doctest: +SKIP
    0.21
    """
    wanted = [protocols] if isinstance(protocols, str) else [str(p) for p in protocols]
    if not wanted:
        raise ValueError("protocols is empty: name the protocols that decide the rheobase")
    if strategy not in RHEOBASE_STRATEGIES:
        raise ValueError(
            f"unknown rheobase strategy {strategy!r}; the strategies are "
            f"{', '.join(RHEOBASE_STRATEGIES)}"
        )
    if isinstance(features_or_sweeps, SweepRecording):
        table = extract_features(features_or_sweeps, [], efel_settings=efel_settings,
                                 protocols=wanted, output="dict", **job_kwargs)
        all_cells = features_or_sweeps.get_cell_ids()
    else:
        if efel_settings is not None or job_kwargs:
            raise TypeError("efel_settings and job kwargs apply only when sweeps are given; "
                            "the table's spikes are already counted")
        table = features_or_sweeps
        all_cells = None
    columns, _ = table_columns(table)
    if all_cells is None:
        all_cells = list(dict.fromkeys(columns["cell_id"].tolist()))
        have = list(dict.fromkeys(columns["protocol"].tolist()))
        unknown = [p for p in wanted if p not in have]
        if unknown:
            raise UnknownProtocolError(
                f"no sweep of the table has the protocol{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(map(repr, unknown))}; its protocols are {have}"
            )
    function = RHEOBASE_STRATEGIES[strategy]
    options = dict(settings or {})
    values: dict[str, float] = {}
    failures: dict[str, str] = {}
    in_protocols = np.isin(columns["protocol"], wanted)
    for cell in all_cells:
        mask = in_protocols & (columns["cell_id"] == cell)
        spikes = columns["spikecount"][mask].astype(np.float64)
        amplitudes = columns["amplitude"][mask].astype(np.float64)
        counted = ~np.isnan(spikes)
        spikes, amplitudes = spikes[counted], amplitudes[counted]
        order = np.lexsort((spikes, amplitudes))
        spikes, amplitudes = spikes[order], amplitudes[order]
        if amplitudes.size == 0:
            values[cell] = math.nan
            failures[cell] = f"no sweep of the protocols {wanted}"
            continue
        try:
            value = function(amplitudes, spikes, **options)
        except TypeError as error:
            raise TypeError(
                f"settings {sorted(options)} do not fit the {strategy!r} strategy: {error}"
            ) from error
        values[cell] = value
        if math.isnan(value):
            span = f"amplitudes {amplitudes.min():g} to {amplitudes.max():g} nA"
            if not np.any(spikes >= 1):
                failures[cell] = (f"no spiking sweep among its {amplitudes.size} sweeps of "
                                  f"{wanted} ({span})")
            elif strategy == "interpolation":
                failures[cell] = (f"no silent sweep below its first spiking one among its "
                                  f"{amplitudes.size} sweeps of {wanted} ({span})")
            else:
                failures[cell] = (f"the {strategy!r} strategy found none among its "
                                  f"{amplitudes.size} sweeps of {wanted} ({span})")
    if failures:
        detail = "; ".join(f"{cell}: {reason}" for cell, reason in failures.items())
        warnings.warn(
            RheobaseWarning(
                f"no rheobase for {len(failures)} of {len(values)} cells ({detail}); their "
                "sweeps are left out of relative-amplitude targets"
            ),
            stacklevel=2,
        )
    return Rheobase(values, failures, strategy, wanted)
