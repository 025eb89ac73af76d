"""Field fuzzing of the kinds beyond the core: readers, preprocessing, analysis and sweeps.

The same rule as ``test_field_fuzz``: a description with one argument replaced by nonsense
loads into an object that works, or raises a clear error naming the argument. A last test
keeps the fuzzer complete: every registered kind is fuzzed here or in ``test_field_fuzz``,
except the few listed with the reason they cannot be described by arguments alone.
"""

from __future__ import annotations

import numpy as np
import pytest

import lazyephys as le
import lazyephys.analysis as la
import lazyephys.preprocessing as pp
from lazyephys.base.provenance import get_kind, get_registered_kinds, nested_descriptions
from lazyephys.sweeps import SweepRecording

from ..extractors.nwb_writers import nwb_content, write_nwb_file, write_sonata
from ..extractors.writers import (
    NP1,
    write_blackrock_ns5,
    write_intan_rhd,
    write_openephys_binary,
    write_openephys_legacy,
    write_spikeglx_imec,
)
from ..sweeps.test_readers import write_icephys
from .test_field_fuzz import _examples, fuzz_all

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning",
                                        "ignore::DeprecationWarning")

#: Kinds that are not described by their arguments alone, and why.
NOT_FUZZED = {
    # they name a block of shared memory that lives only as long as its creating process
    "SharedMemoryRecording": "names a shared-memory block, not a file",
    "SharedMemorySorting": "names a shared-memory block, not a file",
}


def _icephys_file(path):
    steps = []
    for number in range(2):
        current = np.zeros(400)
        current[100:300] = 0.1 * (number + 1)
        steps.append((number, "IDRest", -70.0 + 10.0 * current, current))
    write_icephys(path, steps)
    return path


def _reader_examples(folder) -> list:
    rng = np.random.default_rng(0)
    traces = rng.integers(-3000, 3000, (1200, 5)).astype("int16")
    raw = folder / "signal.raw"
    raw.write_bytes(b"\x07" * 16 + traces.tobytes())
    neo_recording = le.read_neo_recording("rawbinarysignal", filename=raw, dtype="int16",
                                          sampling_rate=2000.0, nb_channel=5, bytesoffset=16)
    phy = folder / "phy"
    phy.mkdir()
    np.save(phy / "spike_times.npy", np.sort(rng.integers(0, 9000, 50)).astype("int64"))
    clusters = rng.integers(0, 3, 50).astype("int64")
    np.save(phy / "spike_clusters.npy", clusters)
    np.save(phy / "spike_templates.npy", clusters)
    (phy / "params.py").write_text(
        "dat_path = 'x.bin'\nn_channels_dat = 4\ndtype = 'int16'\noffset = 0\n"
        "sample_rate = 30000.0\nhp_filtered = False\n")
    neo_sorting = le.read_neo_sorting("phy", sampling_frequency=30000.0, dirname=phy)
    glx = folder / "glx"
    write_spikeglx_imec(glx, rng.integers(-500, 500, (600, 385)).astype("int16"), NP1, "ap")
    openephys = write_openephys_binary(
        folder / "oe", [rng.integers(-3000, 3000, (300, 4)).astype("int16")],
        [0.195] * 4, 30000.0, [0])
    legacy = write_openephys_legacy(folder / "legacy",
                                    rng.integers(-3000, 3000, (1024, 2)).astype("int16"),
                                    0.195, 30000.0)
    intan = write_intan_rhd(folder / "session.rhd",
                            rng.integers(0, 65536, (240, 3)).astype("uint16"), 20000.0,
                            ["c0", "c1", "c2"])
    blackrock = write_blackrock_ns5(folder / "rec.ns5",
                                    rng.integers(-3000, 3000, (400, 4)).astype("int16"),
                                    ["e1", "e2", "e3", "e4"])
    nwb = write_nwb_file(folder / "ecephys.nwb", nwb_content())
    stamps = np.sort(rng.uniform(0.0, 500.0, 100)).round(1)
    sonata = write_sonata(folder / "spikes.h5",
                          {"cortex": (stamps, rng.choice(np.array([3, 7, 8]), 100))})
    generated = le.generate_sorting(num_units=3, durations=[1.0], sampling_frequency=1000.0,
                                    seed=0)
    npz = folder / "sorting.npz"
    le.NpzSortingExtractor.write_sorting(generated, npz)
    small = le.NumpyRecording([traces[:400]], 1000.0)
    return [
        neo_recording, neo_sorting, le.read_spikeglx(glx), le.read_openephys(openephys),
        le.read_openephys(legacy), le.read_intan(intan), le.read_blackrock(blackrock),
        le.read_nwb_recording(nwb), le.read_nwb_sorting(nwb),
        le.read_sonata_sorting(sonata, sampling_frequency=10000.0),
        le.read_npz_sorting(npz), small.save(folder=folder / "small.h5", format="hdf5"),
    ]


def _processing_examples(folder) -> list:
    rec = le.generate_recording(num_channels=12, durations=[1.0], seed=0,
                                sampling_frequency=10000.0)
    int_rec = pp.astype(pp.scale(rec, gain=100.0), "int16")
    uint_rec = pp.astype(pp.scale(rec, gain=100.0, offset=2000.0), "uint16")
    truth, _ = le.generate_ground_truth_recording(durations=[0.5], num_channels=4,
                                                  num_units=2, seed=0)
    sorting = le.generate_sorting(num_units=3, durations=[1.0], sampling_frequency=1000.0,
                                  seed=0)
    spikes = le.NumpySorting(sorting.to_spike_vector(), 1000.0, sorting.get_unit_ids(),
                             [1000])
    sweeps = SweepRecording.from_arrays(
        [np.full(400, -70.0), np.full(400, -65.0)], None, 20000.0, ["c1", "c1"],
        ["IDRest", "IDRest"], [0.1, 0.2], [5.0, 5.0], [15.0, 15.0])
    ids = list(rec.get_channel_ids())
    examples = [
        truth,
        pp.whiten(rec, apply_mean=True, chunk_size=2000, num_chunks_per_segment=2),
        pp.center(rec, chunk_size=2000, num_chunks_per_segment=2),
        pp.zscore(rec, chunk_size=2000, num_chunks_per_segment=2),
        pp.normalize_by_quantile(rec, chunk_size=2000, num_chunks_per_segment=2),
        pp.remove_artifacts(rec, list_triggers=[[1000, 5000]], ms_before=1.0, ms_after=1.0),
        pp.interpolate_bad_channels(rec, bad_channel_ids=[ids[2]]),
        pp.highpass_spatial_filter(rec, n_channel_pad=2),
        pp.gaussian_filter(rec, freq_min=300.0, freq_max=3000.0),
        pp.clip(rec, a_min=-1.0, a_max=1.0),
        pp.blank_saturation(rec, abs_threshold=2.0),
        pp.rectify(rec),
        pp.zero_channel_pad(rec, num_channels=14),
        pp.unsigned_to_signed(uint_rec),
        pp.phase_shift(rec, inter_sample_shift=np.linspace(0.0, 0.5, 12)),
        pp.bandpass_filter(rec, freq_min=300.0, freq_max=3000.0),
        pp.highpass_filter(rec, freq_min=300.0),
        pp.notch_filter(rec, freq=50.0, q=30),
        pp.silence_periods(rec, list_periods=[[(1000, 2000)]], mode="zeros"),
        pp.resample(rec, resample_rate=5000),
        pp.decimate(rec, decimation_factor=2),
        pp.scale(int_rec, gain=2.0),
        pp.causal_filter(rec, band=300.0, btype="highpass"),
        la.smooth_spikes(spikes, sigma=0.01, sampling_frequency=500.0),
        la.remove_invalid_times(spikes, [[0.1, 0.2]]),
        le.append_sortings([spikes, spikes]),
        spikes.select_segments([0]),
        sweeps,
    ]
    if rec.get_property("location") is not None:
        examples.append(pp.average_across_direction(rec))
    return examples


@pytest.fixture(scope="module")
def descriptions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz_kinds")
    examples = _reader_examples(folder) + _processing_examples(folder)
    icephys = _icephys_file(folder / "icephys.nwb")
    examples.append(le.read_nwb_sweeps(icephys))
    # kinds the core fuzzer covers are not fuzzed again when they appear nested here
    core = {example.to_dict()["kind"] for example in _examples(folder)}
    found: dict[str, dict] = {}
    for example in examples:
        # the kinds nested in a description (the NWB sweeps' parent...) are fuzzed on their own
        top = example.to_dict()
        header = {k: v for k, v in top.items() if k not in ("kind", "kwargs", "state")}
        for description in nested_descriptions(top):
            if description is top or description["kind"] not in core:
                found.setdefault(description["kind"], {**header, **description})
    return found


@pytest.mark.parametrize("group", ["readers", "processing"])
def test_every_argument_gives_a_clear_error_or_works(descriptions, group):
    readers = {"NeoRecordingExtractor", "NeoSortingExtractor", "SpikeGLXRecordingExtractor",
               "OpenEphysBinaryRecordingExtractor", "OpenEphysLegacyRecordingExtractor",
               "IntanRecordingExtractor", "BlackrockRecordingExtractor",
               "NwbRecordingExtractor", "NwbSortingExtractor", "SonataSortingExtractor",
               "NpzSortingExtractor", "Hdf5RecordingExtractor", "NwbIcephysRecording"}
    chosen = [d for kind, d in descriptions.items() if (kind in readers) == (group == "readers")]
    total, failures = fuzz_all(chosen)
    assert total > 300
    assert failures == [], f"{len(failures)} of {total} cases:\n" + "\n".join(failures)


def test_every_registered_kind_is_fuzzed(descriptions, tmp_path):
    fuzzed = set(descriptions) | {example.to_dict()["kind"] for example in _examples(tmp_path)}
    # kinds registered by other test modules (test doubles) are not the library's
    library = {name for name in get_registered_kinds()
               if get_kind(name).__module__.startswith("lazyephys.")}
    missing = library - fuzzed - set(NOT_FUZZED)
    assert not missing, f"kinds without a fuzz example: {sorted(missing)}"
