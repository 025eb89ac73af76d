"""``write_feature_files``: the JSON files model-fitting tools read, in bluepyefe's layout.

- ``features.json``: ``{"<protocol>_<amplitude>": {"soma": [{"feature", "val": [mean, std],
  "n", "efel_settings", "efeature_name"}, ...]}}``;
- ``protocols.json``: ``{"<protocol>_<amplitude>": {"holding": {"delay", "amp", "duration",
  "totduration"}, "step": {"delay", "amp", "thresh_perc", "duration", "totduration"}}}``
  (ms and nA);
- ``holding_threshold_currents.json``: ``{"holding_current": [mean, std],
  "threshold_current": [mean, std], "all_holding_current": {cell: nA},
  "all_threshold_current": {cell: nA}}``, also written as ``currents.json``.

Each file is written to a temporary name in the folder and renamed when complete.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from .targets import TargetResult

__all__ = ["write_feature_files", "FEATURE_FILE_NAMES"]

#: The files written, in bluepyefe's names.
FEATURE_FILE_NAMES = ("features.json", "protocols.json", "holding_threshold_currents.json",
                      "currents.json")


def _plain(value: Any) -> Any:
    """JSON-ready Python values (numpy scalars and arrays unwrapped)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    if isinstance(value, float) and math.isnan(value):
        return math.nan
    return value


def _write_json_atomic(path: Path, content: Any) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".partial")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(_plain(content), handle, indent=4)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_feature_files(result: TargetResult, folder: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``features.json``, ``protocols.json`` and the currents files.

    Parameters
    ----------
    result : TargetResult
        From :func:`group_by_targets`.
    folder : path
        Created if needed; existing files of these names are replaced.

    Returns
    -------
    dict
        ``{"features": path, "protocols": path, "currents": path, "currents_short": path}``.

    Examples
    --------
    >>> paths = write_feature_files(group_by_targets(sweeps, targets),
    ...                             "out")  # doctest: +SKIP
    """
    if not isinstance(result, TargetResult):
        raise TypeError(
            f"write_feature_files takes the result of group_by_targets, got "
            f"{type(result).__name__}"
        )
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    features, protocols, currents = result.to_feature_files()
    paths = {}
    keys = ("features", "protocols", "currents", "currents_short")
    contents = (features, protocols, currents, currents)
    for key, name, content in zip(keys, FEATURE_FILE_NAMES, contents, strict=True):
        path = target / name
        _write_json_atomic(path, content)
        paths[key] = path
    return paths
