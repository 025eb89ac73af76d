"""NWB: files written with pynwb, read back lazily and compared with what was written and
with pynwb reading the same file."""

from __future__ import annotations

import pickle
import shutil

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lazyephys as le
from lazyephys.testing import RecordingCase, RecordingConformance, SortingCase, SortingConformance

from .nwb_writers import nwb_content, write_nwb_file

pynwb = pytest.importorskip("pynwb")

SERIES = "acquisition/ElectricalSeries"


_WRITTEN: dict[str, bytes] = {}


def _written_once(path, content, **options):
    """Write with pynwb on first use; later tests get the same bytes (pynwb takes ~1 s)."""
    if path.name not in _WRITTEN:
        write_nwb_file(path, content, **options)
        _WRITTEN[path.name] = path.read_bytes()
    else:
        path.write_bytes(_WRITTEN[path.name])
    return path


@pytest.fixture
def nwb_file(tmp_path):
    content = nwb_content()
    (tmp_path / "data").mkdir()
    path = _written_once(tmp_path / "data" / "session.nwb", content, second_series=True)
    return path, content


class TestNwbRecordingConformance(RecordingConformance):
    def make(self, tmp_path):
        content = nwb_content(num_samples=700, num_channels=5, seed=3)
        path = _written_once(tmp_path / "conf.nwb", content, chunks=(128, 5),
                             compression="gzip")
        return RecordingCase(le.read_nwb_recording(path), [content.traces])


class TestNwbSortingConformance(SortingConformance):
    def make(self, tmp_path):
        content = nwb_content(seed=5)
        path = _written_once(tmp_path / "units.nwb", content)
        sorting = le.read_nwb_sorting(path)
        # frames counted from the series' start, rounded: worked out from the written times
        trains = {u: np.rint((t - content.starting_time) * content.rate).astype(np.int64)
                  for u, t in enumerate(content.spike_times)}
        return SortingCase(sorting, [trains], [None], unit_ids=[0, 1, 2, 3])


def test_traces_gains_ids_and_properties(nwb_file):
    path, content = nwb_file
    assert le.get_nwb_electrical_series(path) == [
        SERIES, "processing/ecephys/LFP/ElectricalSeriesLFP"]
    rec = le.read_nwb_recording(path, electrical_series_path=SERIES)
    assert rec.get_channel_ids().tolist() == content.channel_names
    assert rec.get_sampling_frequency() == content.rate
    assert rec.get_start_time() == content.starting_time
    np.testing.assert_array_equal(rec.get_traces(start_frame=100, end_frame=400,
                                                 channel_ids=["ch4", "ch1"]),
                                  content.traces[100:400, [4, 1]])
    gains = content.conversion * content.channel_conversion * 1e6
    np.testing.assert_allclose(rec.get_channel_gains(), gains)
    np.testing.assert_allclose(rec.get_channel_offsets(), content.offset * 1e6)
    scaled = rec.get_traces(return_in_uV=True)
    np.testing.assert_allclose(scaled, content.traces * gains + content.offset * 1e6, rtol=1e-6)
    assert rec.get_property("brain_area").tolist() == content.areas
    assert rec.get_property("group").tolist() == content.groups
    np.testing.assert_allclose(rec.get_property("impedance_ohm"), 1e5 + np.arange(6))
    np.testing.assert_allclose(rec.get_channel_locations(),
                               np.column_stack([content.rel_x, content.rel_y]))
    assert set(rec.split_by("group")) == {"shank0", "shank1"}


@pytest.mark.parametrize("layout", [{}, {"chunks": (128, 6)}, {"compression": "gzip"}])
def test_contiguous_data_is_mapped_and_reads_as_h5py(tmp_path, layout):
    import h5py

    from lazyephys.extractors.buffers import MappedSegment
    from lazyephys.extractors.nwb_recording import NwbSegment

    content = nwb_content(seed=3)
    path = write_nwb_file(tmp_path / "layout.nwb", content, **layout)
    rec = le.read_nwb_recording(path, electrical_series_path=SERIES)
    with h5py.File(path, "r") as file:
        dataset = file[f"{SERIES}/data"]
        # h5py reports a byte offset for the contiguous layout only
        assert (dataset.chunks is None) == (not layout)
        expected = dataset[()]
    kind = MappedSegment if not layout else NwbSegment
    assert isinstance(rec.get_segment(0), kind)
    np.testing.assert_array_equal(rec.get_traces(), content.traces)
    np.testing.assert_array_equal(rec.get_traces(), expected)
    np.testing.assert_array_equal(rec.get_traces(start_frame=7, end_frame=311,
                                                 channel_ids=["ch5", "ch0", "ch2"]),
                                  expected[7:311][:, [5, 0, 2]])


def test_same_as_pynwb(nwb_file):
    path, _ = nwb_file
    lfp_path = "processing/ecephys/LFP/ElectricalSeriesLFP"
    rec = le.read_nwb_recording(path, electrical_series_path=lfp_path)
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        series = nwb.processing["ecephys"]["LFP"]["ElectricalSeriesLFP"]
        np.testing.assert_array_equal(rec.get_traces(), series.data[:])
        assert rec.get_sampling_frequency() == series.rate
        np.testing.assert_allclose(rec.get_channel_gains(), series.conversion * 1e6)
        units = nwb.units.to_dataframe()
    sorting = le.read_nwb_sorting(path, electrical_series_path=SERIES)
    for unit_id, row in units.iterrows():
        expected = np.rint((np.asarray(row["spike_times"]) - 1.5) * 30000.0).astype(np.int64)
        np.testing.assert_array_equal(sorting.get_unit_spike_train(unit_id), expected)
        assert sorting.get_property("quality", [unit_id])[0] == row["quality"]
        np.testing.assert_allclose(sorting.get_property("obs_intervals", [unit_id])[0],
                                   row["obs_intervals"])


def test_timestamps_rate_and_time_vector(tmp_path):
    content = nwb_content(num_samples=500, seed=2)
    path = write_nwb_file(tmp_path / "stamps.nwb", content, timestamps=True)
    rec = le.read_nwb_recording(path)
    assert rec.get_sampling_frequency() == pytest.approx(content.rate)
    assert rec.get_start_time() == content.starting_time
    assert not rec.has_time_vector()
    with_vector = le.read_nwb_recording(path, load_time_vector=True)
    np.testing.assert_allclose(with_vector.get_times(),
                               content.starting_time + np.arange(500) / content.rate)


def test_sorting_rate_and_start_given(nwb_file):
    path, content = nwb_file
    sorting = le.read_nwb_sorting(path, sampling_frequency=1000.0, t_start=1.0)
    assert sorting.get_sampling_frequency() == 1000.0
    np.testing.assert_array_equal(sorting.get_unit_spike_train(2),
                                  np.rint((content.spike_times[2] - 1.0) * 1000.0))
    with pytest.raises(le.FormatError, match="precedes t_start=1.6"):
        le.read_nwb_sorting(path, sampling_frequency=1000.0, t_start=1.6).to_spike_vector()


def test_epochs_trials_and_invalid_times(nwb_file):
    path, _ = nwb_file
    assert le.get_nwb_interval_tables(path) == ["epochs", "invalid_times", "trials"]
    epochs = le.read_nwb_epochs(path)
    np.testing.assert_allclose(epochs["start_time"], [1.5, 1.51])
    np.testing.assert_allclose(epochs["stop_time"], [1.51, 1.53])
    assert [list(t) for t in epochs["tags"]] == [["baseline"], ["stim", "laser"]]
    trials = le.read_nwb_epochs(path, table="trials")
    np.testing.assert_allclose(trials["start_time"], [1.5, 1.505, 1.51])
    assert trials["correct"].tolist() == [False, True, False]
    invalid = le.read_nwb_epochs(path, table="invalid_times")
    np.testing.assert_allclose(invalid["stop_time"], [1.521])


def test_bad_input_names_the_value(nwb_file, tmp_path):
    path, _ = nwb_file
    with pytest.raises(le.UnknownIdError, match=r"acquisition/Nope.*ElectricalSeriesLFP"):
        le.read_nwb_recording(path, electrical_series_path="acquisition/Nope")
    with pytest.raises(ValueError, match="several electrical series"):
        le.read_nwb_recording(path)
    with pytest.raises(ValueError, match="several electrical series"):
        le.read_nwb_sorting(path)
    with pytest.raises(le.UnknownIdError, match=r"'stimuli'.*epochs"):
        le.read_nwb_epochs(path, table="stimuli")
    with pytest.raises(FileNotFoundError, match="missing.nwb"):
        le.read_nwb_recording(tmp_path / "missing.nwb")
    not_hdf5 = tmp_path / "text.nwb"
    not_hdf5.write_text("hello")
    with pytest.raises(le.FormatError, match="text.nwb is not a readable NWB"):
        le.read_nwb_recording(not_hdf5)
    with pytest.raises(ValueError, match="stream_mode='fsspec' is for remote URLs"):
        le.read_nwb_recording(path, electrical_series_path=SERIES, stream_mode="fsspec")
    with pytest.raises(ValueError, match="unknown stream_mode 'ftp'"):
        le.read_nwb_recording(path, stream_mode="ftp")


def test_chain_round_trips_json_pickle_and_workers(nwb_file, tmp_path):
    path, content = nwb_file
    chain = (le.read_nwb_recording(path, electrical_series_path=SERIES)
             .select_channels(["ch5", "ch2"]).frame_slice(50, 800))
    expected = content.traces[50:800][:, [5, 2]]
    chain.dump_to_json(path.parent / "chain.json", relative_to=True)
    moved = tmp_path / "moved"
    shutil.move(path.parent, moved)
    reloaded = le.load(moved / "chain.json")
    np.testing.assert_array_equal(reloaded.get_traces(), expected)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(reloaded)).get_traces(), expected)
    saved = reloaded.save(folder=tmp_path / "saved", n_jobs=2, chunk_size=200)
    np.testing.assert_array_equal(saved.get_traces(), expected)
    sorting = le.read_nwb_sorting(moved / "session.nwb", sampling_frequency=30000.0, t_start=1.5)
    again = pickle.loads(pickle.dumps(sorting))
    np.testing.assert_array_equal(again.to_spike_vector(), sorting.to_spike_vector())


def test_load_opens_nwb_files(nwb_file):
    path, content = nwb_file
    rec = le.load(path, electrical_series_path=SERIES)
    assert isinstance(rec, le.NwbRecordingExtractor)
    np.testing.assert_array_equal(rec.get_traces(end_frame=10), content.traces[:10])
    sorting = le.load(path, kind="sorting", electrical_series_path=SERIES)
    assert isinstance(sorting, le.NwbSortingExtractor)
    assert sorting.get_num_units() == len(content.spike_times)
    with pytest.raises(ValueError, match="kind must be 'recording' or 'sorting', got 'units'"):
        le.load(path, kind="units")


@given(st.lists(st.lists(st.integers(0, 50), max_size=8), min_size=1, max_size=6))
def test_ragged_units_segment_against_numpy(trains):
    from lazyephys.extractors.nwb_sorting import RaggedUnitsSegment, frames_from_times

    frames = np.array([f for train in trains for f in train], dtype=np.int64)
    ends = np.cumsum([len(t) for t in trains]).astype(np.int64)
    frames_again, in_order = frames_from_times(frames / 10.0, 0.0, 10.0, ends)
    np.testing.assert_array_equal(frames_again, frames)
    segment = RaggedUnitsSegment(lambda: (frames.copy(), ends, in_order))
    units = np.repeat(np.arange(len(trains)), [len(t) for t in trains])
    order = np.lexsort((units, frames))
    vector = segment.get_spike_vector(0)
    np.testing.assert_array_equal(vector["sample_index"], frames[order])
    np.testing.assert_array_equal(vector["unit_index"], units[order])
    for u, train in enumerate(trains):
        np.testing.assert_array_equal(segment.get_unit_spike_train(u, 0, None), sorted(train))
        np.testing.assert_array_equal(segment.get_unit_spike_train(u, 10, 30),
                                      [f for f in sorted(train) if 10 <= f < 30])
    np.testing.assert_array_equal(segment.count_spikes(len(trains)), [len(t) for t in trains])
    assert segment.last_spike_sample() == (frames.max() if frames.size else -1)


@given(st.lists(st.floats(-1e6, 1e6), max_size=40), st.floats(-10.0, 10.0),
       st.sampled_from([1.0, 2.0, 30000.0, 32000.5]))
def test_frames_round_as_numpy_rint(times, t_start, fs):
    from lazyephys.extractors.nwb_sorting import frames_from_times

    values = np.array([*times, 0.5, 1.5, 2.5, -0.5], dtype=np.float64) / fs + t_start
    frames, _ = frames_from_times(values, t_start, fs)
    np.testing.assert_array_equal(frames, np.rint((values - t_start) * fs).astype(np.int64))


@pytest.mark.parametrize("dtype", ["<f8", "<f4", ">f8"])
def test_frames_from_an_hdf5_dataset_over_several_blocks(tmp_path, dtype):
    # more than two read blocks, stored in another float type or byte order than float64:
    # HDF5 converts while reading, and the frames are numpy's rint of the stored values
    import h5py

    from lazyephys.extractors import nwb_sorting

    size = 2 * nwb_sorting._BLOCK + 12345
    rng = np.random.default_rng(5)
    counts = np.array([size // 3, size // 3, size - 2 * (size // 3)])
    times = np.concatenate([np.sort(rng.uniform(0, 100, c)) for c in counts]).astype(dtype)
    with h5py.File(tmp_path / "times.h5", "w") as file:
        file["t"] = times
    with h5py.File(tmp_path / "times.h5", "r") as file:
        frames, in_order = nwb_sorting.frames_from_times(file["t"], 0.25, 30000.0,
                                                         np.cumsum(counts))
    expected = np.rint((times.astype(np.float64) - 0.25) * 30000.0).astype(np.int64)
    np.testing.assert_array_equal(frames, expected)
    assert in_order


def test_non_finite_spike_times_are_refused():
    from lazyephys.extractors.nwb_sorting import frames_from_times

    with pytest.raises(le.FormatError, match="not finite"):
        frames_from_times(np.array([0.1, np.nan]), 0.0, 30000.0)


@given(st.lists(st.lists(st.floats(0.0, 100.0), max_size=5), min_size=1, max_size=4),
       st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -1e300, 2.0**52, -(2.0**52), -3e15]),
       st.integers(0, 100), st.booleans())
def test_any_unroundable_spike_time_is_refused(trains, bad, where, sort):
    # wherever it is (first, last or inside a unit's run, sorted or not), a time that is not
    # finite or beyond 2**51 frames is refused; the same times without it convert as np.rint
    from lazyephys.extractors.nwb_sorting import frames_from_times

    flat = [t for train in trains for t in (sorted(train) if sort else train)]
    ends = np.cumsum([len(t) for t in trains]).astype(np.int64)
    good, _ = frames_from_times(np.array(flat, dtype=np.float64), 0.0, 1.0, ends)
    np.testing.assert_array_equal(good, np.rint(np.array(flat, dtype=np.float64)))
    position = where % (len(flat) + 1)
    with_bad = np.array([*flat[:position], bad, *flat[position:]], dtype=np.float64)
    unit = int(np.searchsorted(ends, position, side="right")) if position < len(flat) \
        else len(ends) - 1
    ends_bad = ends.copy()
    ends_bad[unit:] += 1
    with pytest.raises(le.FormatError, match="not finite"):
        frames_from_times(with_bad, 0.0, 1.0, ends_bad)


def test_unsorted_unit_times_are_sorted(tmp_path):
    import h5py

    content = nwb_content(seed=8)
    path = write_nwb_file(tmp_path / "unsorted.nwb", content)
    with h5py.File(path, "r+") as file:
        times = file["units/spike_times"]
        first = len(content.spike_times[0])
        times[:first] = times[:first][::-1]
    sorting = le.read_nwb_sorting(path)
    np.testing.assert_array_equal(
        sorting.get_unit_spike_train(0),
        np.rint((content.spike_times[0] - 1.5) * 30000.0).astype(np.int64))


def test_one_dimensional_series_reads_as_one_channel(tmp_path):
    # a single-electrode series stored 1-D (time only): mapped when contiguous, read through
    # h5py when chunked; either way one channel of the written samples
    from datetime import datetime, timezone

    from hdmf.backends.hdf5 import H5DataIO
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.ecephys import ElectricalSeries

    samples = np.random.default_rng(9).integers(-900, 900, 1000).astype("int16")
    for name, data in (("flat", samples), ("flat_chunked", H5DataIO(samples, chunks=(64,)))):
        nwb = NWBFile(session_description="one", identifier=name,
                      session_start_time=datetime(2020, 1, 1, tzinfo=timezone.utc))
        device = nwb.create_device(name="probe")
        group = nwb.create_electrode_group(name="shank", description="", location="brain",
                                           device=device)
        nwb.add_electrode(group=group, location="brain")
        region = nwb.create_electrode_table_region([0], "all")
        nwb.add_acquisition(ElectricalSeries(name="E", data=data, electrodes=region,
                                             rate=1000.0))
        with NWBHDF5IO(str(tmp_path / f"{name}.nwb"), "w") as io:
            io.write(nwb)
        rec = le.read_nwb_recording(tmp_path / f"{name}.nwb")
        assert rec.get_num_channels() == 1
        np.testing.assert_array_equal(rec.get_traces()[:, 0], samples)
        np.testing.assert_array_equal(rec.get_traces(start_frame=100, end_frame=130),
                                      samples[100:130, np.newaxis])
