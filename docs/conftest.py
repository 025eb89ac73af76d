"""The test suite reads docs/ for its markdown examples (doctests) only.

The Sphinx configuration, its extension, the gallery's scripts (run when the site is
built) and everything the build writes are not test modules.
"""

collect_ignore = ["conf.py"]
collect_ignore_glob = ["_build/*", "_ext/*", "examples/*", "auto_examples/*", "api/*",
                       "_templates/*", "sg_execution_times.rst"]
