"""The kind an object was saved from, written beside its data and rebuilt by ``load``.

Most kinds are what their saved form is: a preprocessed recording saved to a binary folder is
a recording of those traces. A few carry meaning the traces do not (a sweep recording's
per-sweep metadata): they set ``_restores_saved_form`` and implement ``_from_saved``. For
them ``save`` writes ``"saved_kind": <name>`` into the metadata of the folder, zarr store or
HDF5 file, and ``load`` rebuilds the kind over what it opened. The name is looked up in the
registry of kinds, so a file can only ever name a registered class; a name that is not
registered here (a plugin that is not installed) loads the plain saved object, with a
:class:`~lazyephys.errors.SavedKindWarning`.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..base.extractor import BaseExtractor
from ..base.provenance import get_kind
from ..errors import FormatError, SavedKindWarning

__all__ = ["SAVED_KIND_KEY", "saved_kind_of", "restore_saved_kind"]

#: The metadata key naming the kind an object was saved from.
SAVED_KIND_KEY = "saved_kind"


def saved_kind_of(extractor: BaseExtractor) -> str | None:
    """The name to write as ``saved_kind`` for ``extractor``, or None (loads as saved).

    Only a registered kind that restores its saved form is named: nothing else could be
    found again when the folder is loaded.
    """
    cls = type(extractor)
    if not cls._restores_saved_form:
        return None
    try:
        registered = get_kind(cls.__name__)
    except ValueError:
        return None
    return cls.__name__ if registered is cls else None


def restore_saved_kind(loaded: BaseExtractor, name: Any, where: str) -> BaseExtractor:
    """``loaded`` rebuilt as the kind ``name`` it was saved from (as it is when None).

    Parameters
    ----------
    loaded : Recording or Sorting
        What the format opened.
    name : str or None
        The ``saved_kind`` of the metadata.
    where : str
        The folder, store or file, for messages.
    """
    if name is None:
        return loaded
    if not isinstance(name, str):
        raise FormatError(f"{where}: {SAVED_KIND_KEY!r} must be a kind's name, got {name!r}")
    try:
        cls = get_kind(name)
    except ValueError:
        warnings.warn(SavedKindWarning(
            f"{where} was saved from a {name}, which is not a registered kind here (is the "
            f"package that provides it installed?); it loads as a plain "
            f"{type(loaded).__name__}"), stacklevel=3)
        return loaded
    if not cls._restores_saved_form:
        warnings.warn(SavedKindWarning(
            f"{where} names the kind {name}, which is not rebuilt over a saved folder; it "
            f"loads as a plain {type(loaded).__name__}"), stacklevel=3)
        return loaded
    restored = cls._from_saved(loaded)
    if not isinstance(restored, cls):
        raise TypeError(f"{name}._from_saved returned a {type(restored).__name__}, not a {name}")
    return restored
