"""Remote reading against real servers on loopback: an HTTP server answering range requests,
and moto's S3 server. Each test skips only when the package providing its client or server
is missing."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import lazyephys as le

from .nwb_writers import nwb_content, write_nwb_file
from .servers import range_server, s3_server

pytest.importorskip("pynwb")

SERIES = "acquisition/ElectricalSeries"


@pytest.fixture(scope="module")
def big_nwb(tmp_path_factory):
    """A 64-channel, 60000-sample chunked series (7.7 MB): a window is a small part of it."""
    folder = tmp_path_factory.mktemp("served")
    content = nwb_content(num_samples=60000, num_channels=64, seed=9)
    path = write_nwb_file(folder / "big.nwb", content, chunks=(1000, 64))
    return path, content


def test_nwb_over_http_reads_only_the_ranges_a_window_needs(big_nwb):
    pytest.importorskip("fsspec")
    pytest.importorskip("aiohttp")
    path, content = big_nwb
    with range_server(path.parent) as server:
        url = f"{server.url}/{path.name}"
        rec = le.read_nwb_recording(url, electrical_series_path=SERIES)
        np.testing.assert_array_equal(rec.get_traces(start_frame=30000, end_frame=30500),
                                      content.traces[30000:30500])
        assert server.bytes_sent < path.stat().st_size / 2
        assert rec.get_channel_ids().tolist() == content.channel_names
        # a remote reader's provenance is its URL: it pickles and reloads from anywhere
        again = pickle.loads(pickle.dumps(rec.frame_slice(100, 200)))
        np.testing.assert_array_equal(again.get_traces(), content.traces[100:200])
        sorting = le.read_nwb_sorting(url)
        assert sorting.get_num_units() == len(content.spike_times)
        epochs = le.read_nwb_epochs(url)
        np.testing.assert_allclose(epochs["start_time"], [1.5, 1.51])
        loaded = le.load(url, electrical_series_path=SERIES)
        np.testing.assert_array_equal(loaded.get_traces(end_frame=5), content.traces[:5])


def test_nwb_over_http_with_remfile(big_nwb):
    pytest.importorskip("remfile")
    path, content = big_nwb
    with range_server(path.parent) as server:
        rec = le.read_nwb_recording(f"{server.url}/{path.name}", electrical_series_path=SERIES,
                                    stream_mode="remfile")
        np.testing.assert_array_equal(
            rec.get_traces(start_frame=59000, end_frame=60000, channel_ids=["ch63", "ch0"]),
            content.traces[59000:60000][:, [63, 0]])
        assert server.bytes_sent < path.stat().st_size / 2


def test_missing_remote_file_names_the_url(big_nwb):
    pytest.importorskip("fsspec")
    pytest.importorskip("aiohttp")
    path, _ = big_nwb
    with range_server(path.parent) as server:
        with pytest.raises(FileNotFoundError, match="nothing.nwb"):
            le.read_nwb_recording(f"{server.url}/nothing.nwb")


def test_nwb_and_zarr_on_s3(big_nwb, tmp_path):
    pytest.importorskip("moto")
    pytest.importorskip("flask")
    pytest.importorskip("flask_cors")
    s3fs = pytest.importorskip("s3fs")
    path, content = big_nwb
    with s3_server() as endpoint:
        fs = s3fs.S3FileSystem(client_kwargs={"endpoint_url": endpoint}, key="testing",
                               secret="testing")
        fs.mkdir("data")
        fs.put(str(path), "data/big.nwb")
        storage = {"client_kwargs": {"endpoint_url": endpoint}, "key": "testing",
                   "secret": "testing"}
        rec = le.read_nwb_recording("s3://data/big.nwb", electrical_series_path=SERIES,
                                    storage_options=storage)
        np.testing.assert_array_equal(rec.get_traces(start_frame=10, end_frame=20),
                                      content.traces[10:20])
        small = le.generate_recording(num_channels=3, durations=[0.2], seed=0)
        saved = small.save(folder=tmp_path / "rec.zarr", format="zarr")
        fs.put(str(tmp_path / "rec.zarr"), "data/rec.zarr", recursive=True)
        remote = le.load("s3://data/rec.zarr", storage_options=storage)
        np.testing.assert_array_equal(remote.get_traces(), saved.get_traces())
