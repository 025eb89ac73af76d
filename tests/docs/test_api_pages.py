"""The API reference lists every public name of every package, each documented once."""

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def api_pages():
    spec = importlib.util.spec_from_file_location("api_pages", DOCS / "_ext" / "api_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def written(api_pages, tmp_path_factory):
    out = tmp_path_factory.mktemp("api")
    api_pages.write_api_pages(out)
    return out


def _documented_and_linked(written, package):
    text = (written / f"{package.replace('.', '_')}.rst").read_text()
    own = set(re.findall(r"^   (\w+)$", text, flags=re.M))
    data = set(re.findall(rf"^\.\. py:data:: {re.escape(package)}\.(\w+)$", text, flags=re.M))
    links = dict(re.findall(r":py:obj:`(\w+) <([\w.]+)>`", text))
    return own | data, links


def test_every_subpackage_is_listed(api_pages):
    import lazyephys

    packages = api_pages.public_packages()
    expected = {f"lazyephys.{name}" for name in lazyephys._SUBPACKAGES}
    assert expected <= set(packages)
    assert packages[0] == "lazyephys"


def test_every_public_name_is_documented_once_or_links_to_its_page(api_pages, written):
    pages = {}
    for package in api_pages.public_packages():
        pages[package] = _documented_and_linked(written, package)
    documented = {f"{package}.{name}" for package, (own, _) in pages.items() for name in own}
    for package, (own, links) in pages.items():
        module = importlib.import_module(package)
        for name in api_pages.exported_names(package):
            if name in own:
                continue
            assert name in links, f"{package}.{name} is neither documented nor linked"
            target = links[name]
            assert target in documented, f"{package}.{name} links to {target}, not a page"
            home, _, short = target.rpartition(".")
            assert getattr(importlib.import_module(home), short) is getattr(module, name)
    # each name of an object has one page: no object is documented twice under one name
    seen = {}
    for full in documented:
        home, _, short = full.rpartition(".")
        key = (id(getattr(importlib.import_module(home), short)), short)
        assert key not in seen, f"{full} and {seen.get(key)} document the same object"
        seen[key] = full


def test_objects_are_documented_where_they_are_defined(api_pages, written):
    own, _ = _documented_and_linked(written, "lazyephys.recording")
    assert {"Recording", "concatenate_recordings"} <= own
    own, links = _documented_and_linked(written, "lazyephys.jobs")
    assert "InvalidJobKwargsError" not in own
    assert links["InvalidJobKwargsError"] == "lazyephys.errors.InvalidJobKwargsError"
    own, links = _documented_and_linked(written, "lazyephys")
    assert not own and links["generate_recording"] == "lazyephys.generation.generate_recording"
