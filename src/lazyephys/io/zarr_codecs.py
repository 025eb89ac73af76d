"""Compression codecs for zarr stores: the default, WavPack, and conversion between numcodecs
codecs (zarr format 2) and zarr v3 codecs.

The default was chosen by measurement (``benchmarks/bench_zarr.py``, table 2) on int16
recordings of 384 channels, noise and ground truth (noise plus spikes), 1 s chunks: the
default must not trade size for speed, so it must compress at least as well as
SpikeInterface's default (Blosc zstd level 5, bit shuffle: ratio 2.00 on both). Blosc zstd
level 1 with bit shuffle gives 2.52 (noise) and 2.50 (ground truth), the best ratio of the
Blosc candidates; zstd level 3 gives 2.28/2.24, lz4 (the former default) 2.07/2.04, byte
shuffle 1.33, and a delta filter along time lowers the ratio (2.17: these data have little
time correlation). In one process zstd level 1 ran at 190-240 MB/s against 155-325 MB/s for
zstd level 5 on a loaded 2-core machine (earlier, unloaded: 0.55 against 0.8-1.7 GB/s).
``compressor="wavpack"`` (the lossless WavPack codec, the ``wavpack`` extra) reached ratio
2.93 at about 10 MB/s per process: the smallest stores, for archiving.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = [
    "quiet_numcodecs_warning",
    "DEFAULT_COMPRESSOR",
    "default_compressor",
    "as_v3_compressors",
    "as_v3_filters",
    "as_v2_compressor",
    "as_v2_filters",
    "array_codecs",
    "wavpack_codec",
]

#: (cname, clevel, shuffle) of the default Blosc codec.
DEFAULT_COMPRESSOR = ("zstd", 1, "bitshuffle")

_SHUFFLES = {0: "noshuffle", 1: "shuffle", 2: "bitshuffle"}


def default_compressor(dtype: Any) -> Any:
    """The default compressor for traces of ``dtype`` (see the module docstring)."""
    from zarr.codecs import BloscCodec

    cname, clevel, shuffle = DEFAULT_COMPRESSOR
    return BloscCodec(cname=cname, clevel=clevel, shuffle=shuffle,  # type: ignore[arg-type]
                      typesize=np.dtype(dtype).itemsize)


@contextlib.contextmanager
def quiet_numcodecs_warning() -> Iterator[None]:
    """Silence zarr's note that numcodecs codecs are outside the zarr v3 specification.

    The user asked for such a codec by name (or opens a store that uses one): the note that
    other zarr implementations may not read it belongs in the docs, not in every open.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numcodecs codecs are not in the Zarr")
        yield


def _convert(codec: Any, dtype: np.dtype, role: str) -> Any:
    """A zarr v3 codec for a zarr v3 codec or a numcodecs (zarr v2 style) codec."""
    import numcodecs.abc
    from zarr.abc.codec import ArrayArrayCodec, BytesBytesCodec

    expected = BytesBytesCodec if role == "compressor" else ArrayArrayCodec
    if isinstance(codec, expected):
        return codec
    if not isinstance(codec, numcodecs.abc.Codec):
        raise TypeError(
            f"{role} must be a zarr codec or a numcodecs codec, got {type(codec).__name__}"
        )
    config = dict(codec.get_config())
    codec_id = config.pop("id")
    if role == "compressor" and codec_id == "blosc":
        from zarr.codecs import BloscCodec

        shuffle = int(config.get("shuffle", 1))
        if shuffle < 0:  # numcodecs' AUTOSHUFFLE: bit shuffle for 1-byte items, else byte
            shuffle = 2 if dtype.itemsize == 1 else 1
        return BloscCodec(cname=config.get("cname", "zstd"), clevel=int(config.get("clevel", 5)),
                          shuffle=_SHUFFLES[shuffle], blocksize=int(config.get("blocksize", 0)),  # type: ignore[arg-type]
                          typesize=dtype.itemsize)
    if role == "compressor" and codec_id == "zstd":
        from zarr.codecs import ZstdCodec

        return ZstdCodec(level=int(config.get("level", 0)))
    if role == "compressor" and codec_id in ("gzip", "zlib"):
        from zarr.codecs import GzipCodec

        return GzipCodec(level=int(config.get("level", 5)))
    import zarr.codecs.numcodecs as wrapped

    names = {name.lower(): name for name in dir(wrapped) if name[:1].isupper()}
    name = names.get(codec_id.replace("_", "").lower())
    if name is None:
        raise ValueError(f"the numcodecs codec {codec_id!r} has no zarr format 3 equivalent")
    with quiet_numcodecs_warning():
        return getattr(wrapped, name)(**config)


def as_v3_compressors(compressor: Any, dtype: Any) -> Any:
    """The ``compressors=`` argument of ``zarr.create_array`` for a ``compressor`` option.

    ``"default"`` gives :func:`default_compressor`; None gives no compression; a list is a
    chain of compressors.
    """
    dtype = np.dtype(dtype)
    if isinstance(compressor, str):
        if compressor != "default":
            raise ValueError(
                f"compressor must be 'default', 'wavpack', None or a codec, got {compressor!r}"
            )
        return default_compressor(dtype)
    if compressor is None:
        return None
    if isinstance(compressor, (list, tuple)):
        return [_convert(c, dtype, "compressor") for c in compressor]
    return _convert(compressor, dtype, "compressor")


def as_v3_filters(filters: Any, dtype: Any) -> Any:
    """The ``filters=`` argument of ``zarr.create_array`` (None: no filters)."""
    if filters is None:
        return None
    if not isinstance(filters, (list, tuple)):
        filters = [filters]
    return [_convert(f, np.dtype(dtype), "filter") for f in filters]


_SHUFFLE_NUMBERS = {"noshuffle": 0, "shuffle": 1, "bitshuffle": 2}


def _as_numcodecs(codec: Any, dtype: np.dtype, role: str) -> Any:
    """A numcodecs codec (what zarr format 2 stores name) for a numcodecs or zarr v3 codec."""
    import numcodecs
    import numcodecs.abc

    if isinstance(codec, numcodecs.abc.Codec):
        return codec
    from zarr.codecs import BloscCodec, GzipCodec, ZstdCodec

    if role == "compressor" and isinstance(codec, BloscCodec):
        shuffle = getattr(codec.shuffle, "value", codec.shuffle)
        return numcodecs.Blosc(cname=getattr(codec.cname, "value", codec.cname),
                               clevel=int(codec.clevel), shuffle=_SHUFFLE_NUMBERS[str(shuffle)],
                               blocksize=int(codec.blocksize))
    if role == "compressor" and isinstance(codec, ZstdCodec):
        return numcodecs.Zstd(level=int(codec.level))
    if role == "compressor" and isinstance(codec, GzipCodec):
        return numcodecs.GZip(level=int(codec.level))
    raise TypeError(
        f"{role} {type(codec).__name__} has no zarr format 2 form: give a numcodecs codec "
        "(numcodecs.Blosc, numcodecs.Zstd, ...) for zarr_format=2"
    )


def as_v2_compressor(compressor: Any, dtype: Any) -> Any:
    """The ``compressors=`` argument of ``zarr.create_array`` for a zarr format 2 array.

    Format 2 arrays have one compressor: ``"default"`` gives the default codec as numcodecs
    names it, None stores raw, a codec (numcodecs, or a zarr v3 Blosc/Zstd/Gzip codec) is used.
    """
    import numcodecs

    dtype = np.dtype(dtype)
    if isinstance(compressor, str):
        if compressor != "default":
            raise ValueError(
                f"compressor must be 'default', 'wavpack', None or a codec, got {compressor!r}"
            )
        cname, clevel, shuffle = DEFAULT_COMPRESSOR
        return numcodecs.Blosc(cname=cname, clevel=clevel, shuffle=_SHUFFLE_NUMBERS[shuffle])
    if compressor is None:
        return None
    if isinstance(compressor, (list, tuple)):
        if len(compressor) != 1:
            raise ValueError(
                f"a zarr format 2 array has one compressor, got {len(compressor)}; put the "
                "others in filters"
            )
        compressor = compressor[0]
    return _as_numcodecs(compressor, dtype, "compressor")


def as_v2_filters(filters: Any, dtype: Any) -> Any:
    """The ``filters=`` argument of ``zarr.create_array`` for a zarr format 2 array."""
    if filters is None:
        return None
    if not isinstance(filters, (list, tuple)):
        filters = [filters]
    return [_as_numcodecs(f, np.dtype(dtype), "filter") for f in filters]


def wavpack_codec(dtype: Any, zarr_format: int) -> Any:
    """The lossless WavPack codec (package ``wavpack-numcodecs``) for integer traces.

    Zarr format 3 takes it as the array's serializer; format 2 as its compressor (registered
    with numcodecs so that the store reads back).
    """
    dtype = np.dtype(dtype)
    if dtype.kind not in "iu" or dtype.itemsize > 4:
        raise ValueError(f"compressor='wavpack' compresses integer traces of up to 32 bits, got "
                         f"dtype {dtype}; save with dtype='int16' or choose another compressor")
    try:
        import wavpack_numcodecs
        from wavpack_numcodecs.wavpack import WavPack as WavPackNumcodecs
    except ImportError:
        raise ImportError(
            "compressor='wavpack' needs the wavpack-numcodecs package (pip install "
            "'lazyephys[wavpack]'; on Linux it builds against the system's libwavpack)"
        ) from None
    if zarr_format == 2:
        import numcodecs

        numcodecs.register_codec(WavPackNumcodecs)
        return WavPackNumcodecs(level=WAVPACK_LEVEL)
    return wavpack_numcodecs.WavPack(level=WAVPACK_LEVEL)


#: WavPack's compression level (1 fast to 4 smallest); 2 is the package's recommendation.
WAVPACK_LEVEL = 2


def array_codecs(compressor: Any, filters: Any, dtype: Any, zarr_format: int) -> dict[str, Any]:
    """The codec arguments of ``zarr.create_array`` for the ``compressor`` and ``filters``
    options of a save, in the given zarr format.

    ``compressor`` is ``"default"``, ``"wavpack"`` (lossless, integer traces), None (raw) or a
    codec (zarr v3 or numcodecs).
    """
    if isinstance(compressor, str) and compressor == "wavpack":
        codec = wavpack_codec(dtype, zarr_format)
        if zarr_format == 2:
            return {"compressors": codec, "filters": as_v2_filters(filters, dtype)}
        return {"serializer": codec, "compressors": None, "filters": as_v3_filters(filters, dtype)}
    if zarr_format == 2:
        return {"compressors": as_v2_compressor(compressor, dtype),
                "filters": as_v2_filters(filters, dtype)}
    return {"compressors": as_v3_compressors(compressor, dtype),
            "filters": as_v3_filters(filters, dtype)}
