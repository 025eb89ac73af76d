"""SpikeInterface's NPZ sorting format: one ``.npz`` archive of spike frames and labels.

The archive holds ``unit_ids``, ``num_segment`` and ``sampling_frequency`` (one-element
arrays for the last two) and, for each segment ``i``, ``spike_indexes_seg<i>`` (frames) and
``spike_labels_seg<i>`` (the unit id of each spike). Nothing in it is unpickled.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from ..base.provenance import register_kind
from ..sorting.base import Sorting
from ..sorting.in_memory import NumpySorting
from .formats import FormatError

__all__ = ["NpzSortingExtractor", "read_npz_sorting"]


def _read_archive(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise FileNotFoundError(f"the NPZ sorting file {path} does not exist")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (ValueError, OSError, zipfile.BadZipFile) as err:
        raise FormatError(f"{path} is not a readable NPZ sorting (no pickled objects are "
                          f"read): {err}") from err


@register_kind
class NpzSortingExtractor(NumpySorting):
    """A sorting read from SpikeInterface's NPZ format (held in memory once read).

    Parameters
    ----------
    file_path : str or Path
        The ``.npz`` file.

    Examples
    --------
    >>> import lazyephys as le
    >>> sorting = le.generate_sorting(num_units=3, durations=[1.0], seed=0)
    >>> NpzSortingExtractor.write_sorting(sorting, "sorting.npz")  # doctest: +SKIP
    >>> le.read_npz_sorting("sorting.npz").get_num_units()  # doctest: +SKIP
    3
    """

    _path_arguments = ("file_path",)
    _holds_data_in_memory = False

    def __init__(self, file_path: str | os.PathLike[str]) -> None:
        path = Path(file_path)
        archive = _read_archive(path)
        for key in ("unit_ids", "num_segment", "sampling_frequency"):
            if key not in archive:
                raise FormatError(f"{path} is not an NPZ sorting: it lacks {key!r}")
        num_segments = int(np.ravel(archive["num_segment"])[0])
        samples, labels = [], []
        for index in range(num_segments):
            names = (f"spike_indexes_seg{index}", f"spike_labels_seg{index}")
            missing = [name for name in names if name not in archive]
            if missing:
                raise FormatError(f"{path} declares {num_segments} segments but lacks {missing}")
            samples.append(archive[names[0]])
            labels.append(archive[names[1]])
        built = NumpySorting.from_samples_and_labels(
            samples, labels, float(np.ravel(archive["sampling_frequency"])[0]),
            unit_ids=archive["unit_ids"],
        )
        super().__init__(built.to_spike_vector(), built.get_sampling_frequency(),
                         built.get_unit_ids(), [None] * num_segments)
        self._record_argument("file_path", path)

    @staticmethod
    def write_sorting(sorting: Sorting, save_path: str | os.PathLike[str]) -> None:
        """Write ``sorting`` as an NPZ archive SpikeInterface reads (``.npz`` is appended by
        numpy when missing)."""
        unit_ids = np.asarray(sorting.get_unit_ids())
        content: dict[str, np.ndarray] = {
            "unit_ids": unit_ids,
            "num_segment": np.array([sorting.get_num_segments()], dtype=np.int64),
            "sampling_frequency": np.array([sorting.get_sampling_frequency()], dtype=np.float64),
        }
        for index, vector in enumerate(sorting.to_spike_vector(concatenated=False)):
            content[f"spike_indexes_seg{index}"] = np.asarray(vector["sample_index"], np.int64)
            content[f"spike_labels_seg{index}"] = unit_ids[vector["unit_index"]]
        np.savez(save_path, **content)  # type: ignore[arg-type]


def read_npz_sorting(file_path: str | os.PathLike[str]) -> NpzSortingExtractor:
    """Read a SpikeInterface NPZ sorting file (see :class:`NpzSortingExtractor`)."""
    return NpzSortingExtractor(file_path)
