"""Readers: recordings and sortings from the files of acquisition systems, simulators and NWB.

Every reader is lazy (nothing is read until a window is asked for), registered as a kind (its
arguments are its provenance, paths declared as paths) and, where it opens files by itself,
registered as a format so that ``lazyephys.load(path)`` opens them. Optional dependencies
(neo, h5py, pynwb, fsspec) are imported only by the reader that needs them.
"""

from . import formats as _formats  # noqa: F401  (registers the readers as formats)
from .named_neo import (
    BlackrockRecordingExtractor,
    IntanRecordingExtractor,
    OpenEphysBinaryRecordingExtractor,
    OpenEphysLegacyRecordingExtractor,
    read_blackrock,
    read_intan,
    read_openephys,
)
from .neo_recording import (
    NeoRecordingExtractor,
    get_neo_num_blocks,
    get_neo_streams,
    read_neo_recording,
)
from .neo_sorting import NeoSortingExtractor, read_neo_sorting
from .neo_table import NEO_FORMATS
from .nwb_intervals import get_nwb_interval_tables, read_nwb_epochs
from .nwb_recording import NwbRecordingExtractor, get_nwb_electrical_series, read_nwb_recording
from .nwb_sorting import NwbSortingExtractor, read_nwb_sorting
from .nwb_write import write_nwb
from .sonata import SonataSortingExtractor, get_sonata_populations, read_sonata_sorting
from .spikeglx import SpikeGLXRecordingExtractor, get_spikeglx_streams, read_spikeglx

__all__ = [
    "BlackrockRecordingExtractor",
    "read_blackrock",
    "IntanRecordingExtractor",
    "OpenEphysBinaryRecordingExtractor",
    "OpenEphysLegacyRecordingExtractor",
    "read_intan",
    "read_openephys",
    "NEO_FORMATS",
    "NeoRecordingExtractor",
    "NeoSortingExtractor",
    "get_neo_num_blocks",
    "get_neo_streams",
    "read_neo_recording",
    "read_neo_sorting",
    "NwbRecordingExtractor",
    "NwbSortingExtractor",
    "get_nwb_electrical_series",
    "get_nwb_interval_tables",
    "read_nwb_epochs",
    "read_nwb_recording",
    "read_nwb_sorting",
    "write_nwb",
    "SonataSortingExtractor",
    "get_sonata_populations",
    "read_sonata_sorting",
    "SpikeGLXRecordingExtractor",
    "get_spikeglx_streams",
    "read_spikeglx",
]
