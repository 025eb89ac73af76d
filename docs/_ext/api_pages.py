"""Write the API reference pages from the packages' ``__all__`` before Sphinx reads them.

Every public name of every subpackage is listed; each object gets one page, under the
package that defines it, and packages that re-export it (``lazyephys``, ``lazyephys.core``,
``lazyephys.jobs`` re-exporting errors...) link to that page. New subpackages appear on
their own: the list of packages is read from the installed package, not written here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

#: Packages in layer order: an object whose defining module lies in none of them (a
#: constant) belongs to the first that exports it.
LAYER_ORDER = [
    "errors", "base", "recording", "sorting", "generation", "jobs", "io", "preprocessing",
    "analysis", "sweeps", "extractors", "widgets", "testing", "cli", "core", "full",
]

#: Packages that only gather names defined elsewhere: they list links, not pages.
GATHERING = {"lazyephys", "lazyephys.core", "lazyephys.full"}


def public_packages(root: str = "lazyephys") -> list[str]:
    """The documented modules: the root, then each public submodule in layer order."""
    package = importlib.import_module(root)
    found = {
        info.name for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    }
    known = [name for name in LAYER_ORDER if name in found]
    extra = sorted(found - set(known))
    return [root] + [f"{root}.{name}" for name in known + extra]


def exported_names(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        raise RuntimeError(f"{module_name} has no __all__: its public names are unknown")
    return [name for name in names if not name.startswith("_")]


def home_of(name: str, obj: Any, exporters: list[str]) -> str:
    """The package whose page documents ``obj``: the one that defines it."""
    defining = getattr(obj, "__module__", None) if _has_own_module(obj) else None
    if defining:
        owners = [p for p in exporters if p not in GATHERING
                  and (defining == p or defining.startswith(p + "."))]
        if owners:
            return max(owners, key=len)
    leaves = [p for p in exporters if p not in GATHERING]
    return leaves[0] if leaves else exporters[0]


def _has_own_module(obj: Any) -> bool:
    return inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismodule(obj)


def _title(text: str, underline: str = "=") -> list[str]:
    return [text, underline * len(text), ""]


def _summary(module_name: str) -> str:
    doc = inspect.getdoc(importlib.import_module(module_name)) or ""
    return doc.split("\n\n")[0].replace("\n", " ").strip()


def write_api_pages(out_dir: Path) -> list[str]:
    """Write ``index.rst`` and one page per package into ``out_dir``; return page names."""
    packages = public_packages()
    exports = {package: exported_names(package) for package in packages}
    # an object is known by itself and its name: an alias (``load_extractor = load``) is a
    # public name of its own, documented beside the other
    exporters: dict[tuple[int, str], list[str]] = {}
    objects: dict[tuple[int, str], Any] = {}
    for package in packages:
        module = importlib.import_module(package)
        for name in exports[package]:
            obj = getattr(module, name)
            exporters.setdefault((id(obj), name), []).append(package)
            objects[(id(obj), name)] = obj
    homes = {key: home_of(key[1], objects[key], exporters[key]) for key in objects}

    out_dir.mkdir(parents=True, exist_ok=True)
    pages = []
    stubs = set()
    for package in packages:
        module = importlib.import_module(package)
        own, elsewhere, data = [], [], []
        for name in exports[package]:
            obj = getattr(module, name)
            home = homes[(id(obj), name)]
            if home != package:
                elsewhere.append(f"{home}.{name}")
            elif _has_own_module(obj):
                own.append(name)
                stubs.add(f"{package}.{name}.rst")
            else:
                data.append((name, obj))
        lines = _title(f"``{package}``")
        lines += [f".. automodule:: {package}", "   :no-members:", ""]
        if own:
            lines += ["Defined here", "------------", "",
                      f".. currentmodule:: {package}", "",
                      ".. autosummary::", "   :toctree: generated/", ""]
            lines += [f"   {name}" for name in own] + [""]
        for name, obj in data:
            lines += [f".. py:data:: {package}.{name}", "", f"   ``{obj!r}``", ""]
        if elsewhere:
            lines += ["Also available here", "-------------------", "",
                      "Defined in another package and importable from this one too.", ""]
            lines += [f"- :py:obj:`{target.rsplit('.', 1)[-1]} <{target}>` "
                      f"(``{target}``)" for target in elsewhere] + [""]
        page = package.replace(".", "_")
        _write_if_changed(out_dir / f"{page}.rst", "\n".join(lines))
        pages.append(page)

    # autosummary writes a page per object and never removes one: drop the pages of names
    # no longer public, or Sphinx warns that they are in no table of contents
    generated = out_dir / "generated"
    if generated.is_dir():
        for stale in generated.glob("*.rst"):
            if stale.name not in stubs:
                stale.unlink()

    index = [
        *_title("API reference"),
        "Every public name of every package, generated from the docstrings. Each object "
        "is documented once, where it is defined; ``lazyephys`` and ``lazyephys.core`` "
        "gather names from the packages below.", "",
        ".. toctree::", "   :maxdepth: 1", "",
    ]
    index += [f"   {package.replace('.', '_')}" for package in packages] + [""]
    index += [".. list-table::", "   :header-rows: 1", "", "   * - package",
              "     - what it holds"]
    for package in packages:
        index += [f"   * - :doc:`{package} <{package.replace('.', '_')}>`",
                  f"     - {_summary(package)}"]
    _write_if_changed(out_dir / "index.rst", "\n".join(index) + "\n")
    return pages


def _write_if_changed(path: Path, text: str) -> None:
    # an unchanged page keeps its time stamp, so Sphinx does not read it again
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
