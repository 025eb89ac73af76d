"""The base layer: what recordings and sortings share.

The extractor (ids, properties, annotations, state), provenance (the kind registry, the
encoding of constructor arguments, the provenance file), validation of frames and segments,
the checked dtype cast, and the checks and merges of combinations.
"""

from .casting import cast_traces
from .extractor import BaseExtractor
from .provenance import get_registered_kinds, register_kind

__all__ = ["BaseExtractor", "cast_traces", "get_registered_kinds", "register_kind"]
