"""What lazyephys saves opens in SpikeInterface 0.105 (``spikeinterface.load``): binary
folders, sorting folders and zarr format 2 stores, with traces, ids, properties, probe, times
and annotations. Checked in a subprocess with SpikeInterface installed (skipped without it);
the SpikeInterface files written beside ours are checked always, against the values saved."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lazyephys as le

from .conftest import run_spikeinterface


def _recording():
    rec = le.generate_recording(num_channels=4, durations=[0.5, 0.25], seed=0, dtype="int16",
                                gain_to_uV=0.195)
    rec = rec.rename_channels(["a", "b", "c", "d"])
    rec.set_property("quality", np.array(["good", "bad", "good", "noise"]))
    rec.set_property("depth_um", np.array([0.0, 20.0, 40.0, 60.0]))
    rec.annotate(experiment="fixture", is_filtered=True)
    rec.set_times(np.arange(7500) / 30000.0 + 100.0, segment_index=1)
    return rec


def _sorting():
    sorting = le.generate_sorting(num_units=3, durations=[0.5, 0.25], seed=0)
    sorting = sorting.rename_units(["u1", "u2", "u3"])
    sorting.set_property("snr", [1.5, 2.5, 3.5])
    sorting.set_property("label", np.array(["good", "mua", "good"]))
    sorting.annotate(curated=True)
    return sorting


SI_OPEN = """
import json, sys, numpy as np
import spikeinterface as si
obj = si.load(sys.argv[1])
out = {"class": type(obj).__name__, "annotations": {k: obj.get_annotation(k)
        for k in obj.get_annotation_keys() if k in ("experiment", "is_filtered", "curated")}}
props = {}
for key in obj.get_property_keys():
    values = obj.get_property(key)
    if values is not None and values.dtype.kind in "biufU":
        props[key] = values.tolist()
out["properties"] = props
if hasattr(obj, "get_traces"):
    out["ids"] = [str(i) for i in obj.get_channel_ids()]
    out["traces"] = [obj.get_traces(segment_index=i).tolist()
                     for i in range(obj.get_num_segments())]
    out["uV"] = obj.get_traces(segment_index=0, end_frame=10, return_in_uV=True).tolist()
    out["times"] = [obj.get_times(i).tolist() for i in range(obj.get_num_segments())]
    out["locations"] = obj.get_channel_locations().tolist()
else:
    out["ids"] = [str(i) for i in obj.get_unit_ids()]
    out["spikes"] = [[int(v) for v in s] for s in obj.to_spike_vector().tolist()]
print(json.dumps(out))
"""


def _check_recording(theirs, rec):
    assert theirs["ids"] == ["a", "b", "c", "d"]
    for index in range(2):
        np.testing.assert_array_equal(theirs["traces"][index], rec.get_traces(segment_index=index))
        np.testing.assert_allclose(theirs["times"][index], rec.get_times(index))
    np.testing.assert_allclose(theirs["uV"], rec.get_traces(0, 0, 10, return_in_uV=True),
                               rtol=1e-6)
    np.testing.assert_allclose(theirs["locations"], rec.get_channel_locations())
    assert theirs["properties"]["quality"] == ["good", "bad", "good", "noise"]
    assert theirs["properties"]["depth_um"] == [0.0, 20.0, 40.0, 60.0]
    assert theirs["annotations"] == {"experiment": "fixture", "is_filtered": True}


def _check_sorting(theirs, sorting):
    assert theirs["ids"] == ["u1", "u2", "u3"]
    vector = sorting.to_spike_vector()
    assert theirs["spikes"] == [list(map(int, s)) for s in vector.tolist()]
    assert theirs["properties"]["snr"] == [1.5, 2.5, 3.5]
    assert theirs["annotations"] == {"curated": True}


def test_binary_folder_opens_in_spikeinterface(tmp_path):
    rec = _recording()
    rec.save(folder=tmp_path / "rec")
    theirs = run_spikeinterface(SI_OPEN, str(tmp_path / "rec"))
    assert theirs["class"] == "BinaryFolderRecording"
    _check_recording(theirs, rec)


def test_sorting_folder_opens_in_spikeinterface(tmp_path):
    sorting = _sorting()
    sorting.save(folder=tmp_path / "sorting")
    theirs = run_spikeinterface(SI_OPEN, str(tmp_path / "sorting"))
    assert theirs["class"] == "NumpyFolderSorting"
    _check_sorting(theirs, sorting)
    assert theirs["properties"]["label"] == ["good", "mua", "good"]


@pytest.mark.parametrize("what", ["recording", "sorting"])
def test_zarr_format_2_opens_in_spikeinterface(tmp_path, what):
    obj = _recording() if what == "recording" else _sorting()
    saved = obj.save(folder=tmp_path / "store.zarr", format="zarr", zarr_format=2)
    assert (tmp_path / "store.zarr" / ".zgroup").is_file()
    theirs = run_spikeinterface(SI_OPEN, str(tmp_path / "store.zarr"))
    if what == "recording":
        assert theirs["class"] == "ZarrRecordingExtractor"
        _check_recording(theirs, obj)
        np.testing.assert_array_equal(saved.get_traces(segment_index=1),
                                      obj.get_traces(segment_index=1))
    else:
        assert theirs["class"] == "ZarrSortingExtractor"
        _check_sorting(theirs, obj)


def test_spikeinterface_files_describe_the_folder(tmp_path):
    """Without SpikeInterface: the files it reads say what was saved, and the raw files
    they name hold the traces."""
    rec = _recording()
    rec.save(folder=tmp_path / "rec")
    binary = json.loads((tmp_path / "rec" / "binary.json").read_text())
    kwargs = binary["kwargs"]
    assert binary["class"].endswith(".BinaryRecordingExtractor") and binary["relative_paths"]
    assert kwargs["channel_ids"] == ["a", "b", "c", "d"] and kwargs["num_channels"] == 4
    assert kwargs["dtype"] == "<i2" and kwargs["sampling_frequency"] == 30000.0
    assert kwargs["gain_to_uV"] == [0.195] * 4 and kwargs["offset_to_uV"] == [0.0] * 4
    for index, name in enumerate(kwargs["file_paths"]):
        raw = np.fromfile(tmp_path / "rec" / name, dtype="<i2").reshape(-1, 4)
        np.testing.assert_array_equal(raw, rec.get_traces(segment_index=index))
    times = np.load(tmp_path / "rec" / "times_cached_seg1.npy")
    np.testing.assert_array_equal(times, rec.get_times(1))
    si_folder = json.loads((tmp_path / "rec" / "si_folder.json").read_text())
    assert si_folder["class"].endswith(".BinaryFolderRecording")
    assert si_folder["kwargs"] == {"folder_path": "."}
    annotations = json.loads((tmp_path / "rec" / "annotations.json").read_text())
    assert annotations["experiment"] == "fixture"
    quality = np.load(tmp_path / "rec" / "properties" / "quality.npy")
    assert quality.tolist() == ["good", "bad", "good", "noise"]
    sorting = _sorting()
    sorting.save(folder=tmp_path / "s")
    info = json.loads((tmp_path / "s" / "numpysorting_info.json").read_text())
    assert info == {"sampling_frequency": 30000.0, "unit_ids": ["u1", "u2", "u3"],
                    "num_segments": 2}
    np.testing.assert_array_equal(np.load(tmp_path / "s" / "spikes.npy"),
                                  sorting.to_spike_vector())
    # lazyephys reads its own metadata, and folders whose time vectors are raw float64 files
    again = le.load(tmp_path / "rec")
    np.testing.assert_array_equal(again.get_times(1), rec.get_times(1))
    meta = json.loads((tmp_path / "rec" / "lazyephys.json").read_text())
    rec.get_times(1).astype("<f8").tofile(tmp_path / "rec" / "times_seg1.raw")
    meta["time_vectors"] = [None, "times_seg1.raw"]
    (tmp_path / "rec" / "lazyephys.json").write_text(json.dumps(meta))
    np.testing.assert_array_equal(le.load(tmp_path / "rec").get_times(1), rec.get_times(1))


def test_zarr_format_2_round_trip_and_options(tmp_path):
    rec = _recording()
    saved = rec.save(folder=tmp_path / "a.zarr", format="zarr", zarr_format=2)
    for index in range(2):
        np.testing.assert_array_equal(saved.get_traces(segment_index=index),
                                      rec.get_traces(segment_index=index))
    assert saved.get_property("quality").tolist() == ["good", "bad", "good", "noise"]
    assert saved.get_annotation("experiment") == "fixture"
    np.testing.assert_array_equal(saved.get_channel_locations(), rec.get_channel_locations())
    with pytest.raises(ValueError, match="zarr_format"):
        rec.save(folder=tmp_path / "b.zarr", format="zarr", zarr_format=4)
    with pytest.raises(ValueError, match="sharding"):
        rec.save(folder=tmp_path / "c.zarr", format="zarr", zarr_format=2, chunks_per_shard=2)
    # a chunk file lost from a format 2 store is refused, as in format 3
    (tmp_path / "a.zarr" / "traces_seg0" / "0.0").unlink()
    with pytest.raises(le.FormatError, match=r"traces_seg0/0\.0"):
        le.load(tmp_path / "a.zarr")
    import numcodecs

    saved = rec.save(folder=tmp_path / "d.zarr", format="zarr", zarr_format=2,
                     compressor=numcodecs.Zstd(level=3))
    zarray = json.loads((tmp_path / "d.zarr" / "traces_seg0" / ".zarray").read_text())
    assert zarray["compressor"]["id"] == "zstd" and zarray["zarr_format"] == 2
    np.testing.assert_array_equal(saved.get_traces(segment_index=0),
                                  rec.get_traces(segment_index=0))


@pytest.mark.parametrize("zarr_format", [3, 2])
def test_wavpack_is_lossless(tmp_path, zarr_format):
    pytest.importorskip("wavpack_numcodecs")
    rec = _recording()
    saved = rec.save(folder=tmp_path / "w.zarr", format="zarr", compressor="wavpack",
                     zarr_format=zarr_format)
    for index in range(2):
        np.testing.assert_array_equal(saved.get_traces(segment_index=index),
                                      rec.get_traces(segment_index=index))
    raw = rec.get_memory_size()
    stored = sum(f.stat().st_size for f in (tmp_path / "w.zarr").rglob("*")
                 if f.is_file() and "traces" in f.parent.name)
    assert stored < raw  # it compresses
    with pytest.raises(ValueError, match="integer"):
        rec.astype("float32").save(folder=tmp_path / "f.zarr", format="zarr",
                                   compressor="wavpack")


def test_wavpack_missing_package_is_named(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "wavpack_numcodecs", None)
    with pytest.raises(ImportError, match="wavpack-numcodecs"):
        _recording().save(folder=tmp_path / "w.zarr", format="zarr", compressor="wavpack")


def test_default_codec_compresses_at_least_as_well_as_spikeinterfaces(tmp_path):
    import numcodecs

    rec = le.NoiseGeneratorRecording(32, 30000.0, [1.0], dtype="int16", seed=0,
                                     noise_levels=10.0, mode="noise_generator")

    def stored(folder):
        return sum(f.stat().st_size for f in folder.rglob("*")
                   if f.is_file() and f.parent.name.startswith("traces"))

    ours = rec.save(folder=tmp_path / "ours.zarr", format="zarr")
    theirs = rec.save(folder=tmp_path / "si.zarr", format="zarr",
                      compressor=numcodecs.Blosc("zstd", 5, numcodecs.Blosc.BITSHUFFLE))
    np.testing.assert_array_equal(ours.get_traces(), rec.get_traces())
    np.testing.assert_array_equal(theirs.get_traces(), rec.get_traces())
    raw = rec.get_memory_size()
    ours_ratio, si_ratio = raw / stored(tmp_path / "ours.zarr"), raw / stored(tmp_path / "si.zarr")
    assert ours_ratio >= si_ratio, (ours_ratio, si_ratio)
    meta = json.loads((tmp_path / "ours.zarr" / "traces_seg0" / "zarr.json").read_text())
    blosc = next(c for c in meta["codecs"] if c["name"] == "blosc")["configuration"]
    assert (blosc["cname"], blosc["clevel"], blosc["shuffle"]) == ("zstd", 1, "bitshuffle")
