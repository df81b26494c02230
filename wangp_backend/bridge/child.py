"""Entry point of the bridge child: ``python -m wangp_backend.bridge.child --config JSON [...]``.

Run with WanGP's own interpreter. The parent normally starts it through :data:`BOOTSTRAP`, which
imports this package from its folder without putting the add-on's other modules on ``sys.path``.
Standard input and output carry the protocol; they are taken over before anything else runs.
"""

from __future__ import annotations

import argparse
import faulthandler
import importlib
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

from .protocol import config_from_wire

DEFAULT_HOST_FACTORY = "wangp_backend.hosts.in_process:SessionHost"

#: ``python -c BOOTSTRAP <wangp_backend folder> <child arguments>``: loads the package by its folder
#: (so only ``wangp_backend`` becomes importable, not the add-on's bpy modules next to it) and drops
#: the current-directory entry from ``sys.path`` (the child must not import whatever lies in its cwd).
BOOTSTRAP = "\n".join((
    "import importlib.util, sys",
    "sys.path[:] = [p for p in sys.path if p]",
    "folder = sys.argv[1]",
    "spec = importlib.util.spec_from_file_location(",
    "    'wangp_backend', folder + '/__init__.py', submodule_search_locations=[folder])",
    "module = importlib.util.module_from_spec(spec)",
    "sys.modules['wangp_backend'] = module",
    "spec.loader.exec_module(module)",
    "from wangp_backend.bridge.child import main",
    "sys.exit(main(sys.argv[2:]))",
))


def main(argv: list[str] | None = None) -> int:
    commands, frames = take_protocol_streams()
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s movie_director.bridge %(levelname)s: %(message)s")
    # A crash inside a C extension (torch, CUDA) then leaves a traceback in the stderr the parent reports.
    faulthandler.enable()
    config = config_from_wire(json.loads(args.config))
    if config.site_packages and config.site_packages not in sys.path:
        # Appended, as in-process: the interpreter's own packages first. It only matters when the
        # interpreter is not the environment's own (the loop below needs numpy from it).
        sys.path.append(config.site_packages)
    # Imported only now: the loop converts messages with numpy, which may come from the folder above.
    from .serve import serve

    host = load_factory(args.host_factory)(config, **json.loads(args.options))
    return serve(host, commands, frames)


def take_protocol_streams() -> tuple[BinaryIO, BinaryIO]:
    """Move the protocol off fds 0/1 before WanGP is imported, and point fd 1 and ``sys.stdout`` at stderr.

    WanGP swaps ``sys.stdout`` during jobs and C libraries write to fd 1 directly; with the protocol on
    private duplicates, nothing printed by anyone can corrupt the frames.
    """
    commands_fd, frames_fd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(commands_fd, "rb"), os.fdopen(frames_fd, "wb")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="wangp_backend.bridge.child", description=__doc__)
    parser.add_argument("--config", required=True, help="the SessionConfig as JSON")
    parser.add_argument("--options", default="{}", help="keyword arguments of the host factory, as JSON")
    parser.add_argument("--host-factory", default=DEFAULT_HOST_FACTORY,
                        help="module:callable (or path/to/file.py:callable) building the host from the config")
    return parser.parse_args(argv)


def load_factory(spec: str) -> Callable[..., Any]:
    """The callable named ``module:name``; the module may be a dotted name or a ``.py`` file path."""
    module_name, _, attribute = spec.rpartition(":")
    if not module_name or not attribute:
        raise ValueError(f"host factory must look like module:callable, got {spec!r}")
    if module_name.endswith(".py"):
        file_spec = importlib.util.spec_from_file_location("movie_director_bridge_host_factory", module_name)
        if file_spec is None or file_spec.loader is None:
            raise ImportError(f"cannot load the host factory file {module_name}")
        module = importlib.util.module_from_spec(file_spec)
        sys.modules[file_spec.name] = module
        file_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(module_name)
    return getattr(module, attribute)


if __name__ == "__main__":
    sys.exit(main())
