"""Field fuzzing: every argument of every kind's description, replaced by nonsense.

A description (what ``to_dict`` gives and provenance files hold) with one argument replaced
must either load into an object that works, or raise a clear error: one of lazyephys's own or
a built-in ``ValueError``/``TypeError``/``LookupError``/``OSError`` whose message names the
argument — never a generic Python error from deep inside (``AttributeError``,
``ZeroDivisionError``...), and never an object that accepts the value and then fails.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lazyephys as le
from lazyephys.preprocessing import astype, bandpass_filter, common_reference, scale
from lazyephys.recording.base import Recording
from lazyephys.sorting.base import Sorting

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

#: Nonsense values, one of each sort a hostile or damaged file could hold.
BAD_VALUES = [
    None, float("nan"), float("inf"), -1, 0, 1.5, True, "x", "", [], [[1, 2]], {},
    {"a": 1}, 10**30, -(10**30), {"kind": "NoSuchKind", "kwargs": {}},
]

#: Errors that say nothing useful about the input: a fuzz case must never raise them.
GENERIC = (AttributeError, ZeroDivisionError, RecursionError, NameError, AssertionError,
           NotImplementedError, UnboundLocalError, SystemError)
CLEAR = (le.LazyEphysError, ValueError, TypeError, LookupError, OSError, MemoryError)


def _examples(folder) -> list:
    traces = (np.arange(4000, dtype="int16").reshape(1000, 4) % 97) - 40
    rec = le.NumpyRecording([traces], 1000.0, channel_ids=["a", "b", "c", "d"])
    rec.set_channel_gains(0.5)
    rec.set_channel_offsets(0.0)
    traces.tofile(folder / "traces.raw")
    binary = le.BinaryRecordingExtractor(folder / "traces.raw", 1000.0, "int16", 4,
                                         gain_to_uV=0.5)
    noise = le.generate_recording(num_channels=3, durations=[0.5], seed=0)
    sorting = le.generate_sorting(num_units=3, durations=[1.0], sampling_frequency=1000.0,
                                  seed=0)
    spikes = le.NumpySorting(sorting.to_spike_vector(), 1000.0, sorting.get_unit_ids(), [1000])
    return [
        rec, binary, noise,
        rec.save(folder=folder / "saved"),
        rec.save(folder=folder / "saved", format="zarr"),
        rec.select_channels(["c", "a"]).frame_slice(10, 900),
        le.concatenate_recordings([rec, rec]),
        le.append_recordings([rec, rec]),
        le.aggregate_channels([rec, binary]),
        rec.select_segments([0]),
        scale(rec, gain=2.0, offset=1.0, dtype="float32"),
        astype(rec, "float32"),
        bandpass_filter(astype(rec, "float32"), freq_min=50.0, freq_max=300.0),
        common_reference(rec, operator="median"),
        sorting, spikes,
        spikes.select_units(list(spikes.get_unit_ids()[:2])),
        spikes.save(folder=folder / "saved_sorting"),
        spikes.save(folder=folder / "saved_sorting", format="zarr"),
        le.aggregate_units([spikes, spikes]),
        le.concatenate_sortings([spikes, spikes]),
    ]


def _exercise(extractor) -> None:
    """Use a loaded object the way anyone would first use it."""
    if isinstance(extractor, Recording):
        for index in range(extractor.get_num_segments()):
            end = min(10, extractor.get_num_samples(index))
            extractor.get_traces(segment_index=index, start_frame=0, end_frame=end)
            if extractor.get_num_samples(index) <= 10**7:  # a huge one is no mistake
                extractor.get_times(index)
        extractor.get_channel_ids()
    elif isinstance(extractor, Sorting):
        extractor.to_spike_vector()
        for unit_id in extractor.get_unit_ids()[:2]:
            extractor.get_unit_spike_train(unit_id, segment_index=0)
    else:
        raise AssertionError(f"load gave {type(extractor).__name__}")


def _outcome(description, argument) -> str | None:
    value = description["kwargs"][argument]
    """None when the case is handled well, else what went wrong."""
    try:
        loaded = le.load(description)
    except GENERIC as error:
        return f"generic {type(error).__name__}: {error}"
    except CLEAR as error:
        message = str(error)
        if argument in message:
            return None
        # a refused path is named by its value and where it points
        if isinstance(error, le.UnsafePathError) and repr(value) in message:
            return None
        return f"{type(error).__name__} not naming {argument!r}: {message[:160]}"
    except Exception as error:  # anything else is not a clear error either
        return f"unexpected {type(error).__name__}: {error}"
    try:
        _exercise(loaded)
    except Exception as error:
        return f"accepted, then {type(error).__name__}: {str(error)[:160]}"
    return None


def _value_repr(value) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return repr(value)[:40]


@pytest.fixture(scope="module")
def descriptions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    return [example.to_dict() for example in _examples(folder)]


def fuzz_description(description: dict) -> tuple[int, list[str]]:
    """Every argument of ``description`` replaced by each bad value: (cases, failures)."""
    failures, count = [], 0
    kind = description["kind"]
    for argument in description["kwargs"]:
        for value in BAD_VALUES:
            fuzzed = copy.deepcopy(description)
            fuzzed["kwargs"][argument] = copy.deepcopy(value)
            count += 1
            problem = _outcome(fuzzed, argument)
            if problem is not None:
                failures.append(f"{kind}.{argument}={_value_repr(value)}: {problem}")
    return count, failures


def fuzz_all(descriptions) -> tuple[int, list[str]]:
    """:func:`fuzz_description` over many descriptions: (cases, failures)."""
    failures: list[str] = []
    count = 0
    for description in descriptions:
        cases, problems = fuzz_description(description)
        count += cases
        failures += problems
    return count, failures


def test_every_argument_of_every_kind_gives_a_clear_error_or_works(descriptions):
    count, failures = fuzz_all(descriptions)
    assert count > 1000
    assert failures == [], f"{len(failures)} of {count} cases:\n" + "\n".join(failures)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(data=st.data())
def test_arbitrary_json_in_two_arguments(descriptions, data):
    description = copy.deepcopy(data.draw(st.sampled_from(descriptions)))
    arguments = sorted(description["kwargs"])
    chosen = data.draw(st.lists(st.sampled_from(arguments), min_size=1, max_size=2,
                                unique=True))
    for argument in chosen:
        description["kwargs"][argument] = data.draw(_json)
    problem = _outcome(description, chosen[0])
    if problem is not None and len(chosen) == 2:  # either argument may be the one named
        problem = _outcome(description, chosen[1])
    assert problem is None, f"{description['kind']} {chosen}: {problem}"
