"""Synthetic data: noise recordings, sortings, templates and ground-truth recordings."""

from .recording import NoiseGeneratorRecording, generate_recording, generate_recording_by_size
from .sorting import (
    GeneratedSorting,
    InjectTemplatesRecording,
    generate_ground_truth_recording,
    generate_sorting,
    generate_templates,
)

__all__ = [
    "NoiseGeneratorRecording",
    "generate_recording",
    "GeneratedSorting",
    "InjectTemplatesRecording",
    "generate_ground_truth_recording",
    "generate_sorting",
    "generate_templates",
    "generate_recording_by_size",
]
