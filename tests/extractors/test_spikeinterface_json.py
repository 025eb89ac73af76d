"""SpikeInterface provenance JSON translated: files written by SpikeInterface 0.105.3 (in
tests/data) and descriptions in its documented shape, compared with the same chain built here
and with the traces SpikeInterface saved."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import lazyephys as le

DATA = Path(__file__).parents[1] / "data" / "spikeinterface-0.105.3"


def _si(cls, kwargs, relative=True, **extra):
    return {"class": f"spikeinterface.{cls}", "module": "spikeinterface",
            "version": "0.105.3", "kwargs": kwargs, "relative_paths": relative, **extra}


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "si"
    shutil.copytree(DATA, target)
    return target


def test_files_written_by_spikeinterface(data):
    expected = [np.load(data / f"recording_traces_seg{i}.npy") for i in range(2)]
    rec = le.load(data / "recording_binary" / "binary.json")
    assert isinstance(rec, le.BinaryRecordingExtractor)
    for seg in range(2):
        np.testing.assert_array_equal(rec.get_traces(segment_index=seg), expected[seg])
    np.testing.assert_allclose(rec.get_channel_gains(), 0.195)
    assert rec.get_annotation("is_filtered") is True
    folder = le.load(data / "recording_binary" / "si_folder.json")
    np.testing.assert_array_equal(folder.get_traces(segment_index=1), expected[1])
    sorting = le.load(data / "sorting_numpy_folder" / "si_folder.json")
    spikes = np.load(data / "sorting_spike_vector.npy")
    np.testing.assert_array_equal(sorting.to_spike_vector()["sample_index"],
                                  spikes["sample_index"])
    # SpikeInterface's generator is its own: a chain over it names the class it cannot build
    with pytest.raises(le.FormatError, match=r"MockRecording.*BinaryRecordingExtractor"):
        le.load(data / "recording_binary" / "provenance.json")


def test_chain_matches_the_same_chain_built_here(data):
    binary = json.loads((data / "recording_binary" / "binary.json").read_text())
    binary["kwargs"]["file_paths"] = [f"recording_binary/{p}"
                                      for p in binary["kwargs"]["file_paths"]]
    chain = _si("preprocessing.filter.BandpassFilterRecording", {
        "recording": _si("core.channelslice.ChannelSliceRecording", {
            "parent_recording": _si("core.frameslicerecording.FrameSliceRecording", {
                "parent_recording": _si("core.segmentutils.SelectSegmentRecording", {
                    "recording": binary, "segment_indices": [0]}),
                "start_frame": 100, "end_frame": 4000}),
            "channel_ids": ["ch3", "ch1"], "renamed_channel_ids": ["a", "b"]}),
        "freq_min": 300.0, "freq_max": 2000.0, "margin_ms": 5.0, "dtype": "float32",
        "filter_order": 5, "ftype": "butter", "filter_mode": "sos"})
    (data / "chain.json").write_text(json.dumps(chain))
    translated = le.load(data / "chain.json")
    here = le.preprocessing.bandpass_filter(
        le.load(data / "recording_binary").select_segments([0]).frame_slice(100, 4000)
        .select_channels(["ch3", "ch1"]).rename_channels(["a", "b"]),
        freq_min=300.0, freq_max=2000.0, margin_ms=5.0, dtype="float32")
    assert translated.get_channel_ids().tolist() == ["a", "b"]
    np.testing.assert_array_equal(translated.get_traces(), here.get_traces())
    # the translation is a lazyephys chain: its own provenance round-trips
    again = le.load(translated.to_dict())
    np.testing.assert_array_equal(again.get_traces(), here.get_traces())


def test_sorting_chain_and_properties(data):
    chain = _si("core.unitsselectionsorting.UnitsSelectionSorting", {
        "parent_sorting": _si("core.frameslicesorting.FrameSliceSorting", {
            "parent_sorting": _si("core.segmentutils.SelectSegmentSorting", {
                "sorting": _si("core.sortingfolder.NumpyFolderSorting",
                               {"folder_path": "sorting_numpy_folder", "mmap_mode": None}),
                "segment_indices": [1]}),
            "start_frame": 0, "end_frame": 2000, "check_spike_frames": True}),
        "unit_ids": ["u4", "u2"], "renamed_unit_ids": None},
        properties={"rating": [4, 2]}, annotations={"curated": True})
    (data / "sorting_chain.json").write_text(json.dumps(chain))
    sorting = le.load(data / "sorting_chain.json")
    source = le.load(data / "sorting_numpy_folder")
    for unit in ["u4", "u2"]:
        train = source.get_unit_spike_train(unit, segment_index=1)
        np.testing.assert_array_equal(sorting.get_unit_spike_train(unit), train[train < 2000])
    assert sorting.get_property("rating").tolist() == [4, 2]
    assert sorting.get_annotation("curated") is True


def test_bad_descriptions_are_named(data, tmp_path):
    outside = _si("core.binaryrecordingextractor.BinaryRecordingExtractor", {
        "file_paths": ["../../elsewhere.raw"], "sampling_frequency": 1000.0,
        "num_channels": 1, "dtype": "int16"})
    (data / "outside.json").write_text(json.dumps(outside))
    with pytest.raises(le.UnsafePathError, match=r"elsewhere.raw.*allow_paths_outside"):
        le.load(data / "outside.json")
    concatenated = _si("core.segmentutils.ConcatenateSegmentRecording", {
        "recording_list": [_si("core.binaryfolder.BinaryFolderRecording",
                               {"folder_path": "recording_binary"})],
        "ignore_times": False, "sampling_frequency_max_diff": 0})
    (data / "times.json").write_text(json.dumps(concatenated))
    with pytest.raises(le.FormatError, match=r"ignore_times=False"):
        le.load(data / "times.json")
    odd = _si("core.old.SomethingRecording", {})
    (data / "odd.json").write_text(json.dumps(odd))
    with pytest.raises(le.FormatError, match=r"SomethingRecording.*translated classes are"):
        le.load(data / "odd.json")


def test_npz_sortings(tmp_path):
    rng = np.random.default_rng(5)
    folder = tmp_path / "npz_folder"
    (folder / "properties").mkdir(parents=True)
    samples = [np.sort(rng.integers(0, 5000, 40)), np.sort(rng.integers(0, 3000, 25))]
    labels = [rng.choice(np.array(["x", "y"]), 40), rng.choice(np.array(["x", "y"]), 25)]
    np.savez(folder / "sorting_cached.npz", unit_ids=np.array(["x", "y"]),
             num_segment=np.array([2]), sampling_frequency=np.array([20000.0]),
             spike_indexes_seg0=samples[0], spike_labels_seg0=labels[0],
             spike_indexes_seg1=samples[1], spike_labels_seg1=labels[1])
    np.save(folder / "properties" / "snr.npy", np.array([3.0, 7.5]))
    (tmp_path / "folder.json").write_text(json.dumps(_si(
        "core.sortingfolder.NpzFolderSorting", {"folder_path": "npz_folder"})))
    (tmp_path / "file.json").write_text(json.dumps(_si(
        "core.npzsortingextractor.NpzSortingExtractor",
        {"file_path": "npz_folder/sorting_cached.npz"})))
    for name in ("folder.json", "file.json"):
        sorting = le.load(tmp_path / name)
        assert sorting.get_sampling_frequency() == 20000.0
        for seg in range(2):
            for unit in ("x", "y"):
                np.testing.assert_array_equal(
                    sorting.get_unit_spike_train(unit, segment_index=seg),
                    np.sort(samples[seg][labels[seg] == unit]))
    np.testing.assert_allclose(le.load(tmp_path / "folder.json").get_property("snr"), [3, 7.5])
