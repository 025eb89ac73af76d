"""write_binary_recording: byte-identical output on every backend, casts, errors, cleanup."""

import os
import re
import tempfile

import numpy as np
import pytest

import lazyephys as le
from lazyephys.base.casting import cast_traces
from lazyephys.errors import DtypeOverflowError, JobWorkerDiedError

from ..jobs import jobs_helpers as helpers

BACKENDS = {
    "serial": {"n_jobs": 1},
    "thread": {"n_jobs": 2, "pool_engine": "thread"},
    "fork": {"n_jobs": 2, "mp_context": "fork"},
    "spawn": {"n_jobs": 2, "mp_context": "spawn"},
    "forkserver": {"n_jobs": 2, "mp_context": "forkserver"},
}


@pytest.fixture(scope="module")
def recording():
    rec = le.generate_recording(num_channels=5, durations=[0.61, 0.3], sampling_frequency=10000.0,
                                dtype="int16", seed=3, set_probe=False)
    return rec.rename_channels(["a", "b", "c", "d", "e"]).select_channels(["e", "a", "c"])


def expected_bytes(recording, segment_index, dtype=None):
    traces = recording.get_traces(segment_index)
    return traces.astype(dtype).tobytes() if dtype is not None else traces.tobytes()


def listing(folder):
    return sorted(os.listdir(folder))


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_byte_identical_on_every_backend(recording, backend, tmp_path):
    paths = [tmp_path / "seg0.raw", tmp_path / "seg1.raw"]
    le.write_binary_recording(recording, paths, chunk_size=777, **BACKENDS[backend])
    for i, path in enumerate(paths):
        assert path.read_bytes() == expected_bytes(recording, i)
    assert listing(tmp_path) == ["seg0.raw", "seg1.raw"]


def test_binary_source_round_trip_and_file_offset(recording, tmp_path):
    first = tmp_path / "first.raw"
    le.write_binary_recording(recording.select_segments([0]), first, chunk_duration="0.1s",
                              n_jobs=2, mp_context="fork")
    source = le.BinaryRecordingExtractor(first, 10000.0, "int16", 3)
    second = tmp_path / "second.raw"
    le.write_binary_recording(source, [second], file_offset=128, chunk_size=1000, n_jobs=2,
                              mp_context="spawn")
    data = second.read_bytes()
    assert data[:128] == bytes(128)
    assert data[128:] == expected_bytes(recording, 0)


def test_existing_file_is_replaced(recording, tmp_path):
    path = tmp_path / "out.raw"
    path.write_bytes(b"x" * 10**6)
    le.write_binary_recording(recording.select_segments([1]), path, chunk_size=500)
    assert path.read_bytes() == expected_bytes(recording, 1)


def test_dtype_widening_and_float_rounding(tmp_path):
    rec = helpers.RampRecording(num_samples=400, num_channels=2, dtype="float32", scale=0.25)
    path = tmp_path / "out.raw"
    le.write_binary_recording(rec, path, dtype="int32", chunk_size=64, n_jobs=2,
                              mp_context="fork")
    written = np.fromfile(path, dtype="int32").reshape(-1, 2)
    np.testing.assert_array_equal(written, np.rint(rec.get_traces()).astype("int32"))
    rec16 = helpers.RampRecording(num_samples=300, num_channels=2, dtype="int16")
    le.write_binary_recording(rec16, path, dtype="float64", chunk_size=100)
    np.testing.assert_array_equal(np.fromfile(path, "float64").reshape(-1, 2),
                                  rec16.get_traces().astype("float64"))


@pytest.mark.parametrize("backend", ["serial", "fork"])
def test_narrowing_overflow_names_channel_and_value(backend, tmp_path):
    # channel chK holds frame * (K + 1): ch2 passes 127 first, at frame 43 (129)
    rec = helpers.RampRecording(num_samples=200, num_channels=3, dtype="int16")
    path = tmp_path / "out.raw"
    with pytest.raises(DtypeOverflowError) as info:
        le.write_binary_recording(rec, path, dtype="int8", chunk_size=32, **BACKENDS[backend])
    message = str(info.value)
    assert "channel 'ch2'" in message or "channel 'ch1'" in message
    assert "clip=True" in message and "int8" in message
    # with two workers, whichever failing chunk is seen first is reported: check it is
    # consistent, and exactly the first one in-process
    if backend == "serial":
        assert "chunk (segment 0, frames 32-64)" in message
        assert "channel 'ch2' has the value 129 at frame 43" in message
    found = re.search(r"frames (\d+)-(\d+)\).*channel 'ch(\d)' has the value (\d+) at frame "
                      r"(\d+)", message)
    assert found is not None
    start, end, channel, value, frame = (int(v) for v in found.groups())
    assert start <= frame < end and value == frame * (channel + 1) and value > 127
    assert isinstance(info.value, OverflowError) and isinstance(info.value, ValueError)
    assert listing(tmp_path) == []  # partial output removed


def test_clip_writes_clipped_values(tmp_path):
    rec = helpers.RampRecording(num_samples=200, num_channels=3, dtype="int16")
    path = tmp_path / "out.raw"
    le.write_binary_recording(rec, path, dtype="int8", clip=True, chunk_size=32)
    written = np.fromfile(path, "int8").reshape(-1, 3)
    np.testing.assert_array_equal(written, np.clip(rec.get_traces(), -128, 127))


def test_cast_traces_float_to_int16_overflow_and_nan():
    traces = np.array([[0.0, 1.0], [40000.0, 2.0]], dtype="float32")
    with pytest.raises(DtypeOverflowError, match=r"channel 'x' has the value 40000.0 at frame 11"):
        cast_traces(traces, "int16", channel_ids=np.array(["x", "y"]), start_frame=10)
    np.testing.assert_array_equal(cast_traces(traces, "int16", clip=True),
                                  [[0, 1], [32767, 2]])
    with pytest.raises(DtypeOverflowError, match="NaN"):
        cast_traces(np.array([[np.nan]], "float32"), "int16", clip=True)
    with pytest.raises(DtypeOverflowError, match="uint8"):
        cast_traces(np.array([[-1]], "int16"), "uint8")
    with pytest.raises(DtypeOverflowError, match="float16"):
        cast_traces(np.array([[1e6]], "float32"), "float16")
    assert cast_traces(np.array([[1e6]], "float32"), "float16", clip=True)[0, 0] == 65504
    same = np.zeros((2, 2), "int16")
    assert cast_traces(same, "int16") is same


def test_bad_arguments_create_nothing(recording, tmp_path):
    with pytest.raises(ValueError, match="2 segments"):
        le.write_binary_recording(recording, [tmp_path / "only_one.raw"])
    with pytest.raises(ValueError, match="file_offset"):
        le.write_binary_recording(recording.select_segments([0]), tmp_path / "a.raw",
                                  file_offset=-1)
    with pytest.raises(TypeError, match="'njobs'"):
        le.write_binary_recording(recording.select_segments([0]), tmp_path / "a.raw", njobs=2)
    assert listing(tmp_path) == []


def test_killed_worker_leaves_no_partial_output(tmp_path):
    rec = KillingRecording(400)
    with pytest.raises(JobWorkerDiedError, match="SIGKILL"):
        le.write_binary_recording(rec, tmp_path / "out.raw", chunk_size=50, n_jobs=2,
                                  mp_context="fork")
    assert listing(tmp_path) == []


class KillingSegment(helpers.RampSegment):
    def get_traces(self, start, end, channel_selector):
        if start == 200:
            import signal

            os.kill(os.getpid(), signal.SIGKILL)
        return super().get_traces(start, end, channel_selector)


class KillingRecording(helpers.RampRecording):
    def __init__(self, num_samples):
        super().__init__(num_samples)
        self._segments[0] = KillingSegment(num_samples, 3, "int16", 1.0)


def test_seed_tutorial_parallel_processing_cells(capsys):
    # "Parallel Processing" cells of the seed tutorial, spikeinterface replaced by lazyephys
    from lazyephys.core import generate_recording, write_binary_recording

    recording = generate_recording(num_channels=3, durations=[10])
    job_kwargs = {"n_jobs": 2, "chunk_duration": 5.0, "progress_bar": 1, "progress_bar": True}  # noqa: F601
    paths = []
    try:
        with tempfile.NamedTemporaryFile(suffix=".raw", delete=False) as temp_file:
            temporary_file_path = temp_file.name
            paths.append(temporary_file_path)
            write_binary_recording(recording=recording, file_paths=[temporary_file_path],
                                   **job_kwargs)
        with open(paths[0], "rb") as handle:
            assert handle.read() == recording.get_traces().tobytes()

        from lazyephys import get_global_job_kwargs, set_global_job_kwargs

        recording = generate_recording(num_channels=3, durations=[10])
        print(get_global_job_kwargs())
        with tempfile.NamedTemporaryFile(suffix=".raw", delete=False) as temp_file:
            temporary_file_path = temp_file.name
            paths.append(temporary_file_path)
            write_binary_recording(recording=recording, file_paths=[temporary_file_path])
        set_global_job_kwargs(n_jobs=2, chunk_duration=5.0, progress_bar=True)
        with tempfile.NamedTemporaryFile(suffix=".raw", delete=False) as temp_file:
            temporary_file_path = temp_file.name
            paths.append(temporary_file_path)
            write_binary_recording(recording=recording, file_paths=[temporary_file_path])
        for path in paths[1:]:
            with open(path, "rb") as handle:
                assert handle.read() == recording.get_traces().tobytes()
    finally:
        le.reset_global_job_kwargs()
        for path in paths:
            os.unlink(path)
    out = capsys.readouterr()
    assert "'chunk_duration': '1s'" in out.out
    assert "100%" in out.err
