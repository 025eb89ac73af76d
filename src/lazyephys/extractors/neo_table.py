"""The fixed table of neo's rawio classes lazyephys opens, by format name.

A format name is looked up here and nowhere else: a provenance file or a user's string can
only choose among these rows, never name a module to import. Each row also declares which
reader arguments are file-system paths, so that provenance can write them relative.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from ..errors import FormatError, UnknownFormatError
from ._optional import require

__all__ = ["NeoFormat", "NEO_FORMATS", "get_neo_format", "open_neo_reader"]


@dataclass(frozen=True)
class NeoFormat:
    """One neo rawio class: its module and class name in ``neo.rawio``, and path arguments."""

    module: str
    class_name: str
    path_arguments: tuple[str, ...]


def _row(module: str, class_name: str, *paths: str) -> NeoFormat:
    return NeoFormat(f"neo.rawio.{module}", class_name, paths or ("filename",))


#: format name -> neo rawio class (the names are SpikeInterface's reader names, lower case).
NEO_FORMATS: dict[str, NeoFormat] = {
    "alphaomega": _row("alphaomegarawio", "AlphaOmegaRawIO", "dirname"),
    "axograph": _row("axographrawio", "AxographRawIO"),
    "axona": _row("axonarawio", "AxonaRawIO"),
    "axon": _row("axonrawio", "AxonRawIO"),
    "biocam": _row("biocamrawio", "BiocamRawIO"),
    "blackrock": _row("blackrockrawio", "BlackrockRawIO"),
    "brainvision": _row("brainvisionrawio", "BrainVisionRawIO"),
    "ced": _row("cedrawio", "CedRawIO"),
    "edf": _row("edfrawio", "EDFRawIO"),
    "elan": _row("elanrawio", "ElanRawIO", "filename", "entfile", "posfile"),
    # neo's example reader makes its data up: its "filename" names no file
    "example": NeoFormat("neo.rawio.examplerawio", "ExampleRawIO", ()),
    "intan": _row("intanrawio", "IntanRawIO"),
    "maxwell": _row("maxwellrawio", "MaxwellRawIO"),
    "mearec": _row("mearecrawio", "MEArecRawIO"),
    "med": _row("medrawio", "MedRawIO", "dirname"),
    "micromed": _row("micromedrawio", "MicromedRawIO"),
    "neuralynx": _row("neuralynxrawio", "NeuralynxRawIO", "dirname", "filename"),
    "neuroexplorer": _row("neuroexplorerrawio", "NeuroExplorerRawIO"),
    "neuronexus": _row("neuronexusrawio", "NeuroNexusRawIO"),
    "neuroscope": _row("neuroscoperawio", "NeuroScopeRawIO", "filename", "binary_file"),
    "nix": _row("nixrawio", "NIXRawIO"),
    "openephys": _row("openephysrawio", "OpenEphysRawIO", "dirname"),
    "openephysbinary": _row("openephysbinaryrawio", "OpenEphysBinaryRawIO", "dirname"),
    "phy": _row("phyrawio", "PhyRawIO", "dirname"),
    "plexon": _row("plexonrawio", "PlexonRawIO"),
    "plexon2": _row("plexon2rawio", "Plexon2RawIO", "filename", "pl2_dll_file_path"),
    "rawbinarysignal": _row("rawbinarysignalrawio", "RawBinarySignalRawIO"),
    "rawmcs": _row("rawmcsrawio", "RawMCSRawIO"),
    "spike2": _row("spike2rawio", "Spike2RawIO"),
    "spikegadgets": _row("spikegadgetsrawio", "SpikeGadgetsRawIO"),
    "spikeglx": _row("spikeglxrawio", "SpikeGLXRawIO", "dirname"),
    "tdt": _row("tdtrawio", "TdtRawIO", "dirname"),
    "winedr": _row("winedrrawio", "WinEdrRawIO"),
    "winwcp": _row("winwcprawio", "WinWcpRawIO"),
}

#: Every reader argument that some row declares a path: what provenance writes as a path.
NEO_PATH_ARGUMENTS: tuple[str, ...] = tuple(
    sorted({name for row in NEO_FORMATS.values() for name in row.path_arguments})
)


def get_neo_format(format_name: Any) -> NeoFormat:
    """The table row of ``format_name``; anything else raises listing the known names.

    Examples
    --------
    >>> get_neo_format("spikeglx").class_name
    'SpikeGLXRawIO'
    """
    if not isinstance(format_name, str) or format_name.lower() not in NEO_FORMATS:
        raise UnknownFormatError(
            f"unknown neo format_name {format_name!r}; the known neo formats are "
            f"{', '.join(sorted(NEO_FORMATS))}"
        )
    return NEO_FORMATS[format_name.lower()]


def open_neo_reader(format_name: str, reader_kwargs: dict[str, Any]) -> Any:
    """Build and parse the neo rawio of ``format_name`` with ``reader_kwargs``.

    Path arguments are handed to neo as strings. A reader that fails to parse is reported
    with the format and arguments it was given.
    """
    row = get_neo_format(format_name)
    module = require(row.module, "neo", f"the neo format {format_name!r}")
    reader_class = getattr(module, row.class_name)
    kwargs = {
        key: (str(value) if key in row.path_arguments and value is not None else value)
        for key, value in reader_kwargs.items()
    }
    for key in row.path_arguments:
        value = kwargs.get(key)
        if isinstance(value, str) and value and not _exists(value):
            raise FileNotFoundError(
                f"the neo format {format_name!r} was given {key}={value!r}, which does not exist"
            )
    for key, value in kwargs.items():
        # neo builds per-channel tables in Python: a channel count of 10**12 from a damaged
        # provenance file would fill the memory before anything failed
        if key in _COUNT_ARGUMENTS and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 2**16
        ):
            raise ValueError(f"the neo format {format_name!r} was given {key}={value!r}; a "
                             "channel count must be an integer between 1 and 65536")
        if isinstance(value, int) and abs(value) > 2**53:
            raise ValueError(f"the neo format {format_name!r} was given {key}={value!r}, "
                             "beyond any size a file has")
    try:
        reader = reader_class(**kwargs)
    except TypeError as error:
        raise TypeError(
            f"neo's {row.class_name} does not take {sorted(kwargs)}: {error}"
        ) from error
    try:
        with warnings.catch_warnings():
            # some rawios (Blackrock) drop the file objects they read headers with unclosed:
            # the warning would name neo's file, not anything the caller can close
            warnings.simplefilter("ignore", ResourceWarning)
            reader.parse_header()
    except FileNotFoundError:
        raise
    except Exception as error:
        # neo reports a truncated or malformed file in its own words (an assertion, a numpy
        # error): name the format and the files it was reading
        paths = {key: kwargs[key] for key in row.path_arguments if kwargs.get(key)}
        # the other arguments are named too: a wrong dtype or channel count passed to neo is
        # as likely a cause as a damaged file
        others = {key: value for key, value in kwargs.items() if key not in paths}
        given = f" with {others}" if others else ""
        raise FormatError(
            f"the neo format {format_name!r} could not read {paths or kwargs}{given}: "
            f"{type(error).__name__}: {error}"
        ) from error
    return reader


#: Reader arguments that are channel counts.
_COUNT_ARGUMENTS = frozenset({"nb_channel", "num_channels", "n_channels"})


def _exists(value: str) -> bool:
    from pathlib import Path

    return Path(value).exists()
