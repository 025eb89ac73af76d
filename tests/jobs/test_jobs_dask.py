"""The dask.distributed backend on a real two-process LocalCluster on loopback."""

import numpy as np
import pytest

import lazyephys as le
from lazyephys.jobs import DtypeOverflowError, JobChunkError, run_chunked_job

from . import jobs_helpers as helpers

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       host="127.0.0.1", dashboard_address=None)
    dask_client = distributed.Client(cluster, set_as_default=False)
    yield dask_client
    dask_client.close()
    cluster.close()


@pytest.fixture(scope="module")
def recording():
    return le.generate_recording(num_channels=4, durations=[0.5, 0.31], sampling_frequency=10000.0,
                                 dtype="int16", seed=11, set_probe=False)


def test_byte_identical_export_with_a_given_client(client, recording, tmp_path):
    paths = [tmp_path / "a.raw", tmp_path / "b.raw"]
    le.write_binary_recording(recording, paths, chunk_size=333, client=client)
    for i, path in enumerate(paths):
        assert path.read_bytes() == recording.get_traces(i).tobytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.raw", "b.raw"]


def test_default_client_is_used(client, recording, tmp_path):
    path = tmp_path / "c.raw"
    with distributed.Client(client.scheduler.address) as default:
        assert distributed.default_client() is default
        le.write_binary_recording(recording.select_segments([1]), path, chunk_size=1000,
                                  pool_engine="dask")
    assert path.read_bytes() == recording.get_traces(1).tobytes()


def test_state_built_once_per_worker_and_closed(client, recording, tmp_path):
    results = run_chunked_job(recording, helpers.init_marker, {"folder": str(tmp_path)},
                              helpers.run_sum, chunk_size=200, client=client)
    assert [r[:3] for r in results] == list(le.make_chunk_plan(recording, chunk_size=200))
    for seg, start, end, total, _ in results:
        assert total == recording.get_traces(seg, start, end).astype(np.float64).sum()
    inits = sorted(p.name[5:] for p in tmp_path.glob("init-*"))
    closes = sorted(p.name[6:] for p in tmp_path.glob("close-*"))
    assert 1 <= len(inits) <= 2 and closes == inits
    assert len(inits) == len({r[4] for r in results})


def test_in_memory_recording(client, tmp_path):
    traces = np.arange(300, dtype="float32").reshape(100, 3)
    rec = le.NumpyRecording([traces], 1000.0)
    total = run_chunked_job(rec, helpers.init_marker, {"folder": str(tmp_path)},
                            helpers.run_sum, helpers.gather_total, chunk_size=30, client=client)
    assert total == float(traces.sum())


def test_failing_chunk_is_named(client, recording, tmp_path):
    with pytest.raises(JobChunkError, match=r"chunk \(segment 0, frames 400-500\)") as info:
        run_chunked_job(recording, helpers.init_dict, {"fail_start": 400},
                        helpers.run_maybe_fail, chunk_size=100, client=client, job_name="dk")
    assert isinstance(info.value.__cause__, ValueError)
    # the cluster is still usable afterwards
    assert len(run_chunked_job(recording, helpers.init_dict, {}, helpers.run_maybe_fail,
                               chunk_size=1000, client=client)) == 9


def test_overflow_removes_partial_output(client, tmp_path):
    traces = np.zeros((100, 2), dtype="int16")
    traces[70, 1] = 300
    rec = le.NumpyRecording([traces], 1000.0, channel_ids=["x", "y"])
    with pytest.raises(DtypeOverflowError, match="channel 'y' has the value 300 at frame 70"):
        le.write_binary_recording(rec, tmp_path / "o.raw", dtype="int8", chunk_size=20,
                                  client=client)
    assert list(tmp_path.iterdir()) == []
