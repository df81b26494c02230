"""The import contracts: no import cycles, ``wangp_backend`` free of Blender, the Blender side's layers downward.

Both read the add-on's import graph with grimp, imports inside functions included (an import hidden in a
function is still an import: it only moves the cycle to run time); imports under ``if TYPE_CHECKING:`` never
run and do not count. The add-on's root folder has no fixed
name on a clone, so each check links it as ``movie_director`` in a temporary folder first. The contracts
themselves are in ``pyproject.toml`` (``[tool.importlinter]``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "movie_director"
#: Not part of the add-on: they import it from outside.
NOT_THE_ADDON = (f"{PACKAGE}.tests", f"{PACKAGE}.bench", f"{PACKAGE}.tools")


@pytest.fixture
def linked_root(tmp_path: Path) -> Path:
    """A folder holding the repository as ``movie_director`` (its name in Blender)."""
    (tmp_path / PACKAGE).symlink_to(REPO, target_is_directory=True)
    return tmp_path


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_cycles_finds_a_cycle_and_only_cycles():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_addon_has_no_import_cycles(linked_root: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(linked_root))
    graph = grimp.build_graph(PACKAGE, include_external_packages=False, exclude_type_checking_imports=True,
                              cache_dir=None)
    modules = {m for m in graph.modules if not m.startswith(NOT_THE_ADDON)}
    edges = {m: {t for t in graph.find_modules_directly_imported_by(m) if t in modules} for m in modules}
    assert len(modules) > 100, f"the graph holds only {len(modules)} modules: is {REPO} the add-on?"
    found = cycles(edges)
    assert not found, "import cycles (imports inside functions count): " + "; ".join(
        " <-> ".join(m.removeprefix(f"{PACKAGE}.") for m in component) for component in found
    )


def test_the_import_linter_contracts_are_kept(linked_root: Path):
    env = dict(os.environ, PYTHONPATH=str(linked_root))
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache", str(REPO / "pyproject.toml")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "3 kept, 0 broken" in done.stdout, done.stdout[-2000:]
