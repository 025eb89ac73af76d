"""SpikeGLX folders: imec AP/LF, NIDQ and sync streams, memory-mapped, with the probe."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..base.locations import as_local_path
from ..base.provenance import register_kind
from ..errors import FormatError, UnknownIdError
from ..recording.base import Recording
from .buffers import MappedSegment, map_raw_buffer
from .spikeglx_meta import SpikeGLXFile, channel_gains_uV, find_spikeglx_files

__all__ = ["SpikeGLXRecordingExtractor", "read_spikeglx", "get_spikeglx_streams"]

SYNC_SUFFIX = "-SYNC"


def get_spikeglx_streams(folder_path: str | os.PathLike[str]) -> list[str]:
    """The stream ids of a SpikeGLX folder (``imec0.ap``, ``imec0.ap-SYNC``, ``nidq``...).

    Examples
    --------
    >>> get_spikeglx_streams("/data/run_g0")  # doctest: +SKIP
    ['imec0.ap', 'imec0.ap-SYNC', 'imec0.lf', 'imec0.lf-SYNC', 'nidq']
    """
    return _stream_ids(find_spikeglx_files(as_local_path(folder_path)))


def _stream_ids(streams: dict[str, list[SpikeGLXFile]]) -> list[str]:
    ids: list[str] = []
    for name, files in sorted(streams.items()):
        ids.append(name)
        if files[0].has_sync and not name.startswith("nidq"):
            ids.append(name + SYNC_SUFFIX)
    return ids


@register_kind
class SpikeGLXRecordingExtractor(Recording):
    """One stream of a SpikeGLX folder, memory-mapped.

    Parameters
    ----------
    folder_path : str or Path
        The folder holding the ``.bin``/``.meta`` pairs (searched recursively). Several
        gates or triggers of a stream become segments, in (gate, trigger) order.
    stream_id : str or None
        ``"imec0.ap"``, ``"imec0.lf"``, ``"nidq"``, or a sync stream ``"imec0.ap-SYNC"``.
        Not needed when the folder has one stream besides sync streams.
    stream_name : str or None
        The same as ``stream_id`` (SpikeGLX stream names are their ids).
    load_sync_channel : bool
        Keep the sync word as the last channel of an imec stream (as SpikeInterface before
        0.103 did); such a recording has no probe. Newer scripts read the ``-SYNC`` stream.
    all_annotations : bool
        Annotate the recording with every ``.meta`` field of the first file.
    use_names_as_ids : bool
        Channel ids are SpikeGLX's channel names (``AP0``) instead of ``imec0.ap#AP0``.

    Notes
    -----
    Gains to microvolts follow SpikeGLX's metadata guide: 1.0 probes take each channel's
    gain from the ``imroTbl`` and 512 steps (``imMaxInt``), 2.0 probes a fixed gain and 8192
    steps; NIDQ channels use ``niMNGain``/``niMAGain``. The sync word has gain 1.

    Examples
    --------
    >>> rec = read_spikeglx("/data/run_g0", stream_id="imec0.ap")  # doctest: +SKIP
    """

    _path_arguments = ("folder_path",)

    def __init__(
        self,
        folder_path: str | os.PathLike[str],
        stream_id: str | None = None,
        stream_name: str | None = None,
        load_sync_channel: bool = False,
        all_annotations: bool = False,
        use_names_as_ids: bool = False,
    ) -> None:
        folder = as_local_path(folder_path)
        streams = find_spikeglx_files(folder)
        available = _stream_ids(streams)
        chosen = _choose_stream(available, stream_id, stream_name, folder)
        sync_only = chosen.endswith(SYNC_SUFFIX)
        files = streams[chosen[: -len(SYNC_SUFFIX)] if sync_only else chosen]
        first = files[0]
        n_saved = first.num_saved_channels
        if sync_only:
            columns = slice(n_saved - 1, n_saved)
        elif first.has_sync and not load_sync_channel and not chosen.startswith("nidq"):
            columns = slice(0, n_saved - 1)
        else:
            columns = slice(0, n_saved)
        names = np.array(first.channel_names)[columns]
        base = chosen[: -len(SYNC_SUFFIX)] if sync_only else chosen
        ids = names if use_names_as_ids else np.array([f"{base}#{n}" for n in names])
        super().__init__(first.sampling_frequency, ids, np.int16)
        self._record_argument("folder_path", folder)
        self._record_argument("stream_id", chosen)
        self._record_argument("stream_name", None)
        for item in files:
            self._check_same_layout(first, item)
            array = _map_bin(item)
            self.add_segment(MappedSegment(array[:, columns]), item.t_start)
        self.set_channel_gains(channel_gains_uV(first)[columns])
        self.set_channel_offsets(0.0)
        self.set_property("channel_names", names)
        if all_annotations:
            self.annotate(**{f"meta_{k}": v for k, v in first.meta.items()})
        if chosen.startswith("imec") and not sync_only and not (load_sync_channel
                                                               and first.has_sync):
            self._attach_probe(first, streams)

    @staticmethod
    def _check_same_layout(first: SpikeGLXFile, item: SpikeGLXFile) -> None:
        if (item.num_saved_channels != first.num_saved_channels
                or item.sampling_frequency != first.sampling_frequency):
            raise FormatError(
                f"{item.meta_path} has {item.num_saved_channels} channels at "
                f"{item.sampling_frequency} Hz but {first.meta_path} has "
                f"{first.num_saved_channels} at {first.sampling_frequency} Hz: they cannot be "
                "segments of one recording"
            )

    def _attach_probe(self, first: SpikeGLXFile, streams: dict[str, list[SpikeGLXFile]]) -> None:
        # the probe lives in the AP file's metadata; an LF stream borrows its AP twin's
        ap_name = first.stream[:-3] + ".ap" if first.stream.endswith(".lf") else first.stream
        meta_path = streams[ap_name][0].meta_path if ap_name in streams else first.meta_path
        if "imroTbl" not in first.meta:
            return
        probe = _read_probe(meta_path)
        if probe.get_contact_count() != self.get_num_channels():
            raise FormatError(
                f"the probe in {meta_path} has {probe.get_contact_count()} contacts but the "
                f"stream {first.stream!r} has {self.get_num_channels()} channels"
            )
        many_shanks = probe.shank_ids is not None and len(set(probe.shank_ids)) > 1
        self.set_probe(probe, group_mode="by_shank" if many_shanks else "by_probe", in_place=True)
        shifts = inter_sample_shift(probe)
        if shifts is not None:
            self.set_property("inter_sample_shift", shifts)


def _read_probe(meta_path: Path) -> Any:
    import probeinterface

    return probeinterface.read_spikeglx(meta_path)


def inter_sample_shift(probe: Any) -> np.ndarray | None:
    """The fraction of a sample period by which each channel lags (ADC multiplexing).

    A channel's ADC samples it at slot ``adc_sample_order`` of a cycle. A cycle has
    ``num_channels_per_adc`` slots, plus, on probes that also sample an LF band, as many
    again scaled by the LF/AP rate ratio (13 slots on a 1.0 probe: 12 x (1 + 2500/30000)).
    """
    order = probe.contact_annotations.get("adc_sample_order")
    per_adc = probe.annotations.get("num_channels_per_adc")
    ap_rate = probe.annotations.get("ap_sample_frequency_hz")
    lf_rate = probe.annotations.get("lf_sample_frequency_hz")
    if order is None or per_adc is None or not ap_rate or lf_rate is None:
        return None
    slots = int(float(per_adc) * (1.0 + float(lf_rate) / float(ap_rate)))
    return np.asarray(order, dtype=np.float64) / slots


def _map_bin(item: SpikeGLXFile) -> np.ndarray:
    n = item.num_saved_channels
    size = item.bin_path.stat().st_size
    declared = item.meta.get("fileSizeBytes")
    if declared is not None and int(declared) > size:
        raise FormatError(
            f"the SpikeGLX data file {item.bin_path} is truncated: it has {size} bytes but "
            f"its .meta declares fileSizeBytes={declared}"
        )
    frame = 2 * n
    if size % frame:
        raise FormatError(
            f"the SpikeGLX data file {item.bin_path} is {size} bytes, not a whole number of "
            f"{n}-channel int16 frames ({frame} bytes): it is truncated"
        )
    return map_raw_buffer(item.bin_path, np.dtype(np.int16), (size // frame, n))


def _choose_stream(available: list[str], stream_id: Any, stream_name: Any, folder: Path) -> str:
    if stream_id is not None and stream_name is not None and stream_id != stream_name:
        raise TypeError("give stream_id or stream_name, not both")
    wanted = stream_id if stream_id is not None else stream_name
    if wanted is None:
        main = [s for s in available if not s.endswith(SYNC_SUFFIX)]
        if len(main) == 1:
            return main[0]
        raise ValueError(
            f"the SpikeGLX folder {folder} has several streams: give stream_id, one of "
            f"{available}"
        )
    if wanted not in available:
        raise UnknownIdError(
            f"the SpikeGLX folder {folder} has no stream with stream_id {wanted!r}; its streams "
            f"are {available}"
        )
    return str(wanted)


def read_spikeglx(
    folder_path: str | os.PathLike[str],
    stream_id: str | None = None,
    stream_name: str | None = None,
    load_sync_channel: bool = False,
    all_annotations: bool = False,
    use_names_as_ids: bool = False,
) -> SpikeGLXRecordingExtractor:
    """Open one stream of a SpikeGLX folder (see :class:`SpikeGLXRecordingExtractor`)."""
    return SpikeGLXRecordingExtractor(folder_path, stream_id, stream_name, load_sync_channel,
                                      all_annotations, use_names_as_ids)
