"""SONATA spike files written with h5py, read back as sortings."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import lazyephys as le
from lazyephys.testing import SortingCase, SortingConformance

from .nwb_writers import write_sonata

pytest.importorskip("h5py")


def _population(seed, num_spikes=300, nodes=(3, 7, 8, 20)):
    rng = np.random.default_rng(seed)
    stamps = np.sort(rng.uniform(0.0, 500.0, num_spikes)).round(1)  # ms on a 0.1 ms grid
    node_ids = rng.choice(np.array(nodes), num_spikes)
    return stamps, node_ids


class TestSonataConformance(SortingConformance):
    def make(self, tmp_path):
        stamps, nodes = _population(0)
        path = write_sonata(tmp_path / "spikes.h5", {"cortex": (stamps, nodes)})
        sorting = le.read_sonata_sorting(path, sampling_frequency=10000.0)
        trains = {n: np.sort(np.rint(stamps[nodes == n] * 10.0).astype(np.int64))
                  for n in (3, 7, 8, 20)}
        return SortingCase(sorting, [trains], [None], unit_ids=[3, 7, 8, 20])


def test_populations_units_and_bad_input(tmp_path):
    cortex, thalamus = _population(1), _population(2, nodes=(0, 1))
    path = write_sonata(tmp_path / "two.h5", {"cortex": cortex, "thalamus": thalamus})
    assert le.get_sonata_populations(path) == ["cortex", "thalamus"]
    sorting = le.read_sonata_sorting(path, population="thalamus", sampling_frequency=1000.0)
    assert sorting.get_unit_ids().tolist() == [0, 1]
    stamps, nodes = thalamus
    np.testing.assert_array_equal(sorting.get_unit_spike_train(1),
                                  np.sort(np.rint(stamps[nodes == 1]).astype(np.int64)))
    again = pickle.loads(pickle.dumps(sorting))
    np.testing.assert_array_equal(again.to_spike_vector(), sorting.to_spike_vector())
    with pytest.raises(le.UnknownIdError, match=r"'retina'.*\['cortex', 'thalamus'\]"):
        le.read_sonata_sorting(path, population="retina", sampling_frequency=1000.0)
    with pytest.raises(ValueError, match="several populations"):
        le.read_sonata_sorting(path, sampling_frequency=1000.0)
    with pytest.raises(ValueError, match="needs sampling_frequency"):
        le.read_sonata_sorting(path, population="cortex")
    seconds = write_sonata(tmp_path / "seconds.h5", {"p": (np.array([0.5, 0.25]),
                                                           np.array([4, 4]))}, units="s")
    np.testing.assert_array_equal(
        le.read_sonata_sorting(seconds, sampling_frequency=100.0).get_unit_spike_train(4),
        [25, 50])
    hours = write_sonata(tmp_path / "hours.h5", {"p": (np.array([1.0]), np.array([4]))},
                         units="h")
    with pytest.raises(le.FormatError, match="'h'"):
        le.read_sonata_sorting(hours, sampling_frequency=100.0)


def test_load_opens_sonata_files(tmp_path):
    stamps, nodes = _population(4)
    path = write_sonata(tmp_path / "spikes.h5", {"v1": (stamps, nodes)})
    sorting = le.load(path, sampling_frequency=10000.0)
    assert isinstance(sorting, le.SonataSortingExtractor)
    assert sorting.count_total_num_spikes() == stamps.size
