"""eFEL, the feature library, behind a small interface: imported only when features are
computed, names checked before a job starts, one sweep computed at a time.

eFEL's settings are global to a process, so every call resets them and sets the sweep's own;
a lock keeps two threads of one process from interleaving those steps.
"""

from __future__ import annotations

import difflib
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
    "import_efel",
    "check_feature_names",
    "merge_settings",
    "compute_sweep_features",
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
    names = efel.get_feature_names()
    return SPIKECOUNT_FEATURE if SPIKECOUNT_FEATURE in names else LEGACY_SPIKECOUNT_FEATURE


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
    known = set(import_efel().get_feature_names())
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
    time_ms = np.arange(voltage.size, dtype=np.float64) * (1000.0 / sampling_frequency)
    trace: dict[str, Any] = {
        "T": time_ms,
        "V": np.asarray(voltage, dtype=np.float64),
        "stim_start": [float(settings.get("stim_start", stim_start))],
        "stim_end": [float(settings.get("stim_end", stim_end))],
    }
    if current is not None:
        trace["I"] = np.asarray(current, dtype=np.float64)
    efel_settings = {"stimulus_current": float(amplitude)}
    efel_settings.update({k: v for k, v in settings.items() if k not in TRACE_KEYS})
    with _EFEL_LOCK:
        efel.reset()
        for key, value in efel_settings.items():
            efel.set_setting(key, value)
        result = efel.get_feature_values([trace], list(features), raise_warnings=False)[0]
    return {name: result.get(name) for name in features}


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
