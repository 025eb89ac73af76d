"""Job kwargs: parsing, validation, precedence and the global defaults."""

import os

import pytest

import lazyephys as le
from lazyephys.jobs import (
    InvalidJobKwargsError,
    UnknownJobKwargError,
    fix_job_kwargs,
    get_global_job_kwargs,
    reset_global_job_kwargs,
    set_global_job_kwargs,
    split_job_kwargs,
)
from lazyephys.jobs.job_kwargs import (
    JOB_KWARG_KEYS,
    parse_duration,
    parse_memory,
    resolve_n_jobs,
    usable_cpu_count,
)


@pytest.fixture(autouse=True)
def _clean_globals():
    reset_global_job_kwargs()
    yield
    reset_global_job_kwargs()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1s", 1.0), ("0.5s", 0.5), ("500ms", 0.5), ("250us", 250e-6), ("2", 2.0), (1.5, 1.5),
     (3, 3.0), (" 1.5 s ", 1.5), ("1e-1s", 0.1)],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == pytest.approx(expected)


@pytest.mark.parametrize("bad", ["", "fast", "1h", "-1s", "0s", 0, -2.0, True, None, [1]])
def test_parse_duration_rejects(bad):
    with pytest.raises(InvalidJobKwargsError, match="chunk_duration"):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("50k", 50_000), ("50K", 50_000), ("100M", 100_000_000), ("1G", 10**9), ("2T", 2 * 10**12),
     ("100MB", 100_000_000), ("500Mi", 500 * 2**20), ("500MiB", 500 * 2**20),
     ("2GiB", 2 * 2**30), ("1.5k", 1500), ("4096", 4096), (4096, 4096), ("8B", 8)],
)
def test_parse_memory(text, expected):
    assert parse_memory(text) == expected


@pytest.mark.parametrize("bad", ["", "1X", "100m", "i", "Mi", "0", "-5M", 0, 0.5, True, "1 GBs"])
def test_parse_memory_rejects(bad):
    with pytest.raises(InvalidJobKwargsError, match="total_memory"):
        parse_memory(bad, "total_memory")


def test_n_jobs_counts_usable_cores():
    cores = usable_cpu_count()
    if hasattr(os, "sched_getaffinity"):
        assert cores == len(os.sched_getaffinity(0))
    assert resolve_n_jobs(-1) == cores
    assert resolve_n_jobs(-2) == max(1, cores - 1)
    assert resolve_n_jobs(-1000) == 1
    assert resolve_n_jobs(1.0) == cores
    assert resolve_n_jobs(0.5) == max(1, int(0.5 * cores))
    assert resolve_n_jobs(7) == 7


@pytest.mark.parametrize("bad", [0, 1.5, 0.0, -0.5, float("nan"), "2", True, None])
def test_n_jobs_invalid(bad):
    with pytest.raises(InvalidJobKwargsError, match="n_jobs"):
        fix_job_kwargs({"n_jobs": bad})


def test_n_jobs_zero_message_says_what_is_valid():
    with pytest.raises(InvalidJobKwargsError, match=r"n_jobs=0.*-1 for every usable core"):
        fix_job_kwargs({"n_jobs": 0})


def test_unknown_key_is_named_with_the_valid_ones():
    with pytest.raises(UnknownJobKwargError) as info:
        fix_job_kwargs({"n_job": 2})
    message = str(info.value)
    assert "'n_job'" in message
    for key in JOB_KWARG_KEYS:
        assert key in message
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    with pytest.raises(UnknownJobKwargError, match="chunksize"):
        set_global_job_kwargs(chunksize=10)


@pytest.mark.parametrize(
    ("key", "value"),
    [("chunk_size", 0), ("chunk_size", -3), ("chunk_size", 1.5), ("chunk_size", "100"),
     ("chunk_memory", "lots"), ("total_memory", 0), ("progress_bar", "yes"), ("verbose", 2),
     ("mp_context", "threads"), ("pool_engine", "mpi"), ("max_threads_per_worker", 0),
     ("client", object())],
)
def test_invalid_values_name_the_key(key, value):
    with pytest.raises(InvalidJobKwargsError, match=key):
        fix_job_kwargs({key: value})


def test_split_job_kwargs():
    job, rest = split_job_kwargs({"n_jobs": 2, "chunk_size": 10, "folder": "x", "dtype": None})
    assert job == {"n_jobs": 2, "chunk_size": 10}
    assert rest == {"folder": "x", "dtype": None}


def test_default_globals():
    from lazyephys.jobs.job_kwargs import interactive_session

    assert get_global_job_kwargs() == {
        "pool_engine": "process", "n_jobs": 1, "chunk_duration": "1s",
        "progress_bar": interactive_session(), "mp_context": None, "max_threads_per_worker": 1,
    }


def test_progress_bar_default_follows_the_session():
    """On for a terminal or a notebook (SpikeInterface's default), off for piped output."""
    import subprocess
    import sys

    script = ("from lazyephys.jobs import get_global_job_kwargs as g; "
              "print(g()['progress_bar'])")
    piped = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           timeout=120)
    assert piped.stdout.strip() == "False"
    notebook = subprocess.run(
        [sys.executable, "-c", "import sys, types; sys.modules['ipykernel'] = "
         "types.ModuleType('ipykernel'); " + script],
        capture_output=True, text=True, timeout=120)
    assert notebook.stdout.strip() == "True"


def test_fix_merges_globals_and_explicit_wins():
    set_global_job_kwargs(n_jobs=2, progress_bar=True)
    fixed = fix_job_kwargs({"n_jobs": 1})
    assert fixed["n_jobs"] == 1 and fixed["progress_bar"] is True
    assert fixed["chunk_duration"] == "1s"
    assert fix_job_kwargs({})["n_jobs"] == 2


def test_explicit_chunk_key_replaces_global_chunk_key():
    set_global_job_kwargs(chunk_duration="0.5s")
    fixed = fix_job_kwargs({"chunk_size": 100})
    assert fixed["chunk_size"] == 100 and "chunk_duration" not in fixed
    fixed = fix_job_kwargs({"chunk_memory": "1M"})
    assert fixed["chunk_memory"] == "1M" and "chunk_duration" not in fixed
    # None means "not given": the global chunk key stays
    assert fix_job_kwargs({"chunk_size": None})["chunk_duration"] == "0.5s"


def test_fix_is_idempotent_and_n_jobs_resolved():
    fixed = fix_job_kwargs({"n_jobs": -1, "chunk_memory": "10M", "progress_bar": 1})
    assert fixed["n_jobs"] == usable_cpu_count()
    assert fixed["progress_bar"] is True
    assert fix_job_kwargs(fixed) == fixed


def test_get_returns_a_new_dict_with_values_as_given():
    set_global_job_kwargs(chunk_duration="0.5s", n_jobs=-1)
    first = get_global_job_kwargs()
    assert first["chunk_duration"] == "0.5s" and first["n_jobs"] == -1
    first["n_jobs"] = 99
    assert get_global_job_kwargs()["n_jobs"] == -1


def test_set_changes_only_given_keys_and_chunk_keys_replace_each_other():
    set_global_job_kwargs(progress_bar=True)
    assert get_global_job_kwargs()["chunk_duration"] == "1s"
    assert get_global_job_kwargs()["n_jobs"] == 1
    set_global_job_kwargs(chunk_size=5000)
    after = get_global_job_kwargs()
    assert after["chunk_size"] == 5000 and "chunk_duration" not in after
    assert after["progress_bar"] is True
    set_global_job_kwargs(total_memory="1G")
    assert "chunk_size" not in get_global_job_kwargs()


def test_set_round_trip_always_works():
    set_global_job_kwargs(n_jobs=0.5, chunk_memory="10Mi", mp_context="spawn", verbose=True)
    before = get_global_job_kwargs()
    set_global_job_kwargs(**get_global_job_kwargs())
    assert get_global_job_kwargs() == before
    reset_global_job_kwargs()
    set_global_job_kwargs(**get_global_job_kwargs())
    assert get_global_job_kwargs()["chunk_duration"] == "1s"


def test_invalid_global_leaves_globals_unchanged():
    before = get_global_job_kwargs()
    with pytest.raises(InvalidJobKwargsError):
        set_global_job_kwargs(n_jobs=2, chunk_size=0)
    assert get_global_job_kwargs() == before


def test_client_implies_dask_and_conflicts_with_other_engines():
    class FakeClient:
        def submit(self):
            pass

        def scatter(self):
            pass

    client = FakeClient()
    assert fix_job_kwargs({"client": client})["pool_engine"] == "dask"
    with pytest.raises(InvalidJobKwargsError, match="pool_engine='dask'"):
        fix_job_kwargs({"client": client, "pool_engine": "thread"})


def test_names_exported_at_top_level():
    for name in ("set_global_job_kwargs", "get_global_job_kwargs", "reset_global_job_kwargs",
                 "write_binary_recording", "run_chunked_job", "make_chunk_plan",
                 "split_job_kwargs", "fix_job_kwargs", "ChunkPlan"):
        assert hasattr(le, name) and name in le.__all__
