"""Formats and kinds reach load/save through registries, and installed packages add theirs."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lazyephys as le
from lazyephys.base import provenance
from lazyephys.errors import FormatError, UnknownFormatError
from lazyephys.io import registry
from lazyephys.recording import NumpyRecording

MARKER = "npy_traces.txt"


class NpyTracesFormat:
    """A toy third-party format: one ``.npy`` of traces per segment and a marker file."""

    name = "npy_traces"
    writes = ("recording",)

    def can_open(self, location: Any) -> bool:
        return (Path(location) / MARKER).is_file()

    def open(self, location: Any, **options: Any) -> NumpyRecording:
        folder = Path(location)
        rate = float((folder / MARKER).read_text())
        arrays = [np.load(path) for path in sorted(folder.glob("seg*.npy"))]
        return NumpyRecording(arrays, rate)

    def write(self, extractor: Any, folder: Path, **options: Any) -> None:
        for index in range(extractor.get_num_segments()):
            np.save(folder / f"seg{index}.npy", extractor.get_traces(segment_index=index))
        (folder / MARKER).write_text(str(extractor.get_sampling_frequency()))


@pytest.fixture
def clean_registries(monkeypatch):
    # every shipped kind and format registered first: the snapshot restored afterwards must
    # not lose kinds that a later test would otherwise have imported on first use
    from lazyephys._builtins import load_builtins

    load_builtins()
    monkeypatch.setattr(registry, "_FORMATS", dict(registry._FORMATS))
    monkeypatch.setattr(provenance, "_REGISTRY", dict(provenance._REGISTRY))
    yield


def test_third_party_format_saves_and_loads(tmp_path, clean_registries):
    registry.register_format(NpyTracesFormat(), priority=5)
    rec = le.generate_recording(num_channels=3, durations=[0.5, 0.25], seed=3)
    saved = rec.save(folder=tmp_path / "toy", format="npy_traces")
    assert sorted(p.name for p in (tmp_path / "toy").iterdir()) == [MARKER, "seg0.npy", "seg1.npy"]
    for index in range(2):
        np.testing.assert_array_equal(saved.get_traces(segment_index=index),
                                      rec.get_traces(segment_index=index))
    assert registry.get_registered_formats()[0] == "npy_traces"


def test_format_that_does_not_write_sortings_is_refused(tmp_path, clean_registries):
    registry.register_format(NpyTracesFormat())
    sorting = le.generate_sorting(num_units=2, durations=[1.0], seed=0)
    with pytest.raises(ValueError, match="'npy_traces' does not write a sorting.*binary"):
        sorting.save(folder=tmp_path / "s", format="npy_traces")
    assert not (tmp_path / "s").exists()


def test_unknown_format_lists_the_registered_ones(tmp_path):
    rec = le.generate_recording(num_channels=1, durations=[0.1])
    with pytest.raises(UnknownFormatError, match="'hdf9'.*binary.*zarr"):
        rec.save(folder=tmp_path / "x", format="hdf9")


def test_option_a_format_does_not_take_is_named(tmp_path):
    rec = le.generate_recording(num_channels=1, durations=[0.1])
    rec.save(folder=tmp_path / "r")
    with pytest.raises(TypeError, match="'binary' format takes no options.*'mode'"):
        le.load(tmp_path / "r", mode="r+")


def test_remote_url_of_an_unregistered_file_format_is_refused():
    with pytest.raises(FormatError, match="no registered format.*session.abf"):
        le.load("s3://bucket/session.abf")


def _fake_entry_points(group_to_values: dict[str, list[tuple[str, str]]]):
    def entry_points(*, group: str):
        return [importlib.metadata.EntryPoint(name, value, group)
                for name, value in group_to_values.get(group, [])]
    return entry_points


def test_formats_from_entry_points(tmp_path, monkeypatch, clean_registries):
    monkeypatch.setattr(registry, "_entry_points_loaded", False)
    monkeypatch.setattr(importlib.metadata, "entry_points", _fake_entry_points({
        "lazyephys.formats": [("npy_traces", f"{__name__}:NpyTracesFormat"),
                              ("broken", f"{__name__}:does_not_exist")],
    }))
    with pytest.warns(UserWarning, match="'broken'.*could not be registered"):
        names = registry.get_registered_formats()
    assert "npy_traces" in names and "broken" not in names
    folder = tmp_path / "toy"
    folder.mkdir()
    np.save(folder / "seg0.npy", np.arange(6, dtype="int16").reshape(3, 2))
    (folder / MARKER).write_text("1000.0")
    loaded = le.load(folder)
    np.testing.assert_array_equal(loaded.get_traces(), np.arange(6).reshape(3, 2))


class PluginRecording(NumpyRecording):
    """A kind that only an entry point registers."""


def test_kinds_from_entry_points(monkeypatch, clean_registries):
    monkeypatch.setattr(provenance, "_kind_entry_points_loaded", False)
    monkeypatch.setattr(importlib.metadata, "entry_points", _fake_entry_points({
        "lazyephys.kinds": [("PluginRecording", f"{__name__}:PluginRecording"),
                            ("not_a_kind", "os.path:join")],
    }))
    rec = NumpyRecording([np.array([[1.0, 2.0]])], 10.0)
    description = {**rec.to_dict(), "kind": "PluginRecording"}
    with pytest.warns(UserWarning, match="'not_a_kind'.*not a Recording or Sorting class"):
        loaded = le.load(description)
    assert type(loaded) is PluginRecording
    np.testing.assert_array_equal(loaded.get_traces(), [[1.0, 2.0]])
