"""Spike-train analytics."""

__all__: list[str] = []
