"""Writers of small real files in the formats the readers open (what each format's
documentation specifies), shared by the reader tests."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

#: (part number, imro type, imAiRangeMax, imMaxInt, ap gain, lf gain)
NP1 = ("NP1000", 0, 0.6, 512, 500, 250)
NP2 = ("NP2000", 21, 0.62, 8192, 80, None)
NP2_4SHANK = ("NP2013", 2013, 0.62, 8192, 100, None)


def _imro_entries(imro_type: int, num_readout: int) -> str:
    """One imro entry per readout channel of the 2.0 tables (fields per SpikeGLX's guide):
    ``(channel bank_mask ref electrode)``; four-shank ``(channel shank bank ref electrode)``
    with 96 channels per shank."""
    if imro_type == 21:
        return "".join(f"({c} 1 0 {c})" for c in range(num_readout))
    if imro_type == 2013:
        return "".join(f"({c} {c // 96} 0 0 {(c % 96) * 2 + c // 96})"
                       for c in range(num_readout))
    raise ValueError(f"no imro writer for type {imro_type}")


def _subset_text(channels: list[int]) -> str:
    """``snsSaveChanSubset`` text: ranges ``a:b`` (inclusive) separated by commas."""
    parts: list[str] = []
    start = prev = channels[0]
    for c in [*channels[1:], None]:
        if c is not None and c == prev + 1:
            prev = c
            continue
        parts.append(f"{start}:{prev}" if prev > start else f"{start}")
        if c is not None:
            start = prev = c
    return ",".join(parts)


def write_spikeglx_imec(
    folder: Path, traces: np.ndarray, probe: tuple = NP1, kind: str = "ap",
    run: str = "run", gate: int = 0, trigger: int = 0, first_sample: int = 0,
    rate: float | None = None, extra: dict | None = None, saved: list[int] | None = None,
) -> Path:
    """Write ``traces`` (time, channels) int16 as an imec0 AP or LF file pair; the last
    channel is the sync word. ``saved`` lists the readout channels (of 384) the other columns
    are, when only a subset was saved (default: the columns are readout channels 0, 1...).
    Returns the .bin path."""
    part, imro_type, range_max, max_int, ap_gain, lf_gain = probe
    n_time, n_chan = traces.shape
    n_neural = n_chan - 1
    num_readout = n_neural if saved is None else 384
    channels = list(range(n_neural)) if saved is None else list(saved)
    assert len(channels) == n_neural
    stem = f"{run}_g{gate}_t{trigger}.imec0.{kind}"
    folder.mkdir(parents=True, exist_ok=True)
    bin_path = folder / f"{stem}.bin"
    np.ascontiguousarray(traces, dtype=np.int16).tofile(bin_path)
    if imro_type == 0:
        # (channel bank ref ap_gain lf_gain ap_highpass): channels 192+ from bank 1
        entries = "".join(f"({c} {c // 192} 0 {ap_gain} {lf_gain} 1)"
                          for c in range(num_readout))
    else:
        entries = _imro_entries(imro_type, num_readout)
    prefix = "AP" if kind == "ap" else "LF"
    chan_map = f"({num_readout},0,1)" + "".join(
        f"({prefix}{c};{c}:{c})" for c in channels) + f"(SY0;{num_readout}:{num_readout})"
    counts = f"{n_neural},0,1" if kind == "ap" else f"0,{n_neural},1"
    meta = {
        "imAiRangeMax": range_max, "imAiRangeMin": -range_max, "imMaxInt": max_int,
        "imDatPrb_pn": part, "imDatPrb_type": imro_type, "imDatPrb_sn": 1234,
        "imDatPrb_port": 1, "imDatPrb_slot": 2,
        "imSampRate": rate or (30000.0 if kind == "ap" else 2500.0),
        "nSavedChans": n_chan, "snsApLfSy": counts,
        "snsSaveChanSubset": "all" if saved is None else _subset_text([*channels, num_readout]),
        "fileName": str(bin_path), "fileSizeBytes": n_time * n_chan * 2,
        "firstSample": first_sample, "typeThis": "imec",
        "~imroTbl": f"({imro_type},{num_readout})" + entries,
        "~snsChanMap": chan_map,
    }
    meta.update(extra or {})
    text = "".join(f"{k}={v}\n" for k, v in meta.items())
    (folder / f"{stem}.meta").write_text(text)
    return bin_path


def write_spikeglx_nidq(folder: Path, traces: np.ndarray, mn: int, ma: int, xa: int, dw: int,
                        run: str = "run") -> Path:
    """Write a NIDQ file pair: MN, MA, XA then DW channels (gains 200 and 50 for MN/MA)."""
    n_time, n_chan = traces.shape
    assert mn + ma + xa + dw == n_chan
    folder.mkdir(parents=True, exist_ok=True)
    bin_path = folder / f"{run}_g0_t0.nidq.bin"
    np.ascontiguousarray(traces, dtype=np.int16).tofile(bin_path)
    names = ([f"MN{i}" for i in range(mn)] + [f"MA{i}" for i in range(ma)]
             + [f"XA{i}" for i in range(xa)] + [f"XD{i}" for i in range(dw)])
    meta = {
        "niAiRangeMax": 5.0, "niAiRangeMin": -5.0, "niMaxInt": 32768, "niMNGain": 200,
        "niMAGain": 50, "niSampRate": 25000.0, "nSavedChans": n_chan,
        "snsMnMaXaDw": f"{mn},{ma},{xa},{dw}", "snsSaveChanSubset": "all",
        "fileName": str(bin_path), "fileSizeBytes": n_time * n_chan * 2, "firstSample": 0,
        "typeThis": "nidq",
        "~snsChanMap": f"({mn},{ma},{xa},{dw},0)" + "".join(
            f"({name};{i}:{i})" for i, name in enumerate(names)),
    }
    (folder / f"{run}_g0_t0.nidq.meta").write_text("".join(f"{k}={v}\n" for k, v in meta.items()))
    return bin_path


def write_openephys_binary(
    folder: Path, segments: list[np.ndarray], bit_volts: list[float], sample_rate: float,
    first_samples: list[int], node: str = "Record Node 101",
    stream: str = "Acquisition_Board-100.Rhythm Data",
) -> Path:
    """An Open Ephys (0.6+) binary-format folder: one experiment, one recording per segment.

    Layout per the GUI's documentation: ``<node>/experiment1/recording<k>/structure.oebin``
    describing ``continuous/<stream>/continuous.dat`` (int16, interleaved) and
    ``sample_numbers.npy``.
    """
    channels = [{"channel_name": f"CH{c + 1}", "description": "", "identifier": "",
                 "history": "", "bit_volts": bit_volts[c], "units": "uV"}
                for c in range(segments[0].shape[1])]
    for k, (traces, first) in enumerate(zip(segments, first_samples, strict=True)):
        recording = folder / node / "experiment1" / f"recording{k + 1}"
        data_folder = recording / "continuous" / stream
        data_folder.mkdir(parents=True)
        (data_folder / "continuous.dat").write_bytes(traces.astype("<i2").tobytes())
        np.save(data_folder / "sample_numbers.npy",
                np.arange(first, first + traces.shape[0], dtype=np.int64))
        description = {
            "GUI version": "0.6.7",
            "continuous": [{
                "folder_name": stream + "/", "sample_rate": sample_rate,
                "source_processor_name": "Acquisition Board", "source_processor_id": 100,
                "stream_name": stream.split(".", 1)[1], "recorded_processor": "Record Node",
                "recorded_processor_id": 101, "num_channels": len(channels),
                "channels": channels,
            }],
            "events": [],
            "spikes": [],
        }
        (recording / "structure.oebin").write_text(json.dumps(description, indent=2))
    return folder


def _qstring(text: str) -> bytes:
    """Qt's QString serialisation: a uint32 byte length, then UTF-16 little-endian."""
    encoded = text.encode("utf-16-le")
    return struct.pack("<I", len(encoded)) + encoded


def write_intan_rhd(path: Path, amplifier: np.ndarray, sample_rate: float,
                    custom_names: list[str]) -> Path:
    """An Intan RHD2000 file (format 1.3, header attached), amplifier channels only.

    Per Intan's RHD file format document: a header (magic number 0xC6912702, version,
    sample rate and filter settings, three notes, temperature-sensor count, board mode, signal
    groups and their channels), then data blocks of 60 samples: 60 int32 timestamps, then
    60 uint16 samples of each amplifier channel.
    """
    num_samples, num_channels = amplifier.shape
    if num_samples % 60:
        raise ValueError("RHD data come in blocks of 60 samples")
    header = struct.pack("<Ihh", 0xC6912702, 1, 3)
    header += struct.pack("<fh6fhff", sample_rate, 0, 1.0, 0.1, 7500.0, 1.0, 0.1, 7500.0,
                          0, 1000.0, 1000.0)
    header += _qstring("") + _qstring("") + _qstring("")
    header += struct.pack("<hh", 0, 0)  # no temperature sensor; board mode 0
    header += struct.pack("<h", 1)  # one signal group
    header += _qstring("Port A") + _qstring("A") + struct.pack("<hhh", 1, num_channels,
                                                                 num_channels)
    for c in range(num_channels):
        header += _qstring(f"A-{c:03d}") + _qstring(custom_names[c])
        # native order, custom order, signal type 0 (amplifier), enabled, chip channel,
        # board stream, spike-scope trigger mode, threshold, trigger channel, edge polarity
        header += struct.pack("<10h", c, c, 0, 1, c, 0, 0, 0, 0, 0)
        header += struct.pack("<ff", 1e5, 0.0)
    blocks = []
    for b in range(num_samples // 60):
        blocks.append(np.arange(b * 60, b * 60 + 60, dtype="<i4").tobytes())
        blocks.append(np.ascontiguousarray(amplifier[b * 60:(b + 1) * 60].T).astype("<u2")
                      .tobytes())
    path.write_bytes(header + b"".join(blocks))
    return path


def write_openephys_legacy(folder: Path, traces: np.ndarray, bit_volts: float,
                           sample_rate: float, first_timestamp: int = 0) -> Path:
    """An Open Ephys legacy-format folder: one ``100_CH<k>.continuous`` file per channel.

    Per the GUI's legacy format: a 1024-byte text header of ``header.<key> = <value>;`` lines,
    then records of an int64 timestamp, a uint16 sample count (1024), a uint16 recording
    number, 1024 big-endian int16 samples and a 10-byte marker (0..9).
    """
    folder.mkdir(parents=True, exist_ok=True)
    num_samples, num_channels = traces.shape
    if num_samples % 1024:
        raise ValueError("legacy records hold 1024 samples each")
    record = np.dtype([("timestamp", "<i8"), ("nb_sample", "<u2"), ("rec_num", "<u2"),
                       ("samples", ">i2", 1024), ("markers", "u1", 10)])
    for c in range(num_channels):
        text = "".join(f"header.{key} = {value};\n" for key, value in (
            ("format", "'Open Ephys Data Format'"), ("version", "0.4"),
            ("header_bytes", "1024"), ("description", "'test'"),
            ("date_created", "'1-Jan-2020 120000'"), ("channel", f"'CH{c + 1}'"),
            ("channelType", "'Continuous'"), ("sampleRate", f"{sample_rate:g}"),
            ("blockLength", "1024"), ("bufferSize", "1024"), ("bitVolts", f"{bit_volts}")))
        header = text.encode("ascii").ljust(1024, b" ")
        records = np.zeros(num_samples // 1024, dtype=record)
        records["timestamp"] = first_timestamp + 1024 * np.arange(records.size)
        records["nb_sample"] = 1024
        records["samples"] = traces[:, c].reshape(-1, 1024)
        records["markers"] = np.arange(10, dtype=np.uint8)
        (folder / f"100_CH{c + 1}.continuous").write_bytes(header + records.tobytes())
    return folder


def write_blackrock_ns5(path: Path, traces: np.ndarray, labels: list[str],
                        analog_range: tuple[int, int] = (-8191, 8191),
                        digital_range: tuple[int, int] = (-32764, 32764),
                        timestamp: int = 0) -> Path:
    """A Blackrock NSx file (spec 2.3) at 30 kHz: basic header, one 66-byte extended header
    per channel, then one data packet (0x01, uint32 timestamp, uint32 count, int16 frames)."""
    num_samples, num_channels = traces.shape
    header_bytes = 314 + 66 * num_channels
    basic = b"NEURALCD" + struct.pack("<BBI", 2, 3, header_bytes)
    basic += b"30 kS/s".ljust(16, b"\0") + b"".ljust(256, b"\0")
    basic += struct.pack("<II", 1, 30000) + struct.pack("<8H", 2020, 1, 3, 1, 12, 0, 0, 0)
    basic += struct.pack("<I", num_channels)
    extended = b""
    for c in range(num_channels):
        extended += b"CC" + struct.pack("<H", c + 1) + labels[c].encode().ljust(16, b"\0")
        extended += struct.pack("<BB", 1, c + 1)
        extended += struct.pack("<4h", digital_range[0], digital_range[1], analog_range[0],
                                analog_range[1])
        extended += b"uV".ljust(16, b"\0")
        extended += struct.pack("<IIHIIH", 300, 1, 1, 7500000, 3, 1)
    packet = struct.pack("<BII", 1, timestamp, num_samples)
    path.write_bytes(basic + extended + packet + traces.astype("<i2").tobytes())
    return path


def write_openephys_neuropixels_settings(node_folder: Path, probe_streams: dict[str, str],
                                         version: str = "0.6.7") -> Path:
    """An Open Ephys ``settings.xml`` (GUI 0.6, Neuropix-PXI plugin 0.7) describing one
    Neuropixels 1.0 probe per entry of ``probe_streams`` (probe name -> part number), all 384
    channels in bank 0, then a Record Node.

    The layout is the GUI's: ``SIGNALCHAIN/PROCESSOR`` elements; the Neuropix-PXI processor
    names its ``STREAM``s (``<probe>-AP``, ``<probe>-LFP``) and, in its ``EDITOR``, one
    ``NP_PROBE`` per probe with ``CHANNELS`` (the bank of each channel ``CH<i>``) and the
    electrodes' positions ``ELECTRODE_XPOS``/``ELECTRODE_YPOS`` in um (a 1.0 probe's
    staggered columns: x 27, 59 on even rows and 11, 43 on odd rows; rows 20 um apart).
    """
    channels = range(384)
    def attributes(values: object) -> str:
        return " ".join(f'CH{c}="{v}"' for c, v in zip(channels, values, strict=True))
    xpos = attributes([27, 59, 11, 43][c % 4] for c in channels)
    ypos = attributes(20 * (c // 2) for c in channels)
    streams = "".join(
        f'<STREAM name="{name}-{band}" sample_rate="{rate}" channel_count="384"/>'
        for name in probe_streams for band, rate in (("AP", 30000.0), ("LFP", 2500.0)))
    probes = "".join(
        f'<NP_PROBE slot="2" port="{k + 1}" dock="1" probe_serial_number="{1000 + k}" '
        f'probe_part_number="{part}" probe_name="Neuropixels 1.0" '
        f'custom_probe_name="{1000 + k}" apGainValue="500x" lfpGainValue="250x" '
        f'isEnabled="1"><CHANNELS {attributes(0 for _ in channels)}/>'
        f"<ELECTRODE_XPOS {xpos}/><ELECTRODE_YPOS {ypos}/></NP_PROBE>"
        for k, part in enumerate(probe_streams.values()))
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<SETTINGS>'
        f"<INFO><VERSION>{version}</VERSION></INFO><SIGNALCHAIN>"
        '<PROCESSOR name="Neuropix-PXI" libraryVersion="0.7.0" nodeId="100">'
        f"{streams}<EDITOR>{probes}</EDITOR></PROCESSOR>"
        '<PROCESSOR name="Record Node" nodeId="101"/>'
        "</SIGNALCHAIN></SETTINGS>\n")
    node_folder.mkdir(parents=True, exist_ok=True)
    path = node_folder / "settings.xml"
    path.write_text(text)
    return path
