"""Neuropixels probes of Open Ephys binary recordings, from the record node's settings file.

Facts of the Open Ephys GUI's folder layout: a record node folder holds one settings file per
experiment (``settings.xml`` for experiment 1, ``settings_<n>.xml`` for experiment n) that
describes the signal chain, including, for the Neuropix-PXI and OneBox plugins, each probe's
part number and electrode selection. probeinterface reads a probe from it
(``read_openephys_neuropixels``, formerly ``read_openephys``), choosing the probe whose name
appears in the stream name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import FormatError

__all__ = ["openephys_settings_file", "read_openephys_probe"]


def openephys_settings_file(reader: Any, stream_name: str, block: int) -> Path | None:
    """The settings file of the experiment (neo block) a stream was recorded in, if any.

    ``reader`` is neo's parsed Open Ephys binary reader, whose ``folder_structure`` lists
    each record node's experiments (in block order) with their settings file.
    """
    structure = getattr(reader, "folder_structure", None)
    if not structure:
        return None
    node = stream_name.split("#", 1)[0] if "#" in stream_name else next(iter(structure))
    experiments = structure.get(node, {}).get("experiments", {})
    numbers = sorted(experiments)
    if not 0 <= block < len(numbers):
        return None
    settings = experiments[numbers[block]].get("settings_file")
    return Path(settings) if settings is not None and Path(settings).is_file() else None


def read_openephys_probe(settings_file: Path, stream_name: str) -> Any | None:
    """The Neuropixels probe of ``stream_name`` described by a settings file, or None when
    the file describes no Neuropixels probe for that stream.

    Raises
    ------
    FormatError
        If the file names a Neuropixels probe for the stream but probeinterface cannot
        build it.
    """
    import probeinterface

    has_probes = getattr(probeinterface, "has_neuropixels_probes", None)
    reader = getattr(probeinterface, "read_openephys_neuropixels", None)
    if reader is None:  # probeinterface before 0.4 names it read_openephys
        reader = probeinterface.read_openephys
    if has_probes is not None and not has_probes(settings_file, stream_name=stream_name):
        return None
    try:
        return reader(settings_file, stream_name=stream_name, raise_error=has_probes is not None)
    except Exception as error:  # probeinterface raises plain Exceptions and assertions
        raise FormatError(
            f"the Open Ephys settings file {settings_file} describes a Neuropixels probe for "
            f"the stream {stream_name!r}, but it cannot be read: {error}"
        ) from error
