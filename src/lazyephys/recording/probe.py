"""Probes through probeinterface.

A probe is stored as channel properties, one row per channel: ``contact_vector`` (the
probegroup's structured numpy form), ``location`` and ``group``. Since every view slices
properties with the channels, probe and channels stay aligned through any selection, rename
or aggregation without extra bookkeeping. Probe-level information (contours, annotations)
is kept in the ``probes_info`` annotation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    import probeinterface

    from .base import Recording

__all__ = [
    "set_probegroup",
    "store_contact_vector",
    "get_probegroup",
    "get_probe",
    "get_channel_locations",
    "dummy_probe_from_locations",
]


def _as_probegroup(probe_or_group: Any) -> probeinterface.ProbeGroup:
    from probeinterface import Probe, ProbeGroup

    if isinstance(probe_or_group, ProbeGroup):
        return probe_or_group
    if isinstance(probe_or_group, Probe):
        group = ProbeGroup()
        group.add_probe(probe_or_group.copy() if probe_or_group._probe_group else probe_or_group)
        if probe_or_group.device_channel_indices is not None:
            group.probes[0].set_device_channel_indices(probe_or_group.device_channel_indices)
        return group
    raise TypeError(f"expected a probeinterface Probe or ProbeGroup, got {type(probe_or_group)}")


def set_probegroup(
    recording: Recording,
    probe_or_group: Any,
    group_mode: Literal["by_probe", "by_shank"] = "by_probe",
    in_place: bool = False,
) -> Recording:
    """Attach probes to a recording: each contact is wired to one channel.

    Parameters
    ----------
    recording : Recording
    probe_or_group : probeinterface.Probe or probeinterface.ProbeGroup
        Every contact must have a ``device_channel_indices`` entry (its channel's position),
        and every channel exactly one contact.
    group_mode : {"by_probe", "by_shank"}
        What the ``group`` property holds: the probe index, or a number per (probe, shank).
    in_place : bool
        Attach to ``recording`` itself, or (default) return a view with the probe attached.

    Returns
    -------
    Recording
        The recording carrying the probe.
    """
    if group_mode not in ("by_probe", "by_shank"):
        raise ValueError(f"group_mode must be 'by_probe' or 'by_shank', got {group_mode!r}")
    group = _as_probegroup(probe_or_group)
    vector = group.to_numpy(complete=True)
    n = recording.get_num_channels()
    if vector.size != n:
        raise ValueError(
            f"the probe has {vector.size} contacts but the recording has {n} channels"
        )
    wiring = vector["device_channel_indices"]
    if np.any(wiring < 0):
        raise ValueError(
            "the probe's contacts are not all wired to channels: set them with "
            "probe.set_device_channel_indices(...) (one channel position per contact)"
        )
    if not np.array_equal(np.sort(wiring), np.arange(n)):
        raise ValueError(
            f"device_channel_indices must name each of the {n} channels once, got "
            f"{wiring.tolist()}"
        )
    order = np.argsort(wiring)  # contact row for each channel, in channel order
    per_channel = vector[order]
    per_channel["device_channel_indices"] = np.arange(n)
    target = recording if in_place else recording.select_channels(recording.get_channel_ids())
    info = []
    for probe in group.probes:
        contour = probe.probe_planar_contour
        info.append({
            "annotations": dict(probe.annotations),
            "planar_contour": None if contour is None else np.asarray(contour).tolist(),
        })
    store_contact_vector(target, per_channel, info, group_mode)
    return target


def store_contact_vector(
    recording: Recording,
    per_channel: np.ndarray,
    probes_info: list[dict[str, Any]],
    group_mode: Literal["by_probe", "by_shank"] = "by_probe",
) -> None:
    """Store (in place) a probe group's numpy form, one row per channel in channel order.

    The low-level half of :func:`set_probegroup`, for readers that build the contact vector
    themselves: ``per_channel`` is ``ProbeGroup.to_numpy(complete=True)`` ordered by channel
    (``device_channel_indices`` = 0..n-1) and ``probes_info`` one dict per probe with its
    ``annotations`` and ``planar_contour``.
    """
    n = recording.get_num_channels()
    if per_channel.shape != (n,):
        raise ValueError(
            f"the contact vector has {per_channel.size} rows but the recording has {n} channels"
        )
    axes = ["x", "y"] + (["z"] if "z" in (per_channel.dtype.names or ()) else [])
    locations = np.stack([per_channel[a] for a in axes], axis=1).astype(np.float64)
    if group_mode == "by_probe":
        groups = per_channel["probe_index"].astype(np.int64)
    elif "shank_ids" not in (per_channel.dtype.names or ()):
        groups = per_channel["probe_index"].astype(np.int64)
    else:
        keys = [f"{p}:{s}" for p, s in zip(per_channel["probe_index"],
                                           per_channel["shank_ids"], strict=True)]
        _, groups = np.unique(np.array(keys), return_inverse=True)
        groups = groups.astype(np.int64)
    recording.set_property("contact_vector", per_channel)
    recording.set_property("location", locations)
    recording.set_property("group", groups)
    recording.annotate(probes_info=probes_info)


def get_probegroup(recording: Recording) -> probeinterface.ProbeGroup:
    """Rebuild the attached probes, wired to the recording's channels in channel order."""
    from probeinterface import ProbeGroup

    if not recording.has_probe():
        raise ValueError(
            "this recording has no probe attached; attach one with set_probe(...) "
            "(or use get_channel_locations if only locations were set)"
        )
    vector = recording.get_property("contact_vector").copy()
    vector["device_channel_indices"] = np.arange(vector.size)
    if "probe_id" in (vector.dtype.names or ()):
        pairs = {(int(i), str(p)) for i, p in zip(vector["probe_index"], vector["probe_id"],
                                                   strict=True)}
        if len({p for _, p in pairs}) < len(pairs):  # aggregated probes may share an id
            vector["probe_id"] = vector["probe_index"].astype(str)
    group = ProbeGroup.from_numpy(vector)
    info = (recording.get_annotation("probes_info", copy_value=False)
            if "probes_info" in recording.get_annotation_keys() else [])
    present = np.unique(vector["probe_index"])
    for probe, probe_index in zip(group.probes, present, strict=True):
        if int(probe_index) < len(info):
            item = info[int(probe_index)]
            probe.annotate(**item.get("annotations", {}))
            if item.get("planar_contour") is not None:
                probe.set_planar_contour(np.asarray(item["planar_contour"]))
    return group


def get_probe(recording: Recording) -> probeinterface.Probe:
    """The single attached probe."""
    group = get_probegroup(recording)
    if len(group.probes) != 1:
        raise ValueError(
            f"this recording has {len(group.probes)} probes; use get_probegroup()"
        )
    return group.probes[0]


def get_channel_locations(recording: Recording, channel_ids: Any = None,
                          axes: str = "xy") -> np.ndarray:
    """Channel positions in um for the requested ``axes`` ("xy", "xz", "xyz", ...)."""
    if "location" not in recording.get_property_keys():
        raise ValueError(
            "this recording has no channel locations: attach a probe with set_probe(...) or "
            "set them with set_channel_locations(...)"
        )
    locations = recording.get_property("location", channel_ids)
    columns = []
    for axis in axes:
        position = "xyz".find(axis)
        if position < 0 or position >= locations.shape[1]:
            raise ValueError(
                f"axes {axes!r}: the locations have {locations.shape[1]} dimensions"
            )
        columns.append(position)
    return np.asarray(locations[:, columns], dtype=np.float64)


def dummy_probe_from_locations(
    num_channels: int,
    locations: Any,
    shape: str = "circle",
    shape_params: dict[str, Any] | None = None,
    axes: str = "xy",
) -> probeinterface.Probe:
    """A probe with one contact per channel at ``locations``, wired in channel order.

    Examples
    --------
    >>> probe = dummy_probe_from_locations(2, [[0, 0], [0, 20]])
    >>> probe.contact_positions.tolist()
    [[0.0, 0.0], [0.0, 20.0]]
    """
    from probeinterface import Probe

    positions = np.asarray(locations, dtype=np.float64)
    if positions.shape != (num_channels, 2):
        raise ValueError(
            f"locations must have shape ({num_channels}, 2), one (x, y) per channel; got "
            f"{positions.shape}"
        )
    if len(axes) != 2 or not set(axes) <= {"x", "y", "z"}:
        raise ValueError(f"axes must name two of 'x', 'y', 'z', such as 'xy'; got {axes!r}")
    params = {"radius": 1} if shape_params is None else dict(shape_params)
    probe = Probe(ndim=2, si_units="um")
    probe.set_contacts(positions=positions, shapes=shape, shape_params=params)
    probe.create_auto_shape(probe_type="tip")
    probe.set_device_channel_indices(np.arange(num_channels))
    return probe
