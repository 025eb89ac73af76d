"""The kernels a spike is smoothed with: sampled on the output grid, each of unit area.

Every kernel is described by its standard deviation ``sigma`` (in samples of the output grid
here; :func:`~lazyephys.analysis.smooth_spikes` takes seconds), as elephant's kernels are,
so that kernels of one ``sigma`` smooth alike whatever their shape. A kernel is a short
array of weights summing to 1 and the lag of its first weight: a spike in bin ``b`` adds
``weights[j]`` (times the output rate, so the signal is in spikes/s) to output sample
``b + first_lag + j``. Its support, ``[first_lag, last_lag]``, is all a window needs to see
of the spikes around it.

``"gaussian"``
    ``exp(-k^2 / (2 sigma^2))``, truncated at ``int(4 sigma + 0.5)`` samples on each side
    (the kernel of ``scipy.ndimage.gaussian_filter1d``).
``"exponential"``
    Causal: ``exp(-k / tau)`` for ``k >= 0`` with ``tau = sigma``, truncated at
    ``int(10 tau + 0.5)`` (the tail beyond holds ``e^-10``, 4.5e-5, of the area).
``"alpha"``
    Causal: ``k exp(-k / tau)`` for ``k >= 0`` with ``tau = sigma / sqrt(2)``, truncated at
    ``int(12 tau + 0.5)`` (at least one sample; the tail holds ``13 e^-12``, 8e-5). It is 0
    at the spike's own bin and peaks ``tau`` later.
``"boxcar"``
    ``2 h + 1`` equal weights centred on the spike, ``h = round(sqrt(3) sigma)`` (a boxcar
    of width ``2 sqrt(3) sigma`` has standard deviation ``sigma``).
``"triangular"``
    ``1 - |k| / w`` for ``|k| < w``, ``w = sqrt(6) sigma`` (a triangle of half-width ``w``
    has standard deviation ``sigma``); a single weight when ``w <= 1``.

Every array is divided by its sum, so the sampled kernel has unit area exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = ["SpikeKernel", "KERNELS", "KernelName", "make_kernel", "gaussian_kernel"]

#: The kernels' names.
KernelName = Literal["gaussian", "exponential", "alpha", "boxcar", "triangular"]


@dataclass(frozen=True)
class SpikeKernel:
    """Weights (summing to 1) and the lag, in samples, of the first one."""

    name: str
    weights: np.ndarray
    first_lag: int

    @property
    def last_lag(self) -> int:
        """The lag of the last weight."""
        return self.first_lag + self.weights.size - 1

    @property
    def size(self) -> int:
        """Number of weights."""
        return int(self.weights.size)


def _normalized(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()


def gaussian_kernel(sigma_samples: float, truncate: float = 4.0) -> np.ndarray:
    """A sampled Gaussian of standard deviation ``sigma_samples``, summing to 1, with
    ``2 * int(truncate * sigma + 0.5) + 1`` taps (as ``scipy.ndimage.gaussian_filter1d``)."""
    radius = int(truncate * sigma_samples + 0.5)
    taps = np.arange(-radius, radius + 1, dtype=np.float64)
    return _normalized(np.exp(-0.5 * (taps / sigma_samples) ** 2))


def _gaussian(sigma: float) -> tuple[np.ndarray, int]:
    weights = gaussian_kernel(sigma)
    return weights, -(weights.size // 2)


def _exponential(sigma: float) -> tuple[np.ndarray, int]:
    tau = sigma
    lags = np.arange(int(10.0 * tau + 0.5) + 1, dtype=np.float64)
    # the first weight is exp(0) = 1: the sum never underflows, however small tau
    return _normalized(np.exp(-lags / tau)), 0


def _alpha(sigma: float) -> tuple[np.ndarray, int]:
    tau = sigma / math.sqrt(2.0)
    lags = np.arange(max(1, int(12.0 * tau + 0.5)) + 1, dtype=np.float64)
    # k exp(-k / tau) scaled by exp(1 / tau): the weight at k = 1 is 1, so a tau much
    # shorter than a sample still gives a kernel (all its area one sample after the spike)
    return _normalized(lags * np.exp(-(lags - 1.0) / tau)), 0


def _boxcar(sigma: float) -> tuple[np.ndarray, int]:
    half = round(math.sqrt(3.0) * sigma)
    return np.full(2 * half + 1, 1.0 / (2 * half + 1)), -half


def _triangular(sigma: float) -> tuple[np.ndarray, int]:
    width = math.sqrt(6.0) * sigma
    half = max(0, math.ceil(width) - 1)
    lags = np.arange(-half, half + 1, dtype=np.float64)
    return _normalized(1.0 - np.abs(lags) / max(width, 1.0)), -half


#: Kernel name -> builder ``(sigma in samples) -> (weights, first lag)``.
KERNELS: dict[str, Callable[[float], tuple[np.ndarray, int]]] = {
    "gaussian": _gaussian,
    "exponential": _exponential,
    "alpha": _alpha,
    "boxcar": _boxcar,
    "triangular": _triangular,
}


def make_kernel(name: object, sigma_samples: float) -> SpikeKernel:
    """The kernel called ``name`` with standard deviation ``sigma_samples`` (> 0).

    Examples
    --------
    >>> kernel = make_kernel("boxcar", 1.2)
    >>> kernel.weights.tolist(), kernel.first_lag
    ([0.2, 0.2, 0.2, 0.2, 0.2], -2)
    >>> make_kernel("exponential", 2.0).first_lag
    0
    """
    if not isinstance(name, str) or name not in KERNELS:
        raise ValueError(
            f"kernel must be one of {', '.join(map(repr, KERNELS))}, got {name!r}"
        )
    if not (isinstance(sigma_samples, (int, float)) and math.isfinite(sigma_samples)
            and sigma_samples > 0):
        raise ValueError(f"the kernel's sigma must be > 0 samples, got {sigma_samples!r}")
    weights, first_lag = KERNELS[name](float(sigma_samples))
    return SpikeKernel(name, np.ascontiguousarray(weights, dtype=np.float64), int(first_lag))
