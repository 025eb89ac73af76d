"""Intracellular sweeps and their electrophysiological features.

Sweeps are the segments of a lazy :class:`SweepRecording` (channels ``voltage`` in mV and
``current`` in nA, metadata per sweep); eFEL features are extracted by the chunked executor
into a table; rheobases, targets and the feature files model-fitting tools read are built
from that table. eFEL, pandas, pynwb/h5py, neo and matplotlib are imported only when used.
"""

from .combine import concatenate_sweeps
from .efel_features import DEFAULT_EFEL_SETTINGS
from .extract import FeatureTable, extract_features
from .feature_files import write_feature_files
from .load import load_sweeps
from .neo_sweeps import read_neo_sweeps
from .nwb import NwbIcephysRecording, read_nwb_sweeps
from .recording import SweepRecording
from .rheobase import Rheobase, compute_rheobase
from .steps import Step, infer_step
from .targets import TargetResult, convert_legacy_targets, group_by_targets

__all__ = [
    "DEFAULT_EFEL_SETTINGS",
    "FeatureTable",
    "NwbIcephysRecording",
    "Rheobase",
    "Step",
    "SweepRecording",
    "TargetResult",
    "compute_rheobase",
    "concatenate_sweeps",
    "convert_legacy_targets",
    "extract_features",
    "group_by_targets",
    "infer_step",
    "load_sweeps",
    "read_neo_sweeps",
    "read_nwb_sweeps",
    "write_feature_files",
]
