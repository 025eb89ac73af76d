"""One dtype rule for every step: what SpikeInterface 0.105 gives with ``dtype=None``.

Steps that transform traces keep an int16 input's dtype (the result is the float result
rounded to the nearest integer); steps that change units or scale give float32. Checked
against SpikeInterface run on the same int16 input when it is installed.
"""

from __future__ import annotations

import numpy as np
import pytest

import lazyephys as le
from lazyephys import preprocessing as pp

from .si_reference import run_spikeinterface

FS = 30000.0
NUM_CHANNELS = 16


def _int16_recording() -> le.Recording:
    rng = np.random.default_rng(3)
    values = np.rint(rng.normal(0, 40, (9000, NUM_CHANNELS))).astype(np.int16)
    rec = le.NumpyRecording(values, FS)
    rec.set_channel_locations(np.c_[np.zeros(NUM_CHANNELS), np.arange(NUM_CHANNELS) * 20.0])
    rec.set_channel_gains(0.5)
    rec.set_channel_offsets(0.0)
    rec.set_property("inter_sample_shift", np.linspace(0, 0.9, NUM_CHANNELS))
    return rec


# name -> (our call, SpikeInterface's call on `rec` with `spre`); both take extra kwargs
STEPS = {
    "highpass_filter": (lambda r, **k: pp.highpass_filter(r, **k),
                        "spre.highpass_filter(rec)"),
    "bandpass_filter": (lambda r, **k: pp.bandpass_filter(r, **k),
                        "spre.bandpass_filter(rec)"),
    "notch_filter": (lambda r, **k: pp.notch_filter(r, freq=1000.0, q=10, **k),
                     "spre.notch_filter(rec, freq=1000.0, q=10)"),
    "causal_filter": (lambda r, **k: pp.causal_filter(r, **k), "spre.causal_filter(rec)"),
    "common_reference": (lambda r, **k: pp.common_reference(r, **k),
                         "spre.common_reference(rec)"),
    "phase_shift": (lambda r, **k: pp.phase_shift(r, **k), "spre.phase_shift(rec)"),
    "highpass_spatial_filter": (lambda r, **k: pp.highpass_spatial_filter(r, n_channel_pad=4,
                                                                          **k),
                                "spre.highpass_spatial_filter(rec, n_channel_pad=4)"),
    "interpolate_bad_channels": (
        lambda r, **k: pp.interpolate_bad_channels(r, [r.get_channel_ids()[5]], **k),
        "spre.interpolate_bad_channels(rec, [rec.channel_ids[5]])"),
    "gaussian_filter": (lambda r, **k: pp.gaussian_filter(r, **k),
                        "spre.gaussian_filter(rec)"),
    "resample": (lambda r, **k: pp.resample(r, 10000.0, **k), "spre.resample(rec, 10000.0)"),
    "decimate": (lambda r, **k: pp.decimate(r, 3, antialias=True, **k),
                 "spre.decimate(rec, 3, antialias=True)"),
}

#: steps without a ``dtype`` argument, and those that change units or scale
OTHER_STEPS = {
    "remove_artifacts": (lambda r: pp.remove_artifacts(r, [3000], mode="linear"),
                         "spre.remove_artifacts(rec, [3000], mode='linear')"),
    "depth_order": (pp.depth_order, "spre.depth_order(rec)"),
    "clip": (lambda r: pp.clip(r, -50, 50), "spre.clip(rec, -50, 50)"),
    "rectify": (pp.rectify, "spre.rectify(rec)"),
    "scale": (lambda r: pp.scale(r, gain=2.0), "spre.scale(rec, gain=2.0)"),
    "center": (pp.center, "spre.center(rec)"),
    "zscore": (pp.zscore, "spre.zscore(rec)"),
    "normalize_by_quantile": (pp.normalize_by_quantile, "spre.normalize_by_quantile(rec)"),
    "scale_to_uV": (pp.scale_to_uV, "spre.scale_to_uV(rec)"),
    "average_across_direction": (pp.average_across_direction,
                                 "spre.average_across_direction(rec)"),
}


@pytest.mark.parametrize("name", sorted(STEPS))
def test_int16_stays_int16_as_the_rounded_float_result(name):
    rec = _int16_recording()
    ours, _ = STEPS[name]
    kept = ours(rec)
    assert kept.get_dtype() == np.int16
    got = kept.get_traces()
    assert got.dtype == np.int16
    as_float = ours(rec, dtype="float32").get_traces()
    assert as_float.dtype == np.float32
    # the same computation, rounded to the nearest integer (a tie may round either way)
    assert np.abs(got - np.rint(as_float)).max() <= 1
    assert np.mean(got == np.rint(as_float)) > 0.999
    window = kept.get_traces(start_frame=123, end_frame=2345, channel_ids=[
        rec.get_channel_ids()[2]])
    assert window.dtype == np.int16


@pytest.mark.parametrize("name", ["phase_shift", "highpass_spatial_filter", "gaussian_filter",
                                  "interpolate_bad_channels", "resample"])
def test_unsigned_input_needs_a_dtype(name):
    rec = _int16_recording()
    unsigned = le.NumpyRecording((rec.get_traces().astype(np.int32) + 1000).astype(np.uint16),
                                 FS)
    unsigned.set_channel_locations(rec.get_channel_locations())
    unsigned.set_property("inter_sample_shift", rec.get_property("inter_sample_shift"))
    ours, _ = STEPS[name]
    with pytest.raises(ValueError, match="uint16 traces: the result is signed.*dtype="):
        ours(unsigned)
    assert ours(unsigned, dtype="float32").get_dtype() == np.float32


def test_dtypes_same_as_spikeinterface(tmp_path):
    calls = {**{k: v[1] for k, v in STEPS.items()}, **{k: v[1] for k, v in OTHER_STEPS.items()}}
    lines = ["rec = recording(inputs['x'], 30000.0, inputs['locs'], inputs['gains'])",
             "rec.set_property('inter_sample_shift', inputs['shifts'])"]
    for name, call in calls.items():
        lines.append(f"step = {call}")
        lines.append(f"outputs['{name}'] = np.array([str(step.get_dtype()), "
                     "str(step.get_traces(start_frame=0, end_frame=3000).dtype)])")
    rec = _int16_recording()
    theirs = run_spikeinterface("\n".join(lines), tmp_path, x=rec.get_traces(),
                                locs=rec.get_channel_locations(),
                                gains=rec.get_channel_gains(),
                                shifts=rec.get_property("inter_sample_shift"))
    ours = {name: step(rec) for name, (step, _) in STEPS.items()}
    ours.update({name: step(rec) for name, (step, _) in OTHER_STEPS.items()})
    for name, step in ours.items():
        declared, given = theirs[name].tolist()
        traces = step.get_traces(start_frame=0, end_frame=3000)
        assert (str(step.get_dtype()), str(traces.dtype)) == (declared, given), name
