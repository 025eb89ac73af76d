"""eFEL, the feature library, behind a small interface: imported only when features are
computed, names checked before a job starts, one sweep computed at a time.

eFEL's settings are global to a process, so every call makes them exactly the sweep's own
(eFEL's defaults under the given settings); a lock keeps two threads of one process from
interleaving those steps. Only the settings that differ from what eFEL holds are set:
``efel.reset()`` re-reads eFEL's dependency file (about 15 ms, as long as computing a few
features on a 2 s sweep), and successive sweeps differ only by their stimulus current.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import math
import threading
import warnings
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

import numpy as np

from ..errors import OptionalDependencyError, UnknownFeatureError

__all__ = [
    "DEFAULT_EFEL_SETTINGS",
    "SPIKECOUNT_FEATURE",
    "CURRENT_FEATURES",
    "spikecount_feature",
    "feature_names",
    "import_efel",
    "check_feature_names",
    "merge_settings",
    "compute_sweep_features",
    "apply_settings",
    "reset_settings",
    "summarize_values",
]

#: The settings used when none are given (those of bluepyefe's extraction).
DEFAULT_EFEL_SETTINGS: dict[str, Any] = {
    "strict_stiminterval": True,
    "Threshold": -20.0,
    "interp_step": 0.025,
}
#: The feature every extraction also computes: the number of spikes of a sweep (eFEL's newer
#: name; older releases call it ``Spikecount``).
SPIKECOUNT_FEATURE = "spike_count"
LEGACY_SPIKECOUNT_FEATURE = "Spikecount"
#: The eFEL features that read the current trace ("I"); for the others it is not handed over,
#: because eFEL interpolates every array of a trace, which costs as much as the voltage.
CURRENT_FEATURES = frozenset({"current", "current_base", "steady_state_current_stimend",
                              "impedance"})
#: Settings that are not eFEL settings but the stimulus interval of the trace.
TRACE_KEYS = ("stim_start", "stim_end")

_EFEL_LOCK = threading.Lock()


def import_efel() -> ModuleType:
    """Import eFEL, or raise :class:`OptionalDependencyError` naming the extra to install."""
    try:
        return importlib.import_module("efel")
    except ImportError as error:
        raise OptionalDependencyError(
            "feature extraction from sweeps needs the package 'efel': "
            "pip install 'lazyephys[efel]'"
        ) from error


def spikecount_feature(efel: ModuleType) -> str:
    """eFEL's name of the spike count in the installed release."""
    names = feature_names(efel)
    return SPIKECOUNT_FEATURE if SPIKECOUNT_FEATURE in names else LEGACY_SPIKECOUNT_FEATURE


_FEATURE_NAMES: list[str] = []


def feature_names(efel: ModuleType) -> list[str]:
    """eFEL's feature names, read once per process.

    ``efel.get_feature_names()`` re-initialises eFEL's core, which would spoil a computation
    running in another thread: it is called under the lock, and only once.
    """
    with _EFEL_LOCK:
        if not _FEATURE_NAMES:
            _FEATURE_NAMES.extend(efel.get_feature_names())
    return list(_FEATURE_NAMES)


def check_feature_names(features: Iterable[Any]) -> list[str]:
    """The feature names as a list, every one known to eFEL.

    Raises
    ------
    UnknownFeatureError
        Naming each unknown feature with eFEL's closest names.
    """
    if isinstance(features, str):
        features = [features]
    names = list(features)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"feature names must be str, got {name!r}")
    known = set(feature_names(import_efel()))
    unknown = [name for name in names if name not in known]
    if unknown:
        parts = []
        for name in unknown:
            close = difflib.get_close_matches(name, sorted(known), n=5, cutoff=0.6)
            hint = f"close matches: {', '.join(close)}" if close else "no close match"
            parts.append(f"{name!r} ({hint})")
        raise UnknownFeatureError(
            f"unknown eFEL feature{'s' if len(unknown) > 1 else ''} {'; '.join(parts)}; "
            "efel.get_feature_names() lists them all"
        )
    return names


def merge_settings(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Settings of later layers win; None layers are skipped."""
    merged: dict[str, Any] = {}
    for layer in layers:
        if layer:
            merged.update(layer)
    return merged


def compute_sweep_features(
    efel: ModuleType,
    voltage: np.ndarray,
    current: np.ndarray | None,
    sampling_frequency: float,
    stim_start: float,
    stim_end: float,
    amplitude: float,
    features: list[str],
    settings: Mapping[str, Any],
) -> dict[str, np.ndarray | None]:
    """eFEL's values of ``features`` on one sweep (time in ms from the sweep's first sample).

    ``current`` is handed to eFEL (as ``"I"``) when given; pass None when no feature needs it.
    ``settings`` may hold ``stim_start``/``stim_end`` (ms), which then replace the sweep's
    own stimulus interval; ``stimulus_current`` defaults to the sweep's amplitude.
    """
    # eFEL copies every array of the trace element by element in Python: from a list of
    # floats that copy is several times faster than from an array's elements (the values
    # are the same float64 numbers); the time axis is the same for sweeps of one length
    trace: dict[str, Any] = {
        "T": _time_axis(voltage.size, float(sampling_frequency)),
        "V": np.asarray(voltage, dtype=np.float64).tolist(),
        "stim_start": [float(settings.get("stim_start", stim_start))],
        "stim_end": [float(settings.get("stim_end", stim_end))],
    }
    if current is not None:
        trace["I"] = np.asarray(current, dtype=np.float64).tolist()
    efel_settings = {"stimulus_current": float(amplitude)}
    efel_settings.update({k: v for k, v in settings.items() if k not in TRACE_KEYS})
    with _EFEL_LOCK:
        apply_settings(efel, efel_settings)
        result = efel.get_feature_values([trace], list(features), raise_warnings=False)[0]
    return {name: result.get(name) for name in features}


@functools.lru_cache(maxsize=4)
def _time_axis(num_samples: int, sampling_frequency: float) -> tuple[float, ...]:
    """Sample times in ms, as eFEL reads them (immutable: shared by the sweeps of a length)."""
    return tuple((np.arange(num_samples, dtype=np.float64)
                  * (1000.0 / sampling_frequency)).tolist())


def apply_settings(efel: ModuleType, settings: Mapping[str, Any]) -> None:
    """Make eFEL's global settings its defaults with ``settings`` over them, as
    ``efel.reset()`` followed by ``efel.set_setting`` for each would, setting only what
    differs from the settings eFEL holds now.

    eFEL hands every setting to its core before each computation
    (``get_feature_values``), so settings changed in place act exactly as after a reset. A
    settings object holding a name that is no setting of eFEL's (set by other code), or a
    different dependency file, is reset first.

    Examples
    --------
    >>> import efel  # doctest: +SKIP
    >>> apply_settings(efel, {"Threshold": -10.0, "stimulus_current": 0.2})  # doctest: +SKIP

    """
    current = efel.get_settings()
    held = vars(current)
    defaults = _default_settings(efel)
    wanted = {**defaults, **settings}
    stale = [key for key in held if key not in wanted]
    if stale or held.get("dependencyfile_path") != wanted.get("dependencyfile_path"):
        efel.reset()
        current = efel.get_settings()
        held = vars(current)
    for key, value in wanted.items():
        if key in held and held[key] == value and type(held[key]) is type(value):
            continue
        if key in held and key not in defaults:
            # a setting eFEL does not declare (stimulus_current) cannot be set twice: eFEL
            # finds it on the object but has no type for it; it is set anew
            delattr(current, key)
        efel.set_setting(key, value)


def reset_settings(efel: ModuleType) -> None:
    """``efel.reset()``, never while another thread of this process computes features."""
    with _EFEL_LOCK:
        efel.reset()


_DEFAULTS: dict[str, Any] = {}


def _default_settings(efel: ModuleType) -> dict[str, Any]:
    """eFEL's default settings (read once from a fresh settings object: no reset needed)."""
    if not _DEFAULTS:
        fresh = efel.Settings()
        fresh.reset_to_default()
        _DEFAULTS.update(vars(fresh))
    return _DEFAULTS


def summarize_values(values: Any) -> float:
    """One number per feature and sweep: the mean over spikes, NaN when eFEL has no value.

    As bluepyefe does: no value (None), no element, or an infinite mean give NaN.
    """
    if values is None:
        return math.nan
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.size == 0 or np.all(np.isnan(array)):
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = float(np.nanmean(array))
    return mean if math.isfinite(mean) else math.nan
