"""The top-level namespace: cheap to import, every public name resolves on first use."""

import importlib
import pickle
import subprocess
import sys

import numpy as np

import lazyephys


def run_python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout


def test_every_subpackage_name_is_a_top_level_name():
    for subpackage in lazyephys._EXPORTING_SUBPACKAGES:
        module = importlib.import_module(f"lazyephys.{subpackage}")
        for name in module.__all__:
            assert name in lazyephys.__all__
            value = getattr(lazyephys, name)
            owner = next(importlib.import_module(f"lazyephys.{s}")
                         for s in lazyephys._EXPORTING_SUBPACKAGES
                         if name in importlib.import_module(f"lazyephys.{s}").__all__)
            assert value is getattr(owner, name)
    for name, subpackage in lazyephys._SINGLE_NAMES.items():
        assert getattr(lazyephys, name) is getattr(
            importlib.import_module(f"lazyephys.{subpackage}"), name)
    assert len(lazyephys.__all__) == len(set(lazyephys.__all__))


def test_star_import_gives_every_public_name():
    namespace: dict = {}
    exec("from lazyephys import *", namespace)
    assert set(lazyephys.__all__) <= set(namespace)


def test_unknown_name_raises_attribute_error_naming_it():
    try:
        lazyephys.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("an unknown attribute must raise AttributeError")
    assert not hasattr(lazyephys, "__wrapped__")


def test_import_loads_no_subpackage_and_no_heavy_module():
    heavy = ["lazyephys.recording", "lazyephys.io", "lazyephys.widgets", "matplotlib", "scipy",
             "zarr", "neo", "pynwb", "h5py", "dask", "pandas", "tqdm"]
    code = f"import sys, lazyephys; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    assert run_python(code).split() == []


def test_a_fresh_process_saves_and_loads_provenance_without_importing_io_by_hand(tmp_path):
    # the registries import the library's own kinds and formats when first needed
    code = f"""
import numpy as np
import lazyephys.recording as rec_module
from lazyephys.generation import generate_recording
from lazyephys.preprocessing import bandpass_filter
rec = bandpass_filter(generate_recording(num_channels=2, durations=[1.0], seed=3))
saved = rec.save(folder={str(tmp_path / 'saved')!r})
rec.dump_to_json({str(tmp_path / 'chain.json')!r})
np.save({str(tmp_path / 'expected.npy')!r}, rec.get_traces())
"""
    run_python(code)
    load_code = f"""
import numpy as np
from lazyephys.base import BaseExtractor
from lazyephys.io.load import load
chain = load({str(tmp_path / 'chain.json')!r})
saved = load({str(tmp_path / 'saved')!r})
expected = np.load({str(tmp_path / 'expected.npy')!r})
assert np.array_equal(chain.get_traces(), expected)
assert np.array_equal(saved.get_traces(), expected)
print(type(chain).__name__)
"""
    assert run_python(load_code).strip() == "BandpassFilterRecording"


def test_kinds_registry_lists_the_library_kinds_in_a_fresh_process():
    names = run_python("import lazyephys; print(' '.join(lazyephys.get_registered_kinds()))")
    for kind in ("NumpyRecording", "BandpassFilterRecording", "BinaryFolderRecording",
                 "NeoRecordingExtractor"):
        assert kind in names.split()


def test_job_worker_died_error_is_one_class_and_pickles():
    from concurrent.futures.process import BrokenProcessPool

    from lazyephys.errors import JobWorkerDiedError

    assert JobWorkerDiedError is lazyephys.JobWorkerDiedError
    assert issubclass(JobWorkerDiedError, BrokenProcessPool)
    assert issubclass(JobWorkerDiedError, lazyephys.LazyEphysError)
    error = pickle.loads(pickle.dumps(JobWorkerDiedError("worker 3 died")))
    assert type(error) is JobWorkerDiedError and error.args == ("worker 3 died",)


def test_subpackages_are_attributes():
    assert lazyephys.preprocessing.bandpass_filter is importlib.import_module(
        "lazyephys.preprocessing").bandpass_filter
    assert np.array_equal(lazyephys.generate_recording(num_channels=1, durations=[0.01],
                                                      seed=0).get_traces().shape, (300, 1))


def test_the_builtin_plugin_list_covers_every_kind_and_format_of_the_library():
    # a module that registers a kind or a format but is missing from BUILTIN_PLUGIN_MODULES
    # would make provenance naming it unloadable in a fresh process
    code = """
import pkgutil, importlib, lazyephys
from lazyephys._builtins import load_builtins
from lazyephys.base.provenance import _REGISTRY
from lazyephys.io.registry import _FORMATS
load_builtins()
kinds, formats = set(_REGISTRY), set(_FORMATS)
for info in pkgutil.walk_packages(lazyephys.__path__, 'lazyephys.'):
    if '.testing' in info.name or info.name.endswith('.cli') or '.widgets' in info.name:
        continue
    try:
        importlib.import_module(info.name)
    except ImportError:  # a module of an optional extra that is not installed
        continue
print(sorted(set(_REGISTRY) - kinds), sorted(set(_FORMATS) - formats))
"""
    assert run_python(code).strip() == "[] []"
