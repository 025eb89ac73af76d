"""No package reads another package's private attributes.

A private name (one leading underscore) belongs to the package whose code defines it (a
``def _name``, a class attribute, or ``self._name = ...``); code in another package must go
through a public method, so that renaming a private never breaks a distant module.
"""

import ast
from collections import defaultdict
from pathlib import Path

import lazyephys

ROOT = Path(lazyephys.__file__).parent


def package_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def definitions(trees: dict[Path, ast.AST], root: Path) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = defaultdict(set)
    for path, tree in trees.items():
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(node.name)
            if (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                    and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                names.append(node.attr)
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    targets = (item.targets if isinstance(item, ast.Assign)
                               else [item.target] if isinstance(item, ast.AnnAssign) else [])
                    names += [t.id for t in targets if isinstance(t, ast.Name)]
            for name in names:
                if is_private(name):
                    owners[name].add(package_of(path, root))
    return owners


def foreign_private_reads(root: Path = ROOT) -> list[str]:
    trees = {path: ast.parse(path.read_text()) for path in root.rglob("*.py")}
    owners = definitions(trees, root)
    found = []
    for path, tree in sorted(trees.items()):
        me = package_of(path, root)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and is_private(node.attr)):
                continue
            value = node.value
            if isinstance(value, ast.Name) and value.id in ("self", "cls"):
                continue
            if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                    and value.func.id == "super"):
                continue
            defined_in = owners.get(node.attr)
            if defined_in and me not in defined_in:
                found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)} "
                             f"(private to {', '.join(sorted(defined_in))})")
    return found


def test_no_package_reads_another_packages_private_attributes():
    assert foreign_private_reads() == []


def test_the_check_sees_a_foreign_read(tmp_path):
    # the scan itself, on a two-package tree written here: it must report the one read
    (tmp_path / "alpha").mkdir()
    (tmp_path / "beta").mkdir()
    (tmp_path / "alpha" / "thing.py").write_text(
        "class Thing:\n    def __init__(self):\n        self._secret = 1\n")
    (tmp_path / "beta" / "user.py").write_text("def peek(thing):\n    return thing._secret\n")
    assert foreign_private_reads(tmp_path) == [
        "beta/user.py:2: thing._secret (private to alpha)"]
