"""The top-level namespace: every public name resolves, lazily where the table says so."""

import importlib
import subprocess
import sys

import lazyephys


def test_lazy_table_matches_the_subpackages():
    for subpackage in lazyephys._LAZY_SUBPACKAGES:
        module = importlib.import_module(f"lazyephys.{subpackage}")
        in_table = {n for n, m in lazyephys._LAZY_NAMES.items() if m == module.__name__}
        assert in_table == set(module.__all__), (
            f"lazyephys._LAZY_NAMES must list exactly lazyephys.{subpackage}.__all__; "
            f"missing {sorted(set(module.__all__) - in_table)}, "
            f"extra {sorted(in_table - set(module.__all__))}"
        )


def test_every_public_name_resolves_to_its_definition():
    for name in lazyephys.__all__:
        value = getattr(lazyephys, name)
        if name in lazyephys._LAZY_NAMES:
            module = importlib.import_module(lazyephys._LAZY_NAMES[name])
            assert value is getattr(module, name)
    assert set(lazyephys._LAZY_NAMES) <= set(dir(lazyephys))


def test_unknown_name_raises_attribute_error_naming_it():
    try:
        lazyephys.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("an unknown attribute must raise AttributeError")


def test_import_does_not_load_optional_or_heavy_modules():
    heavy = ["lazyephys.widgets", "matplotlib", "scipy", "zarr", "neo", "pynwb", "h5py",
             "dask", "pandas", "tqdm"]
    code = f"import sys, lazyephys; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert loaded == []


def test_job_worker_died_error_is_one_class_and_pickles():
    import pickle
    from concurrent.futures.process import BrokenProcessPool

    from lazyephys.errors import JobWorkerDiedError

    assert JobWorkerDiedError is lazyephys.JobWorkerDiedError
    assert issubclass(JobWorkerDiedError, BrokenProcessPool)
    assert issubclass(JobWorkerDiedError, lazyephys.LazyEphysError)
    error = pickle.loads(pickle.dumps(JobWorkerDiedError("worker 3 died")))
    assert type(error) is JobWorkerDiedError and error.args == ("worker 3 died",)
