"""save_counts / load_counts: counts and every label survive HDF5 and zarr."""

from __future__ import annotations

import numpy as np
import pytest

import lazyephys as le
from lazyephys.analysis import bin_spikes, epoch_counts, load_counts, save_counts
from lazyephys.errors import FormatError


@pytest.fixture
def sorting():
    sorting = le.generate_sorting(num_units=4, durations=[3.0], firing_rates=10.0, seed=0)
    sorting.set_property("quality", ["good", "mua", "good", "noise"])
    sorting.set_property("depth", [10.0, 20.0, 30.0, 40.0])
    return sorting


@pytest.mark.parametrize("fmt,name", [("hdf5", "b.h5"), ("zarr", "b.zarr")])
def test_binned_round_trip(tmp_path, sorting, fmt, name):
    binned = bin_spikes(sorting, 0.05, binary=True, unit_ids=["2", "0"])
    save_counts(binned, tmp_path / name, format=fmt)
    back = load_counts(tmp_path / name)
    assert isinstance(back, type(binned))
    np.testing.assert_array_equal(back.counts, binned.counts)
    assert back.counts.dtype == binned.counts.dtype
    np.testing.assert_array_equal(back.bin_edges, binned.bin_edges)
    assert back.unit_ids.tolist() == ["2", "0"] and back.binary and back.bin_duration == 0.05
    assert back.unit_properties["quality"].tolist() == ["good", "good"]
    np.testing.assert_array_equal(back.unit_properties["depth"], [30.0, 10.0])


@pytest.mark.parametrize("fmt,name", [("hdf5", "e.h5"), ("zarr", "e.zarr")])
def test_epoch_round_trip(tmp_path, sorting, fmt, name):
    table = {"start_time": np.array([0.5, 1.0]), "stop_time": np.array([0.9, 1.4]),
             "image": np.array(["cat", "dog"]), "contrast": np.array([0.8, 1.0])}
    counts = epoch_counts(sorting, table, num_bins=4)
    counts.save(tmp_path / name, format=fmt)
    back = load_counts(tmp_path / name)
    np.testing.assert_array_equal(back.counts, counts.counts)
    np.testing.assert_array_equal(back.bin_edges, counts.bin_edges)
    assert back.epochs["image"].tolist() == ["cat", "dog"]
    assert list(back.epochs)[:2] == ["start_time", "stop_time"]
    np.testing.assert_array_equal(back.bin_offsets, counts.bin_offsets)


def test_existing_target_and_foreign_files(tmp_path, sorting):
    binned = bin_spikes(sorting, 0.5)
    save_counts(binned, tmp_path / "c.h5")
    with pytest.raises(FileExistsError):
        save_counts(binned, tmp_path / "c.h5")
    save_counts(bin_spikes(sorting, 1.0), tmp_path / "c.h5", overwrite=True)
    assert load_counts(tmp_path / "c.h5").num_bins == 3
    le.generate_recording(num_channels=1, durations=[0.1]).save(folder=tmp_path / "r.h5",
                                                                format="hdf5")
    with pytest.raises(FormatError, match="save_counts"):
        load_counts(tmp_path / "r.h5")
    with pytest.raises(ValueError, match="format"):
        save_counts(binned, tmp_path / "d.npz", format="npz")
