"""``lazyephys.full``: every subpackage's names in one namespace, as ``spikeinterface.full``."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import lazyephys.extractors
import lazyephys.full as si
import lazyephys.preprocessing
from lazyephys import core


def test_names_are_their_subpackages_objects():
    assert si.generate_recording is core.generate_recording
    assert si.bandpass_filter is lazyephys.preprocessing.bandpass_filter
    assert si.read_spikeglx is lazyephys.extractors.read_spikeglx
    assert si.bin_spikes is lazyephys.analysis.bin_spikes
    listed = dir(si)
    for name in ("load", "common_reference", "read_nwb_recording", "plot_traces",
                 "run_chunked_job", "extract_features"):
        assert name in listed and getattr(si, name) is not None


def test_star_import_gives_every_name():
    namespace: dict = {}
    exec("from lazyephys.full import *", namespace)
    assert namespace["highpass_spatial_filter"] is lazyephys.preprocessing.highpass_spatial_filter
    assert namespace["read_openephys"] is lazyephys.extractors.read_openephys


def test_unknown_name_says_where_it_looked():
    with pytest.raises(AttributeError, match="no attribute 'no_such_step'.*lazyephys.core"):
        si.no_such_step  # noqa: B018


def test_a_spikeinterface_full_script_runs_with_the_import_changed(tmp_path):
    # written as a SpikeInterface user writes it, only the import changed
    recording = si.generate_recording(num_channels=4, durations=[2.0], seed=0)
    filtered = si.bandpass_filter(recording, freq_min=300.0, freq_max=3000.0)
    referenced = si.common_reference(filtered, operator="median")
    saved = referenced.save(folder=tmp_path / "preprocessed", n_jobs=1)
    again = si.load(tmp_path / "preprocessed")
    np.testing.assert_array_equal(again.get_traces(), saved.get_traces())
    # the same chain computed without the namespace
    reference = lazyephys.preprocessing.common_reference(
        lazyephys.preprocessing.bandpass_filter(recording, freq_min=300.0, freq_max=3000.0),
        operator="median")
    np.testing.assert_allclose(again.get_traces(), reference.get_traces(), atol=1e-5)


def test_importing_it_imports_no_subpackage():
    code = ("import sys, lazyephys.full; "
            "print(sorted(m for m in sys.modules if m.startswith('lazyephys.') "
            "and m != 'lazyephys.full' and m != 'lazyephys._version'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
