"""Constructor arguments checked against their annotations, before the constructor runs.

Every registered kind is built through its constructor, whether a user calls it or a loader
rebuilds it from a provenance file, so this one check gives both the same clear error: the
kind, the argument, what was expected and what was given — rather than a ``'dict' object has
no attribute ...`` from deep inside. Only what annotations state plainly is checked (numbers,
strings, bools, ``Literal`` choices, classes, ``None``, and the outer type of containers);
``Any`` and anything subtler is left to the constructor.
"""

from __future__ import annotations

import functools
import numbers
import os
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["check_arguments"]

_UNCHECKED = object()


@functools.cache
def _hints(cls: type) -> dict[str, Any] | None:
    """The evaluated annotations of ``cls.__init__`` (None when they cannot be evaluated)."""
    init = cls.__dict__.get("__init__")
    init = getattr(init, "__wrapped__", init)
    try:
        hints = typing.get_type_hints(init)
    except Exception:  # a name only imported for type checkers: check nothing
        return None
    hints.pop("return", None)
    return hints


def _describe(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        choices = [repr(v) for v in typing.get_args(annotation)]
        return " or ".join(choices) if len(choices) < 3 else "one of " + ", ".join(choices)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(annotation))
    if annotation is type(None):
        return "None"
    if origin is not None:
        return {list: "a list", tuple: "a tuple", dict: "a dict"}.get(origin, str(annotation))
    if annotation is os.PathLike:
        return "a path"
    return {bool: "a bool", int: "an integer", float: "a number", str: "a string"}.get(
        annotation, getattr(annotation, "__name__", str(annotation)))


def _matches(value: Any, annotation: Any) -> bool:
    """Whether ``value`` fits ``annotation`` (True when the annotation says too little)."""
    if annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, member) for member in typing.get_args(annotation))
    if origin is typing.Literal:
        return any(value == choice and type(value) is type(choice)
                   for choice in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if annotation is bool:
        return isinstance(value, (bool, np.bool_))
    if annotation is int:
        return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    if annotation is float:
        return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if annotation is str:
        return isinstance(value, str)
    if origin is os.PathLike or annotation is os.PathLike:
        return isinstance(value, os.PathLike)
    if origin in (list, tuple, Sequence):
        if not isinstance(value, (list, tuple, np.ndarray)):
            return False
        arguments = typing.get_args(annotation)
        element = arguments[0] if len(arguments) == 1 else Any
        return all(_matches(item, element) for item in value)
    if origin in (dict, Mapping):
        return isinstance(value, Mapping)
    if isinstance(annotation, type) and origin is None:
        return isinstance(value, annotation)
    return True


#: The largest magnitude a float argument may have: beyond it a float no longer holds every
#: integer (frames, sample counts) and no quantity of a recording is meant.
_LARGEST_NUMBER = 2**53
#: The largest magnitude an integer argument may have (64 bits, so that seeds fit).
_LARGEST_INTEGER = 2**64


def _accepts_number(annotation: Any) -> bool:
    """Whether ``annotation`` is, or has as a member, plain ``int`` or ``float``."""
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_accepts_number(member) for member in typing.get_args(annotation))
    return False


def _number_problem(value: Any, annotation: Any) -> str | None:
    """What is wrong with a number given for a number argument (None when nothing is).

    The type check lets NaN, infinities and numbers of 10**30 through as numbers; none of them
    is a frequency, duration, count or gain, and each would otherwise surface far away as an
    ``OverflowError``, a "maximum allowed size exceeded" or data full of NaN.
    """
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        return None
    if not _accepts_number(annotation):
        return None
    if isinstance(value, numbers.Integral):
        return None if abs(int(value)) <= _LARGEST_INTEGER else "must fit in 64 bits"
    if not np.isfinite(float(value)):
        return "must be a finite number"
    if abs(float(value)) > _LARGEST_NUMBER:
        return "must be at most 2**53 in size"
    return None


def check_arguments(cls: type, arguments: Mapping[str, Any]) -> None:
    """Raise naming ``cls``, the argument and the value when an argument does not fit.

    Raises
    ------
    TypeError
        A value of the wrong type.
    ValueError
        A string that is not one of the choices offered, or a number argument that is NaN,
        infinite, beyond 2**53 in size (floats) or beyond 64 bits (integers).

    Examples
    --------
    >>> class Example:
    ...     def __init__(self, num_channels: int, mode: typing.Literal["a", "b"] = "a"): ...
    >>> check_arguments(Example, {"num_channels": 3, "mode": "b"})
    >>> check_arguments(Example, {"num_channels": "3"})
    Traceback (most recent call last):
    ...
    TypeError: Example: num_channels must be an integer, got '3' (str)
    >>> check_arguments(Example, {"num_channels": 10**30})
    Traceback (most recent call last):
    ...
    ValueError: Example: num_channels must fit in 64 bits, got 1000000000000000000000000000000
    """
    hints = _hints(cls)
    if not hints:
        return
    for name, value in arguments.items():
        annotation = hints.get(name, _UNCHECKED)
        if annotation is _UNCHECKED:
            continue
        if _matches(value, annotation):
            problem = _number_problem(value, annotation)
            if problem is not None:
                raise ValueError(f"{cls.__name__}: {name} {problem}, got {value!r}")
            continue
        shown = repr(value)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        literal = typing.get_origin(annotation) is typing.Literal or any(
            typing.get_origin(a) is typing.Literal for a in typing.get_args(annotation))
        error = ValueError if literal and isinstance(value, str) else TypeError
        raise error(f"{cls.__name__}: {name} must be {_describe(annotation)}, got {shown} "
                    f"({type(value).__name__})")
