"""The feature files equal those bluepyefe's ``extract_efeatures`` writes from the same sweeps
(skipped where bluepyefe is not installed)."""

from __future__ import annotations

import json
import logging
import warnings

import numpy as np
import pytest

from lazyephys.sweeps import group_by_targets, write_feature_files

from .conftest import FS, STIM_END, STIM_START

TARGETS = [
    {"efeature": "Spikecount", "protocol": "IDRest", "amplitude": 150, "tolerance": 25},
    {"efeature": "mean_frequency", "protocol": "IDRest", "amplitude": 150, "tolerance": 25},
    {"efeature": "time_to_first_spike", "protocol": "IDRest", "amplitude": 200,
     "tolerance": 30, "efel_settings": {"Threshold": -10.0}},
    {"efeature": "AP_amplitude", "protocol": "IDthresh", "amplitude": 120, "tolerance": 20},
]


def _close(ours, theirs, path="") -> None:
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs), path
        for key in theirs:
            _close(ours[key], theirs[key], f"{path}/{key}")
    elif isinstance(theirs, list):
        assert len(ours) == len(theirs), path
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            _close(a, b, f"{path}[{index}]")
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12, nan_ok=True), path
    else:
        assert ours == theirs, path


def run_bluepyefe(sweeps, folder, **options) -> None:
    """bluepyefe's extract_efeatures on the sweeps (each read back through a reader)."""
    extract = pytest.importorskip("bluepyefe.extract")
    table = sweeps.get_sweep_table()
    files_metadata: dict = {}
    for index, cell in enumerate(table["cell_id"]):
        config = {"sweep": index, "filepath": f"sweep{index}", "ton": STIM_START,
                  "toff": STIM_END}
        files_metadata.setdefault(str(cell), {}).setdefault(str(table["protocol"][index]),
                                                            []).append(config)

    def reader(config):
        traces = sweeps.get_traces(config["sweep"])
        return [{"voltage": traces[:, 0], "current": traces[:, 1], "dt": 1000.0 / FS,
                 "t_unit": "ms", "v_unit": "mV", "i_unit": "nA"}]

    logging.getLogger("bluepyefe").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extract.extract_efeatures(
            output_directory=str(folder), files_metadata=files_metadata,
            targets=[dict(t) for t in TARGETS], protocols_rheobase=["IDthresh"],
            recording_reader=reader, write_files=True, efel_settings=None, **options,
        )


@pytest.mark.parametrize("protocol_mode", ["mean", "median", "min", "max"])
def test_feature_files_equal_bluepyefe(sweeps, tmp_path, protocol_mode):
    pytest.importorskip("efel")
    theirs_folder = tmp_path / "bluepyefe"
    run_bluepyefe(sweeps, theirs_folder, protocol_mode=protocol_mode)
    result = group_by_targets(sweeps, TARGETS, protocol_mode=protocol_mode, n_jobs=2)
    ours = write_feature_files(result, tmp_path / "ours")
    for key, name in (("features", "features.json"), ("protocols", "protocols.json"),
                      ("currents", "holding_threshold_currents.json")):
        theirs = json.loads((theirs_folder / name).read_text())
        mine = json.loads(ours[key].read_text())
        _close(mine, theirs, name)
    # the comparison covers real content: every target matched sweeps
    assert all(t["n"] > 0 for t in result.targets)
    assert np.isfinite(result.currents["threshold_current"][0])


def test_bluepyefe_documents_lnmc_but_raises(sweeps, tmp_path):
    pytest.importorskip("efel")
    with pytest.raises(ValueError, match="'mode' should be mean or median"):
        run_bluepyefe(sweeps, tmp_path / "bluepyefe", protocol_mode="lnmc")


def test_lnmc_mode_is_refused(sweeps):
    # as bluepyefe's extraction fails on it (above), ours refuses it up front, saying why
    with pytest.raises(ValueError, match=r"'lnmc'.*does not implement.*'mean', 'median'"):
        group_by_targets(sweeps, TARGETS, protocol_mode="lnmc")
    with pytest.raises(ValueError, match=r"one of 'mean', 'median', 'min', 'max', got 'avg'"):
        group_by_targets(sweeps, TARGETS, protocol_mode="avg")
