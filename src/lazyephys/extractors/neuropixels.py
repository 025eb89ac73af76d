"""Neuropixels probes from a SpikeGLX ``.meta``, built directly for the recorded channels.

Facts used (SpikeGLX's metadata guide, and the Neuropixels probe table that probeinterface
ships as ``resources/neuropixels_probe_features.json``, read here as data):

- the ``imroTbl`` is a header ``(type_or_part_number,channels)`` then one ``(...)`` entry per
  readout channel; the table's ``z_imro_formats`` names each entry's fields. 1.0-style
  tables address an electrode as ``bank x 384 + channel``; later ones name it
  (``electrode``), and multi-shank ones its ``shank``;
- an electrode's row and column are ``divmod(electrode, cols_per_shank)``; x is
  ``column x horizontal pitch``, plus on even rows the difference of the even and odd rows'
  left offsets, plus ``shank x shank pitch``; y is ``row x vertical pitch``. Contacts are
  squares ``electrode_size_horz_direction_um`` wide, named ``e<electrode>`` (``s<shank>e<...>``
  on multi-shank probes);
- the outline of a shank is five points (top left, base left, tip, base right, top right);
  contacts are placed relative to the centre of the bottom-left electrode, 11 um above the
  tip's base;
- the multiplexing table (``z_mux_tables``) is ``(adcs,channels_per_adc)`` then one entry per
  time slot listing the readout channel each ADC samples in that slot.

The result equals, field for field, what probeinterface's ``read_spikeglx`` builds (the tests
compare the two on the same files), at a fraction of the cost: probeinterface builds every
electrode of the probe and then slices it; this builds only the recorded ones, as the numpy
contact vector a recording stores. Tables this does not know (the UHD probes' group tables,
phase 3A) return None, and the caller asks probeinterface.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .spikeglx_meta import saved_channel_indices

__all__ = ["NeuropixelsLayout", "neuropixels_layout", "contact_vector", "probe_table"]

#: imro fields kept as contact annotations, under probeinterface's names.
_IMRO_ANNOTATIONS = {
    "channel": "channel_ids",
    "bank": "banks",
    "bank_mask": "banks",
    "ref_id": "references",
    "ap_gain": "ap_gains",
    "lf_gain": "lf_gains",
    "ap_hipas_flt": "ap_hp_filters",
}

#: Height (um) of the centre of the bottom electrode above the base of the shank's tip.
_BOTTOM_ELECTRODE_ABOVE_TIP_BASE = 11.0

#: The length of a shank (um) when the probe table gives none.
_DEFAULT_SHANK_LENGTH = 10_000


@lru_cache(maxsize=1)
def probe_table() -> dict[str, Any]:
    """The Neuropixels probe table shipped with probeinterface (a data file, read as JSON)."""
    import probeinterface

    path = Path(probeinterface.__file__).parent / "resources" / "neuropixels_probe_features.json"
    with open(path, encoding="utf-8") as handle:
        table: dict[str, Any] = json.load(handle)
    return table


@dataclass(frozen=True)
class NeuropixelsLayout:
    """The recorded contacts of a Neuropixels probe and its annotations.

    Attributes
    ----------
    positions : ndarray
        (contacts, 2) x, y in um, in saved-channel order.
    contact_ids : ndarray
        ``e<electrode>`` or ``s<shank>e<electrode>``.
    shank_ids : ndarray or None
        The shank of each contact, as text (None on single-shank probes).
    width : float
        The side of the square contacts (um).
    contact_annotations : dict
        Per-contact arrays (imro fields, ``adc_group``, ``adc_sample_order``).
    annotations : dict
        Probe-level annotations (model, gains, ADC layout, serial number...).
    contour : ndarray
        The planar outline of the probe, (points, 2).
    """

    positions: np.ndarray
    contact_ids: np.ndarray
    shank_ids: np.ndarray | None
    width: float
    contact_annotations: dict[str, np.ndarray] = field(default_factory=dict)
    annotations: dict[str, Any] = field(default_factory=dict)
    contour: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))

    @property
    def num_contacts(self) -> int:
        return int(self.positions.shape[0])


def _parse_imro(text: str, table: dict[str, Any]) -> tuple[str, dict[str, np.ndarray]] | None:
    """The imro format name and its per-entry fields as int arrays, or None if unknown."""
    pieces = text.strip().split(")")
    if len(pieces) < 2 or not pieces[0].startswith("("):
        return None
    header = pieces[0][1:].split(",")
    if len(header) != 2:  # phase 3A (3 fields) and UHD group tables (6 fields)
        return None
    first = header[0].strip()
    probes = table["neuropixels_probes"]
    if first in probes:
        imro_format = probes[first]["imro_table_format_type"]
    else:
        imro_format = table["z_imro_format_type_to_imro_format"].get(first)
    if imro_format is None:
        return None
    names = table["z_imro_formats"].get(f"{imro_format}_elm_flds")
    if names is None:
        return None
    fields = names.strip("()").split(" ")
    entries = [p[1:] for p in pieces[1:] if p.startswith("(")]
    try:
        values = np.array(" ".join(entries).split(), dtype=np.int64)
    except ValueError:
        return None
    if not entries or values.size != len(entries) * len(fields):
        return None
    columns = values.reshape(len(entries), len(fields))
    return imro_format, {name: columns[:, i] for i, name in enumerate(fields)}


def _mux_order(mux_table: str, num_readout: int) -> tuple[int, int, np.ndarray, np.ndarray]:
    """ADCs, channels per ADC, and each readout channel's ADC and slot in the ADC's cycle."""
    head, _, body = mux_table.partition(")")
    num_adcs, per_adc = (int(v) for v in head.lstrip("(").split(","))
    slots = [entry.lstrip("(").split() for entry in body.split(")") if entry.strip()]
    by_adc = np.array(slots, dtype=np.int64).T  # row: one ADC, its channels in slot order
    adc_group = np.zeros(num_readout, dtype=np.int64)
    order = np.zeros(num_readout, dtype=np.int64)
    for adc, channels in enumerate(by_adc):
        channels = channels[channels < num_readout]  # placeholders name no channel
        adc_group[channels] = adc
        order[channels] = np.arange(channels.size)
    return num_adcs, per_adc, adc_group, order


def _contour(spec: dict[str, Any], num_shanks: int, shank_pitch: float,
             odd_offset: float) -> tuple[np.ndarray, list[list[float]]]:
    width = float(spec["shank_width_um"])
    tip = float(spec["tip_length_um"])
    length = int(spec.get("shank_tip_to_base_um", _DEFAULT_SHANK_LENGTH))
    outline = np.array([(0, length), (0, 0), (width / 2, -tip), (width, 0), (width, length)],
                       dtype=np.float64)
    shift = np.array([-odd_offset, -_BOTTOM_ELECTRODE_ABOVE_TIP_BASE])
    shanks = np.array([[shank_pitch * s if num_shanks > 1 else 0.0, 0.0]
                       for s in range(num_shanks)])
    contour = np.concatenate([outline + s for s in shanks]) + shift
    tips = [(outline[2] + shift + s).tolist() for s in shanks]
    return contour, tips


def neuropixels_layout(meta: dict[str, str], num_saved: int) -> NeuropixelsLayout | None:
    """The probe of an imec ``.meta`` (its ``key=value`` pairs), or None if not built here.

    Parameters
    ----------
    meta : dict
        The parsed ``.meta`` file of an imec stream.
    num_saved : int
        ``nSavedChans`` (neural channels and the sync word).

    Returns
    -------
    NeuropixelsLayout or None
        None for the tables not handled here (phase 3A, UHD group tables, a part number
        the probe table does not list).
    """
    if "imroTbl" not in meta or meta.get("imProbeOpt") is not None:
        return None
    table = probe_table()
    part = meta.get("imDatPrb_pn")
    spec = table["neuropixels_probes"].get(part) if part is not None else None
    parsed = _parse_imro(meta["imroTbl"], table) if spec is not None else None
    if spec is None or parsed is None:
        return None
    _, imro = parsed
    num_readout = int(next(iter(imro.values())).size)
    if "electrode" in imro:
        electrodes = imro["electrode"]
    else:
        # 1.0-style tables: the electrode is bank x 384 + channel
        banks = imro["bank"] if "bank" in imro else imro.get("bank_mask")
        if banks is None or "channel" not in imro:
            return None
        electrodes = banks * 384 + imro["channel"]

    num_shanks = int(spec["num_shanks"])
    cols = int(spec["cols_per_shank"])
    shank_pitch = float(spec["shank_pitch_um"]) if num_shanks > 1 else 0.0
    even_offset = float(spec["even_row_horz_offset_left_edge_to_leftmost_electrode_center_um"])
    odd_offset = float(spec["odd_row_horz_offset_left_edge_to_leftmost_electrode_center_um"])
    rows, columns = np.divmod(electrodes, cols)
    x = columns * float(spec["electrode_pitch_horz_um"]) + ((rows + 1) % 2) * (
        even_offset - odd_offset)
    y = rows * float(spec["electrode_pitch_vert_um"])
    shanks: np.ndarray | None = None
    if num_shanks > 1:
        shanks = imro.get("shank")
        if shanks is None:
            return None
        x = x + shanks * shank_pitch
        contact_ids = np.char.add(np.char.add("s", shanks.astype(str)),
                                  np.char.add("e", electrodes.astype(str)))
    else:
        contact_ids = np.char.add("e", electrodes.astype(str))
    positions = np.column_stack([x, y]).astype(np.float64)

    contact_annotations: dict[str, np.ndarray] = {}
    for name, values in imro.items():
        if name in _IMRO_ANNOTATIONS:
            contact_annotations[_IMRO_ANNOTATIONS[name]] = values

    contour, tips = _contour(spec, num_shanks, shank_pitch, odd_offset)
    lf_rate = float(spec["lf_sample_frequency_hz"])
    ap_gains = spec["ap_gain_list"].split(",")
    annotations: dict[str, Any] = {
        "model_name": part,
        "manufacturer": "imec",
        "description": spec["description"],
        "shank_tips": tips,
        "adc_bit_depth": int(spec["adc_bit_depth"]),
        "num_readout_channels": int(spec["num_readout_channels"]),
        "ap_sample_frequency_hz": float(spec["ap_sample_frequency_hz"]),
        "lf_sample_frequency_hz": lf_rate,
        "adc_range_vpp": float(spec["adc_range_vpp"]),
        "shank_thickness_um": float(spec["shank_thickness_um"]),
    }
    if len(ap_gains) == 1:  # a fixed gain is a property of the model
        annotations["ap_gain"] = float(ap_gains[0])
    if lf_rate > 0:
        lf_gains = spec["lf_gain_list"].split(",")
        if len(lf_gains) == 1:
            annotations["lf_gain"] = float(lf_gains[0])
    mux = table["z_mux_tables"].get(spec["mux_table_format_type"])
    if mux is not None:
        annotations["adc_sampling_table"] = mux
        num_adcs, per_adc, adc_group, order = _mux_order(mux, num_readout)
        annotations["num_adcs"] = num_adcs
        annotations["num_channels_per_adc"] = per_adc
        contact_annotations["adc_group"] = adc_group
        contact_annotations["adc_sample_order"] = order
    if "ap_gain" not in annotations:
        # a selectable gain: the first channel's, from the imro table
        if "ap_gain" in imro:
            annotations["ap_gain"] = int(imro["ap_gain"][0])
        if "lf_gain" in imro:
            annotations["lf_gain"] = int(imro["lf_gain"][0])

    # the saved channels (snsSaveChanSubset) among the readout ones; the sync word is not one
    saved = saved_channel_indices(meta, num_saved)
    saved = saved[saved < num_readout]
    if saved.size != num_readout:
        positions, contact_ids = positions[saved], contact_ids[saved]
        shanks = None if shanks is None else shanks[saved]
        contact_annotations = {k: v[saved] for k, v in contact_annotations.items()}
    annotations["serial_number"] = meta.get("imDatPrb_sn") or meta.get("imProbeSN")
    annotations["part_number"] = part
    annotations["port"] = meta.get("imDatPrb_port")
    annotations["slot"] = meta.get("imDatPrb_slot")
    return NeuropixelsLayout(
        positions=positions,
        contact_ids=contact_ids.astype(str),
        shank_ids=None if shanks is None else shanks.astype(str),
        width=float(spec["electrode_size_horz_direction_um"]),
        contact_annotations=contact_annotations,
        annotations=annotations,
        contour=contour,
    )


@lru_cache(maxsize=16)
def _template_row(annotation_types: tuple[tuple[str, str], ...], with_shanks: bool,
                  width: float) -> np.ndarray:
    """One wired contact of a probeinterface probe, as its probe group's numpy row.

    The contact vector's layout (fields, their order and types, the constant fields such as
    units and plane axes) is probeinterface's: it is taken from probeinterface itself, once
    per kind of probe, so that what is stored is what ``ProbeGroup.to_numpy`` would give.
    """
    from probeinterface import Probe, ProbeGroup

    probe = Probe(ndim=2, si_units="um")
    probe.set_contacts(positions=np.zeros((1, 2)), shapes="square",
                       shape_params={"width": width},
                       shank_ids=["0"] if with_shanks else None)
    probe.set_contact_ids(["e0"])
    if annotation_types:
        probe.annotate_contacts(**{name: np.zeros(1, dtype=np.dtype(kind))
                                   for name, kind in annotation_types})
    probe.set_device_channel_indices([0])
    group = ProbeGroup()
    group.add_probe(probe)
    row: np.ndarray = group.to_numpy(complete=True)
    return row


def contact_vector(layout: NeuropixelsLayout) -> np.ndarray:
    """The layout as probeinterface's complete numpy form of a one-probe group, wired in order.

    Examples
    --------
    >>> layout = NeuropixelsLayout(np.array([[0.0, 0.0], [32.0, 20.0]]),
    ...                            np.array(["e0", "e3"]), None, 12.0)
    >>> contact_vector(layout)["contact_ids"].tolist()  # doctest: +SKIP
    ['e0', 'e3']
    """
    annotation_types = tuple((name, values.dtype.str)
                             for name, values in layout.contact_annotations.items())
    template = _template_row(annotation_types, layout.shank_ids is not None, layout.width)
    vector = np.repeat(template, layout.num_contacts)
    vector["x"] = layout.positions[:, 0]
    vector["y"] = layout.positions[:, 1]
    vector["contact_ids"] = layout.contact_ids
    if layout.shank_ids is not None:
        vector["shank_ids"] = layout.shank_ids
    vector["device_channel_indices"] = np.arange(layout.num_contacts)
    for name, values in layout.contact_annotations.items():
        vector[name] = values
    return vector
