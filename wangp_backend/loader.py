"""Import WanGP's in-process API and start its session, turning every failure into one readable line.

Runs on the host thread only: importing WanGP pulls in torch and every model family (seconds to a
minute). WanGP's environment is appended to ``sys.path`` (Blender's own packages stay first), and
the import can fail in ways a user can fix (a missing package, mismatched start-up flags), each of
which becomes a :class:`StartError` with a hint instead of a traceback.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

from .failures import one_line
from .locate import StartError, check_install
from .logs import get_logger
from .requests import SessionConfig

log = get_logger()

_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_VERSION = re.compile(r"""^WanGP_version\s*=\s*["']([^"']+)["']""", re.MULTILINE)


@dataclass(frozen=True)
class Loaded:
    """A started WanGP: the session object and facts about the install and the machine."""

    session: Any
    wangp_version: str
    vram_gb: float
    #: the git commit of a WanGP checkout, "" for an install that is not one
    wangp_commit: str = ""


def load_wangp(config: SessionConfig) -> Loaded:
    """Check the install, import ``shared.api`` and call ``init()``; raise :class:`StartError` on failure."""
    check_install(config)
    _extend_sys_path(config)
    if config.offline:
        # Read by huggingface_hub when it is imported (inside init): a missing weight file then fails
        # in under a second instead of trying to download with online access turned off.
        os.environ["HF_HUB_OFFLINE"] = "1"
    session = _init(_import_api(config), config)
    return Loaded(session=session, wangp_version=wangp_version(config.wangp_root), vram_gb=vram_gb(),
                  wangp_commit=wangp_commit(config.wangp_root))


def _init(api: Any, config: SessionConfig) -> Any:
    """``shared.api.init(...)``: imports ``wgp`` (and torch) and returns the session."""
    if not callable(getattr(api, "init", None)):
        raise StartError(
            f"This WanGP is too old: {config.wangp_root}/shared/api.py has no init().",
            "Update WanGP (git pull in its folder) to a release with the in-process API.",
        )
    kwargs: dict[str, Any] = {"root": config.wangp_root, "cli_args": list(config.cli_args), "console_output": False}
    if config.output_dir:
        kwargs["output_dir"] = config.output_dir
    try:
        return api.init(**kwargs)
    except ImportError as exc:
        raise _import_error(exc, config) from exc
    except RuntimeError as exc:
        if "already loaded" in str(exc):
            raise StartError(
                "WanGP is already loaded in this Blender session with another folder or other start-up flags: "
                "WanGP can only be loaded once per Blender session, with one set of start-up flags.",
                "Restart Blender to change the WanGP folder or start-up flags (or set them back to what they were).",
            ) from exc
        raise _unexpected(exc) from exc
    except SystemExit as exc:
        # WanGP parses its start-up flags with argparse, which exits on a flag it does not know.
        raise StartError(
            f"WanGP rejected its start-up flags: {' '.join(config.cli_args) or '(none)'}",
            "Fix the WanGP start-up flags in the add-on preferences (python wgp.py --help lists them).",
        ) from exc
    except Exception as exc:
        raise _unexpected(exc) from exc


def _extend_sys_path(config: SessionConfig) -> None:
    if config.site_packages and config.site_packages not in sys.path:
        sys.path.append(config.site_packages)
    # The root goes first, as WanGP's own init() puts it, so "shared" is WanGP's package.
    if config.wangp_root not in sys.path:
        sys.path.insert(0, config.wangp_root)
    importlib.invalidate_caches()


def _import_api(config: SessionConfig) -> Any:
    where = _loaded_root()
    if where is not None and os.path.normcase(where) != os.path.normcase(os.path.normpath(config.wangp_root)):
        raise StartError(
            f"WanGP is already loaded in this Blender session from {where}: "
            f"WanGP can only be loaded once per Blender session, with one set of start-up flags.",
            "Restart Blender to load WanGP from another folder.",
        )
    try:
        return importlib.import_module("shared.api")
    except ImportError as exc:
        raise _import_error(exc, config) from exc
    except Exception as exc:
        raise _unexpected(exc) from exc


def _loaded_root() -> str | None:
    """The folder the already imported ``shared`` package comes from (another WanGP, or another package)."""
    paths = list(getattr(sys.modules.get("shared"), "__path__", None) or [])
    return os.path.dirname(os.path.normpath(paths[0])) if paths else None


def _import_error(exc: ImportError, config: SessionConfig) -> StartError:
    if not isinstance(exc, ModuleNotFoundError):
        return StartError(
            f"WanGP could not be loaded: {one_line(exc)}",
            "WanGP's packages must be built for Blender's Python version; check the WanGP packages folder.",
        )
    name = exc.name or one_line(exc)
    if config.site_packages:
        return StartError(
            f"WanGP could not be loaded: the Python module '{name}' is missing "
            f"(searched the WanGP packages folder {config.site_packages}).",
            "Install WanGP's requirements into that environment, or set the packages folder of the environment "
            "WanGP runs with.",
        )
    return StartError(
        f"WanGP could not be loaded: the Python module '{name}' is missing, and no WanGP packages folder is set.",
        "Set the WanGP packages folder to the site-packages folder of WanGP's Python environment "
        "(add-on preferences or WANGP_SITE_PACKAGES).",
    )


def _unexpected(exc: BaseException) -> StartError:
    log.error("WanGP failed to start", exc_info=exc)
    return StartError(
        f"WanGP failed to start: {type(exc).__name__}: {one_line(exc)}",
        "Check that WanGP starts on its own (python wgp.py) with the same start-up flags.",
    )


def wangp_version(root: str) -> str:
    """WanGP's version: ``wgp.WanGP_version`` once loaded, else read from ``wgp.py`` without importing it."""
    module = sys.modules.get("wgp")
    where = os.path.dirname(os.path.abspath(getattr(module, "__file__", None) or ""))
    version = getattr(module, "WanGP_version", None)
    if version and os.path.normcase(where) == os.path.normcase(os.path.abspath(root)):
        return str(version)
    try:
        with open(os.path.join(root, "wgp.py"), encoding="utf-8", errors="replace") as fh:
            found = _VERSION.search(fh.read())
    except OSError:
        return ""
    return found.group(1) if found else ""


def wangp_commit(root: str) -> str:
    """The commit a git checkout of WanGP is at, read from its ``.git`` (no git needed); "" if not a checkout.

    ``.git`` is a folder in a clone and a ``gitdir:`` file in a worktree or submodule; ``HEAD`` names a
    branch whose commit is a loose ref or a line of ``packed-refs``, or is the commit itself (detached).
    """
    git = os.path.join(root, ".git")
    try:
        if os.path.isfile(git):
            with open(git, encoding="utf-8") as fh:
                pointer = fh.read().strip()
            if not pointer.startswith("gitdir:"):
                return ""
            git = os.path.normpath(os.path.join(root, pointer[len("gitdir:"):].strip()))
        with open(os.path.join(git, "HEAD"), encoding="utf-8") as fh:
            head = fh.read().strip()
        if not head.startswith("ref:"):
            return head if _COMMIT.fullmatch(head) else ""
        ref = head[len("ref:"):].strip()
        common = git
        if os.path.isfile(os.path.join(git, "commondir")):  # a worktree keeps branches in the main .git
            with open(os.path.join(git, "commondir"), encoding="utf-8") as fh:
                common = os.path.normpath(os.path.join(git, fh.read().strip()))
        for folder in (git, common):
            loose = os.path.join(folder, *ref.split("/"))
            if os.path.isfile(loose):
                with open(loose, encoding="utf-8") as fh:
                    value = fh.read().strip()
                return value if _COMMIT.fullmatch(value) else ""
        with open(os.path.join(common, "packed-refs"), encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref and _COMMIT.fullmatch(parts[0]):
                    return parts[0]
    except OSError:
        return ""
    return ""


def vram_gb() -> float:
    """Total memory of the first CUDA GPU in GiB, 0 when torch or CUDA is not there."""
    try:
        import torch
    except (ImportError, OSError):
        return 0.0
    try:
        if not torch.cuda.is_available():
            return 0.0
        return round(torch.cuda.get_device_properties(0).total_memory / 1024**3, 1)
    except RuntimeError as exc:
        log.warning("could not read the GPU memory: %s", one_line(exc))
        return 0.0
