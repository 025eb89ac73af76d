"""lazyephys.jobs."""

__all__: list[str] = []
