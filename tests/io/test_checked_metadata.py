"""Loaded metadata is checked exactly as constructor arguments are: no silently wrong object."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import lazyephys as le
from lazyephys.base.validation import check_time_vector, check_traces_dtype

from .conftest import FIXTURES


@pytest.fixture
def rec():
    return le.generate_recording(num_channels=2, durations=[0.1, 0.05], seed=1, dtype="int16")


# ------------------------------------------------------------------ dtypes
@pytest.mark.parametrize("dtype", [object, "V0", "V4", "U3", "S2", "M8[s]", "bool",
                                   [("a", "i2")]])
def test_non_numeric_trace_dtypes_refused(dtype):
    with pytest.raises(TypeError, match="dtype"):
        check_traces_dtype(dtype)
    if dtype not in ("V0", "bool") and not isinstance(dtype, list):
        with pytest.raises(TypeError, match="dtype"):
            le.NumpyRecording([np.zeros((10, 2), dtype=dtype)], 1000.0)


def test_object_traces_never_saved(tmp_path):
    with pytest.raises(TypeError, match="integer or float"):
        le.NumpyRecording([np.array([[object()]] * 3, dtype=object)], 1000.0)
    assert list(tmp_path.iterdir()) == []


def test_binary_dtype_none_and_void_refused(tmp_path):
    (tmp_path / "raw").write_bytes(np.arange(8, dtype="int16").tobytes())
    with pytest.raises(TypeError, match="dtype is required"):
        le.BinaryRecordingExtractor(tmp_path / "raw", 1000.0, None, 1)
    with pytest.raises(TypeError, match="V0"):
        le.BinaryRecordingExtractor(tmp_path / "raw", 1000.0, "V0", 1)
    ok = le.BinaryRecordingExtractor(tmp_path / "raw", 1000.0, "int16", 1)
    np.testing.assert_array_equal(ok.get_traces()[:, 0], np.arange(8))


def test_folder_with_null_dtype_refused(tmp_path, rec):
    rec.save(folder=tmp_path / "r")
    _edit_json(tmp_path / "r" / "lazyephys.json", dtype=None)
    with pytest.raises(TypeError, match="dtype is required"):
        le.load(tmp_path / "r")


# ------------------------------------------------------------------- times
def _edit_json(path, **changes):
    meta = json.loads(path.read_text())
    meta.update(changes)
    path.write_text(json.dumps(meta))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "soon", True])
def test_bad_t_start_refused_in_constructor(tmp_path, bad):
    (tmp_path / "raw").write_bytes(np.zeros(8, dtype="int16").tobytes())
    with pytest.raises((TypeError, ValueError), match="t_start"):
        le.BinaryRecordingExtractor(tmp_path / "raw", 1000.0, "int16", 1, t_starts=[bad])
    with pytest.raises((TypeError, ValueError), match="t_start"):
        le.NumpyRecording([np.zeros((4, 1))], 1000.0, t_starts=[bad])


def test_nan_t_start_refused_in_folder_store_and_json(tmp_path, rec):
    rec.save(folder=tmp_path / "r")
    _edit_json(tmp_path / "r" / "lazyephys.json", t_starts=[0.0, float("nan")])
    with pytest.raises(ValueError, match="t_start of segment 1 must be finite"):
        le.load(tmp_path / "r")

    import zarr

    rec.save(folder=tmp_path / "z", format="zarr")
    group = zarr.open_group(str(tmp_path / "z.zarr"), mode="r+")
    group.attrs["t_starts"] = [float("nan"), 0.0]
    with pytest.raises(ValueError, match="t_start of segment 0 must be finite"):
        le.load(tmp_path / "z.zarr")

    raw = tmp_path / "raw"
    raw.write_bytes(np.zeros(8, dtype="int16").tobytes())
    le.BinaryRecordingExtractor(raw, 1000.0, "int16", 1, t_starts=[2.0]).dump_to_json(
        tmp_path / "rec.json")
    text = (tmp_path / "rec.json").read_text().replace("2.0", "NaN")
    (tmp_path / "rec.json").write_text(text)
    with pytest.raises(ValueError, match="t_start"):
        le.load(tmp_path / "rec.json")


@pytest.mark.parametrize("edit, message", [
    (lambda v: v[::-1].copy(), "strictly increasing: sample 1"),
    (lambda v: np.full_like(v, np.nan), "finite: sample 0"),
    (lambda v: v[:10].copy(), "values for"),
])
def test_bad_time_vector_in_folder_refused(tmp_path, rec, edit, message):
    rec.set_times(np.arange(rec.get_num_samples(0)) / 1000.0 + 5.0, segment_index=0)
    rec.save(folder=tmp_path / "r")
    path = tmp_path / "r" / "times_cached_seg0.npy"  # the name SpikeInterface reads too
    np.save(path, edit(np.load(path)))
    with pytest.raises(ValueError, match=message):
        le.load(tmp_path / "r")


def test_bad_time_vector_in_zarr_refused(tmp_path, rec):
    import zarr

    rec.set_times(np.arange(rec.get_num_samples(0)) / 1000.0, segment_index=0)
    rec.save(folder=tmp_path / "z", format="zarr")
    group = zarr.open_group(str(tmp_path / "z.zarr"), mode="r+")
    values = group["times_seg0"][...]
    group["times_seg0"][...] = values[::-1]
    with pytest.raises(ValueError, match="strictly increasing"):
        le.load(tmp_path / "z.zarr")


def test_spikeinterface_folder_with_short_time_vector_refused(tmp_path):
    folder = tmp_path / "si"
    shutil.copytree(FIXTURES / "recording_binary", folder)
    samples = le.load(folder).get_num_samples(0)
    np.save(folder / "times_cached_seg0.npy", np.arange(10, dtype=np.float64))
    with pytest.raises(ValueError, match=f"10 values for {samples}|shape"):
        le.load(folder)


def test_time_vector_checks_name_the_sample():
    with pytest.raises(ValueError, match=r"sample 3 \(1.0\) is not after sample 2 \(2.0\)"):
        check_time_vector([0.0, 1.0, 2.0, 1.0], 4, 0)
    assert check_time_vector([0.0, 1.5], 2, 0).flags.writeable is False


# ------------------------------------------------------------------- gains
@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_gains_refused(tmp_path, bad):
    (tmp_path / "raw").write_bytes(np.zeros(8, dtype="int16").tobytes())
    with pytest.raises(ValueError, match="gain_to_uV must be finite"):
        le.BinaryRecordingExtractor(tmp_path / "raw", 1000.0, "int16", 2, gain_to_uV=bad)
    with pytest.raises(ValueError, match="offset_to_uV must be finite"):
        le.BinaryRecordingExtractor(tmp_path / "raw", 1000.0, "int16", 2, gain_to_uV=1.0,
                                    offset_to_uV=[0.0, bad])
    rec = le.NumpyRecording([np.zeros((4, 2))], 1000.0)
    with pytest.raises(ValueError, match="gain_to_uV"):
        rec.set_property("gain_to_uV", [1.0, bad])
    with pytest.raises(TypeError, match="gain_to_uV"):
        rec.set_property("gain_to_uV", ["a", "b"])


def test_nan_gain_in_a_saved_folder_refused(tmp_path, rec):
    rec.set_channel_gains([0.5, 2.0])
    rec.set_channel_offsets(0.0)
    rec.save(folder=tmp_path / "r")
    np.save(tmp_path / "r" / "properties" / "gain_to_uV.npy", np.array([0.5, np.nan]))
    with pytest.raises(ValueError, match="gain_to_uV must be finite: the value at position 1"):
        le.load(tmp_path / "r")
