"""The version of lazyephys (read by the build too, so it is written once)."""

__version__ = "0.1.0"
