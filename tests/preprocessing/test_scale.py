"""scale, astype, unsigned_to_signed against numpy; overflow is an error unless asked for."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lazyephys as le
from lazyephys.preprocessing import OutputOverflowError, astype, scale, unsigned_to_signed
from lazyephys.testing import RecordingConformance


def _rec(dtype="float32"):
    return le.generate_recording(num_channels=4, durations=[0.1, 0.05], seed=5, dtype=dtype)


class TestScaleConformance(RecordingConformance):
    def make(self, tmp_path):
        rec = _rec()
        gain = np.array([1.0, 2.0, -0.5, 3.0], dtype=np.float32)
        offset = np.float32(7.0)
        full = [rec.get_traces(segment_index=s) * gain + offset for s in range(2)]
        return scale(rec, gain=gain, offset=7.0), full


class TestAstypeConformance(RecordingConformance):
    def make(self, tmp_path):
        rec = _rec()
        full = [np.rint(rec.get_traces(segment_index=s)).astype(np.int16) for s in range(2)]
        return astype(rec, "int16"), full


class TestUnsignedConformance(RecordingConformance):
    def make(self, tmp_path):
        values = np.random.default_rng(0).integers(0, 65536, (300, 3)).astype(np.uint16)
        rec = le.NumpyRecording(values, 1000.0)
        return unsigned_to_signed(rec), [(values.astype(np.int32) - 32768).astype(np.int16)]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["int8", "int16", "uint8", "float32", "float64"]),
       st.floats(-4, 4), st.floats(-100, 100))
def test_astype_rounds_checks_or_clips(dtype, gain, offset):
    values = np.linspace(-300, 300, 50, dtype=np.float64)[:, None] * gain + offset
    rec = le.NumpyRecording(values, 1000.0)
    out = np.dtype(dtype)
    if out.kind == "f":
        np.testing.assert_array_equal(astype(rec, dtype).get_traces(), values.astype(out))
        return
    info = np.iinfo(out)
    rounded = np.rint(values)
    if rounded.min() < info.min or rounded.max() > info.max:
        with pytest.raises(OutputOverflowError, match=str(out)):
            astype(rec, dtype).get_traces()
        clipped = astype(rec, dtype, clip=True).get_traces()
        np.testing.assert_array_equal(clipped, np.clip(rounded, info.min, info.max).astype(out))
    else:
        np.testing.assert_array_equal(astype(rec, dtype).get_traces(), rounded.astype(out))
        truncated = np.trunc(values)
        np.testing.assert_array_equal(astype(rec, dtype, round=False).get_traces(),
                                      truncated.astype(out))


def test_overflow_error_names_values_and_is_a_value_error():
    rec = le.NumpyRecording(np.array([[1000], [-2000]], dtype=np.int16), 1000.0)
    expected = r"value 1000 at frame 0, outside int8's range \[-128, 127\]"
    with pytest.raises(ValueError, match=expected):
        astype(rec, "int8").get_traces()
    with pytest.raises(OverflowError, match="60000"):
        scale(rec, gain=30.0, dtype="int16").get_traces()
    np.testing.assert_array_equal(scale(rec, gain=30.0, dtype="int16", clip=True).get_traces(),
                                  [[30000], [-32768]])


def test_scale_and_unsigned_keep_microvolts():
    rec = le.NumpyRecording(np.array([[0, 10], [65535, 32768]], dtype=np.uint16), 1000.0)
    rec.set_channel_gains([0.195, 2.0])
    rec.set_channel_offsets([-6389.76, 5.0])
    uv = rec.get_traces(return_in_uV=True)
    signed = unsigned_to_signed(rec)
    np.testing.assert_allclose(signed.get_traces(return_in_uV=True), uv, rtol=1e-6, atol=1e-3)
    scaled = scale(rec, gain=[2.0, 0.5], offset=[1.0, -3.0])
    np.testing.assert_allclose(scaled.get_traces(return_in_uV=True), uv, rtol=1e-6, atol=1e-3)


def test_unsigned_bit_depth_and_bad_input():
    values = np.array([[0], [2048], [4095]], dtype=np.uint16)
    rec = le.NumpyRecording(values, 1000.0)
    np.testing.assert_array_equal(unsigned_to_signed(rec, bit_depth=12).get_traces().ravel(),
                                  [-2048, 0, 2047])
    with pytest.raises(ValueError, match="int16"):
        unsigned_to_signed(le.NumpyRecording(values.astype(np.int16), 1000.0))
    with pytest.raises(ValueError, match="17"):
        unsigned_to_signed(rec, bit_depth=17)
    with pytest.raises(ValueError, match="3 values for 1 channels"):
        scale(rec, gain=[1, 2, 3])
    with pytest.raises(ValueError, match="needs a dtype"):
        astype(rec)


def test_float_outputs_are_checked_like_integer_outputs():
    # one checked cast everywhere: a float16 output cannot hold 70000 (it would become inf)
    rec = le.NumpyRecording(np.array([[70000.0], [1.0]], dtype=np.float32), 1000.0)
    with pytest.raises(le.DtypeOverflowError, match="70000"):
        astype(rec, "float16").get_traces()
    with pytest.raises(le.DtypeOverflowError, match="float16"):
        scale(rec, gain=1.0, dtype="float16").get_traces()
    clipped = astype(rec, "float16", clip=True).get_traces()
    np.testing.assert_array_equal(clipped, np.array([[65504.0], [1.0]], dtype=np.float16))
