"""Targets: which feature to average over which sweeps (protocol, amplitude +- tolerance).

A target, in bluepyefe's current form::

    {"efeature": "AP_amplitude", "protocol": "IDRest", "amplitude": 150.0,
     "tolerance": 10.0, "efel_settings": {"Threshold": -10.0}}

(``efeature_name`` optionally names the result differently from eFEL's feature). Amplitudes
and tolerances are in % of each cell's rheobase, or in nA with ``absolute_amplitude=True``. A
sweep matches a target when ``|amplitude - target amplitude| < tolerance``.
:func:`group_by_targets` averages each target's feature over the matching sweeps of all cells
(mean, population std, count) and describes each (protocol, amplitude) as the mean step that
produced it, and the cells' holding and threshold currents.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ..errors import UnknownProtocolError
from .efel_features import DEFAULT_EFEL_SETTINGS, check_feature_names, merge_settings
from .extract import extract_features, table_columns
from .recording import SweepRecording
from .rheobase import RheobaseStrategy, compute_rheobase

__all__ = ["convert_legacy_targets", "normalize_targets", "group_by_targets", "TargetResult",
           "PROTOCOL_MODES"]


def convert_legacy_targets(targets: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Targets of bluepyefe's legacy form, per protocol, as a list in the current form.

    Parameters
    ----------
    targets : dict
        ``{protocol: {"amplitudes": [...], "tolerances": [...], "efeatures": [...] or
        {name: settings}, "location": "soma"}}``; one tolerance applies to every amplitude.

    Returns
    -------
    list of dict
        One target per (protocol, amplitude, feature), in that order.

    Examples
    --------
    >>> convert_legacy_targets({"IDRest": {"amplitudes": [150], "tolerances": [10],
    ...                         "efeatures": {"Spikecount": {"Threshold": -10.0}}}})
    [{'efeature': 'Spikecount', 'protocol': 'IDRest', 'amplitude': 150, 'tolerance': 10, \
'efel_settings': {'Threshold': -10.0}}]
    """
    if not isinstance(targets, Mapping):
        raise TypeError(f"legacy targets are a dict by protocol, got {type(targets).__name__}")
    converted: list[dict[str, Any]] = []
    for protocol, spec in targets.items():
        where = f"legacy target {protocol!r}"
        if not isinstance(spec, Mapping):
            raise ValueError(f"{where} must be a dict, got {spec!r}")
        missing = [key for key in ("amplitudes", "tolerances", "efeatures") if key not in spec]
        if missing:
            raise ValueError(f"{where} lacks {missing}; it has {sorted(spec)}")
        amplitudes = list(spec["amplitudes"])
        tolerances = list(spec["tolerances"])
        if len(tolerances) == 1:
            tolerances = tolerances * len(amplitudes)
        if len(tolerances) != len(amplitudes):
            raise ValueError(
                f"{where} has {len(tolerances)} tolerances for {len(amplitudes)} amplitudes; "
                "give one tolerance, or one per amplitude"
            )
        efeatures = spec["efeatures"]
        for amplitude, tolerance in zip(amplitudes, tolerances, strict=True):
            for name in efeatures:
                settings = dict(efeatures[name]) if isinstance(efeatures, Mapping) else {}
                converted.append({"efeature": name, "protocol": protocol,
                                  "amplitude": amplitude, "tolerance": tolerance,
                                  "efel_settings": settings})
    return converted


def normalize_targets(targets: Any) -> list[dict[str, Any]]:
    """Targets in the current form (legacy dicts converted), each checked."""
    if isinstance(targets, Mapping):
        targets = convert_legacy_targets(targets)
    listed = list(targets)
    if not listed:
        raise ValueError("targets is empty: give at least one target")
    out = []
    for index, target in enumerate(listed):
        if not isinstance(target, Mapping):
            raise TypeError(f"target {index} must be a dict, got {target!r}")
        missing = [k for k in ("efeature", "protocol", "amplitude", "tolerance")
                   if k not in target]
        if missing:
            raise ValueError(f"target {index} ({dict(target)}) lacks {missing}")
        tolerance = float(target["tolerance"])
        if not tolerance > 0:
            raise ValueError(f"target {index} has tolerance {target['tolerance']!r}; it must be "
                             "> 0")
        out.append({
            "efeature": str(target["efeature"]),
            "efeature_name": str(target.get("efeature_name") or target["efeature"]),
            "protocol": str(target["protocol"]),
            "amplitude": target["amplitude"],
            "tolerance": target["tolerance"],
            "efel_settings": dict(target.get("efel_settings") or {}),
        })
    return out


@dataclass
class TargetResult:
    """What :func:`group_by_targets` found, ready for :func:`write_feature_files`.

    Attributes
    ----------
    targets : list of dict
        Per target: ``efeature``, ``efeature_name``, ``protocol``, ``amplitude``,
        ``tolerance``, ``efel_settings`` (merged), ``mean``, ``std`` (``default_std_value``
        where the spread is 0), ``n``, ``values``, ``sweeps`` (indices of the sweeps whose
        values were averaged) and ``cells``.
    protocols : dict
        ``{"<protocol>_<amplitude>": {"holding": {...}, "step": {...}}}``, the step that
        produced each (protocol, amplitude), for every one that matched a sweep.
    currents : dict
        ``holding_current`` and ``threshold_current`` as [mean, std] over cells, and
        ``all_holding_current`` / ``all_threshold_current`` per cell.
    rheobase : dict
        The rheobase used per cell (nA), empty with absolute amplitudes.
    threshold_nvalue_save : int
        Targets with fewer values are left out of the feature files.
    """

    targets: list[dict[str, Any]]
    protocols: dict[str, dict[str, Any]]
    currents: dict[str, Any]
    rheobase: dict[str, float] = field(default_factory=dict)
    threshold_nvalue_save: int = 1

    def to_feature_files(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """The contents of ``features.json``, ``protocols.json`` and the currents file.

        Targets with fewer than ``threshold_nvalue_save`` values are left out, and a
        (protocol, amplitude) without any remaining feature too.
        """
        features: dict[str, Any] = {}
        protocols: dict[str, Any] = {}
        for stimulus, definition in self.protocols.items():
            entries = [
                {"feature": t["efeature"], "val": [t["mean"], t["std"]], "n": t["n"],
                 "efel_settings": t["efel_settings"], "efeature_name": t["efeature_name"]}
                for t in self.targets
                if stimulus_name(t["protocol"], t["amplitude"]) == stimulus
                and t["n"] >= self.threshold_nvalue_save
            ]
            if entries:
                features[stimulus] = {"soma": entries}
                protocols[stimulus] = definition
        return features, protocols, self.currents

    def as_table(self, output: Literal["auto", "dataframe", "dict"] = "auto") -> Any:
        """One row per target (without the lists of values and sweeps)."""
        from .extract import make_table

        keys = ("efeature_name", "efeature", "protocol", "amplitude", "tolerance", "mean", "std",
                "n")
        columns = {key: np.array([t[key] for t in self.targets]) for key in keys}
        return make_table(columns, {}, output)


def stimulus_name(protocol: str, amplitude: Any) -> str:
    """bluepyefe's name of a (protocol, amplitude): ``"IDRest_150"``, ``"IDRest_150.0"``."""
    return f"{protocol}_{amplitude}"


def _settings_key(settings: Mapping[str, Any]) -> str:
    return json.dumps(settings, sort_keys=True, default=str)


#: How the step parameters of the sweeps matching a (protocol, amplitude) are reduced to one
#: protocol definition (bluepyefe's ``protocol_mode``), NaN values left out.
PROTOCOL_MODES: dict[str, Callable[[np.ndarray], Any]] = {
    "mean": np.nanmean,
    "median": np.nanmedian,
    "min": np.nanmin,
    "max": np.nanmax,
}

ProtocolMode = Literal["mean", "median", "min", "max"]


def _check_protocol_mode(mode: Any) -> None:
    if isinstance(mode, str) and mode in PROTOCOL_MODES:
        return
    if mode == "lnmc":
        # bluepyefe's documentation names this mode, but no bluepyefe release implements
        # it: its extraction raises when it writes the protocols
        raise ValueError(
            "protocol_mode='lnmc' is named in bluepyefe's documentation but bluepyefe does "
            "not implement it (its extract_efeatures raises ValueError when writing the "
            f"protocols); the protocol modes are {', '.join(map(repr, PROTOCOL_MODES))}"
        )
    raise ValueError(
        f"protocol_mode must be one of {', '.join(map(repr, PROTOCOL_MODES))}, got {mode!r}"
    )


def _nan_reduce(values: list[float], mode: str) -> float:
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0 or np.all(np.isnan(array)):
        return math.nan
    return float(PROTOCOL_MODES[mode](array))


def group_by_targets(
    features: Any,
    targets: Any,
    absolute_amplitude: bool = False,
    protocol_mode: ProtocolMode = "mean",
    threshold_nvalue_save: int = 1,
    default_std_value: float = 1e-3,
    efel_settings: Mapping[str, Any] | None = None,
    rheobase: Mapping[str, float] | None = None,
    protocols_rheobase: Iterable[str] | str = ("IDthresh",),
    rheobase_strategy: RheobaseStrategy = "absolute",
    rheobase_settings: Mapping[str, Any] | None = None,
    **job_kwargs: Any,
) -> TargetResult:
    """Average each target's feature over the sweeps that match it, across cells.

    Parameters
    ----------
    features : SweepRecording or feature table
        Sweeps (features are extracted here, once per distinct set of eFEL settings, in
        parallel with ``job_kwargs``), or a table from :func:`extract_features` holding every
        target's feature, computed with settings equal to each target's merged settings.
    targets : list of dict or dict
        bluepyefe's targets; the legacy form (a dict by protocol) is converted.
    absolute_amplitude : bool
        Target amplitudes and tolerances in nA; otherwise in % of each cell's rheobase (cells
        without one are left out).
    protocol_mode : {"mean", "median", "min", "max"}
        How the step parameters (delay, duration, amplitude, holding current) of the sweeps
        matching a (protocol, amplitude) are reduced to its definition in ``protocols``, as
        bluepyefe's modes of the same names. (bluepyefe's documentation also names
        ``"lnmc"``, which no bluepyefe release implements; it is refused.)
    threshold_nvalue_save : int
        Targets with fewer values are kept in the result but left out of the files.
    default_std_value : float
        Replaces a standard deviation of 0 (a single value, or identical values).
    efel_settings : dict or None
        Settings under every target's own (None: bluepyefe's defaults).
    rheobase : dict or None
        ``{cell_id: nA}``; None computes it with ``protocols_rheobase``,
        ``rheobase_strategy`` and ``rheobase_settings`` (see :func:`compute_rheobase`).
    **job_kwargs
        For the extraction when sweeps are given.

    Returns
    -------
    TargetResult

    Raises
    ------
    UnknownProtocolError
        A target names a protocol no sweep has (the message lists those there are).
    UnknownFeatureError
        A target names a feature eFEL does not know.

    Examples
    --------
    >>> targets = [{"efeature": "mean_frequency", "protocol": "IDRest", "amplitude": 150,
    ...             "tolerance": 20}]
    >>> result = group_by_targets(sweeps, targets)  # doctest: +SKIP
    >>> write_feature_files(result, "features")  # doctest: +SKIP
    """
    _check_protocol_mode(protocol_mode)
    base = dict(DEFAULT_EFEL_SETTINGS if efel_settings is None else efel_settings)
    normalized = normalize_targets(targets)
    for target in normalized:
        target["efel_settings"] = merge_settings(base, target["efel_settings"])
    check_feature_names(sorted({t["efeature"] for t in normalized}))
    rheobase_protocols = ([protocols_rheobase] if isinstance(protocols_rheobase, str)
                          else list(protocols_rheobase))
    need_rheobase = not absolute_amplitude and rheobase is None
    tables = _feature_tables(features, normalized, base,
                             rheobase_protocols if need_rheobase else [], job_kwargs)
    base_columns = tables[_settings_key(base)]
    _check_protocols(base_columns, normalized)
    if absolute_amplitude:
        cell_rheobase: dict[str, float] = {}
    elif rheobase is None:
        cell_rheobase = dict(compute_rheobase(
            base_columns, protocols_rheobase, rheobase_strategy, rheobase_settings))
    else:
        cell_rheobase = {str(k): float(v) for k, v in rheobase.items()}
    valid = {c: v for c, v in cell_rheobase.items() if not math.isnan(v) and v != 0}
    global_rheobase = (float(np.mean(list(valid.values())))
                       if valid and not absolute_amplitude else None)

    def effective(columns: dict[str, np.ndarray]) -> np.ndarray:
        amplitudes = columns["amplitude"].astype(np.float64)
        if absolute_amplitude:
            return amplitudes
        scale = np.array([valid.get(c, math.nan) for c in columns["cell_id"]])
        return 100.0 * amplitudes / scale

    results = []
    for target in normalized:
        columns = tables[_settings_key(target["efel_settings"])]
        mask = ((columns["protocol"] == target["protocol"])
                & (np.abs(float(target["amplitude"]) - effective(columns))
                   < float(target["tolerance"])))
        values = columns[target["efeature"]][mask].astype(np.float64)
        kept = ~np.isnan(values)
        values = values[kept]
        sweeps = columns["sweep"][mask][kept]
        n = int(values.size)
        mean = float(np.mean(values)) if n else math.nan
        std = float(np.std(values)) if n else math.nan
        if std == 0.0:
            std = float(default_std_value)
        results.append({**target, "mean": mean, "std": std, "n": n,
                        "values": values.tolist(), "sweeps": sweeps.tolist(),
                        "cells": columns["cell_id"][mask][kept].tolist()})
    protocols = _protocol_definitions(normalized, base_columns, effective(base_columns),
                                      valid, global_rheobase, protocol_mode)
    currents = _currents(base_columns, valid, float(default_std_value))
    return TargetResult(results, protocols, currents, cell_rheobase, int(threshold_nvalue_save))


def _feature_tables(
    features: Any, targets: list[dict[str, Any]], base: dict[str, Any],
    rheobase_protocols: list[str], job_kwargs: dict[str, Any],
) -> dict[str, dict[str, np.ndarray]]:
    """Columns of a feature table per distinct settings (the base settings always present)."""
    groups: dict[str, dict[str, Any]] = {
        _settings_key(base): {"settings": base, "features": [], "protocols": []}
    }
    for target in targets:
        group = groups.setdefault(_settings_key(target["efel_settings"]), {
            "settings": target["efel_settings"], "features": [], "protocols": []})
        if target["efeature"] not in group["features"]:
            group["features"].append(target["efeature"])
        if target["protocol"] not in group["protocols"]:
            group["protocols"].append(target["protocol"])
    base_group = groups[_settings_key(base)]
    for target in targets:  # the base table describes every sweep the targets may use
        if target["protocol"] not in base_group["protocols"]:
            base_group["protocols"].append(target["protocol"])
    if isinstance(features, SweepRecording):
        have = features.get_protocols()
        _raise_unknown_protocols([t["protocol"] for t in targets], have, "sweeps")
        base_group["protocols"] += [p for p in rheobase_protocols
                                    if p not in base_group["protocols"]]
        tables = {}
        for key, group in groups.items():
            table = extract_features(features, group["features"],
                                     efel_settings=group["settings"],
                                     protocols=group["protocols"], output="dict", **job_kwargs)
            tables[key] = table_columns(table)[0]
        return tables
    if job_kwargs:
        raise TypeError(f"job kwargs {sorted(job_kwargs)} apply only when sweeps are given")
    columns, attrs = table_columns(features)
    table_settings = attrs.get("efel_settings")
    for key, group in groups.items():
        if key == _settings_key(base) and not group["features"]:
            continue
        if table_settings is not None and _settings_key(table_settings) != key:
            raise ValueError(
                f"the targets for {group['features']} use the eFEL settings "
                f"{group['settings']}, but the table was computed with {table_settings}; pass "
                "the sweeps instead of the table so that each set of settings is extracted"
            )
        absent = [name for name in group["features"] if name not in columns]
        if absent:
            raise ValueError(
                f"the feature table has no column for {absent}; extract them with "
                "extract_features, or pass the sweeps"
            )
    return dict.fromkeys(groups, columns)


def _raise_unknown_protocols(wanted: list[str], have: list[str], where: str) -> None:
    unknown = list(dict.fromkeys(p for p in wanted if p not in have))
    if unknown:
        raise UnknownProtocolError(
            f"the targets name the protocol{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))}, which no sweep of the {where} has; the "
            f"protocols are {have}"
        )


def _check_protocols(columns: dict[str, np.ndarray], targets: list[dict[str, Any]]) -> None:
    have = list(dict.fromkeys(columns["protocol"].tolist()))
    _raise_unknown_protocols([t["protocol"] for t in targets], have, "table")


def _protocol_definitions(
    targets: list[dict[str, Any]], columns: dict[str, np.ndarray], effective: np.ndarray,
    rheobase: dict[str, float], global_rheobase: float | None, mode: str,
) -> dict[str, dict[str, Any]]:
    """The mean (or median) step of the sweeps matching each (protocol, amplitude)."""
    definitions: dict[str, dict[str, Any]] = {}
    seen: dict[str, float] = {}
    for target in targets:  # the first target of a (protocol, amplitude) sets its tolerance
        seen.setdefault(stimulus_name(target["protocol"], target["amplitude"]),
                        float(target["tolerance"]))
    relative = np.array([
        100.0 * a / rheobase[c] if c in rheobase else math.nan
        for a, c in zip(columns["amplitude"], columns["cell_id"], strict=True)
    ])
    for target in targets:
        name = stimulus_name(target["protocol"], target["amplitude"])
        if name in definitions:
            continue
        mask = ((columns["protocol"] == target["protocol"])
                & (np.abs(float(target["amplitude"]) - effective) < seen[name]))
        if not mask.any():
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ton = _nan_reduce(columns["stim_start"][mask].tolist(), mode)
            toff = _nan_reduce(columns["stim_end"][mask].tolist(), mode)
            tend = _nan_reduce(columns["duration"][mask].tolist(), mode)
            hypamp = _nan_reduce(columns["holding_current"][mask].tolist(), mode)
            amp_rel = _nan_reduce(relative[mask].tolist(), mode)
            if global_rheobase is not None:
                amp = amp_rel * global_rheobase / 100.0
            else:
                amp = _nan_reduce(columns["amplitude"][mask].tolist(), mode)
        definitions[name] = {
            "holding": {"delay": 0.0, "amp": hypamp, "duration": tend, "totduration": tend},
            "step": {"delay": ton, "amp": amp, "thresh_perc": amp_rel, "duration": toff - ton,
                     "totduration": tend},
        }
    return definitions


def _currents(columns: dict[str, np.ndarray], rheobase: dict[str, float],
              default_std_value: float) -> dict[str, Any]:
    """Holding current (mean over each cell's sweeps) and threshold current per cell; a spread
    of 0 is replaced by ``default_std_value`` as for features."""
    holding: dict[str, float] = {}
    for cell in dict.fromkeys(columns["cell_id"].tolist()):
        values = columns["holding_current"][columns["cell_id"] == cell].astype(np.float64)
        holding[cell] = _nan_reduce(values.tolist(), "mean")
    threshold = dict(rheobase)

    def spread(values: list[float]) -> list[float]:
        if not values or np.all(np.isnan(values)):
            return [math.nan, math.nan]
        std = float(np.nanstd(values))
        return [float(np.nanmean(values)), default_std_value if std == 0.0 else std]

    return {
        "holding_current": spread(list(holding.values())),
        "threshold_current": spread(list(threshold.values())),
        "all_holding_current": holding,
        "all_threshold_current": threshold,
    }
