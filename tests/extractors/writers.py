"""Writers of small real files in the formats the readers open (what each format's
documentation specifies), shared by the reader tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: (part number, imro type, imAiRangeMax, imMaxInt, ap gain, lf gain)
NP1 = ("NP1000", 0, 0.6, 512, 500, 250)
NP2 = ("NP2000", 21, 0.62, 8192, 80, None)


def write_spikeglx_imec(
    folder: Path, traces: np.ndarray, probe: tuple = NP1, kind: str = "ap",
    run: str = "run", gate: int = 0, trigger: int = 0, first_sample: int = 0,
    rate: float | None = None, extra: dict | None = None,
) -> Path:
    """Write ``traces`` (time, 385) int16 as an imec0 AP or LF file pair; the last channel is
    the sync word. Returns the .bin path."""
    part, imro_type, range_max, max_int, ap_gain, lf_gain = probe
    n_time, n_chan = traces.shape
    n_neural = n_chan - 1
    stem = f"{run}_g{gate}_t{trigger}.imec0.{kind}"
    folder.mkdir(parents=True, exist_ok=True)
    bin_path = folder / f"{stem}.bin"
    np.ascontiguousarray(traces, dtype=np.int16).tofile(bin_path)
    if imro_type == 0:
        entries = "".join(f"({c} 0 0 {ap_gain} {lf_gain} 1)" for c in range(n_neural))
    else:
        entries = "".join(f"({c} 1 0 {c})" for c in range(n_neural))
    prefix = "AP" if kind == "ap" else "LF"
    chan_map = f"({n_neural},0,1)" + "".join(
        f"({prefix}{c};{c}:{c})" for c in range(n_neural)) + f"(SY0;{n_neural}:{n_neural})"
    counts = f"{n_neural},0,1" if kind == "ap" else f"0,{n_neural},1"
    meta = {
        "imAiRangeMax": range_max, "imAiRangeMin": -range_max, "imMaxInt": max_int,
        "imDatPrb_pn": part, "imDatPrb_type": imro_type, "imDatPrb_sn": 1234,
        "imDatPrb_port": 1, "imDatPrb_slot": 2,
        "imSampRate": rate or (30000.0 if kind == "ap" else 2500.0),
        "nSavedChans": n_chan, "snsApLfSy": counts, "snsSaveChanSubset": "all",
        "fileName": str(bin_path), "fileSizeBytes": n_time * n_chan * 2,
        "firstSample": first_sample, "typeThis": "imec",
        "~imroTbl": f"({imro_type},{n_neural})" + entries,
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
