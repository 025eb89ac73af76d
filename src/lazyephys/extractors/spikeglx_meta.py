"""SpikeGLX ``.meta`` files: parsing, file-name grammar, streams and gains to microvolts.

Facts from SpikeGLX's metadata guide: a ``.meta`` file is ``key=value`` lines (keys starting
with ``~`` hold tables of ``(...)`` entries); the ``.bin`` beside it is int16 frames of
``nSavedChans`` channels; an imec AP/LF file's last channel is the sync word when
``snsApLfSy`` ends in 1; volts are ``sample * RangeMax / MaxInt / gain``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FormatError

__all__ = ["SpikeGLXFile", "parse_meta", "find_spikeglx_files", "channel_gains_uV"]

_NAME = re.compile(
    r"^(?P<run>.+?)(?:_g(?P<gate>\d+)_t(?P<trigger>\d+|cat))?"
    r"\.(?P<device>imec\d*|nidq|obx\d*)(?:\.(?P<kind>ap|lf))?\.meta$"
)


def parse_meta(path: Path) -> dict[str, str]:
    """The ``key=value`` pairs of a ``.meta`` file (the ``~`` of table keys removed)."""
    meta: dict[str, str] = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            key, sep, value = line.rstrip("\r\n").partition("=")
            if sep:
                meta[key[1:] if key.startswith("~") else key] = value
    return meta


def table_entries(value: str) -> list[str]:
    """The ``(...)`` entries of a table value, header entry included."""
    return re.findall(r"\(([^()]*)\)", value)


@dataclass(frozen=True)
class SpikeGLXFile:
    """One ``.bin``/``.meta`` pair: which stream and segment it is, and its layout."""

    meta_path: Path
    bin_path: Path
    stream: str
    gate: int
    trigger: int
    meta: dict[str, str]

    @property
    def num_saved_channels(self) -> int:
        return int(self.meta["nSavedChans"])

    @property
    def sampling_frequency(self) -> float:
        for key in ("imSampRate", "niSampRate", "obSampRate"):
            if key in self.meta:
                return float(self.meta[key])
        raise FormatError(f"{self.meta_path} has no sampling rate (imSampRate/niSampRate)")

    @property
    def has_sync(self) -> bool:
        counts = self.meta.get("snsApLfSy") or self.meta.get("snsXaDwSy")
        return counts is not None and counts.split(",")[-1].strip() == "1"

    @property
    def channel_names(self) -> list[str]:
        entries = table_entries(self.meta.get("snsChanMap", ""))[1:]
        names = [entry.split(";")[0] for entry in entries]
        if len(names) != self.num_saved_channels:
            return [f"CH{i}" for i in range(self.num_saved_channels)]
        return names

    @property
    def t_start(self) -> float:
        return float(self.meta.get("firstSample", 0.0)) / self.sampling_frequency


def find_spikeglx_files(folder: Path) -> dict[str, list[SpikeGLXFile]]:
    """Every stream of a SpikeGLX folder (searched recursively): its files in segment order.

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    FormatError
        If it holds no SpikeGLX ``.meta`` file, or a ``.meta`` lacks its ``.bin``.
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"the SpikeGLX folder {folder} does not exist")
    streams: dict[str, list[SpikeGLXFile]] = {}
    metas = sorted(folder.rglob("*.meta"))
    bins = sorted(folder.rglob("*.bin"))
    for meta_path in metas:
        match = _NAME.match(meta_path.name)
        if match is None:
            continue
        bin_path = meta_path.with_suffix(".bin")
        if not bin_path.is_file():
            raise FormatError(
                f"the SpikeGLX meta file {meta_path} has no data file {bin_path.name}"
            )
        kind = match["kind"]
        stream = match["device"] + (f".{kind}" if kind else "")
        trigger = match["trigger"]
        item = SpikeGLXFile(
            meta_path, bin_path, stream, int(match["gate"] or 0),
            -1 if trigger == "cat" else int(trigger or 0), parse_meta(meta_path),
        )
        streams.setdefault(stream, []).append(item)
    if not streams:
        lonely = [b.name for b in bins if not b.with_suffix(".meta").is_file()]
        hint = f" (the data files {lonely} have no .meta file beside them)" if lonely else ""
        raise FormatError(f"{folder} holds no SpikeGLX .meta file{hint}")
    for files in streams.values():
        files.sort(key=lambda f: (f.gate, f.trigger))
    return streams


def _probe_features() -> dict[str, Any]:
    """The Neuropixels probe table's probes, by part number."""
    from .neuropixels import probe_table

    features: dict[str, Any] = probe_table()["neuropixels_probes"]
    return features


def _is_np1(meta: dict[str, str]) -> bool:
    if meta.get("imProbeOpt") is not None:  # phase 3A
        return True
    part = meta.get("imDatPrb_pn")
    if part is None:
        # early 3B metadata has no part number: type 0 is 1.0
        return meta.get("imDatPrb_type", "0") == "0"
    features = _probe_features().get(part)
    if features is None:
        raise FormatError(f"unknown Neuropixels part number {part!r} in the SpikeGLX metadata")
    return str(features.get("databus_decoder_type", "")).startswith("1.0")


def channel_gains_uV(item: SpikeGLXFile) -> np.ndarray:
    """Microvolts per bit of every saved channel of a file (1.0 for the sync word)."""
    meta = item.meta
    n = item.num_saved_channels
    gains = np.ones(n, dtype=np.float64)
    where = str(item.meta_path)
    try:
        if item.stream.startswith("imec"):
            kind = item.stream.rsplit(".", 1)[-1]
            range_max = float(meta["imAiRangeMax"])
            num_neural = n - 1 if item.has_sync else n
            if _is_np1(meta):
                max_int = float(meta.get("imMaxInt", 512))
                column = 3 if kind == "ap" else 4
                entries = table_entries(meta["imroTbl"])[1:]
                saved = saved_channel_indices(meta, n)
                amp = np.array([float(entries[c].split()[column]) for c in saved[:num_neural]])
            else:
                max_int = float(meta.get("imMaxInt", 8192))
                key = "imChan0apGain" if kind == "ap" else "imChan0lfGain"
                if key in meta:
                    amp = np.full(num_neural, float(meta[key]))
                else:
                    part = meta.get("imDatPrb_pn", "")
                    listed = str(_probe_features().get(part, {}).get("ap_gain_list", "80"))
                    amp = np.full(num_neural, float(listed.split(",")[0]))
            gains[:num_neural] = 1e6 * range_max / max_int / amp
        elif item.stream.startswith("nidq"):
            range_max = float(meta["niAiRangeMax"])
            max_int = float(meta.get("niMaxInt", 32768))
            mn, ma, xa, _dw = (int(v) for v in meta["snsMnMaXaDw"].split(","))
            amp = np.ones(n)
            amp[:mn] = float(meta["niMNGain"])
            amp[mn : mn + ma] = float(meta["niMAGain"])
            analog = mn + ma + xa
            gains[:analog] = 1e6 * range_max / max_int / amp[:analog]
        elif item.stream.startswith("obx"):
            gains[:] = 1e6 * float(meta["obAiRangeMax"]) / float(meta["obMaxInt"])
            if item.has_sync:
                gains[-1] = 1.0
    except (KeyError, ValueError, IndexError) as error:
        raise FormatError(f"{where}: cannot work out the gains ({error!r})") from error
    return gains


def saved_channel_indices(meta: dict[str, str], num_saved: int) -> np.ndarray:
    """The acquired-channel index of every saved channel (``snsSaveChanSubset``)."""
    subset = meta.get("snsSaveChanSubset", "all").strip()
    if subset == "all":
        return np.arange(num_saved)
    indices: list[int] = []
    for part in subset.split(","):
        lo, _, hi = part.partition(":")
        indices.extend(range(int(lo), int(hi or lo) + 1))
    return np.array(indices[:num_saved])
