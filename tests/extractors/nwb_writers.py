"""NWB and SONATA files written for the tests: NWB through pynwb (the reference writer),
SONATA through h5py following the format's layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np


@dataclass
class NwbContent:
    """What a test NWB file holds, to compare a reader against."""

    traces: np.ndarray
    rate: float = 30000.0
    starting_time: float = 1.5
    conversion: float = 0.195e-6
    offset: float = -2e-6
    channel_conversion: np.ndarray | None = None
    channel_names: list[str] = field(default_factory=list)
    rel_x: np.ndarray | None = None
    rel_y: np.ndarray | None = None
    areas: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    spike_times: list[np.ndarray] = field(default_factory=list)
    unit_quality: list[str] = field(default_factory=list)
    obs_intervals: list[np.ndarray] = field(default_factory=list)


def nwb_content(num_samples=900, num_channels=6, num_units=4, seed=0) -> NwbContent:
    rng = np.random.default_rng(seed)
    traces = rng.integers(-3000, 3000, (num_samples, num_channels)).astype("int16")
    spike_times = [np.sort(rng.uniform(1.5, 1.5 + num_samples / 30000.0, 5 + 3 * u))
                   for u in range(num_units)]
    return NwbContent(
        traces=traces,
        channel_conversion=np.linspace(0.9, 1.1, num_channels),
        channel_names=[f"ch{c}" for c in range(num_channels)],
        rel_x=np.arange(num_channels) * 16.0,
        rel_y=np.arange(num_channels) * 20.0 + 5.0,
        areas=["CA1" if c < num_channels // 2 else "CA3" for c in range(num_channels)],
        groups=["shank0" if c < num_channels // 2 else "shank1" for c in range(num_channels)],
        spike_times=spike_times,
        unit_quality=["good", "mua", "good", "noise"][:num_units],
        obs_intervals=[np.array([[1.5, 1.51], [1.52, 1.53]]) for _ in range(num_units)],
    )


def write_nwb_file(path: Path, content: NwbContent, timestamps: bool = False,
                   second_series: bool = False, chunks=None, compression=None) -> Path:
    """Write ``content`` as an NWB file with pynwb."""
    from hdmf.backends.hdf5 import H5DataIO
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.ecephys import LFP, ElectricalSeries

    nwb = NWBFile(session_description="test", identifier="test-file",
                  session_start_time=datetime(2020, 1, 1, tzinfo=timezone.utc))
    device = nwb.create_device(name="probe")
    groups = {name: nwb.create_electrode_group(name=name, description="", location="brain",
                                               device=device)
              for name in sorted(set(content.groups))}
    nwb.add_electrode_column(name="channel_name", description="name")
    nwb.add_electrode_column(name="impedance_ohm", description="impedance")
    for c, name in enumerate(content.channel_names):
        nwb.add_electrode(group=groups[content.groups[c]], location=content.areas[c],
                          rel_x=float(content.rel_x[c]), rel_y=float(content.rel_y[c]),
                          channel_name=name, impedance_ohm=1e5 + c)
    region = nwb.create_electrode_table_region(list(range(len(content.channel_names))), "all")
    data = content.traces
    if chunks is not None or compression is not None:
        data = H5DataIO(data, chunks=chunks, compression=compression)
    times = {"rate": content.rate, "starting_time": content.starting_time}
    if timestamps:
        n = content.traces.shape[0]
        times = {"timestamps": content.starting_time + np.arange(n) / content.rate}
    series = ElectricalSeries(name="ElectricalSeries", data=data, electrodes=region,
                              conversion=content.conversion, offset=content.offset,
                              channel_conversion=content.channel_conversion, **times)
    nwb.add_acquisition(series)
    if second_series:
        module = nwb.create_processing_module(name="ecephys", description="lfp")
        lfp_series = ElectricalSeries(name="ElectricalSeriesLFP",
                                      data=content.traces[::10].copy(), electrodes=region,
                                      rate=content.rate / 10, starting_time=0.0)
        module.add(LFP(electrical_series=lfp_series))
    nwb.add_unit_column(name="quality", description="label")
    for u, train in enumerate(content.spike_times):
        nwb.add_unit(spike_times=train, obs_intervals=content.obs_intervals[u],
                     quality=content.unit_quality[u])
    nwb.add_epoch(start_time=1.5, stop_time=1.51, tags=["baseline"])
    nwb.add_epoch(start_time=1.51, stop_time=1.53, tags=["stim", "laser"])
    nwb.add_trial_column(name="correct", description="answer")
    for k in range(3):
        nwb.add_trial(start_time=1.5 + 0.005 * k, stop_time=1.503 + 0.005 * k,
                      correct=bool(k % 2))
    nwb.add_invalid_time_interval(start_time=1.52, stop_time=1.521)
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return path


def write_sonata(path: Path, populations: dict[str, tuple[np.ndarray, np.ndarray]],
                 units: str = "ms") -> Path:
    """A SONATA spikes file: per population, (timestamps, node_ids)."""
    import h5py

    with h5py.File(path, "w") as file:
        spikes = file.create_group("spikes")
        for name, (stamps, nodes) in populations.items():
            group = spikes.create_group(name)
            group.attrs["sorting"] = "by_time"
            data = group.create_dataset("timestamps", data=stamps)
            data.attrs["units"] = units
            group.create_dataset("node_ids", data=nodes.astype("uint64"))
    return path
