"""Run a snippet of SpikeInterface 0.105 in its own interpreter on arrays we give it.

``LAZYEPHYS_SI_PYTHON`` names that interpreter; without it the comparisons skip. The snippet
sees ``inputs`` (a dict of numpy arrays loaded from an .npz), ``np`` and ``si`` (a helper
module with ``recording(traces, fs, locations)``) and fills ``outputs`` (a dict of arrays).
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest

_PRELUDE = """
import sys, numpy as np
import spikeinterface.core as sc
import spikeinterface.preprocessing as spre
inputs = dict(np.load(sys.argv[1], allow_pickle=False))
outputs = {}

def recording(traces, fs, locations=None, gains=None):
    rec = sc.NumpyRecording([traces], sampling_frequency=float(fs))
    if locations is not None:
        rec.set_channel_locations(np.asarray(locations))
    if gains is not None:
        rec.set_channel_gains(np.asarray(gains)); rec.set_channel_offsets(0.0)
    return rec
"""

_EPILOGUE = """
np.savez(sys.argv[2], **{k: np.asarray(v) for k, v in outputs.items()})
"""


def si_python() -> str:
    python = os.environ.get("LAZYEPHYS_SI_PYTHON")
    if not python:
        pytest.skip("LAZYEPHYS_SI_PYTHON is not set (a SpikeInterface 0.105 interpreter)")
    return python


def run_spikeinterface(snippet: str, tmp_path: Path, **inputs: np.ndarray) -> dict[str, np.ndarray]:
    """Outputs of ``snippet`` run by SpikeInterface's interpreter on ``inputs``."""
    python = si_python()
    source = tmp_path / "si_inputs.npz"
    target = tmp_path / "si_outputs.npz"
    np.savez(source, **inputs)
    script = _PRELUDE + textwrap.dedent(snippet) + _EPILOGUE
    result = subprocess.run([python, "-c", script, str(source), str(target)],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise AssertionError(f"the SpikeInterface snippet failed:\n{result.stderr[-3000:]}")
    with np.load(target, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}
