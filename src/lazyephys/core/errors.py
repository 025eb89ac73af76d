"""Exception types raised for bad input.

Each subclasses the built-in exception a user would catch for that kind of mistake, so
``except KeyError`` or ``except ValueError`` keep working, while the message always names the
offending value and what was valid.
"""

from __future__ import annotations

__all__ = [
    "UnknownIdError",
    "FrameRangeError",
    "SegmentIndexError",
    "IncompatibleExtractorsError",
]


class UnknownIdError(KeyError):
    """An id (channel or unit) that the object does not have."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plainly instead
        return str(self.args[0]) if self.args else ""


class FrameRangeError(IndexError):
    """A frame (sample index) or time outside a segment, or a reversed range."""


class SegmentIndexError(IndexError):
    """A segment index out of range, or missing on a multi-segment object."""


class IncompatibleExtractorsError(ValueError):
    """Objects that cannot be combined (different sampling frequency, dtype, ids...)."""
