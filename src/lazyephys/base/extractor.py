"""The extractor base shared by recordings and sortings: ids, properties, annotations, provenance.

Constructor arguments are captured automatically when an object is built (they are what
``to_dict`` writes), so no class keeps a hand-written copy of its own arguments. State changed
after construction (properties, annotations, and what subclasses add, such as times) is
tracked and written beside the arguments, so a rebuilt object is the same object.
"""

from __future__ import annotations

import copy
import functools
import inspect
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal, overload

import numpy as np

from ..errors import FormatError, FormatVersionError
from .arguments import check_arguments
from .doors import persistence
from .ids import IdIndex, as_id_array
from .provenance import (
    PROVENANCE_FORMAT,
    PROVENANCE_VERSION,
    PathEncoder,
    decode_value,
    encode_value,
    get_kind,
    make_path_resolver,
    nested_descriptions,
)
from .provenance_file import write_provenance_file

__all__ = ["BaseExtractor"]


def _missing_value_for(values: np.ndarray, key: str) -> Any:
    kind = values.dtype.kind
    if kind == "f":
        return np.nan
    if kind == "c":
        return complex(np.nan, np.nan)
    if kind == "U":
        return ""
    if kind == "b":
        return False
    if kind == "O":
        return None
    raise ValueError(
        f"property {key!r} has dtype {values.dtype}: give missing_value=... for the ids "
        "that are not set"
    )


class BaseExtractor:
    """Ids, properties aligned with them, annotations, and provenance.

    Subclasses call ``super().__init__(ids)`` and declare which constructor arguments are
    paths in ``_path_arguments`` so that provenance can make them relative.
    """

    _id_name: ClassVar[str] = "id"
    _path_arguments: ClassVar[tuple[str, ...]] = ()
    _holds_data_in_memory: ClassVar[bool] = False
    #: A kind that is rebuilt over its own saved form: ``save`` writes its name into the
    #: folder's (or store's, or file's) metadata, and ``load`` hands the loaded recording or
    #: sorting to :meth:`_from_saved`. Kinds whose saved form is all they are leave it False.
    _restores_saved_form: ClassVar[bool] = False
    #: Set by the readers of saved folders, stores and files: the ``saved_kind`` their
    #: metadata names (None: the object loads as it was saved).
    _saved_kind: str | None = None

    _kwargs: dict[str, Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None or getattr(init, "_captures_arguments", False):
            return
        signature = inspect.signature(init)
        parameters = list(signature.parameters.values())[1:]
        varkw = next((p.name for p in parameters if p.kind is p.VAR_KEYWORD), None)
        if any(p.kind is p.VAR_POSITIONAL for p in parameters):
            raise TypeError(f"{cls.__name__}.__init__ may not take *args: provenance needs names")

        @functools.wraps(init)
        def captured_init(self: BaseExtractor, *args: Any, **kw: Any) -> None:
            outermost = type(self).__init__ is captured_init
            if outermost:
                bound = signature.bind(self, *args, **kw)
                bound.apply_defaults()
                arguments = dict(bound.arguments)
                arguments.pop(next(iter(signature.parameters)))
                if varkw is not None:
                    arguments.update(arguments.pop(varkw))
                # constructors and loaders (which rebuild through constructors) check alike
                check_arguments(type(self), arguments)
                self._kwargs = arguments
            init(self, *args, **kw)
            if outermost:
                self._mark_clean()

        captured_init._captures_arguments = True  # type: ignore[attr-defined]
        cls.__init__ = captured_init  # type: ignore[method-assign]

    def __init__(self, ids: Any) -> None:
        self._ids = as_id_array(ids, f"{self._id_name}_ids")
        self._id_index: IdIndex | None = None
        self._properties: dict[str, np.ndarray] = {}
        self._annotations: dict[str, Any] = {}
        self._changed_properties: set[str] = set()
        self._changed_annotations: set[str] = set()

    # ------------------------------------------------------------ provenance
    @classmethod
    def _from_saved(cls, saved: BaseExtractor) -> BaseExtractor:
        """This kind over ``saved``, the recording or sorting that ``load`` opened from an
        object of this kind saved to a folder, store or file (its properties and annotations
        included). Kinds with ``_restores_saved_form`` override it."""
        raise NotImplementedError(f"{cls.__name__} is not rebuilt over its saved form")

    @classmethod
    def _path_arguments_in(cls, kwargs: Mapping[str, Any]) -> tuple[str, ...]:
        """The names of the path arguments of a description with these (raw) ``kwargs``.

        A kind whose path arguments depend on another argument (a reader over many file
        formats) overrides this, so that a value that names no file is never resolved as a
        path when its description is loaded.
        """
        return cls._path_arguments

    def _record_argument(self, name: str, value: Any) -> None:
        """Record the normalised value of constructor argument ``name`` in the provenance.

        For arguments that are resolved while building (a drawn seed, fitted parameters,
        resolved paths): the provenance then rebuilds the same object. ``_kwargs`` is only the
        provenance record; no object reads another's. A name that is not a constructor
        argument raises, so renaming an argument cannot silently break provenance.
        """
        if name not in self._kwargs:
            raise KeyError(
                f"{type(self).__name__} has no constructor argument {name!r} to record; its "
                f"arguments are {sorted(self._kwargs)}"
            )
        self._kwargs[name] = value

    # ------------------------------------------------------------------ ids
    def _ids_to_indices(self, ids: Any) -> np.ndarray:
        if self._id_index is None:
            self._id_index = IdIndex(self._ids, self._id_name)
        return self._id_index.indices(ids)

    def _id_to_index(self, one_id: Any) -> int:
        if self._id_index is None:
            self._id_index = IdIndex(self._ids, self._id_name)
        return self._id_index.index(one_id)

    def id_to_index(self, id: Any) -> int:
        """The index of one id.

        Examples
        --------
        >>> import lazyephys as le
        >>> le.generate_recording(num_channels=3, durations=[1.0]).id_to_index("2")
        2
        """
        return self._id_to_index(id)

    @overload
    def ids_to_indices(self, ids: Any = None, prefer_slice: Literal[False] = False) -> np.ndarray:
        ...

    @overload
    def ids_to_indices(self, ids: Any = None, *, prefer_slice: bool) -> np.ndarray | slice:
        ...

    def ids_to_indices(self, ids: Any = None, prefer_slice: bool = False) -> np.ndarray | slice:
        """The indices of ``ids`` (all ids when None), or a slice when they are contiguous.

        Parameters
        ----------
        ids : list, array, tuple or None
            Ids to look up; None means every id.
        prefer_slice : bool
            Return a ``slice`` when the indices are consecutive and increasing.

        Examples
        --------
        >>> import lazyephys as le
        >>> rec = le.generate_recording(num_channels=4, durations=[1.0])
        >>> rec.ids_to_indices(["1", "2"], prefer_slice=True)
        slice(1, 3, None)
        """
        if ids is None:
            return slice(None) if prefer_slice else np.arange(self._ids.size, dtype=np.int64)
        indices = self._ids_to_indices(ids)
        if prefer_slice and indices.size and bool(np.all(np.diff(indices) == 1)):
            return slice(int(indices[0]), int(indices[-1]) + 1)
        return indices

    @property
    def name(self) -> str:
        """The ``"name"`` annotation, or the class name when there is none."""
        value = self._annotations.get("name")
        return type(self).__name__ if value is None else str(value)

    @name.setter
    def name(self, value: str | None) -> None:
        if value is None:
            if "name" in self._annotations:
                del self._annotations["name"]
                self._changed_annotations.add("name")
        else:
            self.annotate(name=str(value))

    def get_parent(self) -> BaseExtractor | None:
        """The one object this object is built over (a view's or a step's input), else None.

        Objects built over several (aggregations, concatenations) or over files have no
        single parent and return None.
        """
        children = self._child_extractors()
        return children[0] if len(children) == 1 else None

    def clone(self) -> BaseExtractor:
        """A new, independent object rebuilt from this one's provenance (data not copied).

        Examples
        --------
        >>> import lazyephys as le
        >>> rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
        >>> twin = rec.clone()
        >>> twin is rec, bool((twin.get_traces() == rec.get_traces()).all())
        (False, True)
        """
        description = self._describe(PathEncoder(), arrays_as_lists=False)
        return BaseExtractor.from_dict(copy.deepcopy(description), allow_paths_outside=True)

    def dump(
        self,
        file_path: str | os.PathLike[str],
        relative_to: str | os.PathLike[str] | bool | None = None,
    ) -> None:
        """Write this object's provenance to a ``.json`` file (see :meth:`dump_to_json`).

        Pickle files (``.pkl``) are not written: loading them would run code named in a file.
        """
        suffix = Path(file_path).suffix.lower()
        if suffix != ".json":
            raise ValueError(
                f"dump writes JSON provenance: {str(file_path)!r} must end with '.json' "
                f"(got {suffix or 'no suffix'!r}; pickle files are not written because loading "
                "one runs code named in the file)"
            )
        self.dump_to_json(file_path, relative_to=relative_to)

    # ------------------------------------------------------------ properties
    def _check_property(self, key: str, values: np.ndarray) -> np.ndarray:
        """Check (and possibly convert) the values of a property that has a meaning.

        The one place where constructors, setters and loaders (which all call
        :meth:`set_property`) meet; subclasses refuse values that would give wrong data.
        """
        return values

    def set_property(
        self, key: str, values: Any, ids: Any = None, missing_value: Any = None
    ) -> None:
        """Set a property: one value per id (in place).

        Parameters
        ----------
        key : str
            The property name.
        values : array-like
            One value per id (first axis), or one per id in ``ids``.
        ids : list or None
            Set only these ids. Ids not given keep their value, or get ``missing_value`` if
            the property is new (NaN for floats, "" for strings, False for bools; integer
            properties require ``missing_value``).
        missing_value : object
            Value for the ids left out when the property is created.
        """
        if not isinstance(key, str):
            raise TypeError(f"property key must be str, got {key!r}")
        array = np.asarray(values)
        if array.ndim == 0:
            raise ValueError(f"property {key!r} needs one value per id, got the scalar {values!r}")
        array = self._check_property(key, array)
        n = self._ids.size
        if ids is None:
            if array.shape[0] != n:
                raise ValueError(
                    f"property {key!r} has {array.shape[0]} values but there are {n} "
                    f"{self._id_name}s"
                )
            stored = array.copy()
        else:
            indices = self._ids_to_indices(ids)
            if array.shape[0] != indices.size:
                raise ValueError(
                    f"property {key!r} has {array.shape[0]} values for {indices.size} ids"
                )
            if key in self._properties:
                existing = self._properties[key]
                dtype = np.result_type(existing, array)
                stored = existing.astype(dtype, copy=True)
            else:
                fill = _missing_value_for(array, key) if missing_value is None else missing_value
                dtype = np.result_type(array, np.asarray(fill))
                stored = np.full((n, *array.shape[1:]), fill, dtype=dtype)
            stored[indices] = array
        stored.flags.writeable = False
        self._properties[key] = stored
        self._changed_properties.add(key)

    def get_property(self, key: str, ids: Any = None) -> np.ndarray:
        """A property's values (read-only array), for all ids or the ``ids`` given."""
        if key not in self._properties:
            raise KeyError(
                f"no property {key!r}; properties are {sorted(self._properties)!r}"
            )
        values = self._properties[key]
        if ids is None:
            return values
        return values[self._ids_to_indices(ids)]

    def get_property_keys(self) -> list[str]:
        """Names of the properties, in the order they were set."""
        return list(self._properties)

    def delete_property(self, key: str) -> None:
        """Remove a property (in place)."""
        if key not in self._properties:
            raise KeyError(f"no property {key!r}; properties are {sorted(self._properties)!r}")
        del self._properties[key]
        self._changed_properties.add(key)

    # ----------------------------------------------------------- annotations
    def annotate(self, **annotations: Any) -> None:
        """Add or replace annotations (JSON-like values describing the whole object)."""
        for key, value in annotations.items():
            self._annotations[key] = value
            self._changed_annotations.add(key)

    def get_annotation(self, key: str, copy_value: bool = True) -> Any:
        """An annotation's value (a deep copy unless ``copy_value=False``)."""
        if key not in self._annotations:
            raise KeyError(f"no annotation {key!r}; annotations are {sorted(self._annotations)!r}")
        value = self._annotations[key]
        return copy.deepcopy(value) if copy_value else value

    def get_annotation_keys(self) -> list[str]:
        """Names of the annotations."""
        return list(self._annotations)

    # ------------------------------------------------------------ state copy
    def copy_metadata(self, other: BaseExtractor, ids: Any = None) -> None:
        """Give ``other`` this object's properties and annotations.

        ``ids`` selects the rows of the properties (``other`` then has those ids, in that
        order); None copies them whole. For kinds built over a parent with the same ids.
        """
        indices = None if ids is None else self.ids_to_indices(ids)
        other._copy_metadata_from(self, indices)

    def _copy_metadata_from(self, other: BaseExtractor, indices: np.ndarray | None = None) -> None:
        """Take ``other``'s properties (rows ``indices``) and annotations. For views."""
        for key, values in other._properties.items():
            taken = values if indices is None else values[indices]
            if indices is not None:
                taken.flags.writeable = False
            self._properties[key] = taken
        self._annotations.update(copy.deepcopy(other._annotations))

    def _mark_clean(self) -> None:
        """Called once construction ends: what is set from now on is state to save."""
        self._changed_properties = set()
        self._changed_annotations = set()

    def _has_changed_state(self) -> bool:
        return bool(self._changed_properties or self._changed_annotations)

    def _get_changed_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {}
        props = {k: self._properties[k] for k in self._changed_properties if k in self._properties}
        deleted = sorted(k for k in self._changed_properties if k not in self._properties)
        if props:
            state["properties"] = props
        if deleted:
            state["deleted_properties"] = deleted
        if self._changed_annotations:
            state["annotations"] = {k: self._annotations[k] for k in self._changed_annotations}
        return state

    def _apply_state(self, state: dict[str, Any]) -> None:
        for key, values in state.get("properties", {}).items():
            self.set_property(key, values)
        for key in state.get("deleted_properties", []):
            self._properties.pop(key, None)
            self._changed_properties.add(key)
        if state.get("annotations"):
            self.annotate(**state["annotations"])

    # ------------------------------------------------------------ provenance
    def paths_read(self) -> list[str | os.PathLike[str]]:
        """The paths this object and everything it is built on read from, as given.

        Taken from the constructor arguments each kind declares as paths; remote URLs
        included. The persistence layer checks a save never overwrites its own source.
        """
        found: list[Any] = []
        stack: list[BaseExtractor] = [self]
        seen: set[int] = set()
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            for name in current._path_arguments:
                value = current._kwargs.get(name)
                values = value if isinstance(value, (list, tuple)) else [value]
                found.extend(item for item in values if item is not None)
            stack.extend(current._child_extractors())
        return found

    def _child_extractors(self) -> list[BaseExtractor]:
        found: list[BaseExtractor] = []

        def walk(value: Any) -> None:
            if isinstance(value, BaseExtractor):
                found.append(value)
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    walk(item)

        walk(self._kwargs)
        return found

    def is_in_memory(self) -> bool:
        """True if this object or anything it reads from holds its data in memory.

        Such objects pickle with their data; they cannot be written to a JSON provenance file.
        """
        if self._holds_data_in_memory:
            return True
        return any(child.is_in_memory() for child in self._child_extractors())

    def _describe(self, paths: PathEncoder, arrays_as_lists: bool) -> dict[str, Any]:
        kwargs = {
            name: encode_value(value, paths, arrays_as_lists, is_path=name in self._path_arguments)
            for name, value in self._kwargs.items()
        }
        description: dict[str, Any] = {"kind": type(self).__name__, "kwargs": kwargs}
        state = self._get_changed_state()
        if state:
            description["state"] = encode_value(state, paths, arrays_as_lists)
        return description

    def to_dict(self, relative_to: str | os.PathLike[str] | None = None) -> dict[str, Any]:
        """Describe this object as a JSON-safe dict that :meth:`from_dict` rebuilds.

        Parameters
        ----------
        relative_to : path or None
            Write every file path relative to this folder (they are resolved again with
            ``load(..., base_folder=...)``).

        Returns
        -------
        dict
            ``{"format", "version", "kind", "kwargs", "state"}``.
        """
        if relative_to is True:
            raise ValueError("relative_to=True needs a file; use dump_to_json(file_path, True)")
        header = {"format": PROVENANCE_FORMAT, "version": PROVENANCE_VERSION}
        return {**header, **self._describe(PathEncoder(relative_to), arrays_as_lists=True)}

    @classmethod
    def from_dict(
        cls,
        description: dict[str, Any],
        base_folder: str | os.PathLike[str] | None = None,
        _resolve_path: Callable[[dict[str, Any]], Any] | None = None,
        *,
        allow_paths_outside: bool = False,
    ) -> BaseExtractor:
        """Rebuild an object from :meth:`to_dict`'s output.

        Only registered kinds are built. With ``base_folder``, every path must resolve inside
        it (relative paths resolve against it, never against the working directory); absolute
        paths, plain strings and URLs are refused unless ``allow_paths_outside=True``.
        """
        if not isinstance(description, dict):
            raise TypeError(f"expected a provenance dict, got {type(description).__name__}")
        fmt = description.get("format", PROVENANCE_FORMAT)
        if fmt != PROVENANCE_FORMAT:
            raise FormatError(f"not a lazyephys provenance dict: format is {fmt!r}")
        version = description.get("version", PROVENANCE_VERSION)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise FormatError(
                f"provenance version {version!r} is not a version: expected a positive integer "
                f"(this lazyephys writes {PROVENANCE_VERSION})"
            )
        if version > PROVENANCE_VERSION:
            raise FormatVersionError(
                f"provenance version {version!r} is newer than this lazyephys understands "
                f"(up to {PROVENANCE_VERSION}); upgrade lazyephys"
            )
        resolve = _resolve_path or make_path_resolver(
            base_folder, confined=base_folder is not None,
            allow_paths_outside=allow_paths_outside,
        )
        built: dict[int, BaseExtractor] = {}
        # children first, each built once: a chain of any depth loads without recursion
        for node in nested_descriptions(description):
            built[id(node)] = _build_one(node, resolve, built)
        obj = built[id(description)]
        if not isinstance(obj, cls):
            raise TypeError(f"{description['kind']} is not a {cls.__name__}")
        return obj

    def dump_to_json(
        self,
        file_path: str | os.PathLike[str],
        relative_to: str | os.PathLike[str] | bool | None = None,
    ) -> None:
        """Write the provenance of this object to a JSON file.

        Parameters
        ----------
        file_path : path
            The JSON file to write.
        relative_to : path, True or None
            Write every path relative to this folder; ``True`` means the JSON file's folder.
            The file records which: a file relative to its own folder loads from wherever it
            is moved with its data; one relative to another folder needs
            ``load(file, base_folder=...)``. None writes absolute paths.

        Examples
        --------
        >>> import lazyephys as le
        >>> rec = le.load("saved_rec")  # doctest: +SKIP
        >>> rec.frame_slice(0, 100).dump_to_json("chain.json", relative_to=True)  # doctest: +SKIP
        >>> le.load("chain.json")  # doctest: +SKIP
        """
        if self.is_in_memory():
            raise ValueError(
                f"{type(self).__name__} reads data held in memory, which a JSON file cannot "
                "describe; save it first (save(folder=...)) and dump the saved object"
            )
        write_provenance_file(file_path, relative_to, self.to_dict)

    # ----------------------------------------------------------- persistence
    # The persistence layer lives in lazyephys.io; these methods are its familiar entry points.
    def save(
        self,
        folder: str | os.PathLike[str] | None = None,
        format: str = "binary",
        overwrite: bool = False,
        **kwargs: Any,
    ) -> BaseExtractor:
        """Save (compute) this object and return the saved, reloaded object.

        See :func:`lazyephys.io.save.save` for the formats and options.
        """
        return persistence().save(
            self, folder=folder, format=format, overwrite=overwrite, **kwargs
        )

    def save_to_folder(
        self, folder: str | os.PathLike[str] | None = None, overwrite: bool = False,
        **kwargs: Any,
    ) -> BaseExtractor:
        """Save to a binary folder; same as ``save(format="binary")``."""
        return self.save(folder=folder, format="binary", overwrite=overwrite, **kwargs)

    def save_to_zarr(
        self,
        folder: str | os.PathLike[str] | None = None,
        overwrite: bool = False,
        storage_options: dict[str, Any] | None = None,
        channel_chunk_size: int | None = None,
        **kwargs: Any,
    ) -> BaseExtractor:
        """Save to a zarr (format 3) store; same as ``save(format="zarr")``."""
        return self.save(folder=folder, format="zarr", overwrite=overwrite,
                         storage_options=storage_options,
                         channel_chunk_size=channel_chunk_size, **kwargs)

    def save_to_memory(self, sharedmem: bool = False, **kwargs: Any) -> BaseExtractor:
        """Compute into memory; same as ``save(format="memory")``.

        With ``sharedmem=True`` (recordings) the traces live in shared memory, which process
        workers map without copies.
        """
        if sharedmem:
            kwargs["sharedmem"] = True
        return self.save(format="memory", **kwargs)

    def __reduce__(self) -> tuple[Any, ...]:
        description = self._describe(PathEncoder(), arrays_as_lists=False)
        return (_rebuild, (description,))


def _build_one(
    node: Any, resolve: Callable[[dict[str, Any]], Any], built: dict[int, BaseExtractor]
) -> BaseExtractor:
    """Build one description whose nested descriptions are already in ``built``."""
    if not isinstance(node, dict):
        raise FormatError(f"a nested provenance must be a JSON object, got {node!r:.80}")
    for key in ("kind", "kwargs"):
        if key not in node:
            raise FormatError(f"provenance dict is missing the key {key!r}")
    kind = get_kind(node["kind"])
    raw_kwargs = node["kwargs"]
    if not isinstance(raw_kwargs, dict):
        raise FormatError(
            f"the kwargs of {node['kind']} must be a JSON object, got {raw_kwargs!r:.80}"
        )
    argument = getattr(resolve, "argument", None)
    path_arguments = kind._path_arguments_in(raw_kwargs)
    kwargs: dict[str, Any] = {}
    for name, value in raw_kwargs.items():
        try:
            if name in path_arguments and argument is not None:
                kwargs[name] = argument(value)
            else:
                kwargs[name] = decode_value(value, resolve, built)
        except (ValueError, TypeError, KeyError, OSError) as error:
            raise _naming_argument(error, kind.__name__, name) from error
    obj = kind(**kwargs)
    state = node.get("state")
    if state:
        try:
            obj._apply_state(decode_value(state, resolve, built))
        except (ValueError, TypeError) as error:
            # the saved state (properties, times) disagrees with what the arguments built:
            # either may be the damaged part, so both are named
            raise _naming_argument(
                error, kind.__name__,
                f"the saved state does not fit the object its arguments "
                f"({', '.join(sorted(raw_kwargs))}) build", prefix="",
            ) from error
    return obj


def _naming_argument(error: Exception, kind: str, name: str, prefix: str = "argument ",
                     ) -> Exception:
    """The same error, its message prefixed with the kind and argument it was decoding."""
    message = error.args[0] if len(error.args) == 1 and isinstance(error.args[0], str) \
        else str(error)
    try:
        return type(error)(f"{kind}: {prefix}{name}: {message}")
    except Exception:  # an exception type with another signature: keep it as it is
        return error


def _rebuild(description: dict[str, Any]) -> BaseExtractor:
    return BaseExtractor.from_dict(description)
