"""Checking a WanGP install and its environment from the folder layout, before anything is imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from wangp_backend.locate import StartError, check_install, env_python_version
from wangp_backend.requests import SessionConfig


def make_root(tmp_path: Path, *, wgp: bool = True, api: bool = True) -> str:
    root = tmp_path / "Wan2GP"
    (root / "shared").mkdir(parents=True)
    if wgp:
        (root / "wgp.py").write_text('WanGP_version = "12.60"\n', encoding="utf-8")
    if api:
        (root / "shared" / "api.py").write_text("", encoding="utf-8")
    return str(root)


def make_env(tmp_path: Path, *parts: str) -> str:
    packages = tmp_path.joinpath("env", *parts)
    packages.mkdir(parents=True)
    return str(packages)


def start_error(config: SessionConfig) -> StartError:
    with pytest.raises(StartError) as info:
        check_install(config, running=(3, 11))
    return info.value


def test_a_complete_install_passes(tmp_path: Path) -> None:
    packages = make_env(tmp_path, "lib", "python3.11", "site-packages")
    check_install(SessionConfig(make_root(tmp_path), site_packages=packages), running=(3, 11))


def test_no_folder_set() -> None:
    error = start_error(SessionConfig(""))
    assert error.message == "No WanGP folder is set."
    assert "WANGP_ROOT" in error.hint


def test_relative_folder(tmp_path: Path) -> None:
    assert "must be an absolute path, got 'Wan2GP'" in start_error(SessionConfig("Wan2GP")).message


def test_missing_folder(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere")
    assert start_error(SessionConfig(missing)).message == f"WanGP folder not found: {missing}."


@pytest.mark.parametrize(("wgp", "api", "marker"), [(False, True, "wgp.py"), (True, False, "shared/api.py")])
def test_not_a_wangp_install(tmp_path: Path, wgp: bool, api: bool, marker: str) -> None:
    root = make_root(tmp_path, wgp=wgp, api=api)
    error = start_error(SessionConfig(root))
    assert error.message == f"Not a WanGP install: {root} has no {marker}."
    assert "wgp.py" in error.hint


def test_missing_packages_folder(tmp_path: Path) -> None:
    packages = str(tmp_path / "env" / "lib" / "python3.11" / "site-packages")
    error = start_error(SessionConfig(make_root(tmp_path), site_packages=packages))
    assert error.message == f"WanGP packages folder not found: {packages}."
    assert "site-packages" in error.hint


def test_relative_output_folder(tmp_path: Path) -> None:
    error = start_error(SessionConfig(make_root(tmp_path), output_dir="outputs"))
    assert "output folder must be an absolute path, got 'outputs'" in error.message


def test_python_version_from_a_posix_layout(tmp_path: Path) -> None:
    packages = make_env(tmp_path, "lib", "python3.10", "site-packages")
    assert env_python_version(packages) == (3, 10)
    error = start_error(SessionConfig(make_root(tmp_path), site_packages=packages))
    assert error.message == (
        "WanGP's Python environment is Python 3.10 but Blender runs Python 3.11: "
        "its packages cannot be loaded into Blender."
    )
    assert "Python 3.11" in error.hint and "bridge" in error.hint


@pytest.mark.parametrize("line", ["version = 3.10.11", "version_info = 3.10.11.final.0"])
def test_python_version_from_a_windows_layout(tmp_path: Path, line: str) -> None:
    packages = make_env(tmp_path, "Lib", "site-packages")
    (tmp_path / "env" / "pyvenv.cfg").write_text(f"home = C:\\Python310\n{line}\n", encoding="utf-8")
    assert env_python_version(packages) == (3, 10)
    assert "Python 3.10 but Blender runs Python 3.11" in start_error(
        SessionConfig(make_root(tmp_path), site_packages=packages)
    ).message


def test_unknown_layout_is_not_guessed(tmp_path: Path) -> None:
    """A conda env on Windows has no pyvenv.cfg: no claim is made, the import will tell."""
    packages = make_env(tmp_path, "Lib", "site-packages")
    assert env_python_version(packages) is None
    assert env_python_version(make_env(tmp_path, "custom", "packages")) is None
    check_install(SessionConfig(make_root(tmp_path), site_packages=packages), running=(3, 11))


def test_free_threaded_layout(tmp_path: Path) -> None:
    assert env_python_version(make_env(tmp_path, "lib", "python3.13t", "site-packages")) == (3, 13)
