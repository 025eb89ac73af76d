"""Lazy preprocessing: each step is a Recording over its parent.

Steps read only the window asked for (plus the margin a filter needs), keep the parent's
channel ids, properties, probe and times, and describe themselves as provenance, so a chain
such as ``bandpass_filter(common_reference(recording))`` can be saved as JSON and rebuilt.
scipy is needed by the filters and ``phase_shift``; it is imported when they run.
"""

from ..errors import DtypeOverflowError
from .bad_channels import detect_bad_channels
from .common_reference import CommonReferenceRecording, common_reference
from .depth_order import depth_order, order_channels_by_depth
from .filter import (
    BandpassFilterRecording,
    FilterRecording,
    HighpassFilterRecording,
    NotchFilterRecording,
    bandpass_filter,
    filter,
    highpass_filter,
    notch_filter,
)
from .interpolate import InterpolateBadChannelsRecording, interpolate_bad_channels
from .normalize import CenterRecording, ZScoreRecording, center, zscore
from .phase_shift import PhaseShiftRecording, phase_shift
from .scale import (
    AstypeRecording,
    ScaleRecording,
    UnsignedToSignedRecording,
    astype,
    scale,
    unsigned_to_signed,
)
from .spatial_filter import HighpassSpatialFilterRecording, highpass_spatial_filter
from .whiten import WhitenRecording, whiten

#: The name preprocessing has always raised; the one overflow error of the library.
OutputOverflowError = DtypeOverflowError

__all__ = [
    "bandpass_filter",
    "highpass_filter",
    "notch_filter",
    "filter",
    "common_reference",
    "scale",
    "astype",
    "unsigned_to_signed",
    "center",
    "zscore",
    "whiten",
    "phase_shift",
    "OutputOverflowError",
    "FilterRecording",
    "BandpassFilterRecording",
    "HighpassFilterRecording",
    "NotchFilterRecording",
    "CommonReferenceRecording",
    "ScaleRecording",
    "AstypeRecording",
    "UnsignedToSignedRecording",
    "CenterRecording",
    "ZScoreRecording",
    "WhitenRecording",
    "PhaseShiftRecording",
    "highpass_spatial_filter",
    "detect_bad_channels",
    "interpolate_bad_channels",
    "depth_order",
    "order_channels_by_depth",
    "HighpassSpatialFilterRecording",
    "InterpolateBadChannelsRecording",
]
