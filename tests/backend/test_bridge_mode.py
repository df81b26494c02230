"""Choosing in-process or bridge mode, and finding WanGP's interpreter and its version."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from wangp_backend.bridge.mode import choose_mode
from wangp_backend.bridge.python_env import find_python, python_version, running_version


@pytest.mark.parametrize(
    "setting, env, running, mode, words",
    [
        ("AUTO", "3.11.7", "3.11.9", "in_process", ["inside Blender", "Python 3.11, the same as Blender"]),
        ("AUTO", "3.10.13", "3.11.9", "bridge", ["own Python process", "Python 3.10", "Blender runs Python 3.11"]),
        ("AUTO", "3.11.7", "3.13.1", "bridge", ["Python 3.11", "Blender runs Python 3.13"]),
        ("AUTO", None, "3.13.1", "in_process", ["no Python interpreter was found"]),
        ("IN_PROCESS", "3.11.2", "3.11.9", "in_process", ["as set in the preferences"]),
        ("IN_PROCESS", "3.10.0", "3.11.9", "in_process", ["Python 3.10", "will likely fail to load"]),
        ("BRIDGE", "3.11.7", "3.11.7", "bridge", ["own Python 3.11 process", "as set in the preferences"]),
        ("BRIDGE", None, "3.11.7", "bridge", ["no Python interpreter was found"]),
    ],
)
def test_choose_mode(setting: str, env: str | None, running: str, mode: str, words: list[str]) -> None:
    chosen, reason = choose_mode(setting, env, running)
    assert chosen == mode
    for word in words:
        assert word in reason
    assert reason.endswith(".") and "\n" not in reason


def test_choose_mode_rejects_unknown_settings() -> None:
    with pytest.raises(ValueError, match="AUTO, IN_PROCESS, BRIDGE"):
        choose_mode("auto", "3.11.0", "3.11.0")


def _executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_finds_a_posix_venv_interpreter_from_its_site_packages_or_root(tmp_path: Path) -> None:
    python = _executable(tmp_path / "env" / "bin" / "python3")
    site_packages = tmp_path / "env" / "lib" / "python3.10" / "site-packages"
    site_packages.mkdir(parents=True)
    assert find_python(str(site_packages)) == str(python)
    assert find_python(str(tmp_path / "env")) == str(python)
    assert find_python(str(python)) == str(python)


def test_finds_windows_layouts(tmp_path: Path) -> None:
    venv_python = _executable(tmp_path / "venv" / "Scripts" / "python.exe")
    (tmp_path / "venv" / "Lib" / "site-packages").mkdir(parents=True)
    conda_python = _executable(tmp_path / "conda" / "python.exe")
    (tmp_path / "conda" / "Lib" / "site-packages").mkdir(parents=True)
    assert find_python(str(tmp_path / "venv" / "Lib" / "site-packages")) == str(venv_python)
    assert find_python(str(tmp_path / "conda" / "Lib" / "site-packages")) == str(conda_python)


def test_does_not_walk_past_the_environment_root(tmp_path: Path) -> None:
    _executable(tmp_path / "bin" / "python3")  # a stray interpreter four levels above the packages
    deep = tmp_path / "a" / "lib" / "python3.11" / "site-packages"
    deep.mkdir(parents=True)
    assert find_python(str(deep)) is None
    assert find_python(str(tmp_path / "missing")) is None


@pytest.mark.skipif(sys.platform == "win32", reason="the executable bit is POSIX")
def test_a_file_that_cannot_run_is_not_an_interpreter(tmp_path: Path) -> None:
    plain = tmp_path / "env" / "bin" / "python3"
    plain.parent.mkdir(parents=True)
    plain.write_text("", encoding="utf-8")
    assert find_python(str(tmp_path / "env")) is None


def test_python_version_asks_the_interpreter() -> None:
    assert python_version(sys.executable) == running_version()
    assert running_version().startswith(f"{sys.version_info.major}.{sys.version_info.minor}.")


@pytest.mark.skipif(sys.platform == "win32", reason="uses a shell script as the fake interpreter")
def test_python_version_of_something_that_is_not_python(tmp_path: Path) -> None:
    assert python_version(str(tmp_path / "no-python")) is None
    liar = _executable(tmp_path / "liar")
    liar.write_text("#!/bin/sh\necho not a version\n", encoding="utf-8")
    assert python_version(str(liar)) is None
