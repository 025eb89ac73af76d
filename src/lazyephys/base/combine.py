"""Checks and merges shared by every combination of extractors (recordings or sortings).

Concatenation, appending and aggregation of recordings and of sortings all take a list of
objects of one kind, check that they agree (sampling frequency, ids) when the result is
built, choose the ids of an aggregation, and merge properties. Those rules live here once.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from ..errors import IncompatibleExtractorsError
from .extractor import BaseExtractor
from .ids import as_id_array, make_unique_ids

__all__ = [
    "as_extractor_list",
    "check_same_sampling_frequency",
    "check_same_ids",
    "aggregated_ids",
    "merge_properties",
]

E = TypeVar("E", bound=BaseExtractor)

# warnings point at the line that called aggregate_channels / aggregate_units: the warning is
# raised here, under the class's __init__, its argument-capturing wrapper and the function
_CALLER = 5


def _noun(kind: type) -> str:
    return kind.__name__.lower()


def as_extractor_list(items: Any, kind: type[E], what: str, argument: str = "") -> list[E]:
    """A non-empty list of ``kind`` objects from a list, tuple or dict (its values).

    ``argument`` (the parameter's name) is named in errors.
    """
    noun = _noun(kind)
    named = f" ({argument})" if argument else ""
    if isinstance(items, Mapping) and not ("kind" in items and "kwargs" in items):
        items = list(items.values())
    if isinstance(items, (BaseExtractor, Mapping, str)) or not isinstance(items, Sequence):
        raise TypeError(f"{what} needs a list of {noun}s{named}, got {type(items).__name__}")
    extractors = list(items)
    if not extractors:
        raise ValueError(f"{what} needs at least one {noun}{named}, got an empty list")
    for i, item in enumerate(extractors):
        if not isinstance(item, kind):
            raise TypeError(f"{what}: item {i}{named} is a {type(item).__name__}, not a "
                            f"{kind.__name__}")
    return extractors


def check_same_sampling_frequency(
    extractors: Sequence[Any], what: str, max_diff: float = 0.0
) -> None:
    """Raise naming both frequencies when an input differs from the first by more than
    ``max_diff`` Hz (and more than floating-point rounding)."""
    noun = _base_noun(extractors[0])
    f0 = extractors[0].get_sampling_frequency()
    for i, item in enumerate(extractors[1:], start=1):
        fi = item.get_sampling_frequency()
        if abs(f0 - fi) > max_diff and not math.isclose(f0, fi, rel_tol=1e-12):
            raise IncompatibleExtractorsError(
                f"{what}: {noun} {i} has sampling frequency {fi} Hz, {noun} 0 has {f0} Hz"
            )


def _base_noun(extractor: BaseExtractor) -> str:
    return "recording" if extractor._id_name == "channel" else "sorting"


def check_same_ids(extractors: Sequence[BaseExtractor], what: str) -> None:
    """Raise naming the first differing id when the inputs' ids are not the same."""
    noun, id_name = _base_noun(extractors[0]), extractors[0]._id_name
    ids0 = extractors[0]._ids
    for i, item in enumerate(extractors[1:], start=1):
        ids = item._ids
        if ids.size != ids0.size:
            raise IncompatibleExtractorsError(
                f"{what}: {noun} {i} has {ids.size} {id_name}s, {noun} 0 has {ids0.size}"
            )
        if ids.dtype.kind != ids0.dtype.kind or not np.array_equal(ids, ids0):
            differing = int(np.flatnonzero(ids.astype(str) != ids0.astype(str))[0])
            raise IncompatibleExtractorsError(
                f"{what}: {noun} {i} has {id_name} id {ids[differing].item()!r} at position "
                f"{differing} where {noun} 0 has {ids0[differing].item()!r}"
            )


def aggregated_ids(extractors: Sequence[BaseExtractor], renamed_ids: Any, what: str) -> np.ndarray:
    """The ids of an aggregation.

    ``renamed_ids`` when given; else the inputs' ids joined, when unique across inputs; else
    new ids ``0..n-1`` of the inputs' id type, in input order, with a warning that names the
    clashing ids (mixed str/int inputs get str ids, with a warning too).
    """
    id_name = extractors[0]._id_name
    noun = _base_noun(extractors[0])
    total = sum(item._ids.size for item in extractors)
    if renamed_ids is not None:
        ids = as_id_array(renamed_ids, f"renamed_{id_name}_ids")
        if ids.size != total:
            raise ValueError(f"{ids.size} renamed_{id_name}_ids given for {total} {id_name}s")
        return ids
    kinds = {item._ids.dtype.kind for item in extractors}
    if len(kinds) == 1:
        joined = np.concatenate([item._ids for item in extractors])
        unique, counts = np.unique(joined, return_counts=True)
        if unique.size == joined.size:
            return joined
        new_ids = make_unique_ids(total, joined)
        warnings.warn(
            f"{what}: {id_name} ids {unique[counts > 1].tolist()} appear in more than one "
            f"{noun}; the aggregated {id_name}s were given the new ids {new_ids.tolist()} in "
            f"input order (pass renamed_{id_name}_ids to choose them)",
            stacklevel=_CALLER,
        )
        return new_ids
    new_ids = make_unique_ids(total, np.array(["0"]))
    warnings.warn(
        f"{what}: the {noun}s mix str and int {id_name} ids; the aggregated {id_name}s were "
        f"given the new ids {new_ids.tolist()} in input order",
        stacklevel=_CALLER,
    )
    return new_ids


def merge_properties(
    target: BaseExtractor,
    extractors: Sequence[BaseExtractor],
    what: str,
    prepare: Callable[[str, list[np.ndarray]], list[np.ndarray]] | None = None,
) -> None:
    """Give ``target`` the properties every input has, joined in input order.

    ``prepare(key, arrays)`` may adjust the arrays first (e.g. renumber probes). Properties
    missing from some input, or that cannot be joined, are left out with a warning naming them.
    """
    noun = _base_noun(extractors[0])
    keys = [k for k in extractors[0]._properties if all(k in e._properties for e in extractors)]
    dropped = {k for e in extractors for k in e._properties} - set(keys)
    for key in keys:
        arrays = [e._properties[key] for e in extractors]
        if prepare is not None:
            arrays = prepare(key, arrays)
        try:
            merged = np.concatenate(arrays, axis=0)
        except (ValueError, TypeError):
            dropped.add(key)
            continue
        merged.flags.writeable = False
        target._properties[key] = merged
    if dropped:
        warnings.warn(
            f"{what}: properties {sorted(dropped)} are not on every {noun} (or cannot be "
            "joined) and were left out",
            stacklevel=_CALLER,
        )
