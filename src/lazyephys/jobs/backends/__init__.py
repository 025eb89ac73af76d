"""Backends of the chunked executor: one module each, found by name in one registry.

``serial`` (in-process), ``loky`` (joblib's reusable process pool: the default), ``process``
(``concurrent.futures`` with an explicit ``mp_context``), ``thread`` and ``dask``
(``dask.distributed``). A new backend is one object registered with :func:`register_backend`;
see the architecture notes for a worked example.
"""

from .registry import (
    Backend,
    get_backend,
    register_backend,
    registered_backends,
    unregister_backend,
)

__all__ = ["Backend", "get_backend", "register_backend", "registered_backends",
           "unregister_backend"]
