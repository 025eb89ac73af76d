"""Cost of ``import lazyephys`` against ``import numpy``, measured in the same run.

Each statement runs in a fresh interpreter; the figure is the best of ``--repeats`` runs of the
wall time of the statement itself (``time.perf_counter`` around it, inside the child), so
interpreter start-up is not counted. The target: ``import lazyephys`` within 50 ms of
``import numpy``. The top-level names resolve on first use, so the table also shows what the
first use of the core (recordings, sortings, generators: numpy included) and of saving and
loading (the io and jobs layers) cost on top.

Python's bytecode cache is used as a user's machine uses it (``PYTHONDONTWRITEBYTECODE`` is
removed from the children's environment and each statement runs once before timing);
without the cache every run also compiles the library's sources.

Usage::

    python benchmarks/bench_import.py               # 15 runs each
    python benchmarks/bench_import.py --repeats 40
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from _common import print_table

CHILD = (
    "import time; t = time.perf_counter(); {statement}; "
    "print((time.perf_counter() - t) * 1000)"
)
STATEMENTS = [
    ("import numpy", "import numpy"),
    ("import lazyephys", "import lazyephys"),
    ("import lazyephys; first use of the core",
     "import lazyephys; lazyephys.generate_recording; lazyephys.NumpySorting"),
    ("import lazyephys; first use of save/load", "import lazyephys; lazyephys.load"),
]


def best_ms(statement: str, repeats: int) -> float:
    """Best wall time, in ms, of ``statement`` in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-c", CHILD.format(statement=statement)]
    subprocess.run(command, capture_output=True, check=True, env=env)  # writes the cache
    runs = [
        float(subprocess.run(command, capture_output=True, text=True, check=True,
                             env=env).stdout)
        for _ in range(repeats)
    ]
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    timings = {label: best_ms(statement, args.repeats) for label, statement in STATEMENTS}
    numpy_ms = timings["import numpy"]
    print_table(
        f"import cost (best of {args.repeats} fresh interpreters)",
        [(label, f"{ms:.1f}", f"{ms / numpy_ms:.2f}", f"{ms - numpy_ms:+.1f}")
         for label, ms in timings.items()],
        ("statement", "ms", "ratio to numpy", "ms over numpy"),
    )
    print("\ntarget: 'import lazyephys' at most 50 ms over 'import numpy'")


if __name__ == "__main__":
    main()
