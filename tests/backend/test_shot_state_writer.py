"""One writer of shot state: only ``runtime/shot_state.py`` assigns a shot's status, progress, error and job fields.

An AST scan of the add-on's own code (tests and benchmarks set up states by hand and are left out). It reads the
files as text, so it runs without bpy.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WRITER = Path("runtime") / "shot_state.py"
#: The shot (``Object.movie_director``) fields that only the writer sets.
FIELDS = frozenset({
    "generation_status", "generation_progress", "generation_phase", "generation_step", "generation_total_steps",
    "error_message", "error_class", "error_hint", "job_id", "queued_jobs",
})
#: No shot lives there: ``wangp_backend/`` and ``farm/`` never import bpy (their ``job_id`` is a host's).
_SKIPPED_DIRS = {"tests", "bench", "build", "dist", "docs", "wangp_backend", "farm"}


def _flatten(target: ast.expr) -> list[ast.expr]:
    if isinstance(target, (ast.Tuple, ast.List)):
        return [leaf for element in target.elts for leaf in _flatten(element)]
    return [target]


class _Scan(ast.NodeVisitor):
    """Collects writes; ``self.<field>`` counts only inside a PropertyGroup (a shot's own methods), since other
    classes (an exception, a job record) may well call an attribute ``error_class`` or ``job_id``."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self._in_property_group: list[bool] = [False]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._in_property_group.append(any("PropertyGroup" in ast.unparse(base) for base in node.bases))
        self.generic_visit(node)
        self._in_property_group.pop()

    def _target(self, target: ast.expr) -> None:
        for leaf in _flatten(target):
            if not isinstance(leaf, ast.Attribute) or leaf.attr not in FIELDS:
                continue
            if isinstance(leaf.value, ast.Name) and leaf.value.id == "self" and not self._in_property_group[-1]:
                continue
            self.found.append((leaf.lineno, leaf.attr))

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if (isinstance(node.func, ast.Name) and node.func.id == "setattr" and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant) and node.args[1].value in FIELDS):
            self.found.append((node.lineno, str(node.args[1].value)))
        self.generic_visit(node)


def writes(source: str) -> list[tuple[int, str]]:
    """``(line, field)`` for every assignment to a guarded field in ``source``: ``x.field = ...`` (also inside a
    tuple or a chain, and ``+=``), and ``setattr(x, "field", ...)``, whatever ``x`` is called (an alias of a
    shot is caught too); ``self.field`` only in a PropertyGroup."""
    scan = _Scan()
    scan.visit(ast.parse(source))
    return sorted(scan.found)


def addon_sources() -> list[Path]:
    """The add-on's Python files (relative to the repository), without tests, benchmarks and virtual envs."""
    out = []
    for path in sorted(REPO.rglob("*.py")):
        rel = path.relative_to(REPO)
        if rel.parts[0] in _SKIPPED_DIRS or rel.parts[0].startswith("."):
            continue
        out.append(rel)
    return out


def test_only_shot_state_writes_a_shots_status_progress_error_and_job_fields():
    offenders = [
        f"{rel}:{line}: {field}"
        for rel in addon_sources() if rel != WRITER
        for line, field in writes((REPO / rel).read_text(encoding="utf-8"))
    ]
    assert offenders == [], "write these through runtime.shot_state:\n" + "\n".join(offenders)


def test_the_writer_is_where_the_contract_says_and_does_write():
    assert (REPO / WRITER).is_file()
    assert {field for _line, field in writes((REPO / WRITER).read_text(encoding="utf-8"))} == FIELDS


def test_the_scan_sees_every_way_of_writing_a_field():
    source = (
        "shot.generation_status = 'queued'\n"
        "shot.error_message = shot.error_class = shot.error_hint = ''\n"
        "shot.generation_status, shot.generation_progress = 'done', 100\n"
        "shot.queued_jobs += 1\n"
        "obj.movie_director.job_id: str = ''\n"
        "setattr(shot, 'generation_phase', 'Done')\n"
        "if shot.generation_status == 'failed': print(shot.error_message)\n"  # reads are fine
        "take.filepath = ''\n"
        "class Failure(Exception):\n    def __init__(self):\n        self.error_class = ''\n"  # not a shot
        "class Shot(bpy.types.PropertyGroup):\n    def reset(self):\n        self.job_id = ''\n"
    )
    assert writes(source) == [
        (1, "generation_status"), (2, "error_class"), (2, "error_hint"), (2, "error_message"),
        (3, "generation_progress"), (3, "generation_status"), (4, "queued_jobs"), (5, "job_id"),
        (6, "generation_phase"), (14, "job_id"),
    ]
