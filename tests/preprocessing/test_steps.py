"""What every preprocessing step keeps (ids, properties, probe, times, provenance), bad input,
and the seed tutorial's chain saved as JSON and reloaded."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import lazyephys as le
from lazyephys import preprocessing as pp

STEPS = {
    "bandpass_filter": lambda r: pp.bandpass_filter(r, freq_min=300.0, freq_max=3000.0),
    "highpass_filter": lambda r: pp.highpass_filter(r),
    "notch_filter": lambda r: pp.notch_filter(r, freq=1000, q=10),
    "filter": lambda r: pp.filter(r, band=2000.0, btype="lowpass", direction="forward"),
    "common_reference": lambda r: pp.common_reference(r, operator="average"),
    "scale": lambda r: pp.scale(r, gain=2.0, offset=1.0),
    "astype": lambda r: pp.astype(r, "float64"),
    "center": lambda r: pp.center(r, chunk_size=500),
    "zscore": lambda r: pp.zscore(r, chunk_size=500),
    "whiten": lambda r: pp.whiten(r, chunk_size=500),
    "phase_shift": lambda r: pp.phase_shift(r, inter_sample_shift=np.linspace(0, 0.9, 4)),
}


def _rec():
    rec = le.generate_recording(num_channels=4, durations=[0.3, 0.2], seed=1, dtype="int16")
    rec = rec.rename_channels(["a", "b", "c", "d"])
    rec.set_property("quality", np.array(["good", "bad", "good", "good"]))
    rec.set_times(10.0 + np.arange(rec.get_num_samples(0)) / 30000.0 * 1.0001, segment_index=0)
    rec.set_start_time(3.5, segment_index=1)
    return rec


def test_public_names():
    for name in STEPS:
        assert name in pp.__all__
    for name in ("unsigned_to_signed", "bandpass_filter", "common_reference"):
        assert callable(getattr(pp, name))


@pytest.mark.parametrize("name", sorted(STEPS))
def test_step_keeps_metadata_and_round_trips(name):
    rec = _rec()
    step = STEPS[name](rec)
    assert isinstance(step, le.Recording)
    assert list(step.get_channel_ids()) == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(step.get_property("quality"), rec.get_property("quality"))
    assert step.has_probe()
    np.testing.assert_array_equal(step.get_channel_locations(), rec.get_channel_locations())
    assert step.get_probe().get_contact_count() == 4
    for s in range(2):
        np.testing.assert_array_equal(step.get_times(s), rec.get_times(s))
        assert step.get_num_samples(s) == rec.get_num_samples(s)
    # steps that transform traces keep the int16 input's dtype (SpikeInterface's default);
    # those that rescale give floats
    keeps_input = name in ("bandpass_filter", "highpass_filter", "notch_filter", "filter",
                           "common_reference", "phase_shift")
    assert step.get_dtype() in ((np.int16,) if keeps_input else (np.float32, np.float64))
    window = step.get_traces(segment_index=1, start_frame=100, end_frame=1100,
                             channel_ids=["c", "a"])
    assert window.shape == (1000, 2) and window.dtype == step.get_dtype()
    full = step.get_traces(segment_index=1, start_frame=100, end_frame=1100)
    np.testing.assert_allclose(window, full[:, [2, 0]], rtol=1e-5, atol=1e-4 * np.abs(full).max())
    assert step.get_traces(segment_index=0, start_frame=7, end_frame=7).shape == (0, 4)
    assert not window.flags.writeable or not np.shares_memory(window, full)
    for copy in (pickle.loads(pickle.dumps(step)), le.BaseExtractor.from_dict(step.to_dict())):
        assert type(copy) is type(step)
        np.testing.assert_array_equal(copy.get_traces(segment_index=0), step.get_traces(
            segment_index=0))
        np.testing.assert_array_equal(copy.get_times(0), step.get_times(0))


def test_seed_tutorial_chain_dumps_and_reloads(tmp_path):
    from lazyephys.preprocessing import bandpass_filter, common_reference

    raw = le.generate_recording(num_channels=3, durations=[2.0], seed=4)
    folder = tmp_path / "raw"
    values = raw.get_traces()
    folder.mkdir()
    (folder / "traces.raw").write_bytes(values.tobytes())
    on_disk = le.BinaryRecordingExtractor(folder / "traces.raw", 30000.0, "float32", 3)
    chain = bandpass_filter(common_reference(on_disk))
    chain.dump_to_json(tmp_path / "pipeline.json", relative_to=tmp_path)
    moved = tmp_path.parent / (tmp_path.name + "_moved")
    tmp_path.rename(moved)
    loaded = le.load(moved / "pipeline.json", base_folder=moved)
    expected = pp.bandpass_filter(pp.common_reference(le.NumpyRecording(values, 30000.0)))
    np.testing.assert_allclose(loaded.get_traces(), expected.get_traces(), atol=1e-5)
    moved.rename(tmp_path)


def test_filter_bad_input_names_values():
    rec = le.generate_recording(num_channels=2, durations=[0.1], seed=0)
    with pytest.raises(ValueError, match=r"freq_max=15000.0 Hz .* Nyquist frequency 15000.0"):
        pp.bandpass_filter(rec, freq_min=300.0, freq_max=15000.0)
    with pytest.raises(ValueError, match=r"freq_min \(6000.0 Hz\) must be below freq_max "
                                         r"\(300.0 Hz\)"):
        pp.bandpass_filter(rec, freq_min=6000.0, freq_max=300.0)
    with pytest.raises(ValueError, match="freq_min must be a positive"):
        pp.highpass_filter(rec, freq_min=-1.0)
    with pytest.raises(ValueError, match="20000"):
        pp.notch_filter(rec, freq=20000)
    with pytest.raises(ValueError, match="'sideways'"):
        pp.bandpass_filter(rec, direction="sideways")
    with pytest.raises(ValueError, match="'tophat'"):
        pp.filter(rec, ftype="tophat")
    with pytest.raises(ValueError, match="'bandwide'"):
        pp.filter(rec, btype="bandwide")
    with pytest.raises(ValueError, match="margin_ms"):
        pp.bandpass_filter(rec, margin_ms=-1.0)
    with pytest.raises(ValueError, match="one corner"):
        pp.filter(rec, band=[100.0, 200.0], btype="highpass")


def test_integer_output_of_a_filter_checks_overflow():
    values = np.zeros((3000, 1), dtype=np.int16)
    values[1500] = 30000  # a spike that rings past the int8 range once filtered
    rec = le.NumpyRecording(values, 30000.0)
    with pytest.raises(pp.OutputOverflowError, match="int8"):
        pp.bandpass_filter(rec, dtype="int8").get_traces()
    as_int16 = pp.bandpass_filter(rec, dtype="int16").get_traces()
    as_float = pp.bandpass_filter(rec, dtype="float32").get_traces()
    np.testing.assert_array_equal(as_int16, np.rint(as_float).astype(np.int16))
    np.testing.assert_array_equal(pp.bandpass_filter(rec).get_traces(), as_int16)


def test_chain_runs_through_the_executor(tmp_path):
    rec = le.generate_recording(num_channels=8, durations=[1.5], seed=2, dtype="int16")
    chain = pp.common_reference(pp.bandpass_filter(rec, dtype="float32"), dtype="float32")
    expected = np.rint(chain.get_traces()).astype(np.int16)
    for n_jobs in (1, 2):
        path = tmp_path / f"out{n_jobs}.raw"
        le.write_binary_recording(chain, [path], dtype="int16", n_jobs=n_jobs,
                                  chunk_duration="0.25s", progress_bar=False)
        written = np.fromfile(path, dtype=np.int16).reshape(-1, 8)
        # windows and the whole segment agree to float32 precision; rounding may differ by 1
        assert np.abs(written.astype(int) - expected).max() <= 1
