"""Lazy preprocessing: each step is a Recording over its parent.

Steps read only the window asked for (plus the margin a filter needs), keep the parent's
channel ids, properties, probe and times, and describe themselves as provenance, so a chain
such as ``bandpass_filter(common_reference(recording))`` can be saved as JSON and rebuilt.
scipy is needed by the filters and ``phase_shift``; it is imported when they run.
"""

from ..base.doors import register_operation as _register_operation
from ..errors import DtypeOverflowError
from .artifacts import RemoveArtifactsRecording, remove_artifacts
from .bad_channels import detect_bad_channels
from .channel_layout import (
    AverageAcrossDirectionRecording,
    ZeroChannelPaddedRecording,
    average_across_direction,
    zero_channel_pad,
)
from .common_reference import CommonReferenceRecording, common_reference
from .depth_order import depth_order, order_channels_by_depth
from .filter import (
    BandpassFilterRecording,
    FilterRecording,
    HighpassFilterRecording,
    NotchFilterRecording,
    bandpass_filter,
    causal_filter,
    filter,
    highpass_filter,
    notch_filter,
)
from .gaussian import GaussianFilterRecording, gaussian_filter
from .interpolate import InterpolateBadChannelsRecording, interpolate_bad_channels
from .normalize import (
    CenterRecording,
    NormalizeByQuantileRecording,
    ZScoreRecording,
    center,
    normalize_by_quantile,
    zscore,
)
from .periods import SilencedPeriodsRecording, silence_periods
from .phase_shift import PhaseShiftRecording, phase_shift
from .pointwise import (
    BlankSaturationRecording,
    ClipRecording,
    RectifyRecording,
    blank_saturation,
    clip,
    rectify,
)
from .resample import DecimateRecording, ResampleRecording, decimate, resample
from .scale import (
    AstypeRecording,
    ScaleRecording,
    UnsignedToSignedRecording,
    astype,
    scale,
    unsigned_to_signed,
)
from .spatial_filter import HighpassSpatialFilterRecording, highpass_spatial_filter
from .units import correct_lsb, scale_to_uV
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
    "clip",
    "blank_saturation",
    "rectify",
    "scale_to_uV",
    "correct_lsb",
    "normalize_by_quantile",
    "zero_channel_pad",
    "average_across_direction",
    "ClipRecording",
    "BlankSaturationRecording",
    "RectifyRecording",
    "NormalizeByQuantileRecording",
    "ZeroChannelPaddedRecording",
    "AverageAcrossDirectionRecording",
    "resample",
    "decimate",
    "gaussian_filter",
    "causal_filter",
    "silence_periods",
    "ResampleRecording",
    "DecimateRecording",
    "GaussianFilterRecording",
    "SilencedPeriodsRecording",
    "remove_artifacts",
    "RemoveArtifactsRecording",
]

# ``Recording.astype`` (a familiar method of the recording layer) is this layer's astype
_register_operation("astype", astype)
