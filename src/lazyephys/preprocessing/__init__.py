"""Lazy preprocessing: each step is a Recording."""

__all__: list[str] = []
