"""Every Recording kind and view passes the conformance class against a numpy reference."""

from __future__ import annotations

import numpy as np

import lazyephys as le
from lazyephys.testing import RecordingConformance


def _arrays(seed=0, lengths=(300, 170), channels=5, dtype="int16"):
    rng = np.random.default_rng(seed)
    return [rng.integers(-1000, 1000, size=(n, channels)).astype(dtype) for n in lengths]


class TestNumpyRecording(RecordingConformance):
    def make(self, tmp_path):
        arrays = _arrays()
        return le.NumpyRecording(arrays, 1000.0), arrays


class TestNumpyRecordingStrIds(RecordingConformance):
    def make(self, tmp_path):
        arrays = _arrays(lengths=(250,), dtype="float32")
        return le.NumpyRecording(arrays, 1000.0, channel_ids=list("abcde"), t_starts=[3.5]), arrays


class TestBinaryRecording(RecordingConformance):
    def make(self, tmp_path):
        folder = tmp_path
        arrays = _arrays()
        paths = []
        for i, arr in enumerate(arrays):
            path = folder / f"seg{i}.raw"
            path.write_bytes(b"\x00" * 16 + arr.tobytes())
            paths.append(path)
        rec = le.BinaryRecordingExtractor(paths, 1000.0, "int16", 5, file_offset=16,
                                          t_starts=[0.0, 100.0], gain_to_uV=0.195)
        return rec, arrays


class TestBinaryRecordingTimeAxis1(RecordingConformance):
    def make(self, tmp_path):
        folder = tmp_path
        arrays = _arrays(lengths=(210,))
        path = folder / "seg0.raw"
        path.write_bytes(np.ascontiguousarray(arrays[0].T).tobytes())
        return le.BinaryRecordingExtractor(str(path), 1000.0, "int16", 5, time_axis=1), arrays


class TestNoiseGenerator(RecordingConformance):
    def make(self, tmp_path):
        rec = le.NoiseGeneratorRecording(4, 1000.0, [0.5, 0.25], dtype="float32", seed=3,
                                         mode="noise_generator", block_size=64)
        # reference: block by block, straight from the documented seeding rule
        full = []
        for s in range(2):
            n = rec.get_num_samples(s)
            blocks = [
                np.random.default_rng([3, s, b]).standard_normal((64, 4), dtype=np.float32) * 5.0
                for b in range((n + 63) // 64)
            ]
            full.append(np.concatenate(blocks)[:n])
        return rec, full


class TestGenerateRecordingInt16(RecordingConformance):
    def make(self, tmp_path):
        rec = le.generate_recording(num_channels=3, durations=[0.02], seed=1, dtype="int16",
                                    sampling_frequency=10000.0)
        tile = np.random.default_rng([1, 0, 0]).standard_normal((30000, 3), dtype=np.float32)
        full = np.clip(np.round(tile * 5.0), -32768, 32767).astype("int16")[:200]
        return rec, [full]


class TestChainedView(RecordingConformance):
    def make(self, tmp_path):
        arrays = _arrays(lengths=(400,), channels=6)
        rec = le.NumpyRecording(arrays, 1000.0)
        view = rec.frame_slice(50, 350).select_channels([5, 1, 3, 0])
        view = view.rename_channels(["e", "b", "d", "a"]).frame_slice(10, 250)
        view = view.select_channels(["a", "e", "d"])
        return view, [arrays[0][60:300][:, [0, 5, 3]]]


class TestRemoveChannels(RecordingConformance):
    def make(self, tmp_path):
        arrays = _arrays(channels=6)
        rec = le.NumpyRecording(arrays, 1000.0).remove_channels([1, 4])
        return rec, [a[:, [0, 2, 3, 5]] for a in arrays]


class TestTimeSlice(RecordingConformance):
    def make(self, tmp_path):
        arrays = _arrays(lengths=(500,))
        rec = le.NumpyRecording(arrays, 1000.0, t_starts=[2.0]).time_slice(2.1, 2.4)
        return rec, [arrays[0][100:400]]


class TestSelectSegments(RecordingConformance):
    def make(self, tmp_path):
        arrays = _arrays(lengths=(120, 200, 90))
        return le.NumpyRecording(arrays, 1000.0).select_segments([2, 0]), [arrays[2], arrays[0]]


class TestConcatenate(RecordingConformance):
    def make(self, tmp_path):
        a, b = _arrays(lengths=(130, 0, 70)), _arrays(seed=1, lengths=(55,))
        parts = [le.NumpyRecording(a, 1000.0), le.NumpyRecording(b, 1000.0)]
        rec = le.concatenate_recordings(parts)
        return rec, [np.concatenate(a + b)]


class TestAppend(RecordingConformance):
    def make(self, tmp_path):
        a, b = _arrays(lengths=(130, 20)), _arrays(seed=1, lengths=(55,))
        rec = le.append_recordings([le.NumpyRecording(a, 1000.0), le.NumpyRecording(b, 1000.0)])
        return rec, a + b


class TestAggregate(RecordingConformance):
    def make(self, tmp_path):
        a = _arrays(lengths=(150, 40), channels=3)
        b = _arrays(seed=2, lengths=(150, 40), channels=2)
        ra = le.NumpyRecording(a, 1000.0, channel_ids=["a", "b", "c"])
        rb = le.NumpyRecording(b, 1000.0, channel_ids=["d", "e"])
        rec = le.aggregate_channels([ra, rb])
        return rec, [np.concatenate([x, y], axis=1) for x, y in zip(a, b, strict=True)]


class TestTimeVector(RecordingConformance):
    def make(self, tmp_path):
        arrays = _arrays(lengths=(100,))
        rec = le.NumpyRecording(arrays, 1000.0)
        rec.set_times(10.0 + np.cumsum(np.full(100, 0.001)))
        return rec.frame_slice(0, 100), arrays
