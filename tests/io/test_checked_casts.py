"""One checked cast everywhere: no save, view or step turns a value into another silently."""

from __future__ import annotations

import numpy as np
import pytest

import lazyephys as le
from lazyephys.errors import DtypeOverflowError
from lazyephys.preprocessing import astype, scale, unsigned_to_signed


def _constant(value, dtype, num_samples=10):
    return le.NumpyRecording([np.full((num_samples, 1), value, dtype=dtype)], 1000.0)


@pytest.mark.parametrize("fmt", ["memory", "binary", "zarr"])
def test_every_save_refuses_a_narrowing_that_overflows(tmp_path, fmt):
    rec = _constant(300, "int16")
    folder = None if fmt == "memory" else tmp_path / "out"
    with pytest.raises(DtypeOverflowError, match="300"):
        rec.save(folder=folder, format=fmt, dtype="int8")
    assert list(tmp_path.iterdir()) == []


def test_memory_save_clips_only_when_asked():
    rec = le.NumpyRecording([np.array([[300], [-300], [5]], dtype="int16")], 1000.0)
    clipped = rec.save(format="memory", dtype="int8", clip=True)
    assert clipped.get_traces()[:, 0].tolist() == [127, -128, 5]
    fine = rec.save(format="memory", dtype="float32")
    np.testing.assert_array_equal(fine.get_traces(), rec.get_traces().astype("float32"))


def test_float16_casts_agree_between_views_and_saves():
    rec = _constant(70000, "int32")
    with pytest.raises(DtypeOverflowError, match="70000"):
        astype(rec, "float16").get_traces()
    with pytest.raises(DtypeOverflowError, match="70000"):
        scale(rec, gain=1.0, dtype="float16").get_traces()
    with pytest.raises(DtypeOverflowError, match="70000"):
        rec.save(format="memory", dtype="float16")


def test_unsigned_to_signed_refuses_values_outside_the_bit_depth():
    values = np.array([[0], [2048], [4095], [65535]], dtype="uint16")
    rec = le.NumpyRecording([values], 1000.0)
    with pytest.raises(DtypeOverflowError, match=r"65535 at frame 3 .*12-bit range \[0, 4095\]"):
        unsigned_to_signed(rec, bit_depth=12).get_traces()
    good = unsigned_to_signed(rec.frame_slice(0, 3), bit_depth=12).get_traces()[:, 0]
    assert good.tolist() == (values[:3, 0].astype(np.int64) - 2048).tolist()


@pytest.mark.parametrize("dtype", ["object", "V0", "U4"])
def test_saves_refuse_non_numeric_dtypes(tmp_path, dtype):
    rec = _constant(1, "int16")
    for fmt in ("memory", "binary", "zarr"):
        folder = None if fmt == "memory" else tmp_path / fmt
        with pytest.raises(TypeError, match="integer or float"):
            rec.save(folder=folder, format=fmt, dtype=dtype)
    assert list(tmp_path.iterdir()) == []
