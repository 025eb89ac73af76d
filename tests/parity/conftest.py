"""Helpers of the SpikeInterface parity tests.

Behaviour is checked against numpy references always, and against SpikeInterface itself when
a Python with SpikeInterface installed is named by ``LAZYEPHYS_SI_PYTHON`` (run in a
subprocess; those tests skip otherwise).
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest


def run_spikeinterface(script: str, *args: str) -> Any:
    """Run ``script`` with SpikeInterface's Python; return the JSON of its last output line."""
    python = os.environ.get("LAZYEPHYS_SI_PYTHON")
    if not python:
        pytest.skip("LAZYEPHYS_SI_PYTHON is not set (a Python with spikeinterface installed)")
    done = subprocess.run([python, "-c", script, *args], capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"the SpikeInterface script failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
