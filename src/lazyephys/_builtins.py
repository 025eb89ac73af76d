"""The library's own plugins, imported when first needed rather than by ``import lazyephys``.

Kinds (classes a provenance file may name), formats (what ``load`` can open) and the
persistence layer (what ``BaseExtractor.save`` calls) register themselves when their module
is imported. ``import lazyephys`` imports none of them, so that it stays cheap; the
registries call :func:`load_builtins` the first time a name is not found, which imports this
fixed list. The list is code, never data: a provenance file cannot add a module to it.
"""

from __future__ import annotations

from importlib import import_module

#: Every module of the library that registers kinds, formats or the persistence layer.
BUILTIN_PLUGIN_MODULES: tuple[str, ...] = (
    "lazyephys.recording",
    "lazyephys.sorting",
    "lazyephys.generation",
    "lazyephys.io",
    "lazyephys.preprocessing",
    "lazyephys.extractors",
    "lazyephys.analysis",
    "lazyephys.sweeps",
)

_state = {"loaded": False, "loading": False}


def load_builtins() -> None:
    """Import every module of :data:`BUILTIN_PLUGIN_MODULES` (once; re-entrant calls no-op)."""
    if _state["loaded"] or _state["loading"]:
        return
    _state["loading"] = True
    try:
        for name in BUILTIN_PLUGIN_MODULES:
            import_module(name)
        _state["loaded"] = True
    finally:
        _state["loading"] = False
