"""SpikeInterface's provenance JSON files, translated into lazyephys objects.

SpikeInterface describes an object as ``{"class": "spikeinterface.<module>.<Class>",
"kwargs": {...}, "properties": {...}, "annotations": {...}, "relative_paths": bool}``, nested
objects as such dicts inside ``kwargs``. The class is looked up in a fixed table of the
classes translated here (by its last dotted name): nothing is imported and nothing is
unpickled because a file names it. An untranslated class is an error naming it and listing
the translated ones; a keyword this library cannot honour is an error too, never dropped.

Paths (``file_paths``, ``folder_path``, ``file_path``) of a dict with ``relative_paths`` true
resolve against the JSON file's folder (or ``base_folder``) and must stay inside it unless
``allow_paths_outside=True``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..base.extractor import BaseExtractor
from ..base.locations import as_local_path, is_inside, is_remote_url
from ..errors import FormatError, UnsafePathError
from ..recording.base import Recording
from ..sorting.base import Sorting

__all__ = ["translate_spikeinterface", "is_spikeinterface_description",
           "read_spikeinterface_json", "TRANSLATED_CLASSES"]

#: The keyword names SpikeInterface uses for paths.
_PATH_KEYS = ("file_paths", "folder_path", "file_path")

#: Keywords SpikeInterface records that change nothing here when they have these values.
_HARMLESS: dict[str, tuple[Any, ...]] = {
    "is_filtered": (None, True, False),
    "file_timestamps_paths": (None,),
    "mmap_mode": (None, "r"),
    "load_sync_timestamps": (False,),
    "experiment_names": (None,),
    "samples_for_rate_estimation": (1000,),
    "stream_cache_path": (None,),
    "cache": (False,),
    "use_pynwb": (False,),
    "add_reflect_padding": (False,),
    "regularize": (False,),
    "regularize_kwargs": (None,),
    "check_spike_frames": (True, False),
    "ignore_times": (True,),
    "coeff": (None,),
    # common reference: the fallback of the local and knn references, at their defaults
    "nneighbors": (None,),
    "backup_reference": ("global",),
    "backup_thr": (1,),
}


@dataclass
class _Context:
    where: str
    base_folder: Path | None
    allow_paths_outside: bool


def is_spikeinterface_description(value: Any) -> bool:
    """True for a dict shaped like SpikeInterface's ``to_dict()`` output."""
    if not isinstance(value, dict) or not isinstance(value.get("class"), str):
        return False
    module = str(value.get("module", value["class"]))
    return module.split(".")[0] == "spikeinterface" and "kwargs" in value


def _resolve(value: Any, relative: bool, context: _Context, key: str) -> Any:
    if isinstance(value, (list, tuple)):
        return [_resolve(v, relative, context, key) for v in value]
    if value is None or is_remote_url(value):
        return value
    if not isinstance(value, str):
        raise FormatError(f"{context.where}: the path {key}={value!r} is not a string")
    path = as_local_path(value)
    if not relative:
        return path
    if context.base_folder is None:
        raise FormatError(
            f"{context.where} holds relative paths ({key}={value!r}): give base_folder"
        )
    resolved = Path(os.path.realpath(context.base_folder / path))
    if not context.allow_paths_outside and (path.is_absolute()
                                            or not is_inside(resolved, context.base_folder)):
        raise UnsafePathError(
            f"{context.where}: the path {key}={value!r} points to {resolved}, outside "
            f"{context.base_folder}; load(..., allow_paths_outside=True) follows it"
        )
    return resolved


def _take(kwargs: dict[str, Any], names: tuple[str, ...], cls: str, context: _Context,
          renames: dict[str, str] | None = None) -> dict[str, Any]:
    """The keywords ``names`` (after ``renames``); any other keyword must be harmless."""
    renames = renames or {}
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        name = renames.get(key, key)
        if name in names:
            out[name] = value
        elif key in _HARMLESS and any(value is h or value == h for h in _HARMLESS[key]):
            continue
        else:
            raise FormatError(
                f"{context.where}: SpikeInterface's {cls} was given {key}={value!r}, which "
                f"lazyephys cannot honour (its translation takes {sorted(names)})"
            )
    return out


def _parent(kwargs: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in kwargs:
            return kwargs.pop(key)
    raise FormatError(f"the description has none of the keywords {keys}")


def _kind(name: str) -> Callable[..., Any]:
    from ..base.provenance import get_kind

    return get_kind(name)


def _by_name(kind: str, names: tuple[str, ...],
             renames: dict[str, str] | None = None) -> Callable[..., BaseExtractor]:
    """A translation to the registered kind ``kind`` taking the keywords ``names``."""
    def build(kwargs: dict[str, Any], cls: str, context: _Context) -> BaseExtractor:
        return _kind(kind)(**_take(kwargs, names, cls, context, renames))
    return build


def _channel_slice(kwargs: dict[str, Any], cls: str, context: _Context) -> BaseExtractor:
    parent = _parent(kwargs, "parent_recording", "recording")
    args = _take(kwargs, ("channel_ids", "renamed_channel_ids"), cls, context)
    out = parent if args.get("channel_ids") is None else parent.select_channels(
        args["channel_ids"])
    if args.get("renamed_channel_ids") is not None:
        out = out.rename_channels(args["renamed_channel_ids"])
    return out


def _frame_slice(kwargs: dict[str, Any], cls: str, context: _Context) -> BaseExtractor:
    parent = _parent(kwargs, "parent_recording", "recording", "parent_sorting", "sorting")
    args = _take(kwargs, ("start_frame", "end_frame"), cls, context)
    return parent.frame_slice(args.get("start_frame"), args.get("end_frame"))


def _select_segments(kwargs: dict[str, Any], cls: str, context: _Context) -> BaseExtractor:
    parent = _parent(kwargs, "recording", "parent_recording", "sorting", "parent_sorting")
    args = _take(kwargs, ("segment_indices",), cls, context)
    return parent.select_segments(args["segment_indices"])


def _units_selection(kwargs: dict[str, Any], cls: str, context: _Context) -> BaseExtractor:
    parent = _parent(kwargs, "parent_sorting", "sorting")
    args = _take(kwargs, ("unit_ids", "renamed_unit_ids"), cls, context)
    unit_ids = args.get("unit_ids")
    return parent.select_units(parent.get_unit_ids() if unit_ids is None else unit_ids,
                               args.get("renamed_unit_ids"))


def _aggregation(kwargs: dict[str, Any], cls: str, context: _Context) -> BaseExtractor:
    from ..recording.combine import aggregate_channels

    recordings = _parent(kwargs, "recording_list_or_dict", "recording_list")
    if isinstance(recordings, dict):
        recordings = list(recordings.values())
    args = _take(kwargs, ("renamed_channel_ids",), cls, context)
    return aggregate_channels(recordings, args.get("renamed_channel_ids"))


def _folder(kind: str) -> Callable[..., BaseExtractor]:
    def build(kwargs: dict[str, Any], cls: str, context: _Context) -> BaseExtractor:
        from ..io.load import load

        args = _take(kwargs, ("folder_path",), cls, context)
        loaded = load(args["folder_path"])
        expected = Sorting if kind == "sorting" else Recording
        if not isinstance(loaded, expected):
            raise FormatError(f"{context.where}: {cls} at {args['folder_path']} is not a {kind}")
        return loaded
    return build


def _npz_sorting(path: Path, where: str) -> Sorting:
    """A sorting from SpikeInterface's ``.npz`` layout (``unit_ids``, ``num_segment``,
    ``sampling_frequency``, ``spike_indexes_seg<i>``, ``spike_labels_seg<i>``), no pickles."""
    from ..sorting.in_memory import NumpySorting

    if not path.is_file():
        raise FileNotFoundError(f"{where} names the npz file {path}, which does not exist")
    with np.load(path, allow_pickle=False) as npz:
        missing = [k for k in ("unit_ids", "num_segment", "sampling_frequency") if k not in npz]
        if missing:
            raise FormatError(f"{path} is not a SpikeInterface npz sorting: no {missing}")
        num_segments = int(np.asarray(npz["num_segment"]).reshape(-1)[0])
        samples = [npz[f"spike_indexes_seg{i}"] for i in range(num_segments)]
        labels = [npz[f"spike_labels_seg{i}"] for i in range(num_segments)]
        return NumpySorting.from_samples_and_labels(
            samples, labels, float(np.asarray(npz["sampling_frequency"]).reshape(-1)[0]),
            unit_ids=npz["unit_ids"])


def _npz_file(kwargs: dict[str, Any], cls: str, context: _Context) -> BaseExtractor:
    args = _take(kwargs, ("file_path",), cls, context)
    return _npz_sorting(Path(args["file_path"]), context.where)


def _npz_folder(kwargs: dict[str, Any], cls: str, context: _Context) -> BaseExtractor:
    from ..io.spikeinterface_compat import (
        read_spikeinterface_annotations,
        read_spikeinterface_properties,
    )

    folder = Path(_take(kwargs, ("folder_path",), cls, context)["folder_path"])
    sorting = _npz_sorting(folder / "sorting_cached.npz", context.where)
    for key, values in read_spikeinterface_properties(folder, sorting.get_num_units()).items():
        sorting.set_property(key, values)
    annotations = read_spikeinterface_annotations(folder)
    if annotations:
        sorting.annotate(**annotations)
    return sorting


_FILTER = ("recording", "band", "btype", "filter_order", "ftype", "filter_mode", "direction",
           "margin_ms", "coeff", "dtype", "add_reflect_padding")

#: SpikeInterface class name -> its translation (a function of the built keywords).
TRANSLATED_CLASSES: dict[str, Callable[[dict[str, Any], str, _Context], BaseExtractor]] = {
    "AppendSegmentRecording": _by_name("AppendSegmentRecording",
                                       ("recording_list", "sampling_frequency_max_diff")),
    "AstypeRecording": _by_name("AstypeRecording", ("recording", "dtype", "round")),
    "BandpassFilterRecording": _by_name(
        "BandpassFilterRecording", ("recording", "freq_min", "freq_max", "margin_ms", "dtype",
                                    "filter_order", "ftype", "filter_mode", "direction",
                                    "add_reflect_padding")),
    "BinaryFolderRecording": _folder("recording"),
    "BlackrockRecordingExtractor": _by_name(
        "BlackrockRecordingExtractor", ("file_path", "stream_id", "stream_name", "block_index",
                                        "all_annotations", "use_names_as_ids")),
    "BinaryRecordingExtractor": _by_name(
        "BinaryRecordingExtractor", ("file_paths", "sampling_frequency", "dtype",
                                     "num_channels", "t_starts", "channel_ids", "time_axis",
                                     "file_offset", "gain_to_uV", "offset_to_uV"),
        {"num_chan": "num_channels", "files_path": "file_paths", "offset": "file_offset"}),
    "ChannelSliceRecording": _channel_slice,
    "ChannelsAggregationRecording": _aggregation,
    "CommonReferenceRecording": _by_name(
        "CommonReferenceRecording", ("recording", "reference", "operator", "groups",
                                     "ref_channel_ids", "local_radius", "dtype")),
    "ConcatenateSegmentRecording": _by_name(
        "ConcatenateSegmentRecording", ("recording_list", "sampling_frequency_max_diff")),
    "FilterRecording": _by_name("FilterRecording", _FILTER),
    "FrameSliceRecording": _frame_slice,
    "FrameSliceSorting": _frame_slice,
    "HighpassFilterRecording": _by_name(
        "HighpassFilterRecording", ("recording", "freq_min", "margin_ms", "dtype",
                                    "filter_order", "ftype", "filter_mode", "direction",
                                    "add_reflect_padding")),
    "IntanRecordingExtractor": _by_name(
        "IntanRecordingExtractor", ("file_path", "stream_id", "stream_name", "all_annotations",
                                    "use_names_as_ids", "ignore_integrity_checks")),
    "NotchFilterRecording": _by_name("NotchFilterRecording",
                                     ("recording", "freq", "q", "margin_ms", "dtype")),
    "NpzFolderSorting": _npz_folder,
    "NpzSortingExtractor": _npz_file,
    "NumpyFolderSorting": _folder("sorting"),
    "NwbRecordingExtractor": _by_name(
        "NwbRecordingExtractor", ("file_path", "electrical_series_path", "load_time_vector",
                                  "stream_mode", "storage_options")),
    "NwbSortingExtractor": _by_name(
        "NwbSortingExtractor", ("file_path", "electrical_series_path", "sampling_frequency",
                                "t_start", "stream_mode", "storage_options")),
    "OpenEphysBinaryRecordingExtractor": _by_name(
        "OpenEphysBinaryRecordingExtractor", ("folder_path", "stream_id", "stream_name",
                                              "block_index", "all_annotations")),
    "PhaseShiftRecording": _by_name("PhaseShiftRecording",
                                    ("recording", "margin_ms", "inter_sample_shift", "dtype")),
    "ScaleRecording": _by_name("ScaleRecording", ("recording", "gain", "offset", "dtype")),
    "SelectSegmentRecording": _select_segments,
    "SelectSegmentSorting": _select_segments,
    "SpikeGLXRecordingExtractor": _by_name(
        "SpikeGLXRecordingExtractor", ("folder_path", "stream_id", "stream_name",
                                       "load_sync_channel", "all_annotations",
                                       "use_names_as_ids")),
    "UnitsSelectionSorting": _units_selection,
    "UnsignedToSignedRecording": _by_name("UnsignedToSignedRecording",
                                          ("recording", "bit_depth")),
    "WhitenRecording": _by_name(
        "WhitenRecording", ("recording", "mode", "radius_um", "apply_mean", "eps", "int_scale",
                            "dtype", "W", "M")),
    "ZarrRecordingExtractor": _by_name("ZarrRecordingExtractor",
                                       ("folder_path", "storage_options")),
    "ZarrSortingExtractor": _by_name("ZarrSortingExtractor",
                                     ("folder_path", "storage_options")),
}


def _nested(value: Any) -> list[Any]:
    """The SpikeInterface descriptions directly inside a keyword value."""
    if is_spikeinterface_description(value):
        return [value]
    if isinstance(value, list):
        return [v for v in value if is_spikeinterface_description(v)]
    if isinstance(value, dict):
        return [v for v in value.values() if is_spikeinterface_description(v)]
    return []


def _children_first(description: dict[str, Any]) -> list[dict[str, Any]]:
    """Every description in the tree, children before parents (no recursion)."""
    order: list[dict[str, Any]] = []
    stack: list[tuple[dict[str, Any], bool]] = [(description, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        stack.append((node, True))
        kwargs = node.get("kwargs")
        if not isinstance(kwargs, dict):
            raise FormatError(f"the SpikeInterface description of {node.get('class')!r} has no "
                              "kwargs object")
        for value in kwargs.values():
            stack.extend((child, False) for child in _nested(value))
    return order


def _substitute(value: Any, built: dict[int, BaseExtractor]) -> Any:
    if isinstance(value, dict) and id(value) in built:
        return built[id(value)]
    if isinstance(value, list):
        return [_substitute(v, built) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, built) for k, v in value.items()}
    return value


def _apply_metadata(obj: BaseExtractor, node: dict[str, Any], context: _Context) -> None:
    """SpikeInterface's recorded probe, properties and annotations, as it restores them."""
    probegroup = node.get("probegroup")
    if isinstance(obj, Recording) and isinstance(probegroup, dict) and probegroup.get("probes"):
        from probeinterface import ProbeGroup

        obj.set_probegroup(ProbeGroup.from_dict(probegroup), in_place=True)
    properties = node.get("properties") or {}
    if isinstance(properties, dict):
        size = len(obj.ids_to_indices())  # the number of channels or units
        for key, values in properties.items():
            if values is None or (key in ("contact_vector", "location") and probegroup):
                continue
            array = np.asarray(values)
            if array.ndim == 0 or array.shape[0] != size or array.dtype.kind == "O":
                raise FormatError(
                    f"{context.where}: the property {key!r} of {node['class']} has shape "
                    f"{array.shape}, not one value per id ({size})"
                )
            obj.set_property(key, array)
    annotations = node.get("annotations") or {}
    if isinstance(annotations, dict) and annotations:
        obj.annotate(**{str(k): v for k, v in annotations.items()})


def translate_spikeinterface(
    description: dict[str, Any],
    base_folder: str | os.PathLike[str] | None = None,
    allow_paths_outside: bool = False,
    where: str = "the SpikeInterface description",
) -> Recording | Sorting:
    """Build the lazyephys object a SpikeInterface ``to_dict()`` description describes.

    Parameters
    ----------
    description : dict
        SpikeInterface's description (a ``.json`` file's content).
    base_folder : path or None
        The folder relative paths resolve against (a JSON file's own folder).
    allow_paths_outside : bool
        Follow relative paths that lead out of ``base_folder``.
    where : str
        What the description is, for messages.

    Raises
    ------
    FormatError
        For a class not in :data:`TRANSLATED_CLASSES` (the message lists them), or a keyword
        that cannot be honoured.
    """
    context = _Context(where, None if base_folder is None else Path(base_folder),
                       allow_paths_outside)
    built: dict[int, BaseExtractor] = {}
    for node in _children_first(description):
        class_name = str(node["class"]).rsplit(".", 1)[-1]
        translate = TRANSLATED_CLASSES.get(class_name)
        if translate is None:
            raise FormatError(
                f"{where} names SpikeInterface's {node['class']!r}, which lazyephys does not "
                f"translate; the translated classes are {', '.join(sorted(TRANSLATED_CLASSES))}"
            )
        relative = bool(node.get("relative_paths", False))
        kwargs = {key: _substitute(value, built) for key, value in node["kwargs"].items()}
        for key in _PATH_KEYS:
            if key in kwargs:
                kwargs[key] = _resolve(kwargs[key], relative, context, key)
        obj = translate(kwargs, class_name, context)
        _apply_metadata(obj, node, context)
        built[id(node)] = obj
    result = built[id(description)]
    if not isinstance(result, (Recording, Sorting)):
        raise FormatError(f"{where} does not describe a recording or a sorting")
    return result


def read_spikeinterface_json(
    file_path: str | os.PathLike[str],
    base_folder: str | os.PathLike[str] | None = None,
    allow_paths_outside: bool = False,
) -> Recording | Sorting:
    """Translate a SpikeInterface provenance JSON file (``dump_to_json``, ``si_folder.json``,
    ``provenance.json``); relative paths resolve against its folder by default."""
    path = Path(file_path)
    try:
        with open(path, encoding="utf-8") as handle:
            description = json.load(handle)
    except json.JSONDecodeError as error:
        raise FormatError(f"{path} is not valid JSON: {error}") from error
    if not is_spikeinterface_description(description):
        raise FormatError(f"{path} is not a SpikeInterface provenance (no spikeinterface class)")
    return translate_spikeinterface(description, base_folder or path.parent,
                                    allow_paths_outside, where=str(path))
