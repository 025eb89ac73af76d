"""Sphinx configuration of the lazyephys documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html``; the gallery's examples
run during the build, so a broken example fails it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import lazyephys

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
from api_pages import write_api_pages  # noqa: E402 - found through the path set above

# the API pages are written before Sphinx looks for sources, so that they are found; and
# autosummary is told them by name, so that an incremental build sees a new package's page
API_PAGES = write_api_pages(DOCS / "api")
# examples draw off screen
os.environ.setdefault("MPLBACKEND", "Agg")

project = "lazyephys"
author = "the lazyephys developers"
copyright = "the lazyephys developers"
version = release = lazyephys.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# examples/ holds the gallery's sources; the pages built from them are in auto_examples/
exclude_patterns = ["_build", "_ext", "_templates", "examples", "conftest.py"]
templates_path = ["_templates"]

# API reference: one page per object, written by autosummary from the lists api_pages makes
autosummary_generate = [f"api/{page}.rst" for page in API_PAGES]
autosummary_imported_members = True
autodoc_default_options = {"members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

myst_heading_anchors = 3

sphinx_gallery_conf = {
    "examples_dirs": ["examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib", "seaborn"),
    "show_memory": False,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"lazyephys {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list[str] = []
html_show_sourcelink = False
