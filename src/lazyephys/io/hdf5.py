"""HDF5 stores of recordings (``save(format="hdf5")``) and the labelled arrays they share.

One file: a dataset per segment (``traces/segment_<i>``, time x channel), chunked on the
executor's grid so that no two chunks of a job write the same HDF5 chunk; the sampling
frequency, dtype and ``t_start`` of each segment as attributes; channel ids, properties and
time vectors as datasets; annotations as JSON. HDF5 files are not written by many processes
at once, so chunks are computed by a thread pool and written by this process under a lock,
one chunk at a time: memory stays at ``n_jobs`` chunks. ``save`` writes to a temporary name
and renames the file when it is complete. ``h5py`` is imported only here, when used.
"""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..errors import FormatError
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from .formats import FORMAT_VERSIONS, HDF5_RECORDING_FORMAT, check_format
from .metadata import decode_annotations, encode_annotations
from .saved_kind import SAVED_KIND_KEY, saved_kind_of

__all__ = [
    "HDF5_RECORDING_FORMAT",
    "HDF5_SIGNATURE",
    "Hdf5RecordingExtractor",
    "read_hdf5_recording",
    "write_hdf5_recording",
    "write_labels",
    "read_labels",
    "is_hdf5_file",
    "is_saved_hdf5_recording",
]

#: the first bytes of every HDF5 file
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
#: bytes of one HDF5 chunk of traces (about 1 MB): rows = this / bytes per frame
_CHUNK_BYTES = 1 << 20


def _h5py() -> Any:
    try:
        import h5py
    except ImportError as error:
        raise ImportError(
            "HDF5 stores need h5py: pip install 'lazyephys[analysis]'"
        ) from error
    return h5py


def is_hdf5_file(path: Path) -> bool:
    """True if ``path`` is a file that starts with the HDF5 signature."""
    try:
        with open(path, "rb") as handle:
            return handle.read(8) == HDF5_SIGNATURE
    except OSError:
        return False


def is_saved_hdf5_recording(path: Path) -> bool:
    """True if ``path`` is an HDF5 file that ``save(format="hdf5")`` wrote.

    Other HDF5 files (NWB, SONATA, ...) are left to the formats that read them.
    """
    if not is_hdf5_file(path):
        return False
    try:
        import h5py
    except ImportError:  # cannot tell: claim it, so that opening names the missing extra
        return True
    try:
        with h5py.File(path, "r") as handle:
            return _text(handle.attrs.get("format", "")) == HDF5_RECORDING_FORMAT
    except OSError:
        return False


# ------------------------------------------------------------------ labels
def write_labels(group: Any, name: str, values: Any) -> None:
    """An array as a dataset: numbers and booleans as they are, strings as UTF-8, anything
    else numpy can save without pickling (structured arrays) as ``.npy`` bytes."""
    array = np.asarray(values)
    if array.dtype.kind in "USO":
        data = np.array([str(v) for v in array.ravel().tolist()], dtype=object)
        group.create_dataset(name, data=data.reshape(array.shape),
                             dtype=_h5py().string_dtype())
    elif array.dtype.kind in "biuf":
        group.create_dataset(name, data=array)
    else:
        buffer = io.BytesIO()
        try:
            np.save(buffer, array, allow_pickle=False)
        except ValueError as error:
            raise TypeError(f"{name!r} of dtype {array.dtype} cannot be saved: {error}") from error
        dataset = group.create_dataset(name, data=np.frombuffer(buffer.getvalue(), np.uint8))
        dataset.attrs["encoding"] = "npy"


def read_labels(dataset: Any) -> np.ndarray:
    """Inverse of :func:`write_labels`: strings come back as a numpy str array."""
    if _text(dataset.attrs.get("encoding", "")) == "npy":
        return np.load(io.BytesIO(dataset[...].tobytes()), allow_pickle=False)
    if _h5py().check_string_dtype(dataset.dtype) is not None:
        return np.asarray(dataset.asstr()[...], dtype=str)
    return np.asarray(dataset[...])


# ------------------------------------------------------------------ writing
class _Hdf5Writer:
    """Worker state of the writing job: the recording, the open file and its lock."""

    def __init__(self, recording: Recording, datasets: list[Any], dtype: np.dtype,
                 lock: threading.Lock) -> None:
        self.recording = recording
        self.datasets = datasets
        self.dtype = dtype
        self.lock = lock

    def write(self, segment_index: int, start_frame: int, end_frame: int) -> None:
        from ..base.casting import cast_traces

        traces = self.recording.get_traces(segment_index, start_frame, end_frame)
        traces = cast_traces(traces, self.dtype, segment_index=segment_index,
                             start_frame=start_frame)
        with self.lock:
            self.datasets[segment_index][start_frame:end_frame] = traces


def _init_writer(recording: Recording, datasets: list[Any], dtype: np.dtype,
                 lock: threading.Lock) -> _Hdf5Writer:
    return _Hdf5Writer(recording, datasets, dtype, lock)


def _run_writer(segment_index: int, start_frame: int, end_frame: int,
                state: _Hdf5Writer) -> None:
    state.write(segment_index, start_frame, end_frame)


def write_hdf5_recording(recording: Recording, file_path: Any, dtype: Any = None,
                         **job_kwargs: Any) -> None:
    """Write ``recording`` to a new HDF5 file at ``file_path`` (chunk by chunk).

    Parameters
    ----------
    recording : Recording
    file_path : path
        The file to create (``save`` gives a temporary name and renames it when complete).
    dtype : dtype or None
        The stored dtype (the recording's by default); casts are checked.
    **job_kwargs
        ``n_jobs``, ``chunk_duration``... (chunks are computed by threads).
    """
    from ..jobs import run_chunked_job, split_job_kwargs

    h5py = _h5py()
    job_kwargs, rest = split_job_kwargs(job_kwargs)
    if rest:
        raise TypeError(f"unexpected arguments for format='hdf5': {sorted(rest)}")
    out_dtype = np.dtype(dtype or recording.get_dtype())
    num_channels = recording.get_num_channels()
    rows = max(1, _CHUNK_BYTES // max(1, num_channels * out_dtype.itemsize))
    with h5py.File(file_path, "w") as handle:
        handle.attrs["format"] = HDF5_RECORDING_FORMAT
        handle.attrs["version"] = FORMAT_VERSIONS[HDF5_RECORDING_FORMAT]
        handle.attrs["sampling_frequency"] = recording.get_sampling_frequency()
        handle.attrs["dtype"] = out_dtype.str
        handle.attrs["num_segments"] = recording.get_num_segments()
        handle.attrs["t_starts"] = [recording.get_start_time(i)
                                    for i in range(recording.get_num_segments())]
        handle.attrs["annotations"] = json.dumps(encode_annotations(
            {key: recording.get_annotation(key) for key in recording.get_annotation_keys()}))
        saved_kind = saved_kind_of(recording)
        if saved_kind is not None:
            handle.attrs[SAVED_KIND_KEY] = saved_kind
        write_labels(handle, "channel_ids", recording.get_channel_ids())
        properties = handle.create_group("properties")
        for key in recording.get_property_keys():
            write_labels(properties, key, recording.get_property(key))
        traces = handle.create_group("traces")
        times = handle.create_group("times")
        datasets = []
        for index in range(recording.get_num_segments()):
            num = recording.get_num_samples(index)
            datasets.append(traces.create_dataset(
                f"segment_{index}", shape=(num, num_channels), dtype=out_dtype,
                chunks=(min(rows, num), num_channels) if num and num_channels else None,
            ))
            if recording.has_time_vector(index):
                times.create_dataset(f"segment_{index}", data=recording.get_times(index))
        # threads share the open file; h5py serialises the writes, the lock keeps one chunk
        # being written at a time while the next ones are computed
        job_kwargs["pool_engine"] = "thread"
        run_chunked_job(recording, _init_writer,
                        {"datasets": datasets, "dtype": out_dtype, "lock": threading.Lock()},
                        _run_writer, grid=rows, job_name="write hdf5", **job_kwargs)


# ------------------------------------------------------------------ reading
class Hdf5Segment(RecordingSegment):
    """A segment read from one HDF5 dataset, opened on first use."""

    __slots__ = ("name", "owner")

    def __init__(self, owner: Hdf5RecordingExtractor, name: str, num_samples: int) -> None:
        super().__init__(num_samples)
        self.owner = owner
        self.name = name

    def get_traces(self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
                   ) -> np.ndarray:
        dataset = self.owner.open_file()["traces"][self.name]
        if isinstance(channel_selector, slice):
            return np.asarray(dataset[start_frame:end_frame, channel_selector])
        return np.asarray(dataset[start_frame:end_frame])[:, channel_selector]


@register_kind
class Hdf5RecordingExtractor(Recording):
    """A recording stored in an HDF5 file by ``save(format="hdf5")``, read lazily.

    Parameters
    ----------
    file_path : path
        The ``.h5`` file.
    """

    _path_arguments = ("file_path",)

    def __init__(self, file_path: str | os.PathLike[str]) -> None:
        self._file_path = Path(file_path)
        self._handle: Any = None
        self._lock = threading.Lock()
        where = str(self._file_path)
        handle = self.open_file()
        attrs = dict(handle.attrs)
        check_format({"format": _text(attrs.get("format")),
                      "version": int(attrs.get("version", 0))}, HDF5_RECORDING_FORMAT, where)
        channel_ids = read_labels(handle["channel_ids"])
        super().__init__(float(attrs["sampling_frequency"]), channel_ids,
                         np.dtype(_text(attrs["dtype"])))
        t_starts = [float(t) for t in np.atleast_1d(attrs["t_starts"])]
        for index in range(int(attrs["num_segments"])):
            name = f"segment_{index}"
            if name not in handle["traces"]:
                raise FormatError(f"{where}: the dataset traces/{name} is missing")
            num = int(handle["traces"][name].shape[0])
            vector = None
            if name in handle["times"]:
                vector = np.asarray(handle["times"][name][...], dtype=np.float64)
                vector.flags.writeable = False
            self.add_segment(Hdf5Segment(self, name, num), t_starts[index], vector)
        for key in handle["properties"]:
            self.set_property(key, read_labels(handle["properties"][key]))
        annotations = decode_annotations(json.loads(_text(attrs.get("annotations", "{}"))),
                                         where)
        if annotations:
            self.annotate(**annotations)
        if SAVED_KIND_KEY in attrs:
            self._saved_kind = _text(attrs[SAVED_KIND_KEY])

    def open_file(self) -> Any:
        """The open (read-only) h5py file, opened once per process."""
        with self._lock:
            if self._handle is None:
                self._handle = _h5py().File(self._file_path, "r")
            return self._handle


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def read_hdf5_recording(file_path: str | os.PathLike[str]) -> Hdf5RecordingExtractor:
    """Open a recording written by ``save(format="hdf5")``."""
    return Hdf5RecordingExtractor(file_path)
